"""The password of a URL's `user:password@`, and whether it is a template's placeholder.

Documentation and configuration templates write where a password goes, not one:
`postgresql://<user>:<password>@host/db`, `{password}`, `[password]`, `${DB_PASS}`,
`%(password)s`. A literal word stays a password (`user:password@` may be a real one).
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(
    r"<[^<>]*>|\{+[^{}]*\}+|\[+[^\[\]]*\]+|\$\{[^{}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%\([^()]*\)s"
)


# What follows a URL's `@`: up to a blank, a quote, markup's bracket or a backtick (a code
# span's end), and not ending in a sentence's punctuation or a closing parenthesis (`see
# postgres://u:p@db/app.`, a markdown link's `(…)`): redacted, they went with the URL.
_STOPS = "\\s\"'<>`"
_PUNCTUATION = ".,;:!?)"
URL_TAIL = f"[^{_STOPS}]*[^{_STOPS}{_PUNCTUATION}]"
HOST_START = f"[^{_STOPS}/?#{_PUNCTUATION}]"  # a host's first: no path's, no punctuation


def templated(url: str) -> bool:
    """Whether the password in `url`'s userinfo is a placeholder."""
    start = url.find("://") + 3
    at = url.rfind("@", start)
    userinfo = url[start:at] if at > 0 else ""
    _, colon, password = userinfo.partition(":")
    return bool(colon) and _PLACEHOLDER.fullmatch(password) is not None
