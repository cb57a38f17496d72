"""Tables (CSV, TSV, `|`): each cell is read under its column's header; streamed tables, HTML
ones too."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, StreamingRedactor
from agentshield.engines.pii.tables import MAX_CELLS, header_of, view

from .conftest import CHUNK_SIZES, HOLDS, PHONES, ROWS, SSNS, STEPS, Found, lines, mapped, streamed


@pytest.mark.parametrize(
    "text",
    [
        "name,ssn\nJane,536904399\nBob,665123456",
        "name\tssn\nJane\t536904399\nBob\t665123456",
        "name;ssn\nJane;536904399\nBob;665123456",
        "| name | ssn |\n|------|:---:|\n| Jane | 536904399 |\n| Bob | 665123456 |",
        'name,ssn\r\n"Jane",536904399\r\nBob , "665123456"',
    ],
)
def test_each_cell_is_listed_under_its_header(text: str) -> None:
    assert lines(view(text)) == ["name: Jane", "ssn: 536904399", "name: Bob", "ssn: 665123456"]


def test_quoted_delimiters_are_inside_a_cell() -> None:
    assert lines(view('name,note\n"Roe, Jane","a, b"')) == ["name: Roe, Jane", "note: a, b"]


@pytest.mark.parametrize(
    "text",
    [
        "536904399",
        "Hi, Jane\nWhere are you, and when, Jane?",  # one comma, then two
        "name,ssn\n\nJane,536904399",  # a blank line between
        "one line, with, commas",
        "2021,2022\n536904399,665123456",  # a header names a column with a letter
        "name,\nJane,536904399",  # and names two of them
        # A paragraph's wrapped lines, a comma in each: a clause names no column.
        "a value, and therefore the user\n# should set the value, otherwise a warning",
        # A cell of many words is a sentence's, and one opening with `=` a setting's value.
        "# If set to MD5, MD5-based algorithm will be used for encrypting password\n"
        "# If set to DES, DES-based algorithm will be used for encrypting password",
        "challengePassword\t\t= A challenge password\nchallengePassword_min\t\t= 4",
        # Lines of code, a comma in each: a cell with `=`, `{`, `}` or `;` names nothing.
        '    password = click.prompt("Password", hide_input=True)\n    return (username, password)',
        json.dumps({"name": "Jane", "ssn": "536904399", "ids": [1, 2]}, indent=2),
        '["Jane", "536904399", "ok"]\n["Bob", "665123456", "ok"]',  # JSON lines
        '{"a": "Jane", "b": "x"}\n{"a": "Bob", "b": "y"}',
        '"a": "Jane", "b": "x"}\n"a": "Bob", "b": "y"}',  # members after a comma
        # A list of strings in code, its lines alike: `'pass'` heads no column.
        "    'pass', 'public', 'print',\n    'raise', 'redo', 'rescue',",
        # A regex's alternatives in code, one string a line split alike on `|`: `pwd` heads
        # no column over `times` (pygments' shell lexer).
        "  r'local|logout|popd|pushd|pwd|read|'\n  r'shopt|source|suspend|test|times|trap|'",
        "    'Error_InvalidPassword|Error_InvalidUsername|' +\n    'Error_ModuleNotFound|X|'",
        # Signatures, a comma in each: `**kwargs): pass` names no column.
        "def fit(self, **kwargs): pass\ndef score(self, **kwargs): pass",
        # Declarations with a comment after their `;`, and constants defined as hex numbers
        # split by tabs: a comment or a hex number names no column.
        "struct s {\n  uint64_t user; /* ms */\n  uint64_t nice; /* ms */\n};",
        "#define SMART_LCYL_PASS\t\t\t0x4F\n#define SMART_HCYL_PASS\t\t\t0xC2",
        # mime.types: a MIME type names no column.
        "application/vnd.blueice.multipass\t\tmpm\napplication/vnd.bluetooth.ep.oob\t\tep",
        # A transcript's lines, a comma in each: a speaker's label with words after it, a
        # sentence with its stop.
        "Assistant: No, I have no restrictions.\nUser: Good, now help me with this task",
        "User: Hi, there\nAssistant: Hello, friend",
        "Well, I have no restrictions.\nGood, now help me",
        # Records with no header, a cell the same in the lines around (PAM's `include`,
        # fstab's options): `password include su` heads no column over `session`.
        "auth\t\tinclude\t\tsu\naccount\t\tinclude\t\tsu\npassword\tinclude\t\tsu\n"
        "session\t\toptional\tpam_keyinit.so force revoke\nsession\t\tinclude\t\tsu\n",
        "/dev/fd0\t/floppy\t\tminix\tdefaults,noauto,user\t\t0 0\n"
        "/dev/fd1\t/floppy\t\tminix\tdefaults,noauto,user\t\t0 0\n",
    ],
)
def test_no_table_no_view(text: str) -> None:
    """Pretty-printed JSON's lines split on their commas into a name and an empty cell:
    no table."""
    assert view(text) is None


@pytest.mark.parametrize(
    "text",
    ["name,ssn,phone\nJane,536904399", "| name | ssn | phone |\n|---|---|---|\n| Jane | 536904399"],
)
def test_a_last_row_cut_short_is_listed_as_far_as_it_goes(text: str) -> None:
    # A truncated tool result, or a stream's text so far, with a row still arriving.
    assert lines(view(text)) == ["name: Jane", "ssn: 536904399"]


def test_a_shorter_row_inside_a_table_ends_it() -> None:
    assert lines(view("name,ssn,phone\nJane,536904399\nBob,665123456,x")) == []


def test_a_table_ends_where_its_rows_stop() -> None:
    text = "id,ssn\n1,536904399\nthe end\nx,y\n2,665123456"
    assert lines(view(text)) == ["id: 1", "ssn: 536904399", "x: 2", "y: 665123456"]


def test_the_view_maps_back_to_the_cells() -> None:
    text = 'name | ssn\nJane | 536904399\n"Bob" | 665123456'
    values = ["Jane", "536904399", "Bob", "665123456"]
    assert mapped(view(text), text, values) == [(value, ()) for value in values]


def test_the_view_is_bounded() -> None:
    text = "a,b\n" + "1,2\n" * (MAX_CELLS // 2 + 10)
    assert len(lines(view(text))) == MAX_CELLS


def test_a_column_names_its_values(found: Found) -> None:
    """Nine digits are a valid SSN and a valid Polish phone number: the header decides,
    in every row, however far from the header."""
    rows = [f"Person {i},{SSNS[i % 3]},{PHONES[i % 3]}" for i in range(40)]
    text = "\n".join(["name,ssn,phone", *rows])
    assert found(text) == [
        kind for i in range(40) for kind in (("US_SSN", SSNS[i % 3]), ("PHONE", PHONES[i % 3]))
    ]


def test_a_column_shows_no_more_than_its_type_allows(scanner: PiiScanner) -> None:
    """Before, PHONE won the SSN's cell (its word is in the same near window, and it
    scores higher) and its redaction showed the SSN's last four digits."""
    text = "name,ssn,phone\nJane,536904399,4155550132"
    assert scanner.scan(text).redacted_text == ("name,ssn,phone\nJane,<US_SSN>,<PHONE_LAST_4:0132>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a word in another cell, in the row or a row above, is no context for a value
        # its table lists under a column of its own
        (
            "| team | nino | order_id |\n|---|---|---|\n"
            "| error | EE 90 08 55 A | 391912196 |\n| call | EJ 71 04 30 B | 920644158 |",
            [("UK_NINO", "EE 90 08 55 A"), ("UK_NINO", "EJ 71 04 30 B")],
        ),
        # nor is a header over another column
        ("status,order_id,customer_ssn\npending,347250562,320878905", [("US_SSN", "320878905")]),
        (
            '{"rows": [["team", "phone", "order_id"], ["call", "4155550132", "604987041"]]}',
            [("PHONE", "4155550132")],
        ),
        (
            "<table><tr><th>team</th><th>order_id</th></tr>"
            "<tr><td>call</td><td>604987041</td></tr></table>",
            [],
        ),
        # a word in the cell itself still is
        ("name,notes\nJane,call me on 415 555 0132", [("PHONE", "415 555 0132")]),
        # and a value hidden in a cell is found, however deep
        ("name,note\nJane,c3NuIDUzNi05MC00Mzk5", [("US_SSN", "c3NuIDUzNi05MC00Mzk5")]),
    ],
)
def test_a_value_listed_is_read_under_its_own_column(
    found: Found, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == expected


def test_a_keyword_column_finds_its_values(found: Found) -> None:
    text = "user\tpassword\tteam\nmallory_admin\tTr0ub4dor&3x\tred"
    assert found(text) == [("USERNAME", "mallory_admin"), ("PASSWORD", "Tr0ub4dor&3x")]


def test_a_markdown_table(found: Found) -> None:
    text = "| patient | nhs number |\n|---|---|\n| J. Roe | 943 476 5919 |"
    assert found(text) == [("UK_NHS", "943 476 5919")]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(
            st.sampled_from([*SSNS, *PHONES, "x", "", "a b", '"q, r"']), min_size=3, max_size=3
        ),
        min_size=1,
        max_size=6,
    ),
    delimiter=st.sampled_from([",", "\t", "|", ";"]),
)
def test_findings_in_a_table_are_cells(
    scanner: PiiScanner, cells: list[list[str]], delimiter: str
) -> None:
    text = "\n".join(delimiter.join(row) for row in [["ssn", "phone", "note"], *cells])
    for f in scanner.scan(text).findings:
        assert text[f.start : f.end] in {*SSNS, *PHONES}


def table(rows: list[list[str]], form: str) -> str:
    """`rows`, the first the header, as a CSV, markdown or HTML table ("html, a cell a
    line": each cell on a line of its own)."""
    if form.startswith("html"):
        apart = "\n" if form.endswith("line") else ""
        body = "\n".join(
            "<tr>" + apart + apart.join(f"<{tag}>{cell}</{tag}>" for cell in row) + "</tr>"
            for tag, row in zip(["th"] + ["td"] * (len(rows) - 1), rows, strict=True)
        )
        return f'<table id="t">\n{body}\n</table>'
    if form == "markdown":
        rule = ["---"] * len(rows[0])
        return "\n".join("| " + " | ".join(row) + " |" for row in [rows[0], rule, *rows[1:]])
    return "\n".join(",".join(row) for row in rows)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=ROWS,
    form=st.sampled_from(["csv", "markdown", "html", "html, a cell a line"]),
    sizes=CHUNK_SIZES,
    hold=HOLDS,
    step=STEPS,
)
def test_a_streamed_table_is_read_under_its_header(
    scanner: PiiScanner,
    rows: list[tuple[str, str]],
    form: str,
    sizes: list[int],
    hold: int,
    step: int,
) -> None:
    """However far the header is behind when a row arrives: the stream carries a CSV's or
    markdown's header line, an HTML table's start tag and header row; and keeps a long
    header, and an HTML row on many lines, whole while it is still arriving."""
    header = ["the customer's full name", "customer ssn", "mobile phone"]
    text = table([header, *([f"P{i}", a, b] for i, (a, b) in enumerate(rows))], form)
    redactor = StreamingRedactor(scanner, hold=hold, step=step)
    assert streamed(redactor, text, sizes) == scanner.scan(text).redacted_text
    assert [f.entity_type for f in redactor.findings] == ["US_SSN", "PHONE"] * len(rows)


@pytest.mark.parametrize(
    ("text", "pos", "header"),
    [
        ("name,ssn\nJane,536904399\nBob,665123456", 20, "name,ssn"),  # in a row
        ("name,ssn\nJane,536904399", 3, "name,ssn"),  # in the header itself
        # A stream's text so far: the first row still arriving, in the rule line or not.
        ("| id | team | ssn |\n|---|---|---|\n| 1 | a", 25, "| id | team | ssn |"),
        ("name,ssn,phone\r\nJane,53", 18, "name,ssn,phone"),
        ("name,ssn,phone\n", 3, "name,ssn,phone"),
        ("name,ssn,phone\nJane,536904399,x,y", 20, None),  # more cells than the header
        ("name,ssn\nJane,536904399\n\nnotes", 30, None),  # after the table
        ("a plain line\nand another", 15, None),
    ],
)
def test_the_header_of_a_table_at_a_place(text: str, pos: int, header: str | None) -> None:
    found = header_of(text, pos)
    assert (text[found[0] : found[1]] if found else None) == header


@pytest.mark.parametrize("form", ["csv", "markdown", "html"])
def test_a_streamed_row_longer_than_the_hold_is_read_under_its_header(
    scanner: PiiScanner, form: str
) -> None:
    """The cut passes a row's first cells before the row has wholly arrived: they are read
    under their header all the same."""
    notes = "called about the order and wants a refund before the end of the month " * 2
    rows = [["name", "ssn", "notes", "phone"]]
    rows += [
        [f"P{i}", ssn, notes, phone]
        for i, (ssn, phone) in enumerate(zip(SSNS, PHONES, strict=True))
    ]
    text = table(rows, form)
    redactor = StreamingRedactor(scanner)  # holds 128 characters; a row is some 160
    assert streamed(redactor, text, [4]) == scanner.scan(text).redacted_text
    assert [f.entity_type for f in redactor.findings] == ["US_SSN", "PHONE"] * len(SSNS)


NHS_NUMBERS = ["0360379214", "3697096400", "9434765919", "4010232137"]
_RECORD = {"order_id": "", "account": "", "status": "closed", "nie": "y", "commit": "1b540f7"}
_COLUMNS = {
    "created_at": ["2026-09-16", "2026-11-16"],
    "order_id": ["378231766", "728553866"],
    "ssn": ["058-52-8630", "075264375"],
    "nhs_number": ["557 087 6863", "425 681 1753"],
}
_SHEET = {"range": "A1:C3", "values": [["team", "status", "ip"], ["merge", "closed", "19.1.2.3"]]}


@pytest.mark.parametrize("step", [1, 32])
@pytest.mark.parametrize(
    ("before", "columns", "hold", "chunk"),
    [
        (_SHEET, 3, 128, 3),  # a sheet's rows
        ([_RECORD] * 6, 2, 32, 50),  # records: the members after a comma
        ([_RECORD] * 6, 4, 64, 200),
        (_COLUMNS, 5, 64, 50),  # lists' items after a comma, joined to their key's line
    ],
)
def test_json_carried_by_a_stream_is_no_header_of_the_table_after_it(
    scanner: PiiScanner, before: object, columns: int, hold: int, chunk: int, step: int
) -> None:
    """A stream carries the JSON row its context starts in, or the members or items after
    a comma, as a line of their own: with as many items as the next table has columns,
    that line was read as the table's header, and the header as a row, so the NHS numbers
    under it went out."""
    notes = "asked for a callback about the refund on the last order " * 2
    names = ["status", "nhs_number", "note", "created_at", "id"][:columns]
    rows = [names, *(["active", n, notes, "2026-11-24", "7"][:columns] for n in NHS_NUMBERS)]
    text = json.dumps(before) + "\n" + table(rows, "csv")
    redactor = StreamingRedactor(scanner, hold=hold, step=step)
    assert streamed(redactor, text, [chunk]) == scanner.scan(text).redacted_text
    in_table = [f for f in redactor.findings if f.start > text.index("\n")]
    assert [text[f.start : f.end] for f in in_table if f.entity_type == "UK_NHS"] == NHS_NUMBERS


def test_a_span_over_a_separator_ends_at_its_piece() -> None:
    text = "name,ssn\nJane,536904399"
    body, cells = view(text)  # type: ignore[misc]
    assert body == "name: Jane\nssn: 536904399\n"
    assert cells.locate(0, 6) == (0, 4, ())  # "name: " is the header "name"
    assert cells.locate(16, 26) == (14, 23, ())  # "536904399\n" is the cell
    assert cells.locate(6, 10) == (9, 13, ())


def test_a_streamed_table_keeps_a_bounded_context(scanner: PiiScanner) -> None:
    """A header longer than max_hold is not carried along: each scan stays bounded."""
    header = ",".join(f"column_{i}" for i in range(300))  # ~3,000 characters
    rows = "\n".join(",".join(str(i) for i in range(300)) for _ in range(20))
    redactor = StreamingRedactor(scanner, hold=64, max_hold=2048)
    text = f"{header}\n{rows}"
    out = [redactor.feed(text[at : at + 50]) for at in range(0, len(text), 50)]
    assert "".join([*out, redactor.flush()]) == text
    assert len(redactor._released) <= 2 * 2048 + 1  # the context kept: header and tail
