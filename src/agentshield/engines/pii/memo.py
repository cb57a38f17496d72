"""Verdicts on values (a checksum, "decodes to no text") remembered by the value's hash.

A conversation sends its earlier messages again with every request, so the same values
meet the same checks again and again. A memo is keyed by `hash(value)`, which Python salts
per process, so it holds no value, and nobody can choose a value whose hash meets a
remembered one. When the salt is fixed (PYTHONHASHSEED set), it could be: then nothing is
remembered.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
SIZE = 2048  # values remembered a check (all full: ~16 MB, measured); past that, start again
_UNSEEN = object()


class Memo(Generic[T]):
    """`compute(value)`, remembered for recent values. `compute` must depend on nothing else."""

    def __init__(self, compute: Callable[[str], T], size: int = SIZE) -> None:
        self._compute = compute
        salted = os.environ.get("PYTHONHASHSEED", "random") == "random"
        self._size = size if salted else 0
        self._seen: dict[int, T] = {}

    def __call__(self, value: str) -> T:
        key = hash(value)
        found: T | object = self._seen.get(key, _UNSEEN)  # one look-up: another thread may clear
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]  # (typing.cast costs a call)
        verdict = self._compute(value)
        if self._size:
            if len(self._seen) >= self._size:
                self._seen.clear()
            self._seen[key] = verdict
        return verdict
