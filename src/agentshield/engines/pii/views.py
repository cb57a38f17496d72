"""Where a span of a derived text (decoded, reversed, normalised) lies in the original text.

Every derived text is scanned with a locator; `locate(start, end)` gives the original span
and the tricks undone on the way (outermost first), which name the finding's evasion.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class Locator(Protocol):
    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]: ...


class Identity:
    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        return start, end, ()


@dataclass(frozen=True, slots=True)
class Whole:
    """A decoded span: anything found inside reports the whole encoded span."""

    start: int
    end: int
    trick: str

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        return self.start, self.end, (self.trick,)


@dataclass(frozen=True, slots=True)
class Reversed:
    """The text, `end` characters long, read backwards."""

    end: int

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        return self.end - end, self.end - start, ("reversed",)


@dataclass(frozen=True, slots=True)
class Same:
    """Characters changed one for one (ROT13)."""

    trick: str

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        return start, end, (self.trick,)


@dataclass(frozen=True, slots=True)
class Segment:
    view_start: int
    view_end: int
    orig_start: int
    orig_end: int
    trick: str | None  # None: copied unchanged

    @property
    def one_to_one(self) -> bool:
        return self.view_end - self.view_start == self.orig_end - self.orig_start


MAX_SEGMENTS = 10_000


class Segments:
    """A view built piece by piece (normalisation), each piece mapped back.

    Pieces of one character per original character map exactly; others (NFKC expanding
    `ﬁ` to `fi`, removed invisible characters as empty pieces) map to their whole
    original stretch. Adjacent pieces of the same kind merge, so the map stays small
    however long the text.
    """

    def __init__(self) -> None:
        self._segments: list[Segment] = []
        self._starts: list[int] = []

    def add(
        self, view_start: int, view_end: int, orig_start: int, orig_end: int, trick: str | None
    ) -> None:
        piece = Segment(view_start, view_end, orig_start, orig_end, trick)
        last = self._segments[-1] if self._segments else None
        if last is not None and len(self._segments) >= MAX_SEGMENTS:
            # Past the bound, pieces merge coarsely: a finding then maps to a wider span,
            # which over-redacts rather than leaks.
            merged = last.trick or trick
            self._segments[-1] = Segment(
                last.view_start, view_end, last.orig_start, orig_end, merged
            )
            return
        if (
            last is not None
            and last.trick == trick
            and last.view_end == view_start
            and last.orig_end == orig_start
            and (trick is not None or (piece.one_to_one and last.one_to_one))
        ):
            self._segments[-1] = Segment(
                last.view_start, view_end, last.orig_start, orig_end, trick
            )
            return
        self._segments.append(piece)
        self._starts.append(view_start)

    def _at(self, pos: int) -> int:
        return max(0, bisect_right(self._starts, pos) - 1)

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        i, j = self._at(start), self._at(max(start, end - 1))
        first, last = self._segments[i], self._segments[j]
        orig_start = first.orig_start + (start - first.view_start if first.one_to_one else 0)
        orig_end = last.orig_end - (last.view_end - end if last.one_to_one else 0)
        tricks = sorted({s.trick for s in self._segments[i : j + 1] if s.trick})
        return orig_start, orig_end, tuple(tricks)


def replaced(
    text: str,
    start: int,
    end: int,
    runs: re.Pattern[str],
    decode: Callable[[str], str],
    trick: str,
    *,
    within: tuple[int, int] | None = None,
) -> tuple[str, Segments] | None:
    """`text[start:end]` with each of its `runs` decoded (percent-encoding, HTML references,
    spelled-out marks), each mapped to its run; None when none decodes to anything else.
    With `within`, a span holding that one, the view is its text, decoded only in
    [start, end): the words around a value stay, for its context."""
    edits = (
        (run.start(), run.end(), decoded)
        for run in runs.finditer(text, start, end)
        # (a reference naming no character stays as it is)
        if (decoded := decode(run.group())) != run.group()
    )
    return spliced(text, edits, trick, *(within or (start, end)))


def spliced(
    text: str, edits: Iterable[tuple[int, int, str]], trick: str | None, first: int, last: int
) -> tuple[str, Segments] | None:
    """`text[first:last]` with `edits` made (each its start, its end and what stands there
    instead, in order), each new piece mapped to the stretch it replaces and named `trick`,
    the rest mapped one for one (a piece taken out maps nowhere); None when there is no
    edit."""
    pieces: list[str] = []
    segments = Segments()
    view = pos = first
    edited = False
    for start, end, replacement in edits:
        edited = True
        for piece, a, b, kind in (
            (text[pos:start], pos, start, None),
            (replacement, start, end, trick),
        ):
            if piece:
                pieces.append(piece)
                segments.add(view - first, view - first + len(piece), a, b, kind)
                view += len(piece)
        pos = end
    if not edited:
        return None
    if pos < last:
        pieces.append(text[pos:last])
        segments.add(view - first, view - first + last - pos, pos, last, None)
    return "".join(pieces), segments


@dataclass(frozen=True, slots=True)
class Positions:
    """A view made of some characters of the original, each at a known position."""

    positions: Sequence[int]
    trick: str

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        return self.positions[start], self.positions[max(start, end - 1)] + 1, (self.trick,)


@dataclass(frozen=True, slots=True)
class Chain:
    """A view of a view: inner offsets first, then the outer view's."""

    inner: Locator
    outer: Locator

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        a, b, inner_tricks = self.inner.locate(start, end)
        c, d, outer_tricks = self.outer.locate(a, b)
        return c, d, outer_tricks + inner_tricks


class Listing:
    """A view listing values of a text, each on a line of its own after a label from the
    text (`ssn: 536904399`): the table and JSON views (tables.py, markup.py, records.py).
    Label and value map back to where they lie in the text; what separates them maps to
    the end of the piece before it."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._parts: list[str] = []
        self._view: list[int] = []  # each piece's start in the view
        self._starts: list[int] = []  # and in the text
        self._sizes: list[int] = []  # its characters from the text
        self._end = 0
        self.count = 0  # values listed

    def add(self, label: tuple[int, int], value: tuple[int, int]) -> None:
        for (start, end), after in ((label, ": "), (value, "\n")):
            self._parts += (self._text[start:end], after)
            self._view.append(self._end)
            self._starts.append(start)
            self._sizes.append(end - start)
            self._end += end - start + len(after)
        self.count += 1

    def add_row(
        self,
        names: Sequence[tuple[int, int] | None],
        cells: Sequence[tuple[int, int] | None],
        limit: int,
    ) -> bool:
        """A table's row: each cell under the name at its place (a row cut short, under the
        first names), none with no name or no text (or None: a cell not to be listed);
        False, listing no more, once `limit` values are listed."""
        for name, cell in zip(names[: len(cells)], cells, strict=True):
            if name is None or cell is None or cell[0] == cell[1]:
                continue
            if self.count >= limit:
                return False
            self.add(name, cell)
        return True

    def values(self) -> list[tuple[int, int]]:
        """Where the values listed lie in the text."""
        pairs = zip(self._starts[1::2], self._sizes[1::2], strict=True)
        return [(at, at + size) for at, size in pairs]

    def listed(self) -> tuple[str, Listing] | None:
        """The view and this, its locator; None when nothing was listed."""
        return ("".join(self._parts), self) if self.count else None

    def _at(self, pos: int, inside: int) -> int:
        """Where `pos` lies in the text, for the piece holding view position `inside`."""
        i = max(0, bisect_right(self._view, inside) - 1)
        return self._starts[i] + min(pos - self._view[i], self._sizes[i])

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        first = self._at(start, start)
        return first, max(first, self._at(end, max(start, end - 1))), ()
