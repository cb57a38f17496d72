"""BITCOIN_ADDRESS: legacy base58check (1…, 3…) and bech32/bech32m (bc1…) addresses."""

from __future__ import annotations

from stdnum import bitcoin

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class BitcoinAddressRecognizer(Recognizer):
    entity_type = "BITCOIN_ADDRESS"
    patterns = (
        Pattern("base58", r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b", 0.5),
        Pattern("bech32", r"\b(?:bc1|BC1)[02-9AC-HJ-NP-Zac-hj-np-z]{11,87}\b", 0.5),
    )
    context = ("bitcoin", "btc", "wallet", "crypto", "send to", "address")
    checksum = "base58check/bech32"
    checked_score = 0.95

    def validate(self, value: str) -> bool | None:
        return bitcoin.is_valid(value)
