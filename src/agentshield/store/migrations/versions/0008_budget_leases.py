"""holds of calls in flight kept per process lease, not per call; ledger entries name the call

A row per call (the reservation, written at reserve and again at settle) cost more than
every other step of the budget together. What a process's calls hold is now summed in its
lease's `lease_holds` rows; the calls themselves live in the process's memory, and their
charges in one ledger entry each, named by the call's trace id. Reservations still held at
upgrade time are returned to their quota windows and wallets, as the sweep would have.

Revision ID: 0008
Revises: 0007

"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from agentshield.engines.ids import uuid7

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_usage = sa.table("quota_usage", sa.column("id", sa.Uuid()), sa.column("reserved", sa.BigInteger()))
_wallets = sa.table(
    "wallets",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("balance_nanos", sa.BigInteger()),
    sa.column("reserved_nanos", sa.BigInteger()),
)
_ledger = sa.table(
    "ledger_entries",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("wallet_id", sa.Uuid()),
    sa.column("reservation_id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("amount_nanos", sa.BigInteger()),
    sa.column("hold_nanos", sa.BigInteger()),
    sa.column("balance_after_nanos", sa.BigInteger()),
    sa.column("reserved_after_nanos", sa.BigInteger()),
    sa.column("note", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_reservations = sa.table(
    "reservations",
    sa.column("id", sa.Uuid()),
    sa.column("targets", sa.JSON()),
    sa.column("status", sa.String()),
)


def upgrade() -> None:
    op.create_table(
        "budget_leases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_leases")),
    )
    with op.batch_alter_table("budget_leases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_leases_expires_at"), ["expires_at"], unique=False
        )
    op.create_table(
        "lease_holds",
        sa.Column("lease_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lease_id"],
            ["budget_leases.id"],
            name=op.f("fk_lease_holds_lease_id_budget_leases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lease_id", "kind", "target_id", name=op.f("pk_lease_holds")),
    )
    # A plain ADD COLUMN (SQLite needs no copy of the table, so its triggers stay).
    op.add_column("ledger_entries", sa.Column("trace_id", sa.String(length=64), nullable=True))
    _return_held_reservations()
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_held_expires")
        batch_op.drop_index(batch_op.f("ix_reservations_tenant_id"))
    op.drop_table("reservations")


def _return_held_reservations() -> None:
    """What reservations still hold goes back, each wallet's with an `expire` entry."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    held = bind.execute(
        sa.select(_reservations.c.id, _reservations.c.targets).where(
            _reservations.c.status == "held"
        )
    ).all()
    for reservation_id, stored in held:
        targets = json.loads(stored) if isinstance(stored, str) else stored
        for target in targets:
            amount, target_id = int(target["amount"]), uuid.UUID(target["id"])
            if target["kind"] == "quota":
                bind.execute(
                    _usage.update()
                    .where(_usage.c.id == target_id)
                    .values(reserved=_usage.c.reserved - amount)
                )
                continue
            wallet = bind.execute(
                sa.select(_wallets).where(_wallets.c.id == target_id)
            ).one_or_none()
            if wallet is None:
                continue
            reserved = wallet.reserved_nanos - amount
            bind.execute(
                _wallets.update().where(_wallets.c.id == target_id).values(reserved_nanos=reserved)
            )
            bind.execute(
                _ledger.insert().values(
                    id=uuid7(),
                    tenant_id=wallet.tenant_id,
                    wallet_id=target_id,
                    reservation_id=reservation_id,
                    kind="expire",
                    amount_nanos=0,
                    hold_nanos=-amount,
                    balance_after_nanos=wallet.balance_nanos,
                    reserved_after_nanos=reserved,
                    note="returned on upgrade to leases (0008)",
                    created_at=now,
                )
            )


def downgrade() -> None:
    # Holds of live leases cannot become reservations again: stop the gateways first.
    holding = sa.text("SELECT count(*) FROM lease_holds WHERE amount != 0")
    if op.get_bind().execute(holding).scalar():
        raise RuntimeError("budget leases still hold money: stop every gateway, then downgrade")
    op.create_table(
        "reservations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("amount_nanos", sa.BigInteger(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actual_nanos", sa.BigInteger(), nullable=True),
        sa.Column("actual_tokens", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reservations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservations_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_reservations_held_expires",
            ["expires_at"],
            unique=False,
            sqlite_where=sa.text("status = 'held'"),
            postgresql_where=sa.text("status = 'held'"),
        )
    op.drop_column("ledger_entries", "trace_id")
    op.drop_table("lease_holds")
    with op.batch_alter_table("budget_leases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_leases_expires_at"))
    op.drop_table("budget_leases")
