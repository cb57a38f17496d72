"""a top-up's Stripe payment and how much of it was refunded

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("top_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_id", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("refunded_nanos", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_index(batch_op.f("ix_top_ups_payment_id"), ["payment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("top_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_top_ups_payment_id"))
        batch_op.drop_column("refunded_nanos")
        batch_op.drop_column("payment_id")
