"""What a refused reservation says: which limit, how much is left, and when it resets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from agentshield.engines.money import to_usd_string


@dataclass(frozen=True, slots=True)
class Refusal:
    """`kind` "quota" (429: wait for the reset) or "wallet" (402: top up).

    Amounts are nano-dollars for the metric "usd", tokens for "tokens"; `left` is what the
    limit still allows (never negative), `resets_at` None for a wallet.
    """

    kind: str
    scope: str  # user | department | tenant | key (the wallet's owner, for a wallet)
    scope_id: uuid.UUID
    metric: str  # usd | tokens
    limit: int
    left: int
    asked: int
    period: str | None = None  # daily | monthly
    resets_at: datetime | None = None

    @property
    def name(self) -> str:
        """'user daily usd quota', 'department wallet'."""
        if self.kind == "wallet":
            return f"{self.scope} wallet"
        return f"{self.scope} {self.period} {self.metric} quota"

    def left_text(self) -> str:
        return to_usd_string(self.left) if self.metric == "usd" else str(self.left)

    def retry_after(self, now: datetime) -> float | None:
        """Seconds until the window resets, for a quota."""
        if self.resets_at is None:
            return None
        return max(0.0, (self.resets_at - now).total_seconds())
