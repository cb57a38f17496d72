"""JSON lists read under their keys: `{"phones": ["4155550132", "3125550100", …]}`.

A JSON member's key stands right before its value, but the items of a list after the
first lie beyond any context window of the list's key. The JSON view lists each string or
number item of a list after the key that holds it (`phones: 3125550100`), like the table
view (tables.py). A list of lists whose first holds only names (tables.names_a_column)
is a table, that first its header, as spreadsheet APIs answer
(`{"values": [["name", "ssn"], ["Jane", "536904399"]]}`): each item is listed under its
column's header.

Only well-formed JSON is read: a `{` or `[` where json.JSONDecoder finds a whole value, or
one cut short by the end of the text (a truncated tool result, a stream's text so far),
with the string it ends in as far as it goes.
A value not inside another read so takes the key written right before it (`"ssns": [`),
so a list is read under its key where its container is broken. Whether a list's items
are listed depends on that list alone, not on the rest of the text, so that a stream,
which sees part of it, reads them as the whole text does. (A text was once read only
when some list in it opened with two scalars or a row: 2.3% less work on tool results,
but a list of objects and values was read only beside another.) After MAX_MISSES
openers that start none, the rest of the text is left as it stands, so a text of
brackets costs a bounded number of parses; at most MAX_ITEMS items are listed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from agentshield.engines.pii.tables import names_a_column
from agentshield.engines.pii.views import Listing

MAX_ITEMS = 50_000
MAX_MISSES = 16
_OPENER = re.compile(r"[\[{]")
# Tokens of well-formed JSON: strings (the last maybe cut short by the end), marks, and
# numbers or literals.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:(?P<closed>")|\\?\Z)|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_DECODER = json.JSONDecoder()
_UNTERMINATED = "Unterminated string"  # json's message for a string the text cuts short
# A key right before a value: `"ssns": ` (searched within the 80 characters before it).
_KEY_BEFORE = re.compile(r'"((?:[^"\\\n]|\\.){1,60})"\s*:\s*\Z')

Span = tuple[int, int]


@dataclass(slots=True)
class _Open:
    """An object or list being read."""

    kind: str  # "{" or "["
    head: Span  # from its key's quote (a member) or its bracket, to the bracket
    key: Span | None = None  # a list: the key that holds it (or its parent list's)
    row: bool = False  # a list in a list
    lists: int = 0  # a list: the lists in it so far
    header: list[Span] | None = None  # a list of lists: its first, when all names
    first: Span | None = None  # a list of lists: its first (a header or not), with its comma
    items: list[tuple[Span, bool]] = field(default_factory=list)  # a row: (span, string)


def view(text: str) -> tuple[str, Listing] | None:
    """The items of the text's JSON lists, each as `key: item` on its own line, and where
    they lie in `text`; None when it holds none."""
    listing = Listing(text)
    for start, end in _values(text, len(text)):
        _walk(text, start, end, end, _key_before(text, start), listing)
        if listing.count >= MAX_ITEMS:
            break
    return listing.listed()


class Path(NamedTuple):
    """What heads a place in JSON (see `path_of`)."""

    heads: tuple[Span, ...]
    row: int | None  # where the outermost row open there starts
    comma: int | None  # where the last comma between items before it ends


def path_of(text: str, pos: int) -> Path:
    """What heads the JSON at `pos`: the heads of the objects and lists open there,
    outermost first (`{`, `"ssns": [`, and a list of lists' first row with its comma), up
    to the outermost row open there (a list in a list), where that row starts, and where
    the last comma before `pos` ends: a place the text can be read from. A stream carries
    the heads and keeps the row whole (see streaming.py), so that a list's later items
    are read under its key and a row's items under their columns' names."""
    for start, end in _values(text, pos + 1):
        if end > pos:
            stack, comma = _walk(text, start, end, pos, None, None)
            k = len(stack)  # the rows open at `pos` (a row in a row, ...), outermost last
            while k and stack[k - 1].row:
                k -= 1
            heads = [span for open_ in stack[:k] for span in (open_.head, open_.first) if span]
            return Path(tuple(heads), stack[k].head[0] if k < len(stack) else None, comma)
    return Path((), None, None)


def _values(text: str, until: int) -> Iterator[Span]:
    """Where the JSON values that start before `until` lie, whole or cut short by the end
    of the text (with the string the text ends in, as far as it goes)."""
    pos = misses = 0
    while misses < MAX_MISSES and (opener := _OPENER.search(text, pos, until)) is not None:
        start = opener.start()
        try:
            end = _DECODER.raw_decode(text, start)[1]
        except json.JSONDecodeError as exc:
            if not _cut_short(text, exc):
                misses += 1
                pos = start + 1
                continue
            end = len(text)
        except RecursionError:
            misses += 1
            pos = start + 1
            continue
        yield start, end
        pos = end


def _cut_short(text: str, error: json.JSONDecodeError) -> bool:
    """Whether the value failed only where the text ends: all before it was well formed."""
    return error.pos >= len(text) or error.msg.startswith(_UNTERMINATED)


def _key_before(text: str, at: int) -> Span | None:
    found = _KEY_BEFORE.search(text, max(0, at - 80), at)
    return found.span(1) if found else None


def _walk(
    text: str, start: int, end: int, stop: int, key: Span | None, listing: Listing | None
) -> tuple[list[_Open], int | None]:
    """Read the JSON value `text[start:end]` token by token, up to `stop` (a string whole or
    not at all), each list's items into `listing` if one is given; `key` is the key before
    the value. What is open at `stop`, outermost first, and where the last comma ends."""
    stack: list[_Open] = []
    last: Span | None = None  # the last string, a key if a `:` follows
    member = key  # the key of the member being read
    closed: _Open | None = None  # a list's first row just closed, its comma to come
    comma: int | None = None
    for token in _TOKEN.finditer(text, start, end):
        if token.end() > stop:
            break
        mark = token.group()[0]
        top = stack[-1] if stack else None
        if mark == ",":
            if closed is not None and top is not None:
                top.first = (closed.head[0], token.end())
            member = closed = None
            comma = token.end()
        elif mark == ":":
            member = last
        elif mark in "[{":
            row = mark == "[" and top is not None and top.kind == "["
            if row and top is not None:
                top.lists += 1
            label = (top.key if row and top is not None else member) if mark == "[" else None
            head = (token.start() if member is None else member[0] - 1, token.end())
            stack.append(_Open(mark, head, label, row))
            member = None
        elif mark in "]}":
            done = stack.pop()
            closed = done if done.row and stack[-1].lists == 1 else None
            if done.row and listing is not None:
                _row(text, stack[-1], done, listing)
        else:  # a string or a number
            string = mark == '"'
            span = token.span()
            if string:  # inside its quotes, or to the end of the text (only there unclosed)
                ends_quoted = span[1] < len(text) or token.group("closed") is not None
                span = (span[0] + 1, span[1] - ends_quoted)
            last = span if string else None
            if top is None or top.kind != "[":
                continue
            if top.row:
                top.items.append((span, string))
            elif top.key is not None and listing is not None:
                if listing.count >= MAX_ITEMS:
                    break
                listing.add(top.key, span)  # a plain list: each item under its key
    if listing is not None:  # a value cut short: its open rows, innermost first
        for k in range(len(stack) - 1, 0, -1):
            if stack[k].row:
                _row(text, stack[k - 1], stack[k], listing)
    return stack, comma


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
