"""Tenant isolation: every management route, called with tenant A's admin key on tenant B's
resources, answers as it would for a resource that does not exist and leaves B unchanged.

CASES holds at least one row per route of `agentshield.api.router`; the guard test below
fails when a route is added without one. The server has signup on, the multi-tenant mode.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from agentshield.store import budget
from agentshield.store.db import Database
from support import RunningGateway
from support.spend_history import blocked

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Other:
    """What tenant B owns, as A would have to name it."""

    tenant_id: str
    slug: str
    department: str
    department_name: str
    project: str
    project_name: str
    user: str
    role: str
    role_name: str
    key: str
    model: str
    pattern: str
    pattern_entity: str  # an entity type only B's patterns define
    wallet: str
    anomaly: str
    secrets: tuple[str, ...]

    IDS = (
        "tenant_id",
        "department",
        "project",
        "user",
        "role",
        "key",
        "pattern",
        "wallet",
        "anomaly",
    )

    def ghost(self) -> Other:
        """The same shape with ids that exist nowhere."""
        return dataclasses.replace(self, **{name: str(uuid.uuid4()) for name in self.IDS})


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # as declared in the router
    target: str | None = None  # which of B's resources fills the route's placeholder
    body: Callable[[Other], dict[str, Any]] | None = None
    status: int = 404
    fixed: tuple[tuple[str, str], ...] = ()  # placeholders with a set value, not B's id

    def url(self, b: Other) -> str:
        if self.target is None:
            return self.route
        fixed, value = dict(self.fixed), getattr(b, self.target)
        return re.sub(r"\{([^}]+)\}", lambda m: fixed.get(m[1], value), self.route)

    def json(self, b: Other) -> dict[str, Any] | None:
        return self.body(b) if self.body else None


PATTERN = {"name": "b-ids", "pattern": r"\bX\d{3}\b", "examples": ["X123"]}


def forged_payment(b: Other) -> dict[str, Any]:
    """A Checkout completion for B's wallet that Stripe did not sign."""
    session = {"id": "cs_forged", "amount_total": 10**8, "payment_status": "paid"}
    session["metadata"] = {"wallet_id": b.wallet, "tenant_id": b.tenant_id}
    return {"id": "evt_forged", "type": "checkout.session.completed", "data": {"object": session}}


CASES = [
    Case("GET", "/v1/tenant", status=200),
    Case("GET", "/v1/departments", status=200),
    # Names are per tenant: A may use B's name, and B's row is not touched.
    Case("POST", "/v1/departments", body=lambda b: {"name": b.department_name}, status=201),
    Case("GET", "/v1/departments/{row_id}", "department"),
    Case("PATCH", "/v1/departments/{row_id}", "department", lambda b: {"name": "Taken"}),
    Case("DELETE", "/v1/departments/{row_id}", "department"),
    Case("GET", "/v1/projects", status=200),
    Case("POST", "/v1/projects", body=lambda b: {"name": b.project_name}, status=201),
    Case("GET", "/v1/projects/{row_id}", "project"),
    Case("PATCH", "/v1/projects/{row_id}", "project", lambda b: {"name": "Taken"}),
    Case("DELETE", "/v1/projects/{row_id}", "project"),
    Case("GET", "/v1/roles", status=200),
    Case("POST", "/v1/roles", body=lambda b: {"name": b.role_name}, status=201),
    Case("DELETE", "/v1/roles/{role_id}", "role"),
    Case("GET", "/v1/users", status=200),
    Case("POST", "/v1/users", body=lambda b: {"email": "n@a.test", "department_id": b.department}),
    Case("GET", "/v1/users/{user_id}", "user"),
    Case("PATCH", "/v1/users/{user_id}", "user", lambda b: {"disabled": True}),
    Case("DELETE", "/v1/users/{user_id}", "user"),
    Case("GET", "/v1/keys", status=200),
    Case("POST", "/v1/keys", body=lambda b: {"name": "x", "scopes": ["admin"], "user_id": b.user}),
    Case(
        "POST",
        "/v1/keys",
        body=lambda b: {"name": "x", "scopes": ["gateway"], "project_id": b.project},
    ),
    Case("GET", "/v1/keys/{key_id}", "key"),
    Case("POST", "/v1/keys/{key_id}/revoke", "key"),
    Case("DELETE", "/v1/keys/{key_id}", "key"),
    Case("GET", "/v1/prices", status=200),
    # The price list is shared: with signup on, no tenant may change what others are charged.
    Case(
        "PUT",
        "/v1/prices/{model}",
        "model",
        lambda b: {"input_per_mtok": "0", "output_per_mtok": "0"},
        status=403,
    ),
    Case("DELETE", "/v1/prices/{model}", "model", status=403),
    Case("GET", "/v1/audit", status=200),
    Case("GET", "/v1/audit/verify", status=200),
    Case("POST", "/v1/pii/scan", body=lambda b: {"text": f"{b.user} at b@b.test"}, status=200),
    # A scan of B's ids is a scan of text: its events are A's, B's counts stay as they are.
    Case("POST", "/v1/scan", body=lambda b: {"texts": [b.user, b.project]}, status=200),
    Case("GET", "/v1/injection/policy", status=200),
    Case("PUT", "/v1/injection/policy", body=lambda b: {"on_detect": "block"}, status=200),
    # A's admin key has no telemetry scope; B's project id in an event changes nothing.
    Case(
        "POST",
        "/v1/telemetry",
        body=lambda b: {"events": [{"event_id": b.project, "project": b.project_name}]},
        status=403,
    ),
    Case("GET", "/v1/pii/patterns", status=200),
    Case(
        "POST",
        "/v1/pii/patterns",
        body=lambda b: {**PATTERN, "scope": "department", "scope_id": b.department},
    ),
    Case(
        "POST", "/v1/pii/patterns", body=lambda b: {**PATTERN, "scope": "user", "scope_id": b.user}
    ),
    Case("PUT", "/v1/pii/patterns/{pattern_id}", "pattern", lambda b: {"enabled": False}),
    Case("DELETE", "/v1/pii/patterns/{pattern_id}", "pattern"),
    Case(
        "POST",
        "/v1/pii/patterns/test",
        body=lambda b: {"pattern": "X", "examples": ["X"]},
        status=200,
    ),
    Case("POST", "/v1/pii/patterns/generate", body=lambda b: {"examples": ["X123"]}, status=200),
    Case("GET", "/v1/pii/policy", status=200),
    Case("PUT", "/v1/pii/policy", body=lambda b: {"default_mode": "flag"}, status=200),
    # B's own entity types mean nothing in A's policy.
    Case(
        "PUT", "/v1/pii/policy", body=lambda b: {"modes": {b.pattern_entity: "block"}}, status=422
    ),
    Case(
        "POST",
        "/v1/signup",
        body=lambda b: {"tenant_name": "Squatter", "email": "s@q.test", "slug": b.slug},
        status=409,
    ),
    # Quotas of B's user, department, tenant and key, named by A.
    *(
        Case(
            method, "/v1/budget/quotas/{scope}/{owner_id}", target, body, fixed=(("scope", scope),)
        )
        for scope, target in (
            ("user", "user"),
            ("department", "department"),
            ("tenant", "tenant_id"),
            ("key", "key"),
        )
        for method, body in (("GET", None), ("PUT", lambda b: {"daily_usd": "1"}))
    ),
    Case(
        "POST",
        "/v1/budget/quotas/{scope}/{owner_id}/reset-daily",
        "user",
        fixed=(("scope", "user"),),
    ),
    Case("GET", "/v1/budget/wallets", status=200),
    *(
        Case(
            "POST",
            "/v1/budget/wallets",
            body=lambda b, s=scope, t=target: {"owner_scope": s, "owner_id": getattr(b, t)},
        )
        for scope, target in (
            ("user", "user"),
            ("department", "department"),
            ("tenant", "tenant_id"),
        )
    ),
    Case("GET", "/v1/budget/wallets/{wallet_id}", "wallet"),
    Case("PATCH", "/v1/budget/wallets/{wallet_id}", "wallet", lambda b: {"overdraft_limit": "5"}),
    Case("POST", "/v1/budget/wallets/{wallet_id}/top-up", "wallet", lambda b: {"amount": "1"}),
    Case("GET", "/v1/budget/wallets/{wallet_id}/top-ups", "wallet"),
    Case("POST", "/v1/budget/wallets/{wallet_id}/convert-to-prepaid", "wallet"),
    Case("GET", "/v1/budget/wallets/{wallet_id}/ledger", "wallet"),
    Case("GET", "/v1/budget/wallets/{wallet_id}/statement", "wallet"),
    # B's spend anomalies: not listed to A, not acknowledged by A, B's user's model not trained.
    Case("GET", "/v1/budget/anomalies", status=200),
    Case("GET", "/v1/events", status=200),  # B's anomaly event names B's user
    Case("POST", "/v1/budget/anomalies/{anomaly_id}/acknowledge", "anomaly"),
    Case("POST", "/v1/budget/anomalies/train-model/{user_id}", "user"),
    # Stripe answers nothing for a wallet A cannot see: no session is opened for it.
    Case(
        "POST",
        "/v1/billing/stripe/checkout",
        body=lambda b: {"wallet_id": b.wallet, "amount": "10.00"},
    ),
    # The webhook takes no key, only Stripe's signature: a forged payment is a 400.
    Case("POST", "/v1/billing/stripe/webhook", body=forged_payment, status=400),
    # Tool prices: A's own price of a tool never changes what B sees or pays.
    Case("GET", "/v1/tools/definitions", status=200),
    Case(
        "PUT",
        "/v1/tools/definitions/{name}",
        "user",
        lambda b: {"price": "0.5"},
        status=200,
        fixed=(("name", "web_search"),),
    ),
]


def test_every_route_has_a_cross_tenant_case(management_routes: list[tuple[str, str]]) -> None:
    assert {(case.method, case.route) for case in CASES} == set(management_routes)


def sign_up(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.post("/v1/signup", json={"tenant_name": name, "email": "o@t.test"})
    assert response.status_code == 201, response.text
    return response.json()


def created(response: httpx.Response) -> str:
    assert response.status_code == 201, response.text
    return response.json()["id"]


def tenant_wallet(tenant_id: uuid.UUID) -> Callable[[Database], Awaitable[str]]:
    async def open_one(db: Database) -> str:
        async with db.transaction() as session:
            wallet = await budget.open_wallet(
                session, tenant_id, owner_scope="tenant", owner_id=tenant_id
            )
        return str(wallet.id)

    return open_one


@pytest.fixture(scope="module")
def tenants(open_api: RunningGateway) -> Any:
    """(A's client, B's client, what B owns), shared by the cases: none may change B."""
    tag = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=open_api.url, timeout=30) as anon:
        a, b = sign_up(anon, f"A {tag}"), sign_up(anon, f"B {tag}")
    auth = {"Authorization": f"Bearer {a['admin_key']}"}
    with (
        httpx.Client(base_url=open_api.url, headers=auth, timeout=30) as a_client,
        httpx.Client(
            base_url=open_api.url,
            headers={"Authorization": f"Bearer {b['admin_key']}"},
            timeout=30,
        ) as b_client,
    ):
        department = created(b_client.post("/v1/departments", json={"name": f"Lab {tag}"}))
        role = created(b_client.post("/v1/roles", json={"name": f"auditor-{tag}"}))
        user = created(
            b_client.post("/v1/users", json={"email": "m@b.test", "department_id": department})
        )
        project = created(b_client.post("/v1/projects", json={"name": f"Apollo {tag}"}))
        issued = b_client.post(
            "/v1/keys",
            json={"name": "member", "scopes": ["gateway"], "user_id": user, "project_id": project},
        )
        entity = f"B_ID_{tag.upper()}"
        pattern = b_client.post("/v1/pii/patterns", json={**PATTERN, "entity_type": entity})
        prices = b_client.get("/v1/prices").json()
        wallet = open_api.call(tenant_wallet(uuid.UUID(b["tenant"]["id"])))
        anomaly = open_api.call(
            lambda db: blocked(db, uuid.UUID(b["tenant"]["id"]), uuid.UUID(user))
        )
        assert prices, "the shipped price list should seed at least one model"
        other = Other(
            tenant_id=b["tenant"]["id"],
            slug=b["tenant"]["slug"],
            department=department,
            department_name=f"Lab {tag}",
            project=project,
            project_name=f"Apollo {tag}",
            user=user,
            role=role,
            role_name=f"auditor-{tag}",
            key=created(issued),
            model=prices[0]["model"],
            pattern=created(pattern),
            pattern_entity=entity,
            wallet=wallet,
            anomaly=anomaly,
            secrets=(b["admin_key"], b["gateway_key"], issued.json()["secret"]),
        )
        yield a_client, b_client, other


def snapshot(b_client: httpx.Client) -> dict[str, Any]:
    """Everything B can see of itself."""
    paths = ["/v1/tenant", "/v1/departments", "/v1/projects", "/v1/roles", "/v1/users"]
    paths += ["/v1/pii/patterns", "/v1/pii/policy", "/v1/injection/policy"]
    paths += ["/v1/tools/definitions"]
    state = {path: b_client.get(path).json() for path in paths}
    # When a key was last used changes with use, not with what A did.
    state["keys"] = [
        {k: v for k, v in key.items() if k != "last_used_at"}
        for key in b_client.get("/v1/keys").json()
    ]
    state["prices"] = b_client.get("/v1/prices").json()
    state["wallets"] = b_client.get("/v1/budget/wallets").json()
    state["anomalies"] = b_client.get("/v1/budget/anomalies").json()
    state["events"] = b_client.get("/v1/events").json()
    for user in state["/v1/users"]:
        quotas = f"/v1/budget/quotas/user/{user['id']}"
        state[quotas] = b_client.get(quotas).json()
    state["audit"] = b_client.get("/v1/audit", params={"limit": 1000}).json()
    return state


def visible_of(b_client: httpx.Client, other: Other) -> list[str]:
    """Strings only B's own answers may contain."""
    keys = b_client.get("/v1/keys").json()
    audit = b_client.get("/v1/audit", params={"limit": 1000}).json()["entries"]
    return [
        *(getattr(other, name) for name in Other.IDS),
        *other.secrets,
        *(key["prefix"] for key in keys),
        *(entry["hash"] for entry in audit),
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.route}")
def test_a_cannot_reach_b(case: Case, tenants: Any) -> None:
    a_client, b_client, other = tenants
    before = snapshot(b_client)
    url, body = case.url(other), case.json(other)

    response = a_client.request(case.method, url, json=body)

    assert response.status_code == case.status, response.text
    asked = url + json.dumps(body)
    leaked = [v for v in visible_of(b_client, other) if v in response.text and v not in asked]
    assert not leaked, f"A's answer shows B's {leaked}"
    assert snapshot(b_client) == before
    if case.status == 404:
        # Exactly what a missing resource gets: same status, same detail but for the id.
        ghost = other.ghost()
        missing = a_client.request(case.method, case.url(ghost), json=case.json(ghost))
        assert missing.status_code == 404
        assert missing.headers["content-type"] == PROBLEM_JSON
        detail = missing.json()["detail"]
        for name in Other.IDS:
            detail = detail.replace(getattr(ghost, name), getattr(other, name))
        assert detail == response.json()["detail"]
