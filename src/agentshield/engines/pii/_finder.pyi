# The PII detector's compiled core: native/*.cpp (see native/finder.h).
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

class Finder:
    def __init__(
        self,
        sets: list[tuple[str | None, list[str]]],  # (characters a text runs it on, patterns)
        # (regex, entries, opening, (the enclosing pattern, the fewest bytes of a match))
        patterns: list[
            tuple[str | None, list[tuple[Any, ...]], str | None, tuple[int, int] | None]
        ],
        max_mem: int,
        constants: tuple[type, str, str],
    ) -> None: ...
    def scan(
        self, text: str, min_score: float, limit: int, lines: bool = False
    ) -> tuple[list[Any], dict[str, list[tuple[int, int]]], int]: ...

class Context:
    def __init__(
        self,
        regex: str,
        far_before: int,
        far_after: int,
        near_before: int,
        near_after: int,
        labelled: str,
    ) -> None: ...
    def find(
        self, text: str, start: int, end: int, lines: bool = False
    ) -> tuple[str, bool, bool] | None: ...

def error(pattern: str, max_mem: int) -> str | None: ...
def may_hide_text(token: str) -> bool: ...
def shannon(text: str) -> float: ...

class Memo(Generic[T]):
    def __init__(self, compute: Callable[[str], T], size: int) -> None: ...
    def __call__(self, value: str) -> T: ...
    @property
    def remembered(self) -> dict[int, T]: ...  # hash -> verdict
