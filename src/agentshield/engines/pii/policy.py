"""What to do with what is found (Policy) and how much work one scan may take (ScanLimits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["redact", "restore", "block", "flag"]
MODES: tuple[Mode, ...] = ("redact", "restore", "block", "flag")
MIN_SCORE = 0.5  # a finding's score at least, unless a tenant sets another


@dataclass(frozen=True, slots=True)
class Policy:
    """A tenant's PII settings, per entity type.

    - redact: the value is replaced by a context-aware form (`<EMAIL_DOMAIN:company.com>`)
      or, with `context_aware=False`, by `<EMAIL>`;
    - restore: by a stable placeholder (`<EMAIL_1>`), mapped back in the response;
    - block: the request must be refused (the text is still redacted for the record);
    - flag: left in place and only reported.
    """

    modes: Mapping[str, Mode] = field(default_factory=dict)
    default_mode: Mode = "redact"
    min_score: float = MIN_SCORE
    context_aware: bool = True
    # Keyed hashing makes value hashes of short values (SSNs, phones) hard to brute-force.
    hash_key: bytes | None = None

    def __post_init__(self) -> None:
        bad = [m for m in (self.default_mode, *self.modes.values()) if m not in MODES]
        if bad:
            raise ValueError(f"unknown PII mode(s) {bad}; use one of {MODES}")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError("min_score must be within 0..1")

    def mode_for(self, entity_type: str) -> Mode:
        return self.modes.get(entity_type, self.default_mode)

    @property
    def uses_restore(self) -> bool:
        return self.default_mode == "restore" or "restore" in self.modes.values()


@dataclass(frozen=True, slots=True)
class ScanLimits:
    """Bounds that keep one scan finite whatever the input; exceeding one raises InputRejected."""

    max_text_chars: int = 2_000_000
    max_batch: int = 1_000
    max_candidates: int = 50_000
    max_decode_depth: int = 3
    max_decoded_spans: int = 256  # encoded spans decoded per view
    invalid_utf8: Literal["replace", "refuse"] = "replace"
