"""PRIVATE_KEY: a PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8, PGP), or its
unterminated start, as a key cut off mid-way still leaks."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_LABEL = r"[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
# Line breaks, or their escapes in a JSON string (a cloud service account's key file holds
# `"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n"`).
_BREAK = r"(?:\s|\\[nr])"


class PrivateKeyRecognizer(Recognizer):
    entity_type = "PRIVATE_KEY"
    patterns = (
        Pattern(
            "pem block",
            rf"-----BEGIN{_LABEL}(?:(?:[A-Za-z0-9+/=:,.-]|{_BREAK})*?-----END{_LABEL}"
            rf"|(?:[A-Za-z0-9+/=]|{_BREAK})*)",
            1.0,
        ),
    )
