"""Patterns for the ROT13 and reversed views, to tell from the text itself whether to build them.

A pattern P matches somewhere in rot13(text) exactly when rot13(P) (P with every ASCII letter
rotated) matches somewhere in text; and in text[::-1] exactly when reverse(P) (P's pieces in
reverse order) matches in text, which stays true, one way, of reverse(P) less its leading
pieces. The scanner adds both forms of every pattern that runs on those views to its RE2
Sets as triggers, and builds a view only of the texts (of a batch) where its form
matched: most texts hide nothing and never pay for either view.

Patterns are parsed with Python's own regex parser, whose syntax covers the RE2 subset the
recognizers use. A pattern it cannot parse, or with a construct it would read differently
from RE2 (`[[:alpha:]]`), turns into ALWAYS, a pattern matching all of any text: the view is then
always built (fail closed). Group names and captures are dropped: only "matches or not" counts.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from re import _constants as c  # the parser's opcodes; no public API offers a parse tree
from re import _parser
from typing import Any

import re2

ALWAYS = r"(?s:.+)"
LONG_RUN = 8  # repetitions allowing this many or more are dropped at a reversed pattern's start
# RE2 constructs Python's parser rejects are harmless (they fail the parse); these it would
# misread: POSIX classes inside brackets, and `{,n}` (a literal in RE2).
_MISREAD = re.compile(r"\[:\^?[a-z]+:\]|\{,")
_LOWER, _UPPER = string.ascii_lowercase, string.ascii_uppercase
_ROT13 = str.maketrans(_LOWER + _UPPER, _LOWER[13:] + _LOWER[:13] + _UPPER[13:] + _UPPER[:13])
_FLAGS = ((c.SRE_FLAG_IGNORECASE, "i"), (c.SRE_FLAG_MULTILINE, "m"), (c.SRE_FLAG_DOTALL, "s"))
_CATEGORIES = {
    c.CATEGORY_DIGIT: r"\d",
    c.CATEGORY_NOT_DIGIT: r"\D",
    c.CATEGORY_SPACE: r"\s",
    c.CATEGORY_NOT_SPACE: r"\S",
    c.CATEGORY_WORD: r"\w",
    c.CATEGORY_NOT_WORD: r"\W",
}
_ANCHORS = {
    c.AT_BEGINNING: "^",
    c.AT_END: "$",
    c.AT_BEGINNING_STRING: r"\A",
    c.AT_END_STRING: r"\z",  # only ever from mirroring \A: RE2 has no \Z
    c.AT_BOUNDARY: r"\b",
    c.AT_NON_BOUNDARY: r"\B",
}
# Reading a text backwards swaps where a line or the text starts and ends.
_MIRRORED = {
    c.AT_BEGINNING: c.AT_END,
    c.AT_END: c.AT_BEGINNING,
    c.AT_BEGINNING_STRING: c.AT_END_STRING,
    c.AT_END_STRING: c.AT_BEGINNING_STRING,
}

Tree = list[tuple[Any, Any]]


class _Unsupported(Exception):
    pass


def rot13_pattern(regex: str) -> str:
    """A pattern matching `text` where `regex` matches `rot13(text)` (ALWAYS if unsure):
    `regex` itself when ROT13 maps it onto itself (no letter but in classes that hold each
    letter's pair, `[A-Z]`, `\\w`), so that the detector runs one for both."""
    read = parse(regex)
    if read is not None and _rot13_closed(read[1]):
        return regex
    return transform(regex, _rot13_tree)


def _rot13_closed(tree: Tree) -> bool:
    return _as_sets(_rot13_tree(tree)) == _as_sets(tree)


def _as_sets(tree: Tree) -> Tree:
    """`tree` with each class as the set of what it holds (ASCII characters one by one), to
    compare classes written differently (`[A-Z]` and its ROT13, `[N-ZA-M]`)."""
    return _rebuilt(tree, _as_sets, lambda op, arg: _class_set(arg) if op is c.IN else arg)


def _class_set(items: Tree) -> frozenset[tuple[Any, Any]]:
    out = set()
    for op, arg in items:
        if op is c.RANGE:
            low, high = arg
            out.update((c.LITERAL, code) for code in range(low, min(high, 0x7F) + 1))
            if high > 0x7F:
                out.add((c.RANGE, (max(low, 0x80), high)))
        else:
            out.add((op, arg))
    return frozenset(out)


def reversed_pattern(regex: str) -> str:
    """A pattern matching `text` where `regex` matches `text[::-1]` (ALWAYS if unsure).

    Its leading runs of broad classes are dropped (see `_lead_trimmed`), so it may match
    where the view would not, never the other way round."""
    return transform(regex, lambda tree: _lead_trimmed(_reversed_tree(tree)))


def turned_triggers(patterns: Iterable[str]) -> list[tuple[str, str]]:
    """Detector triggers ("rot13" or "reversed", pattern): where `patterns` can match a view.

    One trigger per pattern, not one alternation: only the few that match run again to
    find where, and each is small and fast."""
    patterns = list(dict.fromkeys(patterns))
    return [
        (name, form)
        for name, turn in (("rot13", rot13_pattern), ("reversed", reversed_pattern))
        for form in dict.fromkeys(turn(p) for p in patterns)
    ]


def transform(regex: str, turn: Callable[[Tree], Tree]) -> str:
    """`regex` parsed, its tree changed by `turn`, written back in RE2 syntax (ALWAYS if
    it cannot be read or written)."""
    read = parse(regex)
    if read is None:
        return ALWAYS
    try:
        out = _group(read[0], turn(read[1]))
        re2.compile(out)
    except (re2.error, _Unsupported, RecursionError):
        return ALWAYS
    return out


def parse(regex: str) -> tuple[int, Tree] | None:
    """`regex`'s global flags and tree, or None if Python's parser cannot read it as RE2 does."""
    if _MISREAD.search(regex):
        return None
    try:
        parsed = _parser.parse(regex)
    except (re.error, RecursionError):
        return None
    return parsed.state.flags, list(parsed)


def _rebuilt(
    tree: Iterable[tuple[Any, Any]], inner: Callable[[Tree], Tree], leaf: Callable[[Any, Any], Any]
) -> Tree:
    """`tree` with every nested sequence turned by `inner` and every other node's argument
    by `leaf`: the walk both transformations share."""
    out: Tree = []
    for op, arg in tree:
        if op is c.BRANCH:
            arg = (None, [inner(list(b)) for b in arg[1]])
        elif op is c.SUBPATTERN:
            group, add, remove, body = arg
            arg = (group, add, remove, inner(list(body)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            arg = (low, high, inner(list(body)))
        else:
            arg = leaf(op, arg)
        out.append((op, arg))
    return out


def _rot13_tree(tree: Tree) -> Tree:
    return _rebuilt(tree, _rot13_tree, _rot13_leaf)


def _rot13_leaf(op: Any, arg: Any) -> Any:
    if op in (c.LITERAL, c.NOT_LITERAL):
        return ord(chr(arg).translate(_ROT13))
    if op is c.IN:
        return _rot13_class(arg)
    return arg


def _rot13_class(items: Tree) -> Tree:
    out: Tree = []
    for op, arg in items:
        if op is c.LITERAL:
            out.append((op, ord(chr(arg).translate(_ROT13))))
        elif op is c.RANGE:
            low, high = arg
            chars = "".join(map(chr, range(max(low, 0x41), min(high, 0x7A) + 1)))
            letters = "".join(ch for ch in chars if ch.isalpha())
            out += [(c.LITERAL, ord(ch.translate(_ROT13))) for ch in letters]
            out += [(c.RANGE, span) for span in _without_letters(low, high)]
        else:
            out.append((op, arg))
    return out


def _without_letters(low: int, high: int) -> list[tuple[int, int]]:
    spans = ((low, 0x40), (0x5B, 0x60), (0x7B, high))
    return [(max(low, a), min(high, b)) for a, b in spans if max(low, a) <= min(high, b)]


def _reversed_tree(tree: Tree) -> Tree:
    return _rebuilt(reversed(tree), _reversed_tree, _mirrored_leaf)


def _mirrored_leaf(op: Any, arg: Any) -> Any:
    return _MIRRORED.get(arg, arg) if op is c.AT else arg


def _lead_trimmed(tree: Tree) -> Tree:
    """`tree` without its leading long or optional repetitions, single characters but
    marks (and word boundaries before them), alternations one of whose ways is all of
    these, and a leading repetition cut to its fewest, when what is left still holds a
    literal character or a mark.

    Any stretch of a sequence matches wherever the whole does, and a leading `\\d{1,4}x`
    wherever `\\dx` does. A reversed pattern tends to start with what followed the keyword
    or prefix (a value, `[^\\s]{4,64}`), which keeps a DFA thread alive on every word and
    slows the RE2 Set pass over all patterns. A value of several forms (PASSWORD's, quoted
    or bare) kept its quoted forms leading: new text cost 11% more instructions. A key's
    separator (`[:=]`), a class of marks, stays leading: the reversed keys alone started a
    thread at most letters, and cost the keyword Set 19% more on new text (`yek\\b`
    against `[:=]\\s*yek\\b`; the pass over new text, all patterns: 4% more).
    """
    while tree and tree[0][0] is c.SUBPATTERN and not (tree[0][1][1] or tree[0][1][2]):
        tree = list(tree[0][1][3]) + tree[1:]  # a leading group without flags, opened
    start = 0
    while start < len(tree) and _droppable(tree, start):
        start += 1
    # An alternation leading what is left (a word boundary before it) loses each way's own
    # lead: a list of keys whose reversed forms all open with their random part.
    at = start + (start < len(tree) and tree[start][0] is c.AT)
    if at < len(tree) and tree[at][0] is c.BRANCH:
        ways = [list(way) for way in tree[at][1][1]]
        trimmed = [_lead_trimmed(way) for way in ways]
        if trimmed != ways:
            tree, start = [(c.BRANCH, (None, trimmed)), *tree[at + 1 :]], 0
    rest = tree[start:]
    if rest and rest[0][0] in (c.MAX_REPEAT, c.MIN_REPEAT) and rest[0][1][0] > 0:
        low, _, body = rest[0][1]
        rest = [(rest[0][0], (low, low, body)), *rest[1:]]
    return rest if _has_literal(rest) else tree


def _has_literal(tree: Tree) -> bool:
    for op, arg in tree:
        if op is c.LITERAL or (op is c.IN and _marks(arg)):
            return True
        if op is c.BRANCH and any(_has_literal(list(b)) for b in arg[1]):
            return True
        if op is c.SUBPATTERN and _has_literal(list(arg[3])):
            return True
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] > 0 and _has_literal(list(arg[2])):
            return True
    return False


def _droppable(tree: Tree, i: int) -> bool:
    op, arg = tree[i]
    if op is c.AT:
        return i + 1 < len(tree) and _droppable(tree, i + 1)
    if op is c.IN:
        return not _marks(arg)
    if op in (c.ANY, c.NOT_LITERAL):
        return True
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        return arg[0] == 0 or arg[1] >= LONG_RUN
    if op is c.SUBPATTERN:
        return _all_droppable(list(arg[3]))
    if op is c.BRANCH:  # a value of several forms, one of them a wide run (`"[^"]+"|\S+`)
        return any(_all_droppable(list(way)) for way in arg[1])
    return False


def _marks(items: list[tuple[Any, Any]]) -> bool:
    """Whether a class holds marks only (`[:=]`): kept leading a reversed pattern, where
    the DFA starts a thread at few characters, not at every letter of a word."""
    return all(op is c.LITERAL and not chr(v).isalnum() and not chr(v).isspace() for op, v in items)


def _all_droppable(tree: Tree) -> bool:
    return bool(tree) and all(_droppable(tree, j) for j in range(len(tree)))


def _group(flags: int, tree: Tree) -> str:
    on = "".join(letter for flag, letter in _FLAGS if flags & flag)
    return f"(?{on}:{_emit(tree)})"


def _emit(tree: Tree) -> str:
    return "".join(_emit_one(op, arg) for op, arg in tree)


def _emit_one(op: Any, arg: Any) -> str:
    if op is c.LITERAL:
        return _char(arg)
    if op is c.NOT_LITERAL:
        return f"[^{_char(arg)}]"
    if op is c.ANY:
        return "."
    if op is c.IN:
        return _emit_class(arg)
    if op is c.AT and arg in _ANCHORS:
        return _ANCHORS[arg]
    if op is c.BRANCH:
        return "(?:" + "|".join(_emit(list(b)) for b in arg[1]) + ")"
    if op is c.SUBPATTERN:
        _, add, remove, inner = arg
        on = "".join(letter for flag, letter in _FLAGS if add & flag)
        off = "".join(letter for flag, letter in _FLAGS if remove & flag)
        return f"(?{on}{'-' + off if off else ''}:{_emit(list(inner))})"
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, high, inner = arg
        bound = f"{{{low},}}" if high is c.MAXREPEAT else f"{{{low},{high}}}"
        return f"(?:{_emit(list(inner))}){bound}"
    raise _Unsupported(op)  # look-arounds, back-references, atomic groups: not RE2 anyway


def _emit_class(items: Tree) -> str:
    parts = []
    for op, arg in items:
        if op is c.NEGATE:
            parts.insert(0, "^")
        elif op is c.LITERAL:
            parts.append(_char(arg))
        elif op is c.RANGE:
            low, high = arg
            parts.append(f"{_char(low)}-{_char(high)}")
        elif op is c.CATEGORY and arg in _CATEGORIES:
            parts.append(_CATEGORIES[arg])
        else:
            raise _Unsupported(op)
    return "[" + "".join(parts) + "]"


def _char(code: int) -> str:
    ch = chr(code)
    if ch.isascii() and ch.isalnum():
        return ch
    if ch in string.punctuation:
        return "\\" + ch
    # Read alike by RE2 and Python's parser, so a transformed pattern can be transformed again.
    return f"\\x{code:02x}" if code < 0x100 else ch
