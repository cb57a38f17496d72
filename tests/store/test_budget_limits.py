"""Which limits apply to a caller: worked out once per caller, never mixed between callers."""

from __future__ import annotations

import uuid
from dataclasses import replace

from agentshield.engines.identity import Caller
from agentshield.store.budget.limits import QuotaLimit, TenantLimits, WalletLimit


def _caller(user_id: uuid.UUID, department_id: uuid.UUID | None) -> Caller:
    return Caller(
        tenant_id=uuid.UUID(int=1),
        key_id=uuid.uuid4(),
        key_prefix="ask_test_x",
        user_id=user_id,
        role="member",
        scopes=frozenset({"gateway"}),
        department_id=department_id,
    )


def test_each_caller_gets_its_own_limits_and_the_same_object_each_time() -> None:
    alice, bob, sales = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    mine = QuotaLimit(uuid.uuid4(), "user", alice, "daily", "usd")
    team = QuotaLimit(uuid.uuid4(), "department", sales, "monthly", "tokens")
    wallet = WalletLimit(uuid.uuid4(), "department", sales)
    limits = TenantLimits(
        {("user", alice): (mine,), ("department", sales): (team,)},
        {("department", sales): wallet},
    )
    a, b = _caller(alice, sales), _caller(bob, None)
    assert limits.of(a) is limits.of(a)
    assert set(limits.of(a).quotas) == {mine, team} and limits.of(a).wallet == wallet
    assert limits.of(b).none
    # Another object for the same caller (the key cache reloaded it): the same limits;
    # the same key moved to another department: not the old department's.
    assert limits.of(replace(a)) is limits.of(a)
    moved = replace(a, department_id=uuid.uuid4())
    assert limits.of(moved).quotas == (mine,) and limits.of(moved).wallet is None
