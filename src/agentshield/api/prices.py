"""Model prices, in USD per million tokens, shown and taken as decimal strings.

The price list is shared by every tenant. Editing it needs an owner or admin user, and is
refused while self-service signup is on: a tenant that signed itself up must not change
what every other tenant is charged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import Field

from agentshield.api.deps import AdminCaller, DbSession, ManagerCaller, Work
from agentshield.api.problems import Forbidden
from agentshield.api.routing import ApiRoute, UnitOfWork
from agentshield.api.schemas import Body, Out, UsdAmount, UsdString
from agentshield.api.trail import record_action
from agentshield.engines.identity import Caller
from agentshield.store import prices

router = APIRouter(prefix="/prices", tags=["prices"], route_class=ApiRoute)

ModelName = Annotated[str, Path(min_length=1, max_length=200)]
_PER_MTOK = "USD per million tokens, as a decimal string with at most 9 decimals"


class PriceIn(Body):
    input_per_mtok: UsdAmount = Field(description=_PER_MTOK)
    output_per_mtok: UsdAmount = Field(description=_PER_MTOK)
    cached_input_per_mtok: UsdAmount | None = Field(default=None, description=_PER_MTOK)


class PriceOut(Out):
    model: str
    input_per_mtok: UsdString
    output_per_mtok: UsdString
    cached_input_per_mtok: UsdString | None
    source: str
    updated_at: datetime


def _price_editor(request: Request, caller: ManagerCaller) -> Caller:
    if request.app.state.settings.signup_enabled:
        raise Forbidden("the price list is shared by all tenants: read-only while signup is on")
    return caller


PriceEditor = Annotated[Caller, Depends(_price_editor)]


def _reload_after_commit(request: Request, work: UnitOfWork) -> None:
    """The gateway prices calls from memory: reload it once the edit is committed."""
    work.after_commit(lambda: request.app.state.prices.reload(request.app.state.db))


@router.get("", response_model=list[PriceOut], summary="List model prices")
async def list_prices(caller: AdminCaller, session: DbSession) -> object:
    return await prices.list_prices(session)


@router.put("/{model:path}", response_model=PriceOut, summary="Set a model's price")
async def put_price(
    model: ModelName,
    body: PriceIn,
    caller: PriceEditor,
    session: DbSession,
    work: Work,
    request: Request,
) -> object:
    price = await prices.upsert_price(session, model, **body.model_dump())
    await record_action(session, caller, "price.updated", model=model, **body.model_dump())
    _reload_after_commit(request, work)
    return price


@router.delete("/{model:path}", status_code=204, summary="Delete a model's price")
async def delete_price(
    model: ModelName, caller: PriceEditor, session: DbSession, work: Work, request: Request
) -> Response:
    await prices.delete_price(session, model)
    await record_action(session, caller, "price.deleted", model=model)
    _reload_after_commit(request, work)
    return Response(status_code=204)
