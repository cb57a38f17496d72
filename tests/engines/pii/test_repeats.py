"""A secret said again: after its key, and in the later texts of a conversation
(repeats.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentshield.engines.pii import KnownSecrets, PiiScanner, StreamingRedactor

from .conftest import CHUNK_SIZES, HOLDS, STEPS, Found, streamed

PASSWORD = "Xk9mP2qz"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"password: {PASSWORD} then log in with {PASSWORD}.",
            [("PASSWORD", PASSWORD), ("PASSWORD", PASSWORD)],
        ),
        (
            "session id: 8f14e45fceea167a5a36dedd4bea2543, resume 8f14e45fceea167a5a36dedd4bea2543",
            [("SESSION_ID", "8f14e45fceea167a5a36dedd4bea2543")] * 2,
        ),
        (
            f"username: jsmith42\npassword: {PASSWORD}\n\nWelcome back, jsmith42 ({PASSWORD})",
            [("USERNAME", "jsmith42"), ("PASSWORD", PASSWORD)] * 2,
        ),
        # Before its key: a stream has let it out before the key arrives.
        (f"Use {PASSWORD}: password: {PASSWORD}", [("PASSWORD", PASSWORD)]),
        # Only the value as a whole: not inside a longer word or number.
        (
            f"password: {PASSWORD} not a{PASSWORD} nor {PASSWORD}9",
            [("PASSWORD", PASSWORD)],
        ),
        # Two values said again where they overlap: one finding.
        (
            "password: ab12-cd34\nsession id: cd34-ef56-7788-99aa\necho ab12-cd34-ef56-7788-99aa",
            [
                ("PASSWORD", "ab12-cd34"),
                ("SESSION_ID", "cd34-ef56-7788-99aa"),
                ("PASSWORD", "ab12-cd34"),
            ],
        ),
        # A finding there stays what it is.
        (
            f"password: {PASSWORD} and mail {PASSWORD}@example.com",
            [("PASSWORD", PASSWORD), ("EMAIL", f"{PASSWORD}@example.com")],
        ),
        # Letters only, or short: a word of prose when said again.
        ("password: sunshine on a day of sunshine", [("PASSWORD", "sunshine")]),
        ("password: x9Zq1 and x9Zq1", [("PASSWORD", "x9Zq1")]),
        # Names of code and of standards come back in every line that uses them.
        (
            "struct cpu {\n  user: uint64_t;\n};\nuint64_t now(void);",
            [("USERNAME", "uint64_t")],
        ),
        ("password: SHA256, hashed with SHA256", [("PASSWORD", "SHA256")]),
        ("password=PKCS-12, then a PKCS-12 file", [("PASSWORD", "PKCS-12")]),
    ],
)
def test_a_secret_said_again_after_its_key_is_found(
    found: Found, text: str, expected: list
) -> None:
    assert found(text) == expected


def test_a_repeat_is_redacted_like_its_first_finding(scanner: PiiScanner) -> None:
    result = scanner.scan(f"password: {PASSWORD}. Again: {PASSWORD}")
    assert result.redacted_text == "password: <PASSWORD>. Again: <PASSWORD>"
    assert result.findings[1].layer == result.findings[0].layer
    assert "said again" in result.findings[1].explanation
    assert len({f.value_hash for f in result.findings}) == 1  # one value: risk counts it once


def test_a_conversation_carries_its_secrets_to_later_texts(scanner: PiiScanner) -> None:
    texts = [
        "Log in as admin",
        f"the password is {PASSWORD}",
        f'{{"status": "ok", "token": "{PASSWORD}"}}',
        f"tool output: {PASSWORD}",
    ]
    alone = scanner.scan_batch(texts)
    assert [r.redacted_text for r in alone][3] == texts[3]  # texts of an API batch: apart

    known = KnownSecrets()
    first = scanner.scan_batch(texts[:2], known=known)
    later = scanner.scan_batch(texts[2:], known=known)  # the guard's next batch
    assert [r.redacted_text for r in first + later] == [
        "Log in as admin",
        "the password is <PASSWORD>",
        '{"status": "ok", "token": "<PASSWORD>"}',
        "tool output: <PASSWORD>",
    ]
    assert list(known.first) == [PASSWORD]


def test_a_stream_redacts_a_secret_known_from_its_conversation(scanner: PiiScanner) -> None:
    known = KnownSecrets()
    scanner.scan_batch([f"my password: {PASSWORD}"], known=known)
    redactor = StreamingRedactor(scanner, known=known)
    answer = f"I have noted it. {'All is well. ' * 20}Your password {PASSWORD} is weak."
    assert streamed(redactor, answer, [4]) == answer.replace(PASSWORD, "<PASSWORD>")


KEYS = ["password: ", "Password = ", "session id: ", "username: ", "pwd="]
WORDS = ["the", "deploy", "waits", "for", "a", "green", "build", "and", "we", "read"]


@st.composite
def repeating(draw: st.DrawFn) -> str:
    """Prose where one value comes several times, under a key or bare."""
    value = draw(st.text("abcdefXYZ0123456789", min_size=6, max_size=14))
    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        pieces.append(" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=30))))
        form = draw(st.sampled_from(["{v}", "{k}{v}", "({v})", "{v}."]))
        pieces.append(form.format(k=draw(st.sampled_from(KEYS)), v=value))
    return " ".join(pieces)


@given(text=repeating(), sizes=CHUNK_SIZES, hold=HOLDS, step=STEPS)
def test_a_streamed_text_redacts_repeats_as_its_whole_scan(
    scanner: PiiScanner, text: str, sizes: list[int], hold: int, step: int
) -> None:
    redactor = StreamingRedactor(scanner, hold=hold, step=step)
    assert streamed(redactor, text, sizes) == scanner.scan(text).redacted_text
