"""Hourly features: what a user's hour looks like to the anomaly engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agentshield.engines.anomaly import SpendRecord, hourly_features, user_hours

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def rec(minutes: int, model: str = "a", cost: int = 100, user: str = "u") -> SpendRecord:
    return SpendRecord(user, T0 + timedelta(minutes=minutes), model, cost)


def test_requests_are_summed_per_user_and_utc_hour() -> None:
    records = [rec(5, cost=100), rec(50, cost=201), rec(65, cost=7), rec(10, user="v")]
    hours = hourly_features(records)
    assert sorted(hours) == ["u", "v"]
    first, second = hours["u"]
    assert (first.hour, first.spend_nanos, first.requests) == (T0, 301, 2)
    assert first.avg_cost_nanos == 151  # rounded up, like every charge
    assert (second.hour, second.spend_nanos) == (T0 + timedelta(hours=1), 7)


def test_model_shift_measures_the_change_from_earlier_shares() -> None:
    same = user_hours([rec(0, "a"), rec(1, "b"), rec(60, "a"), rec(61, "b")])
    swapped = user_hours([rec(0, "a"), rec(60, "b")])
    partly = user_hours([rec(0, "a"), rec(1, "a"), rec(60, "a"), rec(61, "b")])
    assert same[0].model_shift == 0.0  # nothing earlier to compare with
    assert same[1].model_shift == pytest.approx(0.0)
    assert swapped[1].model_shift == pytest.approx(1.0)
    assert 0.0 < partly[1].model_shift < 1.0


def test_off_hours_are_those_the_user_seldom_used_once_a_day_is_known() -> None:
    office = [rec(d * 1440 + h * 60) for d in range(2) for h in range(9)]  # 09:00-17:59
    night = rec(2 * 1440 - 6 * 60)  # 03:00 on the third day
    too_early = user_hours([*office[:5], rec(5 * 60 + 10)])  # 14:10 on day one
    assert too_early[-1].off_hours == 0.0  # less than a day seen: nothing is unusual yet
    hours = user_hours([*office, night, rec(2 * 1440 + 30)])
    assert [h.off_hours for h in hours[-2:]] == [1.0, 0.0]
    assert all(h.off_hours == 0.0 for h in hours[:-2])


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        user_hours([SpendRecord("u", datetime(2026, 1, 1), "a", 1)])
