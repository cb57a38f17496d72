"""Small images of any size written byte by byte (no imaging library), and data: URLs.

PNG and GIF are complete, valid files; the JPEG and WebP files carry real headers and
segments in the order encoders write them, with placeholder image data after them.
"""

from __future__ import annotations

import base64
import struct
import zlib


def png(width: int, height: int) -> bytes:
    """A valid black 8-bit greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = (b"\x00" + b"\x00" * width) * height  # each row: filter byte, then its pixels
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """A valid one-colour GIF89a."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # a 2-entry colour table
    palette = b"\x00\x00\x00\xff\xff\xff"
    image = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    pixels = b"\x02\x02\x44\x01\x00"  # LZW minimum code size 2, one data block, terminator
    return b"GIF89a" + screen + palette + image + pixels + b";"


def jpeg(width: int, height: int, exif_bytes: int = 0) -> bytes:
    """SOI, APP0 (JFIF), an APP1 of `exif_bytes`, DQT, SOF0 with the size, SOS, data, EOI."""

    def segment(marker: int, data: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data

    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    scan = b"\x01\x01\x00\x00\x3f\x00"
    parts = [b"\xff\xd8", segment(0xE0, jfif)]
    if exif_bytes:
        parts.append(segment(0xE1, b"Exif\x00\x00" + b"\x00" * exif_bytes))
    parts += [segment(0xDB, b"\x00" + bytes(range(1, 65))), segment(0xC0, frame)]
    parts += [segment(0xDA, scan), b"\x12\x34\x56", b"\xff\xd9"]
    return b"".join(parts)


def webp(width: int, height: int, kind: str = "VP8L") -> bytes:
    """A RIFF WebP container with a lossy (VP8), lossless (VP8L) or extended (VP8X) header."""
    if kind == "VP8 ":
        frame = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
        payload = frame + b"\x00" * 8
    elif kind == "VP8L":
        bits = (width - 1) | ((height - 1) << 14)
        payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 4
    else:
        payload = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
        payload += (height - 1).to_bytes(3, "little")
    chunk = kind.encode() + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"
