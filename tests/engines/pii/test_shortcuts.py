"""Cheap checks that run before a costly one must agree with the check they shortcut."""

from __future__ import annotations

import base64
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban

from agentshield.engines.pii._finder import may_hide_text
from agentshield.engines.pii.decoders import (
    _CONTROL,
    _NEVER_UTF8,
    decode,
    decode_base64,
    decode_hex,
)
from agentshield.engines.pii.entropy import shannon
from agentshield.engines.pii.recognizers.iban import IbanRecognizer


def as_text(data: bytes) -> str | None:
    """The definition: UTF-8, four characters or more, some alphanumeric, 95% printable."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in text)
    ok = len(text) >= 4 and any(map(str.isalnum, text)) and printable >= 0.95 * len(text)
    return text if ok else None


mostly_text = st.one_of(
    st.binary(min_size=1, max_size=64),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from([b"ab", b"\x00", b"\x0b", b"\t", b"\xc3\xa9", b"\xc0", b"\xff", b"7"]),
        min_size=1,
        max_size=40,
    ).map(b"".join),
)


@settings(max_examples=400, deadline=None)
@given(data=mostly_text)
def test_decoders_give_text_exactly_when_the_bytes_are_text(data: bytes) -> None:
    assert decode_hex(data.hex()) == as_text(data)


@pytest.mark.parametrize(
    "data",
    [
        b"one control byte\x00 in thirty-one",  # 1 in 31: still text
        b"two\x00 control\x0b bytes in thirty",  # 2 in 30: not text
        "caf\u00e9 au lait, s'il vous pla\u00eet".encode(),
        b"\xc0\xafetc/passwd, not UTF-8",
    ],
)
def test_decoders_at_the_edges(data: bytes) -> None:
    assert decode_hex(data.hex()) == as_text(data)


@settings(max_examples=200, deadline=None)
@given(data=mostly_text)
def test_base64_gives_text_exactly_when_the_bytes_are_text(data: bytes) -> None:
    decoded = decode_base64(base64.b64encode(data).decode())
    text = as_text(data)
    assert decoded == (None if text is None else (text, "base64"))


def _encodings(data: bytes) -> list[str]:
    b64, url = base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()
    return [data.hex(), data.hex().upper(), b64, b64.rstrip("="), url, url.rstrip("=")]


@settings(max_examples=400, deadline=None)
@given(
    data=mostly_text,
    token=st.text(alphabet="ABCDEFabcdef0123456789+/-_xyzXYZ=", min_size=8, max_size=48),
)
def test_the_native_sieve_passes_every_token_that_hides_text(data: bytes, token: str) -> None:
    # It only spares Python the tokens that hide none: it never drops one that does.
    for encoded in [*_encodings(data), token]:
        if decode(encoded) is not None:
            assert may_hide_text(encoded), encoded


@pytest.mark.parametrize(
    "data",
    [
        b"one control byte\x00 in thirty-one",  # 1 in 31: still text
        b"line one\nline two\ttabbed\r\n",
        "caf\u00e9 au lait, \u4e2d\u6587, \U0001f600".encode(),  # 2, 3 and 4 bytes
        b"jane@example.com",
    ],
)
def test_the_native_sieve_passes_text_at_the_edges(data: bytes) -> None:
    for encoded in _encodings(data):
        assert decode(encoded) is not None
        assert may_hide_text(encoded), encoded


@pytest.mark.parametrize("byte", range(256))
def test_the_native_sieve_reads_bytes_as_decoders_does(byte: int) -> None:
    # Its byte tables are decoders' (`_CONTROL`, `_NEVER_UTF8`), both ways: a control byte
    # twice in twenty-two bytes, or a byte no UTF-8 holds where its structure allows one,
    # drops a token; any other byte there does not.
    if byte < 0x80:
        data, expected = b"abcdefghijklmnopqrst" + bytes([byte]) * 2, byte not in _CONTROL
    elif byte < 0xC0:  # a continuation byte with no lead: no UTF-8
        data, expected = b"abcd" + bytes([byte]), False
    else:
        more = 3 if byte >= 0xF0 else 2 if byte >= 0xE0 else 1
        data, expected = b"abcd" + bytes([byte]) + b"\x80" * more, byte not in _NEVER_UTF8
    assert may_hide_text(base64.b64encode(data).decode()) is expected


@pytest.mark.parametrize(
    "token",
    [
        "10daf27814031632742e8ff1150af0c7a1a5fb26",  # a commit id
        "d41d8cd98f00b204e9800998ecf8427e",  # an MD5
        "1CuHxaLKNuXD3oyPgZGV3Xfx7SJW1RSfKS",  # a bitcoin address
        "internationalization",
    ],
)
def test_the_native_sieve_drops_hashes_and_words(token: str) -> None:
    assert decode(token) is None
    assert not may_hide_text(token)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(max_size=60), st.text(alphabet="aAb0+/=_é€😀", max_size=300)))
def test_entropy_is_the_same_sum_as_over_a_counter(value: str) -> None:
    # (The compiled sum: the same double as Python's sum in order of first appearance.)
    n = len(value)
    expected = -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0
    assert shannon(value) == expected


def iban_like(cc: str, check: str, body: str, spaced: bool) -> str:
    """An IBAN's shape; `check` "" for the right check digits."""
    check = check or iban.calc_check_digits(cc + "00" + body)
    grouped = " ".join(body[i : i + 4] for i in range(0, len(body), 4)) if spaced else body
    return cc + check + grouped


ibans = st.builds(
    iban_like,
    st.sampled_from(["GB", "DE", "ES", "FR", "NL", "XX", "IT"]),
    st.one_of(st.just(""), st.integers(0, 99).map(lambda n: f"{n:02d}")),
    st.text(alphabet="0123456789ABCDEFWEST", min_size=11, max_size=30),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(value=ibans)
def test_iban_check_is_stdnums(value: str) -> None:
    assert bool(IbanRecognizer().validate(value)) == iban.is_valid(value)


def test_iban_check_accepts_valid_numbers() -> None:
    for value in ("GB82 WEST 1234 5698 7654 32", "ES9121000418450200051332"):
        assert IbanRecognizer().validate(value) is True
