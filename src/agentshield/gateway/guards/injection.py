"""Prompt injection, direct and indirect, in a chat request or an image prompt before it
leaves.

What the user wrote is scanned as direct injection (an image generation's `prompt` too);
tool (and legacy function) results are scanned as indirect injection: text the model will
read that nobody in the conversation wrote, such as a fetched web page or a retrieved
document. System and assistant messages are the application's own and are not scanned.

The tenant's policy (`store.injection_policy`) picks a mode for each kind: `block` refuses
the call (403 `prompt_injection`, naming the risk factors), `sanitize` sends the detector's
cleaned text upstream in place of the original, `flag` only reports. Every suspicious text
adds findings (metadata only) and the `X-AgentShield-Injection` header, e.g.
`suspicious; confidence=0.93; factors=instruction_override; sources=user`.

All texts of a request are scanned in one batch, in a worker thread: the model is CPU-bound.
Not in the default guard list: it costs about 5 ms of CPU for a 500-character message.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

from agentshield.engines.findings import Finding
from agentshield.engines.injection import SharedDetector, Verdict
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import Blocked
from agentshield.gateway.images import IMAGES
from agentshield.gateway.message_text import Slot, message_slots
from agentshield.store.injection_policy import InjectionPolicy, policy_from
from agentshield.store.tenant_config import TenantConfig

HEADER = "x-agentshield-injection"
DIRECT_ROLES = frozenset({"user"})
INDIRECT_ROLES = frozenset({"tool", "function"})


@dataclass(frozen=True, slots=True)
class _Text:
    slot: Slot
    message: int  # index in `messages`
    role: str

    @property
    def indirect(self) -> bool:
        return self.role in INDIRECT_ROLES


class InjectionGuard:
    name = "injection"

    def __init__(self, detector: SharedDetector, config: TenantConfig) -> None:
        self._detector = detector
        self._config = config

    async def on_request(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None:
            return
        if ctx.endpoint == "chat.completions":
            texts = _scanned(ctx.body)
        elif ctx.endpoint == IMAGES:
            texts = _prompt(ctx.body)
        else:
            return
        if not texts:
            return
        policy = policy_from(await self._config.settings(caller.tenant_id))
        strings = [t.slot.container[t.slot.key] for t in texts]  # type: ignore[index]
        verdicts = await asyncio.to_thread(lambda: self._detector.get().scan_batch(strings))
        hits = [
            (text, verdict, _mode(policy, text))
            for text, verdict in zip(texts, verdicts, strict=True)
            if verdict.is_suspicious
        ]
        if not hits:
            return
        ctx.findings += [f for hit in hits for f in _findings(*hit)]
        ctx.response_headers[HEADER] = _header(hits)
        blocked = [verdict for _, verdict, mode in hits if mode == "block"]
        if blocked:
            factors = ", ".join(_factors(blocked)) or "learned classifier"
            raise Blocked(
                403,
                "permission_error",
                "prompt_injection",
                f"The request was refused: it looks like a prompt injection ({factors}).",
            )
        for text, verdict, mode in hits:
            if mode == "sanitize":
                text.slot.container[text.slot.key] = verdict.cleaned_text  # type: ignore[index]
        if any(mode == "sanitize" for _, _, mode in hits) and ctx.decision in ("allow", "flag"):
            ctx.decision = "redact"
        elif ctx.decision == "allow":
            ctx.decision = "flag"

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        return None


def _scanned(body: dict[str, Any]) -> list[_Text]:
    """The message texts to scan: content (not tool-call arguments) of user and tool
    messages, with nothing but whitespace left out."""
    messages = body.get("messages")
    found = []
    for index, message in enumerate(messages if isinstance(messages, list) else ()):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in DIRECT_ROLES | INDIRECT_ROLES:
            continue
        for slot in message_slots(message):
            text = slot.container[slot.key]  # type: ignore[index]
            if slot.name.startswith("content") and text.strip():
                found.append(_Text(slot, index, role))
    return found


def _prompt(body: dict[str, Any]) -> list[_Text]:
    """An image generation's prompt, what its user wrote."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return []
    return [_Text(Slot(body, "prompt", "prompt"), 0, "user")]


def _mode(policy: InjectionPolicy, text: _Text) -> str:
    return policy.on_detect_indirect if text.indirect else policy.on_detect


def _findings(text: _Text, verdict: Verdict, mode: str) -> list[Finding]:
    """One finding for the verdict, then the named patterns' (spans into that text)."""
    where = {"message": text.message, "role": text.role, "part": text.slot.name}
    summary = Finding(
        guard="injection",
        kind="indirect_injection" if text.indirect else "prompt_injection",
        score=round(verdict.confidence, 4),
        explanation=verdict.summary,
        data={**where, "action": mode, "risk_factors": list(verdict.risk_factors)},
    )
    return [summary, *verdict.findings]


def _factors(verdicts: list[Verdict]) -> list[str]:
    return list(dict.fromkeys(f for v in verdicts for f in v.risk_factors))


def _header(hits: list[tuple[_Text, Verdict, str]]) -> str:
    # Rounded down: a 0.998 is not shown as a certain 1.00.
    confidence = math.floor(max(v.confidence for _, v, _ in hits) * 100) / 100
    factors = ",".join(_factors([v for _, v, _ in hits])) or "classifier"
    sources = ",".join(dict.fromkeys("tool" if t.indirect else "user" for t, _, _ in hits))
    return f"suspicious; confidence={confidence:.2f}; factors={factors}; sources={sources}"
