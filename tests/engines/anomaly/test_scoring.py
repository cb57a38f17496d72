"""Scoring on a generated spend history: quiet weeks stay quiet, bursts are stopped.

The history: one user working office hours on weekdays, mostly on a cheap model with some
calls to an expensive one, with noisy request counts and costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np
import pytest

from agentshield.engines.anomaly import (
    Assessment,
    Severity,
    SpendModel,
    SpendProfile,
    SpendRecord,
    evaluate,
    user_hours,
)

USER = "u-1"
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
MODELS = (("gpt-4o-mini", 300_000), ("gpt-4o", 4_000_000))  # typical cost per call, nanos
EXPENSIVE_SHARE = 0.25
REQUESTS_PER_HOUR = 20


def calls(rng: np.random.Generator, hour: datetime, count: int, model_scale: float = 1.0):
    """`count` calls spread over `hour`, costs log-normal around each model's typical cost."""
    out = []
    for i in range(count):
        name, typical = MODELS[int(rng.random() < EXPENSIVE_SHARE)]
        cost = max(1, round(typical * model_scale * rng.lognormal(0.0, 0.3)))
        at = hour + timedelta(seconds=int(i * 3599 / max(count, 1)))
        out.append(SpendRecord(USER, at, name, cost))
    return out


def office_week(seed: int = 7, weeks: int = 1, start: datetime = START) -> list[SpendRecord]:
    """Weekdays, 09:00 to 17:59 UTC, about REQUESTS_PER_HOUR calls an hour."""
    rng = np.random.default_rng(seed)
    records: list[SpendRecord] = []
    for day in range(7 * weeks):
        date = start + timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for h in range(9, 18):
            count = max(1, int(rng.poisson(REQUESTS_PER_HOUR)))
            records += calls(rng, date + timedelta(hours=h), count)
    return records


def hourly_spend(records: list[SpendRecord]) -> float:
    """The mean spend of an active hour in `records`."""
    hours = {r.at.replace(minute=0, second=0) for r in records}
    return sum(r.cost_nanos for r in records) / len(hours)


WEEK = office_week(weeks=1)
LATER = START + timedelta(days=8)  # a Tuesday, after the first week


@cache
def trained() -> SpendProfile:
    return SpendProfile.from_hours(user_hours(WEEK))


@cache
def model_of(profile: SpendProfile) -> SpendModel:
    return SpendModel.fit(profile)


def walk(history: list[SpendRecord], new: list[SpendRecord], profile: SpendProfile):
    """The assessment before each new call, as the gateway takes it."""
    model = model_of(profile)
    for i in range(len(new)):
        yield model.assess(user_hours([*history, *new[: i + 1]])[-1])


def worst(history, new, profile) -> Assessment:
    return max(walk(history, new, profile), key=lambda a: a.score)


def test_the_forest_scores_once_a_week_is_known() -> None:
    assert model_of(trained()).kind == "iforest"


def test_a_normal_week_raises_nothing() -> None:
    history, profile = list(WEEK), trained()
    model = model_of(profile)
    for hour in user_hours(office_week(seed=8, start=START + timedelta(days=7))):
        assert model.assess(hour).severity is Severity.NONE, hour
    # and hour by hour, with the profile refitting as the week accrues
    for hour in user_hours(office_week(seed=9, start=START + timedelta(days=7))):
        assessment = model_of(profile).assess(hour)
        assert assessment.severity is Severity.NONE, hour
        profile = profile.with_hour(hour)
    assert profile.trained_until is not None and profile.trained_until > trained().trained_until
    assert history == WEEK


def test_a_tenfold_burst_at_3am_reaches_block() -> None:
    rng = np.random.default_rng(1)
    usual = hourly_spend(WEEK)
    burst = calls(rng, LATER + timedelta(hours=3), 200)
    assert sum(r.cost_nanos for r in burst) > 8 * usual
    assessment = worst(WEEK, burst, trained())
    assert assessment.severity is Severity.BLOCK
    assert assessment.action == "restrict"
    assert assessment.actual_nanos > 8 * assessment.baseline_nanos
    # the same through the one-call entry point, on the last request of the burst
    assert evaluate([*WEEK, *burst[:-1]], burst[-1]).severity is Severity.BLOCK


def test_a_moderate_rise_in_office_hours_alerts_without_blocking() -> None:
    rng = np.random.default_rng(2)
    rise = calls(rng, LATER + timedelta(hours=11), 60)  # three times the usual calls
    assessment = worst(WEEK, rise, trained())
    assert assessment.severity in (Severity.ALERT, Severity.THROTTLE)
    assert assessment.deviations["log_requests"] > 4


def test_a_quiet_or_cheap_hour_is_no_anomaly() -> None:
    rng = np.random.default_rng(3)
    cheap = calls(rng, LATER + timedelta(hours=10), 2, model_scale=0.1)
    assert worst(WEEK, cheap, trained()).severity is Severity.NONE


def test_the_std_baseline_scores_a_new_user_and_reaches_every_level() -> None:
    first_morning = [r for r in WEEK if r.at < START + timedelta(hours=14)]
    profile = SpendProfile.from_hours(user_hours(first_morning))
    model = model_of(profile)
    assert model.kind == "std" and len(profile.samples) == 5
    seen = []
    for count in (20, 60, 120, 200, 400, 1000):  # up to fifty times the usual calls
        rng = np.random.default_rng(count)
        new = calls(rng, START + timedelta(hours=15), count)
        seen.append(model.assess(user_hours([*first_morning, *new])[-1]).severity)
    order = list(Severity)
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)
    assert set(seen) == set(Severity)


def test_a_user_with_almost_no_history_is_not_scored() -> None:
    first = [r for r in WEEK if r.at < START + timedelta(hours=11)]
    rng = np.random.default_rng(4)
    burst = calls(rng, START + timedelta(hours=11), 200)
    assessment = evaluate([*first, *burst[:-1]], burst[-1])
    assert (assessment.model_kind, assessment.severity) == ("none", Severity.NONE)


def test_scores_are_deterministic_and_survive_the_profile_round_trip() -> None:
    rng = np.random.default_rng(5)
    burst = calls(rng, LATER + timedelta(hours=3), 80)
    history, pending = [*WEEK, *burst[:-1]], burst[-1]
    stored = SpendProfile.from_json(trained().to_json())
    first = evaluate(history, pending)
    again = evaluate(history, pending, profile=stored)
    assert first.model_kind == "iforest"
    assert (again.score, again.raw, again.deviations) == (first.score, first.raw, first.deviations)


def test_other_users_and_later_requests_do_not_count() -> None:
    rng = np.random.default_rng(6)
    noise = [
        SpendRecord("someone-else", r.at, r.model, r.cost_nanos * 50)
        for r in calls(rng, LATER + timedelta(hours=10), 300)
    ]
    later = calls(rng, LATER + timedelta(hours=12), 300)
    pending = calls(rng, LATER + timedelta(hours=10), 1)[0]
    assert evaluate([*WEEK, *noise, *later], pending) == evaluate(WEEK, pending)


@pytest.mark.parametrize("count", [20, 200])
def test_the_current_hour_includes_the_pending_request(count: int) -> None:
    rng = np.random.default_rng(7)
    hour = calls(rng, LATER + timedelta(hours=3), count)
    assessment = evaluate([*WEEK, *hour[:-1]], hour[-1])
    assert assessment.hour.requests == count
