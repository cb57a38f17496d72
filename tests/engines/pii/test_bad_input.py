"""Hostile input finishes with a result or a clear error, never a hang or a crash."""

from __future__ import annotations

import base64

import pytest

from agentshield.engines.pii import (
    BatchTooLarge,
    InvalidText,
    PiiScanner,
    ScanLimits,
    TextTooLarge,
    TooManyCandidates,
    detector,
    scan_batch,
)
from agentshield.engines.pii.detector import Budget


def test_ten_megabytes_are_refused_up_front(scanner: PiiScanner) -> None:
    with pytest.raises(TextTooLarge) as refused:
        scanner.scan("a" * 10_000_000)
    assert refused.value.status == 413
    with pytest.raises(TextTooLarge):
        scanner.scan(b"a" * 10_000_000)


def test_a_large_text_within_the_limit_is_scanned(scanner: PiiScanner) -> None:
    chunk = "Meeting notes: ship the build on Friday, budget is $1,200. " * 30
    text = (chunk + "mail jane.roe@acme-corp.com. ") * 100  # ~180 KB
    result = scanner.scan(text)
    assert len(result.findings) == 100
    assert "jane.roe" not in result.redacted_text


@pytest.mark.parametrize(
    "text",
    [
        "a" * 300_000,  # one endless word
        "@" * 100_000 + "a.b" * 10_000,
        "%4" * 100_000,
        "1 " * 100_000,  # single characters between spaces
        "-----BEGIN RSA PRIVATE KEY-----" + "A" * 200_000,
        "\u200b" * 100_000 + "x",
        "\uff4a" * 100_000,
    ],
)
def test_adversarial_shapes_finish(scanner: PiiScanner, text: str) -> None:
    scanner.scan(text)


def test_deeply_nested_encodings_finish_at_the_depth_limit(scanner: PiiScanner) -> None:
    payload = b"ssn 536-90-4399"
    for _ in range(12):
        payload = base64.b64encode(payload)
    assert scanner.scan(payload.decode()).findings == ()


def test_invalid_utf8_is_replaced_by_default(scanner: PiiScanner) -> None:
    result = scanner.scan(b"mail jane.roe@acme-corp.com \xff\xfe end")
    assert [f.entity_type for f in result.findings] == ["EMAIL"]
    assert result.redacted_text.endswith("\ufffd\ufffd end")


def test_invalid_utf8_can_be_refused() -> None:
    strict = PiiScanner(limits=ScanLimits(invalid_utf8="refuse"))
    with pytest.raises(InvalidText, match="byte 5") as refused:
        strict.scan(b"hello\xff")
    assert refused.value.status == 422


def test_lone_surrogates_keep_offsets(scanner: PiiScanner) -> None:
    text = "\ud800 mail jane.roe@acme-corp.com"
    (finding,) = scanner.scan(text).findings
    assert text[finding.start : finding.end] == "jane.roe@acme-corp.com"


def test_too_many_candidates_is_a_clear_error() -> None:
    small = PiiScanner(limits=ScanLimits(max_candidates=1_000))
    with pytest.raises(TooManyCandidates) as refused:
        small.scan("call 415 555 0132 " * 2_000)
    assert refused.value.status == 413


def test_batches_are_bounded() -> None:
    with pytest.raises(BatchTooLarge):
        scan_batch(["x"] * 1_001)


@pytest.mark.parametrize("which", sorted(set(range(len(detector._SENTINELS))) - {detector._INSIDE}))
def test_a_set_that_gives_up_fails_closed(which: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Set whose DFA runs out of memory answers "no match" for everything, its sentinel
    # included: one that never matches stands for it.
    _give_up(which, monkeypatch)
    scanner = PiiScanner()
    # Every pattern runs: a bare nine-digit number, which needs context words the Sets
    # did not see, is examined (and refused) rather than skipped. (The `_` runs the Set
    # of context words after one, the key `orderNo:`'s hump the Set of those after a hump.)
    examined = scanner._detector.run("order_no 123456789 orderNo: 1", budget := Budget(100), 0.5)
    assert examined == ([], {}) and budget.left < 100
    result = scanner.scan("mail jane.roe@acme-corp.com, ssn 536-90-4399, password: hunter2hunter2")
    assert [f.entity_type for f in result.findings] == ["EMAIL", "US_SSN", "PASSWORD"]


def test_with_the_sets_working_a_number_without_context_is_not_examined() -> None:
    # The counterpart of the test above: the Sets saw no context words, so the patterns
    # that need them do not run.
    for text in ("order 123456789", "order_no 123456789"):
        budget = Budget(100)
        assert PiiScanner()._detector.run(text, budget, 0.5) == ([], {})
        assert budget.left == 100


def test_a_set_that_did_not_run_is_not_one_that_gave_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Set of context words after `_` runs only on text holding one: on other text its
    # missing sentinel is no failure, and the patterns needing context still do not run.
    _give_up(2, monkeypatch)
    budget = Budget(100)
    assert PiiScanner()._detector.run("order 123456789", budget, 0.5) == ([], {})
    assert budget.left == 100


def test_the_set_inside_encoded_runs_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The patterns searched only inside the encoded trigger's runs are in a Set run on each
    # run. Here it finds none of them and gives up: every one of them then runs there.
    _give_up(detector._INSIDE, monkeypatch)
    monkeypatch.setattr(
        detector._Sets, "add_inside", lambda sets, regex: sets._add({detector._INSIDE: r"\z."})
    )
    text = "key AKIAIOSFODNN7EXAMPLE, pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    result = PiiScanner().scan(text + " or " + text[::-1])
    kinds = [(f.entity_type, f.evasion) for f in result.findings]
    assert kinds == [
        ("AWS_KEY", None),
        ("BITCOIN_ADDRESS", None),
        ("BITCOIN_ADDRESS", "reversed"),
        ("AWS_KEY", "reversed"),
    ]


def _give_up(which: int, monkeypatch: pytest.MonkeyPatch) -> None:
    sentinels = list(detector._SENTINELS)
    sentinels[which] = detector._NOTHING
    monkeypatch.setattr(detector, "_SENTINELS", tuple(sentinels))
