"""Which priced tools a request offers and which calls a completion (or a stream) returned."""

from __future__ import annotations

from agentshield.engines.tool_pricing import (
    offered_tools,
    returned_calls,
    streamed_calls,
    tools_cost,
)

PRICES = {"web_search": 10_000_000, "python_interpreter": 50_000_000}


def _function(name: str) -> dict[str, object]:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


def test_offered_tools_are_named_by_function_name_or_built_in_type() -> None:
    body = {
        "tools": [_function("python_interpreter"), {"type": "web_search"}, _function("lookup")],
        "functions": [{"name": "legacy"}, {"name": "lookup"}],
    }
    assert offered_tools(body) == ["python_interpreter", "web_search", "lookup", "legacy"]
    assert tools_cost(offered_tools(body), PRICES.get) == 60_000_000


def test_each_returned_call_counts_once() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "web_search", "arguments": "{}"}}
    response = {
        "choices": [
            {"message": {"role": "assistant", "tool_calls": [call, call]}},
            {"message": {"role": "assistant", "function_call": {"name": "python_interpreter"}}},
            {"message": {"role": "assistant", "content": "no tools"}},
        ]
    }
    assert returned_calls(response) == ["web_search", "web_search", "python_interpreter"]
    assert tools_cost(returned_calls(response), PRICES.get) == 70_000_000
    assert returned_calls(None) == []


def test_a_streamed_call_is_named_by_its_first_delta_only() -> None:
    opening = {
        "index": 0,
        "delta": {"tool_calls": [{"index": 1, "id": "c", "function": {"name": "web_search"}}]},
    }
    arguments = {
        "index": 0,
        "delta": {"tool_calls": [{"index": 1, "function": {"arguments": "{"}}]},
    }
    assert list(streamed_calls(opening)) == [((0, 1), "web_search")]
    assert list(streamed_calls(arguments)) == []
    assert list(streamed_calls({"index": 0, "delta": {"content": "hi"}})) == []


def test_unpriced_tools_cost_nothing() -> None:
    assert tools_cost(["lookup", "web_search"], PRICES.get) == 10_000_000
