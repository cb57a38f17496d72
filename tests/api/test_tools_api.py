"""Tool prices through the management API: the defaults, a tenant's own price, and the
gateway charging it from the next call, to that tenant only."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from support import RunningGateway, Tenant, new_tenant

Connect = Callable[..., httpx.Client]
DEFAULTS = {
    "web_search": "0.010000000",
    "python_interpreter": "0.050000000",
    "image_generation": "0.040000000",
}


def prices_of(client: httpx.Client) -> dict[str, tuple[str, str]]:
    response = client.get("/v1/tools/definitions")
    assert response.status_code == 200, response.text
    return {d["name"]: (d["price"], d["source"]) for d in response.json()}


def charge(gateway: httpx.Client, model: str) -> str:
    """One mock chat offering web_search, which the mock calls: the cost header."""
    tool = {"type": "function", "function": {"name": "web_search", "parameters": {}}}
    body = {"model": model, "messages": [{"role": "user", "content": "look"}], "tools": [tool]}
    response = gateway.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == (
        "web_search"
    )
    return response.headers["x-agentshield-cost"]


def test_the_defaults_are_listed(admin: httpx.Client) -> None:
    listed = prices_of(admin)
    assert {name: listed[name] for name in DEFAULTS} == {
        name: (price, "default") for name, price in DEFAULTS.items()
    }


def test_a_tenant_price_overrides_the_default_for_that_tenant_only(
    api: RunningGateway, admin: httpx.Client, tenant: Tenant, connect: Connect, mock_model: str
) -> None:
    gateway = connect(api, tenant.gateway_key)
    other = connect(api, new_tenant(api).gateway_key)
    assert charge(gateway, mock_model) == "0.010000000"  # the mock's tokens are not priced

    body = {"price": "0.02", "description": "our search"}
    response = admin.put("/v1/tools/definitions/web_search", json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["price"], response.json()["source"]) == ("0.020000000", "tenant")
    assert prices_of(admin)["web_search"] == ("0.020000000", "tenant")
    assert charge(gateway, mock_model) == "0.020000000"
    assert charge(other, mock_model) == "0.010000000"

    created = admin.put("/v1/tools/definitions/crm_lookup", json={"price": "0.003"})
    assert created.status_code == 200
    assert prices_of(admin)["crm_lookup"] == ("0.003000000", "tenant")


@pytest.mark.parametrize("amount", ["-1", "abc", "0.0000000001", "NaN", "", 1.5, None])
def test_prices_must_be_non_negative_decimals_with_at_most_9_places(
    admin: httpx.Client, amount: object
) -> None:
    response = admin.put("/v1/tools/definitions/web_search", json={"price": amount})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert prices_of(admin)["web_search"] == ("0.010000000", "default")
