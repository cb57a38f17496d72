"""Keys in markdown's emphasis, as models write them (emphasis.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from agentshield.engines.pii import CustomRule, PiiScanner, RuleSet, StreamingRedactor
from agentshield.engines.pii.emphasis import marks_a_key, view

from .conftest import CHUNK_SIZES, HOLDS, Found, streamed

ANSWER = (
    "Here are the staging credentials:\n\n"
    "- **Username:** jdoe\n"
    "- **Password:** S3cret!pass\n"
    "- **Session ID:** 8f14e45fceea167a5a36dedd4bea2543\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Password:** hunter22", [("PASSWORD", "hunter22")]),
        ("**Password**: hunter22", [("PASSWORD", "hunter22")]),
        ("__Password:__ hunter22", [("PASSWORD", "hunter22")]),
        ("*Password:* hunter22", [("PASSWORD", "hunter22")]),
        ("**Password:** `hunter22`", [("PASSWORD", "hunter22")]),
        ("**User:** jdoe", [("USERNAME", "jdoe")]),
        ("<strong>Password:</strong> hunter22", [("PASSWORD", "hunter22")]),
        ("<p><b>User</b>: jdoe<br>", [("USERNAME", "jdoe")]),
        # A value in a code span after its key, bold or not.
        ("Username: `jdoe`", [("USERNAME", "jdoe")]),
        ("**User:** `jdoe`", [("USERNAME", "jdoe")]),
        (
            "Session ID: <code>8f14e45fceea167a5a36dedd4bea2543</code>",
            [("SESSION_ID", "8f14e45fceea167a5a36dedd4bea2543")],
        ),
        ("username: `str`", []),  # a type, in docs, as without the marks
        # A markdown table's bold headers over its cells.
        (
            "| **User** | **Password** |\n|---|---|\n| jdoe | `hunter22` |",
            [
                ("USERNAME", "jdoe"),
                ("PASSWORD", "hunter22"),
            ],
        ),
        ("**Login:** jdoe", [("USERNAME", "jdoe")]),
        (
            ANSWER,
            [
                ("USERNAME", "jdoe"),
                ("PASSWORD", "S3cret!pass"),
                ("SESSION_ID", "8f14e45fceea167a5a36dedd4bea2543"),
            ],
        ),
        # Values other marks stand beside are found as before.
        ("**SSN:** 536-90-4399", [("US_SSN", "536-90-4399")]),
        ("see **bold**: and ssn 536-90-4399", [("US_SSN", "536-90-4399")]),
        ("**Note:** nothing to hide", []),
    ],
)
def test_a_key_in_emphasis_keys_its_value(found: Found, text: str, expected: list) -> None:
    assert found(text) == expected


def test_findings_are_not_evasions(scanner: PiiScanner) -> None:
    (finding,) = scanner.scan("**Password:** hunter22").findings
    assert finding.evasion is None
    assert finding.layer == "fast_path"


def test_the_view_maps_back_past_the_marks() -> None:
    text = "**Password:** hunter22 and **User**: `jdoe`, <b>Login:</b> mrossi"
    plain = view(text)
    assert plain is not None
    body, where = plain
    assert body == "**Password: hunter22 and **User: jdoe, <b>Login: mrossi"
    for value in ("hunter22", "jdoe", "mrossi"):
        at = body.index(value)
        start, end, tricks = where.locate(at, at + len(value))
        assert text[start:end] == value
        assert tricks == ()


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("**Password:** x", True),
        ("a*: b", True),
        ("<b>Password</b>: x", True),
        ("snake_case: x", False),
        ("x: y", False),
    ],
)
def test_only_marks_next_to_a_colon_make_a_view(text: str, marked: bool) -> None:
    assert marks_a_key(text) is marked


@settings(max_examples=40, deadline=None)
@given(sizes=CHUNK_SIZES, hold=HOLDS)
def test_a_streamed_answer_is_redacted_as_a_whole_one(
    scanner: PiiScanner, sizes: list[int], hold: int
) -> None:
    redactor = StreamingRedactor(scanner, hold=hold)
    assert streamed(redactor, ANSWER, sizes) == scanner.scan(ANSWER).redacted_text


def test_a_tenants_rules_read_the_text_with_and_without_the_marks(scanner: PiiScanner) -> None:
    rules = RuleSet(
        [
            CustomRule(name="marked", pattern=r"\*\*Internal:\*\* \w+", entity_type="MARKED"),
            CustomRule(name="badge", pattern=r"Badge: EMP-\d{6}", entity_type="BADGE"),
        ]
    )
    text = "**Internal:** roadmap and Badge: `EMP-123456`"
    found = {
        (f.entity_type, text[f.start : f.end]) for f in scanner.scan(text, rules=rules).findings
    }
    assert found == {("MARKED", "**Internal:** roadmap"), ("BADGE", "Badge: `EMP-123456")}
