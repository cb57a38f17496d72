"""`restore` mode: stable placeholders within one request, mapped back in the model's answer.

The same value gets the same placeholder in every message of the request (`<EMAIL_1>`); the
map lives only as long as the request and is never stored or logged. A streamed answer is
restored chunk by chunk, holding back only what could be the start of a placeholder.
"""

from __future__ import annotations

import re
from collections import Counter

_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*)_(\d+)>")
# What the end of a chunk looks like when a placeholder may continue in the next one.
_PARTIAL = re.compile(r"<[A-Z0-9_]*")


class RestoreMap:
    def __init__(self) -> None:
        self._by_original: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counts: Counter[str] = Counter()
        self.longest = 0

    def placeholder(self, entity_type: str, original: str) -> str:
        key = (entity_type, original)
        found = self._by_original.get(key)
        if found is None:
            self._counts[entity_type] += 1
            found = f"<{entity_type}_{self._counts[entity_type]}>"
            self._by_original[key] = found
            self._by_placeholder[found] = original
            self.longest = max(self.longest, len(found))
        return found

    def __len__(self) -> int:
        return len(self._by_placeholder)

    def restore(self, text: str) -> str:
        if not self._by_placeholder or "<" not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m.group(0), m.group(0)), text)


class StreamingRestorer:
    """Feed the model's streamed text; get it back with placeholders restored."""

    def __init__(self, restore_map: RestoreMap) -> None:
        self._map = restore_map
        self._pending = ""

    def feed(self, chunk: str) -> str:
        text = self._pending + chunk
        cut = text.rfind("<")
        if cut == -1 or len(text) - cut >= self._map.longest or not _PARTIAL.fullmatch(text[cut:]):
            cut = len(text)
        self._pending = text[cut:]
        return self._map.restore(text[:cut])

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._map.restore(text)
