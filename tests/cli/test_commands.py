"""`agentshield migrate | init | tenant create | audit verify`, run as a user runs them."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from agentshield.engines.keys import KEY_PATTERN
from agentshield.store.db import Database
from agentshield.store.keys import KeyResolver
from agentshield.store.migrate import head_revision

Run = Callable[..., subprocess.CompletedProcess[str]]


def keys_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The output contract: exactly two lines on stdout, each nothing but a key."""
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[-1] == "" and len(lines) == 3, f"stdout must be two lines: {result.stdout!r}"
    assert all(KEY_PATTERN.fullmatch(line) for line in lines[:2]), result.stdout
    return lines[:2]


def scopes_of(database: Path, secrets: list[str]) -> list[frozenset[str] | None]:
    async def resolve() -> list[frozenset[str] | None]:
        db = Database(f"sqlite+aiosqlite:///{database}")
        try:
            resolver = KeyResolver(db)
            callers = [await resolver.resolve(secret) for secret in secrets]
            return [caller.scopes if caller else None for caller in callers]
        finally:
            await db.dispose()

    return asyncio.run(resolve())


def test_migrate_prints_the_revision_and_can_run_again(cli: Run) -> None:
    for _ in range(2):
        result = cli("migrate")
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{head_revision()}\n"


def test_init_prints_the_admin_then_the_gateway_key(cli: Run, database: Path) -> None:
    result = cli("init", "--name", "Acme Corp", "--email", "ops@acme.test")
    admin, gateway = keys_of(result)
    assert "admin key" in result.stderr and "gateway key" in result.stderr
    assert scopes_of(database, [admin, gateway]) == [
        frozenset({"admin"}),
        frozenset({"gateway", "telemetry"}),
    ]


def test_init_runs_once_unless_told_otherwise(cli: Run, database: Path) -> None:
    keys_of(cli("init"))

    again = cli("init")
    assert again.returncode == 1
    assert again.stdout == ""
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr

    quiet = cli("init", "--if-empty")
    assert (quiet.returncode, quiet.stdout) == (0, "")

    forced = keys_of(cli("init", "--force-new-tenant", "--name", "Second"))
    other = keys_of(cli("tenant", "create", "--name", "Third", "--email", "t@third.test"))
    assert len(set(forced + other)) == 4
    assert None not in scopes_of(database, forced + other)

    taken = cli("tenant", "create", "--name", "Third", "--email", "t@third.test")
    assert (taken.returncode, taken.stdout) == (1, "")
    assert taken.stderr.startswith("error: ") and taken.stderr.count("\n") == 1


def forge_first_entry(database: Path) -> None:
    """Edit seq 1 of the chain with the append-only triggers dropped, then put them back
    as the migration made them (SQLite keeps each trigger's SQL)."""
    with sqlite3.connect(database) as conn:
        triggers = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            )
        ]
        assert len(triggers) == 2
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("UPDATE audit_log SET data = ? WHERE seq = 1", (json.dumps({"x": 1}),))
        for sql in triggers:
            conn.execute(sql)


def test_audit_verify_passes_then_names_the_forged_seq(cli: Run, database: Path) -> None:
    keys_of(cli("init", "--name", "Acme"))
    assert cli("audit", "verify").stdout == "ok acme 1 entries\n"

    forge_first_entry(database)

    for args in [(), ("--tenant", "acme")]:
        broken = cli("audit", "verify", *args)
        assert broken.returncode == 1
        assert broken.stdout.startswith("BROKEN acme seq 1 "), broken.stdout
    unknown = cli("audit", "verify", "--tenant", "nobody")
    assert unknown.returncode == 1 and "not found" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["migrate"], {"AGENTSHIELD_CONFIG": "/nonexistent.yaml"}, "no such file"),
        (["init"], {"AGENTSHIELD_DATABASE_URL": "nosuchdb://x"}, "database_url"),
        (["audit", "verify"], {"AGENTSHIELD_WORKERS": "0"}, "workers"),
        (["serve"], {"AGENTSHIELD_PORT": "eighty"}, "port"),
        (["serve"], {}, "agentshield migrate"),  # the schema is missing
        (
            ["tenant", "create", "--name", "X", "--email", "x@x.test"],
            {"AGENTSHIELD_PROVIDERS": "not json"},
            "providers",
        ),
    ],
)
def test_a_bad_configuration_is_one_line_and_exit_2(
    cli: Run, args: list[str], env: dict[str, str], says: str
) -> None:
    result = cli(*args, **env)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    assert says in result.stderr
