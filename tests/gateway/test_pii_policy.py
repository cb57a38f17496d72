"""The tenant's PII policy and custom patterns, edited through the management API, as the
gateway applies them: block, restore (streamed or not), flag, per-caller rules, and the
audit entry. On SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import orjson
import pytest

from agentshield.store import audit
from agentshield.store.db import Database
from support import RunningGateway, Tenant, UpstreamServer, make_client, new_tenant

pytestmark = pytest.mark.db

EMAIL = "jane.doe@acme-corp.com"
CARD = "4111 1111 1111 1111"


@pytest.fixture
def owner(gateway_db: RunningGateway) -> Tenant:
    return new_tenant(gateway_db)


@pytest.fixture
def admin(gateway_db: RunningGateway, owner: Tenant) -> Iterator[httpx.Client]:
    auth = {"Authorization": f"Bearer {owner.admin_key}"}
    with httpx.Client(base_url=gateway_db.url, headers=auth, timeout=30) as client:
        yield client


@pytest.fixture
def client(gateway_db: RunningGateway, owner: Tenant) -> Iterator[openai.OpenAI]:
    with make_client(gateway_db, owner.gateway_key) as client:
        yield client


def set_policy(admin: httpx.Client, **policy: Any) -> None:
    response = admin.put("/v1/pii/policy", json=policy)
    assert response.status_code == 200, response.text


def tagged(**control: Any) -> dict[str, Any]:
    return {"upstream_test": {"tag": uuid.uuid4().hex, **control}}


def test_block_refuses_naming_the_types_never_the_values(
    admin: httpx.Client, client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    set_policy(admin, modes={"CREDIT_CARD": "block"})
    extra = tagged()
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": f"Charge {CARD} and mail {EMAIL}"}],
            extra_body=extra,
        )
    error = caught.value
    assert error.status_code == 403
    assert error.body["type"] == "permission_error"  # type: ignore[index]
    assert error.code == "pii_blocked"
    assert "CREDIT_CARD" in error.message
    assert CARD not in error.response.text and "1111" not in error.message
    assert error.response.headers["x-agentshield-pii-findings"] == "CREDIT_CARD=1,EMAIL=1"
    assert not [r for r in upstream.received if r.tag == extra["upstream_test"]["tag"]]


def test_restore_sends_placeholders_and_gives_the_originals_back(
    admin: httpx.Client, client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    set_policy(admin, modes={"EMAIL": "restore"})
    question = f"Draft a note to {EMAIL} and cc {EMAIL}, card {CARD}."
    extra = tagged(echo=True)
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], extra_body=extra
    )
    sent = upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"][0]["content"]
    assert sent == "Draft a note to <EMAIL_1> and cc <EMAIL_1>, card <CREDIT_CARD_LAST_4:1111>."
    # The model echoed the placeholders: the client reads its own address again.
    assert answer.choices[0].message.content == sent.replace("<EMAIL_1>", EMAIL)


def test_restore_works_on_a_stream_with_placeholders_split_across_chunks(
    admin: httpx.Client, client: openai.OpenAI
) -> None:
    set_policy(admin, default_mode="restore")
    question = f"Please greet {EMAIL} warmly."
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        stream=True,
        extra_body=tagged(echo=True, chunk_size=3),  # `<EMAIL_1>` arrives in pieces
    ) as response:
        chunks = list(response.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == question


def test_policy_edits_take_effect_on_the_next_call(
    admin: httpx.Client, client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    def sent(text: str) -> tuple[str, httpx.Headers]:
        extra = tagged()
        raw = client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": text}], extra_body=extra
        )
        tag = extra["upstream_test"]["tag"]
        return upstream.by_tag(tag).body["messages"][0]["content"], raw.headers

    assert sent(f"to {EMAIL}")[0] == "to <EMAIL_DOMAIN:acme-corp.com>"
    set_policy(admin, default_mode="flag")
    text, headers = sent(f"to {EMAIL}")
    assert text == f"to {EMAIL}"
    assert headers["x-agentshield-pii-findings"] == "EMAIL=1"
    assert headers["x-agentshield-decision"] == "flag"
    set_policy(admin, context_aware=False)
    assert sent(f"to {EMAIL}")[0] == "to <EMAIL>"


def test_the_audit_entry_holds_hashes_never_values(
    gateway_db: RunningGateway, owner: Tenant, client: openai.OpenAI
) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"My card is {CARD}"}],
        extra_body=tagged(reply=f"Noted, I will write to {EMAIL}."),
    )
    trace = raw.headers["x-agentshield-trace-id"]
    assert raw.headers["x-agentshield-pii-findings"] == "CREDIT_CARD=1,EMAIL=1"
    gateway_db.flush()

    async def read(db: Database) -> list[Any]:
        async with db.read() as session:
            entries = await audit.list_entries(session, owner.id, limit=1000)
        return [e.data for e in entries if e.trace_id == trace]

    (data,) = gateway_db.call(read)
    findings = {f["kind"]: f for f in data["findings"] if f["guard"] == "pii"}
    assert findings["CREDIT_CARD"]["value_hash"] == hashlib.sha256(CARD.encode()).hexdigest()
    assert findings["EMAIL"]["value_hash"] == hashlib.sha256(EMAIL.encode()).hexdigest()
    assert data["decision"] == "redact"
    dumped = orjson.dumps(data).decode()
    assert CARD not in dumped and EMAIL not in dumped and "4111" not in dumped


def test_custom_rules_apply_to_the_callers_they_belong_to(
    gateway_db: RunningGateway,
    owner: Tenant,
    admin: httpx.Client,
    upstream: UpstreamServer,
) -> None:
    def created(response: httpx.Response) -> Any:
        assert response.status_code == 201, response.text
        return response.json()

    lab = created(admin.post("/v1/departments", json={"name": f"Lab {uuid.uuid4().hex[:6]}"}))
    member, opted_out = (
        created(admin.post("/v1/users", json={"email": f"{n}@t.test", "department_id": lab["id"]}))
        for n in ("member", "optout")
    )

    def pattern(name: str, regex: str, example: str, **scope: Any) -> None:
        body = {"name": name, "pattern": regex, "entity_type": "INTERNAL_ID", "examples": [example]}
        created(admin.post("/v1/pii/patterns", json=body | scope))

    pattern("employee", r"\bEMP-\d{6}\b", "EMP-123456")
    pattern("project", r"\bPRJ-\d{4}\b", "PRJ-1234", scope="department", scope_id=lab["id"])
    disabled = {"scope": "user", "scope_id": opted_out["id"]}
    body = {"name": "employee", "pattern": r"\bEMP-\d{6}\b", "enabled": False, **disabled}
    created(admin.post("/v1/pii/patterns", json=body))

    def sent_by(user_id: uuid.UUID | str | None) -> str:
        key = owner.gateway_key
        if user_id is not None:
            issued = admin.post(
                "/v1/keys", json={"name": "k", "scopes": ["gateway"], "user_id": str(user_id)}
            )
            key = created(issued)["secret"]
        extra = tagged()
        with make_client(gateway_db, key) as client:
            client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "EMP-123456 works on PRJ-1234"}],
                extra_body=extra,
            )
        return upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"][0]["content"]

    assert sent_by(None) == "<INTERNAL_ID> works on PRJ-1234"  # the owner: no department
    assert sent_by(member["id"]) == "<INTERNAL_ID> works on <INTERNAL_ID>"
    assert sent_by(opted_out["id"]) == "EMP-123456 works on <INTERNAL_ID>"
