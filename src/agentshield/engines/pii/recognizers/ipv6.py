"""IPV6: a full or compressed IPv6 address with at least three groups (not `std::vector`)."""

from __future__ import annotations

import ipaddress

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_G = "[0-9A-Fa-f]{1,4}"


class Ipv6Recognizer(Recognizer):
    entity_type = "IPV6"
    patterns = (
        Pattern(
            "colon groups",
            rf"\b(?:(?:{_G}:){{7}}{_G}|(?:{_G}:){{1,7}}:(?:{_G}(?::{_G}){{0,6}})?)",
            0.75,
        ),
    )
    context = ("ip", "ipv6", "address", "host", "server", "addr")
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        try:
            address = ipaddress.IPv6Address(value)
        except ValueError:
            return False
        groups = [g for g in value.split(":") if g]
        if address.is_loopback or len(groups) < 3 or not any(c.isdigit() for c in value):
            return False
        if len(groups) == 8 and all(len(g) == 2 for g in groups):
            return False  # bytes (`openssl x509 -text`'s fingerprints and moduli: `FD:6E:…`)
        return None
