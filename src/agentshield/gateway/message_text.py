"""Where the text of a request or a completion is: every slot a guard may read or rewrite.

A slot names a string `container[key]`, so a guard rewrites it in place
(`slot.container[slot.key] = redacted`), and says which text of its message it is
(`content`, `content.2`, `tool_calls.0`, `function_call`), so the pieces of one text in a
stream can be told apart. The same walk serves the request (messages of every
role, content parts, tool calls, tool results; embeddings input; an image generation's
prompt), the answer (each choice's message) and a streamed chunk (each choice's delta).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple


class Slot(NamedTuple):
    container: dict[str, Any] | list[Any]
    key: str | int
    name: str


def message_slots(message: Any) -> Iterator[Slot]:
    """A message's or a delta's text: content (a string or text parts), tool-call arguments."""
    if not isinstance(message, dict):
        return
    content = message.get("content")
    if isinstance(content, str):
        yield Slot(message, "content", "content")
    elif isinstance(content, list):
        for position, part in enumerate(content):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield Slot(part, "text", f"content.{position}")
    calls = message.get("tool_calls")
    for position, call in enumerate(calls if isinstance(calls, list) else ()):
        if isinstance(call, dict):
            # Streamed calls carry their own index; whole messages list them in order.
            name = f"tool_calls.{call.get('index', position)}"
            yield from _arguments(call.get("function"), name)
    yield from _arguments(message.get("function_call"), "function_call")  # deprecated form


def _arguments(function: Any, name: str) -> Iterator[Slot]:
    if isinstance(function, dict) and isinstance(function.get("arguments"), str):
        yield Slot(function, "arguments", name)


def request_slots(endpoint: str, body: dict[str, Any]) -> Iterator[Slot]:
    if endpoint == "images.generations":
        if isinstance(body.get("prompt"), str):
            yield Slot(body, "prompt", "prompt")
        return
    if endpoint == "embeddings":
        data = body.get("input")
        if isinstance(data, str):
            yield Slot(body, "input", "input")
        elif isinstance(data, list):
            # Token-id inputs (lists of integers) carry no text to read.
            for i, item in enumerate(data):
                if isinstance(item, str):
                    yield Slot(data, i, f"input.{i}")
        return
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else ():
        yield from message_slots(message)


def response_slots(response: dict[str, Any] | None) -> Iterator[Slot]:
    choices = (response or {}).get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if isinstance(choice, dict):
            yield from message_slots(choice.get("message"))
