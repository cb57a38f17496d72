"""Run the installed `agentshield` console script in a subprocess, on a temporary SQLite file.

`cli("init", AGENTSHIELD_PORT="x")` runs `agentshield init` with that variable added to
`cli_env`: the test's environment without any AGENTSHIELD_ setting of the developer's, and
the database at `database`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("agentshield")
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def script() -> Path:
    assert SCRIPT.is_file(), f"{SCRIPT} is missing: install the package (pip install -e .)"
    return SCRIPT


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "agentshield.db"


@pytest.fixture
def cli_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTSHIELD_")}
    return env | {"AGENTSHIELD_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}


@pytest.fixture
def cli(script: Path, cli_env: dict[str, str], tmp_path: Path) -> Run:
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args],
            cwd=tmp_path,
            env=cli_env | env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run
