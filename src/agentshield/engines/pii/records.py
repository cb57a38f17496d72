"""JSON lists read under their keys: `{"phones": ["4155550132", "3125550100", …]}`.

A JSON member's key stands right before its value, but the items of a list after the
first lie beyond any context window of the list's key. The JSON view lists each string or
number item of a list after the key that holds it (`phones: 3125550100`), like the table
view (tables.py). A list of lists whose first holds only names (tables.names_a_column)
is a table, that first its header, as spreadsheet APIs answer
(`{"values": [["name", "ssn"], ["Jane", "536904399"]]}`): each item is listed under its
column's header.

Only well-formed JSON is read: a `{` or `[` where json.JSONDecoder finds a whole value,
in a text holding a list that opens with two scalars or a list (_LIST).
After MAX_MISSES openers that start none, the rest of the text is left as it stands, so a
text of brackets costs a bounded number of parses; at most MAX_ITEMS items are listed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from agentshield.engines.pii.tables import names_a_column
from agentshield.engines.pii.views import Listing

MAX_ITEMS = 50_000
MAX_MISSES = 16
_OPENER = re.compile(r"[\[{]")
# What a list worth listing starts with: two scalar items, or a list (a row). JSON records
# (`[{…}, …]`), whose members are keyed already, need no view.
_LIST = re.compile(r'\[\s*(?:\[|(?:"(?:[^"\\\n]|\\.)*"|[-\d.eE+]+)\s*,)')
# Tokens of well-formed JSON: strings, marks, and numbers or literals.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_DECODER = json.JSONDecoder()

Span = tuple[int, int]


@dataclass(slots=True)
class _Open:
    """An object or list being read."""

    kind: str  # "{" or "["
    key: Span | None = None  # a list: the key that holds it (or its parent list's)
    row: bool = False  # a list in a list
    lists: int = 0  # a list: the lists in it so far
    header: list[Span] | None = None  # a list of lists: its first, when all names
    items: list[tuple[Span, bool]] = field(default_factory=list)  # a row: (span, string)


def view(text: str) -> tuple[str, Listing] | None:
    """The items of the text's JSON lists, each as `key: item` on its own line, and where
    they lie in `text`; None when it holds none."""
    if _LIST.search(text) is None:
        return None
    listing = Listing(text)
    pos = misses = 0
    while (
        misses < MAX_MISSES
        and listing.count < MAX_ITEMS
        and (opener := _OPENER.search(text, pos)) is not None
    ):
        try:
            end = _DECODER.raw_decode(text, opener.start())[1]
        except (ValueError, RecursionError):
            misses += 1
            pos = opener.start() + 1
            continue
        _read(text, opener.start(), end, listing)
        pos = end
    return listing.listed()


def _read(text: str, start: int, end: int, listing: Listing) -> None:
    stack: list[_Open] = []
    key: Span | None = None  # the key of the member being read
    last: Span | None = None  # the last string, a key if a `:` follows
    for token in _TOKEN.finditer(text, start, end):
        mark = token.group()[0]
        if mark == ",":
            continue
        if mark == ":":
            key = last
        elif mark == "[":
            parent = stack[-1] if stack else None
            if parent is not None and parent.kind == "[":  # a row of the list `parent`
                parent.lists += 1
                stack.append(_Open("[", parent.key, row=True))
            else:
                stack.append(_Open("[", key))
        elif mark == "{":
            stack.append(_Open("{"))
        elif mark in "}]":
            closed = stack.pop()
            if closed.row:
                _row(text, stack[-1], closed, listing)
        else:  # a string or a number
            string = mark == '"'
            span = (token.start() + 1, token.end() - 1) if string else token.span()
            last = span if string else None
            top = stack[-1] if stack else None
            if top is None or top.kind != "[":
                continue
            if top.row:
                top.items.append((span, string))
            elif top.key is not None:
                if listing.count >= MAX_ITEMS:
                    return
                listing.add(top.key, span)  # a plain list: each item under its key


def _names(text: str, item: tuple[Span, bool]) -> bool:
    (start, end), string = item
    return string and names_a_column(text[start:end])


def _row(text: str, table: _Open, row: _Open, listing: Listing) -> None:
    """A list `row` closed inside the list `table`: its header, or items under it."""
    if table.lists == 1 and row.items and all(_names(text, item) for item in row.items):
        table.header = [span for span, _ in row.items]
        return
    for i, (span, _) in enumerate(row.items):
        label = table.header[i] if table.header and i < len(table.header) else table.key
        if label is not None and listing.count < MAX_ITEMS:
            listing.add(label, span)
