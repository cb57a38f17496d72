"""`@shield`: scan the documents a function receives before it runs.

Documents are found in the arguments: strings, lists/tuples of them, dict values, and
objects with `page_content` (LangChain) or a string `.text` (LlamaIndex). On detection:

- `block`: raise PromptInjectionDetected; the function does not run.
- `warn`: log a warning (no text, only the summary) and run.
- `flag`: run; the results are on `wrapper.last_results` for inspection.
- `filter`: run without what was flagged: a flagged document is dropped from its list or
  dict, a flagged string argument is replaced by its cleaned text.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

from agentshield.sdk.errors import PromptInjectionDetected
from agentshield.sdk.results import ScanResult
from agentshield.sdk.scanner import Scanner, default_scanner

log = logging.getLogger(__name__)
OnDetect = Literal["block", "warn", "flag", "filter"]
MODES = ("block", "warn", "flag", "filter")
F = TypeVar("F", bound=Callable[..., Any])


def shield(
    on_detect: OnDetect = "warn",
    confidence_threshold: float | None = None,
    scan_args: list[str] | None = None,
    scanner: Scanner | None = None,
) -> Callable[[F], F]:
    """`confidence_threshold`, when given, also requires confidence >= it to act;
    `scan_args` limits scanning to the named parameters."""
    if on_detect not in MODES:
        raise ValueError(f"on_detect must be one of {MODES}, got {on_detect!r}")

    def decorate(func: F) -> F:
        signature = inspect.signature(func)

        def guard(args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
            bound = signature.bind(*args, **kwargs)
            wanted = {
                name: value
                for name, value in bound.arguments.items()
                if scan_args is None or name in scan_args
            }
            texts = [text for value in wanted.values() for text in _texts(value)]
            if not texts:
                return bound
            active = scanner or default_scanner()
            results = active.scan_many(texts, on_detect=on_detect)
            wrapper.last_results = results  # type: ignore[attr-defined]
            flagged = {
                text: result
                for text, result in zip(texts, results, strict=True)
                if result.is_suspicious
                and (confidence_threshold is None or result.confidence >= confidence_threshold)
            }
            if not flagged:
                return bound
            if on_detect == "block":
                raise PromptInjectionDetected(
                    f"Blocked: {len(flagged)} suspicious input(s) detected",
                    results=list(flagged.values()),
                )
            if on_detect == "warn":
                for result in flagged.values():
                    log.warning(
                        "prompt injection detected (confidence=%.2f): %s",
                        result.confidence,
                        result.details.summary,
                    )
            if on_detect == "filter":
                cleaned = {text: active.detector.cleaner.clean(text) for text in flagged}
                for name in wanted:
                    bound.arguments[name] = _without(bound.arguments[name], flagged, cleaned)
            return bound

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                bound = await asyncio.to_thread(guard, args, kwargs)
                return await func(*bound.args, **bound.kwargs)

        else:

            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                bound = guard(args, kwargs)
                return func(*bound.args, **bound.kwargs)

        wrapper.last_results = []  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def _document_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    content = getattr(value, "page_content", None)
    if isinstance(content, str):
        return content
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else None


def _texts(value: Any) -> Iterator[str]:
    text = _document_text(value)
    if text is not None:
        yield text
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def _without(value: Any, flagged: dict[str, ScanResult], cleaned: dict[str, str]) -> Any:
    if isinstance(value, str):
        return cleaned.get(value, value)
    if isinstance(value, list | tuple):
        kept = [_without(v, flagged, cleaned) for v in value if not _is_flagged_doc(v, flagged)]
        return type(value)(kept) if isinstance(value, tuple) else kept
    if isinstance(value, dict):
        return {
            k: _without(v, flagged, cleaned)
            for k, v in value.items()
            if not _is_flagged_doc(v, flagged)
        }
    return value


def _is_flagged_doc(value: Any, flagged: dict[str, ScanResult]) -> bool:
    text = _document_text(value)
    return text is not None and text in flagged
