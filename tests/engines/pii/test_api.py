"""The top-level API the gateway guard and the routes call."""

from __future__ import annotations

from agentshield.engines.pii import RestoreMap, scan, scan_batch


def test_scan_answers_in_the_shape_of_the_route() -> None:
    text = "mail jane.roe@acme-corp.com or call +1 415 555 0132"
    body = scan(text).as_dict()
    assert set(body) == {"findings", "redacted_text", "risk"}
    first = body["findings"][0]
    assert {"entity_type", "start", "end", "score", "layer", "evasion"} <= set(first)
    assert text[first["start"] : first["end"]] == "jane.roe@acme-corp.com"
    assert set(body["risk"]) == {
        "exposure_index",
        "gdpr_liability_eur",
        "compliance_level",
        "distinct_values",
    }


def test_counts_feed_the_findings_header() -> None:
    result = scan("a.b@acme-corp.com c.d@acme-corp.com +1 415 555 0132")
    assert result.counts() == {"EMAIL": 2, "PHONE": 1}


def test_batch_results_are_in_order_and_share_a_restore_map() -> None:
    from agentshield.engines.pii import Policy

    request_map = RestoreMap()
    results = scan_batch(
        ["nothing here", "mail a.b@acme-corp.com", "again a.b@acme-corp.com"],
        policy=Policy(default_mode="restore"),
        restore_map=request_map,
    )
    assert [r.redacted_text for r in results] == [
        "nothing here",
        "mail <EMAIL_1>",
        "again <EMAIL_1>",
    ]


def test_findings_become_gateway_findings_without_values() -> None:
    (finding,) = scan("password: hunter22").findings
    gateway = finding.as_finding()
    assert (gateway.guard, gateway.kind, gateway.value_hash) == (
        "pii",
        "PASSWORD",
        finding.value_hash,
    )
    assert gateway.data == {"layer": "fast_path", "evasion": None, "action": "redact"}


def test_a_batch_scans_each_text_as_if_alone() -> None:
    texts = [
        "call me, or better",  # a phone word at the very end of one text...
        "4155550132 is the desk",  # ...does not reach the bare number starting the next
        "key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "mail jane.roe@acme-corp.com",
        "",
    ]
    batched = scan_batch(texts)
    assert [r.as_dict() for r in batched] == [scan(t).as_dict() for t in texts]
    assert [r.counts() for r in batched] == [{}, {}, {"PRIVATE_KEY": 1}, {"EMAIL": 1}, {}]


def test_a_batch_of_long_and_short_texts_scans_each_as_if_alone() -> None:
    long = "notes " * 150 + "call me on (415) 555-0132 or mail jane.roe@acme-corp.com"
    texts = ["ok", long, "mail jane.roe@acme-corp.com", long, "tel 06 12 34 56 78", "thanks"]
    batched = scan_batch(texts)
    assert [r.as_dict() for r in batched] == [scan(t).as_dict() for t in texts]
    assert [r.counts() for r in batched][:3] == [{}, {"EMAIL": 1, "PHONE": 1}, {"EMAIL": 1}]
