"""Properties over arbitrary text: offsets in range and in order, redaction invariants."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, Policy, StreamingRedactor

from .conftest import CHUNK_SIZES, STEPS, streamed

VALUES = [
    "jane.roe@acme-corp.com",
    "+1 415 555 0132",
    "4242 4242 4242 4242",
    "536-90-4399",
    "AKIAIOSFODNN7EXAMPLE",
    "am9obi5kb2VAZXhhbXBsZS5jb20=",
    "j\u043ehn@example.com",
    "jane&#46;roe&#64;acme-corp&#x2e;com",
    "jane [at] acme-corp (dot) com",
]
# With "\n", ",", "|" and "\t" make tables; the rest pieces of references, spelled marks.
SEPARATORS = [" ", "\n", ": ", ",", "|", "\t", "&#64;", "&amp;", "&", ";", " at ", " dot "]
texts = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(VALUES), st.sampled_from(SEPARATORS)),
    max_size=12,
).map("".join)
PLAIN = Policy(context_aware=False)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
def test_offsets_are_in_range_ordered_and_disjoint(scanner: PiiScanner, text: str) -> None:
    findings = scanner.scan(text).findings
    previous_end = 0
    for f in findings:
        assert previous_end <= f.start < f.end <= len(text)
        previous_end = f.end


# Every key with every separator and every short tail after a value: what the recognizers'
# places and refusals read around a value (a pair's `/`, a key's quote, a stop).
KEYS = ["password", "passwd", "log in with", "sign in as", "creds:", "credentials are", "user:"]
KEYS += ["login", "ssh", "curl -u", "--password", "mysql -p", "secret_key=", "token", "ssn:"]
KEYS += ["the password for the box is", "the new password will be", "machine x login"]
MARKS = ["", " ", "/", " / ", ":", "=", '"', "'", "`", "@", "<"]
TAILS = ["", ")", ".", "...", "/", ":", "?", '"', "`", "\n", " x", ")."]


def test_keys_separators_and_tails_scan(scanner: PiiScanner) -> None:
    """A place or refusal reading past a value met nothing there: `log in with jdoe / )`
    raised IndexError."""
    for key, mark, tail in itertools.product(KEYS, MARKS, TAILS):
        for value in ("jdoe", "Xk9mP2qz"):
            text = f"{key} {value}{mark}{tail}"
            for f in scanner.scan(text).findings:
                assert 0 <= f.start < f.end <= len(text), text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
def test_redaction_replaces_exactly_the_findings(scanner: PiiScanner, text: str) -> None:
    result = scanner.scan(text, policy=PLAIN)
    rebuilt, pos = [], 0
    for f in result.findings:
        rebuilt += [text[pos : f.start], f"<{f.entity_type}>"]
        pos = f.end
    assert result.redacted_text == "".join(rebuilt) + text[pos:]
    for f in result.findings:
        value = text[f.start : f.end]
        outside = text[: f.start] + "\x00" + text[f.end :]
        if value not in outside:  # the same characters elsewhere are not this value
            assert value not in result.redacted_text


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
def test_restore_gives_back_the_original(scanner: PiiScanner, text: str) -> None:
    result = scanner.scan(text, policy=Policy(default_mode="restore"))
    restored = (
        result.restore_map.restore(result.redacted_text)
        if result.restore_map
        else result.redacted_text
    )
    assert restored == text or "<" in text  # a text may already hold a placeholder-like token


WORDY = st.lists(
    st.one_of(
        st.builds(  # a value, maybe with a stop or comma right after it
            str.__add__,
            st.sampled_from([*VALUES, "j o h n @ e x a m p l e . c o m", "call 415 555 0132"]),
            st.sampled_from(["", ".", ","]),
        ),
        st.just("a b"),
        st.sampled_from(["the", "quick", "fox", "x", "and", "password:", "hunter22"]),
    ),
    min_size=1,
    max_size=30,
).map(" ".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=WORDY,
    sizes=CHUNK_SIZES,
    hold=st.sampled_from([32, 64]),
    step=STEPS,
)
def test_streaming_redacts_like_a_whole_scan(
    scanner: PiiScanner, text: str, sizes: list[int], hold: int, step: int
) -> None:
    redactor = StreamingRedactor(scanner, hold=hold, step=step)
    assert streamed(redactor, text, sizes) == scanner.scan(text).redacted_text
