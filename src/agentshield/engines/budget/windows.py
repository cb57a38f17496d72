"""Quota windows: a day or a calendar month, in UTC or in the tenant's time zone.

A window is named by its start (stored in UTC), so usage rows of a new window start at zero
by themselves: nothing has to run at midnight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

PERIODS = ("daily", "monthly")


def window_bounds(
    period: str, now: datetime, time_zone: str | None = None
) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the `period` window holding `now`; end is the next start."""
    return bounds_on(period, *local_day(now, time_zone))


def local_day(now: datetime, time_zone: str | None = None) -> tuple[date, tzinfo]:
    """The day `now` falls on in `time_zone` (UTC when None), and that zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone: tzinfo = ZoneInfo(time_zone) if time_zone else UTC
    return now.astimezone(zone).date(), zone


@lru_cache(maxsize=1024)  # every call of the day asks for the same few windows
def bounds_on(period: str, today: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the `period` window holding the day `today` of `zone`."""
    if period == "daily":
        first, following = today, today + timedelta(days=1)
    elif period == "monthly":
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown quota period {period!r}; known: {PERIODS}")
    return _midnight(first, zone), _midnight(following, zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
