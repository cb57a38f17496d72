"""Streaming redaction: a value split across chunks is caught; the held tail is bounded."""

from __future__ import annotations

import base64
import hashlib

import pytest

from agentshield.engines.pii import PiiScanner, Policy, StreamingRedactor

from .conftest import streamed

TEXT = (
    "Hello team, the customer wrote from jane.roe@acme-corp.com and left +1 415 555 0132 "
    "as a callback; the card on file is 4242 4242 4242 4242 and the key AKIAIOSFODNN7EXAMPLE "
    "must be rotated. Thanks!"
)


@pytest.mark.parametrize("size", [1, 3, 8, 17, 40, 1000])
def test_streamed_output_equals_the_whole_text_redacted(scanner: PiiScanner, size: int) -> None:
    redactor = StreamingRedactor(scanner)
    assert streamed(redactor, TEXT, [size]) == scanner.scan(TEXT).redacted_text


@pytest.mark.parametrize("cut", range(20, 60, 3))
def test_a_value_split_at_any_point_is_caught(scanner: PiiScanner, cut: int) -> None:
    text = "reach me at jane.roe@acme-corp.com or +44 20 7946 0958 soon"
    redactor = StreamingRedactor(scanner, hold=16)
    out = redactor.feed(text[:cut]) + redactor.feed(text[cut:]) + redactor.flush()
    assert "jane.roe" not in out and "7946" not in out.replace("<PHONE_LAST_4:0958>", "")
    assert [f.entity_type for f in redactor.findings] == ["EMAIL", "PHONE"]


@pytest.mark.parametrize("size", [1, 4, 9])
def test_digits_spelled_as_words_are_caught_across_chunks(scanner: PiiScanner, size: int) -> None:
    text = "sure, my ssn is five three six - nine zero - four three nine nine, thanks"
    redactor = StreamingRedactor(scanner)
    out = streamed(redactor, text, [size])
    assert out == scanner.scan(text).redacted_text == "sure, my ssn is <US_SSN>, thanks"


@pytest.mark.parametrize("hold", range(16, 36, 2))
def test_a_cut_moved_out_of_a_word_does_not_land_in_a_value(scanner: PiiScanner, hold: int) -> None:
    # Fed a character at a time, the tail's cut once falls right after the value's last
    # letter, before its `.`: moved back to the word's start, it lands inside the value.
    text = "National insurance HB 43 49 57 D. Merge the branch tomorrow, please."
    redactor = StreamingRedactor(scanner, hold=hold)
    assert streamed(redactor, text, [1]) == scanner.scan(text).redacted_text
    assert [f.entity_type for f in redactor.findings] == ["UK_NINO"]


def test_findings_report_offsets_into_the_whole_stream(scanner: PiiScanner) -> None:
    redactor = StreamingRedactor(scanner, hold=16)
    streamed(redactor, TEXT, [5])
    assert [(f.entity_type, TEXT[f.start : f.end]) for f in redactor.findings] == [
        (f.entity_type, TEXT[f.start : f.end]) for f in scanner.scan(TEXT).findings
    ]


def test_the_held_tail_stays_bounded(scanner: PiiScanner) -> None:
    redactor = StreamingRedactor(scanner, hold=32, max_hold=256)
    released = 0
    word = "x" * 1000  # one endless word: it may be a value, but not forever
    for i in range(0, len(word), 10):
        released += len(redactor.feed(word[i : i + 10]))
        assert (i + 10) - released <= 256 + 10
    assert released + len(redactor.flush()) == 1000


def test_chunks_that_leave_no_place_to_cut_are_not_scanned(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = []
    monkeypatch.setattr(scanner, "detect", lambda *a, **k: scans.append(1) or [])
    redactor = StreamingRedactor(scanner, hold=32, step=1)
    word = "A1b2" * 150  # a long word (a token, a CSV row): no cut inside it
    released = redactor.feed("token ") + "".join(
        redactor.feed(word[i : i + 4]) for i in range(0, 600, 4)
    )
    assert released == "token " and len(scans) == 1  # the one release, before the word
    assert released + redactor.feed(" done") + redactor.flush() == f"token {word} done"


def test_a_long_line_of_prose_is_not_rescanned_whole(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A model's paragraph is one line: the context kept is the words `context` (64)
    # characters back, enough for any context window, not the line from its start.
    text = " ".join([TEXT] * 12)  # 2,600 characters, one line
    scanned = []
    detect = scanner.detect
    monkeypatch.setattr(scanner, "detect", lambda t, **k: scanned.append(len(t)) or detect(t, **k))
    assert streamed(StreamingRedactor(scanner), text, [4]) == scanner.scan(text).redacted_text
    # The hold and the context, with the words and findings a cut moves back over; the
    # whole line was up to 2,048 characters. (The last scan is the flush.)
    assert max(scanned[:-1]) < 2 * (128 + 64)


def test_text_leaves_in_steps_not_at_every_chunk(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each release scans the held tail and the context again: released at every 4-character
    # chunk, each character of prose was scanned some 38 times.
    text = " ".join(["the quick brown fox jumps over the lazy dog"] * 50)  # no finding
    scans: list[str] = []
    detect = scanner.detect
    monkeypatch.setattr(scanner, "detect", lambda t, **k: scans.append(t) or detect(t, **k))

    def scans_streamed(step: int) -> int:
        scans.clear()
        redactor = StreamingRedactor(scanner, step=step)
        pieces = [redactor.feed(text[at : at + 4]) for at in range(0, len(text), 4)]
        assert "".join([*pieces, redactor.flush()]) == text
        assert all(len(piece) >= step for piece in pieces if piece)
        return len(scans)

    assert scans_streamed(32) <= len(text) // 32 + 1 < scans_streamed(1) // 4


def test_a_finding_that_holds_the_cut_back_is_not_rescanned_at_every_chunk(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each value is longer than the hold: when the cut falls in it, the scan moves the cut
    # back to its start, and so would every scan until the cut can pass its end (45 scans
    # here, where one a step will do).
    text = "ok " * 5 + "NHS 943 476 5919 " * 8
    scans: list[str] = []
    detect = scanner.detect
    monkeypatch.setattr(scanner, "detect", lambda t, **k: scans.append(t) or detect(t, **k))
    redactor = StreamingRedactor(scanner, hold=16, step=8)
    assert streamed(redactor, text, [1]) == scanner.scan(text).redacted_text
    assert [f.entity_type for f in redactor.findings] == ["UK_NHS"] * 8
    assert len(scans) <= len(text) // 8 + 1


def test_markup_without_blanks_is_cut_between_tags(scanner: PiiScanner) -> None:
    # A row of HTML holds few blanks: a cut fell only on one, or was forced at `max_hold`
    # (here, with no blank at all, in the middle of a cell).
    rows = "".join(f"<tr><td>P{i}</td><td>536-90-4399</td></tr>" for i in range(40))
    text = f"<table><tr><th>name</th><th>ssn</th></tr>{rows}</table>"
    redactor = StreamingRedactor(scanner, max_hold=512)
    pieces = [redactor.feed(text[at : at + 4]) for at in range(0, len(text), 4)]
    assert "".join([*pieces, redactor.flush()]) == scanner.scan(text).redacted_text
    released = [piece for piece in pieces if piece]
    assert len(released) > 10 and all(piece.endswith(">") for piece in released)


@pytest.mark.parametrize(
    ("hold", "step", "max_hold", "context"),
    [(0, 32, 2048, 64), (256, 32, 128, 64), (8, 32, 64, -1), (64, 0, 2048, 64), (64, 65, 128, 0)],
)
def test_bounds_that_cannot_hold_are_refused(
    scanner: PiiScanner, hold: int, step: int, max_hold: int, context: int
) -> None:
    with pytest.raises(ValueError, match="hold"):
        StreamingRedactor(scanner, hold=hold, step=step, max_hold=max_hold, context=context)


def test_a_private_key_longer_than_the_hold_does_not_leak(scanner: PiiScanner) -> None:
    der = b"".join(hashlib.sha512(bytes([i])).digest() for i in range(20))  # 1280 bytes
    encoded = base64.b64encode(der).decode()
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    text = (
        "key:\n-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(lines)
        + "\n-----END RSA PRIVATE KEY-----\n"
    )
    redactor = StreamingRedactor(scanner, hold=64, max_hold=512)
    out = streamed(redactor, text, [7])
    assert not any(line[8:40] in out for line in lines)


def test_restore_mode_streams_placeholders(scanner: PiiScanner) -> None:
    redactor = StreamingRedactor(scanner, policy=Policy(default_mode="restore"), hold=16)
    out = streamed(redactor, "mail jane.roe@acme-corp.com, then jane.roe@acme-corp.com", [4])
    assert out == "mail <EMAIL_1>, then <EMAIL_1>"
    assert (
        redactor.restore_map.restore(out)
        == "mail jane.roe@acme-corp.com, then jane.roe@acme-corp.com"
    )
