"""Who may call the management API: keys, scopes, roles, and the problem+json answers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx

from support import RunningGateway, Tenant

Connect = Callable[..., httpx.Client]

PROBLEM_JSON = "application/problem+json"
UNKNOWN_KEY = "ask_live_" + "0" * 32
# Routes the tenant's gateway key (scopes gateway and telemetry) may call.
ANY_KEY = {("POST", "/v1/pii/scan"), ("POST", "/v1/scan"), ("POST", "/v1/telemetry")}


def fill(route: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route)


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"] and problem["detail"]
    assert problem["instance"] == response.request.url.path
    return problem


# Routes without a key: signup (see test_signup) and Stripe's webhook, which Stripe's
# signature authenticates instead (see test_billing_stripe).
KEYLESS = {"/v1/signup", "/v1/billing/stripe/webhook"}


def test_every_route_needs_a_valid_key_with_the_admin_scope(
    api: RunningGateway,
    tenant: Tenant,
    connect: Connect,
    management_routes: list[tuple[str, str]],
) -> None:
    callers = [
        (connect(api), 401),
        (connect(api, UNKNOWN_KEY), 401),
        (connect(api, "not-a-key"), 401),
        (connect(api, tenant.gateway_key), 403),
    ]
    for method, route in management_routes:
        if route in KEYLESS:
            continue
        for client, status in callers:
            response = client.request(method, fill(route), json={})
            if status == 403 and (method, route) in ANY_KEY:
                status = 422  # let in, then refused for the empty body
            assert_problem(response, status)
            if status == 401:
                assert response.headers["www-authenticate"] == "Bearer"


def test_invalid_body_is_a_422_naming_each_field_without_echoing_it(admin: httpx.Client) -> None:
    response = admin.post(
        "/v1/keys", json={"name": "ci", "scopes": ["root"], "note": "s3cret-value"}
    )
    problem = assert_problem(response, 422)
    locations = {tuple(error["loc"]) for error in problem["errors"]}
    assert ("body", "scopes", "0") in locations
    assert ("body", "note") in locations
    assert "s3cret-value" not in response.text

    assert_problem(admin.post("/v1/departments", content=b"{not json"), 422)


def issue(admin: httpx.Client, **body: object) -> dict:
    response = admin.post("/v1/keys", json={"name": "k", **body})
    assert response.status_code == 201, response.text
    return response.json()


def person(admin: httpx.Client, role: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}@t.test"
    response = admin.post("/v1/users", json={"email": email, "role": role})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_admin_key_of_a_member_runs_the_org_but_not_people_or_prices(
    api: RunningGateway, admin: httpx.Client, connect: Connect
) -> None:
    member_key = issue(admin, scopes=["admin"], user_id=person(admin, "member"))["secret"]
    member = connect(api, member_key)

    assert member.get("/v1/tenant").status_code == 200
    assert member.post("/v1/departments", json={"name": "Member's"}).status_code == 201
    assert member.get("/v1/audit").status_code == 200
    assert member.get("/v1/prices").status_code == 200
    refused = [
        member.get("/v1/users"),
        member.post("/v1/users", json={"email": "x@t.test"}),
        member.get("/v1/keys"),
        member.post("/v1/keys", json={"name": "mine", "scopes": ["admin"]}),
        member.get("/v1/roles"),
        member.put("/v1/prices/gpt-4o", json={"input_per_mtok": "0", "output_per_mtok": "0"}),
    ]
    for response in refused:
        assert_problem(response, 403)


def test_an_admin_cannot_make_change_or_impersonate_an_owner(
    api: RunningGateway, admin: httpx.Client, tenant: Tenant, connect: Connect
) -> None:
    admin_user = person(admin, "admin")
    other_admin = connect(api, issue(admin, scopes=["admin"], user_id=admin_user)["secret"])
    member = person(other_admin, "member")
    owner_keys = [k for k in admin.get("/v1/keys").json() if k["user_id"] == str(tenant.owner_id)]

    refused = [
        other_admin.post("/v1/users", json={"email": "boss@t.test", "role": "owner"}),
        other_admin.patch(f"/v1/users/{member}", json={"role": "owner"}),
        other_admin.patch(f"/v1/users/{admin_user}", json={"role": "owner"}),
        other_admin.patch(f"/v1/users/{tenant.owner_id}", json={"disabled": True}),
        other_admin.delete(f"/v1/users/{tenant.owner_id}"),
        other_admin.post(
            "/v1/keys", json={"name": "x", "scopes": ["admin"], "user_id": str(tenant.owner_id)}
        ),
        other_admin.post(f"/v1/keys/{owner_keys[0]['id']}/revoke"),
    ]
    for response in refused:
        assert_problem(response, 403)
    assert admin.get(f"/v1/users/{tenant.owner_id}").json()["role"] == "owner"
    assert admin.get(f"/v1/keys/{owner_keys[0]['id']}").json()["revoked_at"] is None
    # What an admin may do: run members and their keys.
    assert other_admin.patch(f"/v1/users/{member}", json={"role": "viewer"}).status_code == 200
    key = {"name": "m", "scopes": ["gateway"], "user_id": member}
    assert other_admin.post("/v1/keys", json=key).status_code == 201


def test_nobody_disables_or_deletes_themselves(admin: httpx.Client, tenant: Tenant) -> None:
    person(admin, "owner")  # so the last-owner rule is not what refuses
    assert_problem(admin.patch(f"/v1/users/{tenant.owner_id}", json={"disabled": True}), 409)
    assert_problem(admin.delete(f"/v1/users/{tenant.owner_id}"), 409)
    assert admin.get("/v1/users").status_code == 200


def test_a_role_change_applies_to_the_keys_already_in_use(
    admin: httpx.Client, tenant: Tenant
) -> None:
    person(admin, "owner")
    assert admin.get("/v1/users").status_code == 200  # the key is now cached as an owner's
    response = admin.patch(f"/v1/users/{tenant.owner_id}", json={"role": "member"})
    assert response.status_code == 200, response.text
    assert_problem(admin.get("/v1/users"), 403)
