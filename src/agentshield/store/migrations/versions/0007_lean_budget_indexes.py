"""the reservations sweep's index holds only held reservations; no ledger index by tenant

Every settle moved its reservation's entry in the (status, expires_at) index from 'held' to
'settled', an index that grew with every call ever made; the sweep only asks for held ones.
Ledger entries are always looked up by wallet, never by tenant alone.

Revision ID: 0007
Revises: 0006

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = sa.text("status = 'held'")


def upgrade() -> None:
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_status_expires")
        batch_op.create_index(
            "ix_reservations_held_expires",
            ["expires_at"],
            unique=False,
            sqlite_where=HELD,
            postgresql_where=HELD,
        )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_tenant_id"))


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_tenant_id"), ["tenant_id"], unique=False
        )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_held_expires")
        batch_op.create_index(
            "ix_reservations_status_expires", ["status", "expires_at"], unique=False
        )
