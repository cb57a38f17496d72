"""Where limits come from, and the arithmetic both counter backends share."""

from __future__ import annotations

import pytest

from agentshield.engines.ratelimit import PERIOD_MS, Limit, decide, duration, merge

DEFAULTS = {
    "key": {"requests_per_minute": 60, "tokens_per_minute": None},
    "user": {"requests_per_minute": None, "tokens_per_minute": 10_000},
    "tenant": {},
}


def test_a_tenant_overrides_what_it_names_and_keeps_the_rest() -> None:
    table = merge(
        DEFAULTS, {"key": {"requests_per_minute": None}, "tenant": {"tokens_per_minute": 5}}
    )
    assert table["key"] == {"requests_per_minute": None, "tokens_per_minute": None}
    assert table["user"] == {"requests_per_minute": None, "tokens_per_minute": 10_000}
    assert table["tenant"] == {"tokens_per_minute": 5}


def test_no_tenant_document_keeps_the_defaults() -> None:
    assert merge(DEFAULTS, None)["key"]["requests_per_minute"] == 60


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"team": {"requests_per_minute": 1}},
        {"key": {"requests_per_hour": 1}},
        {"key": {"requests_per_minute": 0}},
        {"key": {"requests_per_minute": "10"}},
        {"key": {"requests_per_minute": True}},
        {"key": {"tokens_per_minute": 10**10}},
    ],
)
def test_an_invalid_tenant_document_is_refused(doc: object) -> None:
    with pytest.raises(ValueError, match="rate_limits"):
        merge(DEFAULTS, doc)


def test_refusal_names_the_limit_that_waits_longest() -> None:
    requests = Limit("r", "key", "requests", 10, 1)
    tokens = Limit("t", "tenant", "tokens", 100, 50)
    # requests: full (10 outstanding); tokens: 80 of 100 outstanding
    decision = decide([requests, tokens], [10 * PERIOD_MS, 80 * PERIOD_MS])
    assert not decision.allowed
    # requests wait 6 s for one; tokens wait for 30 of 100 per minute: 18 s
    assert (decision.retry_after_ms, decision.refused_by) == (18_000, tokens)
    assert [s.remaining for s in decision.statuses] == [0, 20]


@pytest.mark.parametrize(
    ("ms", "text"), [(0, "0ms"), (20, "20ms"), (1500, "1.5s"), (6000, "6s"), (360_000, "6m0s")]
)
def test_reset_times_read_as_openai_writes_them(ms: int, text: str) -> None:
    assert duration(ms) == text
