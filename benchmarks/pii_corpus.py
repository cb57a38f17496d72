"""A labelled, generated chat corpus for the PII benchmark (seeded, so every run is the same).

Messages are ordinary chat (prose, code, dates, prices, versions, ids) and a share of them
carry one or two values of the entity types both engines know, each with a valid checksum,
next to look-alike numbers that fail theirs. Labels are (start, end, entity_type).
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from collections.abc import Callable

import phonenumbers
from stdnum import luhn, verhoeff
from stdnum.es import dni, nie
from stdnum.gb import nhs
from stdnum.iban import calc_check_digits
from stdnum.it import codicefiscale
from stdnum.pl import pesel

Label = tuple[int, int, str]

WORDS = [
    "the",
    "a",
    "we",
    "our",
    "team",
    "will",
    "can",
    "should",
    "please",
    "thanks",
    "meeting",
    "report",
    "budget",
    "deploy",
    "release",
    "server",
    "build",
    "test",
    "review",
    "customer",
    "invoice",
    "order",
    "shipping",
    "weekend",
    "project",
    "design",
    "draft",
    "update",
    "change",
    "issue",
    "ticket",
    "bug",
    "fix",
    "merge",
    "branch",
    "schedule",
    "call",
    "notes",
    "plan",
    "idea",
    "question",
    "answer",
    "today",
    "tomorrow",
    "morning",
    "afternoon",
    "quick",
    "short",
    "long",
    "simple",
    "detail",
    "data",
    "model",
    "prompt",
    "agent",
    "tool",
    "result",
    "error",
    "retry",
    "latency",
    "cost",
    "token",
    "context",
    "window",
    "summary",
    "translate",
    "list",
]
NOISE: list[Callable[[random.Random], str]] = [
    lambda r: f"{r.randint(2019, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    lambda r: f"{r.randint(1, 12)}:{r.randint(0, 59):02d}",
    lambda r: f"${r.randint(1, 9999)}.{r.randint(0, 99):02d}",
    lambda r: f"v{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
    lambda r: f"#{r.randint(100, 99999)}",
    lambda r: "".join(r.choice("0123456789abcdef") for _ in range(40)),  # commit id
    lambda r: str(r.randint(10**15, 10**16 - 1)),  # order number, almost never Luhn-valid
    lambda r: f"{r.randint(1, 500)} items",
    lambda r: f"order {r.randint(10**8, 10**9 - 1)}",
]


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _email(r: random.Random) -> str:
    first, last = (
        r.choice(["john", "maria", "li", "ahmed", "sofia"]),
        r.choice(["doe", "garcia", "chen", "khan"]),
    )
    return (
        f"{first}.{last}@{r.choice(['acme-corp.com', 'example.org', 'globex.io', 'initech.co.uk'])}"
    )


def _phone(r: random.Random) -> str:
    while True:
        area, exchange, line = (
            r.choice([212, 312, 415, 617, 206]),
            r.randint(200, 999),
            _digits(r, 4),
        )
        text = r.choice(["+1 {a} {e} {l}", "({a}) {e}-{l}", "+1-{a}-{e}-{l}"]).format(
            a=area, e=exchange, l=line
        )
        if phonenumbers.is_valid_number(phonenumbers.parse(text, "US")):
            return text


def _card(r: random.Random) -> str:
    body = "4" + _digits(r, 14)
    number = body + luhn.calc_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if r.random() < 0.5 else number


def _iban(r: random.Random) -> str:
    number = "GB00WEST" + _digits(r, 14)
    number = number[:2] + calc_check_digits(number) + number[4:]
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _ssn(r: random.Random) -> str:
    return f"{r.randint(1, 665):03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"


def _nhs(r: random.Random) -> str:
    while True:
        number = _digits(r, 10)
        if nhs.is_valid(number):
            return f"{number[:3]} {number[3:6]} {number[6:]}"


def _dni(r: random.Random) -> str:
    body = _digits(r, 8)
    return body + dni.calc_check_digit(body)


def _nie(r: random.Random) -> str:
    body = r.choice("XYZ") + _digits(r, 7)
    return body + nie.calc_check_digit(body)


def _fiscal(r: random.Random) -> str:
    letters = "".join(r.choice(string.ascii_uppercase) for _ in range(6))
    month = r.choice("ABCDEHLMPRST")
    body = f"{letters}{r.randint(40, 99)}{month}{r.randint(1, 28):02d}A{_digits(r, 3)}"
    return body + codicefiscale.calc_check_digit(body)


def _pesel(r: random.Random) -> str:
    body = f"{r.randint(50, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{_digits(r, 4)}"
    return body + pesel.calc_check_digit(body)


def _aadhaar(r: random.Random) -> str:
    body = str(r.randint(2, 9)) + _digits(r, 10)
    number = body + verhoeff.calc_check_digit(body)
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def _sin(r: random.Random) -> str:
    body = str(r.choice([1, 2, 3, 4, 5, 6, 7, 9])) + _digits(r, 7)
    number = body + luhn.calc_check_digit(body)
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _nino(r: random.Random) -> str:
    pairs = " ".join(_digits(r, 2) for _ in range(3))
    return f"{r.choice('ACEHJ')}{r.choice('BCEHJ')} {pairs} {r.choice('ABCD')}"


def _ip(r: random.Random) -> str:
    return f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def _mac(r: random.Random) -> str:
    return ":".join(f"{r.randint(0, 255):02x}" for _ in range(6))


def _bitcoin(r: random.Random) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    payload = b"\x00" + r.randbytes(20)
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, rem = divmod(n, 58)
        out = alphabet[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


# Our entity type -> (generator, Presidio's entity type, how people introduce it)
ENTITIES: dict[str, tuple[Callable[[random.Random], str], str, str]] = {
    "EMAIL": (_email, "EMAIL_ADDRESS", "write to"),
    "PHONE": (_phone, "PHONE_NUMBER", "call me on"),
    "CREDIT_CARD": (_card, "CREDIT_CARD", "my card is"),
    "IBAN": (_iban, "IBAN_CODE", "pay to"),
    "US_SSN": (_ssn, "US_SSN", "my ssn is"),
    "UK_NHS": (_nhs, "UK_NHS", "nhs number"),
    "ES_DNI": (_dni, "ES_NIF", "dni"),
    "ES_NIE": (_nie, "ES_NIE", "nie"),
    "IT_FISCAL_CODE": (_fiscal, "IT_FISCAL_CODE", "codice fiscale"),
    "PL_PESEL": (_pesel, "PL_PESEL", "pesel"),
    "IN_AADHAAR": (_aadhaar, "IN_AADHAAR", "aadhaar"),
    "CA_SIN": (_sin, "CA_SIN", "sin"),
    "UK_NINO": (_nino, "UK_NINO", "national insurance"),
    "IP_ADDRESS": (_ip, "IP_ADDRESS", "from host"),
    "MAC_ADDRESS": (_mac, "MAC_ADDRESS", "device"),
    "BITCOIN_ADDRESS": (_bitcoin, "CRYPTO", "send btc to"),
}


def _prose(r: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        parts.append(r.choice(NOISE)(r) if r.random() < 0.06 else r.choice(WORDS))
    return " ".join(parts).capitalize() + "."


def corpus(messages: int, pii_share: float, seed: int = 7) -> list[tuple[str, list[Label]]]:
    r = random.Random(seed)
    out: list[tuple[str, list[Label]]] = []
    for _ in range(messages):
        text, labels = _prose(r, r.randint(20, 80)), []
        for _ in range(r.choice([1, 1, 2]) if r.random() < pii_share else 0):
            entity = r.choice(list(ENTITIES))
            make, _, intro = ENTITIES[entity]
            value = make(r)
            text += f" {intro.capitalize()} "
            labels.append((len(text), len(text) + len(value), entity))
            text += value + ". " + _prose(r, r.randint(5, 20))
        out.append((text, labels))
    return out


# Tool results: JSON records and tables. The keys or headers name each type's field.
KEYS: dict[str, tuple[str, ...]] = {
    "EMAIL": ("email", "contact_email"),
    "PHONE": ("phone", "phone_number", "mobile"),
    "CREDIT_CARD": ("card_number", "credit_card"),
    "IBAN": ("iban",),
    "US_SSN": ("ssn", "customer_ssn"),
    "UK_NHS": ("nhs_number",),
    "ES_DNI": ("dni",),
    "ES_NIE": ("nie",),
    "IT_FISCAL_CODE": ("codice_fiscale",),
    "PL_PESEL": ("pesel",),
    "IN_AADHAAR": ("aadhaar",),
    "CA_SIN": ("sin",),
    "UK_NINO": ("nino", "national_insurance"),
    "IP_ADDRESS": ("ip", "last_login_ip"),
    "MAC_ADDRESS": ("device_mac",),
    "BITCOIN_ADDRESS": ("btc_wallet",),
}
# Fields that hold no personal data, several of them look-alike numbers and hashes.
PLAIN: dict[str, Callable[[random.Random], str]] = {
    "id": lambda r: str(r.randint(1, 99999)),
    "order_id": lambda r: str(r.randint(10**8, 10**9 - 1)),
    "account": lambda r: str(r.randint(10**9, 10**10 - 1)),
    "status": lambda r: r.choice(["active", "closed", "pending", "on hold"]),
    "amount": lambda r: f"{r.randint(1, 9999)}.{r.randint(0, 99):02d}",
    "created_at": lambda r: f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "sku": lambda r: f"SKU-{_digits(r, 8)}",
    "commit": lambda r: "".join(r.choice("0123456789abcdef") for _ in range(40)),
    "team": lambda r: r.choice(WORDS),
}
_SEPARATED = {"US_SSN": "-", "UK_NHS": " ", "CA_SIN": " ", "IN_AADHAAR": " ", "CREDIT_CARD": " "}


def _field_value(r: random.Random, entity: str) -> str:
    """A value of `entity`, its separators dropped half the time, as databases store it."""
    value = ENTITIES[entity][0](r)
    separator = _SEPARATED.get(entity)
    return value.replace(separator, "") if separator and r.random() < 0.5 else value


def tool_results(messages: int, seed: int = 17) -> list[tuple[str, list[Label]]]:
    """Labelled tool results of 1-12 rows, each of a schema of 2-4 plain fields and 1-3
    fields of personal data: JSON lists of records, JSON objects of columns (a list under
    each key), spreadsheet ranges (a JSON list of rows, the first the header), CSV,
    markdown and HTML tables."""
    r = random.Random(seed)
    out: list[tuple[str, list[Label]]] = []
    for _ in range(messages):
        entities = r.sample(list(KEYS), r.randint(1, 3))
        fields = [(key, None) for key in r.sample(list(PLAIN), r.randint(2, 4))]
        fields += [(r.choice(KEYS[e]), e) for e in entities]
        r.shuffle(fields)
        rows = [
            [(PLAIN[key](r) if e is None else _field_value(r, e), e) for key, e in fields]
            for _ in range(r.randint(1, 12))
        ]
        form = r.choice(["json", "columns", "sheet", "csv", "markdown", "html"])
        if form == "json":
            out.append(_as_json(fields, rows))
        elif form in ("columns", "sheet"):
            out.append(_as_lists(fields, rows, form))
        else:
            out.append(_as_table(fields, rows, form))
    return out


Row = list[tuple[str, str | None]]


def _as_json(fields: list[tuple[str, str | None]], rows: list[Row]) -> tuple[str, list[Label]]:
    text, labels = "[", []
    for n, row in enumerate(rows):
        text += ", " * (n > 0) + "{"
        for k, ((key, _), (value, entity)) in enumerate(zip(fields, row, strict=True)):
            text += ", " * (k > 0) + f'"{key}": "'
            if entity is not None:
                labels.append((len(text), len(text) + len(value), entity))
            text += value + '"'
        text += "}"
    return text + "]", labels


def _as_lists(
    fields: list[tuple[str, str | None]], rows: list[Row], form: str
) -> tuple[str, list[Label]]:
    """`{"key": ["value", …], …}` (columns) or `{"range": …, "values": [["key", …], …]}`."""
    labels: list[Label] = []

    def items(values: list[tuple[str, str | None]]) -> str:
        text_ = ""
        for k, (value, entity) in enumerate(values):
            text_ += ", " * (k > 0) + '"'
            if entity is not None:
                labels.append((len(text) + len(text_), len(text) + len(text_) + len(value), entity))
            text_ += value + '"'
        return text_

    if form == "columns":
        text = "{"
        for k, (key, _) in enumerate(fields):
            text += ", " * (k > 0) + f'"{key}": ['
            text += items([row[k] for row in rows]) + "]"
        return text + "}", labels
    text = f'{{"range": "Sheet1!A1:{chr(64 + len(fields))}{len(rows) + 1}", "values": [['
    text += items([(key, None) for key, _ in fields]) + "]"
    for row in rows:
        text += ", ["
        text += items(row) + "]"
    return text + "]}", labels


def _as_table(
    fields: list[tuple[str, str | None]], rows: list[Row], form: str
) -> tuple[str, list[Label]]:
    keys = [key for key, _ in fields]
    if form == "csv":
        text, labels = ",".join(keys), []
        before, between, after = "\n", ",", ""
    elif form == "html":  # a fetched page's table
        text, labels = "<table>\n<tr>" + "".join(f"<th>{key}</th>" for key in keys) + "</tr>", []
        before, between, after = "\n<tr><td>", "</td><td>", "</td></tr>"
    else:
        text, labels = "| " + " | ".join(keys) + " |\n|" + "---|" * len(keys), []
        before, between, after = "\n| ", " | ", " |"
    for row in rows:
        text += before
        for k, (value, entity) in enumerate(row):
            text += between * (k > 0)
            if entity is not None:
                labels.append((len(text), len(text) + len(value), entity))
            text += value
        text += after
    return text + "\n</table>" * (form == "html"), labels


Labelled = list[tuple[str, list[Label]]]


def cut_short(labelled: Labelled, share: float = 0.7) -> Labelled:
    """`labelled` tool results cut after `share` of their text, as agents' frameworks
    truncate long tool output, with the labels wholly before the cut."""
    out: Labelled = []
    for text, labels in labelled:
        cut = int(len(text) * share)
        out.append((text[:cut], [label for label in labels if label[1] <= cut]))
    return out


def is_json(text: str) -> bool:
    return text.startswith(("[", "{"))


def json_pretty(labelled: Labelled) -> Labelled:
    """The JSON ones among `labelled` tool results pretty-printed (indented two spaces)."""
    out: Labelled = []
    for text, labels in labelled:
        if is_json(text):
            pretty, moved, at = json.dumps(json.loads(text), indent=2), [], 0
            for start, end, entity in sorted(labels):
                at = pretty.index(text[start:end], at)
                moved.append((at, at + end - start, entity))
                at += end - start
            out.append((pretty, moved))
    return out
