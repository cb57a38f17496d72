"""A real OpenAI-speaking HTTP server on 127.0.0.1, run by aiohttp in a thread of its own.

Tests steer each request through a body field the gateway passes through unchanged:

    extra_body={"upstream_test": {"status": 500, "delay": 2.0, "chunk_delay": 0.2,
                                  "chunks": 50, "break_after": 3, "no_usage": True,
                                  "tag": "abc"}}

(`break_after`: drop the connection after that many stream chunks; `sse_noise`: frame
events with comments, event and id fields and CRLF line ends.)

What the model says: ANSWER, or `"reply": "text"`, or with `"echo": true` (and always for
ECHO_MODEL) the text of the last message it received; a reply or an echo is streamed in
pieces of `chunk_size` characters (default 4). `"tool_arguments"` replaces TOOL_ARGUMENTS;
`"no_finish"` ends a stream without a `finish_reason` chunk. `"tool_calls": ["a", "b"]`
answers (or streams) one tool call per name, whatever tools were offered.

`/v1/images/generations` answers `n` images (or `"images": k`), plus the fields of
`"report": {"size": ..., "quality": ...}` (gpt-image-1 reports what it chose for `auto`).

It records every request it received (`received`), and the tags of streams whose client
went away before the end (`aborted`).
"""

from __future__ import annotations

import asyncio
import base64
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from support.local_server import LocalServer

ANSWER = "Hello from the test upstream."
PROMPT_TOKENS = 11
COMPLETION_TOKENS = 7
TOOL_ARGUMENTS = '{"city": "Paris"}'
ECHO_MODEL = "echo-model"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def tag(self) -> str | None:
        return (self.body.get("upstream_test") or {}).get("tag")


class UpstreamServer(LocalServer):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[Received] = []
        self.aborted: list[str] = []

    @property
    def url(self) -> str:
        """The base URL a provider is configured with."""
        return f"http://127.0.0.1:{self.port}/v1"

    def by_tag(self, tag: str) -> Received:
        found = [r for r in self.received if r.tag == tag]
        assert len(found) == 1, f"upstream received {len(found)} requests tagged {tag!r}"
        return found[0]

    def wait_aborted(self, tag: str, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if tag in self.aborted:
                return True
            time.sleep(0.02)
        return False

    def application(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_post("/v1/images/generations", self._images)
        return app

    async def _receive(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        body = orjson.loads(await request.read())
        self.received.append(Received(request.path, dict(request.headers), body))
        control = body.get("upstream_test") or {}
        await asyncio.sleep(control.get("delay", 0))
        return body, control

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body, control = await self._receive(request)
        if "status" in control:
            return _error(control["status"])
        if body.get("stream"):
            return await self._stream(request, body, control)
        message: dict[str, Any] = {"role": "assistant", "content": _said(body, control)}
        finish = "stop"
        if control.get("tool_calls"):
            calls = [_named_call(name, i) for i, name in enumerate(control["tool_calls"])]
            message = {"role": "assistant", "content": None, "tool_calls": calls}
            finish = "tool_calls"
        elif body.get("tools"):
            call = _tool_call(body, control)
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
            finish = "tool_calls"
        answer: dict[str, Any] = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        }
        if not control.get("no_usage"):
            answer["usage"] = _usage()
        return web.json_response(answer, dumps=lambda v: orjson.dumps(v).decode())

    async def _stream(
        self, request: web.Request, body: dict[str, Any], control: dict[str, Any]
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        completed = False
        try:
            for sent, chunk in enumerate(_chunks(body, control)):
                if sent == control.get("break_after"):
                    assert request.transport is not None
                    request.transport.abort()  # the provider dies mid-answer
                    return response
                if control.get("sse_noise"):  # legal SSE that a naive parser trips on
                    event = b": keep-alive\r\n\r\nevent: chunk\r\nid: 1\r\ndata:"
                    await response.write(event + orjson.dumps(chunk) + b"\r\n\r\n")
                else:
                    await response.write(b"data: " + orjson.dumps(chunk) + b"\n\n")
                await asyncio.sleep(control.get("chunk_delay", 0))
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
            completed = True
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if not completed:
                self.aborted.append(str(control.get("tag")))
        return response

    async def _embeddings(self, request: web.Request) -> web.Response:
        body, control = await self._receive(request)
        if "status" in control:
            return _error(control["status"])
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dimensions = body.get("dimensions", 8)
        data = []
        for index, _ in enumerate(inputs):
            vector = [float(index + 1)] + [0.0] * (dimensions - 1)
            embedding: Any = vector
            if body.get("encoding_format") == "base64":
                embedding = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        answer = {
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "total_tokens": PROMPT_TOKENS},
        }
        return web.json_response(answer, dumps=lambda v: orjson.dumps(v).decode())

    async def _images(self, request: web.Request) -> web.Response:
        body, control = await self._receive(request)
        if "status" in control:
            return _error(control["status"])
        count = control.get("images", body.get("n") or 1)
        answer: dict[str, Any] = {
            "created": int(time.time()),
            "data": [{"b64_json": "iVBORw0KGgo="} for _ in range(count)],
        }
        answer |= control.get("report") or {}
        return web.json_response(answer, dumps=lambda v: orjson.dumps(v).decode())


def _named_call(name: str, index: int) -> dict[str, Any]:
    return {
        "id": f"call_{index}",
        "type": "function",
        "function": {"name": name, "arguments": TOOL_ARGUMENTS},
    }


def _usage() -> dict[str, int]:
    total = PROMPT_TOKENS + COMPLETION_TOKENS
    return {
        "prompt_tokens": PROMPT_TOKENS,
        "completion_tokens": COMPLETION_TOKENS,
        "total_tokens": total,
    }


def _said(body: dict[str, Any], control: dict[str, Any]) -> str:
    if isinstance(control.get("reply"), str):
        return str(control["reply"])
    if control.get("echo") or body.get("model") == ECHO_MODEL:
        content = body["messages"][-1].get("content") or ""
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content)
        return str(content)
    return ANSWER


def _tool_call(body: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    name = body["tools"][0]["function"]["name"]
    arguments = control.get("tool_arguments", TOOL_ARGUMENTS)
    return {
        "id": "call_test",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _chunks(body: dict[str, Any], control: dict[str, Any]) -> Iterator[dict[str, Any]]:
    head = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body["model"],
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return head | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    for index, name in enumerate(control.get("tool_calls") or ()):
        call = _named_call(name, index)
        opening = {"index": index, "id": call["id"], "type": "function"}
        yield chunk({"tool_calls": [opening | {"function": {"name": name, "arguments": ""}}]})
        arguments = {"index": index, "function": {"arguments": TOOL_ARGUMENTS}}
        yield chunk({"tool_calls": [arguments]})
    said = _said(body, control)
    if said != ANSWER:
        size = control.get("chunk_size", 4)
        for start in range(0, len(said), size):
            yield chunk({"content": said[start : start + size]})
    else:
        words = ANSWER.split(" ")
        for i in range(control.get("chunks", 3)):
            yield chunk({"content": words[i % len(words)] + " "})
    if not control.get("no_finish"):
        yield chunk({}, "stop")
    options = body.get("stream_options") or {}
    if options.get("include_usage") and not control.get("no_usage"):
        yield head | {"choices": [], "usage": _usage()}


def _error(status: int) -> web.Response:
    error = {
        "error": {
            "message": f"The test upstream failed with {status} as asked.",
            "type": "server_error",
            "code": "test_failure",
            "param": None,
        }
    }
    return web.Response(status=status, body=orjson.dumps(error), content_type="application/json")
