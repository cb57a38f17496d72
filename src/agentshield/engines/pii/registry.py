"""Recognizers are found, not listed: every Recognizer subclass in `recognizers/`.

`build(names)` enables recognizers by entity type and refuses a name it does not know, so
a misspelt setting stops start-up instead of silently scanning for less (fail closed).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from functools import cache

from agentshield.engines.pii import recognizers as package
from agentshield.engines.pii.errors import UnknownRecognizer
from agentshield.engines.pii.recognizer import Recognizer


@cache
def available() -> dict[str, type[Recognizer]]:
    """Entity type -> recognizer class, for every recognizer shipped."""
    found: dict[str, type[Recognizer]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Recognizer) and cls.__module__ == module.__name__:
                if cls.entity_type in found:
                    raise RuntimeError(f"two recognizers claim {cls.entity_type}")
                found[cls.entity_type] = cls
    return dict(sorted(found.items()))


def build(names: Iterable[str] | None = None) -> list[Recognizer]:
    known = available()
    wanted = list(known) if names is None else list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise UnknownRecognizer(unknown, list(known))
    return [known[name]() for name in wanted]
