"""MAC_ADDRESS: six octets with one separator throughout, or Cisco's dotted form.

The broadcast address (`ff:ff:ff:ff:ff:ff`, in every `ip link` line) and the null one
name no device.
"""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer, in_collation_weights

_H = "[0-9A-Fa-f]"


class MacAddressRecognizer(Recognizer):
    entity_type = "MAC_ADDRESS"
    patterns = (
        Pattern(
            "octets",
            # In colons, the whole run of bytes: more than six are a dump of them
            # (`openssl x509 -text`'s fingerprints and moduli), no device's (`validate`).
            rf"\b(?:(?:{_H}{{2}}:){{5,}}{_H}{{2}}|(?:{_H}{{2}}-){{5}}{_H}{{2}}"
            rf"|{_H}{{4}}\.{_H}{{4}}\.{_H}{{4}})\b",
            0.75,
        ),
    )
    context = ("mac", "hardware address", "ethernet", "wifi", "bssid", "nic")
    letter_sensitive = False
    strict_edges = True

    def refused(self, text: str, start: int) -> bool:
        # Cisco's dotted form after a dot is a longer dotted number's tail, or a collation
        # element's weights (6,273 of them in perl's allkeys.txt).
        if not text.startswith(".", start + 4):
            return False  # (bytes in colons or dashes)
        return text[start - 1 : start] == "." or in_collation_weights(text, start)

    def validate(self, value: str) -> bool | None:
        if value.count(":") > 5:
            return False
        digits = {c for c in value.lower() if c not in ":-."}
        return False if digits in ({"f"}, {"0"}) else None
