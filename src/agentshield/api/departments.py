"""Departments: a tenant's cost centres."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from agentshield.api.named import named_router
from agentshield.api.schemas import Body, Name, Out, Patch, not_null
from agentshield.store.models import Department

CostCentre = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class DepartmentIn(Body):
    name: Name
    cost_centre: CostCentre | None = None


class DepartmentPatch(Patch):
    name: Annotated[Name | None, AfterValidator(not_null)] = None
    cost_centre: CostCentre | None = None


class DepartmentOut(Out):
    id: uuid.UUID
    name: str
    cost_centre: str | None
    created_at: datetime


router = named_router(
    Department,
    noun="department",
    create_body=DepartmentIn,
    patch_body=DepartmentPatch,
    out=DepartmentOut,
)
