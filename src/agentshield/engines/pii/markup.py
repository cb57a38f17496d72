"""HTML tables read cell by cell under their headers.

A web page's table puts each value's column name in a header row above it
(`<tr><th>SSN</th>…</tr><tr><td>536904399</td>…`), out of every context window from the
first rows on, as a CSV's header is (tables.py). The view lists each data cell after its
column's header cell (`SSN: 536904399`), as tables.py does, and maps back to the cells.

A table's header is its latest row of `<th>` cells only (a caption row above the column
names is passed over), else its first row, as a CSV's first line; another row is listed
when it has as many cells, each under the header cell at its place. A header cell names
a column as tables.names_a_column says. Tags around a cell's text (`<td><b>…</b></td>`)
are not part of it. End tags HTML lets a page leave out (`</td>`, `</tr>`) may be
missing, and a text cut short (a truncated tool result) ends its open row, listed as
far as it goes. A cell holding
a table of its own is not listed: the inner table is read as one. Tables are found by
their tags alone, so a table in XHTML or in broken HTML is read too; `colspan` and
`rowspan` are not followed (such a row has another count of cells and is passed over).
The first tables.MAX_CELLS cells of a text are listed. A stream carries a table's start
tag and header row along and keeps its open row whole (`header_of`, see streaming.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentshield.engines.pii.tables import MAX_CELLS, names_a_column
from agentshield.engines.pii.views import Listing

_TAG = re.compile(r"<(/?)(table|tr|th|td)(?=[\s/>])[^<>]*>", re.I)
_BLANKS = " \t\r\n\f"

Span = tuple[int, int]


@dataclass(slots=True)
class _Table:
    tag: Span  # its start tag
    names: list[Span | None] | None = None  # the header's cells, None for those naming nothing
    header: Span | None = None  # where the header row lies
    row: list[Span | None] = field(default_factory=list)  # None: a cell holding a table
    row_start: int | None = None  # where the open row starts
    headings: bool = True  # whether the open row's cells are all `<th>`
    cell: int | None = None  # where the open cell's text starts


class _Reader:
    """The tables open at each tag of a text, read tag by tag; data rows are listed."""

    def __init__(self, text: str, listing: Listing | None) -> None:
        self.text, self.listing = text, listing
        self.tables: list[_Table] = []

    def read(self, tag: re.Match[str]) -> bool:
        """Take one tag; False once the view is full."""
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if name == "table" and not closing:  # in a cell: the cell is not listed
            if self.tables:
                self._close_cell(self.tables[-1], None)
            self.tables.append(_Table(tag.span()))
            return True
        if not self.tables:
            return True
        table = self.tables[-1]
        self._close_cell(table, tag.start())
        if name in ("th", "td") and not closing:
            table.cell = tag.end()
            table.headings &= name == "th"
            if table.row_start is None:
                table.row_start = tag.start()
        elif name == "tr" or name == "table":
            if not self._close_row(table, tag.end() if closing and name == "tr" else tag.start()):
                return False
            if name == "tr" and not closing:
                table.row_start = tag.start()
            if name == "table":
                self.tables.pop()
        return True

    def end(self) -> None:
        """A text cut short: its open rows end with it."""
        for table in reversed(self.tables):
            self._close_cell(table, len(self.text))
            if not self._close_row(table, len(self.text), cut_short=True):
                return

    def _close_cell(self, table: _Table, end: int | None) -> None:
        """End the open cell, if any, at `end` (None: the cell is not to be listed)."""
        if table.cell is not None:
            table.row.append(None if end is None else _inner(self.text, table.cell, end))
            table.cell = None

    def _close_row(self, table: _Table, end: int, cut_short: bool = False) -> bool:
        """End the open row at `end`, listing its cells under the header (the first of
        them, for a row `cut_short` by the end of the text); False once the view is full."""
        row, headings, start = table.row, table.headings, table.row_start
        table.row, table.headings, table.row_start = [], True, None
        if not row or start is None:  # a row with cells has a start
            return True
        text = self.text
        if headings or table.names is None:
            table.names = [s if s and names_a_column(text[s[0] : s[1]]) else None for s in row]
            table.header = (start, end)
            return True
        if self.listing is None or len(row) > len(table.names):
            return True
        if len(row) < len(table.names) and not cut_short:
            return True
        return self.listing.add_row(table.names, row, MAX_CELLS)


def view(text: str) -> tuple[str, Listing] | None:
    """The data cells of the text's HTML tables, each as `header: cell` on its own line, and
    where they lie in `text`; None when it holds none."""
    listing = Listing(text)
    reader = _Reader(text, listing)
    for tag in _TAG.finditer(text):
        if not reader.read(tag):
            return listing.listed()
    reader.end()
    return listing.listed()


def header_of(text: str, pos: int) -> tuple[tuple[Span, ...], int | None] | None:
    """For the innermost HTML table open at `pos`: its start tag and, when it ended before
    `pos`, its header row; and where the row open at `pos` starts, if one is (a stream
    keeps it whole, so that its cells keep their places). None outside tables."""
    reader = _Reader(text, None)
    for tag in _TAG.finditer(text, 0, pos + 1):
        reader.read(tag)
    if not reader.tables:
        return None
    table = reader.tables[-1]
    heads = (table.tag,) if table.header is None else (table.tag, table.header)
    return heads, table.row_start


def _inner(text: str, start: int, end: int) -> Span:
    """The cell's text between `start` and `end`, without the blanks and tags around it."""
    while True:
        while start < end and text[start] in _BLANKS:
            start += 1
        while end > start and text[end - 1] in _BLANKS:
            end -= 1
        if start < end and text[start] == "<" and (close := text.find(">", start, end)) >= 0:
            start = close + 1
        elif start < end and text[end - 1] == ">" and (open_ := text.rfind("<", start, end)) >= 0:
            end = open_
        else:
            return start, end
