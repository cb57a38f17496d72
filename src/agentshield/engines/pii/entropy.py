"""Shannon entropy in bits per character: how unpredictable a string's characters are.

-sum(p * log2(p)) over each distinct character's share p of the string, in order of first
appearance. Compiled (native/entropy.cpp): in Python, counting and summing took 5-7 µs a
40-character token, and HIGH_ENTROPY_SECRET asks it of every candidate it checks.
"""

from __future__ import annotations

from agentshield.engines.pii._finder import shannon

__all__ = ["shannon"]
