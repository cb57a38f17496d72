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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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


@dataclass(slots=True)
class HourTally:
    """One user's requests in one UTC hour, counted as they come: what features are made of.

    `add` with a negative count takes back a request counted before it was refused.
    """

    hour: datetime
    spend_nanos: int = 0
    requests: int = 0
    models: Counter[str] = field(default_factory=Counter)
    hours_of_day: Counter[int] = field(default_factory=Counter)  # local hour of each request
    first_at: datetime | None = None

    def add(self, record: SpendRecord, tz: tzinfo = UTC, count: int = 1) -> None:
        self.spend_nanos += count * record.cost_nanos
        self.requests += count
        self.models[record.model] += count
        self.hours_of_day[record.at.astimezone(tz).hour] += count
        if self.first_at is None or record.at < self.first_at:
            self.first_at = record.at

    def copy(self) -> HourTally:
        return replace(self, models=Counter(self.models), hours_of_day=Counter(self.hours_of_day))


@dataclass(frozen=True, slots=True)
class Habits:
    """What a user's earlier requests make usual: their model shares and hours of the day."""

    models: dict[str, int] = field(default_factory=dict, hash=False)
    hours_of_day: tuple[int, ...] = (0,) * 24
    first_at: datetime | None = None

    def features(self, tally: HourTally) -> HourFeatures:
        """The hour `tally` counts, judged against these (earlier) habits."""
        return HourFeatures(
            hour=tally.hour,
            spend_nanos=max(tally.spend_nanos, 0),
            requests=max(tally.requests, 1),
            model_shift=js_distance(+tally.models, Counter(self.models)),
            off_hours=self._off_hours(tally),
        )

    def after(self, tally: HourTally) -> Habits:
        """These habits with the hour `tally` counts learnt."""
        models = Counter(self.models)
        models.update(+tally.models)
        hours = list(self.hours_of_day)
        for hour, count in (+tally.hours_of_day).items():
            hours[hour] += count
        return Habits(dict(models), tuple(hours), self.first_at or tally.first_at)

    def _off_hours(self, tally: HourTally) -> float:
        since, first = self.first_at, tally.first_at
        if since is None or first is None or first - since < MIN_HOURS_HISTORY:
            return 0.0
        seen = sum(self.hours_of_day)
        unusual = sum(
            count
            for hour, count in (+tally.hours_of_day).items()
            if self.hours_of_day[hour] < USUAL_HOUR_SHARE * seen
        )
        return unusual / max(tally.requests, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "hours_of_day": list(self.hours_of_day),
            "first_at": self.first_at.isoformat() if self.first_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Habits:
        first = data.get("first_at")
        return cls(
            models={str(k): int(v) for k, v in data["models"].items()},
            hours_of_day=tuple(int(v) for v in data["hours_of_day"]),
            first_at=datetime.fromisoformat(first) if first else None,
        )


def tallies(records: Iterable[SpendRecord], *, tz: tzinfo = UTC) -> list[HourTally]:
    """One user's records counted per UTC hour, oldest hour first."""
    by_hour: dict[datetime, HourTally] = {}
    for record in sorted(records, key=lambda r: r.at):
        hour = hour_of(record.at)
        by_hour.setdefault(hour, HourTally(hour)).add(record, tz)
    return list(by_hour.values())


def user_hours(records: Iterable[SpendRecord], *, tz: tzinfo = UTC) -> list[HourFeatures]:
    """One user's active hours, oldest first. `tz` decides what "hour of the day" means."""
    habits = Habits()
    out = []
    for tally in tallies(records, tz=tz):
        out.append(habits.features(tally))
        habits = habits.after(tally)
    return out


def hourly_features(
    records: Iterable[SpendRecord], *, tz: tzinfo = UTC
) -> dict[str, list[HourFeatures]]:
    """Every user's active hours, oldest first."""
    per_user: dict[str, list[SpendRecord]] = {}
    for record in records:
        per_user.setdefault(record.user_id, []).append(record)
    return {user: user_hours(rs, tz=tz) for user, rs in per_user.items()}
