"""JSON lists: each item is read under the key that holds its list, or its column's header."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, StreamingRedactor, markup
from agentshield.engines.pii.records import MAX_ITEMS, path_of, view

from .conftest import CHUNK_SIZES, HOLDS, PHONES, SSNS, STEPS, Found, lines, mapped, streamed


def json_values(max_items: int, max_leaves: int) -> st.SearchStrategy[object]:
    """JSON values of SSNs, phone numbers and other values under keys that name them or not."""
    return st.recursive(
        st.one_of(st.sampled_from([*SSNS, *PHONES, "x", "a b"]), st.integers(0, 99_999)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=max_items),
            st.dictionaries(st.sampled_from(["ssns", "phone", "ids", "name"]), inner, max_size=3),
        ),
        max_leaves=max_leaves,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"ssns": ["536904399", "665123456"]}', ["ssns: 536904399", "ssns: 665123456"]),
        ('{"ssns": [536904399, 665123456]}', ["ssns: 536904399", "ssns: 665123456"]),
        ('{"a": {"ids": [1, 2]}, "b": "x"}', ["ids: 1", "ids: 2"]),
        ('Found: {"ids": [7, 8]} and more', ["ids: 7", "ids: 8"]),  # JSON inside prose
        ('{"ids": [[1], [2]]}', ["ids: 1", "ids: 2"]),  # lists of lists with no header
        ('{"t": [["name", "ssn"], ["Jane", "1"]]}', ["name: Jane", "ssn: 1"]),
        (
            '[["name", "ssn"], ["Jane", "1"], ["Bob", "2"]]',
            ["name: Jane", "ssn: 1", "name: Bob", "ssn: 2"],
        ),
        ('{"ids": ["a \\" b", "c"]}', ['ids: a \\" b', "ids: c"]),  # escapes stay as written
        ('{"ids": [{"a": 1}, 7]}', ["ids: 7"]),  # a list of objects and values: its values
    ],
)
def test_each_item_is_listed_under_its_key(text: str, expected: list[str]) -> None:
    assert lines(view(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"ssn": "536904399"}',  # a member's key is right before it already
        "[1, 2, 3]",  # a list no key holds
        '[{"ssn": "536904399"}, {"ssn": "665123456"}]',  # records: members are keyed
        'see [this] and {"that',  # no JSON
        "[" * 5000,  # nested too deep to parse: left as it stands
    ],
)
def test_no_list_under_a_key_no_view(text: str) -> None:
    assert view(text) is None


def test_the_view_maps_back_to_the_items() -> None:
    text = '{"phones": ["4155550132", 3125550100]}'
    values = ["4155550132", "3125550100"]
    assert mapped(view(text), text, values) == [(value, ()) for value in values]


def test_the_view_is_bounded() -> None:
    text = json.dumps({"ids": list(range(MAX_ITEMS + 10))})
    assert len(lines(view(text))) == MAX_ITEMS


def test_a_list_names_its_items(found: Found) -> None:
    """Before, only the first item was within a context window of `phones`."""
    text = json.dumps({"customer": {"phones": PHONES, "ssns": SSNS}})
    assert found(text) == [("PHONE", p) for p in PHONES] + [("US_SSN", s) for s in SSNS]


def test_an_item_is_read_under_its_own_key_not_its_neighbours(found: Found) -> None:
    """In the view `ssns: 665123456` stands on the line before `ids: 123456789`; before,
    its key counted for that item too (a view's context stops at the item's line)."""
    text = json.dumps({"ssns": ["536904399", "665123456"], "ids": ["123456789", "7"]})
    assert found(text) == [("US_SSN", "536904399"), ("US_SSN", "665123456")]


def test_a_spreadsheet_is_read_by_column(scanner: PiiScanner) -> None:
    """Every header word is near the first row's values in the text: the column's header,
    read from the structure, decides (an SSN is also a valid Polish phone number)."""
    rows = [["name", "ssn", "phone"]] + [[f"P{i}", SSNS[i], PHONES[i]] for i in range(3)]
    text = json.dumps({"range": "A1:C4", "values": rows})
    result = scanner.scan(text)
    assert [f.entity_type for f in result.findings] == ["US_SSN", "PHONE"] * 3
    assert "4399" not in result.redacted_text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=json_values(max_items=4, max_leaves=12),
    indent=st.sampled_from([None, 2]),
)
def test_findings_in_json_are_values(
    scanner: PiiScanner, value: object, indent: int | None
) -> None:
    text = json.dumps(value, indent=indent)
    for f in scanner.scan(text).findings:
        assert text[f.start : f.end] in {*SSNS, *PHONES}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cut short by the end of the text: a truncated tool result, a stream so far
        # (the string it ends in as far as it goes)
        (
            '{"ssns": ["536904399", "665123456", "1234',
            ["ssns: 536904399", "ssns: 665123456", "ssns: 1234"],
        ),
        ('{"ssns": ["536904399", "6651234\\', ["ssns: 536904399", "ssns: 6651234\\"]),
        ('{"ssns": ["536904399", "', ["ssns: 536904399", "ssns: "]),
        ('{"ssns": ["536904399", "665123456", ', ["ssns: 536904399", "ssns: 665123456"]),
        ('{"t": [["name", "ssn"], ["Jane", "5369"', ["name: Jane", "ssn: 5369"]),  # its open row
        ('{"t": [["name", "ssn"], ["Jane", "5369', ["name: Jane", "ssn: 5369"]),
        # a list in broken JSON: under the key written before it
        ('{"a": oops, "ssns": ["536904399", "665123456"]}', ["ssns: 536904399", "ssns: 665123456"]),
    ],
)
def test_a_value_cut_short_or_in_broken_json_is_read(text: str, expected: list[str]) -> None:
    assert lines(view(text)) == expected


def test_a_truncated_tool_result_is_read_by_key(found: Found) -> None:
    """Before, the items past the key's windows were lost with the closing brackets, and
    the last, its closing quote cut off, until 2026-12-06."""
    text = json.dumps({"customer": {"note": "x", "ssns": SSNS * 3}})
    for cut in (3, 4):
        assert found(text[:-cut]) == [("US_SSN", s) for s in SSNS * 3]


def test_what_heads_a_place_in_json() -> None:
    text = json.dumps({"a": {"ids": [1, 2]}, "t": [["name", "ssn"], ["Jane", "1"]]}, indent=2)
    heads, row, _ = path_of(text, text.index("2\n"))
    assert [text[a:b] for a, b in heads] == ["{", '"a": {', '"ids": [']
    assert row is None
    heads, row, comma = path_of(text, text.index('"1"'))
    assert [text[a:b] for a, b in heads] == ["{", '"t": [', '[\n      "name",\n      "ssn"\n    ],']
    assert row == text.index('[\n      "Jane"')
    assert comma == text.index('"1"') - len("\n      ")  # after `"Jane",`
    assert path_of("no json here", 5) == ((), None, None)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=json_values(max_items=8, max_leaves=30),
    indent=st.sampled_from([None, 2]),
    sizes=CHUNK_SIZES,
    hold=HOLDS,
    step=STEPS,
)
def test_streamed_json_reads_as_the_whole(
    scanner: PiiScanner, value: object, indent: int | None, sizes: list[int], hold: int, step: int
) -> None:
    """However far a list's key (or its header row) is behind when an item arrives: the
    stream carries the heads of the JSON open where its context starts."""
    text = json.dumps(value, indent=indent)
    redactor = StreamingRedactor(scanner, hold=hold, step=step)
    assert streamed(redactor, text, sizes) == scanner.scan(text).redacted_text


def test_a_streamed_list_is_read_under_its_key(scanner: PiiScanner) -> None:
    """Before, a pretty-printed list streamed gave one SSN of twelve."""
    text = json.dumps({"customer": {"ssns": SSNS * 4, "note": "ok"}}, indent=2)
    redactor = StreamingRedactor(scanner, hold=64)
    out = [redactor.feed(text[at : at + 20]) for at in range(0, len(text), 20)]
    assert "".join([*out, redactor.flush()]) == scanner.scan(text).redacted_text
    assert [f.entity_type for f in redactor.findings] == ["US_SSN"] * 12


# Marks, keys, strings holding brackets (whole or cut short), tags, a value.
_PIECES = [*'{}[]",: \n\\ax1', '"ssns": [', '"a, ]]b"', ', "]]', "<table>", "<td>", SSNS[0]]
JSON_LIKE = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=JSON_LIKE, pos=st.integers(0, 400), sizes=CHUNK_SIZES, hold=st.sampled_from([8, 32]))
def test_text_that_looks_like_json_never_breaks_a_view_or_a_stream(
    scanner: PiiScanner, text: str, pos: int, sizes: list[int], hold: int
) -> None:
    """Brackets inside strings, values cut short, broken JSON (before, `{"a, ]]b"` raised
    in path_of, which every release of a stream calls)."""
    pos = min(pos, max(0, len(text) - 1))
    heads, row, comma = path_of(text, pos)
    assert all(0 <= a < b <= pos for a, b in heads) and (row is None or row <= pos)
    assert comma is None or (text[comma - 1] == "," and comma <= pos)
    view(text), markup.view(text)
    out = streamed(StreamingRedactor(scanner, hold=hold), text, sizes)
    assert out == text or SSNS[0] in text  # only a value is ever rewritten


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.recursive(
        st.sampled_from([SSNS[0], "x" * 300, "a, b", "lorem ipsum " * 30]),
        lambda inner: st.one_of(
            st.lists(inner, max_size=6),
            st.dictionaries(st.sampled_from(["ssns", "t"]), inner, max_size=3),
        ),
        max_leaves=25,
    ),
    indent=st.sampled_from([None, 2]),
    size=st.integers(1, 50),
)
def test_a_streamed_json_value_keeps_a_bounded_context(
    scanner: PiiScanner, value: object, indent: int | None, size: int
) -> None:
    """The heads carried and the context kept stay within max_hold each, however long the
    lines, strings and rows (every scan of a stream stays bounded)."""
    text = json.dumps(value, indent=indent)
    redactor = StreamingRedactor(scanner, hold=64, max_hold=256)
    for at in range(0, len(text), size):
        redactor.feed(text[at : at + size])
        assert len(redactor._released) <= 2 * 256 + 1
