"""Images and tools priced through the gateway with the official client: generated images
per image, images in a prompt as tokens, tool calls at their definition's price; each
reserved before the call and charged (wallet, row, cost header) after it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from sqlalchemy import select

from agentshield.settings import ProviderSettings
from agentshield.store.db import Database
from agentshield.store.models import RequestRecord
from support import RunningGateway, Tenant, run_gateway
from support.budget import funded_wallet, held_and_charged, wallet_balance
from support.config import gateway_settings
from support.images import data_url, png
from support.upstream import COMPLETION_TOKENS, PROMPT_TOKENS, UpstreamServer

DOLLAR = 1_000_000_000
CENT = DOLLAR // 100
GUARDS = ["ratelimit", "pii", "budget", "cost", "audit"]
# gpt-4o-mini: $0.15 in and $0.60 out per million tokens; what the test upstream reports.
TOKENS_COST = PROMPT_TOKENS * 150 + COMPLETION_TOKENS * 600
COST_HEADER = "x-agentshield-cost"


@pytest.fixture(scope="module")
def gateway_db(upstream: UpstreamServer, db_url: str) -> Iterator[RunningGateway]:
    """The test gateway with budgets on, image models on the test upstream (`images`) and
    the mock's image model (`drawing`)."""
    base = gateway_settings(db_url, upstream)
    providers = [
        *base.providers,
        ProviderSettings(
            name="images", base_url=upstream.url, models=["dall-e-3", "dall-e-2", "gpt-image-1"]
        ),
        ProviderSettings(name="drawing", type="mock", models=["mock-image"]),
    ]
    with run_gateway(gateway_settings(db_url, upstream, providers=providers, guards=GUARDS)) as gw:
        yield gw


def _row(gw: RunningGateway, trace: str) -> RequestRecord:
    """The call's `requests` row; a stream's is written once its last byte was sent."""

    async def read(db: Database) -> RequestRecord | None:
        async with db.read() as session:
            return await session.scalar(
                select(RequestRecord).where(RequestRecord.trace_id == trace)
            )

    deadline = time.monotonic() + 10
    while True:
        gw.flush()
        found = gw.call(read)
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"no requests row for trace {trace}"
        time.sleep(0.05)


def _trace(answer: Any) -> str:
    return str(answer.headers["x-agentshield-trace-id"])


# --- generated images -----------------------------------------------------------------------


def test_generated_images_are_charged_per_image_and_recorded(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    wallet = funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    answer = client_db.images.with_raw_response.generate(
        model="dall-e-3", prompt="a lighthouse at dusk", size="1792x1024", quality="hd"
    )
    assert len(answer.parse().data or []) == 1
    assert answer.headers[COST_HEADER] == "0.120000000"
    row = _row(gateway_db, _trace(answer))
    assert (row.endpoint, row.model, row.cost_nanos) == (
        "images.generations",
        "dall-e-3",
        12 * CENT,
    )
    assert wallet_balance(gateway_db, wallet) == (DOLLAR - 12 * CENT, 0)


def test_n_images_are_reserved_and_those_returned_are_charged(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    wallet = funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    answer = client_db.images.with_raw_response.generate(
        model="dall-e-2",
        prompt="a red square",
        n=3,
        size="512x512",
        extra_body={"upstream_test": {"images": 2}},
    )
    held, charged = held_and_charged(gateway_db, _trace(answer))
    assert (held, charged) == (3 * 18_000_000, 2 * 18_000_000)
    assert answer.headers[COST_HEADER] == "0.036000000"
    assert wallet_balance(gateway_db, wallet) == (DOLLAR - 36_000_000, 0)


def test_auto_reserves_the_dearest_option_and_charges_what_the_provider_chose(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    chose = {"size": "1024x1024", "quality": "medium"}
    answer = client_db.images.with_raw_response.generate(
        model="gpt-image-1",
        prompt="a teapot",
        n=2,
        extra_body={"upstream_test": {"report": chose}},
    )
    held, charged = held_and_charged(gateway_db, _trace(answer))
    assert held == 2 * 250_000_000  # high, 1536x1024 or 1024x1536
    assert charged == 2 * 42_000_000
    assert answer.headers[COST_HEADER] == "0.084000000"


def test_an_image_reservation_larger_than_the_wallet_is_refused(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, 5 * CENT)
    with pytest.raises(openai.APIStatusError) as refused:
        client_db.images.generate(model="dall-e-3", prompt="a cat", quality="hd")
    assert refused.value.status_code == 402
    assert refused.value.response.json()["error"]["code"] == "insufficient_funds"
    # The standard quality fits in the same wallet.
    client_db.images.generate(model="dall-e-3", prompt="a cat")


@pytest.mark.parametrize(
    ("options", "param"),
    [({"size": "640x480"}, "size"), ({"quality": "ultra"}, "quality")],
)
def test_a_size_or_quality_the_model_is_not_priced_for_is_a_422(
    client_db: openai.OpenAI, upstream: UpstreamServer, options: dict[str, str], param: str
) -> None:
    tag = uuid.uuid4().hex
    with pytest.raises(openai.UnprocessableEntityError) as refused:
        client_db.images.generate(
            model="dall-e-3",
            prompt="a cat",
            extra_body={**options, "upstream_test": {"tag": tag}},
        )
    error = refused.value.response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "invalid_value",
        param,
    )
    assert not [r for r in upstream.received if r.tag == tag]


def test_the_prompt_goes_through_the_pii_guard(
    client_db: openai.OpenAI, upstream: UpstreamServer
) -> None:
    tag = uuid.uuid4().hex
    client_db.images.generate(
        model="dall-e-3",
        prompt="a portrait of jane.doe@example.com",
        extra_body={"upstream_test": {"tag": tag}},
    )
    sent = upstream.by_tag(tag).body["prompt"]
    assert "jane.doe@example.com" not in sent and sent.startswith("a portrait of ")


def test_the_mock_provider_draws_offline(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    answer = client_db.images.with_raw_response.generate(
        model="mock-image", prompt="a boat", n=2, response_format="b64_json"
    )
    images = answer.parse().data or []
    assert len(images) == 2 and all(image.b64_json for image in images)
    assert answer.headers[COST_HEADER] == "0.080000000"


# --- images in a chat prompt -----------------------------------------------------------------


def _with_image(url: str, detail: str = "auto") -> list[dict[str, Any]]:
    parts = [
        {"type": "text", "text": "hi"},
        {"type": "image_url", "image_url": {"url": url, "detail": detail}},
    ]
    return [{"role": "user", "content": parts}]


def _reserved(gw: RunningGateway, client: openai.OpenAI, messages: list[dict[str, Any]]) -> int:
    answer = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=messages,
        max_tokens=10,  # type: ignore[arg-type]
    )
    return held_and_charged(gw, _trace(answer))[0]


def test_an_image_in_the_prompt_reserves_its_tokens(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    text_only = _reserved(gateway_db, client_db, [{"role": "user", "content": "hi"}])
    square = _reserved(gateway_db, client_db, _with_image(data_url(png(1024, 1024))))
    low = _reserved(gateway_db, client_db, _with_image(data_url(png(1024, 1024)), "low"))
    remote = _reserved(gateway_db, client_db, _with_image("https://example.com/cat.png"))
    # gpt-4o-mini counts 2833 tokens an image and 5667 a tile, at $0.15 per million tokens.
    assert square - text_only == (2833 + 4 * 5667) * 150
    assert low - text_only == 2833 * 150
    assert remote - text_only == (2833 + 8 * 5667) * 150  # not fetched: the largest image


def test_an_image_that_does_not_fit_the_wallet_is_refused(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, CENT // 10)
    client_db.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=10
    )
    with pytest.raises(openai.APIStatusError) as refused:
        client_db.chat.completions.create(
            model="gpt-4o-mini",
            messages=_with_image("https://example.com/cat.png"),  # type: ignore[arg-type]
            max_tokens=10,
        )
    assert refused.value.status_code == 402


# --- tools -----------------------------------------------------------------------------------

SEARCH = {"type": "function", "function": {"name": "web_search", "parameters": {"type": "object"}}}


def test_each_tool_call_returned_is_charged_its_price(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    wallet = funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    answer = client_db.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "search twice"}],
        tools=[SEARCH],  # type: ignore[list-item]
        extra_body={"upstream_test": {"tool_calls": ["web_search", "web_search", "unpriced"]}},
    )
    assert len(answer.parse().choices[0].message.tool_calls or []) == 3
    expected = TOKENS_COST + 2 * CENT  # web_search: $0.01 a call
    assert answer.headers[COST_HEADER] == f"0.{expected:09d}"
    assert _row(gateway_db, _trace(answer)).cost_nanos == expected
    assert wallet_balance(gateway_db, wallet) == (DOLLAR - expected, 0)


def test_a_streamed_tool_call_is_charged_too(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    with client_db.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "run it"}],
        tools=[SEARCH],  # type: ignore[list-item]
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"upstream_test": {"tool_calls": ["python_interpreter"]}},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        list(response.parse())
    assert _row(gateway_db, trace).cost_nanos == TOKENS_COST + 5 * CENT


def test_offered_tools_are_reserved_once_each(
    gateway_db: RunningGateway, tenant_db: Tenant, client_db: openai.OpenAI
) -> None:
    funded_wallet(gateway_db, tenant_db.id, DOLLAR)
    messages = [{"role": "user", "content": "hi"}]
    plain = client_db.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=messages,
        max_tokens=10,  # type: ignore[arg-type]
    )
    offered = client_db.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=messages,  # type: ignore[arg-type]
        max_tokens=10,
        tools=[SEARCH, {"type": "python_interpreter"}],  # type: ignore[list-item]
        extra_body={"upstream_test": {"tool_calls": ["web_search"]}},
    )
    without = held_and_charged(gateway_db, _trace(plain))[0]
    held, charged = held_and_charged(gateway_db, _trace(offered))
    assert held >= without + 6 * CENT  # web_search + python_interpreter
    assert charged == TOKENS_COST + CENT
