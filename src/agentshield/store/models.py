"""SQLAlchemy models of the foundation: tenancy, keys, prices, usage and the audit chain.

Money columns are BigInteger nano-dollars. Times are timezone-aware UTC. IDs are UUIDv7.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from agentshield.engines.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BUILTIN_ROLES = ("owner", "admin", "approver", "member", "viewer")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite would otherwise hand back naive datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[str]: JSON}


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid7)


def _tenant_fk() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


def _created() -> Mapped[datetime]:
    return mapped_column(default=utcnow)


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()


class Department(Base):
    """A cost centre."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    name: Mapped[str] = mapped_column(String(200))
    cost_centre: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = _created()


class Role(Base):
    """Built-in roles are seeded per tenant at signup; custom ones are added by admins."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    name: Mapped[str] = mapped_column(String(64))
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = _created()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        # The role must exist in the same tenant: the database refuses a dangling name.
        ForeignKeyConstraint(
            ["tenant_id", "role"], ["roles.tenant_id", "roles.name"], name="fk_users_role_roles"
        ),
    )
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("departments.id", ondelete="SET NULL")
    )
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _created()


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created()


class ApiKey(Base):
    """Only the SHA-256 of a key is stored; `prefix` is what people see."""

    __tablename__ = "api_keys"
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("projects.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = _created()


class TenantSettings(Base):
    __tablename__ = "settings"
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SecurityPolicy(Base):
    __tablename__ = "security_policies"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = _created()


class ModelPrice(Base):
    """Price per million tokens, in nano-dollars (USD 2.50 / 1M tokens -> 2_500_000_000)."""

    __tablename__ = "model_prices"
    id: Mapped[uuid.UUID] = _id()
    model: Mapped[str] = mapped_column(String(200), unique=True)
    input_per_mtok: Mapped[int] = mapped_column(BigInteger)
    output_per_mtok: Mapped[int] = mapped_column(BigInteger)
    cached_input_per_mtok: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(50), default="seed")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RequestRecord(Base):
    """One row per gateway call: who, what, how much, how long, what was decided."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_tenant_created", "tenant_id", "created_at"),
        # A user's hour (spend anomalies), and the users active in an hour (profile job).
        Index("ix_requests_user_created", "user_id", "created_at"),
        Index("ix_requests_created", "created_at"),
    )
    id: Mapped[uuid.UUID] = _id()
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
    created_at: Mapped[datetime] = _created()


class AuditEntry(Base):
    """Append-only, hash-chained per tenant. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
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
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
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
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScanEvent(Base):
    """One injection scan's metadata (SDK telemetry, the API, the playground); never text.
    Deduplicated on (project_id, event_id) so a retried batch is not counted twice."""

    __tablename__ = "scan_events"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_scan_events_tenant_time", "tenant_id", "timestamp"),
    )
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
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
    received_at: Mapped[datetime] = _created()


class SpendAnomaly(Base):
    """One anomalous hour of a user's spend, as scored before a call. A BLOCK keeps the user
    in restricted mode until an admin acknowledges it."""

    __tablename__ = "spend_anomalies"
    __table_args__ = (
        Index("ix_spend_anomalies_tenant_user", "tenant_id", "user_id"),
        # One anomaly per user, hour and severity, however many replicas raise it at once.
        UniqueConstraint("tenant_id", "user_id", "hour", "severity"),
    )
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
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
    created_at: Mapped[datetime] = _created()


class UserSpendProfile(Base):
    """A user's past hourly spend features and forest parameters (plain JSON, never a
    pickle): the anomaly model is refitted from them deterministically."""

    __tablename__ = "user_spend_profiles"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Wallet(Base):
    """Money a tenant, department or user spends from. Balance and reserved move only with
    a ledger entry in the same transaction. Prepaid: refused below -overdraft_limit_nanos;
    postpaid: never refused, the balance runs negative until the statement is paid."""

    __tablename__ = "wallets"
    __table_args__ = (UniqueConstraint("tenant_id", "owner_scope", "owner_id"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    owner_scope: Mapped[str] = mapped_column(String(16))  # tenant | department | user
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16), default="prepaid")  # prepaid | postpaid
    balance_nanos: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_nanos: Mapped[int] = mapped_column(BigInteger, default=0)
    overdraft_limit_nanos: Mapped[int] = mapped_column(BigInteger, default=0)
    low_balance_threshold_nanos: Mapped[int | None] = mapped_column(BigInteger)
    # Set when the balance falls below the threshold (one event per crossing), cleared when
    # it rises back to it.
    low_balance_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Quota(Base):
    """A limit per window: `limit_amount` nano-dollars (metric usd) or tokens."""

    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "scope_id", "period", "metric"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    scope: Mapped[str] = mapped_column(String(16))  # user | department | tenant | key
    scope_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(16))  # daily | monthly
    metric: Mapped[str] = mapped_column(String(16))  # usd | tokens
    limit_amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuotaUsage(Base):
    """A quota's use in one window, named by the window's start: a new window, a new row."""

    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("quota_id", "window_start"),)
    id: Mapped[uuid.UUID] = _id()
    quota_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("quotas.id", ondelete="CASCADE"))
    window_start: Mapped[datetime] = mapped_column()
    used: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)


class Reservation(Base):
    """What one call holds until it is settled, released or expired. `targets` lists each
    limit held: {"kind": "quota"|"wallet", "id": usage row or wallet id, "metric", "amount"}."""

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_status_expires", "status", "expires_at"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    trace_id: Mapped[str] = mapped_column(String(64))
    amount_nanos: Mapped[int] = mapped_column(BigInteger)
    tokens: Mapped[int] = mapped_column(BigInteger)
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="held")
    actual_nanos: Mapped[int | None] = mapped_column(BigInteger)
    actual_tokens: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()


class LedgerEntry(Base):
    """Append-only (triggers refuse UPDATE and DELETE): every movement of a wallet.

    `amount_nanos` changes the balance, `hold_nanos` the reserved sum, so a wallet's
    balance and reserved are the sums of its entries. No foreign keys: entries outlive
    what they name, like the audit log."""

    __tablename__ = "ledger_entries"
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    wallet_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # reserve | settle | release | expire | top_up | refund | adjust
    kind: Mapped[str] = mapped_column(String(16))
    amount_nanos: Mapped[int] = mapped_column(BigInteger)
    hold_nanos: Mapped[int] = mapped_column(BigInteger)
    balance_after_nanos: Mapped[int] = mapped_column(BigInteger)
    reserved_after_nanos: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created()


class TopUp(Base):
    """Money put into a wallet: by an admin (credited at once) or through Stripe Checkout
    (pending until a verified webhook credits it; `external_id` is the Checkout session)."""

    __tablename__ = "top_ups"
    __table_args__ = (Index("ix_top_ups_wallet_created", "wallet_id", "created_at"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    wallet_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("wallets.id", ondelete="CASCADE"))
    amount_nanos: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))  # admin | stripe
    status: Mapped[str] = mapped_column(String(16))  # pending | credited | expired | failed
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The Stripe payment the Checkout session made, to find the top-up a refund undoes.
    payment_id: Mapped[str | None] = mapped_column(String(255), index=True)
    refunded_nanos: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created()
    credited_at: Mapped[datetime | None] = mapped_column()


class StripeEvent(Base):
    """Each Stripe webhook event handled, by its id: a redelivered event is a no-op."""

    __tablename__ = "stripe_events"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = _created()


class ToolDefinition(Base):
    """A tool the model may call, with the price of one execution. Rows without a tenant
    are the built-in defaults; a tenant's row of the same name overrides its default."""

    __tablename__ = "tool_definitions"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    price_nanos: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxEvent(Base):
    """An event written in the same transaction as the change it reports (low balance,
    spend anomaly, ...), so it exists exactly when the change committed; a dispatcher
    delivers it later and stamps `dispatched_at`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_dispatched_created", "dispatched_at", "created_at"),)
    id: Mapped[uuid.UUID] = _id()
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()
    dispatched_at: Mapped[datetime | None] = mapped_column()
