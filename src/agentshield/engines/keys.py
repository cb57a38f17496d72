"""API key format: `ask_live_` or `ask_test_` followed by 32 lowercase hex characters.

Only the SHA-256 of a key is stored. People see the display prefix (`ask_live_1a2b3c4d`),
which is also what log lines carry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Literal

KeyEnv = Literal["live", "test"]
KEY_PATTERN = re.compile(r"ask_(live|test)_[0-9a-f]{32}")
PREFIX_HEX_CHARS = 8


def generate_key(env: KeyEnv = "live") -> str:
    return f"ask_{env}_{secrets.token_hex(16)}"


def is_well_formed(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """'ask_live_1a2b3c4d…' -> 'ask_live_1a2b3c4d'."""
    env_end = key.index("_", 4) + 1
    return key[: env_end + PREFIX_HEX_CHARS]
