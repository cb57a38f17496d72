"""The forms patterns take in the detector's two RE2 Sets, and which Set holds each.

A Set only tells which patterns match somewhere; each that does runs again as written to
find where, so a Set may hold looser forms, as long as each matches wherever its pattern
does. What a Set costs is its lazily built DFA: a state records where every pattern of the
Set stands at once, and text it has not met (a new id, hash or number) builds new states.

- Bounds: a repetition bounded above (`{25,34}`) makes the DFA count to its bound; bounds
  above LONG are dropped (lower bounds capped at LONG), so counts stop early. LONG = 8
  made more patterns run again for nothing (+14%).
- Runs: a pattern opening with an unbounded run of one class (the encoded trigger,
  `[A-Za-z0-9+/_-]{16,}`) is anchored where the run starts, `(?:^|[^C])`: a match inside
  a run can always start where the run does, and the DFA then counts one run, not one
  from every character of it (on text of another seed, 10k instructions a message less).
- Digits: an alternation of digit strings becomes a run of digits as long
  (`25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d`, an IP octet, to `\\d{1,3}`), which the DFA follows
  without telling digits apart (new text: 7k instructions a message less).
- Kinds alike: in the Set of shapes, a position holding some characters of one kind only
  (digits, capitals, small letters) holds any of that kind (`[2-9]`, `0`, `[13]` to `\\d`;
  `[A-CEGHJ-PR-TW-Z]` to `[A-Z]`). The DFA then reads each kind as one byte class, and a
  number or code it has not met walks the states of any other of its shape instead of
  building its own: on new text 9% fewer instructions, on text seen before 1% more, as a
  few patterns run again for nothing (`pii_instructions.py`). A position mixing digits and
  letters (base58, hex) stays: widened, any word or hash would pass for it. Not in the
  keyword Set either, where such characters open a match (`+1`, `00`): widened, any number
  would.
- Two Sets: how far a keyword has got (`passw`) and how long a run of letters and digits
  is (`\\b\\d{13,}`) combine into states that neither needs alone, and a random id builds
  new ones at every character. Patterns whose every match opens with a keyword or a mark
  (`password:`, `sk-`, `@`, `+1`) go in one Set, those that may open on any letter or digit
  (numbers, codes, hashes) in the other. On the benchmark's corpus, after two passes over
  it, a pass over text of another seed cost the two Sets 71k instructions a message and
  one Set of the same forms 342k; text seen before, 24k and 13k (callgrind). A third Set
  (long runs, or the reversed triggers, apart) cut the first corpus of new text by a
  third more, the later ones less, for 11k more on text seen before.
- Inside runs: a pattern whose every match is made of one class's characters, at least
  so long (`run_length`: bitcoin's base58, a hash's hex, in base64's class), is in neither
  Set but in one run on each span of the encoded trigger (detector.py, `enclosing`).
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from re import _constants as c  # the parser's opcodes, as turned.py reads them
from typing import Any

from agentshield.engines.pii.turned import ALWAYS, Tree, parse, transform

LONG = 16
_ALNUM = frozenset(map(ord, string.ascii_letters + string.digits))
_DIGITS = frozenset(map(ord, string.digits))
_CAPITALS = frozenset(map(ord, string.ascii_uppercase))
_SMALL = frozenset(map(ord, string.ascii_lowercase))
_KINDS = (_DIGITS, _CAPITALS, _SMALL)
_LETTERS = _CAPITALS | _SMALL
_WORD = _ALNUM | {ord("_")}
_ANY_DIGIT = (c.CATEGORY, c.CATEGORY_DIGIT)


def loosened(regex: str, *, kinds_alike: bool = False) -> str:
    """`regex` with repetitions bounded above LONG unbounded, a leading unbounded run of a
    class anchored where the run starts, and, if `kinds_alike`, any character of a kind
    where some of that kind only may stand; `regex` itself if unsure."""
    out = transform(regex, lambda tree: _anchored(_loosened(tree, kinds_alike)))
    return regex if out == ALWAYS else out


def keyword_led(regex: str) -> bool:
    """Whether every match of `regex` opens with two narrow characters or one narrow mark
    (a narrow class holds at most four characters; a mark is neither letter nor digit)."""
    read = parse(regex)
    return read is not None and all(map(_narrow_opening, _ways(read[1], 2)))


def opening(regex: str) -> str | None:
    """The characters every match of `regex` opens with, when none is a letter or past
    ASCII (digits, marks): the compiled finder skips to one of them before each search of
    the pattern, where RE2's search would step its DFA through every byte before it. None
    when unsure."""
    read = parse(regex)
    chars = _first(read[1]) if read is not None else None
    if chars is None or chars & _LETTERS or max(chars) > 127:
        return None
    return "".join(map(chr, sorted(chars)))


def _first(tree: Tree) -> set[int] | None:
    """The characters a way through `tree` may open with; None if unknown, or if a way
    may end (be empty) before a character."""
    chars: set[int] = set()
    for way in _ways(tree, 1):
        if not way or way[0] is None:
            return None
        chars |= way[0]
    return chars


def _ways(tree: Tree, n: int) -> Iterator[list[set[int] | None]]:
    """For each way through `tree`, the characters each of its first `n` positions may
    hold (None: not known, the way's last); a way of fewer positions may end there."""
    for i, (op, arg) in enumerate(tree):
        rest = tree[i + 1 :]
        if op is c.AT:
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _, body = arg
            yield from _ways(list(body) * min(max(low, 1), n) + rest, n)
            if low == 0:
                yield from _ways(rest, n)
            return
        if op is c.SUBPATTERN:
            yield from _ways(list(arg[3]) + rest, n)
            return
        if op is c.BRANCH:
            for branch in arg[1]:
                yield from _ways(list(branch) + rest, n)
            return
        chars = _members(op, arg)
        if n == 1 or chars is None:
            yield [chars]
            return
        for way in _ways(rest, n - 1):
            yield [chars, *way]
        return
    yield []


def _loosened(tree: Tree, kinds_alike: bool) -> Tree:
    out: Tree = []
    for op, arg in tree:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            if high is not c.MAXREPEAT and high > LONG:
                low, high = min(low, LONG), c.MAXREPEAT
            arg = (low, high, _loosened(list(body), kinds_alike))
        elif op is c.BRANCH:
            ways = [_loosened(list(b), kinds_alike) for b in arg[1]]
            lengths = [_digits(way) for way in ways]
            if all(n is not None for n in lengths):  # 25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d
                low, high = min(n[0] for n in lengths), max(n[1] for n in lengths)
                out.append((c.MAX_REPEAT, (low, high, [(c.IN, [_ANY_DIGIT])])))
                continue
            arg = (None, ways)
        elif op is c.SUBPATTERN:
            group, add, remove, body = arg
            arg = (group, add, remove, _loosened(list(body), kinds_alike))
        elif kinds_alike and (kinds := _kinds(op, arg)):
            op, arg = c.IN, kinds
        out.append((op, arg))
    return out


def _digits(way: Tree) -> tuple[int, int] | None:
    """The fewest and most characters of `way` if it holds only digits, else None."""
    low = high = 0
    for op, arg in way:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            inner = _digits(list(arg[2]))
            if inner is None or arg[1] is c.MAXREPEAT:
                return None
            low, high = low + arg[0] * inner[0], high + arg[1] * inner[1]
        elif _digit(op, arg):
            low, high = low + 1, high + 1
        else:
            return None
    return low, high


def _digit(op: Any, arg: Any) -> bool:
    """Whether one position holds only ASCII digits."""
    chars = _members(op, arg)
    return bool(chars) and chars <= _DIGITS


def _kinds(op: Any, arg: Any) -> list[tuple[Any, Any]]:
    """The whole kinds a position's characters are of, as a class's items: none when it
    holds anything else, or digits and letters both."""
    chars = _members(op, arg) or set()
    kinds = [kind for kind in _KINDS if chars & kind]
    if not chars <= frozenset().union(*kinds) or (_DIGITS in kinds and len(kinds) > 1):
        return []
    return [_ANY_DIGIT if kind is _DIGITS else (c.RANGE, (min(kind), max(kind))) for kind in kinds]


def _anchored(tree: Tree) -> Tree:
    """`tree` after `(?:^|[^C])` when every match opens with a run `C{n,}` of one class C.

    Such a match can always start where its run does, so only there: else the DFA follows
    a thread from every character of a run (`[A-Za-z0-9+/_-]{16,}`, the encoded trigger).
    """
    ways = [list(b) for b in tree[0][1][1]] if len(tree) == 1 and tree[0][0] is c.BRANCH else [tree]
    runs = [_run(way) for way in ways]
    run = runs[0]
    if run is None or any(other != run for other in runs):
        return tree
    start = (c.BRANCH, (None, [[(c.AT, c.AT_BEGINNING)], [(c.IN, [(c.NEGATE, None), *run])]]))
    return [start, *tree]


def _run(way: Tree) -> Tree | None:
    """The class of `way`'s leading unbounded run, if it opens with one."""
    if not way or way[0][0] not in (c.MAX_REPEAT, c.MIN_REPEAT):
        return None
    low, high, body = way[0][1]
    body = list(body)
    if high is not c.MAXREPEAT or low < 1 or len(body) != 1 or body[0][0] is not c.IN:
        return None
    items = list(body[0][1])
    return None if any(op is c.NEGATE for op, _ in items) else items


def _narrow_opening(way: list[set[int] | None]) -> bool:
    """Whether a way opens with two narrow characters or one narrow mark."""
    first = way[0] if way else None
    if first is None or len(first) > 4:
        return False
    if not first & _ALNUM:
        return True
    second = way[1] if len(way) > 1 else None
    return second is not None and len(second) <= 4


def _members(op: Any, arg: Any) -> set[int] | None:
    """The characters one position may hold; None if unknown (negated, a category other
    than digits) or many (a range of more than 256)."""
    if op is c.LITERAL:
        return {arg}
    if op is not c.IN:
        return None
    chars: set[int] = set()
    for item, value in arg:
        if item is c.LITERAL:
            chars.add(value)
        elif item is c.RANGE and value[1] - value[0] < 256:
            chars.update(range(value[0], value[1] + 1))
        elif item is c.CATEGORY and value is c.CATEGORY_DIGIT:
            chars.update(_DIGITS)
        else:
            return None
    return chars


def run_length(regex: str, run: str) -> int | None:
    """The fewest characters a match of `regex` holds, if every match is made of the
    characters of `run` (a class holding every word character: base64's) only, with no
    assertion but a word boundary; else None. Such a match lies inside a run of that class
    at least as long, and the characters either side of a run are no word's: a word
    boundary reads the same in the run alone as in the whole text."""
    read, of = parse(regex), parse(run)
    if read is None or of is None or read[0] & c.SRE_FLAG_IGNORECASE or len(of[1]) != 1:
        return None
    chars = _members(*of[1][0])
    return _shortest(read[1], chars) if chars and chars >= _WORD else None


def _shortest(tree: Tree, chars: set[int]) -> int | None:
    n = 0
    for op, arg in tree:
        if op is c.AT:
            least = 0 if arg is c.AT_BOUNDARY else None
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            inner = _shortest(list(arg[2]), chars)
            least = None if inner is None else arg[0] * inner
        elif op is c.SUBPATTERN:  # read without case, `k` matches the Kelvin sign
            least = None if arg[1] & c.SRE_FLAG_IGNORECASE else _shortest(list(arg[3]), chars)
        elif op is c.BRANCH:
            ways = [_shortest(list(way), chars) for way in arg[1]]
            least = None if None in ways else min(ways)
        else:
            members = _members(op, arg)
            least = 1 if members is not None and members <= chars else None
        if least is None:
            return None
        n += least
    return n
