"""PHONE: international (+44 20 7946 0958) and national ((415) 555-0132) numbers.

Validity comes from phonenumbers' metadata (see phone_validity.py): a number must be a valid
number of its country (from the `+` prefix) or of one of the regions tried for national
formats. Dates and SSN-shaped numbers are not phones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from agentshield.engines.pii.recognizer import Pattern, Recognizer, in_collation_weights
from agentshield.engines.pii.recognizers.phone_validity import prepare, valid_region

NATIONAL_REGIONS = ("US", "GB", "ES", "FR", "IT", "MX", "BR", "IN", "NL", "PL", "DE")
# Where national numbers are always written with their trunk prefix (020 …, 06 …).
TRUNK_WRITTEN = frozenset({"GB", "FR", "NL", "DE"})
# Dates, the US SSN's shape (`078-05-1120`), which no phone plan writes, and a citation's
# year and pages (`J. Numer. Anal. 1 (1981) 267-283`: an area code in India's plan).
_NOT_PHONE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{3}-\d{2}-\d{4}"
    r"|\((?:1[89]|20)\d\d\) ?(?:\d-\d|\d\d-\d\d|\d{3}-\d{3}|\d{4}-\d{4})"
)
_NON_DIGITS = re.compile(r"\D+")
# A US ZIP+4 code (five digits, a dash, four) after its state's code or a postal label
# (`Austin, TX 78701-4321`; `Boston, MA\n# 02110-1301` in a licence's header): nine digits,
# which read as a Spanish or Italian number. Alone, the shape may be a phone's (Brazil's
# `98765-4321`).
_ZIP_PLUS_4 = re.compile(r"\d{5}-\d{4}(?![\d-])")
_STATE = "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE"
_STATE += "|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
_POSTAL = re.compile(
    rf"(?:\b(?:{_STATE})|(?i:\b(?:zip|postal|post)[ _-]?(?:code)?:?))"
    r"(?:[ \t]+|[ \t]*\r?\n[ \t]*(?:#+|//+|\*|;+)?[ \t]*)\Z"  # (a comment's line may wrap)
)


def _unsigned(text: str, start: int) -> bool:
    """Whether a national pattern's match stands where a national number can: not right
    after a `+`, where its digits are an international number's (the international
    pattern's, checked as such). `+34 86 7350 7994`, invalid in Spain, is no Italian
    number read without its `+`, and a valid one was checked twice. Unless the `+` is
    glued to what is before it (`7.+1 415 555 0132`), where no international reading
    stands (the finder's strict edges: native/assess.cpp's `glued_before`, whose glue
    characters these are)."""
    if start == 0 or text[start - 1] != "+":
        return True
    return start >= 3 and text[start - 2] in "._-/" and text[start - 3].isalnum()


class PhoneRecognizer(Recognizer):
    entity_type = "PHONE"
    # A bare national number (943 476 5919) is also an NHS number, an invoice, an SSN: it
    # needs a phone word nearby. `+` and a bracketed area code are phone-only notations.
    patterns = (
        Pattern("international", r"(?:\+|\b00)[1-9][\d ().-]{6,18}\d\b", 0.8),
        Pattern("area code", r"\(\d{2,5}\)[ .-]?(?:\d{2,5}[ .-]){0,3}\d{3,8}\b", 0.6),
        # Ends in a group of 3-8 digits, so ISO dates (2024-01-15) do not even match.
        Pattern(
            "national",
            r"\b(?:1[ .-])?\d{2,5}[ .-](?:\d{2,5}[ .-]){0,3}\d{3,8}\b",
            0.45,
            place=_unsigned,
        ),
        Pattern("national pairs", r"\b0\d(?:[ .-]\d{2}){4}\b", 0.45, place=_unsigned),
        # Spain's ending in two pairs (`612 34 56 78`, `91 123 45 67`), blanks only: with
        # dashes or dots, dates and versions would match.
        Pattern("two pairs", r"\b\d{2,3} \d{2,3} \d{2} \d{2}\b", 0.45, place=_unsigned),
        # Germany's area code and number split by a slash (`040/1234567`, `089 / 123 456`).
        Pattern("slashed", r"\b0\d{2,4} ?/ ?\d{2,4}(?: ?\d{2,4}){0,2}\b", 0.45, place=_unsigned),
        Pattern("digits", r"\b0?\d{9,10}\b", 0.3, place=_unsigned),
    )
    context = ("phone", "tel", "telephone", "mobile", "cell", "call", "whatsapp", "fax", "sms")
    context += ("reach me", "text me", "dial", "ring me", "teléfono", "móvil", "llámame")
    context += ("llamar", "numéro", "portable", "telefon", "handy", "cellulare")
    context += ("tél", "celular", "telefone", "telefono", "movil", "telefoon", "telefoonnummer")
    context += ("mobiel", "telefonu", "mobil", "rufnummer", "telefonnummer", "handynummer")
    context += ("festnetz", "ruf mich an", "my number", "mi número")
    # Python's traceback, which agents read: `Traceback (most recent call last):`, from the
    # word on (a far window may cut the phrase's start).
    context_blind = ("call last",)
    checksum = "phonenumbers"
    letter_sensitive = False
    strict_edges = True

    def __init__(self, regions: tuple[str, ...] = NATIONAL_REGIONS) -> None:
        super().__init__()
        # Keep per region what a national number can look like (trunk prefix, lengths,
        # number pattern from phonenumbers' metadata) to check only where it can be valid.
        self._shapes = []
        prepare()
        for region in regions:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
            desc = meta.general_desc
            self._shapes.append(
                (region, meta.national_prefix or "", frozenset(desc.possible_length),
                 re.compile(desc.national_number_pattern))
            )  # fmt: skip

    def refused(self, text: str, start: int) -> bool:
        if in_collation_weights(text, start):
            return True
        return super().refused(text, start) or (
            _ZIP_PLUS_4.match(text, start) is not None
            and _POSTAL.search(text, max(0, start - 16), start) is not None
        )

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        # A number runs into what follows it after a blank (`+1 415 555 0132 24/7`,
        # `+1-312-738-9125. 2022-03-27`): the patterns take the next group too, and the
        # whole is no valid number. The ends before each blank are tried next, longest
        # first (phonenumbers' own matcher also tries a candidate's inner parts).
        yield 0, len(value)
        for i in range(len(value) - 1, 0, -1):
            if value[i] == " " and value[i - 1] != " ":
                end = len(value[:i].rstrip(" .-("))
                if end and (value[end - 1].isdigit() or value[end - 1] == ")"):
                    yield 0, end

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        if _NOT_PHONE.fullmatch(value):
            return None
        if pattern.name == "international":
            # `00` is the international prefix dialled from most countries (ITU-T E.164
            # recommends it): `0049 30 …` is `+49 30 …`. Digits alone (`0049030442`) are
            # as likely an id padded with zeros.
            if value[0] == "0":
                if value.isdigit():
                    return None
                value = "+" + value[2:]
            region = _valid_region(value, (None,))
        else:
            region = _valid_region(value, self._plausible(_NON_DIGITS.sub("", value)))
        if region is None:
            return None
        return pattern.score, f"valid number ({region})"

    def _plausible(self, digits: str) -> tuple[str, ...]:
        found = []
        for region, prefix, lengths, shape in self._shapes:
            if region in TRUNK_WRITTEN and prefix and not digits.startswith(prefix):
                continue
            national = digits[len(prefix) :] if prefix and digits.startswith(prefix) else digits
            if len(national) in lengths and shape.fullmatch(national):
                found.append(region)
        return tuple(found)


def _valid_region(value: str, regions: tuple[str | None, ...]) -> str | None:
    for region in regions:
        found = valid_region(value, region)
        if found is not None:
            return found
    return None
