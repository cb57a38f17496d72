"""What one call's reserve and settle cost the database side, without the gateway around it.

For a tenant whose calls reserve against a prepaid wallet and four quotas (as in
`budget_overhead.py`), on one SQLite file, the budget step (`store/budget/step.py`) on a
raw sqlite3 connection as the gateway runs it, in the same run:

- `batched`: --batch calls to a transaction, as concurrent calls share one under load;
- `one call a transaction`: the same step for each call alone (the baseline: what a call
  costs when nothing else is in flight, and what the batching saves).

    .venv/bin/python benchmarks/budget_steps.py [--calls 6000] [--batch 12]

Prints microseconds per call (reserve + settle) for each, split into the reserve step, the
settle step and the commits, and the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import uvloop

from agentshield.engines.identity import Caller
from agentshield.store.budget import Held
from agentshield.store.budget.cache import LimitCache
from agentshield.store.budget.holds import Ending, HoldRequest, Leases
from agentshield.store.budget.limits import Limits
from agentshield.store.budget.step import budget_step
from agentshield.store.db import PRAGMAS, Database
from agentshield.store.group_commit import RawSql
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


def run(path: str, caller: Caller, limits: Limits, calls: int, batch: int) -> dict[str, float]:
    """Microseconds per call in each part, `batch` calls to a transaction."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    connection.execute("PRAGMA wal_autocheckpoint=0")  # the gateway checkpoints off the loop
    sql = RawSql(connection)
    leases = Leases("bench", timedelta(minutes=5))
    spent = {"reserve": 0.0, "settle": 0.0, "commit": 0.0}

    def timed(part: str, work: Callable[..., T], *args: object) -> T:
        started = time.perf_counter()
        result = work(*args)
        spent[part] += time.perf_counter() - started
        return result

    for _ in range(calls // batch):
        now = datetime.now(UTC)
        holds = [HoldRequest(leases, limits, CENT, 100, now, "bench") for _ in range(batch)]
        connection.execute("BEGIN IMMEDIATE")
        held = timed("reserve", budget_step, sql, holds)
        timed("commit", connection.execute, "COMMIT")
        assert all(isinstance(h, Held) for h in held), held
        ends = [Ending(leases, h, now, True, CENT // 2, 50) for h in held]  # type: ignore[arg-type]
        connection.execute("BEGIN IMMEDIATE")
        timed("settle", budget_step, sql, ends)
        timed("commit", connection.execute, "COMMIT")
    connection.close()
    return {part: seconds / calls * 1e6 for part, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=12, help="calls per transaction")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agentshield-bench-") as workdir:
        path = str(Path(workdir) / "bench.db")
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        caller, limits = uvloop.run(caller_and_limits(url))
        run(path, caller, limits, 10 * args.batch, args.batch)  # warm-up
        batched = run(path, caller, limits, args.calls, args.batch)
        alone = run(path, caller, limits, max(600, args.calls // 5), 1)
    for name, parts in (
        (f"batched ({args.batch} a transaction)", batched),
        ("one call a transaction", alone),
    ):
        detail = ", ".join(f"{part} {us:.0f}" for part, us in parts.items())
        print(f"{name:34s} {sum(parts.values()):8.1f} µs a call  ({detail})")
    print(f"ratio                              {sum(alone.values()) / sum(batched.values()):8.1f}x")


if __name__ == "__main__":
    main()
