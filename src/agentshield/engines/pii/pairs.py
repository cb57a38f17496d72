"""Name and value pairs read as a key and its value: `- name: DB_PASSWORD\n  value: hunter22`.

Deployment files and cloud APIs give a setting as two fields, its name in one and its
value in the next: a Kubernetes container's `env` list, an ECS task definition's
`environment` (`{"name": "DB_PASSWORD", "value": "hunter22"}`), CloudFormation's
parameters; so does a web form's field (`<input name="api_token" value="…">`). The name is
the value's key, but it stands in another field, where no keyed pattern looks. The view
lists each value after its name (`DB_PASSWORD: hunter22`), like the table view (tables.py),
and maps it back. It only adds findings: what the text as it stands shows stays.
"""

from __future__ import annotations

import re

from agentshield.engines.pii.views import Listing

MAX_PAIRS = 10_000
_NAME = r"[A-Za-z_][\w.-]{0,79}"
# YAML: `name:` then, on the next line, `value:` (a quoted value without its quotes; a
# comment opens with a blank and `#`, which a bare value may hold: `value: s3cr#t`).
# JSON: `"name": "…"` then, in the same object, `"value": "…"`. HTML: an element's `name`
# then its `value` (`<input type="hidden" name="api_token" value="…">`).
_PAIR = re.compile(
    rf"""\bname:[ \t]*(["']?)(?P<yaml_name>{_NAME})\1[ \t]*\r?\n[ \t]*value:[ \t]*"""
    r"""(?:"(?P<yaml_quoted>[^"\n]*)"|'(?P<yaml_single>[^'\n]*)'|(?P<yaml_bare>[^\s#][^\n]*?))"""
    r"""(?:[ \t]+#[^\n]*)?[ \t]*\r?$"""
    rf"""|"name"\s*:\s*"(?P<json_name>{_NAME})"\s*,\s*"value"\s*:\s*"""
    r'''"(?P<json_value>(?:[^"\\\n]|\\.)*)"'''
    rf"""|\bname=(?P<q>["'])(?P<html_name>{_NAME})(?P=q)[ \t]+value=(?P<r>["'])"""
    r"""(?P<html_value>[^"'<>\n]*)(?P=r)""",
    re.M,
)
_VALUES = ("yaml_quoted", "yaml_single", "yaml_bare", "json_value", "html_value")


def view(text: str) -> tuple[str, Listing] | None:
    """Each value after its name, and where they lie in `text`; None when none is there."""
    listing = Listing(text)
    for found in _PAIR.finditer(text):
        name = next(n for n in ("yaml_name", "json_name", "html_name") if found.start(n) >= 0)
        value = next(v for v in _VALUES if found.start(v) >= 0)
        if found.start(value) == found.end(value):
            continue
        listing.add(found.span(name), found.span(value))
        if listing.count >= MAX_PAIRS:
            break
    return listing.listed()
