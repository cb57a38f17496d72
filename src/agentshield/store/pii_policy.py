"""A tenant's PII policy, kept in its settings row under `"pii"`.

    {"default_mode": "redact", "modes": {"EMAIL": "restore"}, "min_score": 0.5,
     "context_aware": true}

A missing key takes its default, so a tenant that never set a policy redacts everything.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.pii import MODES, Policy, available
from agentshield.store.errors import Invalid
from agentshield.store.models import PiiPattern
from agentshield.store.tenant_settings import write_section

KEY = "pii"
DEFAULTS: dict[str, Any] = {
    "default_mode": "redact",
    "modes": {},
    "min_score": 0.5,
    "context_aware": True,
}


def policy_document(data: dict[str, Any]) -> dict[str, Any]:
    """The policy as stored, defaults filled in."""
    return DEFAULTS | (data.get(KEY) or {})


def policy_from(data: dict[str, Any]) -> Policy:
    doc = policy_document(data)
    return Policy(
        modes=dict(doc["modes"]),
        default_mode=doc["default_mode"],
        min_score=float(doc["min_score"]),
        context_aware=bool(doc["context_aware"]),
    )


async def known_entity_types(session: AsyncSession, tenant_id: uuid.UUID) -> set[str]:
    """Built-in types, `CUSTOM`, and the types of the tenant's own patterns."""
    custom = await session.scalars(
        select(PiiPattern.entity_type).where(PiiPattern.tenant_id == tenant_id).distinct()
    )
    return {*available(), "CUSTOM", *custom}


async def set_pii_policy(
    session: AsyncSession, tenant_id: uuid.UUID, doc: dict[str, Any]
) -> dict[str, Any]:
    """Check and store a policy; every problem is listed in the one Invalid raised."""
    doc = DEFAULTS | doc
    known = await known_entity_types(session, tenant_id)
    problems = [f"unknown entity type {name!r}" for name in doc["modes"] if name not in known]
    problems += [
        f"unknown mode {mode!r}; use one of {list(MODES)}"
        for mode in {doc["default_mode"], *doc["modes"].values()}
        if mode not in MODES
    ]
    if not 0.0 <= doc["min_score"] <= 1.0:
        problems.append("min_score must be within 0..1")
    if problems:
        raise Invalid("; ".join(problems), problems)
    await write_section(session, tenant_id, KEY, doc)
    return doc
