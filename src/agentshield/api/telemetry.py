"""`POST /v1/telemetry`: scan events from the SDK, for a key with the `telemetry` scope.

The body is `{"events": [...]}`, JSON, gzipped (`Content-Encoding: gzip`, as the SDK sends
it) or plain. Every event is checked against the schema before any is stored: a wrong
schema version, a missing field, an unknown field and above all any text (`text`,
`cleaned_text`) refuse the whole batch with 422, so a client bug never half-lands.
Events go to the key's project (else the tenant's Default project), deduplicated on
`event_id`: a retried batch answers `{"accepted": 0, "duplicates": n}`.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.exceptions import HTTPException
from starlette.requests import Request

from agentshield.api.deps import DbSession, TelemetryCaller
from agentshield.api.problems import TooLarge, Unprocessable
from agentshield.api.routing import ApiRoute
from agentshield.store.scan_events import insert_events, project_for

router = APIRouter(tags=["telemetry"], route_class=ApiRoute)

MAX_BODY = 1024 * 1024  # bytes on the wire
MAX_JSON = 8 * 1024 * 1024  # bytes once decompressed: a small gzip may hide a large body
MAX_EVENTS = 1_000
TEXT_FIELDS = ("text", "cleaned_text", "original_text", "prompt")

Short = Annotated[str, Field(max_length=64)]


class EventIn(BaseModel):
    """One `ScanEvent` as the SDK sends it (`agentshield.engines.injection.events`)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    event_id: Annotated[str, Field(min_length=1, max_length=64)]
    timestamp: datetime
    event_type: Annotated[str, Field(max_length=32)]
    source: Annotated[str, Field(max_length=32)]
    is_suspicious: bool
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    drift_score: float | None = None
    threshold: float | None = None
    risk_factors: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=32)
    detector_type: Short | None = None
    embedding_model: Annotated[str, Field(max_length=200)] | None = None
    cleaning_method: Short | None = None
    pipeline_fingerprint: Annotated[str, Field(max_length=128)] | None = None
    on_detect: Annotated[str, Field(max_length=16)] | None = None
    sdk_version: Annotated[str, Field(max_length=32)] | None = None
    session_id: Short | None = None
    project: Annotated[str, Field(max_length=200)] | None = None
    environment: Short | None = None
    latency_ms: Annotated[float, Field(ge=0.0)] | None = None
    text_length: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            carried = [name for name in TEXT_FIELDS if name in data]
            if carried:
                raise ValueError(f"events must not carry text; remove {carried}")
        return data


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn]


@router.post("/telemetry", summary="Ingest the SDK's scan events (metadata only)")
async def ingest(request: Request, caller: TelemetryCaller, session: DbSession) -> dict[str, int]:
    encoding = request.headers.get("content-encoding", "identity").lower()
    if encoding not in ("gzip", "identity"):
        raise HTTPException(415, "Content-Encoding must be gzip or identity")
    raw = await _read(request)
    if encoding == "gzip":
        raw = _gunzip(raw)
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"the body is not JSON: {exc}") from exc
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise Unprocessable('the body must be {"events": [...]}')
    if len(events) > MAX_EVENTS:
        raise TooLarge(f"at most {MAX_EVENTS} events per batch, got {len(events)}")
    try:
        batch = BatchIn.model_validate(payload)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    project_id = await project_for(session, caller.tenant_id, caller.project_id)
    rows = [event.model_dump() for event in batch.events]
    stored = await insert_events(session, caller.tenant_id, project_id, rows)
    return {"accepted": stored, "duplicates": len(rows) - stored}


async def _read(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge(f"the body exceeds {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise TooLarge(f"the body exceeds {MAX_BODY} bytes")
    return bytes(body)


def _gunzip(raw: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
    try:
        data = inflater.decompress(raw, MAX_JSON)
    except zlib.error as exc:
        raise HTTPException(400, f"the body is not valid gzip: {exc}") from exc
    if inflater.unconsumed_tail:
        raise TooLarge(f"the decompressed body exceeds {MAX_JSON} bytes")
    if not inflater.eof:
        raise HTTPException(400, "the gzip body is truncated")
    return data
