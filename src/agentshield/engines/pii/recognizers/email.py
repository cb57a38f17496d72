"""EMAIL: an address with a known top-level domain."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.recognizers.tlds import is_known_tld


class EmailRecognizer(Recognizer):
    entity_type = "EMAIL"
    patterns = (
        Pattern(
            "address",
            r"\b[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b",
            0.9,
        ),
    )
    context = ("email", "e-mail", "mail", "correo", "courriel", "contact")
    checksum = "known top-level domain"

    def validate(self, value: str) -> bool | None:
        # `git@github.com:acme/api.git` is a repository's remote, its user every code
        # host's service account: no one's address.
        if value[:4].lower() == "git@":
            return False
        return is_known_tld(value.rsplit(".", 1)[1])
