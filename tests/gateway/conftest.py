"""A local upstream, gateways on the test databases, tenants with keys, and clients.

`gateway` serves from the SQLite database; `gateway_db` from each backend in turn (tests
using it run on SQLite and on PostgreSQL); `plain_gateway` from SQLite without the PII guard,
for tests of the stream's transport, which must see each chunk as the upstream sent it
(the PII guard holds a tail back). Gateways start once per configuration and session.
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
        self._running: dict[tuple[str, tuple[str, ...] | None], RunningGateway] = {}

    def for_database(self, url: str, guards: tuple[str, ...] | None = None) -> RunningGateway:
        if (url, guards) not in self._running:
            overrides = {} if guards is None else {"guards": list(guards)}
            settings = gateway_settings(url, self._upstream, **overrides)
            self._running[(url, guards)] = self._stack.enter_context(run_gateway(settings))
        return self._running[(url, guards)]


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


@pytest.fixture(scope="session")
def plain_gateway(gateways: Gateways, sqlite_url: str) -> RunningGateway:
    return gateways.for_database(sqlite_url, ("cost", "audit"))


@pytest.fixture
def plain_client(plain_gateway: RunningGateway) -> Iterator[openai.OpenAI]:
    with make_client(plain_gateway, new_tenant(plain_gateway).gateway_key) as client:
        yield client


@pytest.fixture
def tenant_db(gateway_db: RunningGateway) -> Tenant:
    return new_tenant(gateway_db)


@pytest.fixture
def client_db(gateway_db: RunningGateway, tenant_db: Tenant) -> Iterator[openai.OpenAI]:
    with make_client(gateway_db, tenant_db.gateway_key) as client:
        yield client


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
