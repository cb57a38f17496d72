"""The budget API (/v1/budget/quotas, /v1/budget/wallets) on a gateway with the budget
guard on, so quotas and wallets are read back after real calls through it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from agentshield.engines.money import parse_usd
from agentshield.settings import ProviderSettings, Settings, UsageSettings
from support import RunningGateway, Tenant, new_tenant, run_gateway

Connect = Callable[..., httpx.Client]
PROBLEM_JSON = "application/problem+json"
# Answered by the mock provider, priced by the shipped list: every call costs something.
MODEL = "gpt-4o-mini"


@pytest.fixture(scope="module")
def budget_api(db_url: str) -> Iterator[RunningGateway]:
    settings = Settings(
        environment="test",
        database_url=db_url,
        guards=["budget", "cost", "audit"],
        providers=[ProviderSettings(name="mock", type="mock", models=[MODEL])],
        usage=UsageSettings(flush_interval=0.05),
    )
    with run_gateway(settings) as gw:
        yield gw


@pytest.fixture
def owner(budget_api: RunningGateway) -> Tenant:
    return new_tenant(budget_api)


@pytest.fixture
def admin(budget_api: RunningGateway, owner: Tenant, connect: Connect) -> httpx.Client:
    return connect(budget_api, owner.admin_key)


@pytest.fixture
def gateway(budget_api: RunningGateway, owner: Tenant, connect: Connect) -> httpx.Client:
    return connect(budget_api, owner.gateway_key)


def call(gateway: httpx.Client, expect: int = 200) -> httpx.Response:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 20}
    response = gateway.post("/v1/chat/completions", json=body)
    assert response.status_code == expect, response.text
    return response


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def signed(amount: str) -> int:
    return parse_usd(amount, allow_negative=True)


def quotas_url(owner: Tenant, scope: str = "user") -> str:
    owner_id = owner.owner_id if scope == "user" else owner.id
    return f"/v1/budget/quotas/{scope}/{owner_id}"


def open_wallet(admin: httpx.Client, owner: Tenant, **fields: Any) -> dict[str, Any]:
    body = {"owner_scope": "tenant", "owner_id": str(owner.id)} | fields
    return ok(admin.post("/v1/budget/wallets", json=body), 201)


# Quotas


def test_quotas_read_back_with_the_use_of_real_calls(
    admin: httpx.Client, gateway: httpx.Client, owner: Tenant
) -> None:
    url = quotas_url(owner)
    assert ok(admin.get(url)) == {
        "scope": "user",
        "id": str(owner.owner_id),
        "daily_usd": None,
        "monthly_usd": None,
        "daily_tokens": None,
        "monthly_tokens": None,
    }
    body = {"daily_usd": "5.00", "monthly_usd": 100, "daily_tokens": 200000}
    view = ok(admin.put(url, json=body))
    assert view["daily_usd"]["limit"] == "5.000000000"
    assert view["monthly_usd"]["limit"] == "100.000000000"
    assert view["daily_tokens"]["limit"] == 200000 and view["monthly_tokens"] is None

    answers = [call(gateway) for _ in range(2)]
    cost = sum(parse_usd(a.headers["x-agentshield-cost"]) for a in answers)
    tokens = sum(a.json()["usage"]["total_tokens"] for a in answers)
    assert cost > 0

    view = ok(admin.get(url))
    daily = view["daily_usd"]
    assert (parse_usd(daily["used"]), daily["reserved"]) == (cost, "0.000000000")
    assert parse_usd(daily["remaining"]) == 5_000_000_000 - cost
    assert parse_usd(view["monthly_usd"]["used"]) == cost
    assert (view["daily_tokens"]["used"], view["daily_tokens"]["remaining"]) == (
        tokens,
        200000 - tokens,
    )
    today = datetime.now(UTC).date()
    resets = datetime.fromisoformat(daily["resets_at"])
    assert resets == datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)

    # A new limit keeps the use so far; null removes that quota only.
    view = ok(admin.put(url, json={"daily_usd": "1", "monthly_usd": None}))
    assert parse_usd(view["daily_usd"]["used"]) == cost and view["monthly_usd"] is None
    assert view["daily_tokens"]["limit"] == 200000


def test_reset_daily_lets_a_refused_user_call_again(
    admin: httpx.Client, gateway: httpx.Client, owner: Tenant
) -> None:
    url = quotas_url(owner)
    ok(admin.put(url, json={"daily_tokens": 100000}))
    call(gateway)
    used = ok(admin.get(url))["daily_tokens"]["used"]
    ok(admin.put(url, json={"daily_tokens": used}))  # nothing left today
    refused = call(gateway, 429)
    assert "daily tokens quota" in refused.json()["error"]["message"]

    view = ok(admin.post(f"{url}/reset-daily"))
    assert (view["daily_tokens"]["used"], view["daily_tokens"]["reserved"]) == (0, 0)
    call(gateway)

    entries = ok(admin.get("/v1/audit", params={"limit": 1000}))["entries"]
    reset = [e for e in entries if e["event_type"] == "budget.quotas.daily_reset"]
    assert [e["data"] for e in reset] == [
        {"scope": "user", "id": str(owner.owner_id), "cleared_tokens": used}
    ]


def test_reset_daily_needs_a_daily_quota(admin: httpx.Client, owner: Tenant) -> None:
    ok(admin.put(quotas_url(owner, "tenant"), json={"monthly_usd": "10"}))
    response = admin.post(f"{quotas_url(owner, 'tenant')}/reset-daily")
    assert response.status_code == 404 and "no daily quota" in response.json()["detail"]


BAD_USD = ["-1", "abc", "1.0000000001", "NaN", "Infinity", "", True, 1.5, [], "1e30"]
BAD_TOKENS = [-1, "5", 1.0, True, 10**16]


@pytest.mark.parametrize("value", BAD_USD, ids=repr)
def test_bad_quota_amounts_are_422_naming_the_field(
    admin: httpx.Client, owner: Tenant, value: object
) -> None:
    response = admin.put(quotas_url(owner), json={"monthly_usd": value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "monthly_usd"]]


@pytest.mark.parametrize("value", BAD_TOKENS, ids=repr)
def test_token_quotas_are_non_negative_integers(
    admin: httpx.Client, owner: Tenant, value: object
) -> None:
    response = admin.put(quotas_url(owner), json={"daily_tokens": value})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "daily_tokens"]


def test_a_bare_nan_in_json_is_422(admin: httpx.Client, owner: Tenant) -> None:
    response = admin.put(
        quotas_url(owner),
        content=b'{"daily_usd": NaN}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert ok(admin.get(quotas_url(owner)))["daily_usd"] is None


def test_unknown_owners_are_404_and_unknown_scopes_422(admin: httpx.Client, owner: Tenant) -> None:
    ghost = uuid.uuid4()
    for scope, owner_id in [("user", ghost), ("key", ghost), ("tenant", ghost)]:
        assert admin.get(f"/v1/budget/quotas/{scope}/{owner_id}").status_code == 404
    # The tenant's own user is not a department.
    assert admin.get(f"/v1/budget/quotas/department/{owner.owner_id}").status_code == 404
    assert admin.get(f"/v1/budget/quotas/team/{owner.owner_id}").status_code == 422


def test_members_read_but_do_not_change_budgets(
    budget_api: RunningGateway, admin: httpx.Client, owner: Tenant, connect: Connect
) -> None:
    member = ok(admin.post("/v1/users", json={"email": "m@b.test"}), 201)
    secret = ok(
        admin.post("/v1/keys", json={"name": "m", "scopes": ["admin"], "user_id": member["id"]}),
        201,
    )["secret"]
    reader = connect(budget_api, secret)
    wallet = open_wallet(admin, owner)
    assert reader.get(quotas_url(owner)).status_code == 200
    assert reader.get(f"/v1/budget/wallets/{wallet['id']}").status_code == 200
    assert reader.put(quotas_url(owner), json={"daily_usd": "1"}).status_code == 403
    top_up = reader.post(f"/v1/budget/wallets/{wallet['id']}/top-up", json={"amount": "1"})
    assert top_up.status_code == 403


# Wallets


def test_open_read_list_change_and_top_up_a_wallet(admin: httpx.Client, owner: Tenant) -> None:
    wallet = open_wallet(admin, owner, overdraft_limit="0.50", low_balance_threshold="2")
    assert (wallet["kind"], wallet["balance"], wallet["available"]) == (
        "prepaid",
        "0.000000000",
        "0.500000000",
    )
    assert wallet["low_balance"] is True  # 0 is below 2
    url = f"/v1/budget/wallets/{wallet['id']}"
    assert ok(admin.get(url)) == wallet
    assert [w["id"] for w in ok(admin.get("/v1/budget/wallets"))] == [wallet["id"]]
    again = admin.post(
        "/v1/budget/wallets", json={"owner_scope": "tenant", "owner_id": str(owner.id)}
    )
    assert again.status_code == 409

    topped = ok(admin.post(f"{url}/top-up", json={"amount": "10.50", "note": "PO 7"}), 201)
    assert topped["top_up"]["amount"] == "10.500000000"
    assert topped["top_up"]["created_by"] == str(owner.owner_id)
    assert (topped["wallet"]["balance"], topped["wallet"]["low_balance"]) == (
        "10.500000000",
        False,
    )
    ok(admin.post(f"{url}/top-up", json={"amount": 2}), 201)
    listed = ok(admin.get(f"{url}/top-ups"))
    assert [(t["amount"], t["note"], t["source"]) for t in listed] == [
        ("2.000000000", None, "admin"),
        ("10.500000000", "PO 7", "admin"),
    ]
    changed = ok(admin.patch(url, json={"overdraft_limit": "1", "low_balance_threshold": None}))
    assert (changed["overdraft_limit"], changed["low_balance_threshold"]) == ("1.000000000", None)
    assert changed["available"] == "13.500000000"
    assert admin.patch(url, json={"overdraft_limit": None}).status_code == 422


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "0.0000000001", 1.5, False, None])
def test_a_top_up_must_be_a_positive_amount(
    admin: httpx.Client, owner: Tenant, amount: object
) -> None:
    wallet = open_wallet(admin, owner)
    response = admin.post(f"/v1/budget/wallets/{wallet['id']}/top-up", json={"amount": amount})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "amount"]
    assert ok(admin.get(f"/v1/budget/wallets/{wallet['id']}"))["balance"] == "0.000000000"


def test_wallet_owners_must_be_the_tenants(admin: httpx.Client, owner: Tenant) -> None:
    ghost = str(uuid.uuid4())
    for scope in ("user", "department", "tenant"):
        body = {"owner_scope": scope, "owner_id": ghost}
        assert admin.post("/v1/budget/wallets", json=body).status_code == 404
    bad = {"owner_scope": "tenant", "owner_id": str(owner.id), "overdraft_limit": "-1"}
    response = admin.post("/v1/budget/wallets", json=bad)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "overdraft_limit"]
    assert admin.get(f"/v1/budget/wallets/{ghost}").status_code == 404


def test_a_postpaid_wallet_converts_only_once_paid(
    admin: httpx.Client, gateway: httpx.Client, owner: Tenant
) -> None:
    wallet = open_wallet(admin, owner, kind="postpaid")
    assert wallet["available"] is None
    url = f"/v1/budget/wallets/{wallet['id']}"
    call(gateway)
    owed = ok(admin.get(url))["balance"]
    assert owed.startswith("-")

    refused = admin.post(f"{url}/convert-to-prepaid")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert f"owes {owed[1:]} USD" in refused.json()["detail"]

    ok(admin.post(f"{url}/top-up", json={"amount": owed[1:]}), 201)
    converted = ok(admin.post(f"{url}/convert-to-prepaid"))
    assert (converted["kind"], converted["balance"], converted["available"]) == (
        "prepaid",
        "0.000000000",
        "0.000000000",
    )
    assert "already prepaid" in admin.post(f"{url}/convert-to-prepaid").json()["detail"]
    call(gateway, 402)  # prepaid and empty: refused now


def test_the_statement_sums_equal_the_ledger(
    admin: httpx.Client, gateway: httpx.Client, owner: Tenant
) -> None:
    wallet = open_wallet(admin, owner, kind="postpaid")
    url = f"/v1/budget/wallets/{wallet['id']}"
    ok(admin.post(f"{url}/top-up", json={"amount": "0.000001"}), 201)
    costs = [parse_usd(call(gateway).headers["x-agentshield-cost"]) for _ in range(3)]

    entries = ok(admin.get(f"{url}/ledger"))["entries"]
    month = datetime.now(UTC).strftime("%Y-%m")
    made = ok(admin.get(f"{url}/statement", params={"month": month}))
    assert ok(admin.get(f"{url}/statement")) == made  # this month by default
    settled = [signed(e["amount"]) for e in entries if e["kind"] == "settle"]
    assert sorted(settled) == sorted(-c for c in costs)
    assert (made["month"], made["time_zone"], made["opening_balance"]) == (
        month,
        "UTC",
        "0.000000000",
    )
    assert parse_usd(made["charges"]) == sum(costs) and made["charge_count"] == 3
    assert made["top_ups"] == "0.000001000" and made["other"] == "0.000000000"
    closing = sum(signed(e["amount"]) for e in entries)
    assert signed(made["closing_balance"]) == closing
    assert made["closing_balance"] == ok(admin.get(url))["balance"]
    assert parse_usd(made["amount_due"]) == max(0, -closing)

    empty = ok(admin.get(f"{url}/statement", params={"month": "2020-01"}))
    assert (empty["opening_balance"], empty["closing_balance"], empty["charge_count"]) == (
        "0.000000000",
        "0.000000000",
        0,
    )
    for bad in ("2026-13", "2026-1", "March"):
        assert admin.get(f"{url}/statement", params={"month": bad}).status_code == 422


def test_the_ledger_pages_newest_first(admin: httpx.Client, owner: Tenant) -> None:
    wallet = open_wallet(admin, owner)
    url = f"/v1/budget/wallets/{wallet['id']}"
    for cents in range(1, 6):
        ok(admin.post(f"{url}/top-up", json={"amount": f"0.0{cents}"}), 201)
    everything = ok(admin.get(f"{url}/ledger"))
    assert everything["next_before"] is None
    assert [e["amount"] for e in everything["entries"]] == [
        f"0.0{c}0000000" for c in range(5, 0, -1)
    ]
    assert everything["entries"][0]["balance_after"] == "0.150000000"
    pages, before = [], None
    while True:
        params = {"limit": 2} | ({"before": before} if before else {})
        page = ok(admin.get(f"{url}/ledger", params=params))
        pages += page["entries"]
        before = page["next_before"]
        if before is None:
            break
    assert pages == everything["entries"]
    missing = admin.get(f"{url}/ledger", params={"before": str(uuid.uuid4())})
    assert missing.status_code == 404


def _low_balance_events(admin: httpx.Client, wallet: dict[str, Any]) -> int:
    """How many `wallet.low_balance` events `GET /v1/events` shows for the wallet."""
    events = ok(admin.get("/v1/events", params={"kind": "wallet.low_balance"}))
    for event in events:
        assert event["payload"]["threshold"] == "1.000000000"
        assert parse_usd(event["payload"]["balance"]) < 1_000_000_000
    return sum(event["payload"]["wallet_id"] == wallet["id"] for event in events)


def test_low_balance_is_raised_once_per_crossing(
    budget_api: RunningGateway, admin: httpx.Client, gateway: httpx.Client, owner: Tenant
) -> None:
    wallet = open_wallet(admin, owner, low_balance_threshold="1")
    url = f"/v1/budget/wallets/{wallet['id']}"
    # Opened empty, below its threshold: that is where every wallet starts, no event.
    assert _low_balance_events(admin, wallet) == 0
    ok(admin.post(f"{url}/top-up", json={"amount": "1"}), 201)  # at the threshold
    call(gateway)
    assert ok(admin.get(url))["low_balance"] is True
    assert _low_balance_events(admin, wallet) == 1
    call(gateway)  # still below: the same crossing
    assert _low_balance_events(admin, wallet) == 1

    spent = 1_000_000_000 - parse_usd(ok(admin.get(url))["balance"])
    refill = f"0.{spent:09d}"
    ok(admin.post(f"{url}/top-up", json={"amount": refill}), 201)
    assert ok(admin.get(url))["low_balance"] is False
    call(gateway)
    assert _low_balance_events(admin, wallet) == 2
