"""RFC 7807 errors for the management API (`application/problem+json`).

Problem                  raised by routes and dependencies
├── Unauthorized   401   no key, or an unknown, expired or revoked one
├── Forbidden      403   a key without the scope, or a user without the role
├── Missing        404   a route that is switched off
├── TooLarge       413   more text than a scan takes
├── Unprocessable  422   input the engines refuse, each problem listed
└── BadGateway     502   a model the API asked failed

Store errors are translated at this boundary: NotFound -> 404, Conflict -> 409,
Invalid -> 422; a request that fails validation is a 422 listing each field. An error with
several problems to fix lists them under `problems`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from agentshield.store.errors import Conflict, Invalid, NotFound, StoreError

PROBLEM_JSON = "application/problem+json"
STORE_STATUS: dict[type[StoreError], int] = {NotFound: 404, Conflict: 409, Invalid: 422}


class Problem(Exception):
    status = 500
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, problems: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)


class Unauthorized(Problem):
    status = 401
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(Problem):
    status = 403


class Missing(Problem):
    status = 404


class TooLarge(Problem):
    status = 413


class Unprocessable(Problem):
    status = 422


class BadGateway(Problem):
    status = 502


# What the route class turns into a problem; anything else is a bug and stays a 500.
HANDLED = (Problem, StoreError, RequestValidationError, HTTPException)


def problem_response(request: Request, exc: Exception) -> JSONResponse:
    status, detail, headers = _describe(exc)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if isinstance(exc, RequestValidationError):
        body["errors"] = [_field_error(error) for error in exc.errors()]
    problems = getattr(exc, "problems", None)  # Problem and store Invalid
    if problems:
        body["problems"] = problems
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _describe(exc: Exception) -> tuple[int, str, Mapping[str, str] | None]:
    if isinstance(exc, Problem):
        return exc.status, exc.detail, exc.headers
    if isinstance(exc, StoreError):
        return STORE_STATUS.get(type(exc), 500), str(exc), None
    if isinstance(exc, RequestValidationError):
        return 422, "the request is not valid; see errors", None
    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail), exc.headers
    raise TypeError(f"not a problem: {type(exc).__name__}")


def _field_error(error: Any) -> dict[str, Any]:
    # The rejected input is left out on purpose: it may be a secret or personal data.
    return {
        "loc": [str(part) for part in error.get("loc", ())],
        "msg": error.get("msg", ""),
        "type": error.get("type", ""),
    }
