"""The detector's Sets hold looser forms of the patterns: each must match wherever its
pattern does, or a value would never be looked for."""

from __future__ import annotations

import base64
import codecs
import re
from urllib.parse import quote

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, Policy, detector
from agentshield.engines.pii.decoders import ENCODED, ENCODED_LEAST, ENCODED_RUN
from agentshield.engines.pii.prefilter import LONG, keyword_led, loosened, opening, run_length
from agentshield.engines.pii.turned import parse

SET_PATTERNS = sorted({g.regex for g in PiiScanner()._detector._groups.values()})
VALUES = [
    "jane.roe@acme-corp.com",
    "+44 20 7946 0958",
    "(415) 555-0132",
    "4242 4242 4242 4242",
    "536-90-4399",
    "GB82 WEST 1234 5698 7654 32",
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "RSSMRA85T10A562S",
    "AB 12 34 56 C",
    "2345 6789 0124",
    "00:1A:2B:3C:4D:5E",
    "2001:db8:85a3::8a2e:370:7334",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "password: correct-horse-battery",
    "username: jdoe42",
    "mongodb+srv://admin:hunter22@cluster0.example.net/test",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    "221B Baker Street, London NW1 6XE",
]
HIDDEN = [
    lambda v: v,
    lambda v: base64.b64encode(v.encode()).decode(),
    lambda v: v.encode().hex(),
    lambda v: quote(v, safe=""),
    lambda v: codecs.encode(v, "rot13"),
    lambda v: v[::-1],
    lambda v: " ".join(v),
]
ZERO = Policy(min_score=0.0)  # every candidate counts, not only those with context
CONTEXT = ["", "my ssn is ", "nhs number ", "call me on ", "aadhaar ", "pay to ", "p4ssw0rd: "]


def _examples(pattern: str) -> st.SearchStrategy[str]:
    try:
        re.compile(pattern)
    except re.error:  # RE2-only syntax: random text only
        return st.text()
    return st.one_of(st.from_regex(pattern), st.text())


@pytest.mark.parametrize("kinds_alike", [False, True])
@pytest.mark.parametrize("pattern", SET_PATTERNS)
def test_a_loosened_pattern_matches_wherever_the_pattern_does(
    pattern: str, kinds_alike: bool
) -> None:
    regex, loose = re2.compile(pattern), re2.compile(loosened(pattern, kinds_alike=kinds_alike))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_examples(pattern))
    def check(text: str) -> None:
        if regex.search(text) is not None:
            assert loose.search(text) is not None

    check()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b[13][1-9A-Z]{25,34}\b", f"(?:\\b[13](?:[1-9A-Z]){{{LONG},}}\\b)"),
        (r"a{0,63}@", "(?:(?:a){0,}\\@)"),
        (r"(?:x{2,40}y){1,3}", "(?:(?:(?:x){2,}y){1,3})"),
    ],
)
def test_bounds_above_long_are_dropped(pattern: str, expected: str) -> None:
    assert loosened(pattern) == expected


@pytest.mark.parametrize(
    ("pattern", "anchored"),
    [
        (r"[a-z]+@", r"(?:(?:^|[^a-z])(?:[a-z]){1,}\@)"),
        (r"[a-z]{3,}x|[a-z]{2,}y", r"(?:(?:^|[^a-z])(?:(?:[a-z]){3,}x|(?:[a-z]){2,}y))"),
        (r"[a-z]{3,}x|[0-9]{2,}y", r"(?:(?:(?:[a-z]){3,}x|(?:[0-9]){2,}y))"),  # two classes
        (r"[a-z]{2,5}@", r"(?:(?:[a-z]){2,5}\@)"),  # bounded: a match may start inside a run
        (r"\b[a-z]+@", r"(?:\b(?:[a-z]){1,}\@)"),
        (r"[^a-z]+@", r"(?:(?:[^a-z]){1,}\@)"),
    ],
)
def test_a_leading_unbounded_run_is_anchored_where_it_starts(pattern: str, anchored: str) -> None:
    assert loosened(pattern) == anchored


@pytest.mark.parametrize("text", ["abcdefgh@", "x9abc@", "@", "12ab@", "Ab@"])
def test_an_anchored_run_matches_where_the_run_did(text: str) -> None:
    for pattern in (r"[a-z]+@", r"[a-z]{2,}@", r"[a-z]{2,5}@", r"[a-z]{3,}x|[a-z]{2,}@"):
        if re2.search(pattern, text):
            assert re2.search(loosened(pattern), text), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "widened"),
    [
        (r"\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.", r"(?:\b(?:[\d]){1,3}\.)"),
        (r"(?:0[1-9]|1[0-2])x", r"(?:(?:[\d]){2,2}x)"),
        (r"(?:[1-9]?\d|0)x", r"(?:(?:[\d]){1,2}x)"),
        (r"(?:0[1-9]|1[0-2]|ab)x", r"(?:(?:0[1-9]|1[0-2]|ab)x)"),  # not digits only
        (r"(?:0|1\d+)x", r"(?:(?:0|1(?:[\d]){1,})x)"),  # unbounded
    ],
)
def test_an_alternation_of_digits_becomes_a_run_of_digits(pattern: str, widened: str) -> None:
    assert loosened(pattern) == widened


@pytest.mark.parametrize(
    ("pattern", "alike"),
    [
        (r"\b[13]\d{2}", r"(?:\b[\d](?:[\d]){2,2})"),
        (r"\b0?\d{9}\b", r"(?:\b(?:[\d]){0,1}(?:[\d]){9,9}\b)"),
        (r"\b[A-CEGHJ-PR-TW-Z][a-f] ?[XYZxyz]", r"(?:\b[A-Z][a-z](?:\x20){0,1}[A-Za-z])"),
        (r"\d(?:st|nd)", r"(?:[\d](?:[a-z][a-z]|[a-z][a-z]))"),
        # digits and letters both (base58, hex), or anything else: as written
        (r"[1-9A-HJ-NP-Z]{3}[0-9a-f]", r"(?:(?:[1-9A-HJ-NP-Z]){3,3}[0-9a-f])"),
        (r"[A-Z_][^a-z]", r"(?:[A-Z\_][^a-z])"),
    ],
)
def test_kinds_alike_holds_any_of_a_kind_where_some_only_stood(pattern: str, alike: str) -> None:
    assert loosened(pattern, kinds_alike=True) == alike


def test_the_keyword_set_keeps_the_digits_that_open_a_match() -> None:
    """`00` opens an international number: as two of any digit, any number would pass."""
    sets = detector._Sets()
    sets.add(r"(?:\+|\b00)[1-9][\d ().-]{6,18}\d\b")
    sets.add(r"\b0\d(?:[ .-]\d{2}){4}\b")
    keywords, shapes = sets._patterns[detector._KEYWORDS], sets._patterns[detector._SHAPES]
    assert "00" in keywords[0] and shapes[0] == detector._NOTHING
    assert keywords[1] == detector._NOTHING and shapes[1].startswith(r"(?:\b[\d][\d]")


def test_short_bounds_stay() -> None:
    loose = re2.compile(loosened(r"\b\d{9}\b|\b[A-Z2-7]{16}\b"))
    assert loose.search("123456789") and loose.search("A" * 16)
    assert not loose.search("1234567890") and not loose.search("A" * 17)


def test_a_pattern_python_would_misread_stays_as_written() -> None:
    assert loosened("[[:alpha:]]{30,40}") == "[[:alpha:]]{30,40}"


def test_every_set_pattern_is_read_by_pythons_parser() -> None:
    # Else it would stay as written, neither loosened nor placed by its opening.
    assert [p for p in SET_PATTERNS if parse(p) is None] == []


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        (r"\b\d{9}\b", "0123456789"),
        (r"(?:\+|\b00)[1-9][\d ().-]{6,18}\d\b", "+0"),
        (r"\b(?:1[ .-])?\d{2,5}[ .-]\d{3,8}\b", "0123456789"),  # an optional part, then
        (r"(?i)[:=]\s*(?:pass)", ":="),
        (r"\(\d{2,5}\)", "("),
        (r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b", "13"),
        (r"\b[A-Z]{2}\d{2}", None),  # a letter: most words would be a place to try
        (r"(?:\d|)a", None),  # may open with the letter
        (r"\d*x?", None),  # may be empty
        (r"[^a]\d", None),  # any character but one
        (r"é\d", None),  # past ASCII
        (r"\Qa.b\E", None),  # unreadable
    ],
)
def test_the_characters_every_match_opens_with(pattern: str, chars: str | None) -> None:
    assert opening(pattern) == chars


@pytest.mark.parametrize(
    ("pattern", "length"),
    [
        (r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b", 26),
        (r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})\b", 33),
        (r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}", 23),
        (r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}", 23),
        (r"\b[0-9a-f]{32}\b", 32),
        (r"\bxoxb-[0-9]+", 6),  # part of a run, though maybe of one too short to be a span
        (r"\bAKIA[A-Z0-9]{16}", 20),
        (r"(?i)\bsk_live_[a-z0-9]{24}", None),  # read without case: `k` is also the Kelvin sign
        (r"\bsk_(?i:live)_[a-z0-9]{24}", None),
        (r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", None),  # a blank
        (r"[a-z]+\.[a-z]{2,}", None),  # a dot
        (r"^[A-Za-z0-9]{40}$", None),  # where a run starts is not where the text does
        (r"\B[A-Za-z0-9]{40}", None),
        (r"[^ ]{20}", None),  # any character but one
        (r"\Qa.b\E", None),  # unreadable
    ],
)
def test_the_shortest_match_made_of_a_runs_characters(pattern: str, length: int | None) -> None:
    assert run_length(pattern, ENCODED_RUN) == length


def test_a_run_holds_every_word_character() -> None:
    # Else a character beside a run could be a word's (`_`), and a word boundary at the
    # run's edge read otherwise in the run alone.
    assert run_length(r"\b[0-9a-f]{32}\b", "[A-Za-z0-9_]") == 32
    assert run_length(r"\b[0-9a-f]{32}\b", "[A-Za-z0-9]") is None


ENCLOSED = [p for p in SET_PATTERNS if (run_length(p, ENCODED_RUN) or 0) >= ENCODED_LEAST]
_AROUND = "aZ09+/=_-. é\n"  # in a run, ending one, padding, past ASCII


def test_the_patterns_searched_inside_encoded_runs() -> None:
    # The shape-led ones whose Sets' DFA cost most: bitcoin's both ways, a hash.
    assert {r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b", r"\b[0-9A-Fa-f]{32,}\b"} <= set(ENCLOSED)
    assert r"(?:\b(?:[1-9A-HJ-NP-Za-km-z]){25,34}[13]\b)" in ENCLOSED  # reversed
    groups = PiiScanner()._detector._groups.values()
    assert sorted(g.regex for g in groups if g.within) == sorted(ENCLOSED)


@pytest.mark.parametrize("pattern", ENCLOSED)
def test_every_match_of_an_enclosed_pattern_lies_in_an_encoded_span(pattern: str) -> None:
    regex, spans = re2.compile(pattern), re2.compile(ENCODED)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(st.from_regex(pattern), st.text(alphabet=_AROUND)), max_size=5))
    def check(parts: list[str]) -> None:
        text = "".join(parts)
        runs = [m.span() for m in spans.finditer(text)]
        for m in regex.finditer(text):
            assert any(a <= m.start() and m.end() <= b for a, b in runs), (text, m.span())

    check()


@pytest.mark.parametrize(
    "text",
    [
        "QUJD+1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa/Zm9v==",
        "x==1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa==y",
        "é1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNaé",
        "a1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # glued to a letter: none
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa" + "x" * 30,
        "aNfviD7vmLS5LTfTPMD2ifeGQ5Pe1Pz1A1-AKIAIOSFODNN7EXAMPLE",
        "tok=ghp_16C7e42F292c6912E7710c838347Ae178B4a&ssn 536-90-4399",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    ],
)
def test_patterns_searched_inside_encoded_runs_find_what_a_whole_search_does(text: str) -> None:
    assert SCANNER.scan(text, policy=ZERO).findings == EVERY.scan(text, policy=ZERO).findings


@pytest.mark.parametrize("pattern", [p for p in SET_PATTERNS if opening(p) is not None])
def test_every_match_opens_with_one_of_its_patterns_opening(pattern: str) -> None:
    regex, chars = re2.compile(pattern), set(opening(pattern) or "")

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_examples(pattern))
    def check(text: str) -> None:
        for match in regex.finditer(text):
            assert match.group() and match.group()[0] in chars

    check()


@pytest.mark.parametrize(
    ("pattern", "keyword"),
    [
        (r"(?i)\bp[a4@]ssw[o0]rd\s*[:=]\s*(?P<value>\S{4,})", True),
        (r"\bsk-[A-Za-z0-9]{20,}", True),  # two narrow characters
        (r"\@(?:[A-Za-z0-9.-])+", True),  # a mark
        (r"(?:\+|\b00)[1-9][\d ().-]{6,}\d\b", True),  # each way opens narrowly
        (r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b", False),  # one narrow digit, then any
        (r"\b\d{9}\b", False),
        (r"[A-Za-z0-9+/_-]{16,}", False),
        (r"(?:ab)?[a-z]+", False),  # may open on any letter
        (r"x?", False),  # may match empty
        (r"\Qa.b\E", False),  # unreadable: the shapes' Set, which is as good
    ],
)
def test_patterns_opening_with_a_keyword_or_a_mark_are_keyword_led(
    pattern: str, keyword: bool
) -> None:
    assert keyword_led(pattern) is keyword


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.builds(
                lambda ctx, hide, v: ctx + hide(v),
                st.sampled_from(CONTEXT),
                st.sampled_from(HIDDEN),
                st.sampled_from(VALUES),
            ),
            st.text(max_size=30),
        ),
        min_size=1,
        max_size=6,
    ).map(" ".join)
)
def test_the_sets_find_what_running_every_pattern_finds(text: str) -> None:
    assert SCANNER.scan(text, policy=ZERO).findings == EVERY.scan(text, policy=ZERO).findings


KEYS = ["my_ssn=", "ssn_no ", "phone_number: ", "user-phone ", "x_bsn ", "1ssn ", "5$n ", "_"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.builds(
                lambda key, v: key + v,
                st.sampled_from(KEYS + CONTEXT),
                st.sampled_from(["536904399", "415 555 0132", "111222333", "9434765919"]),
            ),
            st.text(alphabet="ab_1$ \n", max_size=8),
        ),
        min_size=1,
        max_size=6,
    ).map("".join)
)
def test_the_sets_let_run_what_context_words_call_for(text: str) -> None:
    # At the usual minimum score, a pattern that needs context runs only when a Set saw
    # its context words: the Sets must see every word the context windows do.
    assert SCANNER.scan(text).findings == EVERY.scan(text).findings


@pytest.mark.parametrize(
    ("text", "min_score", "entity_type"),
    [
        # IN_AADHAAR's words are in no Set (Recognizer.gated): its bare 12 digits, which
        # need one, run on every text holding 12 digits.
        ("aadhaar 234567890124", 0.5, "IN_AADHAAR"),
        # Words that gate nothing at the usual minimum are in no Set (detector._gated); a
        # tenant's higher minimum runs the patterns that then need them, everywhere.
        ("DNI 12345678Z", 0.9, "ES_DNI"),
        ("email: jane.roe@example.com", 0.95, "EMAIL"),
    ],
)
def test_patterns_whose_context_words_are_in_no_set_still_run(
    text: str, min_score: float, entity_type: str
) -> None:
    policy = Policy(min_score=min_score)
    found = SCANNER.scan(text, policy=policy).findings
    assert [f.entity_type for f in found] == [entity_type]
    assert found == EVERY.scan(text, policy=policy).findings


def _every_pattern() -> PiiScanner:
    """A scanner whose Sets always give up (no sentinel answers), so every pattern runs,
    each searched from every byte (no opening skipped to) of the whole text (none only
    inside encoded runs)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detector, "_SENTINELS", (detector._NOTHING,) * len(detector._SENTINELS))
        patch.setattr(detector, "opening", lambda regex: None)
        patch.setattr(detector, "run_length", lambda regex, run: None)
        return PiiScanner()


SCANNER, EVERY = PiiScanner(), _every_pattern()
