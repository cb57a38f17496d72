"""SEED_PHRASE: a wallet's BIP-39 recovery phrase, given by name, checked by its checksum."""

from __future__ import annotations

import json

import pytest

from .conftest import Found

# Phrases of BIP-39's English list with a valid checksum (from fixed entropy, through the
# `mnemonic` package: 12, 18 and 24 words).
TWELVE = "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic"
EIGHTEEN = (
    "gravity machine north sort system female filter attitude volume fold club stay feature "
    "office ecology stable narrow fog"
)
TWENTY_FOUR = (
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount "
    "doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"
)
NUMBERED = "\n".join(f"{n}. {word}" for n, word in enumerate(TWELVE.split(), 1))
JSON_LIST = json.dumps({"mnemonic": EIGHTEEN.split()})

ROWS = [
    (f"Here is my seed phrase: {TWELVE}. Please keep it safe.", [TWELVE]),
    (f'MNEMONIC="{TWENTY_FOUR}"', [TWENTY_FOUR]),
    (f"My secret recovery phrase is {TWELVE.title()}", [TWELVE.title()]),
    (f"seed words: {TWELVE.replace(' ', ', ')} and that is all", [TWELVE.replace(" ", ", ")]),
    # A numbered list under its name, a JSON list, ethers.js code.
    (f"Recovery phrase:\n{NUMBERED}", [NUMBERED.removeprefix("1. ")]),
    (JSON_LIST, [JSON_LIST[len('{"mnemonic": ["') : -len('"]}')]]),
    (f'const wallet = ethers.Wallet.fromPhrase("{TWELVE}");', [TWELVE]),
    # The last word carries a checksum of the others: one changed word breaks it.
    (f"seed phrase: {TWELVE.replace('picnic', 'ozone')}", []),
    # Words of the list that make no phrase, and words not in the list.
    ("seed phrase: abandon ability able about above absent absorb abstract absurd abuse "
     "access accident", []),
    ("The random seed phrase generator is a tool that picks twelve words from a list for "
     "your new wallet today", []),
    ("seed: 42", []),
    # No name before it: twelve words alone are not looked for (see the recognizer).
    (TWELVE, []),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_seed_phrases(found: Found, text: str, expected: list[str]) -> None:
    assert found(text) == [("SEED_PHRASE", value) for value in expected]


def test_a_seed_phrase_is_redacted_whole_and_explained(scanner) -> None:
    result = scanner.scan(f"seed phrase: {TWELVE}")
    (finding,) = result.findings
    assert finding.score == 1.0 and "BIP-39 checksum valid" in finding.explanation
    assert result.redacted_text == "seed phrase: <SEED_PHRASE>"
