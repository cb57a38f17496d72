"""Management API: tenants, people, keys, prices, the audit log, PII, prompt injection and
telemetry, under /v1.

Answers `application/problem+json` on every error. Who may call what is in `deps`.
"""

from fastapi import APIRouter

from agentshield.api import (
    audit,
    billing,
    budget_anomalies,
    budget_quotas,
    budget_wallets,
    departments,
    events,
    injection_policy,
    injection_scan,
    keys,
    pii_patterns,
    pii_policy,
    pii_scan,
    prices,
    projects,
    roles,
    signup,
    telemetry,
    tenant,
    tools,
    users,
)

router = APIRouter(prefix="/v1")
_MODULES = (tenant, departments, projects, roles, users, keys, prices, audit, signup)
for _module in (*_MODULES, pii_scan, pii_patterns, pii_policy):
    router.include_router(_module.router)
for _module in (injection_scan, injection_policy, telemetry):
    router.include_router(_module.router)
for _module in (budget_quotas, budget_wallets, budget_anomalies, billing, tools, events):
    router.include_router(_module.router)
