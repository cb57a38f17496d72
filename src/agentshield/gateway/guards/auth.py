"""Authentication: the Bearer key names a Caller, who must hold the route's scope.

Always the first step of the pipeline, never listed in `settings.guards`. The key itself
never reaches a log line or an error message; only its display prefix does, elsewhere.
"""

from __future__ import annotations

from typing import Any

from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import AuthenticationFailed, PermissionDenied
from agentshield.store.keys import KeyResolver
from agentshield.store.usage import KeyUsage

SCHEME = "bearer "


class AuthGuard:
    name = "auth"

    def __init__(self, keys: KeyResolver, usage: KeyUsage, scope: str = "gateway") -> None:
        self._keys = keys
        self._usage = usage
        self._scope = scope

    async def on_request(self, ctx: RequestContext) -> None:
        header = ctx.headers.get("authorization", "")
        if not header:
            raise AuthenticationFailed(
                "You didn't provide an API key. Send it as 'Authorization: Bearer ask_…'."
            )
        if header[: len(SCHEME)].lower() != SCHEME:
            raise AuthenticationFailed("The Authorization header must use the Bearer scheme.")
        caller = await self._keys.resolve(header[len(SCHEME) :].strip())
        if caller is None:
            raise AuthenticationFailed("Incorrect, revoked or expired API key provided.")
        self._usage.touch(caller.key_id)
        if not caller.has_scope(self._scope):
            raise PermissionDenied(
                f"API key {caller.key_prefix} lacks the {self._scope!r} scope needed here."
            )
        ctx.caller = caller

    async def on_response(self, ctx: RequestContext) -> None:
        return None

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        return [chunk]
