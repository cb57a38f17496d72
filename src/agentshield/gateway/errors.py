"""Errors of the gateway, rendered in OpenAI's shape `{"error": {message, type, code, param}}`.

GatewayError                         status  type / code
├── InvalidJSON                        400   invalid_request_error / invalid_json
├── AuthenticationFailed               401   authentication_error / invalid_api_key
├── PermissionDenied                   403   permission_error / insufficient_scope
├── ModelNotFound                      404   invalid_request_error / model_not_found
├── BodyTooLarge                       413   invalid_request_error / request_too_large
│   └── TextTooLarge                   413   the same, for text too large to scan
├── InvalidField                       422   invalid_request_error / invalid_value (+ param)
├── Blocked                            any   a guard's decision: status, type, code, message
│   ├── RateLimited                    429   rate_limit_error (+ Retry-After)
│   ├── BudgetExceeded                 429   insufficient_quota / quota_exceeded (+ Retry-After)
│   │                                  402   insufficient_quota / insufficient_funds
│   └── Prohibited                     451   prohibited_use
├── Held                               403   approval_pending (+ X-AgentShield-Approval-Id)
└── UpstreamError                      502   upstream_error / upstream_unreachable
    ├── UpstreamStatus        upstream's     upstream's own error, passed through
    └── UpstreamTimeout                504   upstream_error / upstream_timeout

Routes catch GatewayError and render it; lower libraries' exceptions are translated where
they are raised (`raise UpstreamTimeout(...) from exc`), so nothing else reaches a client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from agentshield.engines.budget import Refusal
from agentshield.engines.money import to_usd_string


class GatewayError(Exception):
    status = 500
    type = "server_error"
    code: str | None = "internal_error"
    decision = "error"  # what the requests row and the audit entry record

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "code": self.code,
                "param": self.param,
            }
        }

    def render(self) -> bytes:
        return orjson.dumps(self.body())


class InvalidJSON(GatewayError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_json"


class AuthenticationFailed(GatewayError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class PermissionDenied(GatewayError):
    status = 403
    type = "permission_error"
    code = "insufficient_scope"


class ModelNotFound(GatewayError):
    status = 404
    type = "invalid_request_error"
    code = "model_not_found"

    def __init__(self, model: str) -> None:
        super().__init__(f"The model {model!r} does not exist or you do not have access to it.")
        self.param = "model"


class BodyTooLarge(GatewayError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeds the limit of {limit} bytes.")


class TextTooLarge(BodyTooLarge):
    def __init__(self, message: str) -> None:
        GatewayError.__init__(self, message)


class InvalidField(GatewayError):
    status = 422
    type = "invalid_request_error"
    code = "invalid_value"

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message, param=param)


class Blocked(GatewayError):
    """A guard refused the call. The guard chooses the status and names its reason."""

    decision = "block"

    def __init__(
        self,
        status: int,
        type: str,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, headers=headers)
        self.status = status
        self.type = type
        self.code = code


class RateLimited(Blocked):
    def __init__(self, message: str, retry_after: float, code: str = "rate_limit_exceeded") -> None:
        seconds = max(1, int(-(-retry_after // 1)))
        super().__init__(
            429, "rate_limit_error", code, message, headers={"retry-after": str(seconds)}
        )


class BudgetExceeded(Blocked):
    """A quota (429, retry when its window resets) or the paying wallet (402, top it up)
    cannot cover the call's maximum cost. The error names the limit, what is left and the
    reset, in the message for people and as `limit`, `left` and `resets_at` for programs."""

    def __init__(self, refusal: Refusal, now: datetime) -> None:
        self.refusal = refusal
        left = refusal.left_text()
        asked = to_usd_string(refusal.asked) if refusal.metric == "usd" else str(refusal.asked)
        unit = " USD" if refusal.metric == "usd" else " tokens"
        message = (
            f"The {refusal.name} allows {left}{unit} more; this call may use up to {asked}{unit}."
        )
        retry_after = refusal.retry_after(now)
        if refusal.resets_at is None or retry_after is None:
            super().__init__(
                402, "insufficient_quota", "insufficient_funds", message + " Top up the wallet."
            )
            return
        seconds = max(1, int(-(-retry_after // 1)))
        super().__init__(
            429,
            "insufficient_quota",
            "quota_exceeded",
            f"{message} It resets at {refusal.resets_at.isoformat()}.",
            headers={"retry-after": str(seconds)},
        )

    def body(self) -> dict[str, Any]:
        body = super().body()
        refusal = self.refusal
        body["error"]["limit"] = refusal.name
        body["error"]["left"] = refusal.left_text()
        body["error"]["resets_at"] = refusal.resets_at.isoformat() if refusal.resets_at else None
        return body


class Prohibited(Blocked):
    def __init__(self, message: str, code: str = "prohibited_use") -> None:
        super().__init__(451, "invalid_request_error", code, message)


class Held(GatewayError):
    """A guard wants a human to approve the call first; the client may retry once approved."""

    status = 403
    type = "permission_error"
    code = "approval_pending"
    decision = "hold"

    def __init__(self, approval_id: str, message: str = "") -> None:
        super().__init__(
            message or f"This request awaits human approval (approval id {approval_id}).",
            headers={"x-agentshield-approval-id": approval_id},
        )
        self.approval_id = approval_id


class UpstreamError(GatewayError):
    status = 502
    type = "upstream_error"
    code = "upstream_unreachable"

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"Upstream provider {provider!r}: {message}")
        self.provider = provider


class UpstreamStatus(UpstreamError):
    """The upstream answered with an error status: passed through with its own body."""

    def __init__(self, provider: str, status: int, body: bytes) -> None:
        error = _openai_error(body)
        message = error.get("message") or f"Upstream provider {provider!r} returned HTTP {status}"
        GatewayError.__init__(self, str(message))
        self.provider = provider
        self.status = status
        self.type = str(error.get("type") or "upstream_error")
        self.code = None if error.get("code") is None else str(error["code"])
        self.param = None if error.get("param") is None else str(error["param"])


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"

    def __init__(self, provider: str, seconds: float, *, connecting: bool = False) -> None:
        what = "could not connect" if connecting else "no answer"
        super().__init__(provider, f"{what} within {seconds:g} seconds")


def _openai_error(body: bytes) -> dict[str, Any]:
    """The `error` object of an upstream error body, or one made from its text."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"message": body[:1000].decode("utf-8", "replace").strip() or None}
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict):
            return error
        if isinstance(error, str):
            return {"message": error}
        if isinstance(parsed.get("message"), str):
            return {"message": parsed["message"]}
    return {"message": None}


class UnknownRoute(GatewayError):
    """A path or method the app does not serve, answered in the same shape as the rest."""

    type = "invalid_request_error"

    def __init__(self, status: int, method: str, path: str) -> None:
        self.status = status
        self.code = "unknown_url" if status == 404 else "method_not_allowed"
        super().__init__(f"Invalid URL ({method} {path})")
