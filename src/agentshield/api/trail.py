"""Management actions write their own audit entries, in the action's transaction.

Entries carry metadata only (ids, names, scopes, key prefixes), never a secret.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.identity import Caller
from agentshield.store import audit


async def record(
    session: AsyncSession, tenant_id: uuid.UUID, actor: str, event_type: str, /, **data: Any
) -> None:
    values = {name: str(v) if isinstance(v, uuid.UUID) else v for name, v in data.items()}
    event = audit.AuditEvent(actor=actor, event_type=event_type, trace_id=None, data=values)
    await audit.append(session, tenant_id, [event])


async def record_action(
    session: AsyncSession, caller: Caller, event_type: str, /, **data: Any
) -> None:
    """The caller's key prefix is the actor: it names the key without revealing it."""
    await record(session, caller.tenant_id, caller.key_prefix, event_type, **data)
