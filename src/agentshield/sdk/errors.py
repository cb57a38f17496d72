"""Errors raised by the SDK.

AgentShieldError
 └── PromptInjectionDetected   `@shield(on_detect="block")` found an injection
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentshield.sdk.results import ScanResult


class AgentShieldError(Exception):
    """Base of the SDK's errors."""


class PromptInjectionDetected(AgentShieldError):
    """Carries the flagged results (never the texts), as pyagentshield's does."""

    def __init__(self, message: str, results: list[ScanResult] | None = None) -> None:
        super().__init__(message)
        self.results = list(results or [])

    def __str__(self) -> str:
        lines = [super().__str__()]
        lines += [f"  - confidence={r.confidence:.2f}: {r.details.summary}" for r in self.results]
        return "\n".join(lines)
