"""Quota windows in a batch: each read (on PostgreSQL locked) once, in quota then start
order, changed in memory by every call of the batch, and written once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from agentshield.engines.ids import uuid7
from agentshield.store.sql import Sql, as_utc, as_uuid

# Every window of the batch at once, locked in the lock order (PostgreSQL locks the rows
# as the sort hands them out).
_ALL = """
SELECT u.id, u.quota_id, u.window_start, u.used + u.reserved, q.limit_amount
FROM quota_usage u JOIN quotas q ON q.id = u.quota_id
WHERE {pairs}
ORDER BY u.quota_id, u.window_start
"""
_QUOTA_EXISTS = "SELECT 1 FROM quotas WHERE id = :quota_id"
# The window's first call opens it; another transaction may race us to it.
_OPEN = """
INSERT INTO quota_usage (id, quota_id, window_start, used, reserved)
VALUES (:id, :quota_id, :start, 0, 0)
ON CONFLICT (quota_id, window_start) DO NOTHING
"""
_WRITE = """
UPDATE quota_usage SET used = used + :used, reserved = reserved + :reserved WHERE id = :id
"""

WindowKey = tuple[uuid.UUID, datetime]  # quota id, window start: the lock order


@dataclass(slots=True)
class WindowState:
    usage_id: uuid.UUID
    taken: int  # used + reserved, as the batch goes
    limit: int
    used: int = 0  # what the batch adds to `used`
    reserved: int = 0  # and to `reserved`


def read_windows(
    sql: Sql, keys: Iterable[WindowKey], to_open: set[WindowKey]
) -> dict[WindowKey, WindowState | None]:
    """Each window asked for, in key order; those in `to_open` are opened if new. None: the
    quota is gone (or a window not to open does not exist).

    The windows that exist are read and locked by one statement. A new one is opened and
    locked after them, in key order: a transaction holding a window it has just opened
    holds every older one it needs already, so it never waits for them."""
    ordered = sorted(set(keys))
    found = _existing(sql, ordered)
    windows: dict[WindowKey, WindowState | None] = {}
    for key in ordered:
        window = found.get(key)
        if window is None and key in to_open:
            params = {"quota_id": key[0], "start": key[1]}
            if sql.rows(_QUOTA_EXISTS, params):
                sql.run(_OPEN, {"id": uuid7(), **params})
                window = _existing(sql, [key])[key]
        windows[key] = window
    return windows


def _existing(sql: Sql, keys: list[WindowKey]) -> dict[WindowKey, WindowState]:
    if not keys:
        return {}
    params: dict[str, object] = {}
    pairs = []
    for n, (quota_id, start) in enumerate(keys):
        params[f"q{n}"], params[f"s{n}"] = quota_id, start
        pairs.append(f"(u.quota_id = :q{n} AND u.window_start = :s{n})")
    read = _ALL.format(pairs=" OR ".join(pairs)) + (" FOR UPDATE OF u" if sql.locks_rows else "")
    return {
        (as_uuid(quota_id), as_utc(start)): WindowState(as_uuid(usage_id), taken, limit)
        for usage_id, quota_id, start, taken, limit in sql.rows(read, params)
    }


def write_windows(sql: Sql, windows: dict[WindowKey, WindowState | None]) -> None:
    """One statement for all (on PostgreSQL one round trip), in the order they were locked."""
    sql.many(
        _WRITE,
        [
            {"used": w.used, "reserved": w.reserved, "id": w.usage_id}
            for w in windows.values()  # read in key order
            if w is not None and (w.used or w.reserved)
        ],
    )
