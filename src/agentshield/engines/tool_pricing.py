"""Which priced tools a chat request offers and which the model called.

A tool is known by its name: a function tool by `function.name`, a built-in tool
(`{"type": "web_search"}`) by its type. Prices come from `tool_definitions`; a name
without a definition costs nothing. A request is reserved one execution of each priced
tool it offers, and charged one execution per call the model returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any


def tool_name(tool: Any) -> str | None:
    """The name of an offered tool or of a returned call, or None."""
    if not isinstance(tool, Mapping):
        return None
    function = tool.get("function")
    if isinstance(function, Mapping) and isinstance(function.get("name"), str):
        return str(function["name"])
    kind = tool.get("type")
    return kind if isinstance(kind, str) and kind != "function" else None


def offered_tools(body: Mapping[str, Any]) -> list[str]:
    """Each tool a request offers, once: `tools`, and the deprecated `functions`."""
    names: dict[str, None] = {}
    for tool in body.get("tools") or ():
        name = tool_name(tool)
        if name:
            names[name] = None
    for function in body.get("functions") or ():
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names[str(function["name"])] = None
    return list(names)


def returned_calls(response: Mapping[str, Any] | None) -> list[str]:
    """The name of every tool call in a completion's choices (a name per call)."""
    names: list[str] = []
    for choice in (response or {}).get("choices") or ():
        message = choice.get("message") if isinstance(choice, Mapping) else None
        if not isinstance(message, Mapping):
            continue
        for call in message.get("tool_calls") or ():
            name = tool_name(call)
            if name:
                names.append(name)
        legacy = message.get("function_call")
        if isinstance(legacy, Mapping) and isinstance(legacy.get("name"), str):
            names.append(str(legacy["name"]))
    return names


def streamed_calls(choice: Mapping[str, Any]) -> Iterator[tuple[tuple[int, int], str]]:
    """((choice index, call index), name) of each call a streamed choice's delta opens.

    A streamed call names itself in its first delta only; later deltas of the same index
    carry its arguments."""
    delta = choice.get("delta")
    if not isinstance(delta, Mapping):
        return
    index = choice.get("index", 0)
    for position, call in enumerate(delta.get("tool_calls") or ()):
        name = tool_name(call)
        if name and isinstance(call, Mapping):
            yield (index, call.get("index", position)), name


def tools_cost(names: Iterable[str], price_of: Callable[[str], int | None]) -> int:
    """Nano-dollars of one execution per name; unpriced names cost nothing."""
    return sum(price_of(name) or 0 for name in names)
