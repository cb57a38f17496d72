"""A call's charge is measured once: every guard after the first sees the same figures."""

from __future__ import annotations

from agentshield.gateway.charge import measure
from agentshield.gateway.context import RequestContext
from agentshield.gateway.prices import PriceBook


def test_a_call_is_measured_once_and_later_guards_see_the_same_charge() -> None:
    ctx = RequestContext("trace", "chat.completions", {}, body={"messages": []}, model="m")
    ctx.response = {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3}}
    prices = PriceBook()
    measure(ctx, prices)  # the budget guard, settling
    assert (ctx.usage.prompt_tokens, ctx.usage.completion_tokens) == (7, 3)
    ctx.response = {"choices": [], "usage": {"prompt_tokens": 70, "completion_tokens": 30}}
    measure(ctx, prices)  # the cost guard, recording: the call has ended already
    assert (ctx.usage.prompt_tokens, ctx.usage.completion_tokens) == (7, 3)
