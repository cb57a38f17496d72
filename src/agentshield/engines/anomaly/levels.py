"""From a deviation to a score in [0, 1], a severity and the action it calls for.

Both scorers (standard deviations, IsolationForest) express how far an hour is from the
user's own hours as a deviation `m` in standard deviations of those hours. The score is a
piecewise-linear map of `m` through fixed anchors, so each level is a documented distance:

    m    0     4.5    6.5      9     18
    s    0     0.6    0.75     0.9   1.0

ALERT at 4.5 SD: on generated office weeks the largest deviation of a normal hour stays
near 3.5, and a Gaussian hour passes 4.5 SD once in about 300,000. THROTTLE at 6.5 SD: on
the user's usual spread, two to four times the usual spend in an hour. BLOCK at 9 SD:
an order of magnitude more, or several times more at an hour the user never works.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

ANCHORS_M = (0.0, 4.5, 6.5, 9.0, 18.0)
ANCHORS_SCORE = (0.0, 0.6, 0.75, 0.9, 1.0)


class Severity(StrEnum):
    NONE = "none"
    ALERT = "alert"  # an event for the admins
    THROTTLE = "throttle"  # the user's rate limit is halved
    BLOCK = "block"  # restricted mode until an admin acknowledges


THRESHOLDS = ((0.9, Severity.BLOCK), (0.75, Severity.THROTTLE), (0.6, Severity.ALERT))
ACTIONS = {
    Severity.NONE: "none",
    Severity.ALERT: "event",
    Severity.THROTTLE: "halve_rate_limit",
    Severity.BLOCK: "restrict",
}


def score_of(deviation: float) -> float:
    return float(np.interp(max(deviation, 0.0), ANCHORS_M, ANCHORS_SCORE))


def severity_of(score: float) -> Severity:
    for threshold, severity in THRESHOLDS:
        if score >= threshold:
            return severity
    return Severity.NONE
