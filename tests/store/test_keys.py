"""Issuing, resolving and revoking API keys on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agentshield.engines.keys import KEY_PATTERN, is_well_formed
from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.errors import Invalid, NotFound
from agentshield.store.keys import KeyResolver, create_key, revoke_key


async def new_tenant(db: Database) -> tenancy.Signup:
    async with db.transaction() as s:
        return await tenancy.signup(
            s, tenant_name=f"Keys {uuid.uuid4().hex[:8]}", owner_email="o@k.test"
        )


async def test_issued_keys_have_the_documented_format(db: Database) -> None:
    t = await new_tenant(db)
    async with db.transaction() as s:
        test_key = await create_key(
            s, tenant_id=t.tenant.id, user_id=t.owner.id, name="ci", scopes=["gateway"], env="test"
        )
    for issued in (t.admin_key, t.gateway_key, test_key):
        assert KEY_PATTERN.fullmatch(issued.secret)
        assert issued.secret.startswith(issued.row.prefix)
        assert len(issued.row.prefix) == len("ask_live_") + 8
    assert test_key.secret.startswith("ask_test_")


async def test_resolver_returns_the_caller_and_caches_it(db: Database) -> None:
    t = await new_tenant(db)
    resolver = KeyResolver(db)
    caller = await resolver.resolve(t.gateway_key.secret)
    assert caller is not None
    assert caller.tenant_id == t.tenant.id
    assert caller.user_id == t.owner.id
    assert caller.role == "owner"
    assert caller.department_id == t.department.id
    assert caller.project_id == t.project.id
    assert caller.scopes == frozenset({"gateway", "telemetry"})
    assert await resolver.resolve(t.gateway_key.secret) is caller


async def test_revoked_key_stops_working_at_once_in_this_process(db: Database) -> None:
    t = await new_tenant(db)
    resolver = KeyResolver(db)
    assert await resolver.resolve(t.gateway_key.secret) is not None
    async with db.transaction() as s:
        row = await revoke_key(s, t.tenant.id, t.gateway_key.row.id)
        first = row.revoked_at
        assert (await revoke_key(s, t.tenant.id, t.gateway_key.row.id)).revoked_at == first
    resolver.invalidate(key_id=t.gateway_key.row.id)
    assert await resolver.resolve(t.gateway_key.secret) is None
    # A fresh resolver (another replica) sees the revocation from the database.
    assert await KeyResolver(db).resolve(t.gateway_key.secret) is None


async def test_expired_and_disabled_owner_keys_are_refused(db: Database) -> None:
    t = await new_tenant(db)
    async with db.transaction() as s:
        expired = await create_key(
            s,
            tenant_id=t.tenant.id,
            user_id=t.owner.id,
            name="old",
            scopes=["gateway"],
            expires_at=datetime.now(UTC) - timedelta(seconds=1),
        )
        member = await tenancy.create_user(s, t.tenant.id, email="m@k.test")
        member_key = await create_key(
            s, tenant_id=t.tenant.id, user_id=member.id, name="m", scopes=["gateway"]
        )
    resolver = KeyResolver(db)
    assert await resolver.resolve(expired.secret) is None
    assert await resolver.resolve(member_key.secret) is not None
    async with db.transaction() as s:
        await tenancy.update_user(s, t.tenant.id, member.id, {"disabled": True})
    resolver.invalidate(user_id=member.id)
    assert await resolver.resolve(member_key.secret) is None


@pytest.mark.parametrize(
    "presented",
    ["", "Bearer x", "ask_live_" + "0" * 32, "ask_prod_" + "a" * 32, "ask_live_" + "G" * 32],
)
async def test_unknown_or_malformed_keys_resolve_to_none(db: Database, presented: str) -> None:
    assert await KeyResolver(db).resolve(presented) is None


def test_well_formed_is_exact() -> None:
    assert is_well_formed("ask_test_" + "ab" * 16)
    assert not is_well_formed("ask_test_" + "ab" * 16 + "\n")
    assert not is_well_formed(" ask_test_" + "ab" * 16)


async def test_key_scopes_user_and_project_are_checked(db: Database) -> None:
    a, b = await new_tenant(db), await new_tenant(db)
    for kwargs, error in [
        ({"scopes": []}, Invalid),
        ({"scopes": ["root"]}, Invalid),
        ({"scopes": ["gateway"], "user_id": b.owner.id}, NotFound),
        ({"scopes": ["gateway"], "project_id": b.project.id}, NotFound),
    ]:
        args = {"tenant_id": a.tenant.id, "user_id": a.owner.id, "name": "k", **kwargs}
        with pytest.raises(error):
            async with db.transaction() as s:
                await create_key(s, **args)
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await revoke_key(s, a.tenant.id, b.gateway_key.row.id)
