"""JSON lists: each item is read under the key that holds its list, or its column's header."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.records import MAX_ITEMS, view

from .conftest import PHONES, SSNS, Found, lines


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
    ],
)
def test_each_item_is_listed_under_its_key(text: str, expected: list[str]) -> None:
    assert lines(view(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"ssn": "536904399"}',  # a member's key is right before it already
        "[1, 2, 3]",  # a list no key holds
        '{"ids": [7]}',  # one item: right after its key already
        '[{"ssn": "536904399"}, {"ssn": "665123456"}]',  # records: members are keyed
        'see [this] and {"that',  # no JSON
        "[" * 5000,  # nested too deep to parse: left as it stands
    ],
)
def test_no_list_under_a_key_no_view(text: str) -> None:
    assert view(text) is None


def test_the_view_maps_back_to_the_items() -> None:
    text = '{"phones": ["4155550132", 3125550100]}'
    body, where = view(text)  # type: ignore[misc]
    for value in ("4155550132", "3125550100"):
        at = body.index(value)
        start, end, tricks = where.locate(at, at + len(value))
        assert (text[start:end], tricks) == (value, ())


def test_the_view_is_bounded() -> None:
    text = json.dumps({"ids": list(range(MAX_ITEMS + 10))})
    assert len(lines(view(text))) == MAX_ITEMS


def test_a_list_names_its_items(found: Found) -> None:
    """Before, only the first item was within a context window of `phones`."""
    text = json.dumps({"customer": {"phones": PHONES, "ssns": SSNS}})
    assert found(text) == [("PHONE", p) for p in PHONES] + [("US_SSN", s) for s in SSNS]


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
    value=st.recursive(
        st.one_of(st.sampled_from([*SSNS, *PHONES, "x", "a b"]), st.integers(0, 99_999)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(["ssn", "phones", "ids", "name"]), inner, max_size=3),
        ),
        max_leaves=12,
    ),
    indent=st.sampled_from([None, 2]),
)
def test_findings_in_json_are_values(
    scanner: PiiScanner, value: object, indent: int | None
) -> None:
    text = json.dumps(value, indent=indent)
    for f in scanner.scan(text).findings:
        assert text[f.start : f.end] in {*SSNS, *PHONES}
