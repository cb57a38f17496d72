"""Verdicts on values (a checksum, "decodes to no text") remembered by the value's hash.

A conversation sends its earlier messages again with every request, so the same values
meet the same checks again and again. A memo is keyed by `hash(value)`, which Python salts
per process, so it holds no value, and nobody can choose a value whose hash meets a
remembered one. When the salt is fixed (PYTHONHASHSEED set), it could be: then nothing is
remembered. The memo itself is compiled (`Memo`, native/memo.cpp): the finder calls it
with no Python frame between.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from agentshield.engines.pii._finder import Memo

__all__ = ["SIZE", "Memo", "remembered"]

T = TypeVar("T")
SIZE = 2048  # values remembered a check (all full: ~16 MB, measured); past that, start again


def remembered(compute: Callable[[str], T], size: int = SIZE) -> Memo[T]:
    """`compute(value)`, remembered for recent values. `compute` must depend on nothing else."""
    salted = os.environ.get("PYTHONHASHSEED", "random") == "random"
    return Memo(compute, size if salted else 0)
