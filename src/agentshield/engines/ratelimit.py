"""Per-minute rate limits as GCRA (the generic cell rate algorithm), in integer arithmetic.

Why GCRA rather than a sliding window: one counter per limit (no log of past requests),
capacity that comes back continuously as OpenAI's limits do, a cost of any size (tokens)
and a later correction of that cost, and an exact answer to "when would this fit?".

A limit of L units per minute is a bucket of L units draining at L per minute. Its state
is a backlog: units outstanding * PERIOD_MS, so it is an integer that draining by
`elapsed_ms * L` keeps exact, and it means the same if L changes. A call of cost n fits
when `backlog + n * PERIOD_MS <= L * PERIOD_MS`. The Redis script in
`store/counters/redis.py` repeats `drain`, `fits` and `charge`; the rest is shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PERIOD_MS = 60_000
LEVELS = ("key", "user", "tenant")
METRICS = {"requests": "requests_per_minute", "tokens": "tokens_per_minute"}
# Backlogs stay below 2**53, where the Redis script's Lua numbers are still exact.
MAX_LIMIT = 10**9

# level -> metric -> limit per minute; None or absent: unlimited
LimitTable = Mapping[str, Mapping[str, int | None]]


@dataclass(frozen=True, slots=True)
class Limit:
    key: str  # the counter's name: one per level, subject and metric
    level: str  # "key", "user" or "tenant"
    metric: str  # "requests" or "tokens"
    limit: int  # units per minute
    cost: int  # units this call takes; negative to give back


@dataclass(frozen=True, slots=True)
class Status:
    limit: Limit
    remaining: int  # units still available now
    reset_ms: int  # until the bucket is full again


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    statuses: tuple[Status, ...]
    retry_after_ms: int = 0  # when refused: until every limit would let the call through
    refused_by: Limit | None = None  # the limit that makes the caller wait longest


def drain(backlog: int, elapsed_ms: int, limit: int) -> int:
    return max(0, backlog - max(0, elapsed_ms) * limit)


def fits(backlog: int, limit: Limit) -> bool:
    return backlog + limit.cost * PERIOD_MS <= limit.limit * PERIOD_MS


def charge(backlog: int, cost: int) -> int:
    return max(0, backlog + cost * PERIOD_MS)


def ttl_ms(backlog: int, limit: int) -> int:
    """How long the counter must live: until its backlog has drained."""
    return -(-backlog // limit)


def decide(limits: Sequence[Limit], backlogs: Sequence[int]) -> Decision:
    """The outcome for drained `backlogs` (before this call), one per limit.

    When allowed, statuses describe the state after charging the call.
    """
    if all(fits(b, limit) for b, limit in zip(backlogs, limits, strict=True)):
        after = [charge(b, limit.cost) for b, limit in zip(backlogs, limits, strict=True)]
        return Decision(
            True, tuple(_status(b, limit) for b, limit in zip(after, limits, strict=True))
        )
    waits = [
        (_wait_ms(b, limit), limit)
        for b, limit in zip(backlogs, limits, strict=True)
        if not fits(b, limit)
    ]
    wait, worst = max(waits, key=lambda pair: pair[0])
    statuses = tuple(_status(b, limit) for b, limit in zip(backlogs, limits, strict=True))
    return Decision(False, statuses, wait, worst)


def _wait_ms(backlog: int, limit: Limit) -> int:
    excess = backlog + limit.cost * PERIOD_MS - limit.limit * PERIOD_MS
    return -(-excess // limit.limit)


def _status(backlog: int, limit: Limit) -> Status:
    remaining = max(0, (limit.limit * PERIOD_MS - backlog) // PERIOD_MS)
    return Status(limit, remaining, ttl_ms(backlog, limit.limit))


def scaled(limit: int, factor: float) -> int:
    """A limit multiplied by `factor` (a throttled user's 0.5), never below one unit.

    The counter's backlog means the same under a changed limit, so a limit may shrink and
    grow back mid-minute without resetting it: calls already made still count.
    """
    return max(1, int(limit * factor))


def tightest(statuses: Sequence[Status], metric: str) -> Status | None:
    """The status to show for a metric: the fewest units left, then the longest reset."""
    ours = [s for s in statuses if s.limit.metric == metric]
    return min(ours, key=lambda s: (s.remaining, -s.reset_ms), default=None)


def merge(defaults: LimitTable, overrides: Any) -> dict[str, dict[str, int | None]]:
    """The process's defaults with a tenant's `rate_limits` document laid over them.

    A metric the tenant names wins, `null` included (unlimited); one it leaves out keeps
    the default. A value that is not a positive integer raises ValueError.
    """
    table = {level: dict(defaults.get(level) or {}) for level in LEVELS}
    if overrides is None:
        return table
    if not isinstance(overrides, Mapping):
        raise ValueError("rate_limits must be an object")
    for level, values in overrides.items():
        if level not in LEVELS or not isinstance(values, Mapping):
            raise ValueError(f"rate_limits.{level}: expected one of {LEVELS} with an object")
        for name, value in values.items():
            if name not in METRICS.values():
                raise ValueError(f"rate_limits.{level}.{name}: unknown limit")
            if value is not None and (type(value) is not int or not 1 <= value <= MAX_LIMIT):
                raise ValueError(f"rate_limits.{level}.{name}: must be an integer 1..{MAX_LIMIT}")
            table[level][name] = value
    return table


def duration(ms: int) -> str:
    """OpenAI's form of a reset time: '20ms', '1.5s', '6m0s'."""
    if ms < 1000:
        return f"{ms}ms"
    minutes, rest = divmod(ms, 60_000)
    seconds = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{seconds}s" if minutes else f"{seconds}s"
