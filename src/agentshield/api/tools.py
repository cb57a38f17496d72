"""Tool prices: what one execution of each tool costs this tenant, in USD.

The built-in defaults (web_search $0.01, python_interpreter $0.05, image_generation $0.04)
apply to every tenant; `PUT` sets the tenant's own price for a name, which overrides the
default for this tenant only. The gateway charges a priced tool once per call the model
returns, and reserves one execution of each priced tool a request offers (docs/pricing.md).
A change takes effect in this process's gateway once committed, in other replicas at
their next start or price edit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import Field

from agentshield.api.deps import AdminCaller, DbSession, ManagerCaller, Work
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Out, UsdAmount, UsdString
from agentshield.api.trail import record_action
from agentshield.engines.money import to_usd_string
from agentshield.store import tools

router = APIRouter(prefix="/tools/definitions", tags=["tools"], route_class=ApiRoute)

ToolName = Annotated[str, Path(min_length=1, max_length=tools.MAX_NAME)]


class DefinitionIn(Body):
    price: UsdAmount = Field(description="USD per execution, a decimal string, at most 9 decimals")
    description: Annotated[str | None, Field(max_length=500)] = None


class DefinitionOut(Out):
    name: str
    description: str | None
    price: UsdString
    source: str = Field(description="'tenant' for the tenant's own price, else 'default'")
    updated_at: datetime


def _out(definition: tools.Definition) -> DefinitionOut:
    return DefinitionOut(
        name=definition.name,
        description=definition.description,
        price=definition.price_nanos,
        source=definition.source,
        updated_at=definition.updated_at,
    )


@router.get("", response_model=list[DefinitionOut], summary="List tool prices")
async def list_definitions(caller: AdminCaller, session: DbSession) -> object:
    return [_out(d) for d in await tools.definitions_for(session, caller.tenant_id)]


@router.put("/{name}", response_model=DefinitionOut, summary="Set the tenant's price of a tool")
async def put_definition(
    name: ToolName,
    body: DefinitionIn,
    caller: ManagerCaller,
    session: DbSession,
    work: Work,
    request: Request,
) -> object:
    definition = await tools.set_definition(
        session, caller.tenant_id, name, body.price, body.description
    )
    await record_action(
        session, caller, "tool.price_set", name=definition.name, price=to_usd_string(body.price)
    )
    # The gateway prices calls from memory: reload it once the edit is committed.
    work.after_commit(lambda: request.app.state.prices.reload(request.app.state.db))
    return _out(definition)
