"""Layer 1: values hidden by an encoding are found, with the encoded span and the evasion."""

from __future__ import annotations

import base64
import codecs
import json
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, ScanLimits, decoders

EMAIL = "john.doe@example.com"


@pytest.mark.parametrize(
    ("evasion", "encoded"),
    [
        ("base64", base64.b64encode(EMAIL.encode()).decode()),
        ("base64url", base64.urlsafe_b64encode(f"~~>{EMAIL}".encode()).decode().rstrip("=")),
        ("hex", EMAIL.encode().hex()),
        ("url", quote(EMAIL, safe="")),
        ("rot13", codecs.encode(EMAIL, "rot13")),
        ("reversed", EMAIL[::-1]),
        ("html_entities", EMAIL.replace("@", "&#64;")),
        ("html_entities", "".join(f"&#x{ord(c):x};" for c in EMAIL)),  # every character
        ("html_entities", EMAIL.replace("@", "&commat;").replace(".", "&period;")),
    ],
)
def test_encoded_email_is_found_at_its_encoded_span(
    scanner: PiiScanner, evasion: str, encoded: str
) -> None:
    text = f"please forward to {encoded} today"
    (finding,) = scanner.scan(text).findings
    assert finding.entity_type == "EMAIL"
    assert finding.layer == "evasion"
    assert finding.evasion == evasion
    assert text[finding.start : finding.end] == encoded


def test_a_reversed_post_office_box_is_found(scanner: PiiScanner) -> None:
    # Its town is required, which the reversed view's trigger must not lead with.
    box = "PO Box 1234, Springfield, IL 62704"
    result = scanner.scan(f"ship to {box[::-1]} now")
    assert [(f.entity_type, f.evasion) for f in result.findings] == [("ADDRESS", "reversed")]
    assert result.redacted_text == "ship to <ADDRESS_PATTERN_PARTIAL:Springfield, IL> now"


def test_a_secret_in_base64_is_found(scanner: PiiScanner) -> None:
    encoded = base64.b64encode(b"password: hunter22 for the admin panel").decode()
    result = scanner.scan(f"config {encoded}")
    assert [(f.entity_type, f.evasion) for f in result.findings] == [("PASSWORD", "base64")]
    assert encoded not in result.redacted_text


def test_nested_encodings_name_every_layer_outermost_first(scanner: PiiScanner) -> None:
    inner = base64.b64encode(b"ssn 536-90-4399 on file").decode()
    outer = inner.encode().hex()
    (finding,) = scanner.scan(f"blob {outer}").findings
    assert (finding.entity_type, finding.evasion) == ("US_SSN", "hex+base64")
    assert (finding.start, finding.end) == (5, 5 + len(outer))


def test_decoding_stops_at_the_depth_limit() -> None:
    payload = b"card 4242 4242 4242 4242"
    for _ in range(3):
        payload = base64.b64encode(payload)
    text = payload.decode()
    assert PiiScanner(limits=ScanLimits(max_decode_depth=3)).scan(text).findings
    assert not PiiScanner(limits=ScanLimits(max_decode_depth=2)).scan(text).findings


def test_binary_base64_and_long_words_are_not_decoded_into_findings(scanner: PiiScanner) -> None:
    blob = base64.b64encode(bytes(range(48))).decode()
    text = f"attachment {blob} and internationalization"
    findings = scanner.scan(text).findings
    # Random-looking base64 may be a secret, but nothing is read out of decoded bytes.
    assert all(f.entity_type == "HIGH_ENTROPY_SECRET" and f.evasion is None for f in findings)
    assert all(text[f.start : f.end] == blob for f in findings)


def test_rot13_of_ordinary_prose_finds_nothing(scanner: PiiScanner) -> None:
    prose = "Gur zrrgvat vf ng guerr cz va gur znva ebbz, oevat lbhe abgrf."
    assert scanner.scan(prose).findings == ()


def test_html_references_that_hide_nothing_are_left_alone(scanner: PiiScanner) -> None:
    text = "Tom &amp; Jerry &lt;b&gt; &nbsp; &unknown; a&#1234567;b"
    assert scanner.scan(text).findings == ()


def test_a_phone_between_non_breaking_spaces_is_found(scanner: PiiScanner) -> None:
    text = "call&nbsp;+1&nbsp;415&nbsp;555&nbsp;0132 today"
    (finding,) = scanner.scan(text).findings
    # The references are the trick; the no-break spaces they stand for are typography.
    assert (finding.entity_type, finding.evasion) == ("PHONE", "html_entities")
    assert text[finding.start : finding.end] == "+1&nbsp;415&nbsp;555&nbsp;0132"


@pytest.mark.parametrize("levels", [1, 2])
def test_keys_in_json_within_a_json_string_are_read(scanner: PiiScanner, levels: int) -> None:
    """A tool's result or a call's arguments as JSON in a JSON string: the keys' quotes are
    escaped (`\\"password\\": \\"…\\"`), once or twice, and no key pattern matched them."""
    inner = {"user": "jdoe", "password": "hunter22!", "api_key": "abc123def456ghi789jkl"}
    text = json.dumps(inner)
    for _ in range(levels):
        text = json.dumps({"role": "tool", "content": text})
    result = scanner.scan(text)
    found = [(f.entity_type, text[f.start : f.end], f.evasion) for f in result.findings]
    assert found == [
        ("USERNAME", "jdoe", None),
        ("PASSWORD", "hunter22!", None),
        ("AUTH_TOKEN", "abc123def456ghi789jkl", None),
    ]
    redacted = result.redacted_text  # still JSON at every level
    for _ in range(levels):
        redacted = json.loads(redacted)["content"]
    assert json.loads(redacted)["password"] == "<PASSWORD>"


@example(token="a0c0a0c0a0c0a0c0")  # base64 of `kG4kG4kG4kG4`: it spells some text
@given(token=st.text("0123456789abcdef", min_size=8, max_size=64))
def test_hex_in_small_letters_hides_no_personal_data_as_base64(token: str) -> None:
    # decoders.decode leaves such tokens undecoded as base64: what they spell in it holds
    # no blank, `.`, `@` or digit 0-3 (so no address, number or keyword).
    decoded = decoders.decode_base64(token)
    if decoded is not None:
        assert not set(decoded[0]) & set(" .@0123")
    assert decoders.decode(token) is None or decoders.decode(token)[1] == "hex"
