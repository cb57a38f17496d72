"""Our PII engine against Presidio on the same generated corpus, in the same run.

Presidio is presidio-analyzer with its NoOpNlpEngine and the regex recognizers of the entity
types both engines know (no NLP model, no network). Our engine runs everything: all its
recognizers, evasion decoding, normalisation, entropy, redaction and risk. One core.

    .venv/bin/python benchmarks/pii_throughput.py [--messages 1500] [--repeat 3] [--batch 16]
        [--settle 24] [--tool-results 300]

Prints MB/s for each engine and the ratio, on the labelled corpus (a third of messages
carry PII) and on ordinary chat text (none), then precision and recall per engine on the
shared entity types. Ours is measured twice: one `scan()` per message, and `scan_batch()`
over the messages of a conversation (--batch at a time), as the guard scans a request.
Presidio has no batched path (its BatchAnalyzerEngine loops over `analyze`). The engines
take turns, best of --repeat passes each (see `throughput`).

A first line measures each engine's very first pass over the labelled corpus: ours with a
new scanner, which has built none of its RE2 states and remembered no checksum yet (see
`engines/pii/memo.py`); the next lines are warm, as a long-running gateway is, and a
conversation that sends its history again with each request repeats its values. The
line after them gives the warm engines one pass over each of three labelled corpora they
have not seen (other seeds), and the median: what new text costs once the engine has run
a while; the next, the same over three ordinary corpora (no personal data) not seen.
Ours keeps what it learnt from one corpus of new text for the next (RE2's DFA states; the
checks of values that recur), as it would in use. The last of them repeats
that after ours has scanned --settle (24) more corpora, 36,000 messages: RE2 builds
fewer new DFA states the longer a scanner runs (see docs/pii.md). The last MB/s line is
structured data, tool results as agents get them (JSON records, JSON columns, spreadsheet
ranges, CSV, markdown and HTML tables: `pii_corpus.tool_results`, --tool-results of them a
corpus), new to both engines; the
precision and recall lines are given for both kinds of text, and for three kinds of tool
results: the HTML tables among them, the JSON ones and the tables cut at 70% (truncated
tool output), and the JSON ones pretty-printed.

Goals: ours >= 100x Presidio, >= 5 MB/s on ordinary chat text, and higher precision and
recall than Presidio.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

from agentshield.engines.pii import PiiScanner
from pii_corpus import ENTITIES, Label, corpus, cut_short, is_json, json_pretty, tool_results

BATCH = 16  # messages per scan_batch call, as the guard scans a conversation
NEW_SEEDS = (23, 29, 31)  # corpora of new text, in the order met
ORDINARY_SEEDS = (59, 61, 67)  # corpora of new ordinary chat text
SETTLED_SEEDS = (37, 41, 43)  # and after --settle more
RESULT_SEEDS = (17, 19, 53)  # corpora of tool results


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def presidio_engine() -> tuple[Callable[[str], list[Label]], Callable[[str], list[Label]]]:
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer import predefined_recognizers as pr
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    # The e-mail recognizer's tldextract would fetch the public suffix list: use the bundled one.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "noop"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    for cls in (
        pr.EmailRecognizer, pr.PhoneRecognizer, pr.IpRecognizer, pr.CreditCardRecognizer,
        pr.IbanRecognizer, pr.CryptoRecognizer, pr.UsSsnRecognizer, pr.NhsRecognizer,
        pr.UkNinoRecognizer, pr.EsNifRecognizer, pr.EsNieRecognizer, pr.ItFiscalCodeRecognizer,
        pr.PlPeselRecognizer, pr.InAadhaarRecognizer, pr.CaSinRecognizer, pr.MacAddressRecognizer,
    ):  # fmt: skip
        registry.add_recognizer(cls(supported_language="en"))
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    ours = {presidio: mine for mine, (_, presidio, _) in ENTITIES.items()}

    def analyze(threshold: float) -> Callable[[str], list[Label]]:
        def run(text: str) -> list[Label]:
            results = engine.analyze(text, language="en", score_threshold=threshold)
            return [(r.start, r.end, ours[r.entity_type]) for r in results if r.entity_type in ours]

        return run

    return analyze(0.0), analyze(0.5)


def our_engine() -> tuple[Callable[[str], list[Label]], Callable[[Sequence[str]], object]]:
    scanner = PiiScanner()

    def run(text: str) -> list[Label]:
        return [(f.start, f.end, f.entity_type) for f in scanner.scan(text).findings]

    return run, scanner.scan_batch


def first_pass(run: Callable[[Sequence[str]], object], texts: Sequence[str]) -> float:
    """MB/s of one pass of `run` over `texts`, BATCH texts at a time."""
    started = time.perf_counter()
    for at in range(0, len(texts), BATCH):
        run(texts[at : at + BATCH])
    return sum(len(t.encode()) for t in texts) / (time.perf_counter() - started) / 1e6


def throughput(
    runs: Sequence[Callable[[Sequence[str]], object]], texts: Sequence[str], repeat: int
) -> list[float]:
    """MB/s of each run (which takes a list of texts) over all of `texts`, best of `repeat`.

    The machine may be shared: the engines take turns, one whole pass each, so a burst of
    load elsewhere is as likely to slow one as the other. (Taking turns on smaller chunks
    would measure each engine with the other's data in the CPU caches and Python's regex
    cache, which neither meets in use.)
    """
    size = sum(len(t.encode()) for t in texts)
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for k, run in enumerate(runs):
            started = time.perf_counter()
            run(texts)
            best[k] = min(best[k], time.perf_counter() - started)
    return [size / b / 1e6 for b in best]


def new_text(
    name: str,
    theirs: Callable[[Sequence[str]], object],
    ours: Callable[[Sequence[str]], object],
    corpora: Iterable[Sequence[str]],
) -> None:
    """Print MB/s of one pass over each of `corpora`, the engines taking turns: the median
    of each and each ratio."""
    ours_new, theirs_new = [], []
    for k, unseen in enumerate(corpora):
        order = ((theirs, theirs_new), (ours, ours_new))
        for run, into in order if k % 2 else order[::-1]:
            into.append(first_pass(run, unseen))
    mine, them = statistics.median(ours_new), statistics.median(theirs_new)
    spread = ", ".join(f"{m / t:.1f}x" for m, t in zip(ours_new, theirs_new, strict=True))
    print(f"{name:30s} {mine:6.2f} MB/s {'':11s} {them:5.3f} MB/s"
          f"  {mine / them:5.1f}x  (median; each: {spread})")  # fmt: skip


def precision_recall(
    run: Callable[[str], list[Label]], labelled: Sequence[tuple[str, list[Label]]]
) -> tuple[float, float]:
    tp = fp = fn = 0
    for text, gold in labelled:
        found = [p for p in run(text) if p[2] in ENTITIES]
        hit = [any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for p in found) for g in gold]
        tp += sum(hit)
        fn += len(hit) - sum(hit)
        fp += sum(
            1 for p in found if not any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for g in gold)
        )
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=BATCH, help="messages per scan_batch call")
    parser.add_argument(
        "--settle", type=int, default=24, help="corpora ours scans before the settled line"
    )
    parser.add_argument(
        "--tool-results", type=int, default=300, help="tool results a corpus of them holds"
    )
    args = parser.parse_args()
    pin_one_core()
    labelled = corpus(args.messages, pii_share=0.33)
    ordinary = [text for text, _ in corpus(args.messages, pii_share=0.0, seed=11)]
    presidio, presidio_half = presidio_engine()
    ours, ours_batch = our_engine()
    mixed = [text for text, _ in labelled]
    print(f"corpus: {len(mixed)} messages, {sum(map(len, mixed)) / 1e6:.2f} MB labelled; "
          f"{sum(map(len, ordinary)) / 1e6:.2f} MB ordinary")  # fmt: skip
    print(f"{'':30s} {'ours/msg':>10s} {'ours/batch':>11s} {'presidio':>9s}  ratio (msg, batch)")
    runs = (
        lambda texts: [presidio(t) for t in texts],
        lambda texts: [ours(t) for t in texts],
        lambda texts: [
            ours_batch(texts[i : i + args.batch]) for i in range(0, len(texts), args.batch)
        ],
    )
    # Before anything has run: a new engine's first pass over text it has never seen (no
    # DFA state built, nothing remembered), against Presidio's first pass.
    fresh = PiiScanner()
    theirs, mine = (first_pass(run, mixed) for run in (runs[0], fresh.scan_batch))
    print(f"{'labelled, first pass':30s} {mine:6.2f} MB/s {'':11s} {theirs:5.3f} MB/s"
          f"  {mine / theirs:5.1f}x")  # fmt: skip
    for name, texts in (("labelled chat (1/3 with PII)", mixed), ("ordinary chat", ordinary)):
        for run in runs:
            run(texts[:100])  # warm-up: lazily built DFA states, caches
        theirs, mine, batched = throughput(runs, texts, args.repeat)
        print(
            f"{name:30s} {mine:6.2f} MB/s {batched:6.2f} MB/s {theirs:5.3f} MB/s"
            f"  {mine / theirs:5.1f}x {batched / theirs:5.1f}x"
        )

    # New text on a warm engine, the figure a gateway lives by: one pass over each of
    # NEW_SEEDS labelled corpora neither engine has met, taking turns; the median of each.
    # Then the same after ours has scanned --settle more corpora (RE2 has built more of the
    # DFA states new text needs, as in a gateway that has run a while; Presidio keeps none).
    def chat(seeds: Sequence[int]) -> Iterator[list[str]]:
        return ([text for text, _ in corpus(args.messages, 0.33, seed=seed)] for seed in seeds)

    new_text("labelled, new text, warm", runs[0], ours_batch, chat(NEW_SEEDS))
    plain = ([text for text, _ in corpus(args.messages, 0.0, seed=s)] for s in ORDINARY_SEEDS)
    new_text("ordinary, new text, warm", runs[0], ours_batch, plain)
    for seed in range(100, 100 + args.settle):
        first_pass(ours_batch, [text for text, _ in corpus(args.messages, 0.33, seed=seed)])
    name = f"  after {args.settle} corpora more"
    new_text(name, runs[0], ours_batch, chat(SETTLED_SEEDS))
    # Tool results (JSON records and lists, CSV, markdown and HTML tables), each new to both.
    results = [[t for t, _ in tool_results(args.tool_results, seed)] for seed in RESULT_SEEDS]
    new_text("tool results, new text, warm", runs[0], ours_batch, results)
    print(f"{'':30s} (JSON records, columns, sheets; CSV, markdown, HTML: {args.tool_results} "
          f"a corpus, {sum(map(len, results[0])) / 1e6:.2f} MB)")  # fmt: skip
    engines = (
        ("ours", ours),
        ("presidio (threshold 0)", presidio),
        ("presidio (threshold 0.5)", presidio_half),
    )
    results = tool_results(args.tool_results, seed=RESULT_SEEDS[0])
    for title, labelled_texts in (
        ("chat", labelled),
        ("tool results", results),
        ("  HTML tables", [r for r in results if r[0].startswith("<table")]),
        ("  JSON cut 70%", cut_short([r for r in results if is_json(r[0])])),
        ("  tables cut 70%", cut_short([r for r in results if not is_json(r[0])])),
        ("  JSON pretty", json_pretty(results)),
    ):
        for name, run in engines:
            precision, recall = precision_recall(run, labelled_texts)
            print(f"{title:16s} {name:26s} precision {precision:.3f}   recall {recall:.3f}")


if __name__ == "__main__":
    main()
