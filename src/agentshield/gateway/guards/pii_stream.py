"""Output PII in a streamed completion, for the PII guard.

Each text of each choice (its content, each tool call's arguments) goes through its own
StreamingRedactor, which holds back at most a bounded tail so that a value split across
chunks is seen whole; in `restore` mode a StreamingRestorer follows it, so restored
originals are never redacted. A choice's texts are flushed into its `finish_reason` chunk,
or, for a stream that ends without one, into a last chunk of their own (`end`).
"""

from __future__ import annotations

from typing import Any

from agentshield.engines.pii import (
    KnownSecrets,
    PiiFinding,
    PiiScanner,
    Policy,
    RestoreMap,
    RuleSet,
    StreamingRedactor,
    StreamingRestorer,
)
from agentshield.gateway.message_text import message_slots


class _Text:
    def __init__(self, redactor: StreamingRedactor, restorer: StreamingRestorer | None) -> None:
        self.redactor = redactor
        self._restorer = restorer

    def feed(self, text: str) -> str:
        out = self.redactor.feed(text)
        return self._restorer.feed(out) if self._restorer is not None else out

    def flush(self) -> str:
        out = self.redactor.flush()
        if self._restorer is not None:
            out = self._restorer.feed(out) + self._restorer.flush()
        return out


class StreamRewriter:
    def __init__(
        self,
        scanner: PiiScanner,
        policy: Policy,
        rules: RuleSet | None,
        restore_map: RestoreMap | None,
        known: KnownSecrets | None = None,
    ) -> None:
        self._scanner = scanner
        # One conversation's secrets, for all its texts (repeats.py).
        self._known = known if known is not None else KnownSecrets()
        self._policy = policy
        self._rules = rules
        self._restore_map = restore_map
        self._texts: dict[tuple[int, str], _Text] = {}
        self._head: dict[str, Any] = {}  # id, object, created, model of the stream's chunks
        self.findings: list[PiiFinding] = []

    def rewrite(self, chunk: dict[str, Any]) -> None:
        self._head = {k: v for k, v in chunk.items() if k not in ("choices", "usage")}
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else ():
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            for slot in message_slots(choice.get("delta")):
                text = self._text(index, slot.name)
                slot.container[slot.key] = text.feed(slot.container[slot.key])  # type: ignore[index]
            if choice.get("finish_reason"):
                self._flush_into(choice, index)

    def end(self) -> list[dict[str, Any]]:
        """Chunks with what the choices still hold, when the stream ended without a finish."""
        chunks = []
        for index in sorted({index for index, _ in self._texts}):
            choice: dict[str, Any] = {"index": index, "delta": {}, "finish_reason": None}
            self._flush_into(choice, index)
            if choice["delta"]:
                chunks.append(self._head | {"choices": [choice]})
        return chunks

    def finish(self) -> list[PiiFinding]:
        """The findings of every text; what a stream cut short still held is dropped."""
        for key in list(self._texts):
            self._close(key)
        return self.findings

    def _text(self, index: int, name: str) -> _Text:
        text = self._texts.get((index, name))
        if text is None:
            redactor = StreamingRedactor(
                self._scanner,
                policy=self._policy,
                rules=self._rules,
                restore_map=self._restore_map,
                known=self._known,
            )
            restorer = None
            if self._restore_map is not None:
                restorer = StreamingRestorer(self._restore_map)
            text = self._texts[(index, name)] = _Text(redactor, restorer)
        return text

    def _close(self, key: tuple[int, str]) -> str:
        text = self._texts.pop(key)
        rest = text.flush()
        self.findings += text.redactor.findings
        return rest

    def _flush_into(self, choice: dict[str, Any], index: int) -> None:
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice["delta"] = {}
        for key in [key for key in self._texts if key[0] == index]:
            rest = self._close(key)
            if rest:
                _append(delta, key[1], rest)


def _append(delta: dict[str, Any], name: str, text: str) -> None:
    if name == "content":
        delta["content"] = (delta.get("content") or "") + text
        return
    if name == "function_call":
        function = delta.setdefault("function_call", {})
    else:
        call_index = int(name.split(".")[1])
        calls = delta.setdefault("tool_calls", [])
        call = next((c for c in calls if c.get("index") == call_index), None)
        if call is None:
            call = {"index": call_index, "function": {}}
            calls.append(call)
        function = call.setdefault("function", {})
    function["arguments"] = (function.get("arguments") or "") + text
