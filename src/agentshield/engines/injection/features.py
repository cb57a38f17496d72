"""What the detector measures on a batch, before any learned weight is applied: the
embeddings, ZEDD's drift and the rule matches. Training and scanning share this path, so
the head is trained on exactly what it later sees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agentshield.engines.injection.cleaner import HeuristicCleaner, Match
from agentshield.engines.injection.embedder import Embedder, pooled

_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_SEGMENT = 24  # characters; shorter pieces join the one before


def segments(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of a text's sentences or lines, short pieces merged."""
    spans: list[tuple[int, int]] = []
    position = 0
    for boundary in [*_BOUNDARY.finditer(text), None]:
        end = len(text) if boundary is None else boundary.start()
        if text[position:end].strip():
            if spans and end - position < MIN_SEGMENT:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((position, end))
        position = len(text) if boundary is None else boundary.end()
    return spans


def flagged_segments(text: str, matches: list[Match]) -> list[str]:
    """The sentences a rule fired in, when the text has more than one sentence.

    The classifier reads them alone too, so an injected sentence in a long, benign document
    is not averaged away by the rest of it. Only sentences with a rule hit are read: on
    their own, many benign imperative sentences ("Run the tests.") look like injections."""
    spans = segments(text) if matches else []
    if len(spans) < 2:
        return []
    return [
        text[start:end].strip()
        for start, end in spans
        if any(m.start < end and start < m.end for m in matches)
    ]


@dataclass(frozen=True)
class Features:
    # per text, the unit embeddings of its windows, then of its flagged segments
    windows: list[np.ndarray]
    embeddings: np.ndarray  # (n, 384): per text, the unit mean of its windows
    drift: np.ndarray  # (n,): 1 - cos(original, cleaned); 0 when the cleaner changed nothing
    matches: list[list[Match]]
    cleaned: list[str]

    @property
    def factor_counts(self) -> np.ndarray:
        return np.array([len({m.rule.factor for m in found}) for found in self.matches], float)


def extract(embedder: Embedder, cleaner: HeuristicCleaner, texts: Sequence[str]) -> Features:
    matches = [cleaner.matches(text) for text in texts]
    cleaned = [cleaner.clean(t, m) for t, m in zip(texts, matches, strict=True)]
    changed = [i for i, (t, c) in enumerate(zip(texts, cleaned, strict=True)) if t != c]
    parts = [flagged_segments(t, m) for t, m in zip(texts, matches, strict=True)]
    # One embedding call for originals, changed cleaned texts and segments: shared batches.
    batch = [*texts, *(cleaned[i] for i in changed), *(s for found in parts for s in found)]
    windows = embedder.embed_windows(batch)
    n, m = len(texts), len(changed)
    originals = np.stack([pooled(w) for w in windows[:n]])
    drift = np.zeros(n, dtype=np.float64)
    if changed:
        cleaned_vectors = np.stack([pooled(w) for w in windows[n : n + m]])
        cosine = np.einsum("ij,ij->i", originals[changed], cleaned_vectors)
        drift[changed] = np.clip(1.0 - cosine, 0.0, 2.0)
    rows: list[np.ndarray] = []
    position = n + m
    for i, found in enumerate(parts):
        rows.append(np.vstack([windows[i], *windows[position : position + len(found)]]))
        position += len(found)
    return Features(rows, originals, drift, matches, cleaned)
