"""Plain SQL steps, written once and run two ways: in an ORM session's transaction, or on a
raw SQLite connection (see group_commit.py).

A step is a function `step(sql, *args)` over `Sql`. Its parameters are Python values
(UUIDs, aware datetimes, dicts and lists for JSON); each runner turns them into what its
database stores with SQLAlchemy's own type processors, so a row is the same whichever way
it was written. Results come back as the driver gives them: `as_uuid` and `as_json` read
the columns whose form differs between the two databases.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any, Protocol, TypeVar

import orjson
from sqlalchemy import Connection, Table, TextClause, Uuid, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from agentshield.store.models import UtcDateTime

T = TypeVar("T")
Params = Mapping[str, object]


class Sql(Protocol):
    # PostgreSQL locks the rows a step reads before it writes them (FOR UPDATE); SQLite
    # needs not: its transactions hold the file's write lock from their start.
    locks_rows: bool

    def run(self, statement: str, params: Params) -> None: ...

    def many(self, statement: str, params: Sequence[Params]) -> None: ...

    def rows(self, statement: str, params: Params) -> list[Sequence[Any]]: ...


class Binder:
    """Parameters as the dialect stores them (on SQLite: hex UUIDs, datetime strings)."""

    def __init__(self, dialect: Dialect) -> None:
        self._forms: dict[type, Callable[[Any], object]] = {dict: _json, list: _json}
        if dialect.name == "sqlite":  # the same forms, without SQLAlchemy's layers per value
            self._forms = dict(SQLITE_FORMS)
            return
        uuid_form = Uuid().dialect_impl(dialect).bind_processor(dialect)
        time_form = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
        if uuid_form is not None:
            self._forms[uuid.UUID] = uuid_form
        if time_form is not None:
            self._forms[datetime] = time_form

    def __call__(self, params: Params) -> dict[str, object]:
        forms = self._forms
        return {
            name: value if (form := forms.get(type(value))) is None else form(value)
            for name, value in params.items()
        }


def _json(value: object) -> str:
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # what orjson refuses (integers past 64 bits) json takes
        return json.dumps(value)


@lru_cache(maxsize=256)  # a step binds the same `now` several times
def _sqlite_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime: store UTC-aware datetimes only")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


# How SQLAlchemy's types store these values on SQLite, by the value's exact type (a raw
# sqlite3 connection takes them as its adapters, see group_commit.py).
SQLITE_FORMS: dict[type, Callable[[Any], object]] = {
    uuid.UUID: lambda value: value.hex,
    datetime: _sqlite_time,
    dict: _json,
    list: _json,
}


class SessionSql:
    """`Sql` on a sync ORM session or Core connection: the one `run_sync` hands its function."""

    def __init__(self, session: Session | Connection) -> None:
        dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
        self._session = session
        self._bind = Binder(dialect)
        self.locks_rows = dialect.name != "sqlite"

    def run(self, statement: str, params: Params) -> None:
        self._session.execute(_text(statement), self._bind(params))

    def many(self, statement: str, params: Sequence[Params]) -> None:
        if params:
            self._session.execute(_text(statement), [self._bind(p) for p in params])

    def rows(self, statement: str, params: Params) -> list[Sequence[Any]]:
        return list(self._session.execute(_text(statement), self._bind(params)).all())


async def in_session(session: AsyncSession, step: Callable[..., T], *args: object) -> T:
    """Run a step in the session's transaction."""
    return await session.run_sync(lambda sync: step(SessionSql(sync), *args))


def insert_sql(table: Table) -> str:
    """An INSERT of every column of `table`, each bound by its key (`:tenant_id`)."""
    names = ", ".join(column.name for column in table.columns)
    keys = ", ".join(f":{column.key}" for column in table.columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({keys})"


@cache
def _text(statement: str) -> TextClause:
    return text(statement)


def as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_utc(value: object) -> datetime:
    """A stored time (SQLite hands back SQLAlchemy's text form, naive UTC) as aware UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def as_json(value: Any) -> Any:
    # The stdlib's parser: orjson reads integers past 64 bits as floats.
    return json.loads(value) if isinstance(value, str | bytes) else value
