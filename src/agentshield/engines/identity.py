"""Who is calling: the identity behind an API key, and what it may do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

SCOPES = frozenset({"gateway", "telemetry", "admin"})


@dataclass(frozen=True, slots=True)
class Caller:
    tenant_id: uuid.UUID
    key_id: uuid.UUID
    key_prefix: str
    user_id: uuid.UUID
    role: str
    scopes: frozenset[str]
    department_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    expires_at: datetime | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at
