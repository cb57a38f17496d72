"""Context-aware redaction forms that keep what helps the model and drop what identifies.

- EMAIL keeps the organisation's domain (`<EMAIL_DOMAIN:company.com>`) unless the domain is
  a personal mailbox provider, too short to be an organisation, or contains the mailbox's
  own name (`john@johnsmith.com`): then `<EMAIL>`.
- PHONE and CREDIT_CARD keep the last four digits (as receipts do), never more.
- IP_ADDRESS keeps the /16 network, IPV6 the /32.
- ADDRESS keeps the city and region or the town (`<ADDRESS_PATTERN_PARTIAL:New York, NY>`),
  never the street, number or postcode.
- USERNAME keeps two leading characters of a handle of six or more (`<USERNAME_HINT:jo***>`).
- Everything else (secrets, national IDs, bank details) becomes `<ENTITY_TYPE>`.

A value also read as a type of that last kind (`536904399`: PHONE and US_SSN) becomes
`<ENTITY_TYPE>` too: a form shows only what every reading of the value would.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable

PERSONAL_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.es",
        "yahoo.fr",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.es",
        "hotmail.fr",
        "outlook.com",
        "outlook.es",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
        "tutanota.com",
        "tuta.io",
        "fastmail.com",
        "hey.com",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "free.fr",
        "orange.fr",
        "laposte.net",
        "libero.it",
        "virgilio.it",
        "t-online.de",
        "btinternet.com",
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "rediffmail.com",
    ]
)
_SECOND_LEVEL = frozenset({"co", "com", "ac", "gov", "org", "net", "edu", "gob", "nic"})
_MIN_ORG_LABEL = 4
_US_TAIL = re.compile(r",\s*([A-Z][a-z]+(?: [A-Z][a-z]+){0,2}),\s*([A-Z]{2})\b")
_UK_TAIL = re.compile(
    r",\s*([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?:,?\s*[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})?$"
)
_ES_TAIL = re.compile(r"\b\d{5}\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñü]+(?: [A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?)$")
_NAME_PARTS = re.compile(r"[._+-]")  # of a mailbox's name (`john.smith`)
_NOT_DIGIT = re.compile(r"\D")


def _email(value: str) -> str | None:
    local, _, domain = value.lower().rpartition("@")
    labels = domain.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    registrable = ".".join(labels[-keep:])
    org = labels[-keep]
    if registrable in PERSONAL_MAIL or domain in PERSONAL_MAIL or len(org) < _MIN_ORG_LABEL:
        return None
    names = [part for part in _NAME_PARTS.split(local) if len(part) >= 3]
    if any(part in org for part in names) or org in local:
        return None
    return registrable


def _last_four(value: str) -> str | None:
    digits = _NOT_DIGIT.sub("", value)
    return digits[-4:] if len(digits) >= 8 else None


def _ipv4(value: str) -> str:
    a, b, _, _ = value.replace("-", ".").split(".")  # (a host name's: `ip-10-0-1-23`)
    return f"{a}.{b}.XXX.XXX"


def _ipv6(value: str) -> str:
    network = ipaddress.IPv6Network(f"{value}/32", strict=False)
    return str(network)


def _address(value: str) -> str | None:
    if ";" in value:  # a vCard's: street;town;region;postcode;country
        town_and_region = (part.strip() for part in value.split(";")[1:3])
        return ", ".join(part for part in town_and_region if part) or None
    us = _US_TAIL.search(value)
    if us:
        return f"{us.group(1)}, {us.group(2)}"
    for tail in (_UK_TAIL, _ES_TAIL):
        found = tail.search(value)
        if found:
            return found.group(1)
    return None


def _username(value: str) -> str | None:
    return value[:2] + "***" if len(value) >= 6 else None


_FORMS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "EMAIL": ("EMAIL_DOMAIN", _email),
    "PHONE": ("PHONE_LAST_4", _last_four),
    "CREDIT_CARD": ("CREDIT_CARD_LAST_4", _last_four),
    "IP_ADDRESS": ("IP_ADDRESS_SUBNET", _ipv4),
    "IPV6": ("IPV6_SUBNET", _ipv6),
    "ADDRESS": ("ADDRESS_PATTERN_PARTIAL", _address),
    "USERNAME": ("USERNAME_HINT", _username),
}


def context_form(entity_type: str, value: str, also: Iterable[str] = ()) -> str:
    """The value's form as `entity_type`, other readings of it being `also`."""
    form = _FORMS.get(entity_type)
    hint = None
    if form is not None and all(other in _FORMS for other in also):
        try:
            hint = form[1](value)
        except ValueError:  # a value found in an odd shape (e.g. an IP from a decoded span)
            hint = None
    return f"<{form[0]}:{hint}>" if form is not None and hint else f"<{entity_type}>"
