"""Gateways serving the management API on each test database, and clients for them.

`api` serves with signup off (the default) and `open_api` with signup on; tests using either
run on SQLite and on PostgreSQL. Both take Stripe top-ups through `fake_stripe`. Each
gateway starts once per database and session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from fastapi import FastAPI

from agentshield.api import router
from agentshield.settings import ProviderSettings, Settings, StripeSettings, UsageSettings
from support import RunningGateway, Tenant, new_tenant, run_gateway
from support.config import NO_SWEEP
from support.fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripe

Connect = Callable[..., httpx.Client]
# Served by the mock provider and priced by no shipped list: test_prices owns it alone.
MOCK_MODEL = "priced-mock"


class Servers:
    """Gateways started on first use, keyed by database URL and whether signup is on."""

    def __init__(self, stack: ExitStack, stripe: FakeStripe) -> None:
        self._stack = stack
        self._stripe = stripe
        self._running: dict[tuple[str, bool], RunningGateway] = {}

    def get(self, url: str, *, signup: bool) -> RunningGateway:
        if (url, signup) not in self._running:
            settings = Settings(
                environment="test",
                database_url=url,
                signup_enabled=signup,
                providers=[ProviderSettings(name="mock", type="mock", models=[MOCK_MODEL])],
                usage=UsageSettings(flush_interval=0.05),
                budget=NO_SWEEP,
                stripe=StripeSettings(
                    api_key_env="AGENTSHIELD_TEST_STRIPE_KEY",
                    webhook_secret_env="AGENTSHIELD_TEST_STRIPE_WEBHOOK_SECRET",
                    success_url="https://app.test/billing/done",
                    cancel_url="https://app.test/billing",
                    api_base=self._stripe.url,
                ),
            )
            with pytest.MonkeyPatch.context() as env:  # the secrets are read at start only
                env.setenv("AGENTSHIELD_TEST_STRIPE_KEY", API_KEY)
                env.setenv("AGENTSHIELD_TEST_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
                running = self._stack.enter_context(run_gateway(settings))
            self._running[(url, signup)] = running
        return self._running[(url, signup)]


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    """What the gateways take for api.stripe.com."""
    stripe = FakeStripe()
    stripe.start()
    yield stripe
    stripe.stop()


@pytest.fixture(scope="session")
def servers(fake_stripe: FakeStripe) -> Iterator[Servers]:
    with ExitStack() as stack:
        yield Servers(stack, fake_stripe)


@pytest.fixture(scope="session")
def api(servers: Servers, db_url: str) -> RunningGateway:
    return servers.get(db_url, signup=False)


@pytest.fixture(scope="session")
def open_api(servers: Servers, db_url: str) -> RunningGateway:
    return servers.get(db_url, signup=True)


@pytest.fixture
def connect() -> Iterator[Connect]:
    """`connect(gateway, key=None)`: an HTTP client sending `key` as its Bearer token."""
    with ExitStack() as stack:

        def open_client(gw: RunningGateway, key: str | None = None) -> httpx.Client:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            client = httpx.Client(base_url=gw.url, headers=headers, timeout=30)
            return stack.enter_context(client)

        yield open_client


@pytest.fixture(scope="session")
def mock_model() -> str:
    return MOCK_MODEL


@pytest.fixture
def tenant(api: RunningGateway) -> Tenant:
    return new_tenant(api)


@pytest.fixture
def admin(api: RunningGateway, tenant: Tenant, connect: Connect) -> httpx.Client:
    """The tenant's owner, through the admin key made at signup."""
    return connect(api, tenant.admin_key)


@pytest.fixture(scope="session")
def management_routes() -> list[tuple[str, str]]:
    """Every (method, path) of `agentshield.api.router`, read from its OpenAPI document."""
    app = FastAPI()
    app.include_router(router)
    paths = app.openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() for method in ops)
