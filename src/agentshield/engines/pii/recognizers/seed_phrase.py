"""SEED_PHRASE: a wallet's BIP-39 recovery phrase, given by name (`seed phrase: …`,
`MNEMONIC="…"`, a numbered list under `Recovery phrase:`).

The phrase is the wallet: whoever reads it holds every key derived from it. It is 12, 15,
18, 21 or 24 words of BIP-39's English list, whose last word carries a checksum of the
others (the `mnemonic` package, the reference implementation, checks it). A phrase with no
name before it is not looked for: every run of a dozen short words would have to be tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mnemonic import Mnemonic

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_BIP39 = Mnemonic("english")
_LIST = frozenset(_BIP39.wordlist)
_LENGTHS = (24, 21, 18, 15, 12)
_NAMES = r"(?:seed|recovery|backup|secret|wallet|mnemonic)[ _-]?(?:phrase|words)|mnemonic|seed"
_NAMES += "|from(?:phrase|mnemonic)"  # ethers.js: `Wallet.fromPhrase("…")`
# Between words: blanks, a list's commas and quotes, a numbered list's numbers (`1. abandon`).
_WORD = r"[a-z]{3,8}"
_SEPARATOR = r"""[\s,"'.):0-9-]{1,8}"""
_LETTERS = re.compile(r"[a-z]+", re.I)  # a word of the phrase, in what the pattern took


class SeedPhraseRecognizer(Recognizer):
    entity_type = "SEED_PHRASE"
    patterns = (
        Pattern(
            "named",
            rf"""(?i)\b(?P<key>{_NAMES})s?\b(?:[ \t]+(?:is|are|was|were))?[\s"'`:=\[(]{{0,12}}"""
            rf"(?:[0-9]{{1,2}}[.):][ \t]*)?(?P<value>{_WORD}(?:{_SEPARATOR}{_WORD}){{11,23}})",
            0.6,
            # A letter-shifted or reversed phrase would need a view of its own on text where
            # only this could match; a base64 one is decoded and scanned like any text.
            turned=False,
        ),
    )
    checksum = "BIP-39 checksum"
    checked_score = 1.0

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        # The pattern runs on into the words after the phrase: try each length a phrase may
        # have, longest first, ending at a word's end.
        ends = [word.end() for word in _LETTERS.finditer(value)]
        for n in _LENGTHS:
            if n <= len(ends):
                yield 0, ends[n - 1]

    def validate(self, value: str) -> bool | None:
        words = [word.lower() for word in _LETTERS.findall(value)]
        if len(words) not in _LENGTHS or not _LIST.issuperset(words):
            return False
        return bool(_BIP39.check(" ".join(words)))
