"""Self-service signup: a new tenant with its owner and first two keys, in one transaction.

Off unless `signup_enabled` is set; while off the route answers 404 as if it did not exist.
It needs no key. The keys are in this response only.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from agentshield.api.deps import DbSession
from agentshield.api.problems import Missing
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Name
from agentshield.api.tenant import TenantOut
from agentshield.store import tenancy


def _signup_enabled(request: Request) -> None:
    # A dependency, so a disabled signup is a 404 even for a body that would not validate.
    if not request.app.state.settings.signup_enabled:
        raise Missing("signup is not enabled on this server")


router = APIRouter(
    prefix="/signup",
    tags=["signup"],
    route_class=ApiRoute,
    dependencies=[Depends(_signup_enabled)],
)


class SignupIn(Body):
    tenant_name: Name
    email: Annotated[str, Field(min_length=3, max_length=320)]
    name: Annotated[str, Field(max_length=200)] | None = None
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")] | None = None


class SignupOut(BaseModel):
    tenant: TenantOut
    user_id: uuid.UUID
    admin_key: str = Field(description="Scope admin. Shown in this response only.")
    gateway_key: str = Field(description="Scopes gateway, telemetry. Shown once too.")


@router.post("", response_model=SignupOut, status_code=201, summary="Create a tenant")
async def sign_up(body: SignupIn, session: DbSession) -> SignupOut:
    created = await tenancy.open_tenant(
        session,
        tenant_name=body.tenant_name,
        email=body.email,
        actor="signup",
        owner_name=body.name,
        slug=body.slug,
    )
    return SignupOut(
        tenant=TenantOut.model_validate(created.tenant),
        user_id=created.owner.id,
        admin_key=created.admin_key.secret,
        gateway_key=created.gateway_key.secret,
    )
