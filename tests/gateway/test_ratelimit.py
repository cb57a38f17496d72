"""Rate limits through the gateway, with counters in process and in the real Redis.

Each gateway here has a default of DEFAULT_RPM requests per minute per key; each test's
tenant lays its own `rate_limits` over it, as a tenant's settings row does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from agentshield.engines import tokens
from support import RunningGateway, UpstreamServer, make_client, new_tenant, run_gateway
from support.config import gateway_settings
from support.ratelimit import MESSAGES, chat, limited_tenant, other_users_key
from support.redis import redis_url, unique_prefix
from support.upstream import ANSWER, COMPLETION_TOKENS, PROMPT_TOKENS

DEFAULT_RPM = 5
PROMPT = tokens.count_messages("gpt-4o-mini", MESSAGES)  # what the gateway reserves for it


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited(
    request: pytest.FixtureRequest, upstream: UpstreamServer, sqlite_url: str
) -> Iterator[RunningGateway]:
    settings = gateway_settings(
        sqlite_url,
        upstream,
        redis_url=redis_url() if request.param == "redis" else None,
        redis_key_prefix=unique_prefix(),
        rate_limits={"key": {"requests_per_minute": DEFAULT_RPM}},
    )
    with run_gateway(settings) as gw:
        yield gw


@pytest.mark.parametrize(
    ("level", "calls", "who"),
    [
        # a, b: two keys of one user; c: a key of another user of the same tenant
        ("key", [("a", 200), ("a", 200), ("a", 429), ("b", 200), ("c", 200)], "API key"),
        ("user", [("a", 200), ("b", 200), ("a", 429), ("c", 200)], "user"),
        ("tenant", [("a", 200), ("c", 200), ("b", 429)], "organization"),
    ],
)
def test_a_limit_holds_for_its_key_user_or_tenant(
    limited: RunningGateway, level: str, calls: list[tuple[str, int]], who: str
) -> None:
    tenant = limited_tenant(limited, {level: {"requests_per_minute": 2}})
    keys = {
        "a": tenant.gateway_key,
        "b": tenant.key(limited),
        "c": other_users_key(limited, tenant),
    }
    for name, status in calls:
        answer = chat(limited, keys[name])
        assert answer.status_code == status, (name, answer.text)
        if status == 429:
            message = answer.json()["error"]["message"]
            assert f"this {who} on requests per min (RPM): Limit 2" in message


def test_a_refusal_in_openai_shape_says_when_to_retry(limited: RunningGateway) -> None:
    tenant = limited_tenant(limited, {"key": {"requests_per_minute": 2}})
    with make_client(limited, tenant.gateway_key) as client:
        remaining = []
        for _ in range(2):
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4o-mini", messages=MESSAGES
            )
            assert raw.headers["x-ratelimit-limit-requests"] == "2"
            remaining.append(raw.headers["x-ratelimit-remaining-requests"])
        assert remaining == ["1", "0"]
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    response = caught.value.response
    assert response.status_code == 429
    # 2 per minute: the next one fits 30 s after the first, less the ms this test took.
    assert response.headers["retry-after"] == "30"
    assert response.headers["x-ratelimit-limit-requests"] == "2"
    assert response.headers["x-ratelimit-remaining-requests"] == "0"
    assert response.headers["x-ratelimit-reset-requests"].endswith("s")
    error = response.json()["error"]
    assert error["type"] == "rate_limit_error" and error["code"] == "rate_limit_exceeded"
    assert (
        "this API key on requests per min (RPM): Limit 2, Used 2, Requested 1" in error["message"]
    )
    row, _ = limited.records(response.headers["x-agentshield-trace-id"])
    assert (row.status_code, row.decision) == (429, "block")


def test_the_process_default_applies_and_a_tenant_may_lift_it(limited: RunningGateway) -> None:
    defaulted = limited_tenant(limited)
    statuses = [chat(limited, defaulted.gateway_key).status_code for _ in range(DEFAULT_RPM + 1)]
    assert statuses == [200] * DEFAULT_RPM + [429]
    lifted = limited_tenant(limited, {"key": {"requests_per_minute": None}})
    for _ in range(3 * DEFAULT_RPM):
        answer = chat(limited, lifted.gateway_key)
        assert answer.status_code == 200
        assert "x-ratelimit-limit-requests" not in answer.headers


def test_with_no_limit_configured_nothing_is_ever_refused(gateway: RunningGateway) -> None:
    key = new_tenant(gateway).gateway_key
    for _ in range(50):
        answer = chat(gateway, key, max_tokens=100_000)
        assert answer.status_code == 200
        assert not any(name.startswith("x-ratelimit") for name in answer.headers)


@pytest.mark.parametrize(
    ("first", "used"),
    [
        ({}, PROMPT_TOKENS + COMPLETION_TOKENS),  # the upstream's usage
        (  # no usage reported: the prompt and the streamed text, counted
            {"stream": True, "upstream_test": {"no_usage": True}},
            PROMPT + tokens.count_text("gpt-4o-mini", ANSWER),
        ),
        ({"model": "gone-model"}, 0),  # the upstream did no work: all given back
    ],
    ids=["reported", "stream-counted", "upstream-failed"],
)
def test_tokens_per_minute_count_what_was_used(
    limited: RunningGateway, first: dict[str, Any], used: int
) -> None:
    tenant = limited_tenant(limited, {"key": {"tokens_per_minute": 1000}})
    answer = chat(limited, tenant.gateway_key, max_tokens=500, **first)
    if "model" not in first:
        assert answer.status_code == 200
        remaining = int(answer.headers["x-ratelimit-remaining-tokens"])
        assert remaining in range(1000 - PROMPT - 500, 1000 - PROMPT - 500 + 5)
    # 900 more fit only if the first call's reservation of PROMPT + 500 was corrected.
    answer = chat(limited, tenant.gateway_key, max_tokens=900)
    assert answer.status_code == 200, answer.text
    remaining = int(answer.headers["x-ratelimit-remaining-tokens"])
    expected = 1000 - used - PROMPT - 900
    assert expected <= remaining < expected + 5  # + what drained meanwhile (16 per second)


def test_a_call_larger_than_the_token_limit_is_told_so(limited: RunningGateway) -> None:
    tenant = limited_tenant(limited, {"user": {"tokens_per_minute": 100}})
    answer = chat(limited, tenant.gateway_key, max_tokens=200)
    assert answer.status_code == 429
    message = answer.json()["error"]["message"]
    assert "Request too large for this user on tokens per min (TPM): Limit 100" in message
