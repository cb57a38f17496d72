"""The one interface every upstream client implements, whatever speaks on the other side."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol


class UpstreamClient(Protocol):
    """A model provider. Bodies go through unchanged, unknown fields included.

    Failures raise `agentshield.gateway.errors.UpstreamError` and its subclasses only.
    """

    provider: str

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """A non-streamed chat completion."""
        ...

    def chat_stream(self, body: dict[str, Any]) -> AsyncGenerator[bytes, None]:
        """The raw `data:` payloads of a streamed completion, without the final `[DONE]`.

        The request is sent on the first `__anext__`, which raises if the upstream refuses;
        `aclose()` abandons the upstream response and closes its connection.
        """
        ...

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]: ...

    async def images(self, body: dict[str, Any]) -> dict[str, Any]:
        """An image generation (`/images/generations`)."""
        ...

    async def close(self) -> None: ...
