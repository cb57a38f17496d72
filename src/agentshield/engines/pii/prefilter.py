"""The form a pattern takes in the detector's RE2 Set: it matches wherever the pattern does,
and costs the Set's DFA fewer states.

The Set only tells which patterns match somewhere; each that does runs again as written to
find where, so the Set may hold a looser form. A repetition bounded above (`{25,34}`,
`{0,63}`) makes the DFA count to its bound, and in one DFA with every other pattern's
counts, text it has not met (a new id or hash) keeps building states: on the benchmark's
corpus, unseen text cost 3-4x the text seen before. Bounds above LONG are dropped (lower
bounds capped at LONG), so counts stop early: that cut the cost of unseen text by a quarter
and left seen text as it was; LONG = 8 made more patterns run again for nothing (+14%).
"""

from __future__ import annotations

from re import _constants as c  # the parser's opcodes, as turned.py reads them

from agentshield.engines.pii.turned import ALWAYS, Tree, transform

LONG = 16


def loosened(regex: str) -> str:
    """`regex` with repetitions bounded above LONG unbounded; `regex` itself if unsure."""
    out = transform(regex, _loosened)
    return regex if out == ALWAYS else out


def _loosened(tree: Tree) -> Tree:
    out: Tree = []
    for op, arg in tree:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            if high is not c.MAXREPEAT and high > LONG:
                low, high = min(low, LONG), c.MAXREPEAT
            arg = (low, high, _loosened(list(body)))
        elif op is c.BRANCH:
            arg = (None, [_loosened(list(b)) for b in arg[1]])
        elif op is c.SUBPATTERN:
            group, add, remove, body = arg
            arg = (group, add, remove, _loosened(list(body)))
        out.append((op, arg))
    return out
