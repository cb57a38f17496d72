"""Steps bind values as SQLAlchemy would: a row is the same whichever way it was written,
through a session (`Binder`) or on the raw sqlite3 connection of group commit (its
adapters)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Uuid
from sqlalchemy.dialects import sqlite

from agentshield.store.group_commit import RawSql
from agentshield.store.models import UtcDateTime
from agentshield.store.sql import Binder, as_json, as_uuid

DIALECT = sqlite.dialect()


def _raw(value: object) -> object:
    """`value` as the raw connection stores it."""
    return RawSql(sqlite3.connect(":memory:")).rows("SELECT :v", {"v": value})[0][0]


def _session(value: object) -> object:
    return Binder(DIALECT)({"v": value})["v"]


BOUND: list[Callable[[object], object]] = [_session, _raw]
TIMES = [
    datetime(2026, 3, 1, tzinfo=UTC),  # no microseconds: still written with six digits
    datetime(2026, 3, 1, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=14))),
]


@pytest.mark.parametrize("bound", BOUND)
@pytest.mark.parametrize("value", TIMES)
def test_sqlite_times_are_bound_as_sqlalchemy_binds_them(
    bound: Callable[[object], object], value: datetime
) -> None:
    theirs = UtcDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert theirs is not None
    assert bound(value) == theirs(value)


@pytest.mark.parametrize("bound", BOUND)
def test_sqlite_uuids_are_bound_as_sqlalchemy_binds_them(bound: Callable[[object], object]) -> None:
    theirs = Uuid().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert theirs is not None
    value = uuid.uuid4()
    assert bound(value) == theirs(value)
    assert as_uuid(theirs(value)) == value == as_uuid(value)


def test_naive_times_are_refused_and_other_values_pass_as_they_are() -> None:
    with pytest.raises(ValueError, match="naive"):
        Binder(DIALECT)({"at": datetime(2026, 3, 1)})
    with pytest.raises(Exception, match="naive"):  # sqlite3 wraps what its adapter raised
        _raw(datetime(2026, 3, 1))
    plain = {"n": 10**18, "s": "x", "none": None, "flag": True}
    assert Binder(DIALECT)(plain) == plain
    assert [_raw(value) for value in plain.values()] == [10**18, "x", None, 1]


@pytest.mark.parametrize("bound", BOUND)
def test_json_round_trips_even_past_64_bit_integers(bound: Callable[[object], object]) -> None:
    value = {"amount": 10**30, "items": [1, "two", None]}
    stored = bound(value)
    assert isinstance(stored, str) and as_json(stored) == value
