"""Recognizers are discovered, enabled by name, and an unknown name stops start-up."""

from __future__ import annotations

import pytest

from agentshield.engines.pii import PiiScanner, UnknownRecognizer, available

ISSUE_3_TYPES = {
    "EMAIL", "PHONE", "IP_ADDRESS", "IPV6", "MAC_ADDRESS", "URL_WITH_CREDENTIALS", "ADDRESS",
    "USERNAME", "CREDIT_CARD", "IBAN", "SWIFT_BIC", "BITCOIN_ADDRESS", "ETHEREUM_ADDRESS",
    "US_SSN", "MX_CURP", "ES_DNI", "ES_NIE", "BR_CPF", "UK_NHS", "IN_AADHAAR", "CA_SIN",
    "IT_FISCAL_CODE", "NL_BSN", "PL_PESEL", "UK_NINO", "FR_NIR", "PRIVATE_KEY", "JWT", "AWS_KEY",
    "GITHUB_TOKEN", "SLACK_TOKEN", "STRIPE_KEY", "OPENAI_KEY", "GOOGLE_API_KEY", "DATABASE_URL",
    "MONGODB_URI", "CONNECTION_STRING", "PASSWORD", "AUTH_TOKEN", "SESSION_ID",
    "HIGH_ENTROPY_SECRET",
}  # fmt: skip
BEYOND_THE_ISSUE = {"SEED_PHRASE", "DATE_OF_BIRTH"}


def test_every_entity_type_of_the_issue_has_a_recognizer() -> None:
    assert set(available()) == ISSUE_3_TYPES | BEYOND_THE_ISSUE


def test_only_enabled_recognizers_run() -> None:
    emails_only = PiiScanner(["EMAIL"])
    result = emails_only.scan("mail jane.roe@acme-corp.com, ssn 536-90-4399")
    assert [f.entity_type for f in result.findings] == ["EMAIL"]
    assert emails_only.entity_types == ("EMAIL",)


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(UnknownRecognizer, match="EMIAL"):
        PiiScanner(["EMAIL", "EMIAL"])
