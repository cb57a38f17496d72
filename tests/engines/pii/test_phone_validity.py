"""The metadata-based phone validity gives the answers of phonenumbers.parse, number by number."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from agentshield.engines.pii.recognizers import phone_validity
from agentshield.engines.pii.recognizers.phone import NATIONAL_REGIONS, PhoneRecognizer
from agentshield.engines.pii.recognizers.phone_validity import parsed_region, valid_region

# The regions tried for national numbers, and others whose rules differ: a shared country
# code (CA, JE), a prefix transform rule (AR, BR), leading zeros kept (IT), long numbers (DE).
REGIONS = (*NATIONAL_REGIONS, "CA", "JE", "AR", "DE", "AU", "JP", "RU", "CN", "ZA", "CH")
SEPARATORS = ("", " ", "-", ".")


def _numbers(region: str, rng: random.Random) -> list[str]:
    """Valid numbers of every type of `region`, written in several ways, and near misses."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    code, trunk = str(meta.country_code), meta.national_prefix or ""
    out: list[str] = []
    for kind in vars(PhoneNumberType).values():
        if not isinstance(kind, int):
            continue
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        nsn = phonenumbers.national_significant_number(example)
        for fmt in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL):
            out.append(phonenumbers.format_number(example, fmt))
        variants = [nsn, trunk + nsn, code + nsn, code + trunk + nsn, "00" + code + nsn]
        variants += ["011" + code + nsn, "+" + code + nsn, "+" + code + trunk + nsn]
        for digits in (nsn[:-1], nsn + str(rng.randrange(10)), nsn[1:], "0" + nsn):
            variants += [digits, trunk + digits, "+" + code + digits]
        for _ in range(10):  # same length and prefix, other digits: some valid, most not
            keep = rng.randrange(1, len(nsn))
            tail = "".join(rng.choice("0123456789") for _ in nsn[keep:])
            variants += [
                nsn[:keep] + tail,
                trunk + nsn[:keep] + tail,
                "+" + code + nsn[:keep] + tail,
            ]
        out += variants
    return out


def _written(digits: str, rng: random.Random) -> str:
    """`digits` in groups, as people write them ((415) 555-0132, 06 12 34 56 78)."""
    plus, digits = ("+", digits[1:]) if digits.startswith("+") else ("", digits)
    sep, parts, i = rng.choice(SEPARATORS), [], 0
    while i < len(digits):
        size = rng.randint(2, 4)
        parts.append(digits[i : i + size])
        i += size
    if not plus and len(parts) > 2 and rng.random() < 0.3:
        parts[0] = f"({parts[0]})"
    return plus + sep.join(parts)


def _cases() -> list[str]:
    rng = random.Random(5)
    values = [v for region in REGIONS for v in _numbers(region, rng)]
    values += [_written(v, rng) for v in values if "+" not in v[1:]]
    for _ in range(2000):  # random digits of phone-like lengths
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 15)))
        values.append(_written(rng.choice(("", "+", "0", "00")) + digits, rng))
    return list(dict.fromkeys(values))


CASES = _cases()


@pytest.mark.parametrize("region", [*REGIONS, None])
def test_same_answer_as_parse(region: str | None) -> None:
    # The recognizer reads `+` numbers with no region; with one, valid_region asks parse.
    values = [v for v in CASES if (region is None) == v.startswith("+")]
    valid = 0
    for value in values:
        expected = parsed_region(value, region)
        assert valid_region(value, region) == expected, (value, region)
        valid += expected is not None
    assert valid > 500 and len(values) - valid > 500  # both kinds were compared


def test_national_numbers_need_no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The candidates the recognizer sees most are decided without parse."""

    def refuse(value: str, region: str | None) -> str | None:
        raise AssertionError(f"parsed {value!r} for {region}")

    monkeypatch.setattr(phone_validity, "parsed_region", refuse)
    for value in ("(415) 555-0132", "612 345 678", "06 12 34 56 78", "943 476 5919"):
        for region in NATIONAL_REGIONS:
            valid_region(value, region)
    assert valid_region("+44 20 7946 0958", None) == "GB"
    assert valid_region("+1 415 555 0132", None) == "US"
    assert valid_region("+1 000 000 0000", None) is None


def test_every_region_is_compiled_when_the_recognizer_is_built() -> None:
    # Not by the first number of each region scanned, which paid ~2.5 ms for it.
    phone_validity._metadata.cache_clear()
    PhoneRecognizer()
    regions = len(phonenumbers.SUPPORTED_REGIONS)
    assert phone_validity._metadata.cache_info().currsize == regions
    numbers = (("(415) 555-0132", "US"), ("+1 876 927 1234", None), ("+81 3-3224-5000", None))
    for number, region in numbers:
        assert valid_region(number, region) is not None
    assert phone_validity._metadata.cache_info().currsize == regions  # nothing more
