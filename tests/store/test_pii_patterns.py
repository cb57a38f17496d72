"""Custom PII patterns: checked before saving, scoped, merged user > department > tenant."""

from __future__ import annotations

import uuid

import pytest

from agentshield.store import pii_patterns as patterns
from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.errors import Conflict, Invalid, NotFound

EMPLOYEE = {"name": "employee-id", "pattern": r"EMP-\d{6}", "examples": ["id EMP-123456"]}


async def new_tenant(db: Database) -> tenancy.Signup:
    async with db.transaction() as s:
        return await tenancy.signup(
            s, tenant_name=f"Pii {uuid.uuid4().hex[:8]}", owner_email="o@p.test"
        )


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"pattern": r"(a+)+\1"}, "does not compile under RE2"),
        ({"pattern": r"x*"}, "matches the empty string"),
        ({"pattern": r"EMP-\d{7}"}, "does not match its example"),
        ({"counter_examples": ["EMP-000000"]}, "matches its counter-example"),
        ({"entity_type": "lower"}, "entity_type"),
        ({"score": 1.5}, "score"),
    ],
)
async def test_a_bad_pattern_is_refused_and_nothing_saved(
    db: Database, fields: dict, problem: str
) -> None:
    t = await new_tenant(db)
    with pytest.raises(Invalid, match=problem):
        async with db.transaction() as s:
            await patterns.create_pattern(s, t.tenant.id, **(EMPLOYEE | fields))
    async with db.sessions() as s:
        assert await patterns.rules_for(s, t.tenant.id, None, None) == ()


async def test_user_overrides_department_overrides_tenant(db: Database) -> None:
    t = await new_tenant(db)
    tid = t.tenant.id
    async with db.transaction() as s:
        other = await tenancy.create_user(s, tid, email="x@p.test")
        await patterns.create_pattern(s, tid, **EMPLOYEE)
        await patterns.create_pattern(
            s,
            tid,
            scope="department",
            scope_id=t.department.id,
            **(EMPLOYEE | {"pattern": r"EMP-\d{6}\b", "score": 0.9}),
        )
        await patterns.create_pattern(
            s, tid, scope="user", scope_id=t.owner.id, **(EMPLOYEE | {"enabled": False})
        )
        await patterns.create_pattern(
            s, tid, name="badge", pattern=r"BDG\d{4}", examples=["BDG1234"]
        )
    async with db.sessions() as s:
        owner_rules = await patterns.rules_for(s, tid, t.department.id, t.owner.id)
        dept_rules = await patterns.rules_for(s, tid, t.department.id, other.id)
        tenant_rules = await patterns.rules_for(s, tid, None, other.id)
    assert [r.name for r in owner_rules] == ["badge"]  # the user switched employee-id off
    assert {r.name: r.score for r in dept_rules} == {"employee-id": 0.9, "badge": 0.85}
    assert {r.name: r.pattern for r in tenant_rules}["employee-id"] == r"EMP-\d{6}"


async def test_scope_must_belong_to_the_tenant_and_names_are_unique(db: Database) -> None:
    a, b = await new_tenant(db), await new_tenant(db)
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await patterns.create_pattern(
                s, a.tenant.id, scope="department", scope_id=b.department.id, **EMPLOYEE
            )
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await patterns.create_pattern(s, a.tenant.id, scope="user", **EMPLOYEE)
    async with db.transaction() as s:
        row = await patterns.create_pattern(s, a.tenant.id, **EMPLOYEE)
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await patterns.create_pattern(s, a.tenant.id, **EMPLOYEE)
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await patterns.delete_pattern(s, b.tenant.id, row.id)


async def test_an_update_is_checked_like_a_create(db: Database) -> None:
    t = await new_tenant(db)
    async with db.transaction() as s:
        row = await patterns.create_pattern(s, t.tenant.id, **EMPLOYEE)
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await patterns.update_pattern(s, t.tenant.id, row.id, {"pattern": "(?=x)"})
    async with db.transaction() as s:
        updated = await patterns.update_pattern(
            s, t.tenant.id, row.id, {"pattern": r"EMP-\d+", "examples": ["EMP-1"]}
        )
    assert updated.pattern == r"EMP-\d+"
    async with db.transaction() as s:
        await patterns.delete_pattern(s, t.tenant.id, row.id)
        assert await patterns.rules_for(s, t.tenant.id, None, None) == ()
