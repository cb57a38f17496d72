"""A stand-in for api.stripe.com on 127.0.0.1, and Stripe-signed webhook deliveries.

The server answers `POST /v1/checkout/sessions` with a minimal Checkout Session and records
each form it received (Stripe's flat encoding: `metadata[wallet_id]`,
`line_items[0][price_data][unit_amount]`, …). A wallet passed to `refuse` gets Stripe's
400 `invalid_request_error` instead, so one test can make Stripe fail without touching the
others sharing the server.

`signed(payload, secret)` builds the `Stripe-Signature` header the way Stripe documents it:
`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed by the endpoint secret>`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from support.local_server import LocalServer

API_KEY = "sk_test_agentshield_fake"
WEBHOOK_SECRET = "whsec_agentshield_test_secret"
CHECKOUT_HOST = "https://checkout.stripe.test/c/pay/"


@dataclass(frozen=True)
class Received:
    authorization: str
    idempotency_key: str | None
    form: dict[str, str]


class FakeStripe(LocalServer):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[Received] = []
        self.refused: set[str] = set()

    @property
    def url(self) -> str:
        """What `stripe.api_base` is set to."""
        return f"http://127.0.0.1:{self.port}"

    def refuse(self, wallet_id: str) -> None:
        self.refused.add(wallet_id)

    def for_wallet(self, wallet_id: str) -> list[Received]:
        return [r for r in self.received if r.form.get("metadata[wallet_id]") == wallet_id]

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._create_session)
        return app

    async def _create_session(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.received.append(
            Received(
                request.headers.get("Authorization", ""),
                request.headers.get("Idempotency-Key"),
                form,
            )
        )
        if form.get("metadata[wallet_id]") in self.refused:
            error = {"type": "invalid_request_error", "message": "This account cannot charge."}
            return _json({"error": error}, status=400)
        session_id = f"cs_test_{uuid.uuid4().hex}"
        return _json(
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {
                    key[len("metadata[") : -1]: value
                    for key, value in form.items()
                    if key.startswith("metadata[")
                },
                "url": CHECKOUT_HOST + session_id,
            }
        )


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload` at time `at`."""
    timestamp = int(time.time()) if at is None else at
    message = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def checkout_event(
    session_id: str,
    cents: int,
    *,
    kind: str = "checkout.session.completed",
    payment_status: str = "paid",
    currency: str = "usd",
    event_id: str | None = None,
) -> bytes:
    """A webhook body as Stripe sends it for a Checkout Session."""
    event = {
        "id": event_id or f"evt_test_{uuid.uuid4().hex}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": payment_status,
                "amount_total": cents,
                "currency": currency,
                "payment_intent": payment_of(session_id),
            }
        },
    }
    return orjson.dumps(event)


def payment_of(session_id: str) -> str:
    """The payment intent a (fake) Checkout session's payment made."""
    return f"pi_{session_id}"


def refund_event(session_id: str, refunded_cents: int, *, currency: str = "usd") -> bytes:
    """`charge.refunded` for the payment of a session: `amount_refunded` is Stripe's
    running total of what was refunded of that charge."""
    event = {
        "id": f"evt_test_{uuid.uuid4().hex}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": f"ch_{session_id}",
                "object": "charge",
                "payment_intent": payment_of(session_id),
                "amount_refunded": refunded_cents,
                "currency": currency,
                "refunded": True,
            }
        },
    }
    return orjson.dumps(event)
