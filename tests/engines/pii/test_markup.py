"""HTML tables: each cell is read under its column's header cell."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.markup import header_of, view
from agentshield.engines.pii.tables import MAX_CELLS

from .conftest import PHONES, SSNS, Found, lines, mapped

EXPECTED = ["name: Jane", "ssn: 536904399", "name: Bob", "ssn: 665123456"]


@pytest.mark.parametrize(
    "text",
    [
        "<table><tr><th>name</th><th>ssn</th></tr>"
        "<tr><td>Jane</td><td>536904399</td></tr><tr><td>Bob</td><td>665123456</td></tr></table>",
        # a page's layout: sections, attributes, blanks, upper case, tags around the text
        '<TABLE class="grid">\n <thead>\n  <TR><TH scope="col">name</TH><th><b>ssn</b></th></TR>\n'
        " </thead>\n <tbody>\n  <tr><td> <a href='/u/1'>Jane</a> </td><td>\n536904399\n</td></tr>\n"
        "  <tr><td>Bob</td><td><span>665123456</span></td></tr>\n </tbody>\n</TABLE>",
        # end tags left out, as HTML allows
        "<table><tr><td>name<td>ssn<tr><td>Jane<td>536904399<tr><td>Bob<td>665123456</table>",
        # a caption row of headings above the column names
        "<table><tr><th colspan=2>People</th></tr><tr><th>name</th><th>ssn</th></tr>"
        "<tr><td>Jane</td><td>536904399</td></tr><tr><td>Bob</td><td>665123456</td></tr></table>",
    ],
)
def test_each_cell_is_listed_under_its_header(text: str) -> None:
    assert lines(view(text)) == EXPECTED


@pytest.mark.parametrize(
    "text",
    [
        "536904399",
        "a < b and c > d",
        "<p>name</p><p>536904399</p>",
        "<tr><td>name</td></tr><tr><td>Jane</td></tr>",  # rows outside any table
        "<table><tr><th>name</th><th>ssn</th></tr></table>",  # a header only
        "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>",
    ],
)
def test_no_table_no_view(text: str) -> None:
    assert view(text) is None


def test_a_row_of_another_width_is_passed_over() -> None:
    text = (
        "<table><tr><th>name</th><th>ssn</th></tr><tr><td colspan=2>none</td></tr>"
        "<tr><td>Jane</td><td>536904399</td></tr></table>"
    )
    assert lines(view(text)) == ["name: Jane", "ssn: 536904399"]


def test_a_last_row_cut_short_is_listed_as_far_as_it_goes() -> None:
    # A truncated tool result, or a stream's text so far, with a row still arriving.
    text = "<table><tr><th>name</th><th>ssn</th><th>phone</th></tr><tr><td>Jane</td><td>536904399"
    assert lines(view(text)) == ["name: Jane", "ssn: 536904399"]
    closed = "<table><tr><th>name</th><th>ssn</th><th>phone</th></tr><tr><td>Jane</td></tr></table>"
    assert view(closed) is None  # a row ended with fewer cells is another width


def test_a_table_in_a_cell_is_read_as_a_table() -> None:
    inner = "<table><tr><th>ssn</th></tr><tr><td>536904399</td></tr></table>"
    text = (
        "<table><tr><th>team</th><th>people</th></tr>"
        f"<tr><td>red</td><td>{inner}</td></tr><tr><td>blue</td><td>none</td></tr></table>"
    )
    assert lines(view(text)) == ["ssn: 536904399", "team: red", "team: blue", "people: none"]


def test_the_view_maps_back_to_the_cells() -> None:
    text = "<table><tr><th>name</th><th>ssn</th></tr><tr><td><i>Jane</i></td><td>536904399</td>"
    values = ["name", "ssn", "Jane", "536904399"]
    assert mapped(view(text), text, values) == [(value, ()) for value in values]


def test_the_view_is_bounded() -> None:
    rows = "<tr><td>1</td><td>2</td></tr>" * (MAX_CELLS // 2 + 10)
    text = f"<table><tr><th>a</th><th>b</th></tr>{rows}</table>"
    assert len(lines(view(text))) == MAX_CELLS


def test_a_column_names_its_values(found: Found) -> None:
    """Before, none of these was found: the header row is out of every window."""
    rows = "\n".join(
        f"<tr><td>Person {i}</td><td>{SSNS[i % 3]}</td><td>{PHONES[i % 3]}</td></tr>"
        for i in range(12)
    )
    text = f"<table>\n<tr><th>Name</th><th>SSN</th><th>Phone</th></tr>\n{rows}\n</table>"
    assert found(text) == [
        kind for i in range(12) for kind in (("US_SSN", SSNS[i % 3]), ("PHONE", PHONES[i % 3]))
    ]


def test_a_one_line_table_in_a_chat_message(scanner: PiiScanner) -> None:
    text = (
        "Here: <table><tr><th>user</th><th>password</th></tr>"
        "<tr><td>mallory_admin</td><td>Tr0ub4dor&3x</td></tr></table>"
    )
    assert scanner.scan(text).redacted_text == (
        "Here: <table><tr><th>user</th><th>password</th></tr>"
        "<tr><td><USERNAME_HINT:ma***></td><td><PASSWORD></td></tr></table>"
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(
            st.sampled_from([*SSNS, *PHONES, "x", "", "<b>a</b>", "<td>", "</tr>", "<table>"]),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_findings_in_a_table_are_cells(scanner: PiiScanner, cells: list[list[str]]) -> None:
    """Whatever the cells hold, tags that open or close tables, rows and cells included."""
    rows = [["ssn", "phone", "note"], *cells]
    text = "<table>" + "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    for f in scanner.scan(text).findings:
        assert text[f.start : f.end] in {*SSNS, *PHONES}


def test_the_header_of_the_table_open_at_a_place() -> None:
    inner = "<table><tr><th>ssn</th></tr><tr><td>1</td></tr>"
    text = f"<table id=t><tr><th>a</th></tr><tr><td>{inner}</table></td></tr><tr><td>2"

    def read(pos: int) -> tuple[list[str], int | None]:
        found = header_of(text, pos)
        assert found is not None
        return [text[a:b] for a, b in found[0]], found[1]

    assert read(len(text) - 1) == (["<table id=t>", "<tr><th>a</th></tr>"], text.rindex("<tr>"))
    at = text.index("<td>1")
    assert read(at) == (["<table>", "<tr><th>ssn</th></tr>"], text.index("<tr><td>1"))
    # Its header row has not ended: the start tag, and the header row kept whole.
    assert read(text.index("<th>a")) == (["<table id=t>"], text.index("<tr><th>a"))
    assert header_of("<tr><td>1</td></tr>", 10) is None
