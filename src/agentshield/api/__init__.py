"""Management API: tenants, people, keys, prices and the audit log, under /v1.

Answers `application/problem+json` on every error. Who may call what is in `deps`.
"""

from fastapi import APIRouter

from agentshield.api import (
    audit,
    departments,
    keys,
    prices,
    projects,
    roles,
    signup,
    tenant,
    users,
)

router = APIRouter(prefix="/v1")
for _module in (tenant, departments, projects, roles, users, keys, prices, audit, signup):
    router.include_router(_module.router)
