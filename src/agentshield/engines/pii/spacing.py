"""Letters split by spaces or punctuation (`j o h n @ e x a m p l e . c o m`), joined again.

The detector's `split` trigger finds runs of single characters between separators; each run
is collapsed to the characters alone, each mapped to its own place in the original.
"""

from __future__ import annotations

from agentshield.engines.pii.views import Positions

# Runs of at least six single characters standing alone, split by 1-3 blanks, or by one
# of - _ * | · (the run is the `value` group; the blanks around it are not).
SPLIT_TRIGGER = (
    r"(?:^|[\s(\"'])(?P<value>(?:[A-Za-z0-9@.+_%-][ \t]{1,3}){5,}[A-Za-z0-9@.+_%-]"
    r"|(?:[A-Za-z0-9@][-_*|·]){5,}[A-Za-z0-9@])(?:$|[\s.,;:!?)\"'])"
)
_BLANKS = " \t"
_MARKS = "-_*|·"


def collapse(text: str, start: int, end: int) -> tuple[str, Positions]:
    """Join the run `text[start:end]` found by SPLIT_TRIGGER; offsets map into `text`."""
    run = text[start:end]
    separators = _BLANKS if any(c in _BLANKS for c in run) else _MARKS
    positions = [i for i, ch in enumerate(run, start=start) if ch not in separators]
    return "".join(text[i] for i in positions), Positions(positions, "split_letters")
