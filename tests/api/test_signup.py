"""Self-service signup: off unless configured; when on, one atomic step to two working keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from agentshield.engines.keys import KEY_PATTERN
from agentshield.settings import Settings
from agentshield.store.db import Database
from agentshield.store.models import Tenant, User
from support import RunningGateway

Connect = Callable[..., httpx.Client]


def count(gw: RunningGateway, model: type, **where: str) -> int:
    async def query(db: Database) -> int:
        conditions = [getattr(model, name) == value for name, value in where.items()]
        async with db.read() as session:
            return int(await session.scalar(select(func.count()).where(*conditions)) or 0)

    return gw.call(query)


def test_signup_is_off_by_default(api: RunningGateway, connect: Connect) -> None:
    assert Settings.model_fields["signup_enabled"].default is False
    anonymous = connect(api)
    email = f"o-{uuid.uuid4().hex[:8]}@acme.test"  # other tests sign up o@acme.test
    for body in ({"tenant_name": "Acme", "email": email}, {"junk": True}):
        response = anonymous.post("/v1/signup", json=body)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    assert count(api, User, email=email) == 0


def test_signup_returns_two_keys_that_work(open_api: RunningGateway, connect: Connect) -> None:
    name = f"Acme {uuid.uuid4().hex[:6]}"
    response = connect(open_api).post(
        "/v1/signup", json={"tenant_name": name, "email": "Owner@Acme.test", "name": "Olga"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["tenant"]["name"] == name
    assert KEY_PATTERN.fullmatch(body["admin_key"]) and KEY_PATTERN.fullmatch(body["gateway_key"])

    admin = connect(open_api, body["admin_key"])
    assert admin.get("/v1/tenant").json()["id"] == body["tenant"]["id"]
    owner = admin.get(f"/v1/users/{body['user_id']}").json()
    assert (owner["email"], owner["role"], owner["name"]) == ("owner@acme.test", "owner", "Olga")
    assert connect(open_api, body["gateway_key"]).get("/v1/models").status_code == 200
    first = admin.get("/v1/audit").json()["entries"][0]
    assert (first["event_type"], first["actor"]) == ("tenant.created", "signup")
    assert body["admin_key"] not in str(first) and body["gateway_key"] not in str(first)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "x@taken.test", "slug": "taken"}, 409),
        ({"email": "not-an-email"}, 422),
        ({"email": "x@bad-slug.test", "slug": "Not A Slug"}, 422),
    ],
)
def test_a_refused_signup_leaves_nothing_behind(
    open_api: RunningGateway, connect: Connect, body: dict, status: int
) -> None:
    anonymous = connect(open_api)
    taken = {"tenant_name": "First", "email": "f@taken.test", "slug": "taken"}
    assert anonymous.post("/v1/signup", json=taken).status_code in (201, 409)
    name = f"Refused {uuid.uuid4().hex[:6]}"

    response = anonymous.post("/v1/signup", json={"tenant_name": name, **body})

    assert response.status_code == status, response.text
    assert count(open_api, Tenant, name=name) == 0
    assert count(open_api, User, email=body["email"]) == 0
