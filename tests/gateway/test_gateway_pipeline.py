"""The guard contract end to end: a guard registered by name may block, hold, rewrite a
stream and add findings; responses run in list order, and every outcome is recorded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from agentshield.engines.findings import Finding
from agentshield.gateway import pipeline
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import Blocked, Held
from support import RunningGateway, Tenant, make_client, new_tenant, run_gateway
from support.config import gateway_settings
from support.upstream import UpstreamServer


class ShoutingGuard:
    """Blocks 'forbidden', holds 'hold me', crashes on 'crash', shouts streamed text, and
    notes the charge it saw."""

    name = "shout"

    async def on_request(self, ctx: RequestContext) -> None:
        text = str(ctx.body.get("messages", [{}])[-1].get("content", ""))
        if "forbidden" in text:
            raise Blocked(451, "invalid_request_error", "test_prohibited", "Not here.")
        if "hold me" in text:
            raise Held("appr_123")
        if "crash" in text:
            raise RuntimeError("a bug in a guard")
        ctx.findings.append(Finding(guard="shout", kind="seen", value_hash="ab" * 32))
        ctx.response_headers["x-agentshield-shout"] = "yes"

    async def on_response(self, ctx: RequestContext) -> None:
        # Runs after `cost` (listed before us) and before `audit` (listed after us).
        ctx.findings.append(
            Finding(guard="shout", kind="charge_seen", data={"cost_nanos": ctx.cost_nanos})
        )

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            if delta.get("content"):
                delta["content"] = delta["content"].upper()
        return [chunk]


@pytest.fixture(scope="module")
def shouting_gateway(
    sqlite_url: str, upstream: UpstreamServer
) -> Iterator[tuple[RunningGateway, Tenant]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(pipeline.GUARDS, "shout", lambda services: ShoutingGuard())
        settings = gateway_settings(sqlite_url, upstream, guards=["cost", "shout", "audit"])
        with run_gateway(settings) as gw:
            yield gw, new_tenant(gw)


@pytest.fixture
def shouting(shouting_gateway: tuple[RunningGateway, Tenant]) -> Iterator[openai.OpenAI]:
    gw, tenant = shouting_gateway
    with make_client(gw, tenant.gateway_key) as client:
        yield client


def ask(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


def test_a_blocked_call_answers_the_guards_status_and_is_recorded(
    shouting_gateway: tuple[RunningGateway, Tenant],
    shouting: openai.OpenAI,
    upstream: UpstreamServer,
) -> None:
    tag = uuid.uuid4().hex
    with pytest.raises(openai.APIStatusError) as caught:
        shouting.chat.completions.create(
            model="gpt-4o-mini",
            messages=ask("something forbidden"),
            extra_body={"upstream_test": {"tag": tag}},
        )
    assert caught.value.status_code == 451
    assert (caught.value.code, caught.value.body["message"]) == ("test_prohibited", "Not here.")
    headers = caught.value.response.headers
    assert headers["x-agentshield-decision"] == "block"
    assert not [r for r in upstream.received if r.tag == tag]
    row, entry = shouting_gateway[0].records(headers["x-agentshield-trace-id"])
    assert (row.status_code, row.decision, row.error_type) == (451, "block", "test_prohibited")
    assert entry.data["decision"] == "block"


def test_a_held_call_names_its_approval(shouting: openai.OpenAI) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        shouting.chat.completions.create(model="gpt-4o-mini", messages=ask("hold me"))
    assert caught.value.code == "approval_pending"
    assert caught.value.response.headers["x-agentshield-approval-id"] == "appr_123"
    assert caught.value.response.headers["x-agentshield-decision"] == "hold"


def test_a_guard_that_breaks_refuses_the_call_and_it_is_recorded(
    shouting_gateway: tuple[RunningGateway, Tenant],
    shouting: openai.OpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        shouting.chat.completions.create(model="gpt-4o-mini", messages=ask("crash now"))
    trace = caught.value.response.headers["x-agentshield-trace-id"]
    assert trace in caught.value.body["message"]
    row, _ = shouting_gateway[0].records(trace)
    assert (row.status_code, row.decision, row.error_type) == (500, "error", "internal_error")
    assert "a bug in a guard" in caplog.text


def test_responses_run_in_order_and_findings_reach_the_audit_entry(
    shouting_gateway: tuple[RunningGateway, Tenant], shouting: openai.OpenAI
) -> None:
    raw = shouting.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=ask("hello")
    )
    assert raw.headers["x-agentshield-shout"] == "yes"
    row, entry = shouting_gateway[0].records(raw.headers["x-agentshield-trace-id"])
    kinds = {f["kind"]: f for f in entry.data["findings"]}
    assert kinds["seen"]["value_hash"] == "ab" * 32
    # `cost` had charged the call before `shout` answered, and `audit` ran last.
    assert kinds["charge_seen"]["data"] == {"cost_nanos": row.cost_nanos}
    assert row.cost_nanos > 0


def test_stream_chunks_go_through_the_guards(shouting: openai.OpenAI) -> None:
    chunks = shouting.chat.completions.create(
        model="gpt-4o-mini", messages=ask("hello"), stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "HELLO FROM THE "
