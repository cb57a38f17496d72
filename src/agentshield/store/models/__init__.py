"""SQLAlchemy models, one module per area; everything is importable from here."""

from agentshield.store.models.base import BUILTIN_ROLES, Base, UtcDateTime, utcnow
from agentshield.store.models.money import (
    LedgerEntry,
    ModelPrice,
    Quota,
    QuotaUsage,
    Reservation,
    StripeEvent,
    ToolDefinition,
    TopUp,
    Wallet,
)
from agentshield.store.models.records import (
    AuditEntry,
    OutboxEvent,
    PiiPattern,
    RequestRecord,
    ScanEvent,
    SpendAnomaly,
    UserSpendProfile,
)
from agentshield.store.models.tenancy import (
    ApiKey,
    Department,
    Project,
    Role,
    SecurityPolicy,
    Tenant,
    TenantSettings,
    User,
)

__all__ = [
    "BUILTIN_ROLES",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Department",
    "LedgerEntry",
    "ModelPrice",
    "OutboxEvent",
    "PiiPattern",
    "Project",
    "Quota",
    "QuotaUsage",
    "RequestRecord",
    "Reservation",
    "Role",
    "ScanEvent",
    "SecurityPolicy",
    "SpendAnomaly",
    "StripeEvent",
    "Tenant",
    "TenantSettings",
    "ToolDefinition",
    "TopUp",
    "User",
    "UserSpendProfile",
    "UtcDateTime",
    "Wallet",
    "utcnow",
]
