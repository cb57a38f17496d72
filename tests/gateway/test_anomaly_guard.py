"""Spend anomalies through the gateway, on a generated week of spend.

Each test writes a week of office-hours requests for a new user straight into `requests`,
replays the hourly profile job over that week with an injected clock, then sets the
gateway's clock (`app.state.spend_watch.clock`) to the hour it calls at: nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from agentshield.engines.anomaly import Assessment, HourFeatures, Severity
from agentshield.store import anomalies, outbox
from agentshield.store.db import Database
from agentshield.store.models import SpendAnomaly, utcnow
from agentshield.store.spend_profiles import fold_hours
from support import RunningGateway, Tenant, UpstreamServer, new_tenant, run_gateway
from support.clock import Clock
from support.config import gateway_settings
from support.ratelimit import chat, limited_tenant, other_users_key
from support.redis import redis_url, unique_prefix
from support.spend_history import (
    PER_CALL,
    REQUESTS_PER_HOUR,
    START,
    WEEK_END,
    office_week,
    write_history,
)

GUARDS = ("ratelimit", "anomaly", "pii", "budget", "cost", "audit")
TUESDAY = START + timedelta(days=8)  # the day after the learnt week
# About 100 tokens of reply: a call costing about ten times the usual one.
COSTLY = {"upstream_test": {"no_usage": True, "reply": "spend " * 100}}


@pytest.fixture
def anomaly_gw(gateways: Any, db_url: str) -> RunningGateway:
    return gateways.for_database(db_url, GUARDS)


@pytest.fixture
def clock(anomaly_gw: RunningGateway) -> Iterator[Clock]:
    watch = anomaly_gw.app.state.spend_watch
    clock = Clock(WEEK_END)
    watch.clock = clock
    yield clock
    watch.clock = utcnow


def learnt_user(gw: RunningGateway) -> Tenant:
    """A tenant whose owner has a week of history, folded in hour by hour by the job."""
    tenant = new_tenant(gw)

    async def prepare(db: Database) -> None:
        await write_history(db, office_week(tenant.id, tenant.owner_id))
        since = None
        for hour in range(7 * 24):
            now = START + timedelta(hours=hour + 1, minutes=1)
            await fold_hours(db, now, since)
            since = now.replace(minute=0)

    gw.call(prepare)
    return tenant


def user_anomalies(gw: RunningGateway, tenant: Tenant) -> list[SpendAnomaly]:
    async def read(db: Database) -> list[SpendAnomaly]:
        async with db.read() as session:
            rows = await anomalies.list_anomalies(session, tenant.id, user_id=tenant.owner_id)
        return list(rows)

    return gw.call(read)


def test_the_job_learns_the_week_and_fits_the_forest(anomaly_gw: RunningGateway) -> None:
    tenant = learnt_user(anomaly_gw)

    async def read(db: Database) -> Any:
        async with db.read() as session:
            return await anomalies.load_profile(session, tenant.id, tenant.owner_id)

    profile = anomaly_gw.call(read)
    assert len(profile.samples) == 5 * 9  # weekdays, 09:00 to 17:59
    assert profile.model_kind() == "iforest"  # refitted on its own from the 10th hour
    # Folded up to the end of the user's last active hour: Friday, 18:00.
    assert profile.trained_until is not None
    assert profile.through == START + timedelta(days=4, hours=18)


def test_a_normal_day_raises_nothing(anomaly_gw: RunningGateway, clock: Clock) -> None:
    tenant = learnt_user(anomaly_gw)
    for hour in (9, 12, 16):  # morning, noon, afternoon
        clock.now = TUESDAY + timedelta(hours=hour)
        for _ in range(REQUESTS_PER_HOUR):
            clock.now += timedelta(minutes=2)
            answer = chat(anomaly_gw, tenant.gateway_key)
            assert answer.status_code == 200, answer.text
    assert user_anomalies(anomaly_gw, tenant) == []


def test_a_tenfold_burst_at_3am_is_blocked_until_an_admin_acknowledges(
    anomaly_gw: RunningGateway, clock: Clock
) -> None:
    tenant = learnt_user(anomaly_gw)
    three_am = TUESDAY + timedelta(hours=3)
    clock.now = three_am
    answers = []
    burst = 10 * REQUESTS_PER_HOUR  # usual calls at ten times the usual pace
    for _ in range(burst):
        clock.now += timedelta(seconds=3600 // burst)
        answers.append(chat(anomaly_gw, tenant.gateway_key))
        if answers[-1].status_code != 200:
            break
    refused = answers[-1]
    assert refused.status_code == 403, refused.text
    assert len(answers) < burst / 2  # stopped well before the burst was through
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("permission_error", "spend_anomaly_restricted")
    anomaly_id = refused.headers["x-agentshield-anomaly-id"]
    assert anomaly_id in error["message"]

    rows = user_anomalies(anomaly_gw, tenant)
    block = next(row for row in rows if row.severity == "block")
    assert str(block.id) == anomaly_id
    assert (block.action, block.hour, block.acknowledged_at) == ("restrict", three_am, None)
    assert block.score >= 0.9 and block.model_kind == "iforest"
    assert block.actual_nanos > 2 * block.baseline_nanos
    assert PER_CALL * 10 < block.baseline_nanos < PER_CALL * 40  # about 20 calls an hour
    # On the way up: an event, then the rate limit halved, each recorded once.
    assert sorted(row.severity for row in rows) == ["alert", "block", "throttle"]

    async def events(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            found = await outbox.list_events(session, tenant.id, kind="spend.anomaly")
        return [event.payload for event in found]

    payloads = anomaly_gw.call(events)
    assert sorted(p["anomaly_id"] for p in payloads) == sorted(str(row.id) for row in rows)

    # Restricted mode holds, in any hour, and records nothing more.
    clock.now = TUESDAY + timedelta(hours=10)
    again = chat(anomaly_gw, tenant.gateway_key)
    assert again.status_code == 403
    assert again.headers["x-agentshield-anomaly-id"] == anomaly_id
    assert len(user_anomalies(anomaly_gw, tenant)) == len(rows)

    headers = {"authorization": f"Bearer {tenant.admin_key}"}
    acked = httpx.post(
        f"{anomaly_gw.url}/v1/budget/anomalies/{anomaly_id}/acknowledge", headers=headers
    )
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged"] is True
    assert acked.json()["acknowledged_by"] == str(tenant.owner_id)
    assert chat(anomaly_gw, tenant.gateway_key).status_code == 200


def _throttle(hour: datetime) -> Assessment:
    features = HourFeatures(hour, 60 * PER_CALL, 60, 0.0, 0.0)
    return Assessment(features, 0.8, Severity.THROTTLE, "std", 7.0, {}, 20 * PER_CALL)


@pytest.fixture(scope="module", params=["memory", "redis"])
def counted_gw(
    request: pytest.FixtureRequest, upstream: UpstreamServer, sqlite_url: str
) -> Iterator[RunningGateway]:
    settings = gateway_settings(
        sqlite_url,
        upstream,
        guards=list(GUARDS),
        redis_url=redis_url() if request.param == "redis" else None,
        redis_key_prefix=unique_prefix(),
    )
    with run_gateway(settings) as gw:
        yield gw


def test_a_throttle_halves_the_users_rate_limit_for_its_hour(counted_gw: RunningGateway) -> None:
    hour = TUESDAY + timedelta(hours=11)
    counted_gw.app.state.spend_watch.clock = Clock(hour + timedelta(minutes=20))
    tenant = limited_tenant(counted_gw, {"user": {"requests_per_minute": 4}})

    async def throttle(db: Database) -> None:
        async with db.transaction() as session:
            await anomalies.raise_anomaly(
                session, tenant.id, tenant.owner_id, _throttle(hour), hour
            )

    counted_gw.call(throttle)
    throttled = [chat(counted_gw, tenant.gateway_key).status_code for _ in range(3)]
    assert throttled == [200, 200, 429]
    refusal = chat(counted_gw, tenant.gateway_key)
    assert "this user on requests per min (RPM): Limit 2" in refusal.json()["error"]["message"]
    other = other_users_key(counted_gw, tenant)
    assert [chat(counted_gw, other).status_code for _ in range(5)] == [200] * 4 + [429]


def test_calls_without_history_are_not_scored(anomaly_gw: RunningGateway, clock: Clock) -> None:
    tenant = new_tenant(anomaly_gw)
    clock.now = TUESDAY + timedelta(hours=3)
    for _ in range(5):
        assert chat(anomaly_gw, tenant.gateway_key, **COSTLY).status_code == 200
    assert user_anomalies(anomaly_gw, tenant) == []
