"""Departments, projects, roles and users through the management API."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from support import RunningGateway, Tenant

PROBLEM_JSON = "application/problem+json"
Connect = Callable[..., httpx.Client]


def status(response: httpx.Response, expected: int) -> httpx.Response:
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON
    return response


def test_tenant_is_the_callers_own(admin: httpx.Client, tenant: Tenant) -> None:
    body = status(admin.get("/v1/tenant"), 200).json()
    assert body["id"] == str(tenant.id)
    assert body["slug"] and body["name"].startswith("Test ")


@pytest.mark.parametrize("collection", ["departments", "projects"])
def test_named_rows_lifecycle(admin: httpx.Client, collection: str) -> None:
    made = status(admin.post(f"/v1/{collection}", json={"name": "  Research  "}), 201).json()
    assert made["name"] == "Research"
    item = f"/v1/{collection}/{made['id']}"
    assert status(admin.get(item), 200).json() == made
    assert made in status(admin.get(f"/v1/{collection}"), 200).json()

    status(admin.post(f"/v1/{collection}", json={"name": "Research"}), 409)
    status(admin.post(f"/v1/{collection}", json={"name": "   "}), 422)
    status(admin.patch(item, json={"name": None}), 422)
    status(admin.patch(item, json={"colour": "red"}), 422)
    admin.post(f"/v1/{collection}", json={"name": "Taken"}).raise_for_status()
    status(admin.patch(item, json={"name": "Taken"}), 409)
    assert admin.get(item).json() == made  # the refused change left nothing behind
    renamed = status(admin.patch(item, json={"name": "Lab"}), 200).json()
    assert renamed["name"] == "Lab" and admin.get(item).json()["name"] == "Lab"

    status(admin.delete(item), 204)
    status(admin.get(item), 404)
    status(admin.delete(item), 404)


def test_a_department_cost_centre_can_be_set_and_cleared(admin: httpx.Client) -> None:
    made = admin.post("/v1/departments", json={"name": "Ops", "cost_centre": "CC-7"}).json()
    assert made["cost_centre"] == "CC-7"
    item = f"/v1/departments/{made['id']}"
    assert status(admin.patch(item, json={"cost_centre": None}), 200).json()["cost_centre"] is None
    assert admin.get(item).json()["name"] == "Ops"


def test_custom_roles_are_created_held_and_deleted(admin: httpx.Client) -> None:
    builtin = {r["name"] for r in admin.get("/v1/roles").json() if r["builtin"]}
    assert builtin == {"owner", "admin", "approver", "member", "viewer"}
    role = status(admin.post("/v1/roles", json={"name": "intern", "description": "x"}), 201).json()
    status(admin.post("/v1/roles", json={"name": "admin"}), 409)
    status(admin.post("/v1/roles", json={"name": "Not Valid"}), 422)
    user = admin.post("/v1/users", json={"email": "i@t.test", "role": "intern"}).json()
    assert user["role"] == "intern"

    status(admin.delete(f"/v1/roles/{role['id']}"), 409)  # still held
    status(admin.patch(f"/v1/users/{user['id']}", json={"role": "member"}), 200)
    status(admin.delete(f"/v1/roles/{role['id']}"), 204)
    assert "intern" not in {r["name"] for r in admin.get("/v1/roles").json()}
    owner_role = next(r for r in admin.get("/v1/roles").json() if r["name"] == "owner")
    status(admin.delete(f"/v1/roles/{owner_role['id']}"), 409)


def test_users_lifecycle(admin: httpx.Client) -> None:
    department = admin.post("/v1/departments", json={"name": "Sales"}).json()["id"]
    body = {"email": "Ana@T.test", "name": "Ana", "department_id": department}
    user = status(admin.post("/v1/users", json=body), 201).json()
    assert (user["email"], user["role"], user["disabled"]) == ("ana@t.test", "member", False)
    item = f"/v1/users/{user['id']}"

    status(admin.post("/v1/users", json={"email": "ana@t.test"}), 409)
    status(admin.post("/v1/users", json={"email": "not-an-email"}), 422)
    status(admin.post("/v1/users", json={"email": "b@t.test", "role": "wizard"}), 422)
    status(
        admin.post("/v1/users", json={"email": "b@t.test", "department_id": str(uuid.uuid4())}), 404
    )
    status(admin.patch(item, json={"role": None}), 422)

    changed = status(admin.patch(item, json={"role": "viewer", "department_id": None}), 200).json()
    assert (changed["role"], changed["department_id"], changed["name"]) == ("viewer", None, "Ana")
    assert admin.get(item).json() == changed
    status(admin.delete(item), 204)
    status(admin.get(item), 404)


def test_the_last_owner_stays(admin: httpx.Client, tenant: Tenant) -> None:
    status(admin.patch(f"/v1/users/{tenant.owner_id}", json={"role": "admin"}), 409)
    assert admin.get(f"/v1/users/{tenant.owner_id}").json()["role"] == "owner"


def test_disabling_a_user_stops_their_keys_at_once(
    api: RunningGateway, admin: httpx.Client, connect: Connect
) -> None:
    user = admin.post("/v1/users", json={"email": "d@t.test"}).json()["id"]
    key = admin.post("/v1/keys", json={"name": "d", "scopes": ["gateway"], "user_id": user})
    gateway = connect(api, key.json()["secret"])
    assert gateway.get("/v1/models").status_code == 200  # now cached by the gateway

    status(admin.patch(f"/v1/users/{user}", json={"disabled": True}), 200)
    assert gateway.get("/v1/models").status_code == 401
    status(admin.patch(f"/v1/users/{user}", json={"disabled": False}), 200)
    assert gateway.get("/v1/models").status_code == 200

    status(admin.delete(f"/v1/users/{user}"), 204)
    assert gateway.get("/v1/models").status_code == 401
