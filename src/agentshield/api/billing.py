"""Wallet top-ups paid through Stripe Checkout.

`POST /v1/billing/stripe/checkout` (an owner or admin) opens a Checkout session for an
amount in whole cents and records a `pending` top-up; the wallet is credited only when
Stripe's signed `checkout.session.completed` (or `…async_payment_succeeded`) event for that
session arrives at `POST /v1/billing/stripe/webhook`; `checkout.session.expired` (or
`…async_payment_failed`) closes the pending top-up as `expired` (or `failed`), after which
nothing credits it; `charge.refunded` takes what Stripe refunded back from the wallet. The
webhook takes no API key: the `Stripe-Signature` header is its only credential, checked
before the database is touched.

Each event id is recorded in the transaction that handles it, so a redelivery (or ten
concurrent ones) credits nothing more; a session is credited at most once whichever events
report it. Every delivery Stripe signed gets a 200 saying what was done (`outcome`), so
Stripe never retries one forever: a paid amount or currency that differs from the opened
top-up is not credited, but logged as an error and written to the tenant's audit log. With
`settings.stripe` unset both routes answer 404.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.api.billing_stripe import StripeAccount
from agentshield.api.deps import ManagerCaller, Work
from agentshield.api.problems import Missing, Unprocessable
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, UsdAmount, UsdString
from agentshield.api.trail import record, record_action
from agentshield.engines.ids import uuid7
from agentshield.engines.money import to_usd_string
from agentshield.store import budget
from agentshield.store.errors import Conflict
from agentshield.store.models import TopUp, Wallet
from agentshield.store.scoped import get_owned

log = logging.getLogger("agentshield.api")

CENT = 10_000_000  # nano-dollars
MAX_CENTS = 99_999_999  # Stripe's largest Checkout amount in USD: $999,999.99
PAID_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
REFUND_EVENT = "charge.refunded"
# A session that will never be paid: its pending top-up is closed with this status.
CLOSING_EVENTS = {
    "checkout.session.expired": "expired",
    "checkout.session.async_payment_failed": "failed",
}


def _account(request: Request) -> StripeAccount:
    account: StripeAccount | None = request.app.state.stripe
    if account is None:
        raise Missing("Stripe top-ups are not enabled on this server")
    return account


Stripe = Annotated[StripeAccount, Depends(_account)]

router = APIRouter(
    prefix="/billing/stripe",
    tags=["billing"],
    route_class=ApiRoute,
    dependencies=[Depends(_account)],  # before the key: a server without Stripe has no route
)


class CheckoutIn(Body):
    wallet_id: uuid.UUID
    amount: UsdAmount = Field(description="USD to add, a decimal string in whole cents: '25.00'")


class CheckoutOut(BaseModel):
    id: uuid.UUID = Field(description="The top-up, pending until Stripe reports the payment")
    wallet_id: uuid.UUID
    amount: UsdString
    status: Literal["pending"] = "pending"
    checkout_session_id: str
    url: str = Field(description="Stripe's payment page: send the payer there")


Outcome = Literal[
    "credited",
    "refunded",
    "closed",
    "duplicate",
    "ignored",
    "not_paid",
    "nothing_to_credit",
    "amount_mismatch",
]


class WebhookOut(BaseModel):
    received: bool = True
    outcome: Outcome


@router.post(
    "/checkout",
    response_model=CheckoutOut,
    status_code=201,
    summary="Open a Stripe Checkout session to top up a wallet",
)
async def create_checkout(
    body: CheckoutIn, caller: ManagerCaller, account: Stripe, work: Work, request: Request
) -> CheckoutOut:
    if body.amount <= 0 or body.amount % CENT:
        raise Unprocessable("amount must be a positive number of whole cents, e.g. '25.00'")
    if body.amount > MAX_CENTS * CENT:
        raise Unprocessable(f"amount must be at most {to_usd_string(MAX_CENTS * CENT)}")
    # Checked in a transaction of its own, closed before Stripe is called: no lock is held
    # while Stripe answers, and no session is opened for a wallet the caller cannot see.
    async with request.app.state.db.transaction() as check:
        await get_owned(check, Wallet, caller.tenant_id, body.wallet_id)
    top_up_id = uuid7()
    checkout = await account.create_checkout(
        top_up_id=top_up_id,
        tenant_id=caller.tenant_id,
        wallet_id=body.wallet_id,
        cents=body.amount // CENT,
    )
    session = await work.session()
    await budget.open_checkout(
        session,
        caller.tenant_id,
        body.wallet_id,
        body.amount,
        checkout.id,
        datetime.now(UTC),
        created_by=caller.user_id,
        top_up_id=top_up_id,
    )
    await record_action(
        session,
        caller,
        "billing.checkout_opened",
        top_up_id=top_up_id,
        wallet_id=body.wallet_id,
        amount=to_usd_string(body.amount),
        checkout_session_id=checkout.id,
    )
    return CheckoutOut(
        id=top_up_id,
        wallet_id=body.wallet_id,
        amount=body.amount,
        checkout_session_id=checkout.id,
        url=checkout.url,
    )


@router.post(
    "/webhook",
    response_model=WebhookOut,
    summary="Receive Stripe's events (signed by Stripe; no API key)",
)
async def stripe_webhook(
    request: Request,
    account: Stripe,
    work: Work,
    stripe_signature: Annotated[str | None, Header()] = None,
) -> WebhookOut:
    event = account.verify(await request.body(), stripe_signature)
    session = await work.session()
    now = datetime.now(UTC)
    if not await budget.first_delivery(session, event["id"], event["type"][:100], now):
        return WebhookOut(outcome="duplicate")
    if event["type"] in CLOSING_EVENTS:
        return WebhookOut(outcome=await _close(session, event))
    if event["type"] == REFUND_EVENT:
        return WebhookOut(outcome=await _refund(session, account, event, now))
    if event["type"] not in PAID_EVENTS:
        return WebhookOut(outcome="ignored")
    return WebhookOut(outcome=await _credit(session, account, event, now))


async def _close(session: AsyncSession, event: dict[str, Any]) -> Outcome:
    checkout_id = ((event.get("data") or {}).get("object") or {}).get("id")
    if not isinstance(checkout_id, str):
        return "ignored"
    status = CLOSING_EVENTS[event["type"]]
    closed = await budget.close_checkout(session, checkout_id, status)
    if closed is None:
        return "nothing_to_credit"
    await _record_top_up(session, closed, f"billing.top_up_{status}", event)
    return "closed"


async def _credit(
    session: AsyncSession, account: StripeAccount, event: dict[str, Any], now: datetime
) -> Outcome:
    checkout = (event.get("data") or {}).get("object") or {}
    checkout_id, cents = checkout.get("id"), checkout.get("amount_total")
    if not isinstance(checkout_id, str) or type(cents) is not int:
        return "ignored"
    if checkout.get("payment_status") != "paid":
        return "not_paid"  # e.g. a bank debit: its async_payment_succeeded event credits it
    paid = f"{to_usd_string(cents * CENT)} {checkout.get('currency')}"
    if checkout.get("currency") != account.settings.currency:
        return await _mismatch(session, event, checkout_id, paid)
    try:
        payment = checkout.get("payment_intent")
        credited = await budget.credit_checkout(
            session, checkout_id, cents * CENT, now, payment if isinstance(payment, str) else None
        )
    except Conflict:
        return await _mismatch(session, event, checkout_id, paid)
    if credited is None:  # a session this server did not open, or one credited already
        return "nothing_to_credit"
    await _record_top_up(session, credited, "billing.top_up_credited", event)
    return "credited"


async def _refund(
    session: AsyncSession, account: StripeAccount, event: dict[str, Any], now: datetime
) -> Outcome:
    """A charge refunded in Stripe, in part or whole: its top-up's refunded total follows
    Stripe's `amount_refunded`, and the difference leaves the wallet."""
    charge = (event.get("data") or {}).get("object") or {}
    payment, cents = charge.get("payment_intent"), charge.get("amount_refunded")
    if not isinstance(payment, str) or type(cents) is not int or cents < 0:
        return "ignored"
    if charge.get("currency") != account.settings.currency:
        return "ignored"
    refund = await budget.refund_payment(session, payment, cents * CENT, now)
    if refund is None:  # a payment of no top-up here, or nothing new refunded
        return "nothing_to_credit"
    await _record_top_up(
        session,
        refund.top_up,
        "billing.top_up_refunded",
        event,
        refunded=to_usd_string(refund.amount_nanos),
        refunded_in_all=to_usd_string(refund.refunded_nanos),
    )
    return "refunded"


async def _record_top_up(
    session: AsyncSession, top_up: TopUp, event_type: str, event: dict[str, Any], **more: str
) -> None:
    await record(
        session,
        top_up.tenant_id,
        "stripe",
        event_type,
        top_up_id=top_up.id,
        wallet_id=top_up.wallet_id,
        amount=to_usd_string(top_up.amount_nanos),
        checkout_session_id=top_up.external_id,
        event_id=event["id"],
        **more,
    )


async def _mismatch(
    session: AsyncSession, event: dict[str, Any], checkout_id: str, paid: str
) -> Outcome:
    """Paid, but not what was opened: nothing is guessed; a person looks at it."""
    pending = await budget.pending_checkout(session, checkout_id)
    if pending is None:
        return "nothing_to_credit"
    opened = to_usd_string(pending.amount_nanos)
    log.error(
        "stripe: checkout %s (top-up %s) paid %s but was opened for %s usd: not credited",
        checkout_id,
        pending.id,
        paid,
        opened,
    )
    await record(
        session,
        pending.tenant_id,
        "stripe",
        "billing.top_up_mismatch",
        top_up_id=pending.id,
        wallet_id=pending.wallet_id,
        opened=opened,
        paid=paid,
        checkout_session_id=checkout_id,
        event_id=event["id"],
    )
    return "amount_mismatch"
