"""A tenant's prompt-injection policy, kept in its settings row under `"injection"`.

    {"on_detect": "flag", "on_detect_indirect": "block"}

`on_detect` applies to what the user wrote; `on_detect_indirect` to tool results (text
the model will read but nobody in the conversation wrote) and falls back to `on_detect`.
Modes: `block` refuses the call, `sanitize` sends the cleaned text upstream, `flag` only
reports. A tenant that never set a policy is flagged, never blocked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store.errors import Invalid
from agentshield.store.tenant_settings import write_section

KEY = "injection"
MODES = ("block", "sanitize", "flag")
DEFAULT_MODE = "flag"


@dataclass(frozen=True, slots=True)
class InjectionPolicy:
    on_detect: str = DEFAULT_MODE
    on_detect_indirect: str = DEFAULT_MODE


def policy_document(data: dict[str, Any]) -> dict[str, Any]:
    """The policy as stored, defaults filled in."""
    stored = data.get(KEY) or {}
    direct = stored.get("on_detect", DEFAULT_MODE)
    return {"on_detect": direct, "on_detect_indirect": stored.get("on_detect_indirect", direct)}


def policy_from(data: dict[str, Any]) -> InjectionPolicy:
    """Raises Invalid for a stored mode this version does not know: never guess a mode."""
    doc = policy_document(data)
    _check(doc)
    return InjectionPolicy(doc["on_detect"], doc["on_detect_indirect"])


async def set_injection_policy(
    session: AsyncSession, tenant_id: uuid.UUID, doc: dict[str, Any]
) -> dict[str, Any]:
    doc = policy_document({KEY: doc})
    _check(doc)
    await write_section(session, tenant_id, KEY, doc)
    return doc


def _check(doc: dict[str, Any]) -> None:
    problems = [
        f"{name}: unknown mode {mode!r}; use one of {list(MODES)}"
        for name, mode in doc.items()
        if mode not in MODES
    ]
    if problems:
        raise Invalid("; ".join(problems), problems)
