"""Images in a chat request, counted in prompt tokens the way OpenAI counts them.

Source: OpenAI's vision guide, "Calculating costs"
(https://platform.openai.com/docs/guides/images-vision#calculating-costs). Two schemes:

- tiles (GPT-4o, GPT-4.1, GPT-5, o1, o3, ...): `detail: low` costs the base tokens; `high`
  fits the image in 2048x2048, scales its shortest side down to 768, and costs the base
  plus a price per 512-px tile. 1024x1024 high on gpt-4o: 768x768, 4 tiles, 85 + 4*170 = 765.
- patches (gpt-4.1-mini, gpt-4.1-nano, gpt-5-mini, gpt-5-nano, o4-mini): 32-px patches,
  at most 1536 (a larger image is scaled down to fit), times the model's multiplier.
  `detail` is not used.

The size comes from the image itself: a `data:` URL's header (`engines.image_size`). An
http(s) URL is not fetched (no download at run time, and fetching what a caller names is
an SSRF risk), nor is an unreadable image: both count as the largest image the model
accepts, so an estimate is never below what the provider will charge. `auto` counts as
`high`. When the provider reports usage, its figure is charged instead of this one.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from agentshield.engines.image_size import image_size
from agentshield.engines.tokens import base_model

TILE = 512
TILE_FIT = 2048  # the image is first fitted in a square of this side
TILE_SHORT_SIDE = 768  # then its shortest side is scaled down to this
# Worst case: shortest side 768 (2 tiles), longest 2048 (4 tiles).
MAX_TILES = 8
PATCH = 32
MAX_PATCHES = 1536
# A data: URL's header is within its first bytes; a JPEG's frame header may follow large
# metadata, and then the whole URL is decoded (bytes only, never pixels).
_HEAD_CHARS = 64 * 1024


@dataclass(frozen=True, slots=True)
class Tiles:
    base: int  # tokens of every image, and all a low-detail image costs
    per_tile: int


@dataclass(frozen=True, slots=True)
class Patches:
    multiplier_percent: int  # tokens per 100 patches: 162 is OpenAI's multiplier 1.62


# Per model family, the first matching prefix wins ("gpt-4o-mini" before "gpt-4o"),
# figures from the guide above. Anything else counts like gpt-4o: DEFAULT.
VISION: tuple[tuple[str, Tiles | Patches], ...] = (
    ("gpt-4.1-mini", Patches(162)),
    ("gpt-4.1-nano", Patches(246)),
    ("gpt-5-mini", Patches(162)),
    ("gpt-5-nano", Patches(246)),
    ("o4-mini", Patches(172)),
    ("gpt-4o-mini", Tiles(2833, 5667)),
    ("gpt-5", Tiles(70, 140)),
    ("o1", Tiles(75, 150)),
    ("o3", Tiles(75, 150)),
    ("computer-use-preview", Tiles(65, 129)),
)
DEFAULT = Tiles(85, 170)  # gpt-4o, gpt-4.1, gpt-4.5


def vision_rule(model: str) -> Tiles | Patches:
    name = base_model(model)
    for prefix, rule in VISION:
        if name.startswith(prefix):
            return rule
    return DEFAULT


def image_tokens(model: str, size: tuple[int, int] | None, detail: str = "auto") -> int:
    """Prompt tokens of one image of `size` (None: unknown, counted as the largest)."""
    rule = vision_rule(model)
    if isinstance(rule, Patches):
        patches = MAX_PATCHES if size is None else _patches(*size)
        return math.ceil(patches * rule.multiplier_percent / 100)
    if detail == "low":
        return rule.base
    tiles = MAX_TILES if size is None else _tiles(*size)
    return rule.base + rule.per_tile * tiles


def _tiles(width: int, height: int) -> int:
    w, h = Fraction(width), Fraction(height)
    fit = min(Fraction(1), TILE_FIT / max(w, h))
    w, h = w * fit, h * fit
    short = min(Fraction(1), TILE_SHORT_SIDE / min(w, h))
    w, h = w * short, h * short
    return math.ceil(w / TILE) * math.ceil(h / TILE)


def _patches(width: int, height: int) -> int:
    raw = math.ceil(width / PATCH) * math.ceil(height / PATCH)
    if raw <= MAX_PATCHES:
        return raw
    # Scale down to fit MAX_PATCHES, then shrink so that whole patches cover each side.
    ratio = math.sqrt(PATCH * PATCH * MAX_PATCHES / (width * height))
    across, down = width * ratio / PATCH, height * ratio / PATCH
    ratio *= min(math.floor(across) / across, math.floor(down) / down)
    resized = math.ceil(int(width * ratio) / PATCH) * math.ceil(int(height * ratio) / PATCH)
    return min(resized, MAX_PATCHES)


def data_url_size(url: str) -> tuple[int, int] | None:
    """The size of a base64 `data:` URL's image, from its header; None if unreadable."""
    head, comma, payload = url.partition(",")
    if not comma or not head.startswith("data:") or not head.endswith(";base64"):
        return None
    try:
        cut = len(payload) if len(payload) <= _HEAD_CHARS else _HEAD_CHARS
        size = image_size(base64.b64decode(payload[:cut]))
        if size is None and cut < len(payload):
            size = image_size(base64.b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    return size


def part_tokens(model: str, part: Mapping[str, Any]) -> int:
    """Tokens of one `image_url` content part; 0 for any other part."""
    if part.get("type") != "image_url":
        return 0
    image = part.get("image_url")
    url, detail = image, "auto"
    if isinstance(image, Mapping):
        url, detail = image.get("url"), image.get("detail") or "auto"
    size = data_url_size(url) if isinstance(url, str) else None
    return image_tokens(model, size, str(detail))


def message_image_tokens(model: str, messages: Iterable[Any]) -> int:
    """Tokens of every image in a chat request's messages."""
    total = 0
    for message in messages:
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, list):
            total += sum(part_tokens(model, p) for p in content if isinstance(p, Mapping))
    return total
