"""MAC_ADDRESS: six octets with one separator throughout, or Cisco's dotted form.

The broadcast address (`ff:ff:ff:ff:ff:ff`, in every `ip link` line) and the null one
name no device.
"""

from __future__ import annotations

import string

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_H = "[0-9A-Fa-f]"
_SIX_OCTETS = 17  # characters of an address in colons
_GLUED_BEFORE = frozenset(h + ":" for h in string.hexdigits)
_GLUED_AFTER = frozenset(":" + h for h in string.hexdigits)


class MacAddressRecognizer(Recognizer):
    entity_type = "MAC_ADDRESS"
    patterns = (
        Pattern(
            "octets",
            rf"\b(?:(?:{_H}{{2}}:){{5}}{_H}{{2}}|(?:{_H}{{2}}-){{5}}{_H}{{2}}"
            rf"|{_H}{{4}}\.{_H}{{4}}\.{_H}{{4}})\b",
            0.75,
        ),
    )
    context = ("mac", "hardware address", "ethernet", "wifi", "bssid", "nic")
    letter_sensitive = False
    strict_edges = True

    def refused(self, text: str, start: int) -> bool:
        # More bytes glued on by `:`: a dump of them (`openssl x509 -text`'s fingerprints
        # and moduli, `FD:6E:9B:0E:F3:98:BC:D9:…`), no device's address.
        end = start + _SIX_OCTETS
        if text[start + 2 : start + 3] == ":" and (
            text[max(0, start - 2) : start] in _GLUED_BEFORE or text[end : end + 2] in _GLUED_AFTER
        ):
            return True
        return super().refused(text, start)

    def validate(self, value: str) -> bool | None:
        digits = {c for c in value.lower() if c not in ":-."}
        return False if digits in ({"f"}, {"0"}) else None
