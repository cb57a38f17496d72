"""RE2 searches through the binding's RE2 object, where the wrapper's match objects cost
as much as the matching itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import re2

_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED


def search(regex: Any, data: bytes) -> Sequence[tuple[int, int]] | None:
    """The group spans of the first match, or None."""
    spans = regex._regexp.Match(_UNANCHORED, data, 0, len(data))
    return spans if spans[0][0] >= 0 else None
