"""Prices in memory: loaded at start, reloaded after an edit; a lookup never waits for the
database. Model prices (`model_prices`), tool prices (`tool_definitions`, `tools`) and the
shipped per-image prices of image generation (`image_price`)."""

from __future__ import annotations

import asyncio
import logging

from agentshield.engines.pricing import (
    ImagePrice,
    Price,
    cost_nanos,
    load_image_prices,
    match_price,
)
from agentshield.store.db import Database
from agentshield.store.prices import price_table
from agentshield.store.tools import ToolPrices

log = logging.getLogger("agentshield.gateway")


class PriceBook:
    def __init__(self) -> None:
        self._table: dict[str, Price] = {}
        self._matched: dict[str, Price | None] = {}  # requested name -> price, memoised
        self._reloads: set[asyncio.Task[None]] = set()
        self.tools = ToolPrices()
        self._images = load_image_prices()

    async def load(self, db: Database) -> None:
        async with db.read() as session:
            table = await price_table(session)
        self._table, self._matched = table, {}
        await self.tools.load(db)

    def reload(self, db: Database) -> asyncio.Task[None]:
        """Load again in the background; callable from sync code (an after-commit hook).
        Await the returned task to know when the new prices apply."""
        task = asyncio.get_running_loop().create_task(self.load(db))
        self._reloads.add(task)
        task.add_done_callback(self._reloaded)
        return task

    def _reloaded(self, task: asyncio.Task[None]) -> None:
        self._reloads.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The old prices stay in force; the next edit or restart loads again.
            log.error("reloading model prices failed: %s", type(task.exception()).__name__)

    def price(self, model: str) -> Price | None:
        if model not in self._matched:
            self._matched[model] = match_price(self._table, model)
        return self._matched[model]

    def image_price(self, model: str) -> ImagePrice | None:
        """The per-image price of an image model; None for a model not priced."""
        return match_price(self._images, model)

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int, cached: int = 0) -> int:
        """Nano-dollars; 0 for a model without a price (a local model, say)."""
        price = self.price(model)
        if price is None:
            return 0
        return cost_nanos(price, prompt_tokens, completion_tokens, min(cached, prompt_tokens))
