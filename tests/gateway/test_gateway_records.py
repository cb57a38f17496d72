"""Each authenticated call leaves one `requests` row and one audit entry (metadata only),
on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import openai
import orjson
import pytest
from sqlalchemy import select

from agentshield.engines import tokens
from agentshield.engines.money import to_usd_string
from agentshield.engines.pricing import cost_nanos
from agentshield.store import audit
from agentshield.store.db import Database
from agentshield.store.models import ApiKey, RequestRecord
from support import RunningGateway, Tenant, make_client
from support.upstream import COMPLETION_TOKENS, PROMPT_TOKENS

pytestmark = pytest.mark.db


def expected_cost(gw: RunningGateway, model: str, prompt: int, completion: int) -> int:
    price = gw.app.state.prices.price(model)
    assert price is not None
    return cost_nanos(price, prompt, completion)


def test_a_completion_is_recorded_with_tokens_and_cost(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    secret = f"my travel plan {uuid.uuid4().hex[:12]}"  # nothing the PII guard rewrites
    raw = client_db.chat.completions.with_raw_response.create(
        model="fast", messages=[{"role": "user", "content": secret}]
    )
    trace = raw.headers["x-agentshield-trace-id"]
    row, entry = gateway_db.records(trace)
    cost = expected_cost(gateway_db, "gpt-4o-mini", PROMPT_TOKENS, COMPLETION_TOKENS)
    assert raw.headers["x-agentshield-cost"] == to_usd_string(cost)
    assert row.tenant_id == tenant_db.id
    assert row.user_id == tenant_db.owner_id
    assert (row.endpoint, row.model, row.provider, row.stream) == (
        "chat.completions",
        "gpt-4o-mini",
        "local",
        False,
    )
    assert (row.prompt_tokens, row.completion_tokens, row.cost_nanos) == (
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
        cost,
    )
    assert (row.status_code, row.decision, row.error_type) == (200, "allow", None)
    assert row.upstream_latency_ms is not None
    assert 0 < row.upstream_latency_ms <= row.latency_ms

    assert entry.tenant_id == tenant_db.id
    assert entry.event_type == "gateway.request"
    assert entry.actor == tenant_db.gateway_key[: len("ask_live_") + 8]
    data = entry.data
    assert (data["model"], data["provider"], data["status"], data["decision"]) == (
        "gpt-4o-mini",
        "local",
        200,
        "allow",
    )
    assert (data["prompt_tokens"], data["completion_tokens"], data["cost_nanos"]) == (
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
        cost,
    )
    assert data["key_prefix"] == entry.actor
    assert secret not in orjson.dumps(_all_audit_data(gateway_db, tenant_db)).decode()
    assert tenant_db.gateway_key not in orjson.dumps(data).decode()


def _all_audit_data(gw: RunningGateway, tenant: Tenant) -> list[Any]:
    async def read(db: Database) -> list[Any]:
        async with db.read() as session:
            entries = await audit.list_entries(session, tenant.id, limit=1000)
        return [[e.actor, e.event_type, e.trace_id, e.data] for e in entries]

    return gw.call(read)


def test_a_stream_without_reported_usage_is_counted_by_the_gateway(
    gateway_db: RunningGateway, client_db: openai.OpenAI
) -> None:
    messages = [{"role": "user", "content": "Count these words for me, please."}]
    with client_db.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=messages,
        stream=True,
        extra_body={"upstream_test": {"no_usage": True}},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        text = "".join(
            chunk.choices[0].delta.content or "" for chunk in response.parse() if chunk.choices
        )
    row, entry = gateway_db.records(trace)
    prompt = tokens.count_messages("gpt-4o-mini", messages)
    completion = tokens.count_text("gpt-4o-mini", text)
    assert (row.stream, row.prompt_tokens, row.completion_tokens) == (True, prompt, completion)
    assert row.cost_nanos == expected_cost(gateway_db, "gpt-4o-mini", prompt, completion)
    assert entry.data["tokens_estimated"] is True


def test_a_stream_with_usage_is_charged_what_the_upstream_reported(
    gateway_db: RunningGateway, client_db: openai.OpenAI
) -> None:
    with client_db.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        list(response.parse())
    row, entry = gateway_db.records(trace)
    assert (row.prompt_tokens, row.completion_tokens) == (PROMPT_TOKENS, COMPLETION_TOKENS)
    assert entry.data["tokens_estimated"] is False


def test_embeddings_are_recorded(gateway_db: RunningGateway, client_db: openai.OpenAI) -> None:
    raw = client_db.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input="hello"
    )
    row, _ = gateway_db.records(raw.headers["x-agentshield-trace-id"])
    assert (row.endpoint, row.prompt_tokens, row.completion_tokens) == (
        "embeddings",
        PROMPT_TOKENS,
        0,
    )
    assert row.cost_nanos == expected_cost(gateway_db, "text-embedding-3-small", PROMPT_TOKENS, 0)


@pytest.mark.parametrize(
    ("model", "extra", "status", "error_type"),
    [
        ("no-such-model", {}, 404, "model_not_found"),
        ("gpt-4o-mini", {"upstream_test": {"status": 500}}, 500, "test_failure"),
        ("slow-model", {"upstream_test": {"delay": 2}}, 504, "upstream_timeout"),
    ],
)
def test_failed_calls_are_recorded_too(
    gateway_db: RunningGateway,
    client_db: openai.OpenAI,
    model: str,
    extra: dict[str, Any],
    status: int,
    error_type: str,
) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        client_db.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "hi"}], extra_body=extra
        )
    assert caught.value.response.headers["x-agentshield-cost"] == "0.000000000"
    row, entry = gateway_db.records(caught.value.response.headers["x-agentshield-trace-id"])
    assert (row.status_code, row.decision, row.error_type, row.cost_nanos) == (
        status,
        "error",
        error_type,
        0,
    )
    assert (entry.data["status"], entry.data["error_type"]) == (status, error_type)


def test_a_call_refused_before_authentication_is_not_recorded(
    gateway_db: RunningGateway,
) -> None:
    with (
        make_client(gateway_db, "ask_live_" + "f" * 32) as client,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        client.models.list()
    trace = caught.value.response.headers["x-agentshield-trace-id"]
    gateway_db.flush()

    async def count(db: Database) -> int:
        async with db.read() as session:
            found = await session.scalars(
                select(RequestRecord).where(RequestRecord.trace_id == trace)
            )
            return len(list(found))

    assert gateway_db.call(count) == 0


def test_last_used_is_recorded_for_the_key(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    client_db.models.list()
    gateway_db.flush()

    async def last_used(db: Database) -> Any:
        caller = await gateway_db.app.state.keys.resolve(tenant_db.gateway_key)
        async with db.read() as session:
            return (await session.get(ApiKey, caller.key_id)).last_used_at

    assert gateway_db.call(last_used) is not None
