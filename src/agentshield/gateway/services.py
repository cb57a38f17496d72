"""What guards are built from: the process's shared objects, made once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from agentshield.gateway.prices import PriceBook
from agentshield.settings import Settings
from agentshield.store.keys import KeyResolver
from agentshield.store.usage import AuditLog, KeyUsage, RequestLog


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    keys: KeyResolver
    key_usage: KeyUsage
    request_log: RequestLog
    audit_log: AuditLog
    prices: PriceBook
