"""Evasion decoders: an encoded span in, the text it hides out, or None when it hides none.

Decoded bytes count as text only when they are UTF-8 and nearly all printable, so random
binary (and ordinary long words, which are valid base64) is not scanned again.
A compiled sieve (`_finder.may_hide_text`, native/text.cpp) comes first: the bytes of
most tokens (hashes, commit ids, keys) fail `_as_text`'s first checks (`_NEVER_UTF8`,
`_CONTROL`, UTF-8's structure) both as hex and as base64. The compiled finder applies it
to the "encoded" trigger's spans itself (Detector's `sieved`), so such a token costs no
Python at all: new labelled chat 434.2k to 404.4k instructions per KB (-6.9%), new
ordinary chat 205.4k to 174.2k (-15%), text seen before -4.6%.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import string
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from agentshield.engines.pii.views import Segments, replaced

_LETTERS = string.ascii_lowercase + string.ascii_uppercase
_ROTATED = (
    string.ascii_lowercase[13:]
    + string.ascii_lowercase[:13]
    + string.ascii_uppercase[13:]
    + string.ascii_uppercase[:13]
)
_ROT13 = str.maketrans(_LETTERS, _ROTATED)
_ROT13_ASCII = bytes.maketrans(_LETTERS.encode(), _ROTATED.encode())
_HEX = frozenset(string.hexdigits)
# Spans worth decoding: long base64/base64url/hex runs, or shorter ones ending in padding.
# Each run of ENCODED_LEAST or more is one span, whole (the detector's `enclosing`).
ENCODED_RUN, ENCODED_LEAST = "[A-Za-z0-9+/_-]", 16
ENCODED = rf"{ENCODED_RUN}{{{ENCODED_LEAST},}}={{0,2}}|{ENCODED_RUN}{{8,}}={{1,2}}"
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# An HTML character reference (`&#64;`, `&#x40;`, `&commat;`): how web pages hide an
# address from scrapers. The trigger opens with `&`, which costs the detector's DFA
# little: with it and spelled.py's, a first pass costs 1.1% more instructions; triggers
# spanning the whole run and the whole spelled address cost 12% more.
REFERENCE = r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_REFERENCE_RUN = re.compile(f"(?:{REFERENCE})+")
_NOT_BLANK = re.compile(r"\S*")
# A JSON string's escapes of a quote, a backslash or a slash: a tool's result or a call's
# arguments that are JSON within a JSON string, where a key reads `\"password\": \"…\"`
# and no key pattern matches.
ESCAPED = r'\\["\\/]'
_ESCAPE = re.compile(ESCAPED)
# Control bytes other than tab, newline and return: each decodes to a character that is not
# printable, so where more than 1 byte in 20 is one, no decoding can give text.
_CONTROL = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NEVER_UTF8 = bytes([0xC0, 0xC1, *range(0xF5, 0x100)])  # bytes no UTF-8 text holds


def rot13(text: str) -> str:
    if text.isascii():  # str.translate looks up every character in a dict: ~4x slower
        return text.encode("ascii").translate(_ROT13_ASCII).decode("ascii")
    return text.translate(_ROT13)


def _as_text(data: bytes) -> str | None:
    # Most random bytes fail one of these; a failed decode costs several times more.
    if len(data.translate(None, _NEVER_UTF8)) < len(data):
        return None
    if 20 * (len(data) - len(data.translate(None, _CONTROL))) > len(data):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) < 4 or not any(c.isalnum() for c in text):
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return text if printable >= 0.95 * len(text) else None


def decode(token: str) -> tuple[str, str] | None:
    """(decoded text, "hex", "base64" or "base64url") of a token, or None. (The scanner
    passes no token of digits alone: see scanner._derived.) Hex digits in small letters
    (hashes, commit ids: 546 of the 627 encoded-looking tokens of a corpus of new chat)
    are no base64 of personal data: each of their base64 digits stands for 26-31 or 52-61,
    so its bytes hold no blank, `.`, `@` or digit 0-3, and every third is `h`-`~` or not
    ASCII, which no address, number or keyword can be written in."""
    hexed = decode_hex(token)
    if hexed is not None:
        return hexed, "hex"
    if token.islower() and _HEX.issuperset(token):
        return None
    return decode_base64(token)


def decode_hex(token: str) -> str | None:
    if len(token) % 2 or not _HEX.issuperset(token):
        return None
    return _as_text(bytes.fromhex(token))


def decode_base64(token: str) -> tuple[str, str] | None:
    """(decoded text, "base64" or "base64url"), or None."""
    body = token.rstrip("=")
    if len(body) % 4 == 1:
        return None
    urlsafe = "-" in body or "_" in body
    padded = body + "=" * (-len(body) % 4)
    try:
        if urlsafe:
            data = base64.urlsafe_b64decode(padded)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    text = _as_text(data)
    return (text, "base64url" if urlsafe else "base64") if text is not None else None


def url_view(text: str, start: int, end: int) -> tuple[str, Segments] | None:
    """Percent-decode `text[start:end]`, each decoded run mapped to its `%XX` bytes."""
    return replaced(text, start, end, _PERCENT_RUN, _unquoted, "url")


def unescaped_view(text: str, start: int, end: int) -> tuple[str, Segments] | None:
    """`text[start:end]` with a JSON string's escapes of quotes and backslashes undone,
    each mapped to its escape."""
    return replaced(text, start, end, _ESCAPE, _second, "json_string")


def _second(escape: str) -> str:
    return escape[1]


def reference_view(text: str, start: int, end: int) -> tuple[str, Segments] | None:
    """Resolve the HTML character references in `text[start:end]`, each run of them
    mapped to its references; None when none names a character."""
    return replaced(text, start, end, _REFERENCE_RUN, html.unescape, "html_entities")


def reference_runs(text: str, references: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The runs of text between blanks that hold `references` (in order), each once."""
    end = 0
    for at, _ in references:
        if at < end:
            continue  # in the run before
        start = at
        while start > end and not text[start - 1].isspace():
            start -= 1
        end = _NOT_BLANK.match(text, at).end()
        yield start, end


def _unquoted(run: str) -> str:
    return unquote(run, errors="replace")
