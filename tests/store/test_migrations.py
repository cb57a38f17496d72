"""Migrations: they build exactly the models' schema, and a schema behind is refused."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from agentshield.store.budget import reconcile
from agentshield.store.db import Database
from agentshield.store.migrate import SchemaError, check_current, head_revision, upgrade
from agentshield.store.models import Base, LedgerEntry, QuotaUsage


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(diff) == []
    await check_current(db)


async def test_a_schema_behind_the_code_is_refused_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    db = Database(url)
    try:
        with pytest.raises(SchemaError, match=r"empty.*agentshield migrate"):
            await check_current(db)
        await db.engine.dispose()
        await asyncio.to_thread(upgrade, url, "0001")
        assert head_revision() != "0001"
        with pytest.raises(SchemaError, match="at 0001"):
            await check_current(db)
        await db.engine.dispose()
        await asyncio.to_thread(upgrade, url)
        await check_current(db)
    finally:
        await db.dispose()


async def test_budget_leases_return_what_reservations_held_at_upgrade(tmp_path: Path) -> None:
    """0008: reservations still held come back to their quota window and wallet (with an
    `expire` entry), and the table goes; the wallet then reconciles with its ledger."""
    path = tmp_path / "held.db"
    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}", "0007")
    tenant, wallet, quota, window, held = (uuid.uuid4() for _ in range(5))
    at = "2026-03-15 12:00:00.000000"
    targets = [
        {"kind": "quota", "id": str(window), "quota_id": str(quota), "metric": "usd", "amount": 7},
        {"kind": "wallet", "id": str(wallet), "metric": "usd", "amount": 7},
    ]
    with sqlite3.connect(path) as raw:
        raw.executescript(
            f"""
            INSERT INTO tenants VALUES ('{tenant.hex}', 'T', 't', NULL, '{at}');
            INSERT INTO wallets (id, tenant_id, owner_scope, owner_id, kind, balance_nanos,
                reserved_nanos, overdraft_limit_nanos, low_balance_threshold_nanos,
                low_balance_alerted, created_at, updated_at)
            VALUES ('{wallet.hex}', '{tenant.hex}', 'tenant', '{tenant.hex}', 'prepaid', 100,
                7, 0, NULL, 0, '{at}', '{at}');
            INSERT INTO ledger_entries (id, tenant_id, wallet_id, reservation_id, kind,
                amount_nanos, hold_nanos, balance_after_nanos, reserved_after_nanos, note,
                created_at)
            VALUES ('{uuid.uuid4().hex}', '{tenant.hex}', '{wallet.hex}', NULL, 'top_up', 100,
                0, 100, 0, NULL, '{at}'),
                ('{uuid.uuid4().hex}', '{tenant.hex}', '{wallet.hex}', '{held.hex}', 'reserve',
                0, 7, 100, 7, NULL, '{at}');
            INSERT INTO quotas VALUES ('{quota.hex}', '{tenant.hex}', 'tenant', '{tenant.hex}',
                'daily', 'usd', 1000, '{at}', '{at}');
            INSERT INTO quota_usage VALUES ('{window.hex}', '{quota.hex}', '{at}', 3, 7);
            INSERT INTO reservations VALUES ('{held.hex}', '{tenant.hex}', 'trace', 7, 0,
                '{json.dumps(targets)}', 'held', NULL, NULL, '{at}', '{at}', NULL);
            """
        )
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}")
        async with db.read() as session:
            reconciled = await reconcile(session, wallet)
            usage = await session.get(QuotaUsage, window)
            kinds = (await session.scalars(select(LedgerEntry.kind))).all()
        assert reconciled.ok and (reconciled.balance_nanos, reconciled.reserved_nanos) == (100, 0)
        assert usage is not None and (usage.used, usage.reserved) == (3, 0)
        assert sorted(kinds) == ["expire", "reserve", "top_up"]
        with sqlite3.connect(path) as raw:
            tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        assert "reservations" not in tables and "budget_leases" in tables
    finally:
        await db.dispose()
