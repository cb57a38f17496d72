"""Tenants and their people: signup, departments, roles, users, projects.

Every function runs inside the caller's transaction (`Database.transaction()`), so signup is
atomic: all of its rows are committed together or none are.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store import audit
from agentshield.store.errors import Conflict, Invalid, NotFound
from agentshield.store.keys import IssuedKey, create_key
from agentshield.store.models import (
    BUILTIN_ROLES,
    Department,
    Project,
    Role,
    SecurityPolicy,
    Tenant,
    TenantSettings,
    User,
)
from agentshield.store.scoped import get_owned, remove, save

ROLE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
DEFAULT_POLICY_RULES: dict[str, Any] = {"on_violation": "block", "log_prompts": False}


@dataclass(frozen=True)
class Signup:
    tenant: Tenant
    owner: User
    department: Department
    project: Project
    admin_key: IssuedKey
    gateway_key: IssuedKey


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "tenant"


async def signup(
    session: AsyncSession,
    *,
    tenant_name: str,
    owner_email: str,
    owner_name: str | None = None,
    slug: str | None = None,
) -> Signup:
    """Create a tenant with its owner, defaults and first two keys (admin, gateway)."""
    if not tenant_name.strip():
        raise Invalid("tenant name must not be empty")
    _check_email(owner_email)
    tenant = Tenant(name=tenant_name.strip(), slug=slug or slugify(tenant_name))
    await save(session, tenant, f"tenant slug {tenant.slug!r}")
    session.add_all(Role(tenant_id=tenant.id, name=name, builtin=True) for name in BUILTIN_ROLES)
    department = Department(tenant_id=tenant.id, name="General")
    project = Project(tenant_id=tenant.id, name="Default")
    session.add_all([department, project])
    session.add(TenantSettings(tenant_id=tenant.id, data={}))
    session.add(
        SecurityPolicy(
            tenant_id=tenant.id, name="Default", is_default=True, rules=dict(DEFAULT_POLICY_RULES)
        )
    )
    await session.flush()
    owner = User(
        tenant_id=tenant.id,
        email=owner_email.strip().lower(),
        name=owner_name,
        role="owner",
        department_id=department.id,
    )
    await save(session, owner, "owner")
    admin_key = await create_key(
        session, tenant_id=tenant.id, user_id=owner.id, name="admin", scopes=["admin"]
    )
    gateway_key = await create_key(
        session,
        tenant_id=tenant.id,
        user_id=owner.id,
        name="gateway",
        scopes=["gateway", "telemetry"],
        project_id=project.id,
    )
    return Signup(tenant, owner, department, project, admin_key, gateway_key)


async def open_tenant(
    session: AsyncSession, *, tenant_name: str, email: str, actor: str, **extra: str | None
) -> Signup:
    """Sign a tenant up and make `tenant.created` the first entry of its audit chain."""
    created = await signup(session, tenant_name=tenant_name, owner_email=email, **extra)
    tenant = created.tenant
    await audit.record(
        session,
        tenant.id,
        actor,
        "tenant.created",
        slug=tenant.slug,
        owner_id=created.owner.id,
        key_prefixes=[created.admin_key.row.prefix, created.gateway_key.row.prefix],
    )
    return created


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return tenant


async def find_tenant(session: AsyncSession, slug_or_id: str) -> Tenant:
    try:
        return await get_tenant(session, uuid.UUID(slug_or_id))
    except ValueError:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug_or_id))
        if tenant is None:
            raise NotFound(f"tenant {slug_or_id!r} not found") from None
        return tenant


# Roles


async def create_role(
    session: AsyncSession, tenant_id: uuid.UUID, name: str, description: str | None = None
) -> Role:
    if not ROLE_NAME.fullmatch(name):
        raise Invalid("role name: lowercase letters, digits, '-' or '_', starting with a letter")
    if name in BUILTIN_ROLES:
        raise Conflict(f"{name!r} is a built-in role")
    role = Role(tenant_id=tenant_id, name=name, builtin=False, description=description)
    await save(session, role, f"role {name!r}")
    return role


async def delete_role(session: AsyncSession, tenant_id: uuid.UUID, role_id: uuid.UUID) -> None:
    role = await get_owned(session, Role, tenant_id, role_id)
    if role.builtin:
        raise Conflict(f"{role.name!r} is a built-in role and cannot be deleted")
    in_use = await session.scalar(
        select(func.count()).where(User.tenant_id == tenant_id, User.role == role.name)
    )
    if in_use:
        raise Conflict(f"role {role.name!r} is held by {in_use} user(s)")
    await remove(session, role, f"role {role.name!r}")


# Users


async def _check_role(session: AsyncSession, tenant_id: uuid.UUID, role: str) -> None:
    exists = await session.scalar(
        select(Role.id).where(Role.tenant_id == tenant_id, Role.name == role)
    )
    if exists is None:
        raise Invalid(f"unknown role {role!r}")


def _check_email(email: str) -> None:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email.strip()):
        raise Invalid(f"not an email address: {email!r}")


async def create_user(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    email: str,
    role: str = "member",
    name: str | None = None,
    department_id: uuid.UUID | None = None,
) -> User:
    _check_email(email)
    await _check_role(session, tenant_id, role)
    if department_id is not None:
        await get_owned(session, Department, tenant_id, department_id)
    user = User(
        tenant_id=tenant_id,
        email=email.strip().lower(),
        role=role,
        name=name,
        department_id=department_id,
    )
    await save(session, user, f"user {user.email!r}")
    return user


async def update_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, changes: dict[str, Any]
) -> User:
    user = await get_owned(session, User, tenant_id, user_id)
    if "role" in changes:
        await _check_role(session, tenant_id, changes["role"])
        if user.role == "owner" and changes["role"] != "owner":
            await _keep_an_owner(session, tenant_id)
    if changes.get("department_id") is not None:
        await get_owned(session, Department, tenant_id, changes["department_id"])
    for field in ("role", "name", "department_id", "disabled"):
        if field in changes:
            setattr(user, field, changes[field])
    await save(session, user, f"user {user.email!r}")
    return user


async def delete_user(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    user = await get_owned(session, User, tenant_id, user_id)
    if user.role == "owner":
        await _keep_an_owner(session, tenant_id)
    await remove(session, user, f"user {user.email!r}")


async def _keep_an_owner(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    owners = await session.scalar(
        select(func.count()).where(User.tenant_id == tenant_id, User.role == "owner")
    )
    if (owners or 0) <= 1:
        raise Conflict("a tenant must keep at least one owner")


# Departments and projects: plain named rows


async def create_named(
    session: AsyncSession,
    model: type[Department] | type[Project],
    tenant_id: uuid.UUID,
    **fields: Any,
) -> Any:
    name = str(fields.get("name") or "").strip()
    if not name:
        raise Invalid("name must not be empty")
    row = model(tenant_id=tenant_id, **{**fields, "name": name})
    await save(session, row, f"{model.__tablename__[:-1]} {name!r}")
    return row
