"""Public key material: certificates (and their requests and revocation lists; in PEM, or
in XML signatures and SAML metadata), public keys, OpenPGP public keys and SSH public keys,
whose base64 is as random as a secret's.

A certificate is sent to every client that connects, and an SSH public key is meant to be
copied around (`authorized_keys`), yet every 64-character line of one read as a
HIGH_ENTROPY_SECRET: reading a CA bundle redacted thousands. HIGH_ENTROPY_SECRET refuses
a value that starts in the spans found here. A span counts only when its base64 decodes to
what its armour says (a DER structure of the length it declares; an OpenPGP public-key
packet whose checksum, if given, holds; an SSH key blob of whole fields, the first naming
its algorithm), so a secret wrapped in a certificate's armour is still found. A block cut
short (a truncated tool result, a stream's text so far) counts while it decodes to the
start of one.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_right

_PEM_LABELS = ("CERTIFICATE", "TRUSTED CERTIFICATE", "CERTIFICATE REQUEST")
_PEM_LABELS += ("NEW CERTIFICATE REQUEST", "X509 CRL", "PUBLIC KEY", "RSA PUBLIC KEY")
_PEM_LABELS += ("DH PARAMETERS", "EC PARAMETERS")
# Its line breaks may be escaped, in a JSON string (`"-----BEGIN CERTIFICATE-----\nMII…`).
_PEM = re.compile(
    rf"-----BEGIN ({'|'.join(_PEM_LABELS)})-----(?:[ \t]*\r?\n|\\n)"
    r"((?:[A-Za-z0-9+/=\s]|\\[nr])*)(-----END \1-----)?"
)
# OpenPGP's armour: headers (`Comment: …`) and a blank line, the base64, then a checksum
# line (`=5NZE`) before the end.
_PGP = re.compile(
    r"-----BEGIN PGP PUBLIC KEY BLOCK-----[ \t]*\r?\n(?:[\w-]+: [^\n]*\n)*\s*"
    r"((?:[A-Za-z0-9+/]+={0,2}[ \t]*(?:\r?\n|\Z))*)"
    r"(?:=([A-Za-z0-9+/]{4})[ \t]*(?:\r?\n|\Z))?(-----END PGP PUBLIC KEY BLOCK-----)?"
)
_MAX_PGP = 1 << 16  # characters of base64: a key with its signatures is some 12,000
# An SSH key blob's first field is its algorithm's name, length first: `AAAA` encodes the
# three zero bytes of that length.
_SSH = re.compile(r"\b((?:ssh|ecdsa|sk)-[a-z0-9@.-]+)[ \t]+(AAAA[A-Za-z0-9+/]+={0,2})")
# XML signatures' certificates (SAML metadata, a signed document's KeyInfo), base64 in an
# element of their own, its namespace's prefix or none: `<ds:X509Certificate>MIIC…`.
_XML = re.compile(r"<((?:[\w-]+:)?X509Certificate)>((?:[A-Za-z0-9+/=\s]|&#1[03];|\\[nr])*)(</\1>)?")
_BLANKS = re.compile(r"\s+|\\[nr]")
# An armour's first line, then its base64 lines so far (a stream's, cut short).
_OPEN = re.compile(r"-----BEGIN [A-Z0-9 ]+-----(?:[A-Za-z0-9+/=\s]|\\[nr])*\Z")

Span = tuple[int, int]


def public_spans(text: str) -> list[Span]:
    """The spans of `text` holding public key material, in order."""
    spans: list[Span] = []
    if "-----BEGIN " in text:
        for block in _PEM.finditer(text):
            whole = block.group(3) is not None
            if _der(_decoded(_BLANKS.sub("", block.group(2)), whole), whole):
                spans.append(block.span())
    if "-----BEGIN PGP" in text:
        for block in _PGP.finditer(text):
            if block.end(1) - block.start(1) > _MAX_PGP:
                continue  # (its checksum runs in Python: a larger block stays a secret)
            data = _decoded(_BLANKS.sub("", block.group(1)), whole=block.group(3) is not None)
            crc = block.group(2)
            if _public_packet(data) and (crc is None or _crc24(data) == _decoded(crc, True)):
                spans.append(block.span())
    if "X509Certificate>" in text:
        for element in _XML.finditer(text):
            whole = element.group(3) is not None
            body = _BLANKS.sub("", element.group(2).replace("&#13;", "").replace("&#10;", ""))
            if _der(_decoded(body, whole), whole):
                spans.append(element.span())
    if " AAAA" in text:
        for key in _SSH.finditer(text):
            fields = _fields(_decoded(key.group(2), whole=True))
            if fields and fields[0] == key.group(1).encode():
                spans.append(key.span(2))
    return sorted(spans)


def open_block(text: str, pos: int, reach: int) -> int:
    """Where the armour opens of a block of key material that `pos` is still in (base64
    lines, no end line nor prose since its first line), within `reach` characters before
    `pos`; -1 when none."""
    armour = text.rfind("-----BEGIN ", max(0, pos - reach), pos)
    return armour if armour >= 0 and _OPEN.match(text, armour, pos) else -1


class PublicKeys:
    """Asks whether a place is in a text's key material, finding it once per text: a
    certificate's lines are as many candidates, each asking (the last text is kept)."""

    def __init__(self) -> None:
        self._last: tuple[str, list[Span]] = ("", [])

    def holds(self, text: str, pos: int) -> bool:
        last = self._last  # (one read: scans in other threads may replace it)
        if last[0] is not text:
            last = self._last = (text, public_spans(text))
        spans = last[1]
        at = bisect_right(spans, (pos, len(text))) - 1
        return at >= 0 and spans[at][0] <= pos < spans[at][1]


def _decoded(body: str, whole: bool) -> bytes:
    if not whole:
        body = body[: len(body) - len(body) % 4]  # what has arrived of a block cut short
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _fields(blob: bytes) -> list[bytes]:
    """An SSH key blob's fields, each a 32-bit length then its bytes, when they make up
    the whole blob (none otherwise)."""
    fields, at = [], 0
    while at + 4 <= len(blob):
        size = int.from_bytes(blob[at : at + 4], "big")
        fields.append(blob[at + 4 : at + 4 + size])
        at += 4 + size
    return fields if at == len(blob) else []


def _public_packet(data: bytes) -> bool:
    """Whether `data` opens with an OpenPGP public-key packet (tag 6), in the new format
    or the old."""
    if not data:
        return False
    first = data[0]
    return first == 0xC6 or (first & 0xC0 == 0x80 and (first >> 2) & 0x0F == 6)


def _crc24_table() -> tuple[int, ...]:
    """The CRC-24 of each byte alone, for a byte at a time (RFC 4880, section 6.1)."""
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = (crc << 1) ^ (0x1864CFB if crc & 0x800000 else 0)
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_CRC24 = _crc24_table()


def _crc24(data: bytes) -> bytes:
    """The armour's checksum of `data`."""
    crc = 0xB704CE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC24[(crc >> 16) ^ byte]
    return crc.to_bytes(3, "big")


def _der(data: bytes, whole: bool) -> bool:
    """Whether `data` is one DER SEQUENCE of the length it declares (`whole`), or the
    start of one."""
    if not data or data[0] != 0x30:
        return False
    if len(data) < 2:
        return not whole
    if data[1] < 0x80:
        header, length = 2, data[1]
    else:
        size = data[1] & 0x7F
        if not 1 <= size <= 4:
            return False
        if len(data) < 2 + size:
            return not whole
        header, length = 2 + size, int.from_bytes(data[2 : 2 + size], "big")
    return len(data) == header + length if whole else len(data) <= header + length
