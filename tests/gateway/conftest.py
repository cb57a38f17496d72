"""A local upstream, gateways on the test databases, tenants with keys, and clients.

`gateway` serves from the SQLite database; `gateway_db` from each backend in turn (tests
using it run on SQLite and on PostgreSQL). Gateways start once per database and session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import openai
import pytest

from support import RunningGateway, Tenant, UpstreamServer, make_client, new_tenant, run_gateway
from support.config import gateway_settings


@pytest.fixture(scope="session")
def upstream() -> Iterator[UpstreamServer]:
    server = UpstreamServer()
    server.start()
    yield server
    server.stop()


class Gateways:
    """One gateway per database URL, started on first use, stopped at the session's end."""

    def __init__(self, upstream: UpstreamServer, stack: ExitStack) -> None:
        self._upstream = upstream
        self._stack = stack
        self._running: dict[str, RunningGateway] = {}

    def for_database(self, url: str) -> RunningGateway:
        if url not in self._running:
            settings = gateway_settings(url, self._upstream)
            self._running[url] = self._stack.enter_context(run_gateway(settings))
        return self._running[url]


@pytest.fixture(scope="session")
def gateways(upstream: UpstreamServer) -> Iterator[Gateways]:
    with ExitStack() as stack:
        yield Gateways(upstream, stack)


@pytest.fixture(scope="session")
def gateway(gateways: Gateways, sqlite_url: str) -> RunningGateway:
    return gateways.for_database(sqlite_url)


@pytest.fixture(scope="session")
def gateway_db(gateways: Gateways, db_url: str) -> RunningGateway:
    return gateways.for_database(db_url)


@pytest.fixture
def tenant(gateway: RunningGateway) -> Tenant:
    return new_tenant(gateway)


@pytest.fixture
def client(gateway: RunningGateway, tenant: Tenant) -> Iterator[openai.OpenAI]:
    with make_client(gateway, tenant.gateway_key) as client:
        yield client


@pytest.fixture
def tenant_key(tenant: Tenant) -> str:
    return tenant.gateway_key
