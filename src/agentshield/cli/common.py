"""What every command shares: settings, the database, and error exits.

Exit status: 0 done, 1 the command was refused or found a problem, 2 the configuration
(settings, YAML file, database URL or schema) does not let it run. An error is one line on
stderr, never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import typer
from pydantic_settings import SettingsError
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from agentshield.settings import ConfigError, Settings, load_settings
from agentshield.store.db import Database
from agentshield.store.migrate import SchemaError, head_revision, upgrade

T = TypeVar("T")

CONFIG_EXIT = 2
REFUSED_EXIT = 1

# Messages for people go to stderr, so stdout holds only what scripts read.
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = REFUSED_EXIT) -> NoReturn:
    stderr.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except (ConfigError, SettingsError) as exc:
        fail(_first_line(exc), CONFIG_EXIT)


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a database that cannot be used as configured into one line and exit 2."""
    try:
        yield
    except ArgumentError as exc:
        fail(f"invalid database_url: {_first_line(exc)}", CONFIG_EXIT)
    except (OperationalError, OSError) as exc:
        where = make_url(url).render_as_string(hide_password=True)
        fail(f"cannot use the database at {where}: {_first_line(exc)}", CONFIG_EXIT)
    except SchemaError as exc:
        fail(str(exc), CONFIG_EXIT)


def migrate_schema(url: str) -> str:
    """Bring the schema up to date (a no-op when it is); returns the revision it is at."""
    with database_errors(url):
        upgrade(url)
    return head_revision()


def run(url: str, job: Callable[[Database], Awaitable[T]]) -> T:
    """Run one async job against the database at `url`."""

    async def main() -> T:
        db = Database(url)
        try:
            return await job(db)
        finally:
            await db.dispose()

    with database_errors(url):
        return asyncio.run(main())


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
