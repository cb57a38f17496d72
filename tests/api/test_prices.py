"""Model prices through the management API: decimal strings in and out, applied at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from support import RunningGateway, Tenant

Connect = Callable[..., httpx.Client]


@pytest.fixture
def priced(admin: httpx.Client, mock_model: str) -> Iterator[httpx.Client]:
    """The admin client; the mock model's price is removed again afterwards."""
    yield admin
    admin.delete(f"/v1/prices/{mock_model}")


def charge(gateway: httpx.Client, model: str) -> tuple[str, int]:
    """One mock chat call: (the cost header, prompt tokens used)."""
    body = {"model": model, "messages": [{"role": "user", "content": "Hello"}]}
    response = gateway.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    return response.headers["x-agentshield-cost"], response.json()["usage"]["prompt_tokens"]


def test_set_list_and_delete_a_price(priced: httpx.Client, mock_model: str) -> None:
    body = {"input_per_mtok": "2.5", "output_per_mtok": "10", "cached_input_per_mtok": "1.25"}
    response = priced.put(f"/v1/prices/{mock_model}", json=body)
    assert response.status_code == 200, response.text
    price = response.json()
    assert price["model"] == mock_model and price["source"] == "api"
    assert (price["input_per_mtok"], price["output_per_mtok"], price["cached_input_per_mtok"]) == (
        "2.500000000",
        "10.000000000",
        "1.250000000",
    )
    assert price in priced.get("/v1/prices").json()

    smallest = {"input_per_mtok": "0.000000001", "output_per_mtok": "0"}
    cheaper = priced.put(f"/v1/prices/{mock_model}", json=smallest)
    assert cheaper.json()["input_per_mtok"] == "0.000000001"
    assert cheaper.json()["cached_input_per_mtok"] is None

    assert priced.delete(f"/v1/prices/{mock_model}").status_code == 204
    assert mock_model not in {p["model"] for p in priced.get("/v1/prices").json()}
    assert priced.delete(f"/v1/prices/{mock_model}").status_code == 404


@pytest.mark.parametrize("amount", ["-1", "abc", "0.0000000001", "NaN", "", 1.5, None])
def test_amounts_must_be_non_negative_decimals_with_at_most_9_places(
    priced: httpx.Client, mock_model: str, amount: object
) -> None:
    body = {"input_per_mtok": amount, "output_per_mtok": "1"}
    response = priced.put(f"/v1/prices/{mock_model}", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert ["body", "input_per_mtok"] in [e["loc"] for e in response.json()["errors"]]
    assert mock_model not in {p["model"] for p in priced.get("/v1/prices").json()}


def test_the_gateway_charges_the_new_price_from_the_next_call(
    api: RunningGateway, priced: httpx.Client, tenant: Tenant, connect: Connect, mock_model: str
) -> None:
    gateway = connect(api, tenant.gateway_key)
    assert charge(gateway, mock_model)[0] == "0.000000000"  # not priced yet

    # USD 1000 per million input tokens: a thousandth of a dollar per prompt token.
    body = {"input_per_mtok": "1000", "output_per_mtok": "0"}
    assert priced.put(f"/v1/prices/{mock_model}", json=body).status_code == 200
    cost, prompt_tokens = charge(gateway, mock_model)
    assert cost == f"{prompt_tokens // 1000}.{prompt_tokens % 1000:03d}000000"

    assert priced.delete(f"/v1/prices/{mock_model}").status_code == 204
    assert charge(gateway, mock_model)[0] == "0.000000000"


def test_a_model_name_may_hold_a_slash(priced: httpx.Client) -> None:
    model = "acme/tiny-model"
    body = {"input_per_mtok": "1", "output_per_mtok": "1"}
    assert priced.put(f"/v1/prices/{model}", json=body).json()["model"] == model
    assert priced.delete(f"/v1/prices/{model}").status_code == 204
