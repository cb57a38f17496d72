"""Liveness, readiness, metrics, and refusing to start on a configuration that cannot run."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest
from sqlalchemy import text

from agentshield.engines.money import to_usd_string
from agentshield.server import create_app
from agentshield.settings import ConfigError, ProviderSettings
from agentshield.store.db import Database
from agentshield.store.migrate import upgrade
from agentshield.store.prices import upsert_price
from support import GatewayStartError, RunningGateway, Tenant, new_tenant, run_gateway
from support.config import gateway_settings
from support.tenants import make_client
from support.upstream import COMPLETION_TOKENS, PROMPT_TOKENS, UpstreamServer


@pytest.fixture
def fresh_db(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    return url


def test_health_and_metrics(gateway: RunningGateway, client: openai.OpenAI) -> None:
    client.models.list()
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    assert httpx.get(f"{gateway.url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{gateway.url}/ready").json() == {"status": "ready"}
    metrics = httpx.get(f"{gateway.url}/metrics")
    assert metrics.status_code == 200
    assert 'agentshield_http_requests_total{endpoint="/v1/models",status="200"}' in metrics.text
    assert 'endpoint="/v1/chat/completions",status="404"' in metrics.text
    assert 'agentshield_gateway_decisions_total{decision="error"}' in metrics.text
    assert "agentshield_http_request_duration_seconds_bucket" in metrics.text


def test_ready_is_503_with_the_reason_when_the_schema_falls_behind(
    fresh_db: str, upstream: UpstreamServer
) -> None:
    with run_gateway(gateway_settings(fresh_db, upstream)) as gw:

        async def roll_back_schema(db: Database) -> None:
            async with db.transaction() as session:
                await session.execute(text("UPDATE alembic_version SET version_num = 'old'"))

        gw.call(roll_back_schema)
        response = httpx.get(f"{gw.url}/ready")
        assert response.status_code == 503
        assert "run `agentshield migrate`" in response.json()["reason"]
        assert httpx.get(f"{gw.url}/health").status_code == 200


def test_start_stops_with_one_clear_line_on_an_unmigrated_database(
    tmp_path: Path, upstream: UpstreamServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", upstream)
    with pytest.raises(GatewayStartError), run_gateway(settings):
        pass
    assert "database schema is empty, code needs" in caplog.text
    assert "run `agentshield migrate`" in caplog.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"guards": ["audit", "no-such-guard"]}, "unknown guard(s) ['no-such-guard']"),
        ({"guards": ["cost", "cost"]}, "names a guard twice"),
    ],
)
def test_an_unknown_guard_stops_the_app_at_start(
    sqlite_url: str, upstream: UpstreamServer, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(gateway_settings(sqlite_url, upstream, **overrides))
    assert message in str(caught.value)


def test_a_model_served_twice_or_a_missing_key_variable_stops_the_app(
    sqlite_url: str, upstream: UpstreamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    twice = ProviderSettings(name="again", base_url=upstream.url, models=["gpt-4o-mini"])
    settings = gateway_settings(sqlite_url, upstream)
    with pytest.raises(ConfigError, match="served by both 'local' and 'again'"):
        create_app(settings.model_copy(update={"providers": [*settings.providers, twice]}))
    monkeypatch.delenv("AGENTSHIELD_TEST_UNSET_KEY", raising=False)
    keyed = ProviderSettings(
        name="keyed", base_url=upstream.url, models=["k"], api_key_env="AGENTSHIELD_TEST_UNSET_KEY"
    )
    with pytest.raises(ConfigError, match="AGENTSHIELD_TEST_UNSET_KEY is not set"):
        create_app(settings.model_copy(update={"providers": [keyed]}))


def test_the_provider_key_goes_upstream_and_edited_prices_apply_after_reload(
    fresh_db: str, upstream: UpstreamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-provider")
    provider = ProviderSettings(
        name="keyed", base_url=upstream.url, models=["gpt-4o-mini"], api_key_env="TEST_PROVIDER_KEY"
    )
    with run_gateway(gateway_settings(fresh_db, upstream, providers=[provider])) as gw:
        tenant: Tenant = new_tenant(gw)

        async def set_price(db: Database) -> None:
            async with db.transaction() as session:
                await upsert_price(session, "gpt-4o-mini", 1_000_000_000, 2_000_000_000)
            await gw.app.state.prices.reload(db)

        gw.call(set_price)
        with make_client(gw, tenant.gateway_key) as client:
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "hi"}],
                extra_body={"upstream_test": {"tag": "keyed"}},
            )
    # USD 1 and 2 per million tokens: 1,000 and 2,000 nano-dollars a token.
    expected = PROMPT_TOKENS * 1_000 + COMPLETION_TOKENS * 2_000
    assert raw.headers["x-agentshield-cost"] == to_usd_string(expected)
    assert upstream.by_tag("keyed").headers["Authorization"] == "Bearer sk-test-provider"
