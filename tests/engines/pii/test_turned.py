"""The ROT13 and reversed views are built only where a turned pattern can match: the
triggers must never miss a value those views would find."""

from __future__ import annotations

import codecs
import unicodedata
from typing import Any

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import CustomRule, PiiScanner, RuleSet, turned
from agentshield.engines.pii import scanner as scanner_module
from agentshield.engines.pii.registry import build

TURNED_PATTERNS = sorted(
    {p.regex for r in build() if r.letter_sensitive for p in r.patterns}
    | {r"\bEMP-\d{6}\b", r"^acct [a-f]{4}$", r"(?i)x{2,3}(?:ab|c)+\B"}
    | {r"(?i)\bkey\s*[:=]\s*(?P<v>[a-z0-9][a-z0-9.-]{1,31})", r"\b\d{2,3} ?[a-z]{1,9}x"}
    | {r"z(?:ab)?\d{2}", r"\b(?:ghp_[A-Za-z0-9]{36}|pat[a-z]{3}_\w{22,})\b"}
    | {r"(?i)\bkey\s*[:=]\s*(?P<v>\"[^\"]{4,64}\"|'[^']{4,64}'|[^\s\"']{4,64})"}
)
HIDDEN = [
    ("EMAIL", "write to " + codecs.encode("jane.roe@example.org", "rot13")),
    ("EMAIL", "write to " + "jane.roe@example.org"[::-1]),
    ("PASSWORD", codecs.encode("the password: Hunter2Hunter2 ok", "rot13")),
    ("PASSWORD", "the password: Hunter2Hunter2 ok"[::-1]),
    ("AWS_KEY", "key " + "AKIAIOSFODNN7EXAMPLE"[::-1]),
    ("IBAN", "pay to " + "GB82 WEST 1234 5698 7654 32"[::-1]),
    ("GITHUB_TOKEN", codecs.encode("ghp_" + "a1B2c3D4e5" * 4, "rot13")),
    ("PASSWORD", '{"password": "correct horse battery"}'[::-1]),
    ("PASSWORD", codecs.encode("my password is hunter22", "rot13")),
    ("PASSWORD", "my password is hunter22"[::-1]),
    ("EMAIL", "write to " + codecs.encode("ops@mail.example.co.uk", "rot13")),
    # In the clear, a random string (HIGH_ENTROPY_SECRET): no reason to leave the view.
    ("BITCOIN_ADDRESS", "send to " + codecs.encode("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "rot13")),
]


def _nfkc(text: str) -> bool:
    # Scans match on NFKC text only, where no character folds onto an ASCII letter (the
    # Kelvin sign onto k) and so ROT13 commutes with case-insensitive matching.
    return unicodedata.is_normalized("NFKC", text)


@pytest.mark.parametrize("pattern", TURNED_PATTERNS)
def test_a_turned_pattern_matches_wherever_the_view_would(pattern: str) -> None:
    regex = re2.compile(pattern)
    rot13 = re2.compile(turned.rot13_pattern(pattern))
    backwards = re2.compile(turned.reversed_pattern(pattern))
    assert turned.ALWAYS not in (rot13.pattern, backwards.pattern)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
    @given(st.one_of(st.from_regex(pattern), st.text()).filter(_nfkc))
    def check(view: str) -> None:
        # `view` is what the scanner would see in ROT13 / reversed: of codecs.encode(view,
        # "rot13") / view[::-1], whose triggers must fire when the pattern matches it.
        in_view = regex.search(view) is not None
        assert (rot13.search(codecs.encode(view, "rot13")) is not None) == in_view
        if in_view:  # the reversed form may match more
            assert backwards.search(view[::-1]) is not None

    check()


@pytest.mark.parametrize(
    ("pattern", "trimmed"),
    [
        # The value (in a group) goes; the separator, a mark, stays leading the keyword.
        (r"(?i)\bkey\s*[:=]\s*(?P<v>[a-z0-9][a-z0-9.-]{1,31})", r"(?i:[\:\=](?:[\s]){0,}yek\b)"),
        (r"\b\d{2,3} ?[a-z]{1,9}x", r"(?:x(?:[a-z]){1,9}(?:\x20){0,1}(?:[\d]){2,3}\b)"),
        (r"x[a-z]{2,3}\d{1,4}", r"(?:(?:[\d]){1,1}(?:[a-z]){2,3}x)"),  # cut to its fewest
        (r"\d{4}[a-z]", r"(?:[a-z](?:[\d]){4,4})"),  # nothing literal left: as it was
        # A value of several forms goes when one of them would (PASSWORD's, quoted or not).
        (
            r"(?i)\bkey\s*[:=]\s*(?P<v>\"[^\"]{4,64}\"|[^\s\"]{4,64})",
            r"(?i:[\:\=](?:[\s]){0,}yek\b)",
        ),
        # Keys by their prefixes: each way of the alternation loses its random part.
        (
            r"\b(?:ghp_[A-Za-z0-9]{36}|pat[a-z]{3}_\w{22,})\b",
            r"(?:(?:\_phg|\_(?:[a-z]){3,3}tap)\b)",
        ),
    ],
)
def test_a_reversed_pattern_loses_what_leads_it(pattern: str, trimmed: str) -> None:
    assert turned.reversed_pattern(pattern) == trimmed


@pytest.mark.parametrize("pattern", [r"[[:alpha:]]{3}\d", r"\pL+\d", r"ab{,3}c", r"\Qa.b\E"])
def test_a_pattern_python_would_misread_always_builds_the_views(pattern: str) -> None:
    assert turned.rot13_pattern(pattern) == turned.ALWAYS
    assert turned.reversed_pattern(pattern) == turned.ALWAYS


@pytest.mark.parametrize(
    ("pattern", "same"),
    [
        (r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b", True),  # IBAN's: one Set entry for both
        (r"\b\d{8}-?[A-Za-z]\b", True),
        (r"[\w.-]+", True),
        (r"[a-z\u00e0-\u00ff]+", True),  # a range past ASCII
        (r"\b[0-9A-Fa-f]{32}\b", False),  # hex: A-F turn into N-S
        (r"\b[A-M]\d", False),
        (r"(?i)x\d", False),
    ],
)
def test_rot13_leaves_a_pattern_it_maps_onto_itself(pattern: str, same: bool) -> None:
    assert (turned.rot13_pattern(pattern) == pattern) is same


@pytest.mark.parametrize(("entity", "text"), HIDDEN)
def test_a_hidden_value_is_found_in_its_view(scanner: PiiScanner, entity: str, text: str) -> None:
    findings = scanner.scan(text).findings
    assert [(f.entity_type, f.evasion) for f in findings if f.entity_type == entity] in (
        [(entity, "rot13")],
        [(entity, "reversed")],
    )


def test_triggers_find_what_always_building_the_views_finds(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [text for _, text in HIDDEN] + ["ship to 221 Baker Street, London", "plain words"]
    texts += [BESIDE, "cc li.doe@globex.io, IBAN GB82 WEST 1234 5698 7654 32"]
    texts += [BACKWARDS_BESIDE, "li.chen@example.org-x", "moc.liamg@relluem.de", "@jdoe: hi"]
    expected = [r.findings for r in scanner.scan_batch(texts)]
    always = [("rot13", turned.ALWAYS), ("reversed", turned.ALWAYS)]
    monkeypatch.setattr(scanner_module, "turned_triggers", lambda patterns: always)
    assert [r.findings for r in PiiScanner().scan_batch(texts)] == expected
    assert [r.findings for r in PiiScanner().scan_batch(texts[::-1])] == expected[::-1]


# A value hidden by ROT13 beside values in the clear, whose patterns trigger the view too.
HIDDEN_BESIDE = codecs.encode("jane.roe@example.org", "rot13")
BESIDE = f"cc li.doe@globex.io and {HIDDEN_BESIDE}; IBAN GB82 WEST 1234 5698 7654 32"


def test_a_value_hidden_beside_values_in_the_clear_is_found(scanner: PiiScanner) -> None:
    """The ROT13 view is left unbuilt only where every place it could read a value was
    read in the clear already (scanner._read_already)."""
    found = [
        (f.entity_type, BESIDE[f.start : f.end], f.evasion) for f in scanner.scan(BESIDE).findings
    ]
    assert found == [
        ("EMAIL", "li.doe@globex.io", None),
        ("EMAIL", HIDDEN_BESIDE, "rot13"),
        ("IBAN", "GB82 WEST 1234 5698 7654 32", None),
    ]


# One hidden backwards beside one in the clear, whose `@` triggers the reversed view too.
BACKWARDS_BESIDE = "cc li.doe@globex.io and " + "jane.roe@example.org"[::-1]


def test_a_value_hidden_backwards_beside_values_in_the_clear_is_found(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reversed view is left unbuilt where every place it could read a value was read
    in the clear already: each address's `@` opens the reversed address trigger."""
    built: list[str] = []
    run = scanner._turned.run

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        built.append(text)
        return run(text, *args, **kwargs)

    monkeypatch.setattr(scanner._turned, "run", counted)
    assert [f.evasion for f in scanner.scan("mail li.doe@globex.io now").findings] == [None]
    assert built == []
    found = scanner.scan(BACKWARDS_BESIDE).findings
    assert [(f.entity_type, BACKWARDS_BESIDE[f.start : f.end], f.evasion) for f in found] == [
        ("EMAIL", "li.doe@globex.io", None),
        ("EMAIL", "jane.roe@example.org"[::-1], "reversed"),
    ]
    assert BACKWARDS_BESIDE[::-1] in built


def test_in_a_batch_each_text_keeps_its_own_findings(scanner: PiiScanner) -> None:
    texts = ["nothing here", HIDDEN[1][1], "nor here", HIDDEN[4][1]]
    results = scanner.scan_batch(texts)
    assert [[f.entity_type for f in r.findings] for r in results] == [
        [],
        ["EMAIL"],
        [],
        ["AWS_KEY"],
    ]


@pytest.mark.parametrize("pattern", [r"\bEMP-\d{6}\b", r"\pL{3}-\d{6}"])
def test_a_custom_rule_finds_its_value_reversed(scanner: PiiScanner, pattern: str) -> None:
    rules = RuleSet([CustomRule("emp", pattern, "EMPLOYEE_ID", examples=("EMP-123456",))])
    text = "badge " + "EMP-123456"[::-1] + " at the door"
    (finding,) = scanner.scan(text, rules=rules).findings
    assert (finding.entity_type, finding.evasion) == ("EMPLOYEE_ID", "reversed")
    assert text[finding.start : finding.end] == "654321-PME"


TURNS = {"rot13": lambda text: codecs.encode(text, "rot13"), "reversed": lambda text: text[::-1]}
# Views in which ordinary values read as these by chance: ROT13 changes only a DNI's check
# letter (a NIE's, a fiscal code's; a NINO has none), and a letter and eight digits (a
# Spanish company's tax id) reversed is a DNI's shape.
BY_CHANCE = [
    ("ES_DNI", "dni", "12345678Z", "rot13"),
    ("ES_DNI", "dni", "12345678Z", "reversed"),
    ("ES_NIE", "nie", "X1234567L", "rot13"),
    ("UK_NINO", "nino", "AB123456C", "rot13"),
    ("IT_FISCAL_CODE", "codice fiscale", "RSSMRA85T10A562S", "rot13"),
]


@pytest.mark.parametrize(("entity", "word", "value", "trick"), BY_CHANCE)
def test_a_value_reading_as_an_id_only_by_chance_needs_a_context_word(
    scanner: PiiScanner, entity: str, word: str, value: str, trick: str
) -> None:
    turn = TURNS[trick]
    alone = scanner.scan(f"order ref {turn(value)} shipped").findings
    assert [f for f in alone if f.entity_type == entity] == []
    # The whole text turned, or the value alone with its word in the text.
    for text in (turn(f"my {word}: {value} thanks"), f"my {word}: {turn(value)} thanks"):
        found = [(f.entity_type, f.evasion) for f in scanner.scan(text).findings]
        assert (entity, trick) in found, text


@pytest.mark.parametrize("value", ["X1234567L", "AB123456C", "RSSMRA85T10A562S"])
def test_other_ids_reversed_need_no_context_word(scanner: PiiScanner, value: str) -> None:
    # Their reversed shapes are rare in text: the value alone is still found.
    (finding,) = scanner.scan(f"order ref {value[::-1]} shipped").findings
    assert finding.evasion == "reversed"


def test_an_id_that_fails_its_check_letter_is_no_rot13_of_one(scanner: PiiScanner) -> None:
    # One in 23 of these would pass in ROT13, which changes only the letter.
    numbers = [f"{n:08d}{letter}" for n in range(10_000_000, 10_000_060) for letter in "AM"]
    found = scanner.scan_batch([f"ref {number} ok" for number in numbers])
    assert {f.evasion for result in found for f in result.findings} <= {None}


def test_a_key_in_leetspeak_counts_only_in_the_text_as_it_stands(scanner: PiiScanner) -> None:
    # Hex reads as one in ROT13 (`0xC4F5` is `0kP4S5`, a `PASS`); the double evasion, a
    # key both turned and in leetspeak, goes unread.
    codes = ["C4E9", "C4F5", "C4F6"]
    table = "".join(f"    0x{code}: {1914 + n},\n" for n, code in enumerate(codes))
    assert scanner.scan(table).findings == ()
    (finding,) = scanner.scan("the p4ss: Hunter2Hunter2 ok").findings
    assert (finding.entity_type, finding.evasion) == ("PASSWORD", "leetspeak")
