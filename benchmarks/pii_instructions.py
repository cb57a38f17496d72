"""Our PII engine against Presidio in instructions, which the host's load does not change.

`pii_throughput.py` measures MB/s, which on a shared machine moves by 1.5-2x from one
minute to the next. This runs each measured pass in its own process under valgrind's
callgrind, counting only that pass (after its warm-up), and prints instructions per KB of
text for each engine and their ratio, on the same generated corpora:

- labelled, first pass: a new scanner's first pass (no DFA state built, nothing remembered);
- labelled, warm / ordinary, warm: a third pass over text already scanned twice;
- labelled, new text, warm: after two passes over the labelled corpus, one pass over a
  labelled corpus of another seed (RE2 builds DFA states for ids and numbers it has not
  met, and every check runs): what a gateway mostly meets.
- ordinary, new text, warm: after two passes over the ordinary corpus, one pass over an
  ordinary corpus of another seed (chat with no personal data, new to both engines).
- tool results, new, warm: after those and a corpus of tool results (JSON records and
  lists, spreadsheet ranges, CSV, markdown and HTML tables, `pii_corpus.tool_results`), one of
  another seed.

Ours runs `scan_batch` (16 messages a call, as the guard scans a conversation) over
--messages messages; Presidio (see `pii_throughput.py`) over the first --presidio of them,
its cost per KB being steady. Counts repeat within 0.1% (the interpreter's hash seed is
fixed for the run, and the check memo kept on). Under callgrind everything runs some 50
times slower: the default run takes a few minutes.

    apt-get install valgrind
    .venv/bin/python benchmarks/pii_instructions.py [--messages 1500] [--presidio 200]

`--settle N` has the engines scan N corpora of other seeds before the new-text pass: a
gateway that has run a while has built more DFA states (`--settle 24`: ~12 min).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSES = (
    "labelled, first pass",
    "labelled, warm",
    "ordinary, warm",
    "labelled, new text, warm",
    "ordinary, new text, warm",
    "tool results, new, warm",
)
NEW_SEED = 23
ORDINARY_NEW_SEED = 59
TOOL_RESULTS = 300  # a corpus of them: ~0.2 MB, as much text as 500 chat messages


def corpora(messages: int, settle: int = 0) -> dict[str, tuple[list[str], list[str]]]:
    """For each pass: (texts scanned before counting, texts counted)."""
    from pii_corpus import corpus, tool_results

    labelled = [text for text, _ in corpus(messages, pii_share=0.33)]
    ordinary = [text for text, _ in corpus(messages, pii_share=0.0, seed=11)]
    unseen = [text for text, _ in corpus(messages, pii_share=0.33, seed=NEW_SEED)]
    plain = [text for text, _ in corpus(messages, pii_share=0.0, seed=ORDINARY_NEW_SEED)]
    others = [t for s in range(settle) for t, _ in corpus(messages, pii_share=0.33, seed=100 + s)]
    return {
        PASSES[0]: ([], labelled),
        PASSES[1]: (labelled * 2, labelled),
        PASSES[2]: (ordinary * 2, ordinary),
        PASSES[3]: (labelled * 2 + others, unseen),
        PASSES[4]: (ordinary * 2 + others, plain),
        PASSES[5]: (
            labelled * 2 + [text for text, _ in tool_results(TOOL_RESULTS, seed=5)],
            [text for text, _ in tool_results(TOOL_RESULTS, seed=17)],
        ),
    }


def measured(engine: str, name: str, messages: int, presidio: int, settle: int) -> None:
    """In the process under callgrind: warm up, then count one pass."""
    warm_up, counted = corpora(messages, settle)[name]
    run: Callable[[Sequence[str]], object]
    if engine == "ours":
        from agentshield.engines.pii import PiiScanner

        scanner = PiiScanner()

        def run(texts: Sequence[str]) -> None:
            for at in range(0, len(texts), 16):
                scanner.scan_batch(texts[at : at + 16])

    else:
        from pii_throughput import presidio_engine

        analyze = presidio_engine()[0]

        def run(texts: Sequence[str]) -> None:
            for text in texts:
                analyze(text)

        counted, warm_up = counted[:presidio], warm_up[: 2 * presidio]
    run(warm_up)
    _instrument("on")
    run(counted)
    _instrument("off")
    print(sum(len(text.encode()) for text in counted), flush=True)


def _instrument(state: str) -> None:
    # The process toggles its own counting; it keeps running (a little) until callgrind
    # has taken the command, as callgrind reads commands only while the process runs.
    command = ["callgrind_control", "--instr", state, str(os.getpid())]
    control = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while control.poll() is None:
        time.sleep(0.002)


def count(engine: str, name: str, args: argparse.Namespace, out: Path) -> float:
    """Instructions per KB of one pass, from a process of its own under callgrind."""
    worker = [sys.executable, __file__, "--worker", engine, name]
    worker += ["--messages", str(args.messages), "--presidio", str(args.presidio)]
    worker += ["--settle", str(args.settle)]
    callgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [*callgrind, f"--callgrind-out-file={out}", *worker],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    size = int(done.stdout.split()[-1])
    lines = out.read_text().splitlines()
    totals = [int(line.split()[1]) for line in lines if line.startswith(("summary:", "totals:"))]
    if not totals or max(totals) == 0:
        raise RuntimeError(f"nothing counted in {out}")
    return max(totals) / size * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--presidio", type=int, default=200, help="messages Presidio scans")
    parser.add_argument(
        "--settle",
        type=int,
        default=0,
        help="corpora of other seeds the engines scan before the new-text pass (RE2 builds "
        "fewer DFA states the longer a scanner runs; see docs/pii.md)",
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        # A fixed hash seed (for counts that repeat) turns the check memo off; nothing
        # here can choose colliding values, so turn it back on (see engines/pii/memo.py).
        os.environ["PYTHONHASHSEED"] = "random"
        measured(*args.worker, args.messages, args.presidio, args.settle)
        return
    print(f"{'instructions per KB':30s} {'ours':>10s} {'presidio':>10s}  ratio")
    with tempfile.TemporaryDirectory(prefix="agentshield-pii-") as workdir:
        for n, name in enumerate(PASSES):
            ours, theirs = (
                count(engine, name, args, Path(workdir) / f"callgrind.{n}.{engine}")
                for engine in ("ours", "presidio")
            )
            print(f"{name:30s} {ours / 1e3:9.1f}k {theirs / 1e3:9.1f}k  {theirs / ours:5.1f}x")


if __name__ == "__main__":
    main()
