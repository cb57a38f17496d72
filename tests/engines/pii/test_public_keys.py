"""Public key material (public_keys.py): a certificate's or a public key's base64 is no
secret, and a secret in a certificate's armour still is."""

from __future__ import annotations

import json

import pytest

from agentshield.engines.pii import PiiScanner, StreamingRedactor
from agentshield.engines.pii.public_keys import public_spans

from .conftest import Found, streamed

# Made for these tests (`openssl req -x509 -newkey ec`, `ssh-keygen -t ed25519`,
# `gpg --quick-gen-key … ed25519`).
CERTIFICATE = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBizCCATGgAwIBAgIUCx5IpjCZnYYGHUzNufdlg0TBaiowCgYIKoZIzj0EAwIw\n"
    "GzEZMBcGA1UEAwwQYWdlbnRzaGllbGQgdGVzdDAeFw0yNjEyMDcwMzEwMjFaFw0z\n"
    "NjEyMDQwMzEwMjFaMBsxGTAXBgNVBAMMEGFnZW50c2hpZWxkIHRlc3QwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAAQJ1Sou4hzOHRR3H7IPqroxdj/RqlJzxZOl6VSl\n"
    "VFbL4eq1PHIyXzUrxQj5GAzD/CvK3FhQIoCNJiyt2wZLTd98o1MwUTAdBgNVHQ4E\n"
    "FgQU+/+fJcow2aPWMhf0DTdMf1tXwlYwHwYDVR0jBBgwFoAU+/+fJcow2aPWMhf0\n"
    "DTdMf1tXwlYwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBEMsig\n"
    "uHA4gNPu2Po1sphnBAx7O0r9v/HBZF90/PrMAgIhAPVTlMswRp4ZWwhhqFaNbI/H\n"
    "jqGxsxvmqE7Qa668okbd\n"
    "-----END CERTIFICATE-----"
)
PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECdUqLuIczh0Udx+yD6q6MXY/0apS\n"
    "c8WTpelUpVRWy+HqtTxyMl81K8UI+RgMw/wrytxYUCKAjSYsrdsGS03ffA==\n"
    "-----END PUBLIC KEY-----"
)
PGP_KEY = (
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"
    "\n"
    "mDMEaxYmYRYJKwYBBAHaRw8BAQdAw361ohnM9/fBh6onxFtvcUux8NOzVpHHVbtA\n"
    "JhXBI/m0K0FnZW50U2hpZWxkIFRlc3QgPHRlc3RAYWdlbnRzaGllbGQuaW52YWxp\n"
    "ZD6IkAQTFggAOBYhBJ1Qjg7ZyoEeXWNbW7bI51ZWyLtPBQJrFiZhAhsDBQsJCAcC\n"
    "BhUKCQgLAgQWAgMBAh4BAheAAAoJELbI51ZWyLtP2n0A/j+GQvj+6DIocgNNvCKS\n"
    "CS2Mh4eSWCt7R0J+tsLePkIcAQCcV1f7+b0ecLmL32aLhAZRQAWd2HIz6BHvWnTZ\n"
    "LS4XAQ==\n"
    "=YQV9\n"
    "-----END PGP PUBLIC KEY BLOCK-----"
)
SSH_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOKlWyB0Zc0LPyjeo9cvXUWPzkaW8GvjLLM+yJW88h+r ci@build"
)


def _body(armoured: str) -> str:
    """The base64 lines of a PEM block."""
    return "\n".join(armoured.splitlines()[1:-1])


SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01"
SECRET_ROWS = [  # each finds SECRET
    # A secret in a certificate's armour: its base64 is no DER structure.
    f"-----BEGIN CERTIFICATE-----\n{SECRET}\n-----END CERTIFICATE-----",
    # A real certificate with a line more: no longer the length it declares.
    CERTIFICATE.replace("\n-----END", f"\n{SECRET}\n-----END"),
    # After a certificate, or in an SSH key's place with no blob of that algorithm.
    f"{CERTIFICATE}\ntoken {SECRET}",
    f"ssh-ed25519 {SECRET} ci@build",
    # A key's blob with more after it: its fields no longer make up the whole.
    f"ssh-ed25519 {SSH_KEY.split()[1]}{SECRET} ci@build",
    # An OpenPGP key with a line more: its checksum no longer holds.
    PGP_KEY.replace("\n=", f"\n{SECRET}\n="),
    f"<ds:X509Certificate>{SECRET}</ds:X509Certificate>",  # no DER
]


@pytest.mark.parametrize(
    "text",
    [
        CERTIFICATE,
        f"Here is the server's certificate:\n{CERTIFICATE}\nand its key:\n{PUBLIC_KEY}\n",
        CERTIFICATE.replace("\n", "\r\n"),
        "\n".join(CERTIFICATE.splitlines()[:6]),  # cut short: a truncated tool result
        f"echo '{SSH_KEY}' >> ~/.ssh/authorized_keys",
        f"{CERTIFICATE}\n{CERTIFICATE}",  # a chain
        f"gpg --import <<EOF\n{PGP_KEY}\nEOF",
        json.dumps({"certificate": CERTIFICATE + "\n"}),  # its line breaks escaped
        PGP_KEY[:200],
        # XML signatures' and SAML metadata's, with a namespace's prefix or none.
        f"<ds:X509Certificate>{_body(CERTIFICATE)}</ds:X509Certificate>",
        f"<KeyInfo><X509Data><X509Certificate>\n{_body(CERTIFICATE)}\n</X509Certificate>",
    ],
)
def test_public_key_material_is_no_secret(found: Found, text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("text", SECRET_ROWS)
def test_a_secret_in_public_armour_is_found(found: Found, text: str) -> None:
    assert any(kind == "HIGH_ENTROPY_SECRET" and SECRET in value for kind, value in found(text))


def test_an_encoded_value_in_a_certificate_is_read(scanner: PiiScanner) -> None:
    # base64 of `password: hunter22 for jdoe@example.com`: no DER, so no key material
    hidden = "cGFzc3dvcmQ6IGh1bnRlcjIyIGZvciBqZG9lQGV4YW1wbGUuY29t"
    text = f"-----BEGIN CERTIFICATE-----\n{hidden}\n-----END CERTIFICATE-----"
    assert public_spans(text) == []
    (finding,) = scanner.scan(text).findings
    assert (text[finding.start : finding.end], finding.evasion) == (hidden, "base64")


def test_the_spans_are_the_blocks_and_the_key_blobs() -> None:
    text = f"a\n{CERTIFICATE}\nb {SSH_KEY}"
    blob = SSH_KEY.split()[1]
    cert_at, blob_at = text.index(CERTIFICATE), text.index(blob)
    assert public_spans(text) == [
        (cert_at, cert_at + len(CERTIFICATE)),
        (blob_at, blob_at + len(blob)),
    ]


@pytest.mark.parametrize("max_hold", [2048, 256])  # a block longer than the held text, too
@pytest.mark.parametrize("sizes", [[1], [4], [7, 30], [200]])
def test_a_streamed_certificate_is_read_as_a_whole_one(
    scanner: PiiScanner, sizes: list[int], max_hold: int
) -> None:
    text = f"The certificate:\n{CERTIFICATE}\nand a secret after it: {SECRET}\n"
    redactor = StreamingRedactor(scanner, hold=64, step=32, max_hold=max_hold)
    redacted = streamed(redactor, text, sizes)
    assert redacted == scanner.scan(text).redacted_text
    assert CERTIFICATE in redacted and SECRET not in redacted
