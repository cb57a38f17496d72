"""top-ups, handled Stripe events, priced tool definitions, the event outbox, the
wallet's low-balance flag, one spend anomaly per user, hour and severity, and the
indexes the spend-anomaly job reads requests by

Revision ID: 0005
Revises: 0004

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from agentshield.engines.ids import uuid7

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The seeded prices of one execution, in nano-dollars.
SEEDED_TOOLS = (
    ("web_search", "Search the web", 10_000_000),
    ("python_interpreter", "Run Python code", 50_000_000),
    ("image_generation", "Generate an image", 40_000_000),
)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def _tenant_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("spend_anomalies", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_spend_anomalies_tenant_id_user_id_hour_severity"),
            ["tenant_id", "user_id", "hour", "severity"],
        )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index("ix_requests_user_created", ["user_id", "created_at"])
        batch_op.create_index("ix_requests_created", ["created_at"])
    with op.batch_alter_table("wallets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "low_balance_alerted", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    op.create_table(
        "top_ups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("wallet_id", sa.Uuid(), nullable=False),
        sa.Column("amount_nanos", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=True),
        _tenant_fk("top_ups"),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallets.id"],
            name=op.f("fk_top_ups_wallet_id_wallets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_top_ups_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_top_ups")),
        sa.UniqueConstraint("external_id", name=op.f("uq_top_ups_external_id")),
    )
    _tenant_index("top_ups")
    with op.batch_alter_table("top_ups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_top_ups_wallet_created", ["wallet_id", "created_at"], unique=False
        )

    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )

    tools = op.create_table(
        "tool_definitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("price_nanos", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _tenant_fk("tool_definitions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_definitions")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_tool_definitions_tenant_id_name")),
    )
    _tenant_index("tool_definitions")
    now = datetime.now(UTC)
    op.bulk_insert(
        tools,
        [
            {
                "id": uuid7(),
                "tenant_id": None,
                "name": name,
                "description": description,
                "price_nanos": price,
                "created_at": now,
                "updated_at": now,
            }
            for name, description, price in SEEDED_TOOLS
        ],
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        _tenant_fk("outbox"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    _tenant_index("outbox")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_dispatched_created", ["dispatched_at", "created_at"], unique=False
        )


def downgrade() -> None:
    for table, indexes in (
        ("outbox", ["ix_outbox_dispatched_created"]),
        ("tool_definitions", []),
        ("top_ups", ["ix_top_ups_wallet_created"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
            batch_op.drop_index(batch_op.f(f"ix_{table}_tenant_id"))
        op.drop_table(table)
    op.drop_table("stripe_events")
    with op.batch_alter_table("wallets", schema=None) as batch_op:
        batch_op.drop_column("low_balance_alerted")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_created")
        batch_op.drop_index("ix_requests_user_created")
    with op.batch_alter_table("spend_anomalies", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_spend_anomalies_tenant_id_user_id_hour_severity"), type_="unique"
        )
