"""Risk of a text from its findings: exposure index, GDPR liability estimate, compliance level.

All three are deterministic functions of the findings (type, score, evasion, action, value
hash); values found twice count once.

Exposure index (0-100). Each entity type has a sensitivity weight w from 1 to 10
(SENSITIVITY below; 5 for custom types). For the distinct values v:

    raw   = sum over v of  w(type) * score * (1.25 if found through an evasion else 1)
    index = round(100 * (1 - exp(-raw / 25)))

so one e-mail address scores about 13, one SSN about 24, a private key about 33, and it
saturates towards 100 as sensitive values pile up. Hiding a value is itself a signal,
hence the evasion factor.

GDPR liability estimate (whole euros): what the text would cost if it leaked unprotected,
per distinct value, by GDPR category (PER_RECORD_EUR): 150 for identity and financial
numbers (the average cost per breached record reported by the IBM/Ponemon Cost of a Data
Breach study, rounded), 60 for contact and location data and dates of birth, 25 for
online identifiers, 100 for credentials (a breach of the systems they open), 50 for other
types. It is an order of magnitude for dashboards, not legal advice.

Compliance level, from what the policy did with each finding:
- GOLD: nothing found leaves in clear (every finding redacted, restored or blocked);
- SILVER: only low-sensitivity values (w <= 4) leave in clear (mode `flag`);
- BASIC: a value of sensitivity 5 or more leaves in clear.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from agentshield.engines.pii.result import PiiFinding

_CREDENTIALS = [
    "PRIVATE_KEY",
    "SEED_PHRASE",
    "PASSWORD",
    "AWS_KEY",
    "GITHUB_TOKEN",
    "SLACK_TOKEN",
    "STRIPE_KEY",
    "OPENAI_KEY",
    "GOOGLE_API_KEY",
    "DATABASE_URL",
    "MONGODB_URI",
    "CONNECTION_STRING",
    "URL_WITH_CREDENTIALS",
    "AUTH_TOKEN",
    "JWT",
]
_IDENTITY = [
    "US_SSN",
    "MX_CURP",
    "ES_DNI",
    "ES_NIE",
    "BR_CPF",
    "UK_NHS",
    "IN_AADHAAR",
    "CA_SIN",
    "IT_FISCAL_CODE",
    "NL_BSN",
    "PL_PESEL",
    "UK_NINO",
    "FR_NIR",
]
_FINANCIAL = ["CREDIT_CARD", "IBAN"]

SENSITIVITY: dict[str, int] = {
    **dict.fromkeys(_CREDENTIALS, 10),
    **dict.fromkeys(_IDENTITY, 9),
    "CREDIT_CARD": 9,
    "IBAN": 8,
    "HIGH_ENTROPY_SECRET": 7,
    "SESSION_ID": 7,
    "ADDRESS": 6,
    "DATE_OF_BIRTH": 6,
    "BITCOIN_ADDRESS": 5,
    "ETHEREUM_ADDRESS": 5,
    "PHONE": 5,
    "EMAIL": 4,
    "USERNAME": 3,
    "IP_ADDRESS": 3,
    "IPV6": 3,
    "SWIFT_BIC": 2,
    "MAC_ADDRESS": 2,
}
DEFAULT_SENSITIVITY = 5

PER_RECORD_EUR: dict[str, int] = {
    **dict.fromkeys(_IDENTITY + _FINANCIAL, 150),
    **dict.fromkeys(["EMAIL", "PHONE", "ADDRESS", "USERNAME", "DATE_OF_BIRTH"], 60),
    **dict.fromkeys(["IP_ADDRESS", "IPV6", "MAC_ADDRESS", "SESSION_ID"], 25),
    **dict.fromkeys([*_CREDENTIALS, "HIGH_ENTROPY_SECRET"], 100),
}
DEFAULT_PER_RECORD_EUR = 50
EVASION_FACTOR = 1.25
SATURATION = 25.0


class RiskAssessment(NamedTuple):  # not a frozen dataclass: see result.py
    exposure_index: int
    gdpr_liability_eur: int
    compliance_level: str  # GOLD, SILVER or BASIC
    distinct_values: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "exposure_index": self.exposure_index,
            "gdpr_liability_eur": self.gdpr_liability_eur,
            "compliance_level": self.compliance_level,
            "distinct_values": self.distinct_values,
        }


NO_RISK = RiskAssessment(0, 0, "GOLD", 0)


def assess_risk(findings: Sequence[PiiFinding]) -> RiskAssessment:
    if not findings:
        return NO_RISK
    distinct: dict[tuple[str, str], PiiFinding] = {}
    clear = 0  # the highest sensitivity left in the clear (flagged), 0 if none
    for f in findings:
        key = (f.entity_type, f.value_hash)
        kept = distinct.get(key)
        if kept is None or f.score > kept.score:
            distinct[key] = f
        if f.action == "flag":
            clear = max(clear, SENSITIVITY.get(f.entity_type, DEFAULT_SENSITIVITY))
    raw = 0.0
    liability = 0
    for f in distinct.values():
        weight = SENSITIVITY.get(f.entity_type, DEFAULT_SENSITIVITY)
        raw += weight * f.score * (EVASION_FACTOR if f.evasion else 1.0)
        liability += PER_RECORD_EUR.get(f.entity_type, DEFAULT_PER_RECORD_EUR)
    level = "GOLD" if not clear else "SILVER" if clear <= 4 else "BASIC"
    index = round(100 * (1 - math.exp(-raw / SATURATION)))
    # (Built directly, as result.made does: result.py imports this module.)
    return tuple.__new__(RiskAssessment, (index, liability, level, len(distinct)))
