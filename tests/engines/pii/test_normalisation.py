"""Layer 6: look-alike characters, invisible characters, leetspeak and spaced-out letters."""

from __future__ import annotations

import re

import pytest

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.leet import context_alternations, leet_alternation
from agentshield.engines.pii.normalise import normalise
from agentshield.engines.pii.registry import build

CASES = [
    ("nfkc", "", "\uff4a\uff4f\uff48\uff4e\uff20example\uff0ecom", "EMAIL"),  # fullwidth
    ("confusable", "", "j\u043ehn@\u0435x\u0430mple.com", "EMAIL"),  # Cyrillic o, e, a
    ("zero_width", "", "jo\u200bhn@exa\u200dmple.com", "EMAIL"),
    ("zero_width", "", "jo\U000e0041hn@example.com", "EMAIL"),  # a tag character
    ("digits", "ssn ", "\u0665\u0663\u0666-\u0669\u0660-\u0664\u0663\u0669\u0669", "US_SSN"),
    ("split_letters", "", "j o h n @ e x a m p l e . c o m", "EMAIL"),
    ("split_letters", "iban ", "G-B-8-2-W-E-S-T-1-2-3-4-5-6-9-8-7-6-5-4-3-2", "IBAN"),
    ("spelled_out", "", "john.smith [at] example [dot] com", "EMAIL"),
    ("spelled_out", "", "jane (AT) acme-corp.co.uk", "EMAIL"),
    ("spelled_out", "email me: ", "john dot smith at example dot com", "EMAIL"),
    # Digits as words: dashes kept, blanks and commas dropped, the context word before read.
    ("number_words", "ssn: ", "five three six nine zero four three nine nine", "US_SSN"),
    ("number_words", "my SSN is ", "five three six - nine zero - four three nine nine", "US_SSN"),
    ("number_words", "call me at ", "four one five, five five five, oh one three two", "PHONE"),
    ("number_words", "card ", " ".join(["four", "two"] * 8), "CREDIT_CARD"),
    # In French, Spanish and Italian too.
    (
        "number_words",
        "mon numéro de téléphone: ",
        "zéro six, un deux, trois quatre, cinq six, sept huit",
        "PHONE",
    ),
    ("number_words", "tarjeta ", " ".join(["cuatro", "dos"] * 8), "CREDIT_CARD"),
    (
        "number_words",
        "il mio cellulare è ",
        "tre quattro sette, uno due tre, quattro cinque sei sette",
        "PHONE",
    ),
]


@pytest.mark.parametrize(("trick", "prefix", "value", "entity"), CASES)
def test_disguised_values_are_found_with_the_trick_named(
    scanner: PiiScanner, trick: str, prefix: str, value: str, entity: str
) -> None:
    (finding,) = scanner.scan(prefix + value).findings
    assert finding.entity_type == entity
    assert finding.layer == "normalisation"
    assert trick in (finding.evasion or "").split("+")


@pytest.mark.parametrize(("trick", "prefix", "value", "entity"), CASES)
def test_spans_map_back_to_the_original_characters(
    scanner: PiiScanner, trick: str, prefix: str, value: str, entity: str
) -> None:
    text = f"« {prefix}{value} »"
    result = scanner.scan(text)
    (finding,) = result.findings
    assert text[finding.start : finding.end] == value
    assert result.redacted_text.startswith(f"« {prefix}<") and result.redacted_text.endswith("> »")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Tél : +33\u00a01\u00a042\u00a068\u00a053\u00a000", "PHONE"),  # no-break spaces
        ("tel +33\u202f1\u202f42\u202f68\u202f53\u202f00", "PHONE"),  # narrow ones
        ("vivo en Calle Mayor nº 5, 3º B, 28013 Madrid", "ADDRESS"),
    ],
)
def test_typography_is_no_evasion(scanner: PiiScanner, text: str, entity: str) -> None:
    (finding,) = scanner.scan(text).findings
    assert (finding.entity_type, finding.evasion) == (entity, None)


@pytest.mark.parametrize(
    ("text", "value"),
    [("p4ssw0rd: hunter22", "hunter22"), ("P@$$W0RD = s3cretValue", "s3cretValue")],
)
def test_leetspeak_keywords_still_introduce_passwords(
    scanner: PiiScanner, text: str, value: str
) -> None:
    (finding,) = scanner.scan(text).findings
    assert (finding.entity_type, text[finding.start : finding.end]) == ("PASSWORD", value)
    assert (finding.layer, finding.evasion) == ("normalisation", "leetspeak")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("пароль: Moskva2024", "Moskva2024"),
        ("Пароль = Moskva2024", "Moskva2024"),
        # and after a blank alone, which RE2's `\b` (ASCII's) never opened before `п`
        ("мой пароль Moskva2024!", "Moskva2024!"),
        ("Пароль Moskva2024!", "Moskva2024!"),
        ("パスワード Tokyo2024!", "Tokyo2024!"),
    ],
)
def test_a_keyword_holding_look_alike_letters_still_introduces_a_password(
    scanner: PiiScanner, text: str, value: str
) -> None:
    """Text beyond ASCII is read normalised, where `пароль` is `пapoлb`: the keyword was
    never found, in any form."""
    (finding,) = scanner.scan(text).findings
    assert (finding.entity_type, text[finding.start : finding.end]) == ("PASSWORD", value)


@pytest.mark.parametrize("word", ["адрес", "Адрес", "пароль"])
def test_a_word_beyond_ascii_is_spelt_in_every_form_as_the_detector_reads_it(word: str) -> None:
    """Keys and context words, in each form the Sets and windows use, match the normalised
    text that holds them, the first letter too (`адрес` opens with a Cyrillic look-alike of `a`)."""
    read = normalise(f"мой {word}: 4242")[0]
    forms = [leet_alternation([word]), leet_alternation([word], opening=True)]
    forms.append(context_alternations([word])[0])
    assert [bool(re.search("(?i)" + form, read)) for form in forms] == [True] * 3


def test_every_context_word_is_found_where_the_detector_reads_it() -> None:
    """A recognizer's context words, each in a text read as the detector reads it
    (normalised when beyond ASCII), near a value: each is found there."""
    missed = []
    for recognizer in build():
        for word in recognizer.context:
            text = f"{word}: 4242"
            normal = normalise(text)
            read = normal[0] if normal else text
            if recognizer.context_near(read, len(read) - 4, len(read)) is None:
                missed.append((recognizer.entity_type, word))
    assert missed == []


def test_leetspeak_context_words_raise_scores(scanner: PiiScanner) -> None:
    plain = scanner.scan("ref 4242424242424242").findings
    leet = scanner.scan("my c4rd: 4242424242424242").findings
    assert plain == ()
    assert [f.entity_type for f in leet] == ["CREDIT_CARD"]


def test_ordinary_non_ascii_text_is_left_alone(scanner: PiiScanner) -> None:
    text = "Nos vemos mañana en la reunión, ¿vale? 東京で会いましょう — à bientôt."
    result = scanner.scan(text)
    assert result.findings == ()
    assert result.redacted_text == text


def test_spaced_words_in_prose_are_not_joined_into_findings(scanner: PiiScanner) -> None:
    assert scanner.scan("grades were a b c d e f and g").findings == ()


def test_a_spaced_value_between_words_is_joined_alone(scanner: PiiScanner) -> None:
    text = "mail brown j o h n @ e x a m p l e . c o m then"
    (finding,) = scanner.scan(text).findings
    assert text[finding.start : finding.end] == "j o h n @ e x a m p l e . c o m"


@pytest.mark.parametrize(
    "text",
    [
        "take a look at example.com for the details",  # `at` between blanks, a real dot
        "look at example dot com",  # nothing asks for an address
        "email the team at noon dot",  # no domain
        "write to us at example dot notatld",  # no known top-level domain
        "a [at] b",
    ],
)
def test_prose_with_at_and_dot_is_no_address(scanner: PiiScanner, text: str) -> None:
    assert scanner.scan(text).findings == ()


@pytest.mark.parametrize(
    "text",
    [
        "one two three four five six seven eight",  # counting, with nothing asking for a number
        "the code is one two three four five six seven",  # no check digit to hold
        "I have one or two or three things",
    ],
)
def test_number_words_that_are_no_value_stay(scanner: PiiScanner, text: str) -> None:
    assert scanner.scan(text).findings == ()
