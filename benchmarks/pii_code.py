"""Findings on source code, ours against Presidio: what a coding agent's tool results hold.

The text is the Python source of the installed packages (this interpreter's site-packages,
as `make setup` resolved them: no lockfile fixes their versions, so the sample moves when a
fresh environment installs other releases), a fixed sample of --files files, the first
20,000 characters of each. Library code holds almost no personal data (authors' e-mail
addresses, the FSF's postal address in GPL headers, doctests' example IDs), so nearly every
finding on it but the authors' addresses is a false one, redacted out of the code an agent
reads. Printed per type for each engine on the same text: Presidio at the 0.5 threshold
(as `pii_throughput.py` builds it: the 16 shared types), ours on those types and on all of
ours.

    .venv/bin/python benchmarks/pii_code.py [--files 1000] [--seed 5]
"""

from __future__ import annotations

import argparse
import random
import sysconfig
from collections import Counter
from pathlib import Path

from pii_corpus import ENTITIES
from pii_throughput import our_engine, presidio_engine

CHARS = 20_000


def sample(files: int, seed: int) -> list[str]:
    """The first CHARS characters of `files` Python files of site-packages, drawn by `seed`."""
    paths = sorted(Path(sysconfig.get_paths()["purelib"]).rglob("*.py"))
    random.Random(seed).shuffle(paths)
    texts = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")[:CHARS]
        except (UnicodeDecodeError, OSError):
            continue
        if text.strip():
            texts.append(text)
        if len(texts) == files:
            break
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    texts = sample(args.files, args.seed)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    ours, _ = our_engine()
    presidio = presidio_engine()[1]
    counts = {"ours": Counter(), "presidio": Counter()}
    for text in texts:
        counts["ours"].update(kind for _, _, kind in ours(text))
        counts["presidio"].update(kind for _, _, kind in presidio(text))
    shared = set(ENTITIES)
    print(f"{len(texts)} files, {megabytes:.1f} MB of Python source")
    print(f"{'type':22s} {'ours':>6s} {'presidio':>9s}")
    for kind in sorted(set(counts["ours"]) | set(counts["presidio"])):
        mark = "" if kind in shared else "  (not shared)"
        print(f"{kind:22s} {counts['ours'][kind]:6d} {counts['presidio'][kind]:9d}{mark}")
    ours_shared = sum(n for kind, n in counts["ours"].items() if kind in shared)
    theirs = sum(counts["presidio"].values())
    ratio = theirs / max(ours_shared, 1)
    print(
        f"findings per MB, shared types: ours {ours_shared / megabytes:.1f}, "
        f"presidio {theirs / megabytes:.1f}, ratio {ratio:.1f}x"
    )
    print(f"findings per MB, all our types: {sum(counts['ours'].values()) / megabytes:.1f}")


if __name__ == "__main__":
    main()
