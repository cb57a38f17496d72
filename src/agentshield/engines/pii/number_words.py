"""Numbers spelled out digit by digit to pass filters (`five three six nine zero four three
nine nine`), written back as digits.

A run of seven digit words or more (English, Spanish, French or Italian; `oh` for zero),
between blanks, commas or dashes, is no prose: the detector's `number words` trigger finds
one, and the view writes each word as its digit, the blanks and commas between them
dropped and a dash kept (`five three six - nine zero` is `536-90`), each digit mapped to its
word. The recognizers read the view with the words around the run as they stand, so a
context word (`ssn:`) still counts.
"""

from __future__ import annotations

import re

from agentshield.engines.pii.recognizer import FAR
from agentshield.engines.pii.views import Segments, replaced

# English, Spanish, French, Italian; `oh` for zero as English speakers read phone numbers.
_DIGITS = (
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
    ("zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove"),
)
_VALUES = {word: str(n) for words in _DIGITS for n, word in enumerate(words)} | {"oh": "0"}
_WORD = "(?:" + "|".join(sorted(_VALUES, key=len, reverse=True)) + ")"
# Seven words: a phone number's local part; every ID with a check digit is longer.
NUMBER_WORDS_TRIGGER = rf"(?i)\b{_WORD}(?:[ \t,-]+{_WORD}){{6,}}\b"
# Each word with the blanks and commas before it, or a dash.
_PIECE = re.compile(rf"[ \t,]*(?:\b{_WORD}\b|-)", re.I)


def number_view(text: str, start: int, end: int) -> tuple[str, Segments] | None:
    """The run `text[start:end]` (a `number words` trigger's span) in digits, with the
    text of a context word's far windows around it; offsets map into `text`."""
    around = (max(0, start - FAR[0]), min(len(text), end + FAR[1]))
    return replaced(text, start, end, _PIECE, _digit, "number_words", within=around)


def _digit(piece: str) -> str:
    word = piece.lstrip(" \t,").lower()
    return "-" if word == "-" else _VALUES[word]
