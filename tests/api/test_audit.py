"""The audit log through the management API: actions are recorded, pages, and tampering."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import text, update

from agentshield.store.db import Database
from agentshield.store.migrate import MIGRATIONS
from agentshield.store.models import AuditEntry
from support import RunningGateway, Tenant, new_tenant

Connect = Callable[..., httpx.Client]


def entries(admin: httpx.Client) -> list[dict]:
    response = admin.get("/v1/audit", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def act(admin: httpx.Client) -> str:
    """Three audited actions; returns the secret of the key issued on the way."""
    admin.post("/v1/departments", json={"name": f"D {uuid.uuid4().hex[:6]}"}).raise_for_status()
    key = admin.post("/v1/keys", json={"name": "ci", "scopes": ["gateway"]})
    admin.post(f"/v1/keys/{key.json()['id']}/revoke").raise_for_status()
    return key.json()["secret"]


def test_management_actions_are_audited_by_key_prefix_without_secrets(
    admin: httpx.Client, tenant: Tenant
) -> None:
    secret = act(admin)
    log = entries(admin)
    assert [e["event_type"] for e in log] == ["department.created", "key.created", "key.revoked"]
    assert [e["seq"] for e in log] == [1, 2, 3]
    assert {e["actor"] for e in log} == {tenant.admin_key[: len("ask_live_") + 8]}
    assert log[1]["data"]["prefix"] == secret[: len("ask_live_") + 8]
    text_of_log = admin.get("/v1/audit").text
    assert secret not in text_of_log and tenant.admin_key not in text_of_log


def test_a_refused_action_is_not_audited(admin: httpx.Client) -> None:
    admin.post("/v1/departments", json={"name": "Once"}).raise_for_status()
    assert admin.post("/v1/departments", json={"name": "Once"}).status_code == 409
    assert [e["event_type"] for e in entries(admin)] == ["department.created"]


def test_entries_come_in_pages(admin: httpx.Client) -> None:
    act(admin)
    act(admin)
    seen: list[dict] = []
    after = 0
    while after is not None:
        page = admin.get("/v1/audit", params={"limit": 4, "after_seq": after}).json()
        assert len(page["entries"]) <= 4
        seen += page["entries"]
        after = page["next_after_seq"]
    assert seen == entries(admin) and len(seen) == 6


def _foundation_migration() -> object:
    spec = importlib.util.spec_from_file_location(
        "foundation", MIGRATIONS / "versions" / "0001_foundation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tamper(gw: RunningGateway, tenant_id: uuid.UUID, seq: int) -> None:
    """Rewrite one entry behind the log's back, the append-only triggers briefly off."""

    async def rewrite(db: Database) -> None:
        edit = (
            update(AuditEntry)
            .where(AuditEntry.tenant_id == tenant_id, AuditEntry.seq == seq)
            .values(data={"name": "forged"})
        )
        async with db.engine.begin() as conn:
            if db.dialect == "sqlite":
                await conn.execute(text("DROP TRIGGER audit_log_no_update"))
                await conn.execute(text("DROP TRIGGER audit_log_no_delete"))
                await conn.execute(edit)
                for statement in _foundation_migration().APPEND_ONLY_SQLITE:  # type: ignore[attr-defined]
                    await conn.execute(text(statement))
            else:
                await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
                await conn.execute(edit)
                await conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))

    gw.call(rewrite)


def test_verify_is_ok_until_an_entry_is_edited_then_names_its_seq(
    api: RunningGateway, admin: httpx.Client, tenant: Tenant, connect: Connect
) -> None:
    act(admin)
    assert admin.get("/v1/audit/verify").json() == {"ok": True, "checked": 3, "problems": []}
    bystander = new_tenant(api)
    bystander_admin = connect(api, bystander.admin_key)
    act(bystander_admin)

    tamper(api, tenant.id, seq=2)

    report = admin.get("/v1/audit/verify").json()
    assert report["ok"] is False
    assert {p["seq"] for p in report["problems"]} == {2}
    assert all(p["kind"] and p["message"] for p in report["problems"])
    assert bystander_admin.get("/v1/audit/verify").json()["ok"] is True
