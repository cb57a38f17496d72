"""The `mock` provider: a stand-in for trying the gateway without a model or a network.

It is never used unless a configuration names a provider of `type: mock`. Its answers are
OpenAI-shaped and depend only on the request:

- a chat completion says it is a mock and quotes a digest of the last user message;
- streamed, the same text arrives in several chunks, then a usage chunk when
  `stream_options.include_usage` is set;
- when the request offers `tools`, it calls the first one (or the one `tool_choice` names)
  with arguments holding every required property of the tool's JSON schema;
- embeddings are unit vectors drawn from a hash of each input, of dimension 1536 or
  `dimensions`, as floats or base64 as `encoding_format` asks;
- an image generation returns `n` one-pixel PNGs coloured from a hash of the prompt, as
  `b64_json` or as a `data:` URL (`response_format`), never fetched from anywhere.

Token counts come from `agentshield.engines.tokens`, as for an upstream that reports none.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
import time
import zlib
from collections.abc import AsyncGenerator
from typing import Any

import orjson

from agentshield.engines import tokens
from agentshield.settings import ProviderSettings

DEFAULT_DIMENSIONS = 1536
STREAM_PIECES = 4


class MockClient:
    def __init__(self, settings: ProviderSettings) -> None:
        self.provider = settings.name

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        model = str(body.get("model", ""))
        digest = _digest(body)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        call = _tool_call(body, digest)
        if call is not None:
            message["tool_calls"] = [call]
            completion = call["function"]["arguments"]
            finish = "tool_calls"
        else:
            completion = message["content"] = _answer(body)
            finish = "stop"
        return {
            "id": f"chatcmpl-mock-{digest[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": _usage(model, body, completion),
        }

    async def chat_stream(self, body: dict[str, Any]) -> AsyncGenerator[bytes, None]:
        answer = await self.chat(body)
        head = {k: answer[k] for k in ("id", "created", "model")} | {
            "object": "chat.completion.chunk"
        }
        message = answer["choices"][0]["message"]

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return orjson.dumps(head | {"choices": [choice]})

        if "tool_calls" in message:
            call = message["tool_calls"][0]
            opening = {"index": 0, "id": call["id"], "type": "function"}
            yield chunk(
                {
                    "role": "assistant",
                    "tool_calls": [opening | {"function": {"name": call["function"]["name"]}}],
                }
            )
            for piece in _pieces(call["function"]["arguments"]):
                yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        else:
            yield chunk({"role": "assistant", "content": ""})
            for piece in _pieces(message["content"]):
                yield chunk({"content": piece})
        yield chunk({}, answer["choices"][0]["finish_reason"])
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            yield orjson.dumps(head | {"choices": [], "usage": answer["usage"]})

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        model = str(body.get("model", ""))
        raw = body.get("input")
        items = raw if isinstance(raw, list) and raw and not isinstance(raw[0], int) else [raw]
        dimensions = body.get("dimensions") or DEFAULT_DIMENSIONS
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, item in enumerate(items):
            vector = _unit_vector(orjson.dumps(item), int(dimensions))
            embedding: Any = vector
            if as_base64:
                embedding = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        prompt_tokens = tokens.count_input(model, raw)
        return {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        }

    async def images(self, body: dict[str, Any]) -> dict[str, Any]:
        png = base64.b64encode(
            _pixel_png(hashlib.sha256(str(body.get("prompt")).encode()))
        ).decode()
        n = body.get("n") if isinstance(body.get("n"), int) else 1
        item = (
            {"b64_json": png}
            if body.get("response_format") == "b64_json"
            else {"url": f"data:image/png;base64,{png}"}
        )
        return {"created": int(time.time()), "data": [dict(item) for _ in range(n)]}

    async def close(self) -> None:
        return None


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(body.get("messages"))).hexdigest()


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                parts = [p.get("text", "") for p in content if isinstance(p, dict)]
                return " ".join(p for p in parts if isinstance(p, str))
    return ""


def _answer(body: dict[str, Any]) -> str:
    text = _last_user_text(body)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return (
        f"This is the AgentShield mock model. Your last message had {len(text.split())} "
        f"words and digest {digest}."
    )


def _usage(model: str, body: dict[str, Any], completion: str) -> dict[str, int]:
    prompt = tokens.count_messages(model, body.get("messages") or [])
    output = tokens.count_text(model, completion)
    return {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output}


def _tool_call(body: dict[str, Any], digest: str) -> dict[str, Any] | None:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and "function" in t]
    choice = body.get("tool_choice")
    if not tools or choice == "none":
        return None
    function = tools[0]["function"]
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        function = next(
            (t["function"] for t in tools if t["function"].get("name") == wanted), function
        )
    arguments = _example(function.get("parameters") or {"type": "object"})
    return {
        "id": f"call_{digest[:24]}",
        "type": "function",
        "function": {
            "name": function.get("name", ""),
            "arguments": orjson.dumps(arguments).decode(),
        },
    }


def _example(schema: Any) -> Any:
    """A value that satisfies the common constraints of a JSON schema (required, enum, type)."""
    if not isinstance(schema, dict):
        return None
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _example(schema[key][0])
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: _example(properties.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        return [_example(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "mock".ljust(schema.get("minLength", 0), "x")


def _pieces(text: str) -> list[str]:
    size = max(1, -(-len(text) // STREAM_PIECES))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _unit_vector(seed: bytes, dimensions: int) -> list[float]:
    rng = random.Random(hashlib.sha256(seed).digest())
    vector = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def _pixel_png(digest: Any) -> bytes:
    """A valid 1x1 RGB PNG whose colour is the digest's first three bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\x00" + digest.digest()[:3])  # filter byte, then the pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
