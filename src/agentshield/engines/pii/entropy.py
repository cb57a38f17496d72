"""Shannon entropy in bits per character: how unpredictable a string's characters are."""

from __future__ import annotations

import math


def shannon(value: str) -> float:
    if not value:
        return 0.0
    n = len(value)
    # Characters in order of first appearance, as Counter would give them, for the same sum.
    counts = [value.count(c) for c in dict.fromkeys(value)]
    return -sum(c / n * math.log2(c / n) for c in counts)
