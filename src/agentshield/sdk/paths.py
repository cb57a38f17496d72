"""Where the SDK keeps what it writes: a user cache directory, never the installed package.

`AGENTSHIELD_CACHE_DIR` wins; then `$XDG_CACHE_HOME/agentshield`; then
`~/.cache/agentshield`.
"""

from __future__ import annotations

import os
from pathlib import Path

CALIBRATION_FILE = "injection-calibration.json"


def cache_dir() -> Path:
    explicit = os.environ.get("AGENTSHIELD_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "agentshield"


def calibration_path() -> Path:
    return cache_dir() / CALIBRATION_FILE
