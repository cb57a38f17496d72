"""Financial recognizers: checksums decide, look-alikes are not reported."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from .conftest import Found

ROWS = [
    # CREDIT_CARD: Luhn and issuer prefix
    ("card 4242 4242 4242 4242 exp 12/29", [("CREDIT_CARD", "4242 4242 4242 4242")]),
    ("amex 3782 822463 10005", [("CREDIT_CARD", "3782 822463 10005")]),
    ("my card: 5555555555554444", [("CREDIT_CARD", "5555555555554444")]),
    # A card's word in Italian, Portuguese, German and Dutch, before bare digits.
    ("carta di credito 4242424242424242", [("CREDIT_CARD", "4242424242424242")]),
    ("número do cartão 4242424242424242", [("CREDIT_CARD", "4242424242424242")]),
    ("Kreditkarte: 4242424242424242", [("CREDIT_CARD", "4242424242424242")]),
    ("mijn creditcard 4242424242424242", [("CREDIT_CARD", "4242424242424242")]),
    ("card 4242 4242 4242 4241", []),  # Luhn fails
    ("ref 4242424242424242", []),  # bare digits need a card word
    ('{"creditCardNumber": "4242424242424242"}', [("CREDIT_CARD", "4242424242424242")]),
    ("card 1234 5678 9012 3452", []),  # Luhn-valid but no network starts with 1
    # IBAN: mod 97
    ("pay to GB82 WEST 1234 5698 7654 32 today", [("IBAN", "GB82 WEST 1234 5698 7654 32")]),
    ("IBAN ES9121000418450200051332", [("IBAN", "ES9121000418450200051332")]),
    ("pay to GB82 WEST 1234 5698 7654 33", []),  # check digits wrong
    ("DE89 3704 0044 0532 0130 00 NOW", [("IBAN", "DE89 3704 0044 0532 0130 00")]),
    ("IBAN: GB82-WEST-1234-5698-7654-32.", [("IBAN", "GB82-WEST-1234-5698-7654-32")]),
    ("GB82-WEST-1234-5698-7654-33", []),  # dashed, check digits wrong
    # SWIFT_BIC: needs banking context
    ("swift code DEUTDEFF", [("SWIFT_BIC", "DEUTDEFF")]),
    ("bic: NWBKGB2L", [("SWIFT_BIC", "NWBKGB2L")]),
    ('{"bic": "NWBKGB2L"}', [("SWIFT_BIC", "NWBKGB2L")]),
    ("the DATABASE is DOWN", []),
    ("WIRE TRANSFER: SEE ATTACHED INVOICE", []),  # a word in capitals (ATTA, CH, ED)
    ("CALL YOUR BANK CUSTOMER SERVICE", []),
    ("wire to COBADEFFXXX", [("SWIFT_BIC", "COBADEFFXXX")]),
    ("wire TRUNCATE", []),  # a word with an ending the lexicon holds (`truncated`)
    ("bank SUPERSCRIPT", []),  # two words
    ("VERTICAL cib", []),  # a word reversed (LACI TR EV), with a bank's word reversed
    ("SIGNWRITING c1b", []),  # two words reversed
    ("FFEDTUED cib", [("SWIFT_BIC", "FFEDTUED")]),  # a code reversed
    ("indicated by VERSION0 or VERSION1", []),  # code's constants
    ("if elf_header.e_ident_data == elf_header.ELFDATA2LSB:", []),
    # BITCOIN_ADDRESS: base58check and bech32
    (
        "send btc to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        [("BITCOIN_ADDRESS", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")],
    ),
    (
        "wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        [("BITCOIN_ADDRESS", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")],
    ),
    ("send btc to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", []),  # base58check fails
    # ETHEREUM_ADDRESS
    (
        "eth 0x52908400098527886E0F7030069857D2E4169EE7",
        [("ETHEREUM_ADDRESS", "0x52908400098527886E0F7030069857D2E4169EE7")],
    ),
    ("hash 0x5290840009852788", []),
]


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_financial_values(found: Found, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


# Real banks' codes (python-stdnum's Belgian list): none reads as English written out,
# forwards or backwards, words or two (swift_bic._written).
BELGIAN_CODES = sorted(
    set(re.findall(r'bic="([A-Z0-9]{8,11})"', (files("stdnum") / "be" / "banks.dat").read_text()))
)


def test_real_banks_codes_are_found(found: Found) -> None:
    assert len(BELGIAN_CODES) > 50
    for code in BELGIAN_CODES:
        assert found(f"swift code {code}") == [("SWIFT_BIC", code)], code
