"""Money: model and tool prices, wallets, quotas and their usage, the leases that hold for
calls in flight, the ledger, top-ups and the Stripe events handled."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from agentshield.store.models.base import Base, created, id_column, tenant_fk, utcnow


class ModelPrice(Base):
    """Price per million tokens, in nano-dollars (USD 2.50 / 1M tokens -> 2_500_000_000)."""

    __tablename__ = "model_prices"
    id: Mapped[uuid.UUID] = id_column()
    model: Mapped[str] = mapped_column(String(200), unique=True)
    input_per_mtok: Mapped[int] = mapped_column(BigInteger)
    output_per_mtok: Mapped[int] = mapped_column(BigInteger)
    cached_input_per_mtok: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(50), default="seed")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ToolDefinition(Base):
    """A tool the model may call, with the price of one execution. Rows without a tenant
    are the built-in defaults; a tenant's row of the same name overrides its default."""

    __tablename__ = "tool_definitions"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    price_nanos: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Wallet(Base):
    """Money a tenant, department or user spends from. Balance and reserved move only with
    a ledger entry in the same transaction. Prepaid: refused below -overdraft_limit_nanos;
    postpaid: never refused, the balance runs negative until the statement is paid."""

    __tablename__ = "wallets"
    __table_args__ = (UniqueConstraint("tenant_id", "owner_scope", "owner_id"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
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
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Quota(Base):
    """A limit per window: `limit_amount` nano-dollars (metric usd) or tokens."""

    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "scope_id", "period", "metric"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    scope: Mapped[str] = mapped_column(String(16))  # user | department | tenant | key
    scope_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(16))  # daily | monthly
    metric: Mapped[str] = mapped_column(String(16))  # usd | tokens
    limit_amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuotaUsage(Base):
    """A quota's use in one window, named by the window's start: a new window, a new row."""

    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("quota_id", "window_start"),)
    id: Mapped[uuid.UUID] = id_column()
    quota_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("quotas.id", ondelete="CASCADE"))
    window_start: Mapped[datetime] = mapped_column()
    used: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)


class BudgetLease(Base):
    """One gateway process's claim on what its calls in flight hold (store/budget/lease.py).

    The process renews it while it lives; once `expires_at` passes, any process returns
    its holds (`lease_holds`) to the quota windows and wallets, and deletes it."""

    __tablename__ = "budget_leases"
    id: Mapped[uuid.UUID] = id_column()
    owner: Mapped[str] = mapped_column(String(200))  # host and pid, for operators
    created_at: Mapped[datetime] = created()
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LeaseHold(Base):
    """How much one lease holds of one quota window (`quota`) or wallet (`wallet`)."""

    __tablename__ = "lease_holds"
    lease_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("budget_leases.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    target_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class LedgerEntry(Base):
    """Append-only (triggers refuse UPDATE and DELETE): every movement of a wallet.

    `amount_nanos` changes the balance, `hold_nanos` the reserved sum, so a wallet's
    balance and reserved are the sums of its entries. No foreign keys: entries outlive
    what they name, like the audit log."""

    __tablename__ = "ledger_entries"
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    wallet_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # entries before 0008
    trace_id: Mapped[str | None] = mapped_column(String(64))  # the call's, on settle entries
    # reserve | settle | release | expire | top_up | refund | adjust
    kind: Mapped[str] = mapped_column(String(16))
    amount_nanos: Mapped[int] = mapped_column(BigInteger)
    hold_nanos: Mapped[int] = mapped_column(BigInteger)
    balance_after_nanos: Mapped[int] = mapped_column(BigInteger)
    reserved_after_nanos: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created()


class TopUp(Base):
    """Money put into a wallet: by an admin (credited at once) or through Stripe Checkout
    (pending until a verified webhook credits it; `external_id` is the Checkout session)."""

    __tablename__ = "top_ups"
    __table_args__ = (Index("ix_top_ups_wallet_created", "wallet_id", "created_at"),)
    id: Mapped[uuid.UUID] = id_column()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
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
    created_at: Mapped[datetime] = created()
    credited_at: Mapped[datetime | None] = mapped_column()


class StripeEvent(Base):
    """Each Stripe webhook event handled, by its id: a redelivered event is a no-op."""

    __tablename__ = "stripe_events"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = created()
