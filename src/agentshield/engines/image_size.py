"""The width and height of a PNG, JPEG, GIF or WebP image, read from its header only.

No pixel is decoded and nothing is imported beyond the standard library: the size is in
the first bytes (PNG, GIF, WebP) or in the first start-of-frame segment (JPEG). Anything
else, or a header cut short, gives None and the caller assumes the worst.
"""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers: SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length: TEM, RST0-7, SOI, EOI.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of an image in `data`, or None when the header cannot be read."""
    try:
        if data.startswith(PNG_SIGNATURE):
            return _png(data)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _positive(struct.unpack_from("<HH", data, 6))
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
        if data[:2] == b"\xff\xd8":
            return _jpeg(data)
    except struct.error:  # cut short
        return None
    return None


def _png(data: bytes) -> tuple[int, int] | None:
    # The first chunk is IHDR: length (4), type (4), width (4), height (4), big-endian.
    if data[12:16] != b"IHDR":
        return None
    return _positive(struct.unpack_from(">II", data, 16))


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: after a 3-byte frame tag and the start code 9d 01 2a
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack_from("<HH", data, 26)
        return _positive((width & 0x3FFF, height & 0x3FFF))
    if chunk == b"VP8L":  # lossless: signature 0x2f, then 14 bits of width-1 and height-1
        if data[20:21] != b"\x2f":
            return None
        (bits,) = struct.unpack_from("<I", data, 21)
        return _positive(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
    if chunk == b"VP8X":  # extended: canvas width-1 and height-1, 24 bits each
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _positive((width, height)) if len(data) >= 30 else None
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        (length,) = struct.unpack_from(">H", data, at + 2)
        if marker in _SOF:
            # length (2), precision (1), height (2), width (2)
            height, width = struct.unpack_from(">HH", data, at + 5)
            return _positive((width, height))
        if marker == 0xDA or length < 2:  # image data begins, or a broken length
            return None
        at += 2 + length
    return None


def _positive(size: tuple[int, int]) -> tuple[int, int] | None:
    width, height = size
    return (width, height) if width > 0 and height > 0 else None
