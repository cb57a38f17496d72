"""The compiled core (engines/pii/native): what the detector relies on it for."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.detector import Budget, Detector
from agentshield.engines.pii.recognizer import Pattern, Recognizer

TEXTS = [
    f"ticket {n}: mail jane.roe{n}@acme-corp.com, card 4111 1111 1111 1111, "
    f"ssn 536-90-4399, password: hunter{n}hunter, 日本 +44 20 7946 0958"
    for n in range(40)
]


class _Broken(Recognizer):
    entity_type = "BROKEN"
    patterns = (Pattern("digits", r"\bB-\d{4}\b", 0.9),)

    def validate(self, value: str) -> bool | None:
        raise RuntimeError(f"check failed on {value}")


class _Refusing(Recognizer):
    """Its own `assess` and `spans`, neither of which knows the pattern's refusal."""

    entity_type = "REFUSING"
    patterns = (Pattern("code", r"\bR-\d{4}(?:-\d)?\b", 0.9, refuse=lambda v: v.startswith("R-0")),)

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        yield 0, len(value)
        yield 0, 6  # without the suffix

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        return pattern.score, ""


def test_a_patterns_refusal_holds_for_every_span_whatever_the_recognizer_assesses() -> None:
    text = "R-0123 R-0123-4 R-1234 R-1234-5"
    hits, _ = Detector([_Refusing()]).run(text, Budget(100))
    assert [text[h.start : h.end] for h in hits] == ["R-1234", "R-1234-5"]


class _Counting(Recognizer):
    """Counts the values its checks see; a screen and a place keep some from them."""

    entity_type = "COUNTING"
    patterns = (
        Pattern("code", r"\bC-[0-9A-Z]{4}\b", 0.9, screen="[A-Z]-[A-Z]"),
        Pattern("@", r"\b[a-z]+@[a-z]+\b", 0.9, place=lambda text, at: text[:at].endswith("at ")),
    )

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        self.seen.append(value)
        return pattern.score, ""


@pytest.mark.parametrize("prefix", ["", "日本 "])  # ASCII text read in place, and not
def test_screen_and_place_refuse_before_the_checks_run(prefix: str) -> None:
    counting = _Counting()
    text = prefix + "C-1234 C-AB12 log at jane@host, not jane@host"
    hits, _ = Detector([counting]).run(text, Budget(100))
    assert [text[h.start : h.end] for h in hits] == ["C-AB12", "jane@host"]
    assert counting.seen == ["C-AB12", "jane@host"]


def test_scans_in_threads_find_what_one_thread_finds(scanner: PiiScanner) -> None:
    # The search runs with the GIL released; its compiled patterns are shared.
    alone = [scanner.scan(text).findings for text in TEXTS]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda text: scanner.scan(text).findings, TEXTS * 4))
    assert together == alone * 4


def test_offsets_count_characters_not_bytes(scanner: PiiScanner) -> None:
    text = "日本語のメール: jane.roe@acme-corp.com と 4111 1111 1111 1111"
    spans = [text[f.start : f.end] for f in scanner.scan(text).findings]
    assert spans == ["jane.roe@acme-corp.com", "4111 1111 1111 1111"]


def test_an_error_in_a_check_reaches_the_caller_and_the_detector_goes_on() -> None:
    detector = Detector([_Broken()])
    with pytest.raises(RuntimeError, match="check failed on B-1234"):
        detector.run("code B-1234 here", Budget(100))
    assert detector.run("no code here", Budget(100)) == ([], {})
