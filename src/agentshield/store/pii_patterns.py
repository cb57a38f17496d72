"""Custom PII patterns of a tenant, its departments and its users.

A pattern is checked by the engine before it is saved (compiles under RE2, never matches
the empty string, matches its examples and none of its counter-examples), so a stored
pattern can always be compiled at scan time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.pii import CustomRule, InvalidRule, check_rule, merge_rules
from agentshield.store.errors import Invalid
from agentshield.store.models import Department, PiiPattern, User
from agentshield.store.scoped import get_owned, remove, save

SCOPES = ("tenant", "department", "user")
EDITABLE = (
    "name",
    "pattern",
    "entity_type",
    "score",
    "examples",
    "counter_examples",
    "enabled",
    "description",
)


def to_rule(row: PiiPattern) -> CustomRule:
    return CustomRule(
        name=row.name,
        pattern=row.pattern,
        entity_type=row.entity_type,
        score=row.score,
        examples=tuple(row.examples),
        counter_examples=tuple(row.counter_examples),
        scope=row.scope,  # type: ignore[arg-type]
        enabled=row.enabled,
        description=row.description,
    )


def _check(row: PiiPattern) -> None:
    try:
        check_rule(to_rule(row))
    except InvalidRule as exc:
        raise Invalid("; ".join(exc.problems), exc.problems) from exc


async def _scope_id(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, scope_id: uuid.UUID | None
) -> uuid.UUID:
    if scope == "tenant":
        return tenant_id
    if scope not in SCOPES:
        raise Invalid(f"scope must be one of {list(SCOPES)}")
    if scope_id is None:
        raise Invalid(f"a {scope} pattern needs scope_id")
    await get_owned(session, Department if scope == "department" else User, tenant_id, scope_id)
    return scope_id


async def create_pattern(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    scope: str = "tenant",
    scope_id: uuid.UUID | None = None,
    **fields: Any,
) -> PiiPattern:
    owner = await _scope_id(session, tenant_id, scope, scope_id)
    defaults: dict[str, Any] = {
        "entity_type": "CUSTOM",
        "score": 0.85,
        "examples": [],
        "counter_examples": [],
        "enabled": True,
        "description": "",
    }
    row = PiiPattern(tenant_id=tenant_id, scope=scope, scope_id=owner, **(defaults | fields))
    _check(row)
    await save(session, row, f"pattern {row.name!r} in this scope")
    return row


async def update_pattern(
    session: AsyncSession, tenant_id: uuid.UUID, pattern_id: uuid.UUID, changes: dict[str, Any]
) -> PiiPattern:
    row = await get_owned(session, PiiPattern, tenant_id, pattern_id)
    for field in EDITABLE:
        if field in changes:
            setattr(row, field, changes[field])
    _check(row)
    await save(session, row, f"pattern {row.name!r} in this scope")
    return row


async def delete_pattern(
    session: AsyncSession, tenant_id: uuid.UUID, pattern_id: uuid.UUID
) -> None:
    row = await get_owned(session, PiiPattern, tenant_id, pattern_id)
    await remove(session, row, f"pattern {row.name!r}")


async def rules_for(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    department_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
) -> tuple[CustomRule, ...]:
    """The rules in force for one caller: user over department over tenant, by name."""
    owners = [
        (PiiPattern.scope == "tenant") & (PiiPattern.scope_id == tenant_id),
        (PiiPattern.scope == "department") & (PiiPattern.scope_id == department_id),
        (PiiPattern.scope == "user") & (PiiPattern.scope_id == user_id),
    ]
    rows: Sequence[PiiPattern] = (
        await session.scalars(
            select(PiiPattern)
            .where(PiiPattern.tenant_id == tenant_id, or_(*owners))
            .order_by(PiiPattern.created_at)
        )
    ).all()
    by_scope: dict[str, list[CustomRule]] = {scope: [] for scope in SCOPES}
    for row in rows:
        by_scope[row.scope].append(to_rule(row))
    return merge_rules(**by_scope)
