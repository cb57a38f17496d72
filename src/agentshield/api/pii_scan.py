"""`POST /v1/pii/scan`: what the gateway would find and redact in a text, for any key of the
tenant. The tenant's policy and the caller's custom rules apply; offsets are into the
text as sent. The audit entry records counts by type, never text.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter
from pydantic import model_validator
from starlette.concurrency import run_in_threadpool

from agentshield.api.deps import ConfigCache, DbSession, Scanner, TenantCaller
from agentshield.api.problems import TooLarge, Unprocessable
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body
from agentshield.api.trail import record_action
from agentshield.engines.pii import InputRejected, PiiResult

router = APIRouter(prefix="/pii", tags=["pii"], route_class=ApiRoute)


class ScanIn(Body):
    text: str | None = None
    texts: list[str] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ScanIn:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give either 'text' or 'texts'")
        return self


@router.post("/scan", summary="Find and redact personal data and secrets in text")
async def scan(
    body: ScanIn, caller: TenantCaller, session: DbSession, config: ConfigCache, scanner: Scanner
) -> dict[str, Any]:
    policy = await config.pii_policy(caller.tenant_id)
    rules = await config.pii_rules(caller.tenant_id, caller.department_id, caller.user_id)
    texts = [body.text] if body.text is not None else body.texts or []
    try:
        # Scans are CPU work of up to a few seconds: keep the event loop free meanwhile.
        results: list[PiiResult] = await run_in_threadpool(
            scanner.scan_batch, texts, policy=policy, rules=rules
        )
    except InputRejected as exc:
        raise (TooLarge if exc.status == 413 else Unprocessable)(str(exc)) from exc
    counts = Counter(f.entity_type for result in results for f in result.findings)
    await record_action(session, caller, "pii.scanned", texts=len(texts), findings=dict(counts))
    if body.text is not None:
        return results[0].as_dict()
    return {"results": [result.as_dict() for result in results]}
