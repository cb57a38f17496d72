"""What the budget's batch step works on: this process's lease, the calls it holds for, and
the requests to hold, end or expire.

A call's hold lives in the memory of the process that made it (`Held`) and, summed with the
holds of the process's other calls in flight, in its lease's `lease_holds` rows. Only the
process ends its calls; when it dies, its lease lapses and any process returns the sums
(lease.py). Objects made for every call are plain slotted dataclasses: frozen ones take
four times longer to make.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agentshield.engines.ids import uuid7
from agentshield.store.budget.limits import Limits


@dataclass(slots=True, eq=False)
class Lease:
    """One lease of this process: its row exists from the first batch that holds under it
    until a sweep (of any process) finds it expired, returns what it holds and deletes it."""

    id: uuid.UUID = field(default_factory=uuid7)
    written: bool = False  # a batch inserted its row (that batch may yet have rolled back)
    lapsed: bool = False  # its row is gone: what its calls held was returned by a sweep


@dataclass(slots=True, eq=False)
class Leases:
    """This process's current lease; a lapsed one is replaced by a new one."""

    owner: str  # host and pid, shown to operators
    ttl: timedelta
    current: Lease = field(default_factory=Lease)


@dataclass(frozen=True, slots=True)
class Window:
    """A quota window a call holds against (its key: quota and start, the lock order)."""

    quota_id: uuid.UUID
    start: datetime
    usage_id: uuid.UUID
    metric: str  # usd | tokens


@dataclass(frozen=True, slots=True, eq=False)
class Targets:
    """What a call holds against: one object for every call of a batch with the same limits
    on the same day."""

    windows: tuple[Window, ...]
    wallet_id: uuid.UUID | None


HELD, ENDED, EXPIRED = "held", "ended", "expired"


@dataclass(slots=True, eq=False)
class Held:
    """A call's reservation; `targets` None when no limit applied (nothing is held).

    `state`: held; ended (settled or released: once only); expired (its hold was returned
    while the call went on: a late settle still charges). It changes only once the batch
    that decided it has committed (see service.py)."""

    targets: Targets | None
    amount_nanos: int = 0
    tokens: int = 0
    trace_id: str = ""
    lease: Lease | None = None
    deadline: float = 0.0  # loop time after which this process returns the hold itself
    state: str = HELD


NOTHING_HELD = Held(None)


@dataclass(slots=True)
class HoldRequest:
    leases: Leases
    limits: Limits  # not `none`
    amount_nanos: int
    tokens: int
    now: datetime
    trace_id: str = ""


@dataclass(slots=True)
class Ending:
    """Settle a call to its actual cost, or release it (`charge` False)."""

    leases: Leases
    held: Held
    now: datetime
    charge: bool
    actual_nanos: int = 0
    actual_tokens: int = 0


@dataclass(slots=True)
class Expiry:
    """Return the holds of calls that outlived their reservation's TTL (none: only renew
    the lease, for a process whose calls are all long)."""

    leases: Leases
    helds: list[Held]
    now: datetime
