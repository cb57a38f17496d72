"""Rate limits in Redis: replicas share one limit; an outage refuses calls unless told not to."""

from __future__ import annotations

import pytest

from agentshield.settings import Settings
from support import UpstreamServer, new_tenant, run_gateway
from support.config import closed_port, gateway_settings
from support.ratelimit import chat, limited_tenant
from support.redis import redis_url, unique_prefix


def test_two_gateways_sharing_redis_obey_one_limit(
    upstream: UpstreamServer, sqlite_url: str
) -> None:
    settings = gateway_settings(
        sqlite_url, upstream, redis_url=redis_url(), redis_key_prefix=unique_prefix()
    )
    with run_gateway(settings) as one, run_gateway(settings) as two:
        tenant = limited_tenant(one, {"tenant": {"requests_per_minute": 4}})
        key = tenant.gateway_key
        statuses = [chat(gw, key).status_code for gw in (one, two, one, two, one, two)]
        assert statuses == [200, 200, 200, 200, 429, 429]
        refused = chat(two, key)
        assert refused.headers["retry-after"] == "15"  # 4 per minute: one back every 15 s


def down_settings(upstream: UpstreamServer, sqlite_url: str, *, fail_open: bool) -> Settings:
    return gateway_settings(
        sqlite_url,
        upstream,
        redis_url=f"redis://127.0.0.1:{closed_port()}/0",
        rate_limits={"key": {"requests_per_minute": 100}},
        rate_limit_fail_open=fail_open,
    )


def test_with_redis_down_calls_are_refused_by_default(
    upstream: UpstreamServer, sqlite_url: str
) -> None:
    assert Settings.model_fields["rate_limit_fail_open"].default is False
    with run_gateway(down_settings(upstream, sqlite_url, fail_open=False)) as gw:
        answer = chat(gw, new_tenant(gw).gateway_key)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["error"]["code"] == "rate_limiter_unavailable"


@pytest.mark.parametrize("limits", [None, {"key": {"requests_per_minute": 1}}])
def test_with_redis_down_and_fail_open_calls_pass_unlimited(
    upstream: UpstreamServer, sqlite_url: str, limits: dict[str, dict[str, int]] | None
) -> None:
    with run_gateway(down_settings(upstream, sqlite_url, fail_open=True)) as gw:
        key = limited_tenant(gw, limits).gateway_key
        answers = [chat(gw, key) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "x-ratelimit-limit-requests" not in answers[0].headers
