"""A generated spend history written straight into `requests`, for spend-anomaly tests.

One user working office hours (09:00-17:59 UTC) on weekdays, about REQUESTS_PER_HOUR calls
an hour on gpt-4o-mini, each costing about what a call to the test upstream costs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from agentshield.engines.anomaly import Assessment, HourFeatures, Severity
from agentshield.store import anomalies
from agentshield.store.db import Database
from agentshield.store.usage import insert_requests
from support.upstream import COMPLETION_TOKENS, PROMPT_TOKENS

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
WEEK_END = START + timedelta(days=7)
# gpt-4o-mini: $0.15 in and $0.60 out per million tokens, on the test upstream's usage.
PER_CALL = PROMPT_TOKENS * 150 + COMPLETION_TOKENS * 600
REQUESTS_PER_HOUR = 20


def office_week(
    tenant_id: uuid.UUID, user_id: uuid.UUID, *, start: datetime = START, seed: int = 7
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(7):
        date = start + timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for hour in range(9, 18):
            count = max(1, int(rng.poisson(REQUESTS_PER_HOUR)))
            for i in range(count):
                at = date + timedelta(hours=hour, seconds=i * 3599 // count)
                cost = max(1, round(PER_CALL * rng.lognormal(0.0, 0.3)))
                rows.append(_row(tenant_id, user_id, at, cost))
    return rows


def _row(tenant_id: uuid.UUID, user_id: uuid.UUID, at: datetime, cost: int) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "trace_id": uuid.uuid4().hex,
        "user_id": user_id,
        "endpoint": "chat.completions",
        "model": "gpt-4o-mini",
        "cost_nanos": cost,
        "status_code": 200,
        "decision": "allow",
        "created_at": at,
    }


async def write_history(db: Database, rows: list[dict[str, Any]]) -> None:
    async with db.transaction() as session:
        await insert_requests(session, rows)


async def blocked(db: Database, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """A BLOCK anomaly of the user (restricted mode), recorded with its event; its id."""
    hour = START + timedelta(days=8, hours=3)
    features = HourFeatures(hour, 200 * PER_CALL, 200, 0.0, 1.0)
    assessment = Assessment(features, 0.95, Severity.BLOCK, "iforest", 12.0, {}, 20 * PER_CALL)
    async with db.transaction() as session:
        row = await anomalies.raise_anomaly(session, tenant_id, user_id, assessment, hour)
    return str(row.id)
