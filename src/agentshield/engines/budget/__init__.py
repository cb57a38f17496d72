"""Budgets: what a call may cost at most, quota windows, and what a refusal says."""

from agentshield.engines.budget.decision import Refusal
from agentshield.engines.budget.estimate import DEFAULT_OUTPUT_LIMIT, max_cost, output_limit
from agentshield.engines.budget.windows import bounds_on, local_day, window_bounds

__all__ = [
    "DEFAULT_OUTPUT_LIMIT",
    "Refusal",
    "bounds_on",
    "local_day",
    "max_cost",
    "output_limit",
    "window_bounds",
]
