"""The Python SDK: `scan`, `shield`, calibration and metadata-only telemetry.

Installs without the server extras. Names are resolved on first use, so importing the SDK
loads neither numpy nor the model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "scan": "agentshield.sdk.scanner",
    "Scanner": "agentshield.sdk.scanner",
    "default_scanner": "agentshield.sdk.scanner",
    "shield": "agentshield.sdk.decorator",
    "ScanResult": "agentshield.sdk.results",
    "ScanDetails": "agentshield.sdk.results",
    "DetectionSignal": "agentshield.sdk.results",
    "AgentShieldError": "agentshield.sdk.errors",
    "PromptInjectionDetected": "agentshield.sdk.errors",
    "calibrate_corpus": "agentshield.sdk.calibrate",
    "read_corpus": "agentshield.sdk.calibrate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agentshield.sdk' has no attribute {name!r}")
    return getattr(import_module(module), name)
