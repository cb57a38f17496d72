"""Serves the proxy routes straight from the middleware chain.

The framework's router and exception layers cost each call more than the gateway's own
guards do. The proxy endpoints render every error themselves, so for their exact paths and
methods this middleware calls them directly; anything else goes on to the framework.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from agentshield.gateway.middleware import LabelledRoute


class FastPath:
    def __init__(self, app: ASGIApp, routes: list[LabelledRoute]) -> None:
        self.app = app
        self._routes = {
            (route.path, method): route for route in routes for method in route.methods or ()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            root = scope.get("root_path")
            if root and path.startswith(root):
                path = path[len(root) :]
            route = self._routes.get((path, scope["method"]))
            if route is not None:
                scope["route"] = route
                response = await route.endpoint(Request(scope, receive, send))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
