"""The calibration: documented deviations land exactly on the documented levels."""

from __future__ import annotations

import pytest

from agentshield.engines.anomaly import ACTIONS, Severity, score_of, severity_of


@pytest.mark.parametrize(
    ("deviation", "severity"),
    [
        (0.0, Severity.NONE),
        (4.4, Severity.NONE),
        (4.5, Severity.ALERT),
        (6.5, Severity.THROTTLE),
        (9.0, Severity.BLOCK),
        (100.0, Severity.BLOCK),
    ],
)
def test_deviation_anchors_give_the_levels(deviation: float, severity: Severity) -> None:
    assert severity_of(score_of(deviation)) is severity


def test_score_is_monotone_and_bounded() -> None:
    scores = [score_of(m / 4) for m in range(-4, 120)]
    assert scores == sorted(scores)
    assert scores[0] == 0.0 and scores[-1] == 1.0


def test_each_level_names_its_action() -> None:
    assert ACTIONS[Severity.THROTTLE] == "halve_rate_limit"
    assert ACTIONS[Severity.BLOCK] == "restrict"
