"""Apply and check Alembic migrations. The scripts ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from agentshield.store.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaError(Exception):
    """The database schema is missing or behind the code."""


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (blocking; call from sync code)."""
    command.upgrade(_config(url), revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(_current)


async def check_current(db: Database) -> None:
    """Raise SchemaError with the command to run when the schema is not at head."""
    current = await current_revision(db)
    head = head_revision()
    if current != head:
        state = "empty" if current is None else f"at {current}"
        raise SchemaError(
            f"database schema is {state}, code needs {head}: run `agentshield migrate`"
        )
