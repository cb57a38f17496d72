"""Types shared by the management API's request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from agentshield.engines.money import parse_usd, to_usd_string

_USD_SCHEMA = {"type": "string", "pattern": r"^\d+(\.\d{1,9})?$", "examples": ["2.50"]}

# Money in: a decimal string of USD ("2.50"), at most 9 decimals, never negative or a float.
UsdAmount = Annotated[int, BeforeValidator(parse_usd), WithJsonSchema(_USD_SCHEMA)]
# Money out: nano-dollars shown as a decimal string ("2.500000000").
UsdString = Annotated[int, PlainSerializer(to_usd_string, return_type=str)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Body(BaseModel):
    """A request body: unknown fields are refused, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Patch(Body):
    """A PATCH body: fields left out stay as they are."""

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def not_null(value: Any) -> Any:
    """For PATCH fields that may be left out but not cleared."""
    if value is None:
        raise ValueError("must not be null")
    return value
