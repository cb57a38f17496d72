"""Projects: what gateway keys are issued for and spend is grouped by."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator

from agentshield.api.named import named_router
from agentshield.api.schemas import Body, Name, Out, Patch, not_null
from agentshield.store.models import Project


class ProjectIn(Body):
    name: Name


class ProjectPatch(Patch):
    name: Annotated[Name | None, AfterValidator(not_null)] = None


class ProjectOut(Out):
    id: uuid.UUID
    name: str
    created_at: datetime


router = named_router(
    Project, noun="project", create_body=ProjectIn, patch_body=ProjectPatch, out=ProjectOut
)
