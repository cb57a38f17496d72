"""Budgets held by the database across gateway processes: two uvicorn processes on the
real PostgreSQL and Redis share one prepaid wallet, and what a killed process's calls held
comes back once its lease lapses. (One process on each backend is in test_budget_guard.py.)

Each call costs exactly one cent: the model is priced at zero per token and the call
offers the `web_search` tool ($0.01 a run), which the test upstream always calls once, so
the reservation and the charge are both $0.01.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from agentshield.store import budget, tenancy
from agentshield.store.db import Database
from agentshield.store.models import BudgetLease, LedgerEntry, Wallet
from agentshield.store.prices import upsert_price
from support.config import closed_port
from support.redis import redis_url, unique_prefix
from support.upstream import UpstreamServer

CENT = 10_000_000
MODEL = "cent-model"
WEB_SEARCH = {"type": "function", "function": {"name": "web_search", "parameters": {}}}
START_TIMEOUT = 30.0


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    server = UpstreamServer()
    server.start()
    yield server
    server.stop()


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _tenant_with_wallet(url: str, dollars: int) -> tuple[str, uuid.UUID]:
    db = Database(url)
    try:
        async with db.transaction() as session:
            await upsert_price(session, MODEL, 0, 0)
            made = await tenancy.signup(
                session, tenant_name=f"Procs {uuid.uuid4().hex[:8]}", owner_email="o@p.test"
            )
            tenant_id = made.tenant.id
            wallet = await budget.open_wallet(
                session, tenant_id, owner_scope="tenant", owner_id=tenant_id
            )
            await budget.top_up(session, tenant_id, wallet.id, dollars * 100 * CENT, _now())
        return made.gateway_key.secret, wallet.id
    finally:
        await db.dispose()


async def _wallet(url: str, wallet_id: uuid.UUID) -> tuple[int, int, bool, dict[str, int]]:
    db = Database(url)
    try:
        async with db.read() as session:
            wallet = await session.get(Wallet, wallet_id)
            assert wallet is not None
            reconciled = await budget.reconcile(session, wallet_id)
            kinds = dict(
                (
                    await session.execute(
                        select(LedgerEntry.kind, func.count())
                        .where(LedgerEntry.wallet_id == wallet_id)
                        .group_by(LedgerEntry.kind)
                    )
                ).all()
            )
        return wallet.balance_nanos, wallet.reserved_nanos, reconciled.ok, kinds
    finally:
        await db.dispose()


async def _live_lease(url: str, pid: int) -> uuid.UUID | None:
    """The lease a gateway process holds under, if it has one."""
    db = Database(url)
    try:
        async with db.read() as session:
            return await session.scalar(
                select(BudgetLease.id).where(BudgetLease.owner.endswith(f":{pid}"))
            )
    finally:
        await db.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _gateway(
    url: str, upstream: UpstreamServer, **budget_settings: float
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`agentshield.server` under uvicorn in its own process, on PostgreSQL and Redis."""
    port = closed_port()
    env = os.environ | {
        "AGENTSHIELD_ENVIRONMENT": "test",
        "AGENTSHIELD_DATABASE_URL": url,
        "AGENTSHIELD_REDIS_URL": redis_url(),
        "AGENTSHIELD_REDIS_KEY_PREFIX": unique_prefix(),
        "AGENTSHIELD_GUARDS": json.dumps(["ratelimit", "budget", "cost", "audit"]),
        "AGENTSHIELD_PROVIDERS": json.dumps(
            [{"name": "local", "base_url": upstream.url, "models": [MODEL]}]
        ),
    }
    env |= {f"AGENTSHIELD_BUDGET__{k.upper()}": str(v) for k, v in budget_settings.items()}
    env.pop("AGENTSHIELD_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "agentshield.server:create_app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, f"the gateway exited: {server.communicate()[1]}"
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.1)
        yield base, server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        assert server.stderr is not None
        server.stderr.close()


def _body(**upstream_test: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": "look it up"}],
        "tools": [WEB_SEARCH],
        "upstream_test": {"tool_calls": ["web_search"], **upstream_test},
    }


async def _calls(bases: list[str], key: str, count: int, **upstream_test: Any) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as client:

        async def one(i: int) -> int:
            base = bases[i % len(bases)]
            answer = await client.post(f"{base}/v1/chat/completions", json=_body(**upstream_test))
            return answer.status_code

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def test_two_processes_spend_a_dollar_exactly_once(
    postgres_url: str, upstream: UpstreamServer
) -> None:
    key, wallet_id = _run(_tenant_with_wallet(postgres_url, dollars=1))
    with ExitStack() as stack:
        bases = [stack.enter_context(_gateway(postgres_url, upstream))[0] for _ in range(2)]
        statuses = _run(_calls(bases, key, 200))
    assert statuses.count(200) == 100
    assert statuses.count(402) == 100
    balance, reserved, reconciled, kinds = _run(_wallet(postgres_url, wallet_id))
    assert (balance, reserved, reconciled) == (0, 0, True)
    assert kinds["settle"] == 100 and kinds["top_up"] == 1 and "release" not in kinds


def test_a_killed_process_reservations_come_back(
    postgres_url: str, upstream: UpstreamServer
) -> None:
    key, wallet_id = _run(_tenant_with_wallet(postgres_url, dollars=1))
    # A lease lapses 3 s after its process last renewed it (each sweep and batch does).
    fast_expiry = {"lease_ttl": 3.0, "sweep_interval": 0.2}
    with _gateway(postgres_url, upstream, **fast_expiry) as (survivor, _):
        with _gateway(postgres_url, upstream, **fast_expiry) as (doomed, doomed_process):
            # Five calls held upstream for a minute: their cents are reserved meanwhile.
            calls = asyncio.new_event_loop()
            pending = calls.create_task(_calls([doomed], key, 5, delay=60))
            deadline = time.monotonic() + 20
            while _run(_wallet(postgres_url, wallet_id))[1] < 5 * CENT:
                calls.run_until_complete(asyncio.sleep(0.05))
                assert time.monotonic() < deadline, "the calls were never reserved"
            assert _run(_live_lease(postgres_url, doomed_process.pid)) is not None
            doomed_process.kill()
            pending.cancel()
            calls.run_until_complete(asyncio.gather(pending, return_exceptions=True))
            calls.close()
        deadline = time.monotonic() + 20
        while (state := _run(_wallet(postgres_url, wallet_id)))[1] != 0:
            assert time.monotonic() < deadline, f"the holds never came back: {state}"
            time.sleep(0.1)
        balance, reserved, reconciled, kinds = state
        assert (balance, reserved, reconciled) == (100 * CENT, 0, True)
        assert kinds["expire"] >= 1 and "settle" not in kinds
        assert _run(_live_lease(postgres_url, doomed_process.pid)) is None  # swept
        # The surviving process still serves against the whole dollar.
        assert _run(_calls([survivor], key, 3)) == [200, 200, 200]
    assert _run(_wallet(postgres_url, wallet_id))[0] == 97 * CENT
