"""Every refusal answers in OpenAI's error shape with the status DESIGN.md §6 gives it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import openai
import pytest

from agentshield.store.db import Database
from agentshield.store.keys import revoke_key
from support import RunningGateway, Tenant, make_client
from support.config import MAX_BODY, SLOW_TIMEOUT
from support.upstream import UpstreamServer

USER = [{"role": "user", "content": "Say hello."}]


def post(gateway: RunningGateway, key: str | None, body: Any, path: str = "chat/completions"):
    headers = {"authorization": f"Bearer {key}"} if key else {}
    if isinstance(body, bytes):
        return httpx.post(f"{gateway.url}/v1/{path}", content=body, headers=headers)
    return httpx.post(f"{gateway.url}/v1/{path}", json=body, headers=headers)


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "code", "param"}
    assert "x-agentshield-trace-id" in response.headers
    return body["error"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ask_live_" + "0" * 32, "Bearer not-a-key", "Basic dXNlcjpwYXNz"],
    ids=["missing", "unknown", "malformed", "not-bearer"],
)
def test_no_valid_key_is_401(gateway: RunningGateway, header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    response = httpx.post(f"{gateway.url}/v1/chat/completions", json={}, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["type"] == "authentication_error"
    assert "0" * 32 not in response.text


def test_revoked_and_expired_keys_are_401(gateway: RunningGateway, tenant: Tenant) -> None:
    expired = tenant.key(gateway, expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    revoked = tenant.key(gateway)

    async def revoke(db: Database) -> None:
        async with db.transaction() as session:
            caller = await gateway.app.state.keys.resolve(revoked)
            await revoke_key(session, tenant.id, caller.key_id)
        gateway.app.state.keys.invalidate(key_id=caller.key_id)

    gateway.call(revoke)
    for key in (expired, revoked):
        with make_client(gateway, key) as client, pytest.raises(openai.AuthenticationError):
            client.chat.completions.create(model="gpt-4o-mini", messages=USER)


def test_key_without_gateway_scope_is_403(gateway: RunningGateway, tenant: Tenant) -> None:
    for key in (tenant.admin_key, tenant.key(gateway, scopes=["telemetry"])):
        with (
            make_client(gateway, key) as client,
            pytest.raises(openai.PermissionDeniedError) as caught,
        ):
            client.models.list()
        assert caught.value.code == "insufficient_scope"


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]"], ids=["broken", "empty", "array"])
def test_a_body_that_is_not_a_json_object_is_400(
    gateway: RunningGateway, tenant_key: str, body: bytes
) -> None:
    response = post(gateway, tenant_key, body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": USER}, "model"),
        ({"model": 4, "messages": USER}, "model"),
        ({"model": "gpt-4o-mini"}, "messages"),
        ({"model": "gpt-4o-mini", "messages": "hello"}, "messages"),
        ({"model": "gpt-4o-mini", "messages": []}, "messages"),
        ({"model": "gpt-4o-mini", "messages": ["hello"]}, "messages[0]"),
        ({"model": "gpt-4o-mini", "messages": USER, "stream": "yes"}, "stream"),
        ({"model": "gpt-4o-mini", "messages": USER, "stream_options": 1}, "stream_options"),
        ({"model": "gpt-4o-mini", "messages": USER, "tools": {}}, "tools"),
    ],
)
def test_an_invalid_chat_field_is_422_naming_it(
    gateway: RunningGateway, tenant_key: str, body: dict[str, Any], param: str
) -> None:
    response = post(gateway, tenant_key, body)
    assert response.status_code == 422
    error = error_of(response)
    assert (error["type"], error["param"]) == ("invalid_request_error", param)


@pytest.mark.parametrize("value", [None, "", [], [True], 3.5, [["a"]]])
def test_an_invalid_embeddings_input_is_422(
    gateway: RunningGateway, tenant_key: str, value: Any
) -> None:
    response = post(gateway, tenant_key, {"model": "mock-embed", "input": value}, "embeddings")
    assert response.status_code == 422
    assert error_of(response)["param"] == "input"


def test_unknown_model_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-nonexistent", messages=USER)
    assert caught.value.code == "model_not_found"
    assert "gpt-nonexistent" in caught.value.message


def test_a_body_over_the_limit_is_413(client: openai.OpenAI, upstream: UpstreamServer) -> None:
    tag = uuid.uuid4().hex
    huge = [{"role": "user", "content": "x" * (MAX_BODY + 1)}]
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=huge, extra_body={"upstream_test": {"tag": tag}}
        )
    assert caught.value.status_code == 413
    assert not [r for r in upstream.received if r.tag == tag]


def test_a_chunked_body_over_the_limit_is_413(gateway: RunningGateway, tenant_key: str) -> None:
    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "'
        for _ in range(MAX_BODY // 1024 + 1):
            yield b"x" * 1024
        yield b'"}]}'

    response = httpx.post(
        f"{gateway.url}/v1/chat/completions",
        content=chunks(),
        headers={"authorization": f"Bearer {tenant_key}"},
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


@pytest.mark.parametrize("status", [500, 503, 429, 400])
def test_an_upstream_error_is_passed_through(client: openai.OpenAI, status: int) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=USER, extra_body={"upstream_test": {"status": status}}
        )
    assert caught.value.status_code == status
    assert caught.value.code == "test_failure"
    assert caught.value.body["message"] == f"The test upstream failed with {status} as asked."


def test_an_upstream_error_before_a_stream_keeps_its_status(client: openai.OpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=USER,
            stream=True,
            extra_body={"upstream_test": {"status": 500}},
        )
    assert caught.value.status_code == 500


def test_an_upstream_timeout_is_504_naming_the_provider(client: openai.OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model="slow-model",
            messages=USER,
            extra_body={"upstream_test": {"delay": SLOW_TIMEOUT + 1.5}},
        )
    assert caught.value.status_code == 504
    assert caught.value.code == "upstream_timeout"
    assert "'sluggish'" in caught.value.message


def test_an_unreachable_upstream_is_502_naming_the_provider(client: openai.OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="gone-model", messages=USER)
    assert caught.value.status_code == 502
    assert caught.value.code == "upstream_unreachable"
    assert "'gone'" in caught.value.message


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", "/v1/completions-typo", 404, "unknown_url"),
        ("GET", "/nowhere", 404, "unknown_url"),
        ("GET", "/v1/chat/completions", 405, "method_not_allowed"),
    ],
)
def test_unknown_paths_and_methods_answer_in_the_same_shape(
    gateway: RunningGateway, method: str, path: str, status: int, code: str
) -> None:
    response = httpx.request(method, f"{gateway.url}{path}")
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code
    assert path in error["message"]
