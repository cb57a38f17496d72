"""What one call's reserve and settle cost the database side, without the gateway around it.

For a tenant whose calls reserve against a prepaid wallet and four quotas (as in
`budget_overhead.py`), on one SQLite file, in the same run:

- `group commit`: the steps the gateway runs (`hold_many`, `end_many`) on a raw sqlite3
  connection, --batch calls to a transaction, as concurrent calls share one under load;
- `one transaction per call`: `budget.reserve` and `budget.settle`, each in its own ORM
  transaction through aiosqlite, as the gateway did before group commit.

    .venv/bin/python benchmarks/budget_steps.py [--calls 6000] [--batch 12]

Prints microseconds per call (reserve + settle) for each, split for group commit into the
reserve step, the settle step and the commits, and the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import uvloop

from agentshield.engines.identity import Caller
from agentshield.store import budget
from agentshield.store.budget.cache import LimitCache
from agentshield.store.budget.limits import Limits
from agentshield.store.budget.reserve import HoldRequest, hold_many
from agentshield.store.budget.settle import Ending, end_many
from agentshield.store.db import PRAGMAS, Database
from agentshield.store.group_commit import RawSql, run_steps
from agentshield.store.keys import KeyResolver
from agentshield.store.migrate import upgrade
from budget_overhead import limited_tenant

CENT = 10_000_000
T = TypeVar("T")


async def caller_and_limits(url: str) -> tuple[Caller, Limits]:
    key = await limited_tenant(url)
    db = Database(url)
    try:
        caller = await KeyResolver(db, ttl=60).resolve(key)
        assert caller is not None
        return caller, await LimitCache(db, 60).limits(caller)
    finally:
        await db.dispose()


def group_commit(
    path: str, caller: Caller, limits: Limits, calls: int, batch: int
) -> dict[str, float]:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    connection.execute("PRAGMA wal_autocheckpoint=0")  # the gateway checkpoints off the loop
    sql = RawSql(connection)
    spent = {"reserve": 0.0, "settle": 0.0, "commit": 0.0}

    def timed(part: str, work: Callable[..., T], *args: object) -> T:
        started = time.perf_counter()
        result = work(*args)
        spent[part] += time.perf_counter() - started
        return result

    for _ in range(calls // batch):
        connection.execute("BEGIN IMMEDIATE")
        now = datetime.now(UTC)
        holds = [HoldRequest(limits, caller.tenant_id, CENT, 100, now, "bench")] * batch
        (held,) = timed("reserve", run_steps, sql, [(hold_many, holds)])
        assert all(isinstance(h, budget.Held) for h in held), held
        timed("commit", connection.execute, "COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        ends = [Ending(h.reservation_id, now, True, CENT // 2, 50) for h in held]
        timed("settle", run_steps, sql, [(end_many, ends)])
        timed("commit", connection.execute, "COMMIT")
    connection.close()
    return {part: seconds / calls * 1e6 for part, seconds in spent.items()}


async def per_call(url: str, caller: Caller, calls: int) -> float:
    db = Database(url)
    started = time.perf_counter()
    for _ in range(calls):
        now = datetime.now(UTC)
        async with db.transaction() as session:
            held = await budget.reserve(session, caller, CENT, 100, now)
        assert isinstance(held, budget.Held) and held.reservation_id is not None
        async with db.transaction() as session:
            await budget.settle(session, held.reservation_id, CENT // 2, 50, now)
    elapsed = time.perf_counter() - started
    await db.dispose()
    return elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=12, help="calls per group commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agentshield-bench-") as workdir:
        path = str(Path(workdir) / "bench.db")
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        caller, limits = uvloop.run(caller_and_limits(url))
        group_commit(path, caller, limits, 10 * args.batch, args.batch)  # warm-up
        ours = group_commit(path, caller, limits, args.calls, args.batch)
        theirs = uvloop.run(per_call(url, caller, max(200, args.calls // 10)))
    total = sum(ours.values())
    parts = ", ".join(f"{part} {us:.0f}" for part, us in ours.items())
    print(f"group commit (batches of {args.batch}) {total:8.0f} µs a call  ({parts})")
    print(f"one transaction per call      {theirs:8.0f} µs a call")
    print(f"ratio                         {theirs / total:8.1f}x")


if __name__ == "__main__":
    main()
