"""`POST /v1/scan`: the injection detector on one text or a batch, for any key of the tenant.

`{"text": "..."}` answers one verdict; `{"texts": [...]}` (up to MAX_TEXTS) answers
`{"results": [...]}` in order. Each scan is stored as a scan event (source `api`, or
`playground` when the body says so) in the response's transaction; no text is stored.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import model_validator

import agentshield
from agentshield.api.deps import DbSession, Detector, TenantCaller
from agentshield.api.problems import TooLarge
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body
from agentshield.api.trail import record_action
from agentshield.engines.injection import ScanEvent, Verdict
from agentshield.store.scan_events import insert_events, project_for

router = APIRouter(tags=["injection"], route_class=ApiRoute)

MAX_TEXTS = 1_000
MAX_CHARS = 100_000  # per text; the detector embeds at most ~3,500 words of it anyway


class ScanIn(Body):
    text: str | None = None
    texts: list[str] | None = None
    source: Literal["api", "playground"] = "api"

    @model_validator(mode="after")
    def _one_of(self) -> ScanIn:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give either 'text' or 'texts'")
        if self.texts == []:
            raise ValueError("'texts' must not be empty")
        return self


@router.post("/scan", summary="Scan text for prompt injection")
async def scan(
    body: ScanIn, caller: TenantCaller, session: DbSession, shared: Detector
) -> dict[str, Any]:
    texts = body.texts if body.texts is not None else [body.text or ""]
    if len(texts) > MAX_TEXTS:
        raise TooLarge(f"at most {MAX_TEXTS} texts per call, got {len(texts)}")
    longest = max(len(text) for text in texts)
    if longest > MAX_CHARS:
        raise TooLarge(f"a text may hold at most {MAX_CHARS} characters, got {longest}")

    def run() -> tuple[list[Verdict], str]:
        detector = shared.get()
        return detector.scan_batch(texts), detector.embedder.model_id

    verdicts, model_id = await asyncio.to_thread(run)
    session_id = uuid.uuid4().hex  # groups the events of this call
    events = [
        ScanEvent.from_verdict(
            verdict,
            sdk_version=agentshield.__version__,
            session_id=session_id,
            embedding_model=model_id,
            source=body.source,
        ).to_dict()
        for verdict in verdicts
    ]
    project_id = await project_for(session, caller.tenant_id, caller.project_id)
    await insert_events(session, caller.tenant_id, project_id, events)
    flagged = sum(verdict.is_suspicious for verdict in verdicts)
    await record_action(session, caller, "injection.scanned", texts=len(texts), flagged=flagged)
    if body.texts is None:
        return verdicts[0].as_metadata()
    return {"results": [verdict.as_metadata() for verdict in verdicts]}
