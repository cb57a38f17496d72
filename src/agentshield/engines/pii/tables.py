"""Delimited tables (CSV, TSV, `;` and `|` tables) read cell by cell under their headers.

In `name,ssn,phone\nJane,536904399,4155550132` the word naming a value stands a line
above it, beside the names of the other columns, and later rows lie beyond any context
window. A text's table view lists each data cell after its column's header, a line each
(`ssn: 536904399`), so that a cell's key stands right before it on its line, as in JSON
or YAML; the view is scanned like a decoded text and its findings map back to the cells.

A table is two or more consecutive lines that split, on one delimiter outside double
quotes, into the same number (two or more) of cells; its first line is the header.
Markdown's rule line (`|---|:--:|`) is passed over. A header cell names a column when it
holds a letter and is no longer than a far context window. The first MAX_CELLS data
cells of a text are listed; past them the text is read as it stands.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from agentshield.engines.pii.recognizer import FAR

MAX_CELLS = 50_000
# A line holding a delimiter; anchored, so each line costs one try.
_DELIMITED = re.compile(r"^[^\t|,;\r\n]*[\t|,;][^\r\n]*", re.M)
_DELIMITERS = "\t|,;"
_LINE_BREAKS = ("\n", "\r\n")
_RULE = re.compile(r"[ \t|:+]*-[ \t|:+-]*")

Span = tuple[int, int]


def view(text: str) -> tuple[str, Cells] | None:
    """The data cells of the text's tables, each as `header: cell` on its own line, and
    where they lie in `text`; None when it holds no table."""
    parts: list[str] = []
    where = Cells()
    listed = 0
    for _, _, names, row in _rows(text):
        for name, (c, d) in zip(names, row, strict=True):
            if name is None or c == d:
                continue
            if listed == MAX_CELLS:
                return "".join(parts), where
            listed += 1
            where.add(name[0], name[1], 2)
            parts.append(text[name[0] : name[1]] + ": ")
            where.add(c, d, 1)
            parts.append(text[c:d] + "\n")
    return ("".join(parts), where) if parts else None


class Cells:
    """Where a view's pieces lie in the text: each is a stretch of the text copied, then
    a separator that maps to the stretch's end."""

    def __init__(self) -> None:
        self.view: list[int] = []  # each piece's start in the view
        self.text: list[int] = []  # and in the text
        self.size: list[int] = []  # its characters from the text
        self._end = 0

    def add(self, start: int, end: int, separator: int) -> None:
        self.view.append(self._end)
        self.text.append(start)
        self.size.append(end - start)
        self._end += end - start + separator

    def _at(self, pos: int, inside: int) -> int:
        """Where `pos` lies in the text, for the piece holding view position `inside`."""
        i = max(0, bisect_right(self.view, inside) - 1)
        return self.text[i] + min(pos - self.view[i], self.size[i])

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        first = self._at(start, start)
        return first, max(first, self._at(end, max(start, end - 1))), ()


def _names(cell: str) -> bool:
    return len(cell) <= FAR[0] and any(ch.isalpha() for ch in cell)


def header_of(text: str, pos: int) -> Span | None:
    """The header line of the table with a data row at `pos`, if any."""
    for header, row, _, _ in _rows(text):
        if row[0] > pos:
            break
        if pos <= row[1]:
            return header
    return None


def _rows(text: str) -> Iterator[tuple[Span, Span, list[Span | None], list[Span]]]:
    """Each data row of the text's tables: its header line and its own, the table's column
    names (None for a header cell that names nothing) and its cells."""
    lines = _DELIMITED.finditer(text)
    line = next(lines, None)
    while line is not None:
        following = next(lines, None)
        if following is None:
            return
        found = _header(text, line, following)
        head, line = line, following
        if found is None:
            continue
        delimiter, header = found
        names = [(a, b) if _names(text[a:b]) else None for a, b in header]
        while line is not None:
            if delimiter != "|" or not _RULE.fullmatch(line.group()):
                row = _cells(text, *line.span(), delimiter)
                if len(row) != len(header):
                    break
                yield head.span(), line.span(), names, row
            end, line = line.end(), next(lines, None)
            if line is not None and text[end : line.start()] not in _LINE_BREAKS:
                break


def _header(
    text: str, line: re.Match[str], following: re.Match[str]
) -> tuple[str, list[Span]] | None:
    """The delimiter and cells of `line` when it heads a table, `following` its next line."""
    if text[line.end() : following.start()] not in _LINE_BREAKS:
        return None
    for delimiter in _DELIMITERS:
        header = _cells(text, *line.span(), delimiter)
        if len(header) >= 2 and len(_cells(text, *following.span(), delimiter)) == len(header):
            return delimiter, header
    return None


def _cells(text: str, start: int, end: int, delimiter: str) -> list[Span]:
    """The line's cells, split on `delimiter` outside double quotes, each without the
    blanks and the quotes around it."""
    if text.find(delimiter, start, end) < 0:
        return []
    cells: list[Span] = []
    first = start
    if text.find('"', start, end) < 0:
        while (at := text.find(delimiter, first, end)) >= 0:
            cells.append(_trimmed(text, first, at))
            first = at + 1
    else:
        quoted = False
        for at in range(start, end):
            if text[at] == '"':
                quoted = not quoted
            elif text[at] == delimiter and not quoted:
                cells.append(_trimmed(text, first, at))
                first = at + 1
    cells.append(_trimmed(text, first, end))
    return cells


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    if end - start >= 2 and text[start] == '"' == text[end - 1]:
        start, end = start + 1, end - 1
    return start, end
