"""Spend anomalies: per-user hourly features, a score in [0, 1], a severity and an action.

hours = hourly_features(records)                      # {user_id: [HourFeatures, ...]}
profile = SpendProfile.from_hours(hours["u-1"])       # fits the forest as hours accrue
assessment = evaluate(history, pending, profile=profile)
assessment.score, assessment.severity, assessment.action
"""

from agentshield.engines.anomaly.features import (
    FEATURES,
    HourFeatures,
    SpendRecord,
    hourly_features,
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
    "HourFeatures",
    "Severity",
    "SpendModel",
    "SpendProfile",
    "SpendRecord",
    "evaluate",
    "hourly_features",
    "score_of",
    "severity_of",
    "user_hours",
]
