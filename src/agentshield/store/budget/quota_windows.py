"""Quota windows in a batch: each read (on PostgreSQL locked) once, in quota then start
order, changed in memory by every call of the batch, and written once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from agentshield.engines.ids import uuid7
from agentshield.store.sql import Sql, as_uuid

_USAGE = """
SELECT u.id, u.used + u.reserved, q.limit_amount
FROM quota_usage u JOIN quotas q ON q.id = u.quota_id
WHERE u.quota_id = :quota_id AND u.window_start = :start
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
    """Each window asked for; those in `to_open` are opened if new. None: the quota is gone
    (or a window not to open does not exist)."""
    read = _USAGE + (" FOR UPDATE OF u" if sql.locks_rows else "")
    windows: dict[WindowKey, WindowState | None] = {}
    for key in sorted(set(keys)):
        params = {"quota_id": key[0], "start": key[1]}
        rows = sql.rows(read, params)
        if not rows and key in to_open and sql.rows(_QUOTA_EXISTS, params):
            sql.run(_OPEN, {"id": uuid7(), **params})
            rows = sql.rows(read, params)
        if not rows:
            windows[key] = None
            continue
        usage_id, taken, limit = rows[0]
        windows[key] = WindowState(as_uuid(usage_id), taken, limit)
    return windows


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
