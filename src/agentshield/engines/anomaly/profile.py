"""A user's spend profile: their past active hours, their habits (model shares, hours of the
day), how far their requests were folded in, and when the forest was last fitted.

The profile is plain data (JSON in the store). The forest is fitted on the hours up to
`trained_until` and refitted as hours accrue: after RETRAIN_EVERY new hours, or when the fit
is older than STALE_AFTER, or on demand with `retrained()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from agentshield.engines.anomaly.features import Habits, HourFeatures, HourTally
from agentshield.engines.anomaly.forest import ForestParams

MIN_SAMPLES = 3  # below this nothing is known about the user: no score
FOREST_FROM = 10  # the standard-deviation baseline serves until then
RETRAIN_EVERY = 24
STALE_AFTER = timedelta(days=7)
MAX_SAMPLES = 24 * 7 * 8  # eight weeks of round-the-clock hours


@dataclass(frozen=True, slots=True)
class SpendProfile:
    samples: tuple[HourFeatures, ...] = ()
    trained_until: datetime | None = None  # hour of the last sample the forest was fitted on
    params: ForestParams = field(default_factory=ForestParams)
    habits: Habits = field(default_factory=Habits)
    through: datetime | None = None  # requests before this instant are folded in

    @classmethod
    def from_hours(cls, hours: Iterable[HourFeatures]) -> SpendProfile:
        profile = cls()
        for hour in hours:
            profile = profile.with_hour(hour)
        return profile

    def training(self) -> tuple[HourFeatures, ...]:
        if self.trained_until is None:
            return ()
        return tuple(s for s in self.samples if s.hour <= self.trained_until)

    def matrix(self, hours: tuple[HourFeatures, ...]) -> np.ndarray:
        return np.array([h.vector() for h in hours])

    def needs_retrain(self, now: datetime | None = None) -> bool:
        if len(self.samples) < FOREST_FROM:
            return False
        if self.trained_until is None:
            return True
        fresh = sum(s.hour > self.trained_until for s in self.samples)
        stale = now is not None and now - self.trained_until > STALE_AFTER and fresh > 0
        return fresh >= RETRAIN_EVERY or stale

    def retrained(self) -> SpendProfile:
        """Fit on every sample now held (on demand); old hours past MAX_SAMPLES are dropped."""
        if len(self.samples) < FOREST_FROM:
            return self
        return replace(self, trained_until=self.samples[-1].hour)

    def with_hour(self, hour: HourFeatures, now: datetime | None = None) -> SpendProfile:
        """The profile with one more completed hour, refitted when that is due."""
        if self.samples and hour.hour <= self.samples[-1].hour:
            raise ValueError(f"hour {hour.hour} is not after the last one")
        grown = replace(self, samples=(*self.samples, hour)[-MAX_SAMPLES:])
        return grown.retrained() if grown.needs_retrain(now) else grown

    def with_tally(self, tally: HourTally, now: datetime | None = None) -> SpendProfile:
        """The profile with one more completed hour, counted: its features, then its habits."""
        grown = self.with_hour(self.habits.features(tally), now)
        return replace(grown, habits=self.habits.after(tally))

    def folded_through(self, end: datetime) -> SpendProfile:
        return replace(self, through=end)

    def model_kind(self) -> str:
        """What scores this user: "iforest", "std" (standard deviations) or "none" (too new)."""
        if len(self.training()) >= FOREST_FROM:
            return "iforest"
        return "std" if len(self.samples) >= MIN_SAMPLES else "none"

    def model_key(self) -> tuple[object, ...]:
        """Equal keys give the same SpendModel: a cache key for a fitted model."""
        if self.model_kind() == "iforest":
            return ("iforest", self.trained_until, self.params)
        last = self.samples[-1].hour if self.samples else None
        return ("std", len(self.samples), last)

    def to_json(self) -> dict[str, Any]:
        return {
            "samples": [s.to_json() for s in self.samples],
            "trained_until": self.trained_until.isoformat() if self.trained_until else None,
            "params": self.params.to_json(),
            "habits": self.habits.to_json(),
            "through": self.through.isoformat() if self.through else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpendProfile:
        until, through, habits = data.get("trained_until"), data.get("through"), data.get("habits")
        return cls(
            samples=tuple(HourFeatures.from_json(s) for s in data["samples"]),
            trained_until=datetime.fromisoformat(until) if until else None,
            params=ForestParams.from_json(data["params"]),
            habits=Habits.from_json(habits) if habits else Habits(),
            through=datetime.fromisoformat(through) if through else None,
        )
