"""ETHEREUM_ADDRESS: `0x` and 40 hex digits.

EIP-55's mixed-case checksum needs Keccak-256, which neither the standard library nor
python-stdnum offers, so the format alone decides and context raises the score.
"""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class EthereumAddressRecognizer(Recognizer):
    entity_type = "ETHEREUM_ADDRESS"
    patterns = (Pattern("hex", r"\b0x[0-9A-Fa-f]{40}\b", 0.8),)
    context = ("ethereum", "eth", "wallet", "erc20", "metamask", "address", "send to")
