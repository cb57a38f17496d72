"""Steps bind values as SQLAlchemy would: a row is the same whichever way it was written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Uuid
from sqlalchemy.dialects import sqlite

from agentshield.store.models import UtcDateTime
from agentshield.store.sql import Binder, as_json, as_uuid

DIALECT = sqlite.dialect()
TIMES = [
    datetime(2026, 3, 1, tzinfo=UTC),  # no microseconds: still written with six digits
    datetime(2026, 3, 1, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=14))),
]


@pytest.mark.parametrize("value", TIMES)
def test_sqlite_times_are_bound_as_sqlalchemy_binds_them(value: datetime) -> None:
    theirs = UtcDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert theirs is not None
    assert Binder(DIALECT)({"at": value})["at"] == theirs(value)


def test_sqlite_uuids_are_bound_as_sqlalchemy_binds_them() -> None:
    theirs = Uuid().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert theirs is not None
    value = uuid.uuid4()
    assert Binder(DIALECT)({"id": value})["id"] == theirs(value)
    assert as_uuid(theirs(value)) == value == as_uuid(value)


def test_naive_times_are_refused_and_other_values_pass_as_they_are() -> None:
    with pytest.raises(ValueError, match="naive"):
        Binder(DIALECT)({"at": datetime(2026, 3, 1)})
    plain = {"n": 10**30, "s": "x", "none": None, "flag": True}
    assert Binder(DIALECT)(plain) == plain


def test_json_round_trips_even_past_64_bit_integers() -> None:
    value = {"amount": 10**30, "items": [1, "two", None]}
    bound = Binder(DIALECT)({"v": value})["v"]
    assert isinstance(bound, str) and as_json(bound) == value
