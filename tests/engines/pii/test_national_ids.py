"""National identity numbers: valid checksums found, one wrong digit is not the entity."""

from __future__ import annotations

import pytest

from .conftest import Found

ROWS = [
    ("US_SSN", "my ssn is 536-90-4399", "536-90-4399"),
    ("US_SSN", "SSN: 536.90.4399.", "536.90.4399"),
    ("MX_CURP", "CURP HEGG560427MVZRRL04", "HEGG560427MVZRRL04"),
    ("ES_DNI", "DNI 12345678Z", "12345678Z"),
    ("ES_NIE", "NIE X1234567L", "X1234567L"),
    ("BR_CPF", "CPF 111.444.777-35", "111.444.777-35"),
    ("BR_CPF", "meu cpf: 11144477735", "11144477735"),
    ("UK_NHS", "NHS number 943 476 5919", "943 476 5919"),
    ("IN_AADHAAR", "aadhaar 2345 6789 0124", "2345 6789 0124"),
    ("IN_AADHAAR", "aadhaar 4458-0730-2152, 7368 more", "4458-0730-2152"),
    ("IN_AADHAAR", "aadhaar: 4458 0730 2152 (new)", "4458 0730 2152"),
    ("CA_SIN", "SIN 123 456 782", "123 456 782"),
    ("IT_FISCAL_CODE", "codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S"),
    ("IT_FISCAL_CODE", "cf: rssmra85t10a562s", "rssmra85t10a562s"),
    ("IT_FISCAL_CODE", "cf RSSMRA85T10A56NH", "RSSMRA85T10A56NH"),  # a digit's letter (omocodia)
    ("NL_BSN", "BSN 123456782", "123456782"),
    ("PL_PESEL", "PESEL 44051401359", "44051401359"),
    ("UK_NINO", "NI number AB 12 34 56 C", "AB 12 34 56 C"),
    ("FR_NIR", "sécurité sociale 2 95 10 99 126 111 93", "2 95 10 99 126 111 93"),
]
# The same texts with the check digit (or letter) changed.
INVALID = [
    "my ssn is 666-90-4399",  # area 666 is never issued
    "my ssn is 078-05-1120",  # the Woolworth wallet number
    "ssn 666.90.4399",
    "CURP HEGG560427MVZRRL05",
    "DNI 12345678A",
    "NIE X1234567A",
    "CPF 111.444.777-36",
    "NHS number 943 476 5918",
    "aadhaar 2345 6789 0125",
    "SIN 123 456 783",
    "codice fiscale RSSMRA85T10A562T",
    "BSN 123456783",
    "PESEL 44051401358",
    "NI number BG 12 34 56 C",  # BG is never allocated
    "sécurité sociale 2 95 10 99 126 111 94",
]
LOOK_ALIKES = [
    "order 123456782 shipped",  # BSN-valid digits, no identity word near
    "ticket 44051401359 closed",  # PESEL-valid digits, no identity word near
    "invoice 943 476 5919 paid",
    "we had 2024 1234 5678 runs",
    "upgrade to 536.90.4399 today",  # a dotted SSN shape is also a version
    'raise ValueError("bad id 37346189590")',  # CPF-valid digits, no identity word near
    # Fiscal-code-valid letters with no digit (`URLRequestMethod`, reversed): names.
    "'URLRequestHeader', 'URLRequestMethod', 'URLStream'",
    "codice fiscale dohteMtseuqeRLRU",
    "codice fiscale DOHTEMTSEUQERLRU",
]
# Aadhaar-valid first twelve digits of a longer grouped number (a card's, failing Luhn; an
# IBAN's account), even after the word: a number of sixteen digits is no Aadhaar number.
LONGER = [
    "My card is 4458 0730 2152 7368. Thanks",
    "aadhaar 4458 0730 2152 7368",
    "Pay to GB80 WEST 4458 0730 2152 57",
]


@pytest.mark.parametrize(("entity", "text", "value"), ROWS)
def test_valid_numbers_are_found(found: Found, entity: str, text: str, value: str) -> None:
    assert found(text) == [(entity, value)]


@pytest.mark.parametrize("text", INVALID)
def test_a_failed_checksum_is_not_the_entity(found: Found, text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_numbers_without_context_are_not_identities(found: Found, text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("text", LONGER)
def test_a_longer_grouped_number_holds_no_aadhaar(found: Found, text: str) -> None:
    assert found(text) == []


def test_international_ids_are_their_own_layer(scanner) -> None:
    (finding,) = scanner.scan("DNI 12345678Z").findings
    assert finding.layer == "international_id"
    assert "mod-23 letter valid" in finding.explanation
