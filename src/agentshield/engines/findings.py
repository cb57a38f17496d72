"""What a guard found. Carries a span, a score and an explanation; never the raw value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    guard: str  # which guard produced it, e.g. "pii", "injection"
    kind: str  # what was found, e.g. "EMAIL", "instruction_override"
    score: float = 1.0
    start: int | None = None
    end: int | None = None
    value_hash: str | None = None  # SHA-256 of the value, for correlation without the value
    explanation: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {"guard": self.guard, "kind": self.kind, "score": self.score}
        for name in ("start", "end", "value_hash"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.explanation:
            out["explanation"] = self.explanation
        if self.data:
            out["data"] = self.data
        return out
