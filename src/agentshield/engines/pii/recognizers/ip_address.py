"""IP_ADDRESS: an IPv4 address of a host that routes somewhere (not loopback, unspecified,
broadcast, multicast or reserved, or a network's own address)."""

from __future__ import annotations

import re

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# A section's number heading its title, at a line's start or a tag's end (`10.3.2.1.
# Structure`, `<a name="dh-structure"></a>10.3.2.1. Structure</h4>`): no address.
_HEADING = re.compile(r"[\d.]+\. [A-Z][a-z]")
# A number of a path's data (SVG's `d="… 2.83-2.12 3.51.98.32 2.03.5"`: decimals glued
# together) after two decimals of one point glued by a minus sign.
_DECIMAL_BEFORE = re.compile(r"(?<![\d.])\d*\.\d+-\d*\.\d+ \Z")
# A release named by its number (`Git 1.7.12.1 Release Notes`, `2.10.1.3 changelog`).
_RELEASE = re.compile(r"\d+(?:\.\d+)+ (?:release|changelog)\b", re.IGNORECASE)
# reStructuredText's link to a section by its number (`` `3.2.2.10`_ ``).
_SECTION_LINK = re.compile(r"[\d.]+`__?(?!\w)")
# A standard's section in code's comments, numbered low (C++'s `// 23.3.4.2 construct/copy:`,
# `/* 30.3.3.3 aMACControlFramesTransmitted */`, `// [27.4.2.2] fmtflags`, `class
# collate_byname [22.2.4.2].`): heading the comment, a title after it, or in brackets;
# not 10.x.x.x, the private network's addresses (`// 10.0.0.1 is the gateway`).
_SECTION_NUMBER = re.compile(r"(?:[1-9]|1[1-9]|[23]\d|4[0-3])(?:\.(?:\d|[12]\d|3[01])){3}\b")
_COMMENT_OPENS = re.compile(r"(?:^|\n)[ \t]*(?://+|/\*+|\*+)[ \t]*\[?\Z")
_TITLE_AFTER = re.compile(r"[\d.]+\]?[ \t]+[A-Za-z]")
_IN_BRACKETS = re.compile(r"[\d.]+\](?!:)")
# Or cited (`C++14 20.8.2.3`, `CDC spec 5.2.3.11`, `ECMA-262, 15.10.4.1`, `ISO C++ 14882:
# 22.2.1.5`, `per 17.4.4.4`): asked of low numbers only, as few addresses are.
_CITED = re.compile(r"(?i)(?:c\+\+(?:\d\d)?|spec|specification|ecma-262,?|14882:?|per)[ \t]+\Z")


class IpAddressRecognizer(Recognizer):
    entity_type = "IP_ADDRESS"
    patterns = (
        Pattern("dotted quad", rf"\b{_OCTET}(?:\.{_OCTET}){{3}}\b", 0.7),
        # A cloud's host name spells its address with dashes: AWS's private one
        # (`ip-10-0-1-23.ec2.internal`, a node's name in every `kubectl get nodes`) and
        # public one (`ec2-3-88-1-2.compute-1.amazonaws.com`).
        Pattern(
            "host name",
            rf"\b(?:ip|ec2)-(?P<value>{_OCTET}(?:-{_OCTET}){{3}})\b",
            0.7,
            free_edges=True,
            turned=False,
        ),
    )
    context = ("ip", "address", "host", "server", "client", "addr", "remote", "dirección")
    # A version of four numbers (`version 1.2.3.4`, `"build": "2.10.4.1"`) or a document's
    # section (`specs sections 8.2.4.44`) is no address.
    not_after = ("version", "ver", "build", "release", "firmware", "revision", "rev")
    not_after += ("section", "chapter", "clause", "paragraph")
    # An object identifier (`ObjectIdentifier("2.5.29.30")`, `(OID 1.3.101.110)`).
    not_after += ("oid", r"objectidentifier\(")
    # A changelog's release (`Changes in 2.10.1.3:`, `fixed in 1.2.10.4`).
    not_after += (r"(?:change[sd]?|fixed|added|new|deprecated|removed|introduced) in",)
    # An upgrade's (`v8: upgrade to 3.24.35.22`, `upgrade v8 to`, `patch V8 to`; an update
    # may be a record's or a host's, to an address, but not a name with a digit's: `update
    # V8 to`), Sphinx's (`.. versionadded:: 0.7.100.3`).
    not_after += (r"upgrade[sd]?(?: \w+)? to", r"patch(?:e[sd])? \w+ to", r"updated? \w*\d\w* to")
    not_after += ("version(?:changed|added)", "deprecated")
    letter_sensitive = False
    strict_edges = True

    def refused(self, text: str, start: int) -> bool:
        opens = start == 0 or text[start - 1] in "\n>"
        if opens and _HEADING.match(text, start) is not None:
            return True
        if start and text[start - 1] == "`" and _SECTION_LINK.match(text, start):
            return True
        if _RELEASE.match(text, start) or _DECIMAL_BEFORE.search(text, max(0, start - 12), start):
            return True
        if _SECTION_NUMBER.match(text, start) and (
            (start and text[start - 1] == "[" and _IN_BRACKETS.match(text, start))
            or _CITED.search(text, max(0, start - 24), start)
            or (
                _TITLE_AFTER.match(text, start)
                and _COMMENT_OPENS.search(text, max(0, start - 80), start)
            )
        ):
            return True
        return super().refused(text, start)

    def validate(self, value: str) -> bool | None:
        value = value.replace("-", ".")  # a host name's (see `patterns`)
        # The pattern's octets have no leading zeros, so the text tells: loopback, broadcast,
        # a network's own address (`10.0.0.0/8`, `169.254.0.0`; and 0.0.0.0). (`ipaddress`
        # took some 7 µs a value, this 0.3.)
        if value.startswith("127.") or value.endswith(".0") or value == "255.255.255.255":
            return False
        if value[3:4] == "." and value[:3].isdigit() and value[:3] >= "224":
            return False  # a multicast group's (`224.0.0.1`) or a reserved one: no host's
        # Four single digits: a version or a section (`fixed in 1.5.4.1`, `7.1.1.4 SHA384`),
        # or a big network's resolver (1.1.1.1, 8.8.8.8, 9.9.9.9): no person's address.
        return False if len(value) == 7 else None
