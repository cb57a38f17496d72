"""Overlapping findings resolve to one: the key before a value names it, then the most
certain wins."""

from __future__ import annotations

from agentshield.engines.pii.detector import Hit
from agentshield.engines.pii.overlaps import resolve


def hit(entity_type: str, score: float, *, keyed: bool = False, start: int = 8) -> Hit:
    value = "536904399"
    return Hit(entity_type, start, start + len(value), value, score, "fast_path", None, "", keyed)


def test_the_higher_score_wins_where_no_key_names_the_value() -> None:
    assert resolve([hit("US_SSN", 0.55), hit("PHONE", 0.65)]) == [hit("PHONE", 0.65)]


def test_a_keyed_finding_puts_out_the_others_on_its_span() -> None:
    ssn, phone = hit("US_SSN", 0.55, keyed=True), hit("PHONE", 0.65)
    assert resolve([phone, ssn]) == [ssn]


def test_two_keyed_findings_go_by_score() -> None:
    ssn, phone = hit("US_SSN", 0.55, keyed=True), hit("PHONE", 0.65, keyed=True)
    assert resolve([ssn, phone]) == [phone]


def test_a_certain_finding_stays_against_a_keyed_one() -> None:
    certain, keyed = hit("CREDIT_CARD", 1.0), hit("PHONE", 0.65, keyed=True)
    assert resolve([keyed, certain]) == [certain]


def test_a_key_does_not_reach_other_spans_or_lift_a_generic_string() -> None:
    longer = Hit("IBAN", 6, 20, "x" * 14, 0.9, "fast_path", None, "")
    assert resolve([hit("US_SSN", 0.55, keyed=True), longer]) == [longer]
    generic = hit("HIGH_ENTROPY_SECRET", 0.6, keyed=True)
    assert resolve([generic, hit("PHONE", 0.65)]) == [hit("PHONE", 0.65)]
