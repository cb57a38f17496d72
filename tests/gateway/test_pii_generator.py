"""`POST /v1/pii/patterns/generate` from a description: the configured model is asked (here
the test upstream's echo model, which answers with the text it was sent) and its answer is
checked like any pattern."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agentshield.settings import ProviderSettings
from support import UpstreamServer, new_tenant, run_gateway
from support.config import gateway_settings
from support.upstream import ECHO_MODEL


@pytest.fixture(scope="module")
def admin(upstream: UpstreamServer, sqlite_url: str) -> Iterator[httpx.Client]:
    settings = gateway_settings(
        sqlite_url,
        upstream,
        providers=[ProviderSettings(name="echo", base_url=upstream.url, models=[ECHO_MODEL])],
        model_aliases={},
        pii_generator_model=ECHO_MODEL,
    )
    with run_gateway(settings) as gw:
        auth = {"Authorization": f"Bearer {new_tenant(gw).admin_key}"}
        with httpx.Client(base_url=gw.url, headers=auth, timeout=30) as client:
            yield client


def generate(admin: httpx.Client, **body: Any) -> dict[str, Any]:
    response = admin.post("/v1/pii/patterns/generate", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_models_answer_is_returned_with_its_validation(
    admin: httpx.Client, upstream: UpstreamServer
) -> None:
    made = generate(
        admin,
        description=r"Employee ids, written like `\bEMP-\d{6}\b`",
        examples=["EMP-123456"],
        negative_examples=["EMP-12"],
    )
    assert made == {
        "source": "description",
        "model": ECHO_MODEL,
        "pattern": r"\bEMP-\d{6}\b",
        "validation": {"ok": True, "problems": []},
    }
    asked = [r for r in upstream.received if r.body.get("model") == ECHO_MODEL][-1].body
    assert "RE2" in asked["messages"][0]["content"]
    assert "It must match: EMP-123456" in asked["messages"][1]["content"]
    assert "It must not match: EMP-12" in asked["messages"][1]["content"]


def test_an_answer_that_fails_the_examples_says_why(admin: httpx.Client) -> None:
    made = generate(
        admin, description=r"Codes like `\d+`", examples=["ABC"], negative_examples=["7"]
    )
    assert made["pattern"] == r"\d+"
    assert made["validation"] == {
        "ok": False,
        "problems": ["does not match its example 'ABC'", "matches its counter-example '7'"],
    }
