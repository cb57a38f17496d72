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
missing, and a text cut short (a truncated tool result) ends its open row. A cell holding
a table of its own is not listed: the inner table is read as one. Tables are found by
their tags alone, so a table in XHTML or in broken HTML is read too; `colspan` and
`rowspan` are not followed (such a row has another count of cells and is passed over).
The first tables.MAX_CELLS cells of a text are listed.
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
    names: list[Span | None] | None = None  # the header's cells, None for those naming nothing
    row: list[Span | None] = field(default_factory=list)  # None: a cell holding a table
    headings: bool = True  # whether the open row's cells are all `<th>`
    cell: int | None = None  # where the open cell's text starts


def view(text: str) -> tuple[str, Listing] | None:
    """The data cells of the text's HTML tables, each as `header: cell` on its own line, and
    where they lie in `text`; None when it holds none."""
    listing = Listing(text)
    tables: list[_Table] = []
    for tag in _TAG.finditer(text):
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if not tables:
            if name == "table" and not closing:
                tables.append(_Table())
            continue
        table = tables[-1]
        if name == "table" and not closing:  # a table in a cell: that cell is not listed
            _close_cell(table, text, None)
            tables.append(_Table())
            continue
        _close_cell(table, text, tag.start())
        if name in ("th", "td") and not closing:
            table.cell = tag.end()
            table.headings &= name == "th"
        elif name == "tr" or name == "table":
            if not _close_row(table, text, listing):
                return listing.listed()
            if name == "table":
                tables.pop()
    for table in reversed(tables):  # a text cut short: its open rows
        _close_cell(table, text, len(text))
        if not _close_row(table, text, listing):
            break
    return listing.listed()


def _close_cell(table: _Table, text: str, end: int | None) -> None:
    """End the open cell, if any, at `end` (None: the cell is not to be listed)."""
    if table.cell is not None:
        table.row.append(None if end is None else _inner(text, table.cell, end))
        table.cell = None


def _close_row(table: _Table, text: str, listing: Listing) -> bool:
    """End the open row, listing its cells under the header; False once the view is full."""
    row, headings, table.row, table.headings = table.row, table.headings, [], True
    if not row:
        return True
    if headings or table.names is None:
        table.names = [s if s and names_a_column(text[s[0] : s[1]]) else None for s in row]
        return True
    if len(row) != len(table.names):
        return True
    for name, cell in zip(table.names, row, strict=True):
        if name is None or cell is None or cell[0] == cell[1]:
            continue
        if listing.count == MAX_CELLS:
            return False
        listing.add(name, cell)
    return True


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
