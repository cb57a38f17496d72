"""API keys through the management API: shown once, listed by prefix, revoked at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from agentshield.engines.keys import KEY_PATTERN
from support import RunningGateway, Tenant

Connect = Callable[..., httpx.Client]
SHA256_HEX = re.compile(r"\b[0-9a-f]{64}\b")
LISTED = {
    "id", "name", "prefix", "scopes", "user_id", "project_id",
    "expires_at", "revoked_at", "last_used_at", "created_at",
}  # fmt: skip


def issue(admin: httpx.Client, **body: object) -> dict:
    response = admin.post("/v1/keys", json={"name": "ci", "scopes": ["gateway"], **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_secret_is_shown_once_and_never_listed(
    api: RunningGateway, admin: httpx.Client, tenant: Tenant, connect: Connect
) -> None:
    project = admin.post("/v1/projects", json={"name": "Bots"}).json()["id"]
    key = issue(admin, scopes=["telemetry", "gateway"], project_id=project, env="test")
    secret = key.pop("secret")
    assert KEY_PATTERN.fullmatch(secret) and secret.startswith("ask_test_")
    assert secret.startswith(key["prefix"]) and len(key["prefix"]) == len("ask_test_") + 8
    assert key["scopes"] == ["gateway", "telemetry"]
    assert (key["user_id"], key["project_id"]) == (str(tenant.owner_id), project)

    listing = admin.get("/v1/keys")
    single = admin.get(f"/v1/keys/{key['id']}")
    for response in (listing, single):
        assert secret not in response.text and secret[len(key["prefix"]) :] not in response.text
        assert not SHA256_HEX.search(response.text), "a key hash is listed"
    assert single.json() == key
    assert all(set(row) == LISTED for row in listing.json())
    assert key in listing.json()
    assert connect(api, secret).get("/v1/models").status_code == 200


@pytest.mark.parametrize("how", ["POST revoke", "DELETE"])
def test_revocation_stops_the_key_on_the_gateway_at_once(
    api: RunningGateway, admin: httpx.Client, connect: Connect, how: str
) -> None:
    key = issue(admin)
    gateway = connect(api, key["secret"])
    assert gateway.get("/v1/models").status_code == 200  # cached by the gateway from now on

    if how == "DELETE":
        response = admin.delete(f"/v1/keys/{key['id']}")
    else:
        response = admin.post(f"/v1/keys/{key['id']}/revoke")
    assert response.status_code == 200, response.text
    revoked_at = response.json()["revoked_at"]
    assert revoked_at is not None

    refused = gateway.get("/v1/models")
    assert refused.status_code == 401
    assert refused.json()["error"]["type"]  # the gateway's OpenAI-shaped error
    # Revoking again changes nothing.
    again = admin.post(f"/v1/keys/{key['id']}/revoke")
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked_at


def test_a_new_admin_key_manages_and_a_revoked_one_does_not(
    api: RunningGateway, admin: httpx.Client, connect: Connect
) -> None:
    key = issue(admin, scopes=["admin"])
    second = connect(api, key["secret"])
    assert second.get("/v1/tenant").status_code == 200
    assert admin.post(f"/v1/keys/{key['id']}/revoke").status_code == 200
    assert second.get("/v1/tenant").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": []},
        {"scopes": ["root"]},
        {"expires_at": "2030-01-01T00:00:00"},  # no time zone
        {"env": "prod"},
        {"name": ""},
    ],
)
def test_invalid_keys_are_refused(admin: httpx.Client, body: dict) -> None:
    response = admin.post("/v1/keys", json={"name": "ci", "scopes": ["gateway"], **body})
    assert response.status_code == 422, response.text


def test_an_expired_key_is_refused(
    api: RunningGateway, admin: httpx.Client, connect: Connect
) -> None:
    soon = datetime.now(UTC) - timedelta(seconds=1)
    key = issue(admin, expires_at=soon.isoformat())
    assert key["expires_at"] is not None
    assert connect(api, key["secret"]).get("/v1/models").status_code == 401
