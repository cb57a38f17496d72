"""Signup, roles, users, departments and projects on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from agentshield.engines.keys import hash_key
from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.errors import Conflict, Invalid, NotFound
from agentshield.store.models import (
    ApiKey,
    Department,
    Project,
    Role,
    SecurityPolicy,
    Tenant,
    TenantSettings,
    User,
)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


async def new_tenant(db: Database) -> tenancy.Signup:
    async with db.transaction() as s:
        return await tenancy.signup(s, tenant_name=unique("Acme"), owner_email="o@acme.test")


async def test_signup_creates_every_default_row(db: Database) -> None:
    result = await new_tenant(db)
    tid = result.tenant.id
    async with db.sessions() as s:
        roles = set(await s.scalars(select(Role.name).where(Role.tenant_id == tid)))
        assert roles == {"owner", "admin", "approver", "member", "viewer"}
        assert (await s.get(User, result.owner.id)).role == "owner"
        assert (await s.get(Department, result.department.id)).name == "General"
        assert (await s.get(Project, result.project.id)).name == "Default"
        assert await s.get(TenantSettings, tid) is not None
        policy = await s.scalar(select(SecurityPolicy).where(SecurityPolicy.tenant_id == tid))
        assert policy is not None and policy.is_default
        keys = (await s.scalars(select(ApiKey).where(ApiKey.tenant_id == tid))).all()
    assert {tuple(k.scopes) for k in keys} == {("admin",), ("gateway", "telemetry")}
    # Only hashes are stored, and they are the hashes of the secrets handed out once.
    assert {k.key_hash for k in keys} == {
        hash_key(result.admin_key.secret),
        hash_key(result.gateway_key.secret),
    }
    assert all(result.admin_key.secret not in (k.prefix, k.key_hash) for k in keys)


async def count_rows(db: Database, model: type, tenant_slug: str) -> int:
    async with db.sessions() as s:
        tenant_ids = select(Tenant.id).where(Tenant.slug == tenant_slug).scalar_subquery()
        if model is Tenant:
            return await s.scalar(select(func.count()).where(Tenant.slug == tenant_slug))
        return await s.scalar(select(func.count()).where(model.tenant_id.in_(tenant_ids)))


async def test_signup_is_all_or_nothing(db: Database) -> None:
    slug = unique("atomic")
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await tenancy.signup(s, tenant_name="Atomic", owner_email="a@b.co", slug=slug)
            raise RuntimeError("crash after signup, before commit")
    for model in (Tenant, User, Department, Project, Role, ApiKey, SecurityPolicy):
        assert await count_rows(db, model, slug) == 0, model.__tablename__


async def test_signup_refuses_bad_input_and_taken_slug(db: Database) -> None:
    first = await new_tenant(db)
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await tenancy.signup(
                s, tenant_name="Other", owner_email="x@y.co", slug=first.tenant.slug
            )
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await tenancy.signup(s, tenant_name="Other", owner_email="not-an-email")


async def test_custom_role_can_be_assigned_and_not_deleted_while_held(db: Database) -> None:
    t = await new_tenant(db)
    tid = t.tenant.id
    async with db.transaction() as s:
        role = await tenancy.create_role(s, tid, "intern", "read-only trainee")
        user = await tenancy.create_user(s, tid, email="i@acme.test", role="intern")
    assert user.role == "intern"
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await tenancy.delete_role(s, tid, role.id)
    async with db.transaction() as s:
        await tenancy.update_user(s, tid, user.id, {"role": "member"})
        await tenancy.delete_role(s, tid, role.id)


@pytest.mark.parametrize("name", ["owner", "Intern", "", "a b", "x" * 65])
async def test_role_names_are_checked(db: Database, name: str) -> None:
    t = await new_tenant(db)
    with pytest.raises((Conflict, Invalid)):
        async with db.transaction() as s:
            await tenancy.create_role(s, t.tenant.id, name)


async def test_unknown_role_and_other_tenants_department_are_refused(db: Database) -> None:
    a, b = await new_tenant(db), await new_tenant(db)
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await tenancy.create_user(s, a.tenant.id, email="u@a.test", role="wizard")
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await tenancy.create_user(
                s, a.tenant.id, email="u@a.test", department_id=b.department.id
            )
    async with db.transaction() as s:
        await tenancy.create_role(s, b.tenant.id, "intern")
    with pytest.raises(Invalid):  # b's custom role does not exist in a
        async with db.transaction() as s:
            await tenancy.create_user(s, a.tenant.id, email="u@a.test", role="intern")


async def test_last_owner_cannot_be_demoted_or_deleted(db: Database) -> None:
    t = await new_tenant(db)
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await tenancy.update_user(s, t.tenant.id, t.owner.id, {"role": "member"})
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await tenancy.delete_user(s, t.tenant.id, t.owner.id)


async def test_duplicate_names_conflict_without_breaking_the_transaction(db: Database) -> None:
    t = await new_tenant(db)
    async with db.transaction() as s:
        with pytest.raises(Conflict):
            await tenancy.create_named(s, Department, t.tenant.id, name="General")
        # The savepoint rolled back only the failed insert: the transaction goes on.
        dept = await tenancy.create_named(s, Department, t.tenant.id, name="Research")
    async with db.sessions() as s:
        assert (await s.get(Department, dept.id)).name == "Research"
