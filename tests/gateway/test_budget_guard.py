"""Budgets through the gateway with the official client: refusals in OpenAI's shape, and
the wallet charged exactly the actual cost of each call, however it ended."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import openai
import pytest
from sqlalchemy import select

from agentshield.store import budget
from agentshield.store.db import Database
from agentshield.store.models import BudgetLease, RequestRecord
from support import RunningGateway, Tenant
from support.budget import entry_of, funded_wallet, wallet_balance
from support.upstream import COMPLETION_TOKENS, PROMPT_TOKENS, UpstreamServer

USER = [{"role": "user", "content": "hi"}]
DOLLAR = 1_000_000_000
# gpt-4o-mini: $0.15 in and $0.60 out per million tokens; what the test upstream reports.
ACTUAL = PROMPT_TOKENS * 150 + COMPLETION_TOKENS * 600


BUDGET_GUARDS = ("ratelimit", "pii", "budget", "cost", "audit")


@pytest.fixture
def gateway_db(gateways: Any, db_url: str) -> RunningGateway:
    """The gateway with `budget` enabled (it is not in the default guards)."""
    return gateways.for_database(db_url, BUDGET_GUARDS)


def test_an_empty_wallet_answers_402_naming_the_wallet(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, 0)
    with pytest.raises(openai.APIStatusError) as refused:
        client_db.chat.completions.create(model="gpt-4o-mini", messages=USER, max_tokens=50)
    assert refused.value.status_code == 402
    error = refused.value.response.json()["error"]
    assert (error["type"], error["code"], error["limit"], error["left"]) == (
        "insufficient_quota",
        "insufficient_funds",
        "tenant wallet",
        "0.000000000",
    )
    assert "retry-after" not in refused.value.response.headers


def test_a_spent_quota_answers_429_with_retry_after_until_midnight(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    async def cap(db: Database) -> None:
        async with db.transaction() as session:
            await budget.set_quota(
                session,
                tenant_db.id,
                scope="user",
                scope_id=tenant_db.owner_id,
                period="daily",
                metric="usd",
                limit=1000,
            )

    gateway_db.call(cap)
    with pytest.raises(openai.RateLimitError) as refused:
        client_db.chat.completions.create(model="gpt-4o-mini", messages=USER, max_tokens=50)
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    error = refused.value.response.json()["error"]
    assert (error["code"], error["limit"], error["left"]) == (
        "quota_exceeded",
        "user daily usd quota",
        "0.000001000",
    )
    assert datetime.fromisoformat(error["resets_at"]) == midnight
    retry_after = int(refused.value.response.headers["retry-after"])
    assert abs(retry_after - (midnight - now).total_seconds()) <= 5


def test_the_wallet_and_the_row_are_charged_the_actual_cost(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    wallet = funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    answer = client_db.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=USER, max_tokens=1000
    )
    trace = answer.headers["x-agentshield-trace-id"]
    assert wallet_balance(gateway_db, wallet) == (DOLLAR - ACTUAL, 0)
    entry = entry_of(gateway_db, trace)
    assert entry is not None and entry.kind == "settle"
    assert -entry.hold_nanos > ACTUAL  # the most it could have cost was held
    assert entry.amount_nanos == -ACTUAL
    gateway_db.flush()

    async def row(db: Database) -> RequestRecord | None:
        async with db.read() as session:
            return await session.scalar(
                select(RequestRecord).where(RequestRecord.trace_id == trace)
            )

    record = gateway_db.call(row)
    assert record is not None and record.cost_nanos == ACTUAL


def test_a_streamed_call_is_charged_and_an_upstream_failure_is_released(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    wallet = funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    with client_db.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    ) as response:
        list(response.parse())
    with pytest.raises(openai.InternalServerError) as failed:
        client_db.chat.completions.create(
            model="gpt-4o-mini", messages=USER, extra_body={"upstream_test": {"status": 500}}
        )
    assert wallet_balance(gateway_db, wallet) == (DOLLAR - ACTUAL, 0)
    trace = failed.value.response.headers["x-agentshield-trace-id"]
    released = entry_of(gateway_db, trace)
    assert released is not None and released.kind == "release"
    assert (released.amount_nanos, released.hold_nanos < 0) == (0, True)


def test_a_client_leaving_mid_stream_is_charged_what_was_streamed(
    gateway_db: RunningGateway,
    tenant_db: Tenant,
    client_db: openai.OpenAI,
    upstream: UpstreamServer,
) -> None:
    wallet = funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    tag = uuid.uuid4().hex
    with client_db.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        extra_body={"upstream_test": {"tag": tag, "chunks": 1000, "chunk_delay": 0.01}},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        chunks = iter(response.parse())
        next(chunks), next(chunks), next(chunks)
    assert upstream.wait_aborted(tag)
    deadline = time.monotonic() + 10
    while (entry := entry_of(gateway_db, trace)) is None:
        assert time.monotonic() < deadline, "the hold of a cut-off stream was never settled"
        time.sleep(0.05)
    assert entry.kind == "settle" and entry.amount_nanos < 0
    balance, reserved = wallet_balance(gateway_db, wallet)
    assert (balance, reserved) == (DOLLAR + entry.amount_nanos, 0)


def test_without_budgets_nothing_is_refused_or_held(
    gateway_db: RunningGateway, client_db: openai.OpenAI
) -> None:
    async def leases(db: Database) -> list[tuple[Any, ...]]:
        async with db.read() as session:
            rows = await session.execute(select(BudgetLease.id, BudgetLease.expires_at))
            return sorted(tuple(row) for row in rows)

    before = gateway_db.call(leases)
    client_db.chat.completions.create(model="gpt-4o-mini", messages=USER, max_tokens=10**6)
    # A call that held anything would have opened or renewed the gateway's lease.
    assert gateway_db.call(leases) == before
