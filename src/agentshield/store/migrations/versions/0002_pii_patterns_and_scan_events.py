"""pii patterns and scan events

Revision ID: 0002
Revises: 0001

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pii_patterns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("pattern", sa.String(length=1000), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("counter_examples", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_pii_patterns_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pii_patterns")),
        sa.UniqueConstraint(
            "tenant_id",
            "scope",
            "scope_id",
            "name",
            name=op.f("uq_pii_patterns_tenant_id_scope_scope_id_name"),
        ),
    )
    with op.batch_alter_table("pii_patterns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pii_patterns_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "scan_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("is_suspicious", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("drift_score", sa.Double(), nullable=True),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("risk_factors", sa.JSON(), nullable=False),
        sa.Column("detector_type", sa.String(length=64), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("cleaning_method", sa.String(length=64), nullable=True),
        sa.Column("pipeline_fingerprint", sa.String(length=128), nullable=True),
        sa.Column("on_detect", sa.String(length=16), nullable=True),
        sa.Column("sdk_version", sa.String(length=32), nullable=True),
        sa.Column("schema_version", sa.String(length=16), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("environment", sa.String(length=64), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.Column("text_length", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_scan_events_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_scan_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_events")),
        sa.UniqueConstraint(
            "project_id", "event_id", name=op.f("uq_scan_events_project_id_event_id")
        ),
    )
    with op.batch_alter_table("scan_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_events_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_scan_events_tenant_time", ["tenant_id", "timestamp"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scan_events", schema=None) as batch_op:
        batch_op.drop_index("ix_scan_events_tenant_time")
        batch_op.drop_index(batch_op.f("ix_scan_events_tenant_id"))

    op.drop_table("scan_events")
    with op.batch_alter_table("pii_patterns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pii_patterns_tenant_id"))

    op.drop_table("pii_patterns")
