"""stdnum's helpers, faster (stdnum_fast.py): the same results as python-stdnum's own."""

from __future__ import annotations

import pytest
import stdnum.bitcoin
import stdnum.iban
import stdnum.util
from hypothesis import given
from hypothesis import strategies as st
from stdnum import numdb

from agentshield.engines.pii import PiiScanner, stdnum_fast

# stdnum's look-alikes (dashes, spaces, digits, apostrophes) among ordinary characters.
LOOK_ALIKES = "".join(stdnum.util._char_map)
TEXT = st.text(st.sampled_from(LOOK_ALIKES) | st.characters(), max_size=40) | st.text(
    "0123456789ab -./:*,'`",
    max_size=20,  # ASCII, which clean reads without the table
)


@given(number=TEXT, deletechars=st.text(" -.:/'" + LOOK_ALIKES[:20], max_size=5))
def test_clean_gives_what_stdnum_gives(number: str, deletechars: str) -> None:
    assert stdnum_fast.clean(number, deletechars) == stdnum_fast.ORIGINAL(number, deletechars)


def test_clean_reads_and_refuses_as_stdnum_does() -> None:
    digits = ["1", "\u2013", "2"]  # an en dash between them, as a list of characters
    assert stdnum_fast.clean(digits, "-") == stdnum_fast.ORIGINAL(digits, "-") == "12"
    assert stdnum_fast.clean("`12`-3", "-") == stdnum_fast.ORIGINAL("`12`-3", "-") == "'12'3"
    for clean in (stdnum_fast.clean, stdnum_fast.ORIGINAL):
        with pytest.raises(stdnum.util.InvalidFormat):
            clean(12345)  # type: ignore[arg-type]


REGISTRY = numdb.get("iban")  # as stdnum reads it, whatever is installed in iban's place
CODES = sorted({low for _, low, _, _, _ in REGISTRY.prefixes})
NUMBERS = st.one_of(
    st.text(max_size=6),
    st.builds(
        lambda cc, rest: cc + rest, st.sampled_from(CODES), st.text("GB0123ab ", max_size=30)
    ),
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda cc: cc[:1]),
)


@given(number=NUMBERS)
def test_the_flat_registry_answers_as_numdb(number: str) -> None:
    assert stdnum_fast.FlatRegistry.holds(REGISTRY)
    assert stdnum_fast.FlatRegistry(REGISTRY).info(number) == REGISTRY.info(number)


def test_a_nested_registry_is_not_read_as_flat() -> None:
    nested = numdb.read(["GB bban=x", " 12 bank=y"])
    assert not stdnum_fast.FlatRegistry.holds(nested)
    assert not stdnum_fast.FlatRegistry.holds(numdb.read(["GBR bban=x"]))


BASE58 = stdnum.bitcoin._base58_alphabet


@given(s=st.text(BASE58, max_size=40) | st.text("1" + BASE58[:3], max_size=12))
def test_b58decode_gives_what_stdnum_gives(s: str) -> None:
    assert stdnum_fast.b58decode(s) == stdnum_fast.ORIGINAL_B58DECODE(s)


@pytest.mark.parametrize("s", ["0", "1Il", "abcO", "é"])
def test_b58decode_refuses_what_stdnum_refuses(s: str) -> None:
    for decode in (stdnum_fast.b58decode, stdnum_fast.ORIGINAL_B58DECODE):
        with pytest.raises(ValueError):
            decode(s)


def test_a_scanner_has_stdnum_use_them() -> None:
    PiiScanner()
    assert stdnum.util.clean is stdnum_fast.clean
    assert isinstance(stdnum.iban._ibandb, stdnum_fast.FlatRegistry)
    assert stdnum.iban._struct_to_re("4!n4!n12!c").pattern == "^[0-9]{4}[0-9]{4}[A-Za-z0-9]{12}$"
    assert stdnum.iban._struct_to_re.cache_info().currsize > 0  # built once a structure
    assert stdnum.bitcoin.b58decode is stdnum_fast.b58decode
    assert stdnum.bitcoin.is_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")
    assert not stdnum.bitcoin.is_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")
    assert stdnum.iban.clean is stdnum_fast.clean  # imported by name before the install
    assert stdnum.iban.is_valid("GB82 WEST 1234 5698 7654 32")
    assert not stdnum.iban.is_valid("GB82 WEST 1234 5698 7654 33")
