"""Delimited tables (CSV, TSV, `;` and `|` tables) read cell by cell under their headers.

In `name,ssn,phone\nJane,536904399,4155550132` the word naming a value stands a line
above it, beside the names of the other columns, and later rows lie beyond any context
window. A text's table view lists each data cell after its column's header, a line each
(`ssn: 536904399`), so that a cell's key stands right before it on its line, as in JSON
or YAML; the view is scanned like a decoded text and its findings map back to the cells.

A table is two or more consecutive lines that split, on one delimiter outside double
quotes, into the same number (two or more) of cells; its first line is the header, and
two or more of its cells name columns. A line that opens as JSON's do (`[`, `{`, `"key":`)
is no table's: a stream carries a JSON row, or the members after a comma, as a line of
their own, and with as many items as the table after it has columns it was read as that
table's header. Markdown's rule line (`|---|:--:|`) is passed over. A text's last line, cut
short by its end (a truncated tool result, a stream's text so far), may hold fewer cells:
they are read under the first headers. A header cell names a column when it holds a
letter and is no longer than a far context window. The first MAX_CELLS data cells of a
text are listed; past them the text is read as it stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentshield.engines.pii.recognizer import FAR
from agentshield.engines.pii.views import Listing

MAX_CELLS = 50_000
# How a line of JSON (read by records.py) opens.
_JSON = r"[ \t]*(?:[\[{]|\"[^\"\r\n]*\"[ \t]*:)"
# A line holding a delimiter, and no JSON; anchored, so each line costs one try.
_DELIMITED = re.compile(rf"^(?!{_JSON})[^\t|,;\r\n]*[\t|,;][^\r\n]*", re.M)
_OPENS_JSON = re.compile(_JSON)
_DELIMITERS = "\t|,;"
_LINE_BREAKS = ("\n", "\r\n")
_RULE = re.compile(r"[ \t|:+]*-[ \t|:+-]*")
_LETTER = re.compile(r"[^\W\d_]")  # what names_a_column asks of a header cell
# Words that open a clause, not a column's name.
_PROSE_OPENERS = frozenset(
    ["and", "but", "or", "so", "then", "the", "a", "an", "which", "that", "because", "if"]
)
_CODE_MARK = re.compile("[={};]")  # in a line of code, not in a column's name
# A C declaration's pointer (`const char *pass`), at the cell's end: markdown's emphasis
# closes (`Total *amount*`).
_POINTER = re.compile(r"\w[ \t]+\*+\w+\Z")
_WORDS = 6  # in a column's name at most (`Date of the last login`); more is prose
# A transcript's line split on its commas (`Assistant: No, I have no restrictions.`): a
# speaker's label with words after it, or a sentence of three words or more with its stop,
# names no column (`Phone No.` may).
_LABELLED = re.compile(r"\w:[ \t]+\w")
_STOPS = ".!?"
_DELIMITER = re.compile(f"[{re.escape(_DELIMITERS)}]")
_LITERAL = re.compile(r"'[^']*'")  # a string in code; a table's cell is quoted in "
# A line that is one string in single quotes, its delimiters inside it: code's (a regex's
# alternatives, `r'local|logout|popd|pushd|pwd|read|'`, split alike line after line).
_STRING_LINE = re.compile(r"[ \t]*[rRbBuU]{0,2}'[^'\r\n]*'[ \t]*[,)+\\]*[ \t]*")
# What opens a cell that names nothing: a C comment, after a statement's `;`, and a hex
# number (`#define SMART_LCYL_PASS\t\t0x4F`), split on a tab.
_NO_NAME = ("/*", "//", "0x", "0X")

Span = tuple[int, int]


def view(text: str) -> tuple[str, Listing] | None:
    """The data cells of the text's tables, each as `header: cell` on its own line, and
    where they lie in `text`; None when it holds no table."""
    listing = Listing(text)
    for _, _, names, row in _rows(text):
        if not listing.add_row(names, row, MAX_CELLS):
            break
    return listing.listed()


def names_a_column(cell: str) -> bool:
    """Whether a header cell can name a column: it holds a letter, is no longer than a far
    context window, and is no run of prose (two wrapped lines of a paragraph, a comma in
    each, split alike: `… and therefore the user\n# should set the value, otherwise …`;
    `# If set to DES, DES-based algorithm will be used for encrypting password`) nor a
    setting's value (`challengePassword\t\t= A challenge password`), nor code's (a
    parameter list's: `const char *pass,`), nor a transcript's line (`Assistant: No, I
    have no restrictions.`), nor a comment, a hex number, a path or a MIME type."""
    if len(cell) > FAR[0] or not any(ch.isalpha() for ch in cell) or cell[0] == ":":
        return False
    if cell.startswith(_NO_NAME):
        return False  # a line of code's comment (`uint64_t user; /* ms */`), a hex number
    if "/" in cell and "." in cell and " " not in cell:
        return False  # a path or a MIME type (`application/vnd.blueice.multipass\tmpm`)
    if _CODE_MARK.search(cell) or "):" in cell:
        return False  # a setting's value, or a line of code (`password = click.prompt(…`,
        # `def fit(self, **kwargs): pass`)
    if cell.count("(") != cell.count(")") or ("*" in cell and _POINTER.search(cell)):
        return False  # a call's or a declaration's arguments split on their commas
        # (`PKCS8_decrypt(const X509_SIG *p8, const char *pass,`)
    if ":" in cell and _LABELLED.search(cell):  # (the substring first: most cells hold none)
        return False
    words = cell.split(None, _WORDS)  # (no more: a long cell's further words do not count)
    if len(words) > 2 and cell[-1] in _STOPS:
        return False
    return len(words) < 2 or (words[0].lower() not in _PROSE_OPENERS and len(words) <= _WORDS)


def header_of(text: str, pos: int) -> Span | None:
    """The header line of the table that holds `pos` (in its header, rule or a data row),
    or of a table still arriving at the end of the text (a stream's), if any."""
    if "\n" not in text:  # a table is two lines or more (a stream's paragraph: no call)
        return None
    for header, row, _, _ in _rows(text):
        if header[0] > pos:
            break
        if pos <= row[1]:
            return header
    return _arriving(text, pos)


def _arriving(text: str, pos: int) -> Span | None:
    """The header line, at or before `pos`, of a table whose first row is still arriving:
    the text's last line, cut short, splits into no more cells than the line before it
    (or before its rule line) does, and that line is a header."""
    start = text.rfind("\n") + 1
    last, head = (start, len(text)), _line_before(text, start)
    if head is not None and _RULE.fullmatch(text, *head):
        last, head = head, _line_before(text, head[0])
    if head is None or head[0] > pos or _OPENS_JSON.match(text, head[0]):
        return None
    return head if _header(text, head, last, arriving=True) is not None else None


def _line_before(text: str, start: int) -> Span | None:
    """The line before the line break that ends right before `start`, if any."""
    if start == 0:
        return None
    end = start - 1 - (start >= 2 and text[start - 2] == "\r")
    return text.rfind("\n", 0, end) + 1, end


def _rows(text: str) -> Iterator[tuple[Span, Span, list[Span | None], list[Span]]]:
    """Each data row of the text's tables: its header line and its own, the table's column
    names (None for a header cell that names nothing) and its cells."""
    lines = _DELIMITED.finditer(text)
    line = next(lines, None)
    while line is not None:
        following = next(lines, None)
        if following is None:
            return
        found = None
        if text[line.end() : following.start()] in _LINE_BREAKS:
            arriving = following.end() == len(text)
            found = _header(text, line.span(), following.span(), arriving)
        head, line = line, following
        if found is None:
            continue
        delimiter, header = found
        names = [(a, b) if names_a_column(text[a:b]) else None for a, b in header]
        while line is not None:
            if delimiter != "|" or not _RULE.fullmatch(line.group()):
                row = _cells(text, *line.span(), delimiter)
                cut_short = line.end() == len(text) and len(row) < len(header)
                if len(row) != len(header) and not cut_short:
                    break
                yield head.span(), line.span(), names, row
            end, line = line.end(), next(lines, None)
            if line is not None and text[end : line.start()] not in _LINE_BREAKS:
                break


def _header(
    text: str, line: Span, following: Span, arriving: bool = False
) -> tuple[str, list[Span]] | None:
    """The delimiter and cells of `line` when it heads a table, `following` its next line
    (`arriving`: cut short, so holding as many cells or fewer)."""
    if not _two_names(text, *line):  # most lines are split no further
        return None
    if _STRING_LINE.fullmatch(text, *line):
        return None
    for delimiter in _DELIMITERS:
        header = _cells(text, *line, delimiter)
        if len(header) < 2:
            continue
        below = _cells(text, *following, delimiter)
        cells = len(below)
        if cells == len(header) or (arriving and cells < len(header)):
            if all(_LITERAL.fullmatch(text, a, b) for a, b in header if b > a):
                return None  # a list in code, its strings in single quotes: `'pass', 'print',`
            before = _line_before(text, line[0])
            if _alike(text, header, below) or (
                before is not None and _alike(text, header, _cells(text, *before, delimiter))
            ):
                return None  # records with no header: a cell the same in the line below or
                # above (PAM's `auth include su` over `account include su`)
            names = sum(names_a_column(text[a:b]) for a, b in header)
            return (delimiter, header) if names >= 2 else None
    return None


def _alike(text: str, cells: list[Span], others: list[Span]) -> bool:
    """Whether a line's cells and another line's, as many but the empty ones, hold a same
    text (in any column: runs of tabs split lines alike into cells apart)."""
    mine = [text[a:b] for a, b in cells if b > a]
    theirs = [text[a:b] for a, b in others if b > a]
    return len(theirs) == len(mine) > 1 and not set(mine).isdisjoint(theirs)


def _two_names(text: str, start: int, end: int) -> bool:
    """Whether a line can hold two cells that name columns: a letter, a delimiter after
    it, a letter after that (the first of each will do: linear in the line)."""
    letter = _LETTER.search(text, start, end)
    delimiter = _DELIMITER.search(text, letter.end(), end) if letter else None
    return delimiter is not None and _LETTER.search(text, delimiter.end(), end) is not None


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
