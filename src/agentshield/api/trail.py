"""Management actions write their own audit entries, in the action's transaction.

Entries carry metadata only (ids, names, scopes, key prefixes), never a secret.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.identity import Caller
from agentshield.store.audit import record

__all__ = ["record", "record_action"]


async def record_action(
    session: AsyncSession, caller: Caller, event_type: str, /, **data: Any
) -> None:
    """The caller's key prefix is the actor: it names the key without revealing it."""
    await record(session, caller.tenant_id, caller.key_prefix, event_type, **data)
