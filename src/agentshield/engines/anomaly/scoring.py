"""Scoring the current hour, pending request included, against the user's profile.

model = SpendModel.fit(profile)               # deterministic; cache it per trained_until
assessment = model.assess(current_hour)
assessment = evaluate(history, pending)       # features, profile and model in one call
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any, Literal

from agentshield.engines.anomaly.baseline import Baseline
from agentshield.engines.anomaly.features import HourFeatures, SpendRecord, hour_of, user_hours
from agentshield.engines.anomaly.forest import SpendForest
from agentshield.engines.anomaly.levels import ACTIONS, Severity, score_of, severity_of
from agentshield.engines.anomaly.profile import SpendProfile

ModelKind = Literal["none", "std", "iforest"]


@dataclass(frozen=True, slots=True)
class Assessment:
    hour: HourFeatures
    score: float
    severity: Severity
    model_kind: ModelKind
    deviation: float  # in standard deviations of the user's hours, before calibration
    deviations: dict[str, float]  # per feature, for the explanation
    baseline_nanos: int  # the user's typical hourly spend
    raw: float | None = None  # IsolationForest score_samples, when the forest scored

    @property
    def action(self) -> str:
        return ACTIONS[self.severity]

    @property
    def actual_nanos(self) -> int:
        return self.hour.spend_nanos

    def features_json(self) -> dict[str, Any]:
        return {"hour": self.hour.to_json(), "deviations": self.deviations, "raw": self.raw}


@dataclass(frozen=True, slots=True)
class SpendModel:
    kind: ModelKind
    baseline: Baseline | None
    forest: SpendForest | None = None

    @classmethod
    def fit(cls, profile: SpendProfile) -> SpendModel:
        kind = profile.model_kind()
        if kind == "iforest":
            forest = SpendForest.fit(profile.matrix(profile.training()), profile.params)
            return cls("iforest", forest.baseline, forest)
        if kind == "std":
            return cls("std", Baseline.standard(profile.matrix(profile.samples)))
        return cls("none", None)

    def assess(self, hour: HourFeatures) -> Assessment:
        if self.baseline is None:
            return Assessment(hour, 0.0, Severity.NONE, "none", 0.0, {}, 0)
        x = hour.vector()
        raw = None
        if self.forest is not None:
            raw = self.forest.raw(x)
            deviation = self.forest.deviation(x, raw)
        else:
            deviation = self.baseline.deviation(x)
        score = score_of(deviation)
        return Assessment(
            hour=hour,
            score=score,
            severity=severity_of(score),
            model_kind=self.kind,
            deviation=round(deviation, 4),
            deviations=self.baseline.deviations(x),
            baseline_nanos=round(math.expm1(self.baseline.center[0])),
            raw=raw,
        )


def evaluate(
    history: Iterable[SpendRecord],
    pending: SpendRecord,
    *,
    profile: SpendProfile | None = None,
    tz: tzinfo = UTC,
) -> Assessment:
    """Score the pending request's hour as it would be with the request in it.

    `history` is the user's earlier requests (others' are ignored). Without a `profile`, one
    is built from the completed hours of `history`.
    """
    current = hour_of(pending.at)
    mine = [r for r in history if r.user_id == pending.user_id and hour_of(r.at) <= current]
    hours = user_hours([*mine, pending], tz=tz)
    if profile is None:
        profile = SpendProfile.from_hours(hours[:-1])
    return SpendModel.fit(profile).assess(hours[-1])
