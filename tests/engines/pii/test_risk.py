"""Risk: the documented formulas, deterministic over the findings."""

from __future__ import annotations

import math

from agentshield.engines.pii import PiiScanner, Policy


def test_one_email_scores_as_documented(scanner: PiiScanner) -> None:
    result = scanner.scan("reply to jane.roe@acme-corp.com")
    (finding,) = result.findings
    risk = result.risk
    assert risk.exposure_index == round(100 * (1 - math.exp(-4 * finding.score / 25)))
    assert risk.gdpr_liability_eur == 60
    assert risk.compliance_level == "GOLD"


def test_repeated_values_count_once(scanner: PiiScanner) -> None:
    once = scanner.scan("ssn 536-90-4399").risk
    twice = scanner.scan("ssn 536-90-4399 and again ssn 536-90-4399").risk
    assert once == twice


def test_evasion_raises_exposure(scanner: PiiScanner) -> None:
    plain = scanner.scan("write to john.doe@example.com").risk
    hidden = scanner.scan("write to am9obi5kb2VAZXhhbXBsZS5jb20=").risk
    assert hidden.exposure_index > plain.exposure_index


def test_compliance_depends_on_what_leaves_in_clear(scanner: PiiScanner) -> None:
    text = "mail jane.roe@acme-corp.com, ssn 536-90-4399"
    assert scanner.scan(text).risk.compliance_level == "GOLD"
    flag_email = Policy(modes={"EMAIL": "flag"})
    assert scanner.scan(text, policy=flag_email).risk.compliance_level == "SILVER"
    flag_all = Policy(default_mode="flag")
    assert scanner.scan(text, policy=flag_all).risk.compliance_level == "BASIC"


def test_nothing_found_is_no_risk(scanner: PiiScanner) -> None:
    risk = scanner.scan("see you at the standup").risk
    assert (risk.exposure_index, risk.gdpr_liability_eur, risk.compliance_level) == (0, 0, "GOLD")
