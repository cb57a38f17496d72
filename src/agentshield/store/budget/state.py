"""What one batch of the budget step has read and changed, until it writes it.

Calls of a batch that hold against the same targets under the same lease form a `Group`:
its quota windows are looked up once, and its calls add up their amounts there, so a call
costs a few additions rather than a look-up per limit (most calls of a batch share one
group: the same limits, the same day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agentshield.store.budget.holds import Lease, Targets
from agentshield.store.budget.lease import HoldDeltas
from agentshield.store.budget.ledger import WalletMoves
from agentshield.store.budget.quota_windows import WindowKey, WindowState


@dataclass(slots=True)
class Group:
    lease: Lease
    targets: Targets
    windows: list[tuple[WindowState | None, bool]]  # each window's state, and metric usd
    gone: str = ""  # for holds: the quota or wallet removed since the limits were read
    held_nanos: int = 0  # what its calls hold: + for holds, - for holds returned
    held_tokens: int = 0
    used_nanos: int = 0  # what its calls were charged
    used_tokens: int = 0

    def apply(self, state: BatchState, taken: bool) -> None:
        """Add the calls' sums to the windows and the lease; `taken` also to the windows'
        running total (holds add to it call by call, to decide each)."""
        deltas = state.deltas
        for (window, usd), target in zip(self.windows, self.targets.windows, strict=True):
            held = self.held_nanos if usd else self.held_tokens
            if window is not None:  # None: the quota was removed since
                used = self.used_nanos if usd else self.used_tokens
                window.reserved += held
                window.used += used
                if taken:
                    window.taken += held + used
            if held:
                key = (self.lease, "quota", target.usage_id)
                deltas[key] = deltas.get(key, 0) + held
        wallet_id = self.targets.wallet_id
        if wallet_id is not None and self.held_nanos:
            key = (self.lease, "wallet", wallet_id)
            deltas[key] = deltas.get(key, 0) + self.held_nanos


@dataclass(slots=True)
class BatchState:
    now: datetime
    windows: dict[WindowKey, WindowState | None]
    wallets: WalletMoves
    deltas: HoldDeltas = field(default_factory=dict)  # what the leases' rows gain or lose
    groups: dict[tuple[int, int], Group] = field(default_factory=dict)  # by targets, lease
