"""Overlapping findings resolve to one: the key before a value names it, then the most
certain wins; the one kept names the other types read on its span."""

from __future__ import annotations

from agentshield.engines.pii.detector import Hit
from agentshield.engines.pii.overlaps import resolve
from agentshield.engines.pii.policy import Policy
from agentshield.engines.pii.redaction import apply


def hit(entity_type: str, score: float, *, keyed: bool = False, start: int = 8) -> Hit:
    value = "536904399"
    return Hit(entity_type, start, start + len(value), value, score, "fast_path", None, "", keyed)


def kept(*hits: Hit) -> list[tuple[str, tuple[str, ...]]]:
    return [(h.entity_type, h.also) for h in resolve(hits)]


def test_the_higher_score_wins_where_no_key_names_the_value() -> None:
    assert kept(hit("US_SSN", 0.55), hit("PHONE", 0.65)) == [("PHONE", ("US_SSN",))]


def test_a_keyed_finding_puts_out_the_others_on_its_span() -> None:
    assert kept(hit("PHONE", 0.65), hit("US_SSN", 0.55, keyed=True)) == [("US_SSN", ("PHONE",))]


def test_two_keyed_findings_go_by_score() -> None:
    ssn, phone = hit("US_SSN", 0.55, keyed=True), hit("PHONE", 0.65, keyed=True)
    assert kept(ssn, phone) == [("PHONE", ("US_SSN",))]


def test_a_key_read_from_structure_puts_out_a_near_one() -> None:
    """A table's column or a JSON list's key, over a word only near the value."""
    near, listed = hit("PHONE", 0.65, keyed=True), hit("US_SSN", 0.55, keyed=True)
    listed.listed = True
    assert kept(near, listed) == [("US_SSN", ("PHONE",))]


def test_a_certain_finding_stays_against_a_keyed_one() -> None:
    certain, keyed = hit("CREDIT_CARD", 1.0), hit("PHONE", 0.65, keyed=True)
    assert kept(keyed, certain) == [("CREDIT_CARD", ("PHONE",))]


def test_a_key_does_not_reach_other_spans_or_lift_a_generic_string() -> None:
    longer = Hit("IBAN", 6, 20, "x" * 14, 0.9, "fast_path", None, "")
    assert resolve([hit("US_SSN", 0.55, keyed=True), longer]) == [longer]  # not the same span
    generic = hit("HIGH_ENTROPY_SECRET", 0.6, keyed=True)
    assert kept(generic, hit("PHONE", 0.65)) == [("PHONE", ("HIGH_ENTROPY_SECRET",))]


def test_a_lone_reading_is_kept_as_found() -> None:
    phone = hit("PHONE", 0.65)
    assert resolve([phone, hit("US_SSN", 0.55, start=30)]) == [phone, hit("US_SSN", 0.55, start=30)]


def test_the_explanation_names_the_other_readings() -> None:
    (phone,) = resolve([hit("PHONE", 0.65), hit("NL_BSN", 0.6), hit("US_SSN", 0.55)])
    assert phone.also == ("NL_BSN", "US_SSN")
    assert phone.explanation.endswith("; also read as NL_BSN, US_SSN")


def redacted(*hits: Hit) -> str:
    text = "number: 536904399"
    return apply(text, resolve(hits), Policy(), None)[0]


def test_a_value_also_read_as_a_national_id_shows_nothing() -> None:
    """PHONE shows its last four digits, which an SSN must not."""
    assert redacted(hit("PHONE", 0.65)) == "number: <PHONE_LAST_4:4399>"
    assert redacted(hit("PHONE", 0.65), hit("US_SSN", 0.55)) == "number: <PHONE>"


def test_a_value_whose_readings_all_have_forms_keeps_its_hint() -> None:
    """CREDIT_CARD and PHONE both show something: the winner's form stands."""
    assert redacted(hit("CREDIT_CARD", 1.0), hit("PHONE", 0.65)) == (
        "number: <CREDIT_CARD_LAST_4:4399>"
    )
