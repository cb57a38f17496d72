"""Dependencies of management routes, as `Annotated` aliases.

Who may do what:
- `POST /v1/pii/scan` and `POST /v1/scan` take any key of the tenant (`gateway` or `admin`
  scope); `POST /v1/telemetry` takes a key with the `telemetry` scope;
- every other route needs a Bearer key of the tenant with the `admin` scope (401 without a valid
  key, 403 with a key that lacks the scope); the caller's tenant scopes every query;
- managing people and credentials (users, keys, roles) and editing prices also needs the
  key's user to hold the `owner` or `admin` role (403 otherwise);
- only an owner may create, change or delete an owner, or issue or revoke an owner's keys,
  so an admin cannot promote anyone, themselves included, above their own role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from agentshield.api.problems import Forbidden, Unauthorized
from agentshield.api.routing import WORK_KEY, UnitOfWork
from agentshield.engines.identity import Caller
from agentshield.engines.injection import SharedDetector
from agentshield.engines.pii import PiiScanner
from agentshield.store.keys import KeyResolver
from agentshield.store.tenant_config import TenantConfig

MANAGER_ROLES = frozenset({"owner", "admin"})

_bearer = HTTPBearer(auto_error=False, description="An API key with the `admin` scope")


async def _any_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>'")
    caller = await request.app.state.keys.resolve(credentials.credentials)
    if caller is None:
        raise Unauthorized("the API key is unknown, expired or revoked")
    return caller


def _admin_caller(caller: Annotated[Caller, Depends(_any_caller)]) -> Caller:
    if not caller.has_scope("admin"):
        raise Forbidden("this key lacks the 'admin' scope")
    return caller


AdminCaller = Annotated[Caller, Depends(_admin_caller)]


def _tenant_caller(caller: Annotated[Caller, Depends(_any_caller)]) -> Caller:
    if not (caller.has_scope("gateway") or caller.has_scope("admin")):
        raise Forbidden("this key needs the 'gateway' or 'admin' scope")
    return caller


TenantCaller = Annotated[Caller, Depends(_tenant_caller)]


def _telemetry_caller(caller: Annotated[Caller, Depends(_any_caller)]) -> Caller:
    if not caller.has_scope("telemetry"):
        raise Forbidden("this key lacks the 'telemetry' scope")
    return caller


TelemetryCaller = Annotated[Caller, Depends(_telemetry_caller)]


def _manager(caller: AdminCaller) -> Caller:
    if caller.role not in MANAGER_ROLES:
        raise Forbidden("managing users, keys, roles and prices needs an owner or admin user")
    return caller


ManagerCaller = Annotated[Caller, Depends(_manager)]


def require_owner_for(caller: Caller, role: str) -> None:
    """Refuse an admin acting on an owner (or making one)."""
    if role == "owner" and caller.role != "owner":
        raise Forbidden("only an owner may create, change or remove an owner or their keys")


def _work(request: Request) -> UnitOfWork:
    return request.scope[WORK_KEY]


Work = Annotated[UnitOfWork, Depends(_work)]


async def _session(work: Work) -> AsyncSession:
    return await work.session()


DbSession = Annotated[AsyncSession, Depends(_session)]


def _from_state(name: str) -> Any:
    """A dependency returning one of the objects the app factory put on `app.state`."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(get)


KeyCache = Annotated[KeyResolver, _from_state("keys")]
ConfigCache = Annotated[TenantConfig, _from_state("tenant_config")]
Scanner = Annotated[PiiScanner, _from_state("pii_scanner")]
Detector = Annotated[SharedDetector, _from_state("injection_detector")]
