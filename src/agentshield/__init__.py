"""AgentShield: security gateway and SDK for AI agents.

`scan`, `shield` and `PromptInjectionDetected` come from `agentshield.sdk` and are
resolved on first use, so `import agentshield` stays cheap and loads no model.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_SDK_EXPORTS = ("scan", "shield", "PromptInjectionDetected")
__all__ = ["PromptInjectionDetected", "__version__", "scan", "shield"]


def __getattr__(name: str) -> Any:
    if name in _SDK_EXPORTS:
        from agentshield import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module 'agentshield' has no attribute {name!r}")
