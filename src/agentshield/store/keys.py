"""API keys: issue (shown once), list by prefix, revoke, and resolve a key to its Caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.identity import SCOPES, Caller
from agentshield.engines.keys import KeyEnv, display_prefix, generate_key, hash_key, is_well_formed
from agentshield.store.db import Database
from agentshield.store.errors import Invalid
from agentshield.store.models import ApiKey, Project, User
from agentshield.store.scoped import get_owned, save
from agentshield.store.ttl_cache import TtlCache


@dataclass(frozen=True)
class IssuedKey:
    """A new key. `secret` exists only here: it is never stored or shown again."""

    row: ApiKey
    secret: str


async def create_key(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    name: str,
    scopes: list[str],
    env: KeyEnv = "live",
    expires_at: datetime | None = None,
    project_id: uuid.UUID | None = None,
) -> IssuedKey:
    unknown = set(scopes) - SCOPES
    if not scopes or unknown:
        raise Invalid(f"scopes must be a non-empty subset of {sorted(SCOPES)}; got {scopes}")
    if env not in ("live", "test"):
        raise Invalid("env must be 'live' or 'test'")
    if expires_at is not None and expires_at.tzinfo is None:
        raise Invalid("expires_at must carry a time zone")
    await get_owned(session, User, tenant_id, user_id)
    if project_id is not None:
        await get_owned(session, Project, tenant_id, project_id)
    secret = generate_key(env)
    row = ApiKey(
        tenant_id=tenant_id,
        user_id=user_id,
        project_id=project_id,
        name=name,
        prefix=display_prefix(secret),
        key_hash=hash_key(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    await save(session, row, f"key {name!r}")
    return IssuedKey(row, secret)


async def revoke_key(session: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    """Idempotent: revoking a revoked key keeps its first revocation time."""
    row = await get_owned(session, ApiKey, tenant_id, key_id)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await session.flush()
    return row


async def lookup_caller(session: AsyncSession, key_hash: str) -> Caller | None:
    """The identity behind an active key (not revoked, owner not disabled), or None."""
    found = (
        await session.execute(
            select(ApiKey, User.role, User.department_id)
            .join(User, User.id == ApiKey.user_id)
            .where(
                ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None), User.disabled.is_(False)
            )
        )
    ).first()
    if found is None:
        return None
    key, role, department_id = found
    return Caller(
        tenant_id=key.tenant_id,
        key_id=key.id,
        key_prefix=key.prefix,
        user_id=key.user_id,
        role=role,
        scopes=frozenset(key.scopes),
        department_id=department_id,
        project_id=key.project_id,
        expires_at=key.expires_at,
    )


class KeyResolver:
    """Resolves a presented key to its Caller, with a bounded in-memory cache by key hash.

    A hit costs no database round trip. Revocation through this process calls `invalidate`
    and takes effect at once; a revocation made by another replica takes effect here within
    `ttl` seconds. Unknown keys are cached briefly too, so a flood of bad keys cannot turn
    into a flood of queries.
    """

    def __init__(
        self, db: Database, ttl: float = 30.0, negative_ttl: float = 5.0, max_entries: int = 50_000
    ) -> None:
        self._db = db
        self._cache: TtlCache[str, Caller | None] = TtlCache(
            lambda caller: ttl if caller is not None else negative_ttl, max_entries
        )

    async def resolve(self, key: str) -> Caller | None:
        if not is_well_formed(key):
            return None
        digest = hash_key(key)

        async def load() -> Caller | None:
            async with self._db.read() as session:
                return await lookup_caller(session, digest)

        caller = await self._cache.get(digest, load)
        if caller is not None and caller.is_expired(datetime.now(UTC)):
            return None
        return caller

    def invalidate(
        self, *, key_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
    ) -> None:
        """Forget a revoked key, or every key of a user whose role or status changed.

        A user's change also forgets the refused keys: a re-enabled user's keys were cached
        as unknown, and nothing there says whose they were.
        """

        def stale(_: str, caller: Caller | None) -> bool:
            if caller is None:
                return user_id is not None
            return caller.key_id == key_id or caller.user_id == user_id

        self._cache.forget(stale)
