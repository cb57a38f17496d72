"""Errors of the injection engine.

InjectionEngineError
 ├── ModelUnavailable     the embedding model or tokenizer package is not installed
 ├── StaleWeights         the shipped classifier was trained for another pipeline
 └── CalibrationError     a corpus cannot produce a threshold (too few texts, bad file)
"""

from __future__ import annotations


class InjectionEngineError(Exception):
    """Base of every error raised by `agentshield.engines.injection`."""


class ModelUnavailable(InjectionEngineError):
    pass


class StaleWeights(InjectionEngineError):
    pass


class CalibrationError(InjectionEngineError):
    pass
