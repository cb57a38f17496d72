"""What redacting a streamed answer costs, against scanning the same answer whole.

A streamed answer arrives a few characters a chunk (a model's token is about four). The
`StreamingRedactor` holds back a tail of `hold` (128) characters and, once a cut that
leaves that tail can release `step` more characters, scans what it holds plus some of the
text it released (the context: see `engines/pii/streaming.py`) to release them. So each
character is scanned many times; how many depends on the chunk size, the step and how
much context a kind of text keeps. This prints, for each kind of answer and chunk size,
microseconds of CPU per KB for the answer scanned whole once (the baseline: what a
non-streamed answer costs), and for the same answer streamed with a step of 1 (text
released at every chunk that lets some out) and of 32 (the default): the CPU, its ratio
to the whole scan and the scans per KB; and checks that each stream redacts as the whole
scan does, there and on --mixed answers of several pieces (chat, tool results in every
form, long rows) streamed in random chunks with random holds and steps.

    .venv/bin/python benchmarks/pii_streaming.py [--size 20000] [--repeat 3]

The answers (`pii_corpus` texts, a third with PII, new to the scanner at its first pass):
chat messages a line each; paragraphs of five messages (a model's prose: long lines);
JSON tool results on one line each and pretty-printed; CSV and HTML tables; prose with
long words (base64 attachments, 1.5 KB each).
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import time
from collections.abc import Callable

from agentshield.engines.pii import PiiScanner, StreamingRedactor
from pii_corpus import corpus, is_json, tool_results
from pii_throughput import pin_one_core

CHUNKS = (4, 20)
STEPS = (1, 32)  # released at every chunk that lets text out; at least 32 at a time (default)


def answers(size: int) -> dict[str, str]:
    """Each kind of answer, about `size` characters of it."""
    chat = [text for text, _ in corpus(400, pii_share=0.33, seed=61)]
    results = [text for text, _ in tool_results(400, seed=67)]
    found = {
        "chat, a message a line": "\n".join(chat),
        "paragraphs (5 messages)": "\n\n".join(
            " ".join(chat[i : i + 5]) for i in range(0, len(chat), 5)
        ),
        "JSON, one line": "\n".join(t for t in results if is_json(t)),
        "JSON, pretty-printed": "\n".join(
            json.dumps(json.loads(t), indent=2) for t in results if is_json(t)
        ),
        "CSV tables": "\n\n".join(t for t in results if t[0].isalpha() and "," in t),
        "HTML tables": "\n\n".join(t for t in results if t.startswith("<table")),
        "long words (1.5 KB base64)": " ".join(
            f"The file: {base64.b64encode(random.Random(n).randbytes(1152)).decode()} ends."
            for n in range(size // 1500 + 1)
        ),
    }
    return {name: text[:size] for name, text in found.items()}


def mixed(count: int, seed: int = 71) -> list[str]:
    """Answers of one to four pieces, a line or a blank line apart: chat messages, tool
    results of every form, pretty-printed JSON, HTML with a cell a line, CSV whose rows
    outgrow the hold (a long note in each)."""
    draw = random.Random(seed)
    results = [text for text, _ in tool_results(300, seed=seed)]
    note = "," + "asked for a callback about the refund on the last order " * 2
    pieces = [text for text, _ in corpus(300, pii_share=0.5, seed=seed)] + results
    pieces += [json.dumps(json.loads(t), indent=2) for t in results if is_json(t)]
    pieces += [t.replace("<td>", "\n<td>") for t in results if t.startswith("<table")]
    pieces += [
        "\n".join(line + (",note" if i == 0 else note) for i, line in enumerate(t.splitlines()))
        for t in results
        if t[0].isalpha() and "," in t
    ]
    return [
        "".join(
            draw.choice(pieces) + draw.choice(["\n", "\n\n"]) for _ in range(draw.randint(1, 4))
        )
        for _ in range(count)
    ]


def agreement(scanner: PiiScanner, texts: list[str], seed: int = 73) -> tuple[int, int]:
    """Of `texts` streamed in chunks of 1-200 characters with a hold of 64-256 and a step
    of 1 or 32: how many come out unlike the whole scan, and how many let through a value
    the whole scan redacts."""
    draw = random.Random(seed)
    unlike = through = 0
    for text in texts:
        chunk, hold = draw.choice([1, 3, 4, 7, 16, 50, 200]), draw.choice([64, 128, 256])
        redactor = StreamingRedactor(scanner, hold=hold, step=draw.choice(STEPS))
        out = "".join(redactor.feed(text[at : at + chunk]) for at in range(0, len(text), chunk))
        out += redactor.flush()
        whole = scanner.scan(text)
        if out != whole.redacted_text:
            unlike += 1
            values = {text[f.start : f.end] for f in whole.findings}
            through += any(out.count(v) > whole.redacted_text.count(v) for v in values)
    return unlike, through


def streamed(scanner: PiiScanner, text: str, chunk: int, step: int) -> tuple[str, int]:
    """The redacted stream and how many scans it took."""
    scans = 0
    detect = scanner.detect

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal scans
        scans += 1
        return detect(*args, **kwargs)  # type: ignore[arg-type]

    scanner.detect = counted  # type: ignore[method-assign]
    try:
        redactor = StreamingRedactor(scanner, step=step)
        out = [redactor.feed(text[at : at + chunk]) for at in range(0, len(text), chunk)]
        out.append(redactor.flush())
    finally:
        del scanner.detect
    return "".join(out), scans


def best(repeat: int, run: Callable[..., object], *args: object) -> float:
    """The least CPU time of `repeat` calls of `run(*args)`."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run(*args)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000, help="characters an answer")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mixed", type=int, default=600, help="mixed answers to compare")
    args = parser.parse_args()
    pin_one_core()
    scanner = PiiScanner()
    steps = "".join(f"  step {step:<2d} us/KB ratio scans/KB" for step in STEPS)
    print(f"{'answer':26s} {'chunk':>5s} {'whole us/KB':>11s}{steps}")
    for name, text in answers(args.size).items():
        whole = scanner.scan(text).redacted_text  # also warms both for the timed passes
        kb = len(text.encode()) / 1000
        base = best(args.repeat, scanner.scan, text) / kb * 1e6
        for chunk in CHUNKS:
            line, same = f"{name:26s} {chunk:5d} {base:11.0f}", True
            for step in STEPS:
                out, scans = streamed(scanner, text, chunk, step)
                same = same and out == whole
                cost = best(args.repeat, streamed, scanner, text, chunk, step) / kb * 1e6
                line += f"  {cost:14.0f} {cost / base:4.1f}x {scans / kb:8.0f}"
            print(line + ("  same as whole" if same else "  DIFFERS from whole"))
    texts = mixed(args.mixed)
    unlike, through = agreement(scanner, texts)
    print(
        f"{len(texts)} mixed answers streamed in random chunks and holds: {unlike} unlike the "
        f"whole scan, {through} letting through a value the whole scan redacts"
    )


if __name__ == "__main__":
    main()
