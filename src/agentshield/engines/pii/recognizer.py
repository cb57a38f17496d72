"""The recognizer contract: data (patterns, context words, scores) plus a validate hook.

A recognizer is one class in one file under `recognizers/`. Patterns are RE2 syntax; a group
named `value` narrows the reported span to the value, a group named `key` marks the keyword
that introduced it (`password: hunter2`). `validate` holds the checksum beside the pattern:
True raises the score to `checked_score`, False means "not this entity", None means the
format has no checksum. A pattern's own `refuse` names what it matches that is not the
entity whatever the checks say (`curl -u admin`: a user alone, no password).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from agentshield.engines.pii._finder import Context
from agentshield.engines.pii.layers import FAST_PATH
from agentshield.engines.pii.leet import glued_digits, hump_alternation, leet_alternation

# Context words count fully within NEAR characters of a value, half as much within FAR.
NEAR = (24, 16)  # characters before, after
FAR = (60, 24)
# What may follow a word that is a key: the rest of its name (its further words too:
# `social security number`, `phone no.`), a closing quote, blanks.
_PAST_NAME = r"""[\w-]*(?:[ \t]+[^\W\d_][\w.#-]*)*["']?[ \t]*"""
# After a value, a word followed by its `:` or `=` is the next field's key, and one followed
# by `>` a tag's name (the next element's), not context.
_NEXT_KEY = re.compile(_PAST_NAME + r"[:=>]")
# Before a value, a word keys it when no line break and no other key's `:` or `=` follows.
_KEYS = re.compile(_PAST_NAME + r"[:=]?[^\n\r:=]*")
# The key of a value's own field, right before it (searched up to the value): a JSON
# member's, a `key=value` pair's or a line's, opening the text, a line or a field.
_OWN_KEY = re.compile(
    r"""(?:^|(?<=[\n\r{,;&?]))[ \t]*("[^"\n]*"|'[^'\n]*'|[\w.-]+)[ \t]*[:=][ \t]*(["']?)[ \t]*\Z"""
)
# Words that name a value of another kind, a business record's: a value right after one
# (`order 786074506`, `invoice no. 4471`, `"order_id": "9087"`, `<order_id>9087`) is that
# record's, and no context word nearby makes it personal data (`call about order 7860`).
LABELS = ("order", "invoice", "ticket", "sku", "tracking", "case", "build", "version")
LABELS += ("issue", "transaction", "txn", "confirmation", "booking", "shipment", "receipt")
LABELS += ("serial", "item", "ref", "reference", "incident", "request", "job", "batch", "lot")
LABELS += ("part", "po", "bug", "task", "claim", "quote")
# A currency's code or sign before a number makes it an amount (`$7752.75 195 items` is no
# Polish phone number, whatever word is near).
LABELS += ("usd", "eur", "gbp")
CURRENCY_SIGNS = "$€£¥"


def _label_before(words: Sequence[str], signs: str = "") -> str:
    """A regex for the end of the near window before a value (after the character before
    the window, or a NUL) when one of `words` labels it, with its name's tail (`_id`,
    ` no.`), or one of `signs` opens it, then what stands before a value."""
    marks = "|[" + re.escape(signs) + "]" if signs else ""
    return (
        r"(?i)(?:[^a-z0-9](?:" + "|".join(words) + r")s?(?:[ \t_-]+(?:no|nr|num|number|id|code))?"
        r"\.?" + marks + r")[ \t:#=_\"'>-]*"
    )


# A docstring's field naming an argument (`:param user: indicates to use …`), and the
# sentence a docstring's line gives one (`client_secret: Configuration options for …`).
_FIELD = re.compile(
    r":(?:param|parameter|arg|argument|key|keyword|type|var|ivar|cvar)[ \t][^:\n]*:[ \t]*\Z"
)
# A capitalised word (a label's, with its colon: `user: Deprecated: use …`), then small
# ones; or a title's acronym and words (`password: HTTP Basic Auth password.`).
_DESCRIPTION = re.compile(r"[A-Z][a-z]+:?[ \t]+[a-z]|[A-Z]{2,}[ \t]+[A-Z][a-z]+[ \t]+[A-Za-z]")
# A doc comment's field, at its line's start (kernel-doc's and JSDoc's `* @handle: memory
# handle returned by alloc`, `/// @password: …`, `# @param user: …`).
_DOC_FIELD = re.compile(r"(?m)^[ \t]*(?:/\*\*?|\*|//+|#)[ \t]*@[\w.]+(?:[ \t]+[\w.]+)?:[ \t]*\Z")


def describes_argument(text: str, start: int) -> bool:
    """Whether what starts at `start` describes an argument (a docstring's), not a value:
    it opens a sentence, or a docstring's or doc comment's field names the argument before
    it."""
    near = max(0, start - 40)
    return (
        _DESCRIPTION.match(text, start) is not None
        or _FIELD.search(text, near, start) is not None
        or _DOC_FIELD.search(text, near, start) is not None
    )


# A run of one character: the docs' placeholder for a key (`ghp_xxxx…`, `AKIAXXXX…`).
# In a random key of 40 characters of 62 kinds, a run of 8 comes once in ~10^11.
_FILLER = re.compile(r"(.)\1{7}")


def placeholder(value: str) -> bool:
    """Whether a key's value is the docs' placeholder (`sk_live_xxxxxxxx…`)."""
    return _FILLER.search(value) is not None


# A constant's name in code (`SEC_ERROR_BASE`, `P11_KIT_URI_FOR_OBJECT`): three parts or
# more, one a word of three letters or more (a random key's groups are not: `AB12_CD34_EF56`).
_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*){2,}")
_WORD_PART = re.compile(r"(?:\A|_)[A-Z]{3,}(?:_|\Z)")


def constant_name(value: str) -> bool:
    """Whether a bare value is a constant's name, which a key's value refers to in code
    (`SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 15`), not a secret."""
    return _CONSTANT.fullmatch(value) is not None and _WORD_PART.search(value) is not None


def in_collation_weights(text: str, start: int) -> bool:
    """Whether a value opens a collation element's weights (`[.0201.0020.0002]`,
    `[*0294.0020.0002]`: the Unicode collation table, allkeys.txt), which read as Cisco's
    MAC addresses and as phone numbers in dots."""
    return text[max(0, start - 2) : start] in ("[.", "[*")


_LABEL_BEFORE = _label_before(LABELS, CURRENCY_SIGNS)
LABELLED = _LABEL_BEFORE + "$"  # for RE2, whose `$` is the text's end
_LABELLED = re.compile(_LABEL_BEFORE + r"\Z")  # `re`'s `$` is also before a last line break


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    regex: str
    score: float
    # A value this pattern matches that is not the entity (truthy: refused), judged on each
    # span before the recognizer's checks (detector.py).
    refuse: Callable[[str], object] | None = None
    # False: text where only this pattern could match a ROT13 or reversed view builds
    # none (its triggers would cost more than the evasion it finds); a view built for
    # another pattern still runs it.
    turned: bool = True
    # Where a value of this pattern must stand, `(text, start) -> bool`, asked before the
    # checks (native/assess.cpp): for a regex another recognizer runs too, whose values are
    # this entity only in some places (`jdoe@host` after `ssh`: a USERNAME).
    place: Callable[[str, int], bool] | None = None
    # A regex (RE2) a value must hold somewhere for the checks to run, judged natively: for
    # a regex whose matches this recognizer's checks mostly refuse on their characters
    # alone, so that those cost no call into Python. It must refuse only what they do.
    screen: str | None = None
    # True: its values are glued to more by nature (`ip-10-0-1-23.ec2.internal`), where the
    # recognizer's `strict_edges` would refuse them.
    free_edges: bool = False


class Recognizer:
    entity_type: ClassVar[str]
    patterns: ClassVar[tuple[Pattern, ...]] = ()
    context: ClassVar[tuple[str, ...]] = ()  # words near a match that raise its score
    context_boost: ClassVar[float] = 0.35
    checksum: ClassVar[str] = ""  # the check's name, for explanations
    checked_score: ClassVar[float] = 0.0
    layer: ClassVar[str] = FAST_PATH
    # False for recognizers a ROT13 or reversed view cannot help (digits only, entropy).
    letter_sensitive: ClassVar[bool] = True
    # The views ("rot13", "reversed") that make ordinary values read as this entity by
    # chance: ROT13 changes only a DNI's check letter, so one in 23 of the numbers that
    # fail it pass in that view, and a letter and eight digits (a Spanish company's tax
    # id, an order number) reversed is a DNI's shape. There its values need a context word
    # (scanner.PiiScanner._not_by_chance).
    turned_by_chance: ClassVar[tuple[str, ...]] = ()
    # Reject a match glued to more of the same (`1.2.3.4.5`, `123-45-6789-1`; a network's
    # prefix length, `192.0.2.2/24`, is not): native/assess.cpp.
    strict_edges: ClassVar[bool] = False
    # Labels of another thing: a value right after one is not this entity, whatever its
    # checks say (`version 1.2.3.4` is no IP address). See `refused`.
    not_after: ClassVar[tuple[str, ...]] = ()
    # Values are random keys or tokens: a placeholder in a key's shape is none.
    random: ClassVar[bool] = False
    # False: its context words are not in the detector's Sets even when a pattern needs one
    # (detector._gated), and that pattern runs wherever it matches, not only on text
    # holding one (context is looked for near each match, as always): for words whose place
    # in the Sets costs new text more than the runs they spare (measured per recognizer
    # with pii_instructions.py).
    gated: ClassVar[bool] = True
    # Phrases holding a context word where it is none, from the word on (Python's
    # `Traceback (most recent call last):` holds PHONE's `call`): passed over whole.
    context_blind: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        words = leet_alternation(self.context, opening=True) if self.context else ""
        humps = hump_alternation(self.context) if self.context else ""
        blind = "|".join(re.escape(p).replace(r"\ ", "[ \t]+") for p in self.context_blind)
        # A capital may follow a word, as in a key in camel case (`"phoneNumber": …`), and
        # a small letter may come before it, the word opening with a capital (`homePhone`).
        after_hump = r"|(?<=(?-i:[a-z]))" + humps if humps else ""
        # A blind phrase, first, wins where it opens with a word; found, it is passed over.
        passed = rf"(?<![a-z0-9])(?P<blind>{blind})|" if blind else ""
        self._context = (
            re.compile(
                r"(?:" + passed + r"(?<![a-z0-9])" + words + after_hump + r")(?!(?-i:[a-z]))",
                re.I,
            )
            if words
            else None
        )
        # The same search for ASCII windows in RE2 (native/context.cpp): `re` tries the
        # alternation at every position, ~7 µs for a far window. The look-arounds become
        # consumed neighbours (each window follows a NUL, so every word has one before it),
        # which give the same first match, and `\s` is spelt as Python's (`_re2_blanks`). A
        # blind phrase is in no group.
        self.context_words: Context | None = (
            Context(
                r"(?i)(?:"
                + (rf"[^a-z0-9](?:{blind})|" if blind else "")
                + r"[^a-z0-9]("
                + _re2_blanks(words)
                + (r")|(?-i:[a-z])(" + _re2_blanks(humps) if humps else "")
                + r"))(?:[^a-z]|(?-i:[A-Z])|$)",
                *FAR,
                *NEAR,
                LABELLED,
            )
            if words
            else None
        )
        self._not_after = (
            re.compile(_label_before(self.not_after) + r"\Z") if self.not_after else None
        )

    def refused(self, text: str, start: int) -> bool:
        """Whether the place of a value starting at `start` refuses it, asked last, of a
        value whose checks passed and whose score reached the minimum: here, a label in
        `not_after` right before it, within the near window."""
        near = max(0, start - NEAR[0])
        return self._not_after is not None and _labelled(self._not_after, text, near, start)

    def validate(self, value: str) -> bool | None:
        return None

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        """Sub-spans of a match to try, best first (an IBAN may have swallowed a word). With
        `strict_edges`, each keeps the match's start, which the compiled finder judges
        before the checks."""
        yield 0, len(value)

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        """Score and explanation for a value, or None when it is not this entity."""
        if self.random and placeholder(value):
            return None
        verdict = self.validate(value)
        if verdict is False:
            return None
        if verdict:
            return max(pattern.score, self.checked_score), f"{self.checksum} valid"
        return pattern.score, ""

    def ceiling(self, pattern: Pattern) -> float:
        """The best score `assess` can give this pattern's matches, before context."""
        return max(pattern.score, self.checked_score)

    def context_near(
        self, text: str, start: int, end: int, lines: bool = False
    ) -> tuple[str, float, bool] | None:
        """The context word near a value, the boost it gives, and whether it is in the near
        window before the value and on its line (a key or a label: `keyed`), if any: the
        first wholly in a near window (before, then after the value), else in a far one,
        with no ASCII letter or digit before it and no letter after it in the text, nor a
        digit after a digit of its own (see `glued_digits`); not the next field's key (or
        element's tag name) after the value, nor a word before it in a list that has ended
        (a `]` between them) or in another field before the value's own key (`{"nhs": "x",
        "account": …}`), nor one in the next field after a JSON member's value. With
        `lines`, the windows end at the value's line: in a view listing values
        (views.Listing), a value's context is its own label, not its neighbours'."""
        if self._context is None or self.context_words is None:
            return None
        found = self.context_words.find(text, start, end, lines)
        if found is not NotImplemented:  # the windows are ASCII
            if found is None:
                return None
            word, is_near, keyed = found
            return word, self.context_boost if is_near else self.context_boost / 2, keyed
        return _first_word(self._context, text, start, end, self.context_boost, lines)


def _first_word(
    words: re.Pattern[str], text: str, start: int, end: int, boost: float, lines: bool
) -> tuple[str, float, bool] | None:
    """`Recognizer.context_near` with Python's `re` (native/context.cpp for ASCII windows):
    each window after a NUL and with the text's characters on either side of it, so that
    a word is judged by its real neighbours."""
    first, last = max(0, start - FAR[0]), end + FAR[1]
    if lines:
        first = text.rfind("\n", first, start) + 1 or first
        line_end = text.find("\n", end, last)
        last = line_end if line_end >= 0 else last
    near = max(first, start - NEAR[0])
    if _labelled(_LABELLED, text, near, start):
        return None  # another kind's value (see LABELLED)
    field = _OWN_KEY.search(text, first, start)  # the value's own key
    key = field.start(1) if field else -1
    member = field is not None and field.group(1)[0] in "\"'"  # a JSON member's value
    windows = (
        (near, start),
        (end, min(last, end + NEAR[1])),
        (first, start),
        (end, last),
    )
    for k, (a, b) in enumerate(windows):
        part = "\0" + text[max(0, a - 1) : b + 1]
        own = (1 + (a > 0), 1 + (a > 0) + len(text[a:b]))  # the window's characters in `part`
        at = 0
        while found := words.search(part, at):
            if found.lastgroup == "blind":  # (Recognizer.context_blind)
                at = found.end()
                continue
            inside = own[0] <= found.start() and found.end() <= own[1]
            in_text = max(0, a - 1) + found.end() - 1  # where the word ends in `text`
            if k % 2:  # after the value: not the next field's key, nor in another field
                passed = _NEXT_KEY.match(text, in_text) is not None or (
                    member and _next_field(text, field.group(2), end, in_text - len(found[0]))
                )
            else:  # before it: not in a list that has ended, nor in another field
                passed = "]" in text[in_text:start] or (
                    0 <= in_text <= key and _sibling(text, in_text, key)
                )
            if inside and not passed and not glued_digits(part, found.end()):
                keyed = k == 0 and _keys(part, found.end(), own[1])
                return found.group(0).lower(), boost if k < 2 else boost / 2, keyed
            at = found.start() + 1
    return None


def _re2_blanks(words: str) -> str:
    """`words` (leet.py) with `\\s` spelt as Python's: RE2's lacks \\v and \\x1c-\\x1f."""
    return words.replace(r"[\s_.-]", r"[\t-\r\x1c-\x1f _.-]")


def _labelled(rule: re.Pattern[str], text: str, near: int, start: int) -> bool:
    """Whether a label `rule` (see `_label_before`) ends the near window [near, start) before
    a value, read after the character before it (or a NUL)."""
    return rule.search("\0" + text[max(0, near - 1) : start]) is not None


def _sibling(text: str, end: int, key: int) -> bool:
    """Whether a word ending at `end`, before the key of the value's own field at `key`,
    is in another field (native/context.cpp)."""
    depth, fenced = 0, False
    for c in reversed(text[end:key]):
        if c in "}]":
            depth += 1
        elif c in "{[":
            if depth:
                depth -= 1
            else:
                fenced = False  # the key of an object holding the value's
        elif not depth and c in ",;&":
            fenced = True
    return fenced


def _next_field(text: str, quote: str, end: int, word: int) -> bool:
    """Whether a word starting at `word`, after a JSON member's value ending at `end` (in
    a string opened by `quote`, if any), is in another field (native/context.cpp)."""
    at = end
    if quote:
        while at < word and text[at] != quote:
            at += 2 if text[at] == "\\" else 1
        if at >= word:
            return False  # in the value's own string
        at += 1
    depth = 0
    for c in text[at:word]:
        if c in "{[":
            depth += 1
        elif c in "}]":
            if not depth:
                return True
            depth -= 1
        elif c == "," and not depth:
            return True
    return False


def _keys(part: str, end: int, until: int) -> bool:
    """Whether a word ending at `end` keys the value at `until` (native/context.cpp)."""
    return _KEYS.fullmatch(part, end, until) is not None
