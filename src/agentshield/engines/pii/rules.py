"""Custom rules per tenant, department and user, run with RE2 so none can hang a scan.

A rule is checked when saved (`check_rule`): it compiles under RE2 within a memory bound
(no backreferences or look-arounds, no exponential blow-up), it never matches the empty
string, it matches each of its examples and none of its counter-examples. `merge_rules`
applies precedence (user over department over tenant, by rule name); `RuleSet` compiles
the merged rules into one RE2 pass for scanning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import re2

from agentshield.engines.pii._finder import error as finder_error
from agentshield.engines.pii.detector import Budget, Detector, Hit, Spans
from agentshield.engines.pii.errors import InvalidRule
from agentshield.engines.pii.layers import CUSTOM
from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.turned import turned_triggers

Scope = Literal["tenant", "department", "user"]
RULE_MAX_MEM = 1 << 20  # per pattern; RE2 refuses patterns whose program needs more
MAX_PATTERN_CHARS = 1000
_ENTITY = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
_EMPTY_PROBES = ("", " ", "a", "0", "a b", "\n")


@dataclass(frozen=True, slots=True)
class CustomRule:
    name: str  # unique within a scope; a narrower scope's rule of the same name wins
    pattern: str  # RE2 syntax
    entity_type: str = "CUSTOM"
    score: float = 0.85
    examples: tuple[str, ...] = ()  # each must contain a match
    counter_examples: tuple[str, ...] = ()  # none may contain a match
    scope: Scope = "tenant"
    enabled: bool = True  # a disabled rule in a narrower scope switches the name off
    description: str = ""


@dataclass(frozen=True, slots=True)
class PatternTest:
    """The outcome of a pattern against examples, for `POST /v1/pii/patterns/test`."""

    problems: tuple[str, ...]
    matches: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def re2_options(max_mem: int) -> re2.Options:
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    return options


def compile_pattern(pattern: str) -> re2._Regexp:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise InvalidRule([f"pattern is longer than {MAX_PATTERN_CHARS} characters"])
    try:
        compiled = re2.compile(pattern, re2_options(RULE_MAX_MEM))
    except re2.error as exc:
        message = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise InvalidRule([f"pattern does not compile under RE2: {message}"]) from exc
    refused = finder_error(pattern, RULE_MAX_MEM)  # the scan's RE2 may be older
    if refused is not None:
        raise InvalidRule([f"pattern does not compile under RE2: {refused}"])
    return compiled


def try_pattern(
    pattern: str, examples: Sequence[str] = (), counter_examples: Sequence[str] = ()
) -> PatternTest:
    try:
        compiled = compile_pattern(pattern)
    except InvalidRule as exc:
        return PatternTest(tuple(exc.problems))
    problems: list[str] = []
    if any(m.start() == m.end() for probe in _EMPTY_PROBES for m in compiled.finditer(probe)):
        problems.append("pattern matches the empty string")
    matches = {
        text: [m.span() for m in compiled.finditer(text)] for text in (*examples, *counter_examples)
    }
    problems += [f"does not match its example {e!r}" for e in examples if not matches[e]]
    problems += [f"matches its counter-example {e!r}" for e in counter_examples if matches[e]]
    return PatternTest(tuple(problems), matches)


def check_rule(rule: CustomRule) -> None:
    """Raise InvalidRule listing every problem of a rule about to be saved."""
    problems = list(try_pattern(rule.pattern, rule.examples, rule.counter_examples).problems)
    if not _ENTITY.fullmatch(rule.entity_type):
        problems.append("entity_type must be upper case letters, digits and _ (2-64)")
    if not rule.name.strip():
        problems.append("name is empty")
    if not 0.0 < rule.score <= 1.0:
        problems.append("score must be within (0, 1]")
    if problems:
        raise InvalidRule(problems)


def merge_rules(
    *,
    tenant: Iterable[CustomRule] = (),
    department: Iterable[CustomRule] = (),
    user: Iterable[CustomRule] = (),
) -> tuple[CustomRule, ...]:
    """The rules in force: by name, user over department over tenant; disabled ones drop."""
    merged: dict[str, CustomRule] = {}
    for rules in (tenant, department, user):
        for rule in rules:
            merged.pop(rule.name, None)  # re-insert so order follows the winning scope
            merged[rule.name] = rule
    return tuple(rule for rule in merged.values() if rule.enabled)


class _RuleRecognizer(Recognizer):
    layer = CUSTOM

    def __init__(self, rule: CustomRule) -> None:
        super().__init__()
        self.entity_type = rule.entity_type  # type: ignore[misc]
        self.patterns = (Pattern(rule.name, rule.pattern, rule.score),)  # type: ignore[misc]


class RuleSet:
    """Merged rules compiled for scanning. Build it when rules change, not per request."""

    def __init__(self, rules: Iterable[CustomRule]) -> None:
        self.rules = tuple(rules)
        for rule in self.rules:
            check_rule(rule)
        recognizers = [_RuleRecognizer(rule) for rule in self.rules]
        self._detector = Detector(
            recognizers,
            turned_triggers(rule.pattern for rule in self.rules),
            max_mem=3 * RULE_MAX_MEM * max(1, len(recognizers)),  # each rule and its turned forms
        )

    def run(self, text: str, budget: Budget) -> tuple[list[Hit], Spans]:
        """Hits, and where a rule may match the turned views (see turned.py)."""
        if not self.rules:
            return [], {}
        return self._detector.run(text, budget)
