"""Personal data and secrets, both ways: the request before it leaves, the answer before the
client sees it.

The tenant's policy decides per entity type: `redact` rewrites the text sent upstream,
`restore` sends placeholders and puts the originals back in the answer (one RestoreMap per
request, in `ctx.scratch`), `block` refuses the call (403 `pii_blocked`, naming the types,
never the values), `flag` only reports. The caller's custom rules (user over department
over tenant) apply too. Output PII is redacted before placeholders are restored, so a
restored original is never redacted. Findings (hashes, never values) go to `ctx.findings`
for the audit entry, their counts to `X-AgentShield-PII-Findings` (the request's only, for
a stream, since its headers leave first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agentshield.engines.pii import (
    InputRejected,
    KnownSecrets,
    PiiFinding,
    PiiResult,
    PiiScanner,
    Policy,
    RestoreMap,
    RuleSet,
)
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import Blocked, GatewayError, InvalidField, TextTooLarge
from agentshield.gateway.guards.pii_stream import StreamRewriter
from agentshield.gateway.message_text import Slot, request_slots, response_slots
from agentshield.store.tenant_config import TenantConfig

FINDINGS_HEADER = "x-agentshield-pii-findings"
SCANNED = ("chat.completions", "embeddings", "images.generations")


@dataclass(slots=True)
class _State:
    policy: Policy
    rules: RuleSet | None
    restore_map: RestoreMap | None
    counts: Counter[str] = field(default_factory=Counter)
    stream: StreamRewriter | None = None
    # Secrets found in the conversation so far: said again in a later message (a tool's
    # output echoing a password given before) they are redacted there too.
    known: KnownSecrets = field(default_factory=KnownSecrets)


class PiiGuard:
    name = "pii"

    def __init__(self, scanner: PiiScanner, config: TenantConfig) -> None:
        self._scanner = scanner
        self._config = config

    async def on_request(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None or ctx.endpoint not in SCANNED:
            return
        policy = await self._config.pii_policy(caller.tenant_id)
        rules = await self._config.pii_rules(caller.tenant_id, caller.department_id, caller.user_id)
        restore_map = RestoreMap() if policy.uses_restore else None
        state = ctx.scratch[self.name] = _State(policy, rules, restore_map)
        param = {"embeddings": "input", "images.generations": "prompt"}.get(
            ctx.endpoint, "messages"
        )
        findings = self._rewrite(list(request_slots(ctx.endpoint, ctx.body)), state, param)
        _record(ctx, state, findings)
        blocked = sorted({f.entity_type for f in findings if f.action == "block"})
        if blocked:
            raise Blocked(
                403,
                "permission_error",
                "pii_blocked",
                f"The request contains data this organisation does not allow to be sent: "
                f"{', '.join(blocked)}.",
            )
        if ctx.stream:
            state.stream = StreamRewriter(self._scanner, policy, rules, restore_map, state.known)

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        state: _State | None = ctx.scratch.get(self.name)
        if state is not None and state.stream is not None:
            state.stream.rewrite(chunk)
        return [chunk]

    def on_stream_end(self, ctx: RequestContext) -> list[dict[str, Any]]:
        state: _State | None = ctx.scratch.get(self.name)
        if state is None or state.stream is None:
            return []
        return state.stream.end()

    async def on_response(self, ctx: RequestContext) -> None:
        state: _State | None = ctx.scratch.get(self.name)
        if state is None:
            return
        if state.stream is not None:
            # Headers are gone: the stream's findings reach the audit entry only.
            found = state.stream.finish()
            ctx.findings += [f.as_finding() for f in found]
            _decide(ctx, [f.action for f in found])
        elif ctx.response is not None and ctx.endpoint == "chat.completions":
            slots = list(response_slots(ctx.response))
            _record(ctx, state, self._rewrite(slots, state, "response", state.restore_map))

    def _rewrite(
        self, slots: list[Slot], state: _State, param: str, restore: RestoreMap | None = None
    ) -> list[PiiFinding]:
        """Scan the slots' texts and write back the redacted text, restored with `restore`
        (answers only: redact first, so that restored originals stay as they were)."""
        texts: list[str] = [slot.container[slot.key] for slot in slots]  # type: ignore[index]
        results: list[PiiResult] = []
        step = self._scanner.limits.max_batch
        try:
            for start in range(0, len(texts), step):
                results += self._scanner.scan_batch(
                    texts[start : start + step],
                    policy=state.policy,
                    rules=state.rules,
                    restore_map=state.restore_map,
                    known=state.known,
                )
        except InputRejected as exc:
            raise _rejected(exc, param) from exc
        for slot, text, result in zip(slots, texts, results, strict=True):
            out = result.redacted_text
            if restore is not None:
                out = restore.restore(out)
            if out != text:
                slot.container[slot.key] = out  # type: ignore[index]
        return [finding for result in results for finding in result.findings]


def _record(ctx: RequestContext, state: _State, findings: list[PiiFinding]) -> None:
    if not findings:
        return
    ctx.findings += [f.as_finding() for f in findings]
    state.counts.update(f.entity_type for f in findings)
    ctx.response_headers[FINDINGS_HEADER] = ",".join(
        f"{kind}={count}" for kind, count in sorted(state.counts.items())
    )
    _decide(ctx, [f.action for f in findings])


def _decide(ctx: RequestContext, actions: Iterable[str]) -> None:
    """`redact` when anything was rewritten, `flag` when only reported; never over a
    block or an error."""
    actions = set(actions)
    if actions - {"flag"} and ctx.decision in ("allow", "flag"):
        ctx.decision = "redact"
    elif actions and ctx.decision == "allow":
        ctx.decision = "flag"


def _rejected(exc: InputRejected, param: str) -> GatewayError:
    if exc.status == 413:
        return TextTooLarge(f"The text cannot be scanned for personal data: {exc}.")
    return InvalidField(param, f"The text cannot be scanned for personal data: {exc}.")
