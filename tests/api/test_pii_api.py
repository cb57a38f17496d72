"""The PII management API: scanning text, custom patterns, generating and trying them, and
the tenant's policy. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from support import RunningGateway, Tenant

Connect = Callable[..., httpx.Client]
PROBLEM_JSON = "application/problem+json"
EMAIL = "jane.doe@acme-corp.com"
CARD = "4111 1111 1111 1111"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if status != 204 else None


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    return response.json()


def test_scan_reports_offsets_into_the_text_and_redacts(
    api: RunningGateway, tenant: Tenant, connect: Connect
) -> None:
    text = f"Hi, I am {EMAIL} and my card is {CARD}."
    scanned = ok(connect(api, tenant.gateway_key).post("/v1/pii/scan", json={"text": text}))
    found = {f["entity_type"]: f for f in scanned["findings"]}
    assert set(found) == {"EMAIL", "CREDIT_CARD"}
    for entity, value in (("EMAIL", EMAIL), ("CREDIT_CARD", CARD)):
        finding = found[entity]
        assert text[finding["start"] : finding["end"]] == value
        assert {"score", "layer", "evasion"} <= set(finding)
    assert scanned["redacted_text"] == (
        "Hi, I am <EMAIL_DOMAIN:acme-corp.com> and my card is <CREDIT_CARD_LAST_4:1111>."
    )
    assert 0 < scanned["risk"]["exposure_index"] <= 100


def test_a_batch_answers_in_order_and_the_policy_applies(
    api: RunningGateway, admin: httpx.Client, tenant: Tenant, connect: Connect
) -> None:
    ok(admin.put("/v1/pii/policy", json={"modes": {"EMAIL": "flag"}}))
    texts = ["nothing here", f"mail {EMAIL}", f"card {CARD}"]
    results = ok(admin.post("/v1/pii/scan", json={"texts": texts}))["results"]
    assert [r["redacted_text"] for r in results] == [
        "nothing here",
        f"mail {EMAIL}",  # flagged, not redacted
        "card <CREDIT_CARD_LAST_4:1111>",
    ]
    assert [[f["start"] for f in r["findings"]] for r in results] == [[], [5], [5]]
    assert results[1]["findings"][0]["action"] == "flag"


def test_scan_limits_answer_413_and_bad_bodies_422(admin: httpx.Client) -> None:
    assert problem(admin.post("/v1/pii/scan", json={"text": "a" * 10_000_000}), 413)
    assert problem(admin.post("/v1/pii/scan", json={"texts": ["a"] * 1001}), 413)
    assert problem(admin.post("/v1/pii/scan", json={}), 422)
    assert problem(admin.post("/v1/pii/scan", json={"text": "a", "texts": ["b"]}), 422)


def test_scan_applies_the_callers_custom_rules(admin: httpx.Client) -> None:
    rule = {"name": "ticket", "pattern": r"\bTCK-\d{5}\b", "examples": ["TCK-12345"]}
    ok(admin.post("/v1/pii/patterns", json=rule), 201)
    scanned = ok(admin.post("/v1/pii/scan", json={"text": "see TCK-54321"}))
    assert scanned["redacted_text"] == "see <CUSTOM>"
    assert scanned["findings"][0]["layer"] == "custom"


def test_patterns_are_created_listed_changed_and_deleted(admin: httpx.Client) -> None:
    body = {
        "name": "employee",
        "pattern": r"\bEMP-\d{6}\b",
        "entity_type": "EMPLOYEE_ID",
        "examples": ["id EMP-123456"],
        "counter_examples": ["EMP-12"],
    }
    made = ok(admin.post("/v1/pii/patterns", json=body), 201)
    assert (made["scope"], made["entity_type"], made["enabled"]) == ("tenant", "EMPLOYEE_ID", True)
    assert [p["id"] for p in ok(admin.get("/v1/pii/patterns"))] == [made["id"]]
    assert problem(admin.post("/v1/pii/patterns", json=body), 409)

    changed = ok(admin.put(f"/v1/pii/patterns/{made['id']}", json={"score": 0.9}))
    assert changed["score"] == 0.9 and changed["pattern"] == body["pattern"]

    bad = problem(
        admin.put(f"/v1/pii/patterns/{made['id']}", json={"pattern": r"\bEMP-\d{2}\b"}), 422
    )
    assert bad["problems"] == [
        "does not match its example 'id EMP-123456'",
        "matches its counter-example 'EMP-12'",
    ]
    broken = problem(
        admin.post("/v1/pii/patterns", json=body | {"pattern": "(a", "name": "x"}), 422
    )
    assert any("does not compile" in p for p in broken["problems"])

    ok(admin.delete(f"/v1/pii/patterns/{made['id']}"), 204)
    assert ok(admin.get("/v1/pii/patterns")) == []
    assert problem(admin.delete(f"/v1/pii/patterns/{made['id']}"), 404)


def test_a_pattern_is_tried_against_examples(admin: httpx.Client) -> None:
    body = {
        "pattern": r"\d{3}-\d{3}",
        "examples": ["call 555-123 or 555-987", "nothing"],
        "counter_examples": ["12-34"],
    }
    tried = ok(admin.post("/v1/pii/patterns/test", json=body))
    assert tried["ok"] is False
    assert tried["problems"] == ["does not match its example 'nothing'"]
    assert tried["matches"][0] == {"text": body["examples"][0], "spans": [[5, 12], [16, 23]]}
    empty = ok(admin.post("/v1/pii/patterns/test", json={"pattern": r"\d*"}))
    assert empty["problems"] == ["pattern matches the empty string"]


def test_a_pattern_is_generated_from_examples(admin: httpx.Client) -> None:
    body = {"examples": ["EMP-123456", "EMP-654321"], "negative_examples": ["EMP-12"]}
    made = ok(admin.post("/v1/pii/patterns/generate", json=body))
    tried = ok(
        admin.post(
            "/v1/pii/patterns/test",
            json={
                "pattern": made["pattern"],
                "examples": body["examples"],
                "counter_examples": ["EMP-12"],
            },
        )
    )
    assert tried["ok"], tried
    assert made["source"] == "examples" and 0 < made["confidence"] <= 1
    assert made["should_match"] and made["should_not_match"]


def test_generation_from_a_description_needs_a_configured_model(admin: httpx.Client) -> None:
    refused = problem(
        admin.post("/v1/pii/patterns/generate", json={"description": "employee ids"}), 422
    )
    assert "pii_generator_model" in refused["detail"]


def test_the_policy_is_read_validated_and_replaced(admin: httpx.Client) -> None:
    assert ok(admin.get("/v1/pii/policy")) == {
        "default_mode": "redact",
        "modes": {},
        "min_score": 0.5,
        "context_aware": True,
    }
    bad = problem(
        admin.put("/v1/pii/policy", json={"modes": {"EMAIL": "restore", "SHOE_SIZE": "block"}}),
        422,
    )
    assert bad["problems"] == ["unknown entity type 'SHOE_SIZE'"]
    assert problem(admin.put("/v1/pii/policy", json={"default_mode": "shred"}), 422)

    rule = {
        "name": "shoe",
        "pattern": r"\bEU\d{2}\b",
        "entity_type": "SHOE_SIZE",
        "examples": ["EU42"],
    }
    ok(admin.post("/v1/pii/patterns", json=rule), 201)
    policy = {"default_mode": "flag", "modes": {"SHOE_SIZE": "block"}, "min_score": 0.7}
    assert ok(admin.put("/v1/pii/policy", json=policy)) == policy | {"context_aware": True}
    assert ok(admin.get("/v1/pii/policy"))["modes"] == {"SHOE_SIZE": "block"}


def test_policy_and_patterns_need_an_admin_key(
    api: RunningGateway, tenant: Tenant, connect: Connect
) -> None:
    gateway_key = connect(api, tenant.gateway_key)
    assert problem(gateway_key.get("/v1/pii/policy"), 403)
    assert problem(gateway_key.get("/v1/pii/patterns"), 403)
