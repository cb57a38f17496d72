"""Whether a phone number is valid, and where from, decided on phonenumbers' own metadata.

`phonenumbers.parse` and `is_valid_number_for_region` cost 25-45 µs per candidate, mostly
in looking up and compiling the same metadata patterns again. For a number written with
digits, spaces, dots, dashes and brackets (and a leading `+`), `valid_region` takes their
steps (international prefix, country code, trunk prefix, possible lengths, region of the
number, pattern of each number type) on each region's metadata compiled once, and leaves
the rest to `parse`: other characters, a region's international dialling prefix, a
non-geographic country code. tests/engines/pii/test_phone_validity.py holds both to the
same answers.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_SHAPE = re.compile(r"\+?[\d().-][\d ().-]*")
_NON_DIGITS = re.compile(r"\D+")
# The number types `_number_type_helper` tries; a number of none of them is invalid.
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager")
_TYPES += ("uan", "voicemail", "fixed_line", "mobile")
_MIN_NSN, _MAX_NSN = 2, 17
_FITS, _SHORT, _LONG, _NOT_FULL = "fits", "short", "long", "not full"


class _Unsure(Exception):
    """The number needs what only `parse` does."""


def valid_region(value: str, region: str | None) -> str | None:
    """The region `value` is a valid number of, read as dialled from `region` (None: only
    `+` numbers); None if invalid. The same answer as `parsed_region`."""
    try:
        digits = _NON_DIGITS.sub("", value)
        if len(digits) < 3 or not _SHAPE.fullmatch(value):
            raise _Unsure
        if value[0] == "+":
            if region is not None:
                raise _Unsure  # parse retries a bad `+` number as dialled from the region
            return _international(digits)
        if region is None:
            return None  # parse refuses a number with neither `+` nor a region
        return _national(digits, _metadata(region))
    except _Unsure:
        return parsed_region(value, region)


def parsed_region(value: str, region: str | None) -> str | None:
    """`valid_region` through `phonenumbers.parse`."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    # is_valid_number(), keeping the region it looks up
    found = phonenumbers.region_code_for_number(number)
    return found if phonenumbers.is_valid_number_for_region(number, found) else None


class _Metadata:
    """One region's metadata as `parse` and validation read it, patterns compiled."""

    def __init__(self, meta: PhoneMetadata) -> None:
        self.code = meta.id
        self.country_code = meta.country_code
        self.idd = re.compile(meta.international_prefix or "NonMatch")
        self.prefix = _compiled(meta.national_prefix_for_parsing)
        self.transform = meta.national_prefix_transform_rule or ""
        general = meta.general_desc
        self.general = _compiled(general and general.national_number_pattern)
        self.lengths = sorted(general.possible_length) if general else []
        self.local = general.possible_length_local_only if general else ()
        self.leading = _compiled(meta.leading_digits)
        types = [getattr(meta, name) for name in _TYPES]
        if meta.same_mobile_and_fixed_line_pattern:
            types.pop()  # the helper does not look at mobile then
        # Matching the general description and the description of some number type, each
        # with its possible lengths: `_number_type_helper(...) != UNKNOWN`, in one regex.
        alternatives = [_described(d) for d in types if _described(d)]
        whole = _described(general)
        self.known = (
            re.compile(f"(?={whole})(?:{'|'.join(alternatives)})")
            if whole and alternatives
            else None
        )

    def is_general(self, number: str) -> bool:
        return bool(self.general and self.general.fullmatch(number))

    def is_known(self, number: str) -> bool:
        return bool(self.known and self.known.match(number))


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _described(desc: object) -> str:
    """A regex for numbers matching `desc` (`_is_number_matching_desc`), "" for none."""
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return ""
    lengths = getattr(desc, "possible_length", ())
    if not lengths:
        return rf"(?:{pattern})\Z"
    # (-1,) stands for "no number of this type": no length matches then.
    length = "|".join(rf"\d{{{n}}}" for n in lengths if n > 0) or "(?!)"
    return rf"(?=(?:{length})\Z)(?:{pattern})\Z"


def prepare() -> None:
    """Compile every region's metadata now, once per process (a scanner's construction
    0.5 s longer, 3 MB more), not at the first number of each region: numbers of regions
    not met before paid it, 4.8% of new text's instructions and 3.1% of tool results'
    (benchmarks/pii_instructions.py; docs/pii.md, tenth session)."""
    for region in phonenumbers.SUPPORTED_REGIONS:
        _metadata(region)


@cache
def _metadata(region: str) -> _Metadata:
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        raise _Unsure
    return _Metadata(meta)


def _international(digits: str) -> str | None:
    """A number after its `+` or international dialling prefix."""
    if len(digits) <= _MIN_NSN or digits[0] == "0":
        return None
    for size in range(1, min(len(digits), 3) + 1):
        code = int(digits[:size])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            main = COUNTRY_CODE_TO_REGION_CODE[code][0]
            if main == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                raise _Unsure
            return _national_number(digits[size:], _metadata(main))
    return None


def _national(digits: str, meta: _Metadata) -> str | None:
    """A number without `+`, dialled from the region of `meta`."""
    idd = meta.idd.match(digits)
    if idd:
        rest = digits[idd.end() :]
        if rest[:1] != "0":
            return _international(rest)
    code = str(meta.country_code)
    if digits.startswith(code):
        # Written with the country code but no `+`: parse drops it when that helps.
        rest = _without_trunk(digits[len(code) :], meta)
        if (not meta.is_general(digits) and meta.is_general(rest)) or _length(
            digits, meta
        ) == _LONG:
            main = COUNTRY_CODE_TO_REGION_CODE[meta.country_code][0]
            return _national_number(rest, meta if main == meta.code else _metadata(main))
    return _national_number(digits, meta)


def _national_number(number: str, meta: _Metadata) -> str | None:
    if len(number) < _MIN_NSN:
        return None
    stripped = _without_trunk(number, meta)
    if _length(stripped, meta) in (_FITS, _LONG):
        number = stripped
    if len(number) > _MAX_NSN:
        return None
    regions = COUNTRY_CODE_TO_REGION_CODE[meta.country_code]
    for region in regions:
        candidate = _metadata(region)
        if len(regions) == 1 or (
            candidate.leading.match(number) if candidate.leading else candidate.is_known(number)
        ):
            return region if candidate.is_known(number) else None
    return None


def _without_trunk(number: str, meta: _Metadata) -> str:
    """`_maybe_strip_national_prefix_carrier_code`: the number without its trunk prefix."""
    found = meta.prefix.match(number) if meta.prefix and number else None
    if found is None:
        return number
    groups = found.groups()
    if not meta.transform or groups[-1] is None:
        rest = number[found.end() :]
    else:
        rest = meta.prefix.sub(meta.transform, number, count=1)
    return number if meta.is_general(number) and not meta.is_general(rest) else rest


def _length(number: str, meta: _Metadata) -> str:
    """`_test_number_length` for any type, told apart as far as parse needs."""
    lengths, size = meta.lengths, len(number)
    if not lengths or size in meta.local:
        return _NOT_FULL
    if size < lengths[0]:
        return _SHORT
    if size > lengths[-1]:
        return _LONG
    return _FITS if size in lengths else _NOT_FULL
