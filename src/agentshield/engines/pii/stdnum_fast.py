"""python-stdnum's helpers, with the same results, faster.

The checks stay stdnum's: each check still runs its stdnum module's `is_valid`. These put,
in the modules' places, equivalents of helpers that do no checking of their own and that
a scan of new text pays for with each value met for the first time:

- `clean`: every check opens by cleaning its number (`stdnum.util.clean`: Unicode dashes,
  spaces and digits to ASCII, then the separators deleted), in three generator
  expressions that step through it a character at a time: 4.0% of a scan's instructions
  on new labelled text (`pii_instructions.py`). Here the same mapping: by `str.translate`,
  or for an ASCII number (most) by `str.replace` of the one ASCII character stdnum changes
  (a backquote); and the deletion by `str.replace`. (`str.translate` with a dict raises
  and clears a KeyError for each character the dict lacks: 3.7% of new text's
  instructions, ~6,800 a call, when it did both.) Put in `stdnum.util` and in each stdnum
  module that imported it by name (`from stdnum.util import clean`); a module imported
  later takes it from `stdnum.util`.
- IBAN's registry (`stdnum.iban._ibandb`, a `NumDB` of country codes): `info` compared
  the number with each of the 89 countries' entries in turn; here one look-up by the
  country code, given the registry is flat (every entry two characters, none nested).
  And the regex IBAN's check builds from a country's structure (`_struct_to_re`), built
  once a structure instead of once a value. Together: an IBAN's check, 57 µs before, 29
  after.
- bitcoin's base58 (`stdnum.bitcoin.b58decode`): a `reduce` over a lambda and a byte
  packed at a time; here a loop and `int.to_bytes` (a base58 address's check, 37 µs
  before, 22 after).

The times are of the checks as a scan of new text calls them (scratch, timed around each
call over twelve new labelled corpora). `install()` runs at a scanner's start-up. Each is
installed only where stdnum has what it replaces (another version may not), and the tests
hold each to the original on arbitrary input.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import lru_cache

import stdnum.util
from stdnum import bitcoin, iban
from stdnum.numdb import NumDB

ORIGINAL = stdnum.util.clean
ORIGINAL_B58DECODE = getattr(bitcoin, "b58decode", None)
_MAP: dict[str, str] | None = getattr(stdnum.util, "_char_map", None)
_TABLE = {ord(k): v for k, v in _MAP.items()} if _MAP is not None else {}
_ASCII_CHANGES = [(k, v) for k, v in (_MAP or {}).items() if k.isascii() and k != v]
_BASE58 = {c: i for i, c in enumerate(getattr(bitcoin, "_base58_alphabet", ""))}


def clean(number: str | Iterable[str], deletechars: str = "") -> str:
    """`stdnum.util.clean`: `number` with stdnum's Unicode look-alikes mapped to ASCII and
    the characters of `deletechars` deleted."""
    if not isinstance(number, str):
        try:
            number = "".join(x for x in number)
        except Exception as exc:  # (as stdnum: anything not a string of characters)
            raise stdnum.util.InvalidFormat() from exc
    if not number.isascii():
        number = number.translate(_TABLE)
    else:
        for old, new in _ASCII_CHANGES:
            if old in number:
                number = number.replace(old, new)
    for c in deletechars:
        number = number.replace(c, "")
    return number


class FlatRegistry:
    """A `NumDB` whose entries are all two characters long and hold none: `info` as
    NumDB's, found by the number's first two characters."""

    def __init__(self, db: NumDB) -> None:
        self.entries: dict[str, dict[str, str]] = {}
        for _, low, _, props, _ in db.prefixes:
            self.entries.setdefault(low, {}).update(props)  # (NumDB merges repeats too)

    @staticmethod
    def holds(db: object) -> bool:
        """Whether `db` is a NumDB of that shape."""
        return isinstance(db, NumDB) and all(
            len(entry) == 5
            and entry[0] == 2
            and entry[1] == entry[2]
            and len(entry[1]) == 2
            and not entry[4]  # (length, low, high, properties, children)
            for entry in db.prefixes
        )

    def info(self, number: str) -> list[tuple[str, dict[str, str]]]:
        props = self.entries.get(number[:2]) if len(number) >= 2 else None
        if props is None:
            return [(number, {})] if number else []
        head = (number[:2], dict(props))  # (a copy each time, as NumDB builds one)
        return [head, (number[2:], {})] if len(number) > 2 else [head]


def b58decode(s: str) -> bytes:
    """`stdnum.bitcoin.b58decode`: the bytes a base58 string spells, a zero byte for each
    leading `1`. (A character outside the alphabet raises ValueError, as stdnum's.)"""
    value = 0
    try:
        for c in s:
            value = value * 58 + _BASE58[c]
    except KeyError:
        raise ValueError(f"{c!r} is not a base58 digit") from None
    body = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + body


def install() -> None:
    """Use these in stdnum's modules (see the module's docstring)."""
    if _MAP is not None:
        stdnum.util.clean = clean
        for name, module in list(sys.modules.items()):
            if name.startswith("stdnum.") and getattr(module, "clean", None) is ORIGINAL:
                module.clean = clean  # type: ignore[attr-defined]
    if FlatRegistry.holds(getattr(iban, "_ibandb", None)):
        iban._ibandb = FlatRegistry(iban._ibandb)  # type: ignore[assignment]
    struct_to_re = getattr(iban, "_struct_to_re", None)
    if struct_to_re is not None and not hasattr(struct_to_re, "cache_info"):
        iban._struct_to_re = lru_cache(maxsize=256)(struct_to_re)
    if _BASE58 and ORIGINAL_B58DECODE is not None and bitcoin.b58decode is ORIGINAL_B58DECODE:
        bitcoin.b58decode = b58decode
