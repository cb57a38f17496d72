"""Name and value pairs: a setting's name is its value's key (pairs.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from agentshield.engines.pii import PiiScanner, StreamingRedactor
from agentshield.engines.pii.pairs import view

from .conftest import CHUNK_SIZES, HOLDS, Found, streamed

DEPLOYMENT = """\
spec:
  containers:
  - name: api
    env:
    - name: LOG_LEVEL
      value: debug
    - name: DB_PASSWORD
      value: "hunter22"
    - name: SUPPORT_PHONE
      value: '4155550132'  # the desk
    - name: ADMIN_USER
      value: jdoe
    - name: SMTP_PASSWORD
      value: s3cr#t42  # a bare value may hold a `#`
"""
TASK = json.dumps(
    {
        "environment": [
            {"name": "DB_PASSWORD", "value": "hunter22"},
            {"name": "API_TOKEN", "value": "Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s"},
        ]
    }
)
FORM = '<input type="hidden" name="username" value="jdoe"><input name="q" value="shoes">'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            DEPLOYMENT,
            [
                ("PASSWORD", "hunter22"),
                ("PHONE", "4155550132"),
                ("USERNAME", "jdoe"),
                ("PASSWORD", "s3cr#t42"),
            ],
        ),
        (
            TASK,
            [("PASSWORD", "hunter22"), ("AUTH_TOKEN", "Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s")],
        ),
        (FORM, [("USERNAME", "jdoe")]),
        # A name that keys nothing; a person's name (blanks) is no setting's.
        ("- name: build\n  value: 12345", []),
        ('{"name": "Jane Doe", "value": "7 days"}', []),
    ],
)
def test_a_value_is_read_under_its_name(found: Found, text: str, expected: list) -> None:
    assert found(text) == expected


def test_the_view_lists_each_value_under_its_name() -> None:
    listed = view(DEPLOYMENT)
    assert listed is not None
    body, where = listed
    assert body.splitlines() == [
        "LOG_LEVEL: debug",
        "DB_PASSWORD: hunter22",
        "SUPPORT_PHONE: 4155550132",
        "ADMIN_USER: jdoe",
        "SMTP_PASSWORD: s3cr#t42",
    ]
    at = body.index("4155550132")
    start, end, tricks = where.locate(at, at + 10)
    assert DEPLOYMENT[start:end] == "4155550132"
    assert tricks == ()


def test_no_pairs_no_view() -> None:
    assert view("name: api\nimage: nginx") is None


@settings(max_examples=40, deadline=None)
@given(sizes=CHUNK_SIZES, hold=HOLDS)
def test_a_streamed_manifest_is_redacted_as_a_whole_one(
    scanner: PiiScanner, sizes: list[int], hold: int
) -> None:
    redactor = StreamingRedactor(scanner, hold=hold)
    assert streamed(redactor, DEPLOYMENT, sizes) == scanner.scan(DEPLOYMENT).redacted_text
