"""`agentshield scan` and `agentshield calibrate`: the injection detector from a shell.

Neither needs a database or a server configuration. `scan` exits 1 when any input is
flagged, 2 when an input cannot be read or the model is not installed. Verdicts go to
stdout (one line per input, or `--output json`: `{"results": [{"input", ...verdict}]}`);
progress and errors go to stderr.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from agentshield.cli.common import CONFIG_EXIT, REFUSED_EXIT, fail, stderr
from agentshield.engines.injection import CalibrationError, InjectionEngineError, SharedDetector
from agentshield.sdk.calibrate import calibrate_corpus
from agentshield.sdk.paths import calibration_path

BATCH = 32  # files scanned per detector call
PROGRESS_FROM = 20  # files: fewer finish too fast for a progress bar to help


class Output(StrEnum):
    text = "text"
    json = "json"


def scan(
    path: Annotated[
        str | None, typer.Argument(help="A file, a directory (every file under it) or - for stdin.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="Scan this text.")] = None,
    output: Annotated[Output, typer.Option(help="text or json.")] = Output.text,
) -> None:
    """Scan text for prompt injection; exit 1 when anything is flagged."""
    inputs = _inputs(path, text)
    detector = SharedDetector(calibration_path())  # your `calibrate` thresholds, if any
    results = []
    try:
        with Progress(console=stderr, transient=True, disable=len(inputs) < PROGRESS_FROM) as bar:
            task = bar.add_task("scanning", total=len(inputs))
            for start in range(0, len(inputs), BATCH):
                chunk = inputs[start : start + BATCH]
                texts = [_read(source) for source in chunk]
                verdicts = detector.get().scan_batch(texts)
                results += [
                    {"input": name, **v.as_metadata()}
                    for (name, _), v in zip(chunk, verdicts, strict=True)
                ]
                bar.advance(task, len(chunk))
    except InjectionEngineError as exc:
        fail(str(exc), CONFIG_EXIT)
    if output is Output.json:
        typer.echo(json.dumps({"results": results}, indent=2))
    else:
        for result in results:
            typer.echo(_line(result))
    if any(result["is_suspicious"] for result in results):
        raise typer.Exit(REFUSED_EXIT)


def calibrate(
    corpus: Annotated[
        Path,
        typer.Option(
            help="JSON Lines of {text, label?} (label 1: injected) or plain text, one clean "
            "text per line."
        ),
    ],
    fp_cap: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="The false-positive rate not to exceed.")
    ] = 0.02,
) -> None:
    """Fit the detector's thresholds on your own texts and store them for this pipeline."""
    store = calibration_path()
    try:
        fitted = calibrate_corpus(corpus, fp_cap=fp_cap, store_path=store)
    except CalibrationError as exc:
        fail(str(exc))
    except InjectionEngineError as exc:
        fail(str(exc), CONFIG_EXIT)
    tpr = (
        "n/a (no injected texts)"
        if fitted.true_positive_rate is None
        else (f"{fitted.true_positive_rate:.4f} on {fitted.injected_count} injected texts")
    )
    typer.echo(f"threshold: {fitted.decision_threshold:.6f} (drift {fitted.drift_threshold:.6f})")
    typer.echo(
        f"false-positive rate: {fitted.false_positive_rate:.4f} on {fitted.clean_count} clean texts"
    )
    typer.echo(f"true-positive rate: {tpr}")
    typer.echo(f"stored in: {store} (pipeline {fitted.fingerprint})")


def _inputs(path: str | None, text: str | None) -> list[tuple[str, str | Path | None]]:
    """(name shown, where the text is): a literal text, a file, or None for stdin."""
    if (path is None) == (text is None):
        fail("give a PATH (a file, a directory or -) or --text", CONFIG_EXIT)
    if text is not None:
        return [("--text", text)]
    if path == "-":
        return [("-", None)]
    root = Path(path)  # type: ignore[arg-type]
    if root.is_file():
        return [(str(root), root)]
    if not root.is_dir():
        fail(f"{root}: no such file or directory", CONFIG_EXIT)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if not files:
        fail(f"{root}: no files to scan", CONFIG_EXIT)
    return [(str(p), p) for p in files]


def _read(source: tuple[str, str | Path | None]) -> str:
    _, where = source
    if where is None:
        return sys.stdin.read()
    if isinstance(where, str):
        return where
    try:
        return where.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        fail(f"{where}: {exc.strerror}", CONFIG_EXIT)


def _line(result: dict[str, object]) -> str:
    status = "FLAGGED" if result["is_suspicious"] else "ok"
    factors = ",".join(result["risk_factors"]) or "-"  # type: ignore[arg-type]
    return f"{status}\t{result['input']}\tconfidence={result['confidence']:.4f}\tfactors={factors}"
