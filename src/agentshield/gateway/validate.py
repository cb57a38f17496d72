"""Reading and checking request bodies, cheaply: orjson and a few type checks, no models.

Only what the gateway itself relies on is checked; every other field goes upstream as is.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from agentshield.gateway.errors import BodyTooLarge, InvalidField, InvalidJSON


async def read_json(request: Request, headers: dict[str, str], limit: int) -> dict[str, Any]:
    """The body as a JSON object; 413 as soon as it is known to exceed `limit` bytes."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidJSON(f"We could not parse the JSON body of your request: {exc}") from exc
    if not isinstance(body, dict):
        raise InvalidJSON("The request body must be a JSON object.")
    return body


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidField("model", "'model' is required and must be a non-empty string.")
    return model


def check_chat(body: dict[str, Any]) -> str:
    """The requested model of a valid chat completion request."""
    model = _model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidField("messages", "'messages' is required and must be a non-empty array.")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InvalidField(
                f"messages[{index}]", "Each message must be an object with a string 'role'."
            )
    if "stream" in body and not isinstance(body["stream"], bool | None):
        raise InvalidField("stream", "'stream' must be a boolean.")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise InvalidField("stream_options", "'stream_options' must be an object.")
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise InvalidField("tools", "'tools' must be an array.")
    return model


def check_embeddings(body: dict[str, Any]) -> str:
    """The requested model of a valid embeddings request."""
    model = _model(body)
    value = body.get("input")
    if isinstance(value, str) and value:
        return model
    if isinstance(value, list) and value and all(_embeddable(item) for item in value):
        return model
    raise InvalidField(
        "input", "'input' must be a non-empty string, array of strings, or array of tokens."
    )


def _embeddable(item: Any) -> bool:
    if isinstance(item, str | int) and not isinstance(item, bool):
        return True
    return isinstance(item, list) and all(
        isinstance(t, int) and not isinstance(t, bool) for t in item
    )
