"""Spend anomalies through the management API: listing, acknowledging, retraining a model."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from agentshield.engines.anomaly import Assessment, HourFeatures, Severity
from agentshield.store import anomalies, tenancy
from agentshield.store.db import Database
from agentshield.store.keys import create_key
from agentshield.store.models import utcnow
from support import RunningGateway, Tenant
from support.spend_history import PER_CALL, office_week, write_history

Connect = Callable[..., httpx.Client]
HOUR = datetime.fromisoformat("2026-03-10T03:00:00+00:00")


def assessment(severity: Severity, spend: int) -> Assessment:
    features = HourFeatures(HOUR, spend, 60, 0.0, 1.0)
    return Assessment(features, 0.95, severity, "iforest", 12.0, {"log_spend": 9.1}, 20 * PER_CALL)


def other_user(api: RunningGateway, tenant: Tenant, role: str = "member") -> tuple[uuid.UUID, str]:
    """A second user of the tenant and an admin-scoped key of theirs."""

    async def make(db: Database) -> tuple[uuid.UUID, str]:
        async with db.transaction() as session:
            user = await tenancy.create_user(
                session, tenant.id, email=f"{uuid.uuid4().hex[:8]}@a.test", role=role
            )
            issued = await create_key(
                session, tenant_id=tenant.id, user_id=user.id, name="ops", scopes=["admin"]
            )
        return user.id, issued.secret

    return api.call(make)


def raise_anomaly(api: RunningGateway, tenant: Tenant, user_id: uuid.UUID, severity: Severity):
    async def write(db: Database) -> str:
        async with db.transaction() as session:
            row = await anomalies.raise_anomaly(
                session, tenant.id, user_id, assessment(severity, 200 * PER_CALL), HOUR
            )
        return str(row.id)

    return api.call(write)


def test_list_filter_and_acknowledge(
    api: RunningGateway, tenant: Tenant, admin: httpx.Client, connect: Connect
) -> None:
    member, member_key = other_user(api, tenant)
    block = raise_anomaly(api, tenant, tenant.owner_id, Severity.BLOCK)
    alert = raise_anomaly(api, tenant, member, Severity.ALERT)

    listed = admin.get("/v1/budget/anomalies")
    assert listed.status_code == 200, listed.text
    assert {a["id"] for a in listed.json()} == {block, alert}
    row = next(a for a in listed.json() if a["id"] == block)
    assert row["user_id"] == str(tenant.owner_id)
    assert (row["severity"], row["action"], row["model_kind"]) == ("block", "restrict", "iforest")
    assert (row["baseline"], row["actual"]) == (
        f"{20 * PER_CALL / 1e9:.9f}",
        f"{200 * PER_CALL / 1e9:.9f}",
    )
    assert (row["deviation"], row["score"], row["acknowledged"]) == (12.0, 0.95, False)
    assert row["hour"].startswith("2026-03-10T03:00:00")
    mine = admin.get("/v1/budget/anomalies", params={"user_id": str(member)}).json()
    assert [a["id"] for a in mine] == [alert]

    # A member with an admin key may read, not acknowledge.
    refused = connect(api, member_key).post(f"/v1/budget/anomalies/{block}/acknowledge")
    assert refused.status_code == 403

    acked = admin.post(f"/v1/budget/anomalies/{block}/acknowledge")
    assert acked.status_code == 200, acked.text
    body = acked.json()
    assert body["acknowledged"] is True and body["acknowledged_by"] == str(tenant.owner_id)
    again = admin.post(f"/v1/budget/anomalies/{block}/acknowledge").json()
    assert again["acknowledged_at"] == body["acknowledged_at"]  # the first one's who and when

    resolved = admin.get("/v1/budget/anomalies", params={"resolved": "true"}).json()
    open_ = admin.get("/v1/budget/anomalies", params={"resolved": "false"}).json()
    assert ([a["id"] for a in resolved], [a["id"] for a in open_]) == ([block], [alert])
    audit = admin.get("/v1/audit", params={"limit": 1000}).json()["entries"]
    acks = [e for e in audit if e["event_type"] == "spend_anomaly.acknowledged"]
    assert len(acks) == 2 and acks[0]["data"]["anomaly_id"] == block

    missing = admin.post(f"/v1/budget/anomalies/{uuid.uuid4()}/acknowledge")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_train_model_folds_the_history_and_names_the_model(
    api: RunningGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=8)
    api.call(lambda db: write_history(db, office_week(tenant.id, tenant.owner_id, start=start)))

    trained = admin.post(f"/v1/budget/anomalies/train-model/{tenant.owner_id}")
    assert trained.status_code == 200, trained.text
    body = trained.json()
    assert (body["model_kind"], body["samples"]) == ("iforest", 5 * 9)
    assert body["user_id"] == str(tenant.owner_id) and body["trained_until"] is not None

    newcomer, _ = other_user(api, tenant)
    fresh = admin.post(f"/v1/budget/anomalies/train-model/{newcomer}").json()
    assert (fresh["model_kind"], fresh["samples"]) == ("none", 0)
    unknown = admin.post(f"/v1/budget/anomalies/train-model/{uuid.uuid4()}")
    assert unknown.status_code == 404
