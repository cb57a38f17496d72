"""stdnum's `clean`, faster (stdnum_clean.py): the same result as python-stdnum's own."""

from __future__ import annotations

import pytest
import stdnum.iban
import stdnum.util
from hypothesis import given
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, stdnum_clean

# stdnum's look-alikes (dashes, spaces, digits, apostrophes) among ordinary characters.
LOOK_ALIKES = "".join(stdnum.util._char_map)
TEXT = st.text(st.sampled_from(LOOK_ALIKES) | st.characters(), max_size=40)


@given(number=TEXT, deletechars=st.text(" -.:/'" + LOOK_ALIKES[:20], max_size=5))
def test_clean_gives_what_stdnum_gives(number: str, deletechars: str) -> None:
    assert stdnum_clean.clean(number, deletechars) == stdnum_clean.ORIGINAL(number, deletechars)


def test_clean_reads_and_refuses_as_stdnum_does() -> None:
    digits = ["1", "\u2013", "2"]  # an en dash between them, as a list of characters
    assert stdnum_clean.clean(digits, "-") == stdnum_clean.ORIGINAL(digits, "-") == "12"
    for clean in (stdnum_clean.clean, stdnum_clean.ORIGINAL):
        with pytest.raises(stdnum.util.InvalidFormat):
            clean(12345)  # type: ignore[arg-type]


def test_a_scanner_has_stdnum_use_it() -> None:
    PiiScanner()
    assert stdnum.util.clean is stdnum_clean.clean
    assert stdnum.iban.clean is stdnum_clean.clean  # imported by name before the install
    assert stdnum.iban.is_valid("GB82 WEST 1234 5698 7654 32")
    assert not stdnum.iban.is_valid("GB82 WEST 1234 5698 7654 33")
