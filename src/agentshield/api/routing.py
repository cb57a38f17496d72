"""The management API's route class: one transaction per request, errors as problems.

FastAPI solves a route's dependencies and runs its body inside the handler built by
`get_route_handler`. Wrapping that handler (rather than relying on app-wide exception
handlers) keeps the API self-contained: any app that includes the router answers
problem+json, and the transaction commits only when the route returned, so an action and
its audit entry are committed together or not at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from agentshield.api.problems import HANDLED, problem_response
from agentshield.store.db import Database

WORK_KEY = "agentshield.api.work"


class UnitOfWork:
    """A request's transaction, opened on first use, and what to do once it has committed."""

    def __init__(self, db: Database, stack: AsyncExitStack) -> None:
        self._db = db
        self._stack = stack
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], object]] = []

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = await self._stack.enter_async_context(self._db.transaction())
        return self._session

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run `action` once the transaction is committed, before the response is sent; an
        awaitable it returns is awaited. (Dropping a cached key before the commit would let a
        concurrent request cache the old row again.)"""
        self._after_commit.append(action)

    async def committed(self) -> None:
        for action in self._after_commit:
            result = action()
            if inspect.isawaitable(result):
                await result


class ApiRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                async with AsyncExitStack() as stack:
                    work = UnitOfWork(request.app.state.db, stack)
                    request.scope[WORK_KEY] = work
                    response = await handler(request)
            except HANDLED as exc:
                return problem_response(request, exc)
            await work.committed()
            return response

        return handle
