"""Threshold fitting honours the false-positive cap."""

from __future__ import annotations

import numpy as np
import pytest

from agentshield.engines.injection.thresholds import fit


def test_clean_only_flags_at_most_the_cap() -> None:
    clean = np.linspace(0.0, 1.0, 101)
    fitted = fit(clean, fp_cap=0.05)
    assert fitted.false_positive_rate <= 0.05
    assert np.mean(clean >= fitted.threshold) == fitted.false_positive_rate
    # the lowest such threshold: one step down would break the cap
    assert np.mean(clean >= 0.94) > 0.05
    assert fitted.true_positive_rate is None


def test_injected_scores_raise_the_threshold_without_losing_detections() -> None:
    clean = np.linspace(0.0, 0.5, 100)
    injected = np.array([0.8, 0.9, 0.95])
    alone = fit(clean, fp_cap=0.02)
    both = fit(clean, injected, fp_cap=0.02)
    assert both.threshold == pytest.approx(0.8)
    assert both.threshold > alone.threshold
    assert both.true_positive_rate == 1.0
    assert both.false_positive_rate == 0.0


def test_zero_cap_flags_no_clean_text() -> None:
    clean = [0.1, 0.2, 0.3]
    assert fit(clean, fp_cap=0.0).threshold > 0.3


@pytest.mark.parametrize("cap", [-0.1, 1.0])
def test_bad_cap_is_refused(cap: float) -> None:
    with pytest.raises(ValueError, match="fp_cap"):
        fit([0.1], fp_cap=cap)
