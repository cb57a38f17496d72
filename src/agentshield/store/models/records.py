"""What calls leave behind: request rows, the audit chain, PII patterns, scan events, spend
anomalies and profiles, and the event outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from agentshield.store.models.base import Base, created, id_column, tenant_fk, utcnow


class RequestRecord(Base):
    """One row per gateway call: who, what, how much, how long, what was decided."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_tenant_created", "tenant_id", "created_at"),
        # A user's hour (spend anomalies), and the users active in an hour (profile job).
        Index("ix_requests_user_created", "user_id", "created_at"),
        Index("ix_requests_created", "created_at"),
    )
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    trace_id: Mapped[str] = mapped_column(String(64), index=True)
    key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    endpoint: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(100))
    stream: Mapped[bool] = mapped_column(Boolean, default=False)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_nanos: Mapped[int] = mapped_column(BigInteger, default=0)
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    upstream_latency_ms: Mapped[float | None] = mapped_column()
    status_code: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(32))
    error_type: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created()


class AuditEntry(Base):
    """Append-only, hash-chained per tenant. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created()
    actor: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    trace_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PiiPattern(Base):
    """A custom PII rule. `scope_id` is the tenant, department or user id the rule belongs
    to (the tenant's own id for tenant-wide rules), so names are unique per scope."""

    __tablename__ = "pii_patterns"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "scope_id", "name"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    scope: Mapped[str] = mapped_column(String(16))  # tenant | department | user
    scope_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(64))
    pattern: Mapped[str] = mapped_column(String(1000))
    score: Mapped[float] = mapped_column(default=0.85)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    counter_examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScanEvent(Base):
    """One injection scan's metadata (SDK telemetry, the API, the playground); never text.
    Deduplicated on (project_id, event_id) so a retried batch is not counted twice."""

    __tablename__ = "scan_events"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_scan_events_tenant_time", "tenant_id", "timestamp"),
    )
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    project_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("projects.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime] = mapped_column()
    event_type: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))  # sdk | api | playground | gateway
    is_suspicious: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column()
    drift_score: Mapped[float | None] = mapped_column()
    threshold: Mapped[float | None] = mapped_column()
    risk_factors: Mapped[list[str]] = mapped_column(JSON, default=list)
    detector_type: Mapped[str | None] = mapped_column(String(64))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    cleaning_method: Mapped[str | None] = mapped_column(String(64))
    pipeline_fingerprint: Mapped[str | None] = mapped_column(String(128))
    on_detect: Mapped[str | None] = mapped_column(String(16))
    sdk_version: Mapped[str | None] = mapped_column(String(32))
    schema_version: Mapped[str | None] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(String(64))
    environment: Mapped[str | None] = mapped_column(String(64))
    latency_ms: Mapped[float | None] = mapped_column()
    text_length: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = created()


class SpendAnomaly(Base):
    """One anomalous hour of a user's spend, as scored before a call. A BLOCK keeps the user
    in restricted mode until an admin acknowledges it."""

    __tablename__ = "spend_anomalies"
    __table_args__ = (
        Index("ix_spend_anomalies_tenant_user", "tenant_id", "user_id"),
        # One anomaly per user, hour and severity, however many replicas raise it at once.
        UniqueConstraint("tenant_id", "user_id", "hour", "severity"),
    )
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    hour: Mapped[datetime] = mapped_column()
    features: Mapped[dict[str, Any]] = mapped_column(JSON)
    baseline_nanos: Mapped[int] = mapped_column(BigInteger)
    actual_nanos: Mapped[int] = mapped_column(BigInteger)
    deviation: Mapped[float] = mapped_column()
    score: Mapped[float] = mapped_column()
    severity: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    model_kind: Mapped[str] = mapped_column(String(16))
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created()


class UserSpendProfile(Base):
    """A user's past hourly spend features and forest parameters (plain JSON, never a
    pickle): the anomaly model is refitted from them deterministically."""

    __tablename__ = "user_spend_profiles"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxEvent(Base):
    """An event written in the same transaction as the change it reports (low balance,
    spend anomaly, ...), so it exists exactly when the change committed; a dispatcher
    delivers it later and stamps `dispatched_at`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_dispatched_created", "dispatched_at", "created_at"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = created()
    dispatched_at: Mapped[datetime | None] = mapped_column()
