"""Hourly spend features of one user, built from request records.

Only hours with at least one request become samples: a score is always taken on an hour
that holds a request (the pending one), so idle hours would only teach the model that any
activity at all is unusual.

The model mix and the usual hours are judged against the user's earlier requests only, so a
feature never looks at the hour it describes or at anything later.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import numpy as np

FEATURES = ("log_spend", "log_requests", "log_avg_cost", "model_shift", "off_hours")
# An hour of the day is usual when it holds at least this share of the user's earlier
# requests; until those span a day, every hour is usual (nothing is known yet).
USUAL_HOUR_SHARE = 0.02
MIN_HOURS_HISTORY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SpendRecord:
    """One gateway call as the anomaly engine sees it."""

    user_id: str
    at: datetime  # timezone-aware
    model: str
    cost_nanos: int


@dataclass(frozen=True, slots=True)
class HourFeatures:
    hour: datetime  # start of the UTC hour
    spend_nanos: int
    requests: int
    model_shift: float  # Jensen-Shannon distance (base 2) from earlier model shares, in [0, 1]
    off_hours: float  # share of this hour's requests in hours of the day the user seldom uses

    @property
    def avg_cost_nanos(self) -> int:
        return -(-self.spend_nanos // self.requests)

    def vector(self) -> np.ndarray:
        """Amounts on a log scale: spend is heavy-tailed and a burst is a ratio, not a sum."""
        return np.array(
            [
                math.log1p(self.spend_nanos),
                math.log1p(self.requests),
                math.log1p(self.avg_cost_nanos),
                self.model_shift,
                self.off_hours,
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "hour": self.hour.isoformat(),
            "spend_nanos": self.spend_nanos,
            "requests": self.requests,
            "model_shift": self.model_shift,
            "off_hours": self.off_hours,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HourFeatures:
        return cls(
            hour=datetime.fromisoformat(data["hour"]),
            spend_nanos=int(data["spend_nanos"]),
            requests=int(data["requests"]),
            model_shift=float(data["model_shift"]),
            off_hours=float(data["off_hours"]),
        )


def hour_of(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: spend records must be timezone-aware")
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def js_distance(counts: Counter[str], baseline: Counter[str]) -> float:
    """Jensen-Shannon distance (base 2) of two count tables: 0 same mix, 1 disjoint."""
    if not counts or not baseline:
        return 0.0
    models = sorted(counts.keys() | baseline.keys())
    p = np.array([counts[m] for m in models], dtype=np.float64)
    q = np.array([baseline[m] for m in models], dtype=np.float64)
    p, q = p / p.sum(), q / q.sum()
    mid = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / mid[nz])))

    return math.sqrt(max(0.0, (kl(p) + kl(q)) / 2))


def _off_hours(
    records: Sequence[SpendRecord], by_hour: Counter[int], since: datetime | None, tz: tzinfo
) -> float:
    if since is None or records[0].at - since < MIN_HOURS_HISTORY:
        return 0.0
    seen = sum(by_hour.values())
    unusual = sum(by_hour[r.at.astimezone(tz).hour] < USUAL_HOUR_SHARE * seen for r in records)
    return unusual / len(records)


def user_hours(records: Iterable[SpendRecord], *, tz: tzinfo = UTC) -> list[HourFeatures]:
    """One user's active hours, oldest first. `tz` decides what "hour of the day" means."""
    by_hour: dict[datetime, list[SpendRecord]] = {}
    for record in sorted(records, key=lambda r: r.at):
        by_hour.setdefault(hour_of(record.at), []).append(record)
    models: Counter[str] = Counter()
    hours_of_day: Counter[int] = Counter()
    first: datetime | None = None
    out = []
    for hour, group in by_hour.items():
        mix = Counter(r.model for r in group)
        out.append(
            HourFeatures(
                hour=hour,
                spend_nanos=sum(r.cost_nanos for r in group),
                requests=len(group),
                model_shift=js_distance(mix, models),
                off_hours=_off_hours(group, hours_of_day, first, tz),
            )
        )
        models.update(mix)
        hours_of_day.update(r.at.astimezone(tz).hour for r in group)
        first = first or group[0].at
    return out


def hourly_features(
    records: Iterable[SpendRecord], *, tz: tzinfo = UTC
) -> dict[str, list[HourFeatures]]:
    """Every user's active hours, oldest first."""
    per_user: dict[str, list[SpendRecord]] = {}
    for record in records:
        per_user.setdefault(record.user_id, []).append(record)
    return {user: user_hours(rs, tz=tz) for user, rs in per_user.items()}
