"""What one batch of the budget step has read and changed, until it writes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agentshield.store.budget.holds import Targets
from agentshield.store.budget.lease import HoldDeltas
from agentshield.store.budget.ledger import WalletMoves
from agentshield.store.budget.quota_windows import WindowKey, WindowState


@dataclass(slots=True)
class BatchState:
    now: datetime
    windows: dict[WindowKey, WindowState | None]
    wallets: WalletMoves
    deltas: HoldDeltas = field(default_factory=dict)  # what the leases' rows gain or lose
    targets: dict[int, Targets] = field(default_factory=dict)  # by the requests' bounds
