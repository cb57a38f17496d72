"""Any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp, …).

One pooled aiohttp session per provider, created on first use inside the running loop.
aiohttp was chosen over httpx by `benchmarks/upstream_client.py`: on the development machine
it took 2.7-5.6x less time per call, and served 15-20x the calls per second at concurrency 32.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import aiohttp
import orjson

from agentshield.gateway.errors import UpstreamError, UpstreamStatus, UpstreamTimeout
from agentshield.settings import ProviderSettings

# SSE lines longer than aiohttp's default buffer (a large tool call in one chunk) must fit.
READ_BUFFER = 4 * 1024 * 1024


class OpenAIClient:
    def __init__(self, settings: ProviderSettings) -> None:
        assert settings.base_url is not None  # ProviderSettings refuses an openai type without
        self.provider = settings.name
        self._settings = settings
        base = settings.base_url.rstrip("/")
        self._chat_url = f"{base}/chat/completions"
        self._embeddings_url = f"{base}/embeddings"
        self._images_url = f"{base}/images/generations"
        self._headers = {"content-type": "application/json"}
        api_key = settings.api_key()  # at start: a missing variable stops the process
        if api_key:
            self._headers["authorization"] = f"Bearer {api_key}"
        self._timeout = aiohttp.ClientTimeout(
            total=settings.timeout, sock_connect=settings.connect_timeout
        )
        # A stream may run longer than `timeout` in total; what must not stall is each read.
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=settings.connect_timeout, sock_read=settings.timeout
        )
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._settings.max_connections, keepalive_timeout=60, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, read_bufsize=READ_BUFFER
            )
        return self._session

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._post_json(self._chat_url, body)

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._post_json(self._embeddings_url, body)

    async def images(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._post_json(self._images_url, body)

    async def _post_json(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with self._client().post(
                url, data=orjson.dumps(body), headers=self._headers
            ) as resp:
                raw = await resp.read()
                status = resp.status
        except TimeoutError as exc:
            raise self._timeout_error(exc) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamError(self.provider, f"unreachable ({exc.__class__.__name__})") from exc
        if status >= 300:
            raise UpstreamStatus(self.provider, status, raw)
        try:
            answer = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise UpstreamError(self.provider, "answered with invalid JSON") from exc
        if not isinstance(answer, dict):
            raise UpstreamError(self.provider, "answered with JSON that is not an object")
        return answer

    async def chat_stream(self, body: dict[str, Any]) -> AsyncGenerator[bytes, None]:
        resp: aiohttp.ClientResponse | None = None
        try:
            resp = await self._client().post(
                self._chat_url,
                data=orjson.dumps(body),
                headers=self._headers,
                timeout=self._stream_timeout,
            )
            if resp.status >= 300:
                raise UpstreamStatus(self.provider, resp.status, await resp.read())
            async for payload in _sse_payloads(resp.content):
                yield payload
        except TimeoutError as exc:
            raise self._timeout_error(exc) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamError(self.provider, f"stream broke ({exc.__class__.__name__})") from exc
        finally:
            if resp is not None:
                # A stream abandoned half read is not pooled: aiohttp closes its connection,
                # which is what tells the provider to stop generating.
                resp.release()

    def _timeout_error(self, exc: TimeoutError) -> UpstreamTimeout:
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return UpstreamTimeout(self.provider, self._settings.connect_timeout, connecting=True)
        return UpstreamTimeout(self.provider, self._settings.timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _sse_payloads(content: aiohttp.StreamReader) -> AsyncGenerator[bytes, None]:
    """`data:` payloads of a server-sent event stream, one per event, until `[DONE]`."""
    data: list[bytes] = []
    async for raw_line in content:
        line = raw_line.rstrip(b"\r\n")
        if line.startswith(b"data:"):
            data.append(line[5:].lstrip(b" "))
        elif not line and data:
            payload = data[0] if len(data) == 1 else b"\n".join(data)
            data = []
            if payload == b"[DONE]":
                return
            yield payload
        # Comments (":"), "event:", "id:" and "retry:" lines carry nothing we forward.
    if data and data != [b"[DONE]"]:
        yield b"\n".join(data)
