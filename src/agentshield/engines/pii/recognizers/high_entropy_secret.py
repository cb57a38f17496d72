"""HIGH_ENTROPY_SECRET: a long random-looking string, measured by Shannon entropy.

Base64-like strings count at 4.5 bits per character or more, hex at 3.0 or more. Hex is
everywhere (commit ids, checksums), so it needs a secret-ish word nearby; so does base64-like
text that does not mix upper case, lower case and digits. Base64 that decodes to readable
text is left to the evasion layer, which scans what it says.
"""

from __future__ import annotations

import re
import string

from agentshield.engines.pii.decoders import ENCODED, decode_base64
from agentshield.engines.pii.entropy import shannon
from agentshield.engines.pii.layers import ENTROPY
from agentshield.engines.pii.lexicon import words
from agentshield.engines.pii.public_keys import PublicKeys
from agentshield.engines.pii.recognizer import Pattern, Recognizer

BASE64_BITS = 4.5
HEX_BITS = 3.0
MIN_BASE64 = 20
_HEX = frozenset(string.hexdigits)
_NOT_HEX = "[G-Zg-z+/_-]"  # a character of base64 (or base64url) that hex has not
# What names a value no secret, right before it (one search: `refused` runs for every
# value that passes the checks, on every pass): a hash's own key, opening its name (`sha=…`,
# `"md5": "…"`, `digest: …`; after `_` it names what was hashed, and `password_sha256: …`
# stays a secret); a commit's id or a checksum (`commit 9f86d08…` in `git log`); a content
# digest's algorithm glued to it (an image's `sha256:9f86d08…`); a commit's id in a
# repository's URL (`github.com/nodejs/node/commit/87d5e5b…`, `/blob/97689324…/keyring`).
_HASHES = ("sha", "sha1", "sha224", "sha256", "sha384", "sha512", "md5")
_HASH_KEYS = (*_HASHES, "digest", "hash")
_LABELS = ("commit", "checksum", "etag")
_NAMED = re.compile(
    rf"""(?:(?:^|[\s"'{{,;(])(?:{"|".join(_HASH_KEYS)})["']?[ \t]*[:=][ \t]*["']?"""
    rf"""|\b(?:{"|".join(_LABELS)})["']?[ \t:=]+["']?|(?:{"|".join(_HASHES)})[:-]"""
    r"|/(?:commits?|blob|tree)/)\Z"
)
# Every word of `_NAMED` holds one of these: whether one is in the window, first (one
# search of literals; `_NAMED`, ending in `\Z`, is tried at every place of the window).
_STEMS = re.compile("|".join(("sha", "md5", "digest", "hash", "blob", "tree", *_LABELS)))


_SRI = re.compile(r"sha(?:1|256|384|512)-")  # a package lock's digest (`"integrity": "sha512-…"`)
# A path or a name made of words (`mozilla/Trustwave_Global_ECC_P384_Certification_…`):
# its many kinds of letter make it "random", but a secret's pieces are not words.
_PIECE = r"(?:[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+)"
_WORDED = re.compile(rf"{_PIECE}(?:[/_-]+{_PIECE}){{3,}}")
# A name whose humps are words (`V1CustomerSubscriptionDefaultPaymentMethodChangedEvent`,
# `NFCISO15693ReadMultipleBlocksConfiguration`): words of the lexicon cover half of it or
# more, where they cover at most 35% of random base64 (80,000 strings of 20-64 characters).
# Such a name has six small letters in a row (`ustomer`), which nine in ten random values
# of 40 characters have not: looked for first, it spares them the look-ups.
_HUMP = re.compile(r"[A-Z]?[a-z]{2,}")
_LONG_HUMP = re.compile(r"[a-z]{6}")
# A name of code in three pieces or more joined by `_` (OpenSSL's
# `OSSL_CRMF_MSG_set1_regCtrl_pkiPublicationInfo`, `DER_OID_SZ_sha512_256WithRSAEncryption`):
# one piece of ten characters or more whose humps are words, and all but one of the others
# such pieces or short ones (`OSSL`, `set1`, `Key`). Of random base64url strings holding two
# `_` or more, 9 in 57,752 passed with pieces of six, 1 in 57,669 with eight, 2 in 173,254
# with ten (2 of the 1,080,000 random strings drawn, of 20-86 characters).
_CODE_NAME = re.compile(r"[A-Za-z0-9]+(?:_+[A-Za-z0-9]+){2,}")
_SHORT_PIECE = re.compile(r"[A-Z0-9]{1,6}|[a-z0-9]{1,6}|[A-Z][a-z]{1,5}")
# A URL's path from its host's last dot (`https://www.researchgate.net/profile/John-…`):
# a top-level domain opens it, where no token starts.
_DOMAIN_PATH = re.compile(r"[a-z]{2,24}/")
# The Itanium C++ ABI's mangled names, which linkers and debuggers print.
_MANGLED = re.compile(r"_Z(?:[NLSTIK]|[0-9]+[A-Za-z_])")
# A macro's name (`#define xmlSecOpenSSLTransformGost2001GostR3411_94Id`), or a function's
# or an array's, a bracket right after it (`…GetKlass()`, `…CertCRLTemplate_OLD[]`).
_MACRO = re.compile(r"#[ \t]*define[ \t]+\Z")
_CALLED = re.compile(r"[A-Za-z_]\w*[(\[]")


class HighEntropySecretRecognizer(Recognizer):
    entity_type = "HIGH_ENTROPY_SECRET"
    patterns = (
        # The evasion layer's trigger too, so one pass serves both.
        # Most of its matches are numbers (a card's) or hex (a hash's), which `assess`
        # refuses: the screen refuses them before a call into Python (new text: 1,100 of
        # 1,245 calls a pass).
        Pattern("base64-like", ENCODED, 0.35, screen=_NOT_HEX),
        Pattern("hex", r"\b[0-9A-Fa-f]{32,}\b", 0.35),
        # An Ethereum private key is written with its `0x` (`PRIVATE_KEY=0x4c08…`).
        Pattern("0x hex", r"\b0x(?P<value>[0-9A-Fa-f]{32,})\b", 0.35),
    )
    context = ("secret", "token", "key", "password", "passwd", "api", "auth", "credential")
    context += ("private", "signature", "bearer", "access", "salt", "clave", "geheim")
    # Keys in camel case, whose words are glued (`"privateKey": "0x4c08…"`, `clientSecret:`).
    context += ("privatekey", "clientsecret")
    context_boost = 0.4
    layer = ENTROPY
    letter_sensitive = False

    def __init__(self) -> None:
        super().__init__()
        self._public = PublicKeys()

    def refused(self, text: str, start: int) -> bool:
        # Asked only of a value that passed the checks and reached the score: most texts
        # never ask.
        before = text[max(0, start - 16) : start].lower()
        if _MACRO.search(before) or _CALLED.match(text, start):
            return True  # a name of C's code (`#define TLSEXT_ECPOINTFORMAT_ansiX962_…`)
        named = _STEMS.search(before) is not None and _NAMED.search(before) is not None
        return named or self._public.holds(text, start)

    def ceiling(self, pattern: Pattern) -> float:
        return 0.6 if pattern.name == "base64-like" else pattern.score

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        body = value.rstrip("=")
        if pattern.name != "base64-like":
            bits = shannon(body)
            return (pattern.score, f"hex entropy {bits:.2f} bits") if bits >= HEX_BITS else None
        bits = _random_bits(body)
        if bits is None:
            return None
        # A URL's path from its host's last dot, or a file's (`/usr/share/locale/pt_BR/
        # LC_MESSAGES/iso_3166-1`, in every `find` or package's file list): none of its
        # pieces random, as a secret's would be.
        path = "/" in body and (body[0] == "/" or _DOMAIN_PATH.match(body))
        if path and not any(map(_random_bits, body.split("/")[1:])):
            return None
        mixed = (
            any(c.isupper() for c in body)
            and any(c.islower() for c in body)
            and any(c.isdigit() for c in body)
        )
        score = 0.6 if mixed and len(body) >= 32 else pattern.score
        return score, f"base64-like entropy {bits:.2f} bits"


def _glued_words(body: str) -> bool:
    return _LONG_HUMP.search(body) is not None and _worded(body)


def _worded(text: str) -> bool:
    """Whether words of the lexicon, three letters or more, cover half of `text`."""
    lexicon = words()
    covered = sum(len(p) for p in _HUMP.findall(text) if len(p) > 2 and p.lower() in lexicon)
    return 2 * covered >= len(text)


def _code_name(body: str) -> bool:
    if _CODE_NAME.fullmatch(body) is None:
        return False
    pieces = [p for p in body.split("_") if p]
    worded = [len(p) >= 10 and _worded(p) for p in pieces]
    odd = sum(not (w or _SHORT_PIECE.fullmatch(p)) for p, w in zip(pieces, worded, strict=True))
    return any(worded) and odd <= 1


def _random_bits(body: str) -> float | None:
    """The entropy of a base64-like string (no padding) that reads as random, else None."""
    if len(body) < MIN_BASE64 or _HEX.issuperset(body):
        return None  # too short, or the hex pattern's, which wants context
    if body[:2] == "_Z" and _MANGLED.match(body):
        return None  # a C++ symbol (`_ZN9__gnu_cxx18stdio_sync_filebufIwSt11…`)
    if body[:3] == "sha" and _SRI.match(body):
        return None  # a package lock's digest, its algorithm glued on (`sha512-…`)
    bits = shannon(body)
    if bits < BASE64_BITS or decode_base64(body) is not None or _WORDED.fullmatch(body):
        return None
    if _glued_words(body) or ("_" in body and _code_name(body)):
        return None
    # A run of an alphabet (`ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef…0123456789+/`, base64's or
    # base58's spelled out in code): eight letters in a row happen by chance once in 64**7.
    return None if "ABCDEFGH" in body or "abcdefgh" in body else bits
