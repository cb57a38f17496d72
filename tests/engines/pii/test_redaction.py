"""Redaction forms and modes: keep what helps the model, never what identifies."""

from __future__ import annotations

import pytest

from agentshield.engines.pii import PiiScanner, Policy

FORMS = [
    ("mail jane.roe@acme-corp.com", "mail <EMAIL_DOMAIN:acme-corp.com>"),
    ("mail ops@eu.mail.initech.co.uk", "mail <EMAIL_DOMAIN:initech.co.uk>"),
    ("mail jane.roe@gmail.com", "mail <EMAIL>"),  # a personal mailbox narrows to a person
    ("mail jane@roe.io", "mail <EMAIL>"),  # too short to be an organisation
    ("mail john@johnsmith.com", "mail <EMAIL>"),  # the domain is the person
    ("call +1 415 555 0132", "call <PHONE_LAST_4:0132>"),
    ("from 192.168.10.20", "from <IP_ADDRESS_SUBNET:192.168.XXX.XXX>"),
    ("node ip-10-0-1-23.ec2.internal", "node ip-<IP_ADDRESS_SUBNET:10.0.XXX.XXX>.ec2.internal"),
    ("from 2001:db8:85a3::8a2e:370:7334", "from <IPV6_SUBNET:2001:db8::/32>"),
    ("at 350 Fifth Avenue, New York, NY 10118", "at <ADDRESS_PATTERN_PARTIAL:New York, NY>"),
    ("at 221B Baker Street, London NW1 6XE", "at <ADDRESS_PATTERN_PARTIAL:London>"),
    ("at 12 Elm Street", "at <ADDRESS>"),
    # The street's direction does not cut the address short, leaving its ZIP code out.
    (
        "to 1600 Pennsylvania Avenue NW, Washington, DC 20500",
        "to <ADDRESS_PATTERN_PARTIAL:Washington, DC>",
    ),
    ("Post Office Box 5, Austin, TX 78701", "<ADDRESS_PATTERN_PARTIAL:Austin, TX>"),
    # A vCard's address, from the street to its last field: the town and region are kept.
    (
        "ADR;TYPE=HOME:;;123 Main Street;Springfield;IL;62704;USA\nTEL:x",
        "ADR;TYPE=HOME:;;<ADDRESS_PATTERN_PARTIAL:Springfield, IL>\nTEL:x",
    ),
    ("ADR:;;Calle Mayor 5;Madrid;;28013;España", "ADR:;;<ADDRESS_PATTERN_PARTIAL:Madrid>"),
    ("ADR:;;42 Elm Road;;;;", "ADR:;;<ADDRESS>;;;;"),
    ("ADR;TYPE=work:;;;;;;", "ADR;TYPE=work:;;;;;;"),
    ("username: johndoe42", "username: <USERNAME_HINT:jo***>"),
    ("username: jdoe", "username: <USERNAME>"),  # too short to show any of it
    ("card 4242 4242 4242 4242", "card <CREDIT_CARD_LAST_4:4242>"),
    ("key AKIAIOSFODNN7EXAMPLE", "key <AWS_KEY>"),
    ("password: hunter22", "password: <PASSWORD>"),
    ("my ssn is 536-90-4399", "my ssn is <US_SSN>"),
]


@pytest.mark.parametrize(("text", "redacted"), FORMS)
def test_context_aware_forms(scanner: PiiScanner, text: str, redacted: str) -> None:
    assert scanner.scan(text).redacted_text == redacted


def test_plain_forms_when_context_is_off(scanner: PiiScanner) -> None:
    result = scanner.scan("mail jane.roe@acme-corp.com", policy=Policy(context_aware=False))
    assert result.redacted_text == "mail <EMAIL>"


def test_flag_leaves_the_value_and_reports_it(scanner: PiiScanner) -> None:
    text = "mail jane.roe@acme-corp.com"
    result = scanner.scan(text, policy=Policy(modes={"EMAIL": "flag"}))
    assert result.redacted_text == text
    assert [(f.entity_type, f.action) for f in result.findings] == [("EMAIL", "flag")]
    assert not result.blocked


def test_block_marks_the_result_and_still_redacts(scanner: PiiScanner) -> None:
    policy = Policy(modes={"US_SSN": "block"}, default_mode="flag")
    result = scanner.scan("ssn 536-90-4399, mail a.b@acme-corp.com", policy=policy)
    assert result.blocked
    assert result.redacted_text == "ssn <US_SSN>, mail a.b@acme-corp.com"


def test_modes_are_per_entity_type(scanner: PiiScanner) -> None:
    policy = Policy(modes={"PHONE": "restore"}, context_aware=False)
    result = scanner.scan("call +1 415 555 0132 or mail a.b@acme-corp.com", policy=policy)
    assert result.redacted_text == "call <PHONE_1> or mail <EMAIL>"


def test_min_score_drops_weak_findings(scanner: PiiScanner) -> None:
    text = "from 203.0.113.45"
    assert scanner.scan(text).findings
    assert scanner.scan(text, policy=Policy(min_score=0.95)).findings == ()


def test_a_policy_with_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown PII mode"):
        Policy(modes={"EMAIL": "erase"})  # type: ignore[dict-item]


def test_findings_carry_a_hash_never_the_value(scanner: PiiScanner) -> None:
    text = "password: hunter22"
    (finding,) = scanner.scan(text).findings
    assert "hunter22" not in repr(finding)
    assert "hunter22" not in repr(finding.as_dict())
    assert "hunter22" not in repr(finding.as_finding())
    keyed = scanner.scan(text, policy=Policy(hash_key=b"tenant-key")).findings[0]
    assert len(finding.value_hash) == len(keyed.value_hash) == 64
    assert finding.value_hash != keyed.value_hash
