"""EMAIL: an address with a known top-level domain."""

from __future__ import annotations

import re

from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.recognizers.remote_login import logs_in
from agentshield.engines.pii.recognizers.tlds import is_known_tld

# A message's id in a mail's headers (`Message-ID: <…@mail.gmail.com>`, `In-Reply-To:`,
# `References:` listing several, a mail API's `"internetMessageId": "<…>"`): the sender's
# mail system names a message with it, in angle brackets; it is no one's address.
_MESSAGE_ID = re.compile(
    r"""(?i)(?:message[_-]?id|in-reply-to|references|content-id)["']?[ \t]*[:=][ \t]*["']?"""
    r"(?:<[^<>\s]+>(?:\r?\n)?[ \t]*)*<\Z"
)
ADDRESS = r"\b[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b"


class EmailRecognizer(Recognizer):
    entity_type = "EMAIL"
    patterns = (Pattern("address", ADDRESS, 0.9),)
    context = ("email", "e-mail", "mail", "correo", "courriel", "contact")
    checksum = "known top-level domain"

    def validate(self, value: str) -> bool | None:
        # `git@github.com:acme/api.git` is a repository's remote, its user every code
        # host's service account: no one's address.
        if value[:4].lower() == "git@":
            return False
        return is_known_tld(value.rsplit(".", 1)[1])

    def refused(self, text: str, start: int) -> bool:
        if not start:
            return False
        if text[start - 1] != "<":  # a remote login's `user@host` (`ssh jdoe@host.org`)
            return logs_in(text, start)
        return _MESSAGE_ID.search(text, max(0, start - 400), start) is not None
