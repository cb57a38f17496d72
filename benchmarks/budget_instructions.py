"""What budgets cost, counted in instructions: the gateway under callgrind, off and on.

`budget_overhead.py` measures throughput and CPU time, which move with the host's speed
(on a shared machine by 1.5x from one minute to the next). Instructions do not: this runs
the same gateway, load and tenants as `budget_overhead.py`, with the gateway process under
valgrind's callgrind, counting only while the measured requests run (after a warm-up),
and prints instructions per request for `off` and `on, limits` and their ratio. Under
callgrind the gateway runs some 50 times slower; batches still form as they do at full
speed, since the upstream and the client wait on the gateway alike. System time (the WAL's
writes) is not counted.

    apt-get install valgrind
    .venv/bin/python benchmarks/budget_instructions.py [--requests 1500] [--concurrency 32]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]

On PostgreSQL, instructions count the gateway's work only, not the server's nor the wait
for its answers: that costs throughput that counting cannot see (budget_overhead.py does).

Goal (issue 5, by throughput): `on, limits` at least 0.85 of `off`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import uvloop

from budget_overhead import ON, WITHOUT_BUDGET, limited_tenant
from gateway_overhead import gateway_settings, load, make_key, request_bytes
from lean_upstream import free_port, start_in_process, wait_for_port

WARM_UP = 300
HERE = Path(__file__).resolve().parent


def instructions_per_request(
    database_url: str,
    upstream_port: int,
    guards: list[str],
    key: str,
    requests: int,
    concurrency: int,
    out: Path,
) -> float:
    port = free_port()
    settings = json.dumps(gateway_settings(database_url, upstream_port, guards))
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); "
        "from gateway_overhead import serve_gateway; "
        f"serve_gateway(json.loads({settings!r}), {port})"
    )
    callgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    gateway = subprocess.Popen(
        [*callgrind, f"--callgrind-out-file={out}", sys.executable, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=600)
        raw = request_bytes(port, "/v1/chat/completions", key)
        uvloop.run(load(port, raw, WARM_UP, concurrency))
        _instrument(gateway.pid, "on")
        sent = uvloop.run(load(port, raw, requests, concurrency))["sent"]
        _instrument(gateway.pid, "off")
    finally:
        gateway.terminate()
        gateway.wait()
    return _total(out) / sent


def _instrument(pid: int, state: str) -> None:
    command = ["callgrind_control", "--instr", state, str(pid)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _total(out: Path) -> int:
    """The instructions counted, from callgrind's dump (written when the gateway exits;
    its `summary:` and `totals:` lines, the larger where one reads 0)."""
    lines = out.read_text().splitlines()
    totals = [int(line.split()[1]) for line in lines if line.startswith(("summary:", "totals:"))]
    if not totals or max(totals) == 0:
        raise RuntimeError(f"nothing counted in {out}")
    return max(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", help="a database to migrate and use instead of SQLite")
    args = parser.parse_args()

    from agentshield.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="agentshield-bench-") as workdir:
        database_url = args.database_url or f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
        upgrade(database_url)
        plain = asyncio.run(make_key(database_url))
        limited = asyncio.run(limited_tenant(database_url))
        upstream_port = free_port()
        upstream = start_in_process(upstream_port)
        runs = (("off", WITHOUT_BUDGET, plain), ("on, limits", ON, limited))
        counted = {}
        try:
            for n, (name, guards, key) in enumerate(runs):
                out = Path(workdir) / f"callgrind.{n}"
                counted[name] = instructions_per_request(
                    database_url, upstream_port, guards, key, args.requests, args.concurrency, out
                )
        finally:
            upstream.terminate()
            upstream.join()
    for name, per_request in counted.items():
        print(f"{name:12} {per_request / 1e6:8.3f} M instructions a request")
    off, limits = counted["off"], counted["on, limits"]
    print(f"ratio off / on, limits: {off / limits:.3f} (goal: at least 0.85)")


if __name__ == "__main__":
    main()
