"""Profiles built hour by hour, as the hourly job and the gateway build them, and the forest
scored without scikit-learn's per-call overhead."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from agentshield.engines.anomaly import (
    HourTally,
    SpendProfile,
    SpendRecord,
    tallies,
    user_hours,
)
from agentshield.engines.anomaly.forest import PackedTrees

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MODELS = ("gpt-4o-mini", "gpt-4o")


def history(days: int = 3) -> list[SpendRecord]:
    rng = np.random.default_rng(11)
    minutes, costs = rng.integers(0, 60, (days, 8, 10)), rng.integers(1_000, 9_000, (days, 8, 10))
    return [
        SpendRecord(
            "u",
            T0 + timedelta(days=d, hours=h, minutes=int(minutes[d, h, i])),
            MODELS[i % 2],
            int(costs[d, h, i]),
        )
        for d in range(days)
        for h in range(8)
        for i in range(10)
    ]


def test_folding_tallies_gives_the_features_of_the_whole_history() -> None:
    records = history()
    folded = SpendProfile()
    for tally in tallies(records):
        folded = folded.with_tally(tally)
    assert folded.samples == SpendProfile.from_hours(user_hours(records)).samples
    assert folded.model_kind() == "iforest" and folded.trained_until is not None
    assert folded.habits.models.keys() == set(MODELS)
    assert sum(folded.habits.hours_of_day) == len(records)


def test_a_running_hour_takes_a_refused_call_back() -> None:
    tally = HourTally(T0)
    call = SpendRecord("u", T0 + timedelta(minutes=5), "gpt-4o", 700)
    tally.add(SpendRecord("u", T0, "gpt-4o-mini", 300))
    before = tally.copy()
    tally.add(call)
    assert (tally.requests, tally.spend_nanos) == (2, 1000)
    tally.add(call, count=-1)
    assert SpendProfile().habits.features(tally) == SpendProfile().habits.features(before)


def test_the_profile_is_plain_json_and_round_trips() -> None:
    profile = SpendProfile()
    for tally in tallies(history()):
        profile = profile.with_tally(tally)
    profile = profile.folded_through(T0 + timedelta(days=3))
    text = json.dumps(profile.to_json())  # nothing but JSON: no pickle, no object
    assert SpendProfile.from_json(json.loads(text)) == profile
    assert SpendProfile.from_json(json.loads(text)).model_key() == profile.model_key()


@pytest.mark.parametrize(("rows", "max_features"), [(12, 1.0), (300, 1.0), (200, 0.6)])
def test_packed_trees_score_exactly_like_scikit_learn(rows: int, max_features: float) -> None:
    rng = np.random.default_rng(rows)
    train = rng.normal(size=(rows, 5))
    forest = IsolationForest(
        n_estimators=50, random_state=0, max_features=max_features, n_jobs=1
    ).fit(train)
    probe = np.vstack([train[:20], rng.normal(scale=4.0, size=(20, 5))])
    assert np.array_equal(PackedTrees.of(forest).score_samples(probe), forest.score_samples(probe))
