"""What budgets cost: gateway throughput with the budget guard off and on, in the same run.

The same gateway setup as `gateway_overhead.py` (one uvicorn worker on its own core, the
lean upstream, a raw httptools client), run three times on one database:

- `off`: the default guards without `budget`;
- `on, no limits`: with `budget`, for a tenant that has no quota or wallet;
- `on, limits`: with `budget`, for a tenant whose calls reserve and settle against a
  prepaid wallet and four quotas (user daily USD, department daily tokens, tenant monthly
  USD, key daily USD), all large enough never to refuse.

    .venv/bin/python benchmarks/budget_overhead.py [--requests 10000] [--concurrency 32]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]

Goal (issue 5): budgets cost at most 15% of throughput at concurrency 32, i.e. `on, limits`
serves at least 0.85 of `off`'s requests per second.

Each run also prints the gateway process's CPU time per request (`cpu µs/req`, read from
/proc), and the summary its ratio: the gateway runs on one core, so that ratio is the
throughput ratio the core allows, and it moves less than req/s when the host's speed does.
On a shared host whose speed moves from minute to minute, the median over the rounds of
each round's own ratio (its runs follow each other within seconds) is the steadiest
figure; the best of the rounds is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import uvloop

from gateway_overhead import gateway_before_upstream, load, make_key, request_bytes

WITHOUT_BUDGET = ["ratelimit", "pii", "cost", "audit"]
ON = ["ratelimit", "pii", "budget", "cost", "audit"]
MILLION_USD = 10**6 * 10**9


async def limited_tenant(database_url: str) -> str:
    """A tenant whose calls reserve against a wallet and four quotas; its gateway key."""
    from agentshield.store import budget, tenancy
    from agentshield.store.db import Database

    db = Database(database_url)
    now = datetime.now(UTC)
    try:
        async with db.transaction() as session:
            made = await tenancy.signup(
                session, tenant_name=f"Bench {uuid.uuid4().hex[:6]}", owner_email="b@bench.test"
            )
            tenant_id = made.tenant.id
            wallet = await budget.open_wallet(
                session, tenant_id, owner_scope="tenant", owner_id=tenant_id
            )
            await budget.top_up(session, tenant_id, wallet.id, MILLION_USD, now)
            for scope, scope_id, period, metric in (
                ("user", made.owner.id, "daily", "usd"),
                ("department", made.department.id, "daily", "tokens"),
                ("tenant", tenant_id, "monthly", "usd"),
                ("key", made.gateway_key.row.id, "daily", "usd"),
            ):
                await budget.set_quota(
                    session,
                    tenant_id,
                    scope=scope,
                    scope_id=scope_id,
                    period=period,
                    metric=metric,
                    limit=MILLION_USD if metric == "usd" else 10**15,
                )
        return made.gateway_key.secret
    finally:
        await db.dispose()


def measure(
    database_url: str, guards: list[str], key: str, requests: int, concurrency: int
) -> dict[str, float]:
    """Load figures, and the gateway process's CPU time per request (`cpu_us`)."""
    with gateway_before_upstream(database_url, guards) as (_, gateway_port, pid):
        raw = request_bytes(gateway_port, "/v1/chat/completions", key)
        cpu = cpu_seconds(pid)
        result = uvloop.run(load(gateway_port, raw, requests, concurrency))
        return {**result, "cpu_us": (cpu_seconds(pid) - cpu) / result["sent"] * 1e6}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, interleaved")
    parser.add_argument("--database-url", help="a database to migrate and use instead of SQLite")
    args = parser.parse_args()

    from agentshield.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="agentshield-bench-") as workdir:
        database_url = args.database_url or f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
        upgrade(database_url)
        plain = asyncio.run(make_key(database_url))
        limited = asyncio.run(limited_tenant(database_url))
        runs = (
            ("off", WITHOUT_BUDGET, plain),
            ("on, no limits", ON, plain),
            ("on, limits", ON, limited),
        )
        best: dict[str, dict[str, float]] = {}
        least_cpu: dict[str, float] = {}
        rounds: list[dict[str, dict[str, float]]] = []
        print(
            f"{'budgets':16} {'conc':>4} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} "
            f"{'cpu µs/req':>10} {'fail':>5}"
        )
        for _ in range(args.rounds):  # interleaved, so host noise hits all alike
            rounds.append({})
            for name, guards, key in runs:
                r = rounds[-1][name] = measure(
                    database_url, guards, key, args.requests, args.concurrency
                )
                if name not in best or r["rps"] > best[name]["rps"]:
                    best[name] = r
                least_cpu[name] = min(r["cpu_us"], least_cpu.get(name, r["cpu_us"]))
                print(
                    f"{name:16} {args.concurrency:>4} {r['p50']:>8.3f} {r['p99']:>8.3f} "
                    f"{r['rps']:>8.0f} {r['cpu_us']:>10.0f} {r['failures']:>5.0f}"
                )
        off = best["off"]["rps"]
        for name in ("on, no limits", "on, limits"):
            ratio = best[name]["rps"] / off
            cpu_ratio = least_cpu["off"] / least_cpu[name]
            print(
                f"best of {args.rounds}: {name}: {best[name]['rps']:.0f} req/s against "
                f"{off:.0f} off, ratio {ratio:.2f} (costs {100 * (1 - ratio):.0f}% of throughput); "
                f"CPU {least_cpu[name]:.0f} against {least_cpu['off']:.0f} µs a request, "
                f"ratio {cpu_ratio:.2f}"
            )
            by_rps = statistics.median(r[name]["rps"] / r["off"]["rps"] for r in rounds)
            by_cpu = statistics.median(r["off"]["cpu_us"] / r[name]["cpu_us"] for r in rounds)
            print(
                f"median of {args.rounds} rounds' own ratios: {name}: {by_rps:.2f} by req/s, "
                f"{by_cpu:.2f} by CPU a request"
            )


if __name__ == "__main__":
    main()
