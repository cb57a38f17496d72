"""Spend anomalies: per-user hourly features, a score in [0, 1], a severity and an action.

hours = hourly_features(records)                      # {user_id: [HourFeatures, ...]}
profile = SpendProfile.from_hours(hours["u-1"])       # fits the forest as hours accrue
assessment = evaluate(history, pending, profile=profile)
assessment.score, assessment.severity, assessment.action

The gateway keeps the current hour as a running HourTally and scores
`SpendModel.fit(profile).assess(profile.habits.features(tally))`; the hourly job folds each
finished hour in with `profile.with_tally(tally)`.
"""

from agentshield.engines.anomaly.features import (
    FEATURES,
    Habits,
    HourFeatures,
    HourTally,
    SpendRecord,
    hour_of,
    hourly_features,
    tallies,
    user_hours,
)
from agentshield.engines.anomaly.forest import ForestParams
from agentshield.engines.anomaly.levels import ACTIONS, Severity, score_of, severity_of
from agentshield.engines.anomaly.profile import SpendProfile
from agentshield.engines.anomaly.scoring import Assessment, SpendModel, evaluate

__all__ = [
    "ACTIONS",
    "FEATURES",
    "Assessment",
    "ForestParams",
    "Habits",
    "HourFeatures",
    "HourTally",
    "Severity",
    "SpendModel",
    "SpendProfile",
    "SpendRecord",
    "evaluate",
    "hour_of",
    "hourly_features",
    "score_of",
    "severity_of",
    "tallies",
    "user_hours",
]
