"""DATE_OF_BIRTH: a date given as someone's birth (`DOB: 1985-03-12`, `"dateOfBirth":
"12/03/1985"`, `born on March 12, 1985`, `fecha de nacimiento: 12 de marzo de 1985`).

With a name it identifies a person: HR records, patients' and customers' files and KYC
forms hold one beside the rest. A date is one only under a key or a phrase saying so, in
English, Spanish, French, German, Italian, Dutch, Portuguese or Polish, and only when it
is a day of the calendar since 1900 and not in the future (`datetime`): day and month may
stand either way round (`03/12/1985`).
"""

from __future__ import annotations

import re
from datetime import date

from agentshield.engines.pii.recognizer import Pattern, Recognizer

# Keys and phrases, their blanks standing for `_`, `.`, `-` or none too (`date_of_birth`,
# `dateOfBirth`).
_KEY_WORDS = ("dob", r"d\.o\.b\.?", "date of birth", "birth date", "birthday", "born(?: on)?")
_KEY_WORDS += ("fecha de nacimiento", r"f\. ?nac\.?", "nacid[oa] el", "date de naissance")
_KEY_WORDS += ("n[ée]e? le", "geburtsdatum", "geboren(?: am)?", r"geb\.", "data di nascita")
_KEY_WORDS += ("nat[oa] il", "geboortedatum", "data de nascimento", "data urodzenia")
_KEYS = "|".join(key.replace(" ", r"[ \t_.-]?") for key in _KEY_WORDS)
_MONTHS = {
    # English, Spanish, French, German, Italian, Dutch, Portuguese, Polish (genitive)
    1: "january|jan|enero|janvier|januar|jänner|gennaio|januari|janeiro|stycznia",
    2: "february|feb|febrero|février|fevrier|februar|febbraio|februari|fevereiro|lutego",
    3: "march|mar|marzo|mars|märz|maerz|maart|março|marco|marca",
    4: "april|apr|abril|avril|aprile|kwietnia",
    5: "may|mayo|mai|maggio|mei|maio|maja",
    6: "june|jun|junio|juin|juni|giugno|junho|czerwca",
    7: "july|jul|julio|juillet|juli|luglio|julho|lipca",
    8: "august|aug|agosto|août|aout|augustus|sierpnia",
    9: "september|sept|sep|septiembre|setiembre|septembre|settembre|setembro|września|wrzesnia",
    10: "october|oct|octubre|octobre|oktober|ottobre|outubro|października|pazdziernika",
    11: "november|nov|noviembre|novembre|novembro|listopada",
    12: "december|dec|diciembre|décembre|decembre|dezember|dicembre|dezembro|grudnia",
}
_MONTH_NUMBER = {name: n for n, names in _MONTHS.items() for name in names.split("|")}
_MONTH = "(?:" + "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|º|o)?\.?"
_DATE = (
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"  # 1985-03-12
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"  # 12/03/1985, 12.03.85
    rf"|{_DAY}[ \t]+(?:de[ \t]+)?{_MONTH},?[ \t]+(?:de[ \t]+)?\d{{4}}"  # 12 de marzo de 1985
    rf"|{_MONTH}[ \t]+{_DAY},?[ \t]+\d{{4}}"  # March 12, 1985
)
_NUMBERS = re.compile(r"\d+")
_WORDS = re.compile(r"[^\W\d_]+")
_EARLIEST = 1900


class DateOfBirthRecognizer(Recognizer):
    entity_type = "DATE_OF_BIRTH"
    patterns = (
        Pattern(
            "keyed",
            # A key may close its quote (`{"dob": "…"}`) or end a longer name (`patient_dob`).
            rf"(?i)(?:\b|_)(?P<key>{_KEYS})[\"']?(?:[ \t]*[:=][ \t]*[\"']?|[ \t]+)"
            rf"(?P<value>{_DATE})\b",
            0.8,
            # A date's letters shifted or reversed would need views of their own.
            turned=False,
        ),
    )
    checksum = "a day of the calendar"
    letter_sensitive = False

    def validate(self, value: str) -> bool | None:
        numbers = [int(n) for n in _NUMBERS.findall(value)]
        month_names = [_MONTH_NUMBER.get(w.lower()) for w in _WORDS.findall(value)]
        months = [m for m in month_names if m is not None]
        if months:  # a day and a year around a month's name
            day, year = numbers[0], numbers[-1]
            return _born(year, months[0], day)
        if len(numbers) != 3:
            return False
        if value[:4].isdigit():  # ISO's order
            year, month, day = numbers
            return _born(year, month, day)
        first, second, year = numbers
        if year < 100:  # `12.03.85`: the last century's, unless that is still to come
            year += 2000 if 2000 + year <= date.today().year else 1900
        return _born(year, second, first) or _born(year, first, second)


def _born(year: int, month: int, day: int) -> bool:
    """Whether the date is a day of the calendar a living person was born on."""
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return year >= _EARLIEST and born <= date.today()
