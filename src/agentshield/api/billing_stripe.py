"""The Stripe account the server takes top-ups with: Checkout sessions out, signed events in.

Built once at start from `settings.stripe` (`open_stripe`), so a missing secret stops the
process rather than a payment. The secrets stay in this object: no repr shows them and no
error carries them.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import stripe

from agentshield.api.problems import BadGateway, Problem
from agentshield.settings import StripeSettings

log = logging.getLogger("agentshield.api")

# Stripe answers in seconds; a checkout the payer waits for should not hang for longer.
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class BadSignature(Problem):
    """A webhook delivery Stripe did not sign, signed too long ago, or not an event."""

    status = 400


@dataclass(frozen=True)
class Checkout:
    id: str  # cs_…
    url: str  # where the payer goes to pay


class StripeAccount:
    def __init__(self, settings: StripeSettings) -> None:
        self.settings = settings
        self.__api_key = settings.api_key()
        self.__webhook_secret = settings.webhook_secret()

    def __repr__(self) -> str:
        return f"StripeAccount(currency={self.settings.currency!r})"

    async def create_checkout(
        self, *, top_up_id: uuid.UUID, tenant_id: uuid.UUID, wallet_id: uuid.UUID, cents: int
    ) -> Checkout:
        """A Checkout session charging `cents` once; the ids travel in its metadata and come
        back in its webhook events. Raises BadGateway when Stripe refuses or cannot be reached."""
        metadata = {
            "top_up_id": str(top_up_id),
            "tenant_id": str(tenant_id),
            "wallet_id": str(wallet_id),
        }
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": self.settings.currency,
                        "unit_amount": cents,
                        "product_data": {"name": "AgentShield wallet top-up"},
                    },
                }
            ],
            "success_url": self.settings.success_url,
            "cancel_url": self.settings.cancel_url,
            "client_reference_id": str(top_up_id),
            "metadata": metadata,
        }
        # One session per call: checkouts come at a person's pace, so nothing is kept open.
        http = stripe.AIOHTTPClient(timeout=_TIMEOUT)
        base = {"api": self.settings.api_base} if self.settings.api_base else None
        client = stripe.StripeClient(self.__api_key, base_addresses=base, http_client=http)
        try:
            # The top-up's id as idempotency key: the client's own retries make one session.
            session = await client.v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"agentshield-top-up-{top_up_id}"},
            )
        except stripe.APIConnectionError:
            log.warning("stripe: no answer opening the checkout of top-up %s", top_up_id)
            raise BadGateway("Stripe could not be reached; nothing was recorded") from None
        except stripe.StripeError as exc:
            log.warning("stripe: checkout of top-up %s refused: %r", top_up_id, exc)
            reason = exc.user_message or f"HTTP {exc.http_status}"
            raise BadGateway(
                f"Stripe refused the checkout ({reason}); nothing was recorded"
            ) from None
        finally:
            await http.close_async()
        if not session.id or not session.url:
            raise BadGateway("Stripe answered a checkout session without an id or a url")
        return Checkout(session.id, session.url)

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event Stripe signed, as plain data; BadSignature for anything else. Events
        older than Stripe's default tolerance (5 minutes) are refused as replays."""
        try:
            event = stripe.Webhook.construct_event(payload, signature, self.__webhook_secret)
        except stripe.SignatureVerificationError:
            raise BadSignature("the Stripe-Signature header does not match this body") from None
        except ValueError:  # not JSON (or not UTF-8) although the signature matched
            raise BadSignature("the body is not a Stripe event") from None
        data: dict[str, Any] = event.to_dict()
        if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
            raise BadSignature("the body is not a Stripe event")
        return data


def open_stripe(settings: StripeSettings | None) -> StripeAccount | None:
    return None if settings is None else StripeAccount(settings)
