"""Spend anomalies and profiles in the store: round trips, acknowledgement, restricted mode."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agentshield.engines.anomaly import Severity, SpendModel, SpendProfile, SpendRecord, user_hours
from agentshield.store import anomalies, outbox, tenancy
from agentshield.store.db import Database
from agentshield.store.errors import Invalid, NotFound
from agentshield.store.spend_hours import hour_tally
from agentshield.store.spend_profiles import fold_user
from agentshield.store.usage import insert_requests

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def hours_of(counts: list[int]):
    records = [
        SpendRecord(
            "u", T0 + timedelta(hours=h, seconds=i * 3599 // count), "gpt-4o-mini", 1_000_000
        )
        for h, count in enumerate(counts)
        for i in range(count)
    ]
    return user_hours(records)


def assessment(burst: int):
    *past, current = hours_of([10, 12, 11, 9, 10, burst])
    return SpendModel.fit(SpendProfile.from_hours(past)).assess(current)


async def new_tenant(db: Database) -> tenancy.Signup:
    async with db.transaction() as s:
        return await tenancy.signup(
            s, tenant_name=f"Spend {uuid.uuid4().hex[:8]}", owner_email="o@s.test"
        )


async def test_an_anomaly_round_trips_and_blocks_until_acknowledged(db: Database) -> None:
    t = await new_tenant(db)
    tid, uid = t.tenant.id, t.owner.id
    block = assessment(120)
    assert block.severity is Severity.BLOCK
    async with db.transaction() as s:
        row = await anomalies.record_anomaly(s, tid, uid, block)
        assert await anomalies.is_restricted(s, tid, uid)
    async with db.sessions() as s:
        (stored,) = await anomalies.list_anomalies(s, tid, user_id=uid, resolved=False)
        assert await anomalies.list_anomalies(s, tid, resolved=True) == []
    assert stored.id == row.id
    assert (stored.severity, stored.action, stored.model_kind) == ("block", "restrict", "std")
    assert stored.actual_nanos == 120_000_000 and stored.baseline_nanos == block.baseline_nanos
    assert stored.score == block.score and stored.deviation == block.deviation
    assert stored.hour == T0 + timedelta(hours=5)
    assert stored.features["hour"]["requests"] == 120

    async with db.transaction() as s:
        acked = await anomalies.acknowledge(s, tid, row.id, by=uid)
        first_at = acked.acknowledged_at
        again = await anomalies.acknowledge(s, tid, row.id, by=uid)
    assert again.acknowledged_at == first_at and again.acknowledged_by == uid
    async with db.sessions() as s:
        assert not await anomalies.is_restricted(s, tid, uid)
        assert [a.id for a in await anomalies.list_anomalies(s, tid, resolved=True)] == [row.id]


async def test_an_alert_does_not_restrict_and_a_normal_hour_is_no_anomaly(db: Database) -> None:
    t = await new_tenant(db)
    tid, uid = t.tenant.id, t.owner.id
    alert = assessment(30)
    assert alert.severity in (Severity.ALERT, Severity.THROTTLE)
    async with db.transaction() as s:
        await anomalies.record_anomaly(s, tid, uid, alert)
        assert not await anomalies.is_restricted(s, tid, uid)
        with pytest.raises(Invalid):
            await anomalies.record_anomaly(s, tid, uid, assessment(10))


async def test_another_tenant_sees_and_acknowledges_nothing(db: Database) -> None:
    a, b = await new_tenant(db), await new_tenant(db)
    async with db.transaction() as s:
        row = await anomalies.record_anomaly(s, a.tenant.id, a.owner.id, assessment(120))
    async with db.transaction() as s:
        assert await anomalies.list_anomalies(s, b.tenant.id) == []
        with pytest.raises(NotFound):
            await anomalies.acknowledge(s, b.tenant.id, row.id, by=b.owner.id)
        with pytest.raises(NotFound):
            await anomalies.record_anomaly(s, b.tenant.id, a.owner.id, assessment(120))


async def test_a_profile_round_trips_and_scores_the_same(db: Database) -> None:
    t = await new_tenant(db)
    tid, uid = t.tenant.id, t.owner.id
    *past, current = hours_of([10 + h % 4 for h in range(12)] + [60])
    profile = SpendProfile.from_hours(past)
    assert profile.trained_until is not None
    async with db.transaction() as s:
        assert await anomalies.load_profile(s, tid, uid) is None
        await anomalies.save_profile(s, tid, uid, SpendProfile.from_hours(past[:4]))
        await anomalies.save_profile(s, tid, uid, profile)
    async with db.sessions() as s:
        loaded = await anomalies.load_profile(s, tid, uid)
    assert loaded == profile
    before, after = SpendModel.fit(profile), SpendModel.fit(loaded)
    assert after.kind == "iforest"
    assert after.assess(current).score == before.assess(current).score


async def test_an_hour_records_each_severity_once_with_its_event(db: Database) -> None:
    t = await new_tenant(db)
    tid, uid = t.tenant.id, t.owner.id
    throttle, block = assessment(55), assessment(120)
    hour = throttle.hour.hour
    assert throttle.severity is Severity.THROTTLE
    async with db.transaction() as s:
        first = await anomalies.raise_anomaly(s, tid, uid, throttle, hour)
        again = await anomalies.raise_anomaly(s, tid, uid, throttle, hour)
        actions = await anomalies.open_actions(s, tid, uid, hour)
        later = await anomalies.open_actions(s, tid, uid, hour + timedelta(hours=1))
    assert again.id == first.id
    assert (actions.throttled, actions.restricted_by, actions.raised) == (
        True,
        None,
        frozenset({"throttle"}),
    )
    assert not later.throttled  # for the rest of its hour only
    async with db.transaction() as s:
        blocked = await anomalies.raise_anomaly(s, tid, uid, block, hour)
        assert (await anomalies.open_actions(s, tid, uid, hour)).restricted_by == blocked.id
        events = await outbox.list_events(s, tid, kind="spend.anomaly")
    assert sorted(e.payload["anomaly_id"] for e in events) == sorted(
        [str(first.id), str(blocked.id)]
    )
    event = next(e for e in events if e.payload["anomaly_id"] == str(blocked.id))
    assert event.payload["severity"] == "block" and event.payload["actual"] == "0.120000000"

    async with db.transaction() as s:
        for row in (first, blocked):
            await anomalies.acknowledge(s, tid, row.id, by=uid)
        lifted = await anomalies.open_actions(s, tid, uid, hour)
    assert (lifted.throttled, lifted.restricted_by) == (False, None)


async def test_hours_are_read_from_the_calls_the_gateway_let_through(db: Database) -> None:
    t = await new_tenant(db)
    tid, uid = t.tenant.id, t.owner.id
    at = T0 + timedelta(minutes=10)
    rows = [
        {
            "tenant_id": tid,
            "trace_id": uuid.uuid4().hex,
            "user_id": uid,
            "endpoint": "chat.completions",
            "model": model,
            "cost_nanos": cost,
            "status_code": status,
            "decision": decision,
            "created_at": at + timedelta(minutes=i),
        }
        for i, (model, cost, status, decision) in enumerate(
            [("a", 100, 200, "allow"), ("b", 50, 200, "redact"), ("a", 0, 429, "block")]
        )
    ]
    async with db.transaction() as s:
        await insert_requests(s, rows)
        tally = await hour_tally(s, tid, uid, T0)
        profile = await fold_user(s, tid, uid, T0 + timedelta(hours=1, minutes=5))
    assert (tally.requests, tally.spend_nanos, dict(tally.models)) == (2, 150, {"a": 1, "b": 1})
    assert tally.first_at == at and tally.hours_of_day == {9: 2}
    (sample,) = profile.samples
    assert (sample.hour, sample.requests, sample.spend_nanos) == (T0, 2, 150)
    assert profile.through == T0 + timedelta(hours=1)
