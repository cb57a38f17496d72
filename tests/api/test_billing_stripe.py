"""Stripe Checkout top-ups: a session opened through a stand-in for api.stripe.com, then
credited only by webhook events signed locally with the test secret, exactly once.

Runs on SQLite and PostgreSQL (the `api` gateway of tests/api/conftest.py, whose Stripe
is `fake_stripe`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from agentshield.server import create_app
from agentshield.settings import ConfigError, Settings, StripeSettings
from agentshield.store import budget
from agentshield.store.db import Database
from support import RunningGateway, Tenant
from support.fake_stripe import API_KEY, FakeStripe, checkout_event, refund_event, signed

Connect = Callable[..., httpx.Client]
CHECKOUT = "/v1/billing/stripe/checkout"
WEBHOOK = "/v1/billing/stripe/webhook"
DOLLAR = 1_000_000_000


def new_wallet(api: RunningGateway, tenant: Tenant) -> str:
    async def open_one(db: Database) -> str:
        async with db.transaction() as session:
            wallet = await budget.open_wallet(
                session, tenant.id, owner_scope="tenant", owner_id=tenant.id
            )
        return str(wallet.id)

    return api.call(open_one)


def wallet_state(api: RunningGateway, tenant: Tenant, wallet_id: str) -> dict[str, Any]:
    """The balance (checked against the ledger) and the top-ups, as (status, amount)."""

    async def read(db: Database) -> dict[str, Any]:
        async with db.transaction() as session:
            books = await budget.reconcile(session, uuid.UUID(wallet_id))
            rows = await budget.list_top_ups(session, tenant.id, uuid.UUID(wallet_id))
        assert books.ok, books
        return {
            "balance": books.balance_nanos,
            "top_ups": [(row.status, row.amount_nanos, row.external_id) for row in rows],
        }

    return api.call(read)


def open_checkout(admin: httpx.Client, wallet_id: str, amount: str = "25.00") -> dict[str, Any]:
    response = admin.post(CHECKOUT, json={"wallet_id": wallet_id, "amount": amount})
    assert response.status_code == 201, response.text
    return response.json()


def deliver(client: httpx.Client, payload: bytes, signature: str | None = "sign") -> Any:
    """POST an event as Stripe would: `signature` "sign" signs it now with the test secret."""
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signed(payload) if signature == "sign" else signature
    return client.post(WEBHOOK, content=payload, headers=headers)


def outcome(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["outcome"]


@pytest.fixture
def wallet(api: RunningGateway, tenant: Tenant) -> str:
    return new_wallet(api, tenant)


@pytest.fixture
def stripe_side(api: RunningGateway, connect: Connect) -> httpx.Client:
    """Stripe's end of the webhook: no API key."""
    return connect(api)


def test_checkout_opens_a_session_for_whole_cents_and_a_pending_top_up(
    api: RunningGateway,
    tenant: Tenant,
    admin: httpx.Client,
    wallet: str,
    fake_stripe: FakeStripe,
) -> None:
    opened = open_checkout(admin, wallet, "25.00")

    [sent] = fake_stripe.for_wallet(wallet)
    assert sent.authorization == f"Bearer {API_KEY}"
    assert sent.idempotency_key == f"agentshield-top-up-{opened['id']}"
    assert sent.form["mode"] == "payment"
    assert sent.form["line_items[0][quantity]"] == "1"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "2500"
    assert sent.form["line_items[0][price_data][currency]"] == "usd"
    assert sent.form["success_url"] == "https://app.test/billing/done"
    assert sent.form["client_reference_id"] == opened["id"]
    assert sent.form["metadata[top_up_id]"] == opened["id"]
    assert sent.form["metadata[tenant_id]"] == str(tenant.id)
    session_id = opened["checkout_session_id"]
    assert opened["url"].endswith(session_id) and session_id.startswith("cs_test_")
    assert opened["amount"] == "25.000000000"
    assert opened["status"] == "pending"
    assert wallet_state(api, tenant, wallet) == {
        "balance": 0,
        "top_ups": [("pending", 25 * DOLLAR, session_id)],
    }
    audit = admin.get("/v1/audit").json()["entries"]
    assert audit[-1]["event_type"] == "billing.checkout_opened"
    assert audit[-1]["data"]["checkout_session_id"] == session_id


@pytest.mark.parametrize(
    "amount", ["-5.00", "abc", "NaN", "1.0000000001", 12.5, "0.001", "0", "1000000.00"]
)
def test_amounts_stripe_cannot_charge_are_422_and_reach_no_one(
    api: RunningGateway,
    tenant: Tenant,
    admin: httpx.Client,
    wallet: str,
    fake_stripe: FakeStripe,
    amount: Any,
) -> None:
    response = admin.post(CHECKOUT, json={"wallet_id": wallet, "amount": amount})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert fake_stripe.for_wallet(wallet) == []
    assert wallet_state(api, tenant, wallet)["top_ups"] == []


def test_a_stripe_failure_records_nothing(
    api: RunningGateway,
    tenant: Tenant,
    admin: httpx.Client,
    wallet: str,
    fake_stripe: FakeStripe,
) -> None:
    fake_stripe.refuse(wallet)

    response = admin.post(CHECKOUT, json={"wallet_id": wallet, "amount": "10.00"})

    assert response.status_code == 502, response.text
    assert "This account cannot charge." in response.json()["detail"]
    assert len(fake_stripe.for_wallet(wallet)) == 1
    assert wallet_state(api, tenant, wallet)["top_ups"] == []
    audit = admin.get("/v1/audit").json()["entries"]
    assert "billing.checkout_opened" not in [entry["event_type"] for entry in audit]


def test_an_unknown_wallet_is_404_before_stripe_is_asked(
    admin: httpx.Client, fake_stripe: FakeStripe
) -> None:
    ghost = str(uuid.uuid4())

    response = admin.post(CHECKOUT, json={"wallet_id": ghost, "amount": "10.00"})

    assert response.status_code == 404, response.text
    assert fake_stripe.for_wallet(ghost) == []


def test_a_gateway_key_cannot_open_a_checkout(
    api: RunningGateway, tenant: Tenant, connect: Connect, wallet: str
) -> None:
    member = connect(api, tenant.gateway_key)

    response = member.post(CHECKOUT, json={"wallet_id": wallet, "amount": "10.00"})

    assert response.status_code == 403


def test_a_paid_session_is_credited_once_however_often_it_is_reported(
    api: RunningGateway, tenant: Tenant, admin: httpx.Client, wallet: str, stripe_side: httpx.Client
) -> None:
    session_id = open_checkout(admin, wallet, "25.00")["checkout_session_id"]
    completed = checkout_event(session_id, 2500)

    assert outcome(deliver(stripe_side, completed)) == "credited"
    assert outcome(deliver(stripe_side, completed)) == "duplicate"
    # Another event about the same session (its async success) finds nothing left to credit.
    other = checkout_event(session_id, 2500, kind="checkout.session.async_payment_succeeded")
    assert outcome(deliver(stripe_side, other)) == "nothing_to_credit"

    assert wallet_state(api, tenant, wallet) == {
        "balance": 25 * DOLLAR,
        "top_ups": [("credited", 25 * DOLLAR, session_id)],
    }
    audit = admin.get("/v1/audit").json()["entries"]
    credited = [e for e in audit if e["event_type"] == "billing.top_up_credited"]
    assert len(credited) == 1 and credited[0]["actor"] == "stripe"


async def test_concurrent_deliveries_credit_once(
    api: RunningGateway, tenant: Tenant, admin: httpx.Client, wallet: str
) -> None:
    session_id = open_checkout(admin, wallet, "7.00")["checkout_session_id"]
    same = checkout_event(session_id, 700)
    # Ten deliveries of one event, then ten different events for the same session.
    distinct = [checkout_event(session_id, 700) for _ in range(10)]

    async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:

        async def send(payload: bytes) -> str:
            headers = {"Stripe-Signature": signed(payload)}
            response = await client.post(WEBHOOK, content=payload, headers=headers)
            return outcome(response)

        repeated = await asyncio.gather(*(send(same) for _ in range(10)))
        different = await asyncio.gather(*(send(payload) for payload in distinct))

    assert sorted(repeated) == ["credited"] + ["duplicate"] * 9
    assert different == ["nothing_to_credit"] * 10
    assert wallet_state(api, tenant, wallet)["balance"] == 7 * DOLLAR


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "garbage",
        "t=abc,v1=00",
        "wrong secret",
        "stale",
        "other body",
    ],
)
def test_deliveries_stripe_did_not_sign_are_400_and_change_nothing(
    api: RunningGateway,
    tenant: Tenant,
    admin: httpx.Client,
    wallet: str,
    stripe_side: httpx.Client,
    signature: str | None,
) -> None:
    session_id = open_checkout(admin, wallet, "5.00")["checkout_session_id"]
    payload = checkout_event(session_id, 500, event_id=f"evt_test_{uuid.uuid4().hex}")
    header = {
        "wrong secret": signed(payload, secret="whsec_someone_else"),
        # Stripe's default tolerance is 5 minutes; this one was signed an hour ago.
        "stale": signed(payload, at=int(time.time()) - 3600),
        "other body": signed(checkout_event(session_id, 500)),
    }.get(signature or "", signature)

    response = deliver(stripe_side, payload, header)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert wallet_state(api, tenant, wallet)["balance"] == 0
    # Nothing was recorded either: the same event, properly signed, still credits.
    assert outcome(deliver(stripe_side, payload)) == "credited"
    assert wallet_state(api, tenant, wallet)["balance"] == 5 * DOLLAR


def test_a_signed_body_that_is_not_an_event_is_400(stripe_side: httpx.Client) -> None:
    assert deliver(stripe_side, b"not json").status_code == 400
    assert deliver(stripe_side, b'{"object": "event"}').status_code == 400


def test_a_session_this_server_did_not_open_is_acknowledged_and_credits_nothing(
    stripe_side: httpx.Client,
) -> None:
    payload = checkout_event(f"cs_test_{uuid.uuid4().hex}", 2500)

    assert outcome(deliver(stripe_side, payload)) == "nothing_to_credit"
    assert outcome(deliver(stripe_side, payload)) == "duplicate"


def test_other_event_types_are_recorded_and_acknowledged(stripe_side: httpx.Client) -> None:
    payload = checkout_event("cs_test_x", 100, kind="customer.created")

    assert outcome(deliver(stripe_side, payload)) == "ignored"
    assert outcome(deliver(stripe_side, payload)) == "duplicate"


def test_an_unpaid_completion_waits_for_the_async_payment(
    api: RunningGateway, tenant: Tenant, admin: httpx.Client, wallet: str, stripe_side: httpx.Client
) -> None:
    session_id = open_checkout(admin, wallet, "3.00")["checkout_session_id"]

    unpaid = checkout_event(session_id, 300, payment_status="unpaid")
    assert outcome(deliver(stripe_side, unpaid)) == "not_paid"
    assert wallet_state(api, tenant, wallet)["balance"] == 0

    paid = checkout_event(session_id, 300, kind="checkout.session.async_payment_succeeded")
    assert outcome(deliver(stripe_side, paid)) == "credited"
    assert wallet_state(api, tenant, wallet)["balance"] == 3 * DOLLAR


@pytest.mark.parametrize(("cents", "currency"), [(2400, "usd"), (2500, "eur")])
def test_a_payment_that_differs_from_the_checkout_is_reported_not_credited(
    api: RunningGateway,
    tenant: Tenant,
    admin: httpx.Client,
    wallet: str,
    stripe_side: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    cents: int,
    currency: str,
) -> None:
    session_id = open_checkout(admin, wallet, "25.00")["checkout_session_id"]
    payload = checkout_event(session_id, cents, currency=currency)

    # 200, so that Stripe stops retrying: retrying cannot change what was paid.
    assert outcome(deliver(stripe_side, payload)) == "amount_mismatch"

    assert wallet_state(api, tenant, wallet) == {
        "balance": 0,
        "top_ups": [("pending", 25 * DOLLAR, session_id)],
    }
    assert any(session_id in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    audit = admin.get("/v1/audit").json()["entries"]
    [mismatch] = [e for e in audit if e["event_type"] == "billing.top_up_mismatch"]
    assert mismatch["data"]["checkout_session_id"] == session_id
    assert mismatch["data"]["opened"] == "25.000000000"


async def test_without_stripe_settings_the_routes_are_404(sqlite_url: str) -> None:
    app = create_app(Settings(environment="test", database_url=sqlite_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        for path in (CHECKOUT, WEBHOOK):
            response = await client.post(path, json={})
            assert response.status_code == 404, response.text
            assert response.json()["detail"] == "Stripe top-ups are not enabled on this server"
    await app.state.db.dispose()


def test_a_missing_stripe_secret_stops_the_server_at_start(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    stripe = StripeSettings(success_url="https://a.test/ok", cancel_url="https://a.test/no")

    with pytest.raises(ConfigError, match="STRIPE_API_KEY is not set"):
        create_app(Settings(environment="test", database_url=sqlite_url, stripe=stripe))


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("checkout.session.expired", "expired"),
        ("checkout.session.async_payment_failed", "failed"),
    ],
)
def test_a_session_that_will_never_be_paid_closes_its_top_up(
    api: RunningGateway,
    tenant: Tenant,
    admin: httpx.Client,
    wallet: str,
    stripe_side: httpx.Client,
    kind: str,
    status: str,
) -> None:
    session_id = open_checkout(admin, wallet, "4.00")["checkout_session_id"]

    closing = checkout_event(session_id, 400, kind=kind, payment_status="unpaid")
    assert outcome(deliver(stripe_side, closing)) == "closed"
    assert outcome(deliver(stripe_side, closing)) == "duplicate"
    # A late or forged completion of the same session finds nothing pending to credit.
    assert outcome(deliver(stripe_side, checkout_event(session_id, 400))) == "nothing_to_credit"

    assert wallet_state(api, tenant, wallet) == {
        "balance": 0,
        "top_ups": [(status, 4 * DOLLAR, session_id)],
    }
    audit = admin.get("/v1/audit").json()["entries"]
    assert [e["event_type"] for e in audit].count(f"billing.top_up_{status}") == 1


def test_a_refund_in_stripe_takes_its_amount_back_once(
    api: RunningGateway, tenant: Tenant, admin: httpx.Client, wallet: str, stripe_side: httpx.Client
) -> None:
    session_id = open_checkout(admin, wallet, "25.00")["checkout_session_id"]
    assert outcome(deliver(stripe_side, checkout_event(session_id, 2500))) == "credited"

    partial = refund_event(session_id, 1000)
    assert outcome(deliver(stripe_side, partial)) == "refunded"
    assert outcome(deliver(stripe_side, partial)) == "duplicate"
    assert wallet_state(api, tenant, wallet)["balance"] == 15 * DOLLAR
    # Stripe reports its running total: the same total again, in a new event, takes nothing.
    assert outcome(deliver(stripe_side, refund_event(session_id, 1000))) == "nothing_to_credit"
    assert outcome(deliver(stripe_side, refund_event(session_id, 2500))) == "refunded"
    assert wallet_state(api, tenant, wallet)["balance"] == 0
    assert outcome(deliver(stripe_side, refund_event("cs_test_unknown", 100))) == (
        "nothing_to_credit"
    )

    (listed,) = admin.get(f"/v1/budget/wallets/{wallet}/top-ups").json()
    assert (listed["status"], listed["refunded"]) == ("credited", "25.000000000")
    ledger = admin.get(f"/v1/budget/wallets/{wallet}/ledger").json()["entries"]
    refunds = [e for e in ledger if e["kind"] == "refund"]
    assert sorted(e["amount"] for e in refunds) == ["-10.000000000", "-15.000000000"]
    audit = admin.get("/v1/audit").json()["entries"]
    refunded = [e for e in audit if e["event_type"] == "billing.top_up_refunded"]
    assert sorted(e["data"]["refunded"] for e in refunded) == ["10.000000000", "15.000000000"]
