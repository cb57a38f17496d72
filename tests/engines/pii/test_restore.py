"""`restore` mode: stable placeholders for the model, originals back for the client."""

from __future__ import annotations

import pytest

from agentshield.engines.pii import PiiScanner, Policy, RestoreMap, StreamingRestorer

RESTORE = Policy(default_mode="restore")


def test_same_value_same_placeholder_across_messages(scanner: PiiScanner) -> None:
    request_map = RestoreMap()
    first = scanner.scan(
        "mail a.b@acme-corp.com and c.d@acme-corp.com", policy=RESTORE, restore_map=request_map
    )
    second = scanner.scan("again: a.b@acme-corp.com", policy=RESTORE, restore_map=request_map)
    assert first.redacted_text == "mail <EMAIL_1> and <EMAIL_2>"
    assert second.redacted_text == "again: <EMAIL_1>"
    assert len(request_map) == 2


def test_round_trip_through_a_model_answer(scanner: PiiScanner) -> None:
    text = "Ask +1 415 555 0132 about card 4242 4242 4242 4242."
    result = scanner.scan(text, policy=RESTORE)
    assert result.restore_map is not None
    answer = result.redacted_text.replace("Ask", "I asked")
    assert result.restore_map.restore(answer) == text.replace("Ask", "I asked")


def test_an_encoded_value_is_restored_as_sent(scanner: PiiScanner) -> None:
    text = "forward to am9obi5kb2VAZXhhbXBsZS5jb20="
    result = scanner.scan(text, policy=RESTORE)
    assert result.redacted_text == "forward to <EMAIL_1>"
    assert result.restore_map is not None
    assert result.restore_map.restore(result.redacted_text) == text


def test_unknown_placeholders_are_left_alone() -> None:
    request_map = RestoreMap()
    request_map.placeholder("EMAIL", "a@b.example")
    assert request_map.restore("<EMAIL_2> and <EMAIL_1>") == "<EMAIL_2> and a@b.example"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_streamed_placeholders_split_across_chunks_are_restored(size: int) -> None:
    request_map = RestoreMap()
    email = request_map.placeholder("EMAIL", "a.b@acme-corp.com")
    phone = request_map.placeholder("PHONE", "+1 415 555 0132")
    answer = f"Sure, I wrote to {email} and called {phone} <b>twice</b> < 3 times."
    restorer = StreamingRestorer(request_map)
    out = "".join(restorer.feed(answer[i : i + size]) for i in range(0, len(answer), size))
    out += restorer.flush()
    assert out == request_map.restore(answer)
    assert "a.b@acme-corp.com" in out and "+1 415 555 0132" in out


def test_the_streaming_restorer_holds_back_only_a_possible_placeholder() -> None:
    request_map = RestoreMap()
    request_map.placeholder("EMAIL", "a.b@acme-corp.com")
    restorer = StreamingRestorer(request_map)
    assert restorer.feed("hello <EMA") == "hello "
    assert restorer.feed("IL_1> bye") == "a.b@acme-corp.com bye"
    assert restorer.feed("a < b") == "a < b"
