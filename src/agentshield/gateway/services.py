"""What guards are built from: the process's shared objects, made once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from agentshield.engines.injection import SharedDetector
from agentshield.engines.pii import PiiScanner
from agentshield.gateway.prices import PriceBook
from agentshield.settings import Settings
from agentshield.store.budget import Budgets
from agentshield.store.counters import Counters
from agentshield.store.keys import KeyResolver
from agentshield.store.spend_watch import SpendWatch
from agentshield.store.tenant_config import TenantConfig
from agentshield.store.usage import AuditLog, KeyUsage, RequestLog


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    keys: KeyResolver
    key_usage: KeyUsage
    request_log: RequestLog
    audit_log: AuditLog
    prices: PriceBook
    tenant_config: TenantConfig
    pii_scanner: PiiScanner
    injection_detector: SharedDetector
    counters: Counters  # rate limits: in process, or Redis when redis_url is set
    budgets: Budgets  # quotas and wallets, reserved and settled in the database
    spend_watch: SpendWatch  # users' spend this hour and their anomalies' actions
