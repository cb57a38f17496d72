"""Context words near a value: the quick RE2 check never hides a word the windows hold."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.recognizer import CURRENCY_SIGNS, FAR, LABELS, NEAR, Recognizer
from agentshield.engines.pii.registry import build

WITH_CONTEXT = [r for r in build() if r.context]
VALUE = "4111111111111111"


# The rest of a key's name past a word (its further words too), a closing quote, blanks.
NAME = r"""[\w-]*(?:[ \t]+[^\W\d_][\w.#-]*)*["']?[ \t]*"""


def labelled(text: str, window: int, start: int) -> bool:
    """Whether the near window before a value (from `window`) ends in a label of another
    kind's value: a word of LABELS (maybe plural), maybe a tail (`_id`, ` no.`), then the
    marks before a value; the label wholly in the window, or starting it after no letter
    or digit (`re`'s, ignoring case, as for the words); or a currency sign, in the window
    or right before it."""
    signed = text[max(0, window - 1) : start].rstrip(" \t:#=_\"'>-")
    if signed and signed[-1] in CURRENCY_SIGNS:
        return True
    rest = text[window:start].rstrip(" \t:#=_\"'>-")
    rest = rest[:-1] if rest.endswith(".") else rest
    for tail in ("no", "nr", "num", "number", "id", "code"):
        if rest.lower().endswith(tail) and rest[: -len(tail)].rstrip(" \t_-") != rest[: -len(tail)]:
            rest = rest[: -len(tail)].rstrip(" \t_-")
            break
    for label in (label for name in LABELS for label in (name, name + "s")):
        if rest.lower().endswith(label):
            at = len(rest) - len(label)
            before = text[window + at - 1] if window + at > 0 else ""
            return not re.match("[a-z0-9]", before, re.I)  # as the words' edges
    return False


# The key of a value's own field: a JSON member's, a pair's or a line's, opening the text, a
# line or a field.
OWN_KEY = r"""("[^"\n]*"|'[^'\n]*'|[\w.-]+)[ \t]*[:=][ \t]*(["']?)[ \t]*\Z"""
OPENS_A_FIELD = "\n\r{,;&?"


def own_key(text: str, first: int, start: int) -> tuple[int, bool, str]:
    """Where the key of the value at `start` begins, at or after `first`, or -1; whether it
    is a JSON member's (in quotes); the quote opening the value's string, if one does."""
    for at in range(first, start):
        found = re.match(OWN_KEY, text[at:start])
        before = text[:at].rstrip(" \t")
        if found and (not before or before[-1] in OPENS_A_FIELD) and text[at] not in " \t":
            return at, text[at] in "\"'", found.group(2)
    return -1, False, ""


def in_next_field(after: str, quote: str) -> bool:
    """Whether a word after a JSON member's value, `after` between them, is in another
    field: past the value's string (through its closing quote, if one opened it), with
    the brackets closed there taken out, a `,` or a closing bracket before any bracket
    still open."""
    if quote:
        closed = re.match(rf"(?:[^\\{quote}]|\\.)*{quote}", after, re.S)
        if closed is None:
            return False  # in the value's own string
        after = after[closed.end() :]
    while (shorter := re.sub(r"[{\[][^{}\[\]]*[}\]]", "", after)) != after:
        after = shorter
    return bool(re.search(r"[,}\]]", re.split(r"[{\[]", after)[0]))


def in_another_field(between: str) -> bool:
    """Whether a word followed by `between` (up to the value's own key) is in another
    field: with the brackets closed in it taken out (a bracket closes any kind), and what
    comes before one closed there (inside an object that has ended), the first of `,;&`
    or an opening bracket is a separator."""
    while (shorter := re.sub(r"[{\[][^{}\[\]]*[}\]]", "", between)) != between:
        between = shorter
    between = re.split(r"[}\]]", between)[-1]
    first = re.search(r"[,;&{\[]", between)
    return first is not None and first.group(0) in ",;&"


def searched(
    rec: Recognizer, text: str, start: int, end: int, lines: bool = False
) -> tuple[str, float, bool] | None:
    """The definition: the first word wholly in a window (near before, near after, far
    before, far after the value; with `lines`, none past the value's line) with no letter
    or digit before it and no small letter after it (a capital may follow,
    as in a key in camel case)
    in the text, passing over a word whose own last digit meets another (`5417`, "salt",
    in `99541702`), or after the value and followed by `:`, `=` or `>` after the rest of
    a key's name (the next field's key, the next element's tag), or before the value
    with a `]` between them (a list that has ended); keyed when in the near window before
    the value, on its line, with no other key's `:` or `=` between them. A word opening
    with a capital may follow a small letter (a camel case hump: `homePhone`)."""
    words = re.compile(
        r"(?:(?<![a-z0-9])|(?<=(?-i:[a-z]))(?=(?-i:[A-Z])))"
        + leet_alternation(rec.context, opening=True)
        + r"(?!(?-i:[a-z]))",
        re.I,
    )
    blind = re.compile(  # a phrase where a word is none, passed over whole
        r"(?<![a-z0-9])(?:"
        + "|".join(re.escape(p).replace(r"\ ", "[ \t]+") for p in rec.context_blind)
        + r")(?!(?-i:[a-z]))",
        re.I,
    )
    near, far = rec.context_boost, rec.context_boost / 2
    line = text.rfind("\n", 0, start) + 1 if lines else 0
    line_end = (text + "\n").index("\n", end) if lines else len(text) + FAR[1]
    if labelled(text, max(line, start - NEAR[0]), start):
        return None
    windows = [
        ((max(line, start - NEAR[0]), start), near, True),
        ((end, min(line_end, end + NEAR[1])), near, False),
        ((max(line, start - FAR[0]), start), far, False),
        ((end, min(line_end, end + FAR[1])), far, False),
    ]
    key, member, quote = own_key(text, max(line, start - FAR[0]), start)
    for (a, b), boost, keyed in windows:
        passed = a
        for at in range(a, min(b, len(text))):
            phrase = blind.match(text, at, b + 1) if rec.context_blind else None
            if phrase is not None:  # (it may end on the character after the window)
                passed = phrase.end()
            if at < passed:
                continue
            found = words.match(text, at, b + 1)  # sees the character after the window
            if found is None or found.end() > b:
                continue
            next_key = a >= end and (
                re.match(NAME + "[:=>]", text[found.end() :]) is not None
                or (member and in_next_field(text[end : found.start()], quote))
            )
            ended = a < end and "]" in text[found.end() : start]
            ended |= a < end and found.end() <= key and in_another_field(text[found.end() : key])
            glued = re.match(r"\d\d", text[found.end() - 1 : found.end() + 1])
            if not next_key and not ended and not glued:
                between = text[found.end() : start]  # the word's own separator, then
                own = re.match(NAME + "[:=]?", between).end()  # no other key's
                alone = not re.search(r"[\n\r:=]", between[own:])
                return found.group(0).lower(), boost, keyed and alone
    return None


def pieces(rec: Recognizer) -> st.SearchStrategy[str]:
    words = st.sampled_from(rec.context)
    spelt = words.map(lambda w: w.replace("e", "3").replace("a", "4").upper())
    spaced = words.map(lambda w: w.replace(" ", "\x0b"))  # `re` reads it as \s, RE2 does not
    halves = words.flatmap(lambda w: st.sampled_from([w[: len(w) // 2], w[len(w) // 2 :]]))
    humped = words.map(lambda w: "home" + w[:1].upper() + w[1:])  # `homePhone`
    other = st.text(alphabet="abxyz _.-\t\x0b\n17|+$#İı:=\"'[]{},;&?", max_size=6)
    blind = st.sampled_from([*rec.context_blind, *(p[:-1] for p in rec.context_blind), "x"])
    labels = st.sampled_from(
        ["order ", "Invoice No. ", '"order_id": "', "reorder ", "orders#", "$", "€ ", "USD "]
    )
    return st.one_of(
        words, spelt, spaced, halves, humped, other, labels, blind, st.text(max_size=4)
    )


@pytest.mark.parametrize("lines", [False, True])
@pytest.mark.parametrize("rec", WITH_CONTEXT, ids=lambda r: r.entity_type)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_context_near_is_the_window_search(
    rec: Recognizer, lines: bool, data: st.DataObject
) -> None:
    before = "".join(data.draw(st.lists(pieces(rec), max_size=8)))
    after = "".join(data.draw(st.lists(pieces(rec), max_size=6)))
    text = before + VALUE + after
    start, end = len(before), len(before) + len(VALUE)
    assert rec.context_near(text, start, end, lines) == searched(rec, text, start, end, lines)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("call" + VALUE, "call"),  # a word ending where the value starts
        ("x" * 40 + " call" + " " * 19 + VALUE, "call"),  # at the near window's start
        ("x" * 40 + "recall" + " " * 20 + VALUE, None),  # cut by it: no `call` in `recall`
        ("reach" + VALUE + "me later", None),  # no phrase across the value
        ("please c4ll me on " + VALUE, "c4ll"),
    ],
)
def test_context_words_at_the_window_edges(text: str, word: str | None) -> None:
    phone = next(r for r in WITH_CONTEXT if r.entity_type == "PHONE")
    start = text.index(VALUE)
    found = phone.context_near(text, start, start + len(VALUE))
    assert (found and found[0]) == word
    assert found == searched(phone, text, start, start + len(VALUE))


@pytest.mark.parametrize(
    ("text", "entity_type"),
    [
        ("my_ssn=536904399", "US_SSN"),  # a key in snake_case: the word after `_`
        ('{"user_ssn": "536904399"}', "US_SSN"),
        ("ssn_number: 536904399", "US_SSN"),  # the word before `_`
        ("ssn2 536904399", "US_SSN"),  # digits may follow a word
        ("phone_number: 415 555 0132", "PHONE"),
        ("customer_phone=415 555 0132", "PHONE"),
        ("bsn_nummer 111222333", "NL_BSN"),
        ('{"patient_nhs_number": "9434765919"}', "UK_NHS"),
        ("5$n: 536904399", "US_SSN"),  # leetspeak, a digit first
        ('{"ssns": ["536904399"]}', "US_SSN"),  # a plural: a key naming a list
        ('{"phones": ["536904399"]}', "PHONE"),
        # a key in camel case: the word after a hump (`homePhone`, .NET's `CustomerSsn`)
        ('{"customerSsn": "536904399"}', "US_SSN"),
        ('{"homePhone": "4155550132"}', "PHONE"),
        ("HomePhone: 4155550132", "PHONE"),
        ('{"patientNhsNumber": "9434765919"}', "UK_NHS"),
    ],
)
def test_context_words_in_keys_count(text: str, entity_type: str) -> None:
    assert [f.entity_type for f in SCANNER.scan(text).findings] == [entity_type]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the key before a value names it; a word after it is often the next value's key
        ('{"ssn": "536904399", "phone": "415 555 0132"}', ["US_SSN", "PHONE"]),
        ('{"ssn": "536904399", "note": "call me"}', ["US_SSN"]),
        ("phone: 536904399, not the ssn", ["PHONE"]),
        ('{"nhs": "9434765919", "mobile": "07700 900123"}', ["UK_NHS", "PHONE"]),
        # where the word after it is the only one, it still counts
        ("536904399 is my ssn", ["US_SSN"]),
        ("9434765919 (mobile)", ["PHONE"]),
        # a word in a list that has ended before the value is no context: the header
        # row's last name in a spreadsheet range, a tag
        ('[["order_id", "phone"], ["862879409", "4155550132"]]', ["PHONE"]),
        ('{"tags": ["phone"], "id": "862879409"}', []),
        ("908740483 (sin)", ["CA_SIN"]),
        # a value right after a label of a business record's is that record's: no context
        # word nearby makes it personal data
        ("call about order 786074506 today", []),
        ("order 159251258, call me", []),
        ("Invoice No. 786074506 - call the desk", []),
        ('{"team": "call", "order_id": "786074506"}', []),
        ("<ssn>536904399</ssn><order_id>160740601</order_id>", ["US_SSN"]),
        ("<account>1932513942</account><phone_number>", []),  # the next element's name
        ("<phone>4155550132</phone>", ["PHONE"]),
        ("call reorder 786074506", ["PHONE"]),  # a word inside another is no label
        # a number after a currency's sign or code is an amount
        ("call the desk, it was $7752.75 195 items", []),
        ("call me, it costs €7752.75 195", []),
        ("it cost USD 7752.75 195, call me", []),
        ("call me on 7752 75 195", ["PHONE"]),
        # a label names only a value on its line, through RE2 and `re` alike
        ("call about order\n786074506", ["PHONE"]),
        ("é, call about order\n786074506", ["PHONE"]),  # beyond ASCII, through `re`
        ("call me at 786074506 about the order", ["PHONE"]),
        # a key of more words than its context word names the value after it, and is the
        # next value's key after a value
        ("social security number: 536904399 (call me)", ["US_SSN"]),
        ("Social Security No.: 536904399 (call me)", ["US_SSN"]),
        ("536904399, phone number: 4155550132", ["PHONE"]),
        ("name,social security number,mobile phone\nP0,536904399,4155550132", ["US_SSN", "PHONE"]),
        # unless it is the next field's key: a Luhn-valid order number is no SIN
        ('{"order_id": "908740483", "sin": "x"}', []),
        ("order_id: 908740483\nsin: x", []),
        ("order_id=908740483 sin = 3", []),
        ('{"account": "908740483", "sin_number": "x"}', []),
        # nor a word in a field after a JSON member's value
        ('{"account": "6059712633", "team": "call", "pesel": "x"}', []),
        ('{"account": 6059712633, "team": "call"}', []),
        ("{'account': '6059712633', 'team': 'call'}", []),
        ('{"note": "4155550132, call me"}', ["PHONE"]),  # in the value's own string
        ("contact: 415 555 0132, call after 5pm", ["PHONE"]),  # a line's key: prose
        # nor the key of a field before it: the value has its own
        ('{"nhs_number": "x", "account": "3279832381"}', []),
        ('{"nhs_number": "9434765919", "account": "3279832381"}', ["UK_NHS"]),
    ],
)
def test_the_key_before_a_value_names_it(text: str, found: list[str]) -> None:
    assert [f.entity_type for f in SCANNER.scan(text).findings] == found


@pytest.mark.parametrize(
    ("text", "keyed"),
    [
        ("ssn: 536904399", True),
        ('  "ssn": "536904399",', True),
        ("ssn:\n536904399", False),  # a line above: in a table, another column's header
        ("ssn\r\n536904399", False),
        ("ssn,phone\n536904399", False),
        ("ssn, é\n536904399", False),  # beyond ASCII, through Python's `re`
        ("é ssn: 536904399", True),  # beyond ASCII, through Python's `re`
        ('{"ssn" : "536904399"}', True),
        ("ssn number: 536904399", True),  # the key's further words
        ('"ssn no.": 536904399', True),
        ("ssn (id): 536904399", False),  # another name between: no key of the value's own
    ],
)
def test_a_key_is_on_its_values_line(text: str, keyed: bool) -> None:
    ssn = next(r for r in WITH_CONTEXT if r.entity_type == "US_SSN")
    start = text.index("536904399")
    found = ssn.context_near(text, start, start + 9)
    assert found is not None
    assert found[2] is keyed


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # a word in another field before the value's own key (a sibling's) is no context
        ('{"ssn": "x", "id": "536904399"}', None),
        ("ssn=1; id=536904399", None),
        ("/people?ssn=1&id=536904399", None),
        ('"ssn", "id": 536904399', None),
        ("ssn, id: 536904399", None),
        ('{"ssn": {"a": "b"}, "id": "536904399"}', None),  # in an object that has ended
        ("é ssn=1; id=536904399", None),  # beyond ASCII, through Python's `re`
        # but one in the value's own key, or in the key of an object holding it, is
        ('{"ssn": "536904399"}', "ssn"),
        ('{"ssn": {"number": "536904399"}}', "ssn"),
        ('{"ssn": {"kind": "x", "number": "536904399"}}', "ssn"),
        ('{"ssn": "x", "id": {"ssn": "536904399"}}', "ssn"),
        # and a word in prose before a name that opens no field
        ("my ssn, as follows: 536904399", "ssn"),
        ("ssn (id): 536904399", "ssn"),
        # after a JSON member's value, a word in the next field is no context
        ('{"id": "536904399", "team": "ssn"}', None),
        ('{"id": 536904399, "t": {"a": "ssn"}}', None),
        ('[{"id": "536904399"}, {"team": "ssn"}]', None),
        ('{"id": {"n": "536904399", "t": "x"}, "ssn": 1}', None),
        ("é {'id': '536904399', 'team': 'ssn'}", None),  # beyond ASCII, through `re`
        # but one in its own string is, and one after a value that is no member's
        ('{"id": "536904399, ssn"}', "ssn"),
        ('{"id": "536904399 \\"x\\", ssn"}', "ssn"),  # in its own string, past a quote
        ("id: 536904399, ssn", "ssn"),
        ('["536904399", "ssn"]', "ssn"),
    ],
)
def test_a_word_in_another_field_is_no_context(text: str, word: str | None) -> None:
    ssn = next(r for r in WITH_CONTEXT if r.entity_type == "US_SSN")
    start = text.index("536904399")
    found = ssn.context_near(text, start, start + 9)
    assert (found and found[0]) == word
    assert found == searched(ssn, text, start, start + 9)


@pytest.mark.parametrize(
    "text",
    [
        "order_no 536904399",  # a key, but no context word
        "lessons 536904399",  # a word inside another
        "phoneme 536904399",  # a word before more letters than a plural's
        "x1ssn 536904399",  # a digit before the word
        "customerssn 536904399",  # a word inside another, in small letters: no hump
        "CUSTOMERSSN 536904399",  # nor in capitals
        "$$n: 536904399",  # no context word opens with a mark
        # `5417` spells "salt", a HIGH_ENTROPY_SECRET context word, but not inside a number:
        # a digit before it, or one after its own last digit
        "build 9954170 shipped 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
        "build 541702 shipped 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
        "build 541702 shipped, é 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",  # beyond ASCII
    ],
)
def test_what_is_no_context_word(text: str) -> None:
    assert SCANNER.scan(text).findings == ()


SCANNER = PiiScanner()
