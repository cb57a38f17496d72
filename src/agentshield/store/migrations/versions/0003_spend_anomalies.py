"""spend anomalies and user spend profiles

Revision ID: 0003
Revises: 0002

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spend_anomalies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("baseline_nanos", sa.BigInteger(), nullable=False),
        sa.Column("actual_nanos", sa.BigInteger(), nullable=False),
        sa.Column("deviation", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("model_kind", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name=op.f("fk_spend_anomalies_acknowledged_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_spend_anomalies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_spend_anomalies_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_anomalies")),
    )
    with op.batch_alter_table("spend_anomalies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spend_anomalies_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_spend_anomalies_tenant_user", ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "user_spend_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("trained_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_user_spend_profiles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_spend_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_spend_profiles")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", name=op.f("uq_user_spend_profiles_tenant_id_user_id")
        ),
    )
    with op.batch_alter_table("user_spend_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_spend_profiles_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_spend_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_spend_profiles_tenant_id"))

    op.drop_table("user_spend_profiles")
    with op.batch_alter_table("spend_anomalies", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_anomalies_tenant_user")
        batch_op.drop_index(batch_op.f("ix_spend_anomalies_tenant_id"))

    op.drop_table("spend_anomalies")
