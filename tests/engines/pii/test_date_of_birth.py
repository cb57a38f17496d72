"""DATE_OF_BIRTH: a date under a key or a phrase that says it is someone's birth."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from agentshield.engines.pii import PiiScanner

from .conftest import Found

ROWS = [
    ("DOB: 1985-03-12", ["1985-03-12"]),
    ('{"dateOfBirth": "12/03/1985", "name": "Jane Roe"}', ["12/03/1985"]),
    ("patient_dob=03/31/1990", ["03/31/1990"]),  # month first: the 31st is no month
    ("born on March 12, 1985 in Leeds", ["March 12, 1985"]),
    ("birthday: 12th March 1985", ["12th March 1985"]),
    ("date of birth: 1.2.85", ["1.2.85"]),
    # In Spanish, French, German, Italian, Dutch, Portuguese and Polish.
    ("fecha de nacimiento: 12 de marzo de 1985", ["12 de marzo de 1985"]),
    ("née le 12 mars 1985 à Lyon", ["12 mars 1985"]),
    ("Geburtsdatum: 12.03.1985", ["12.03.1985"]),
    ("nato il 12/03/1985 a Roma", ["12/03/1985"]),
    ("geboortedatum: 12-03-1985", ["12-03-1985"]),
    ("data de nascimento: 12/03/1985", ["12/03/1985"]),
    ("data urodzenia: 12 marca 1985", ["12 marca 1985"]),
    # No day of the calendar, a birth before 1900, a date with no key.
    ("DOB: 31/02/1985", []),
    ("DOB: 1899-12-31", []),
    ("released on 2024-01-15", []),
    ("born in 1985", []),  # a year alone
    ("version: 1.2.3", []),
]


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_dates_of_birth(found: Found, text: str, expected: list[str]) -> None:
    assert found(text) == [("DATE_OF_BIRTH", value) for value in expected]


def test_a_birth_still_to_come_is_none(found: Found) -> None:
    tomorrow = date.today() + timedelta(days=1)
    assert found(f"DOB: {tomorrow.isoformat()}") == []


def test_a_date_of_birth_is_redacted_whole(scanner: PiiScanner) -> None:
    result = scanner.scan("Jane Roe, DOB: 1985-03-12, joined in 2020")
    assert result.redacted_text == "Jane Roe, DOB: <DATE_OF_BIRTH>, joined in 2020"
    assert result.risk.exposure_index > 0


def test_a_tables_column_of_dates_of_birth_is_read_under_its_header(found: Found) -> None:
    text = "name,dob,city\nJane Roe,1985-03-12,Leeds\nJohn Doe,1990-07-01,York"
    assert found(text) == [("DATE_OF_BIRTH", "1985-03-12"), ("DATE_OF_BIRTH", "1990-07-01")]
