"""Images in a prompt: their size read from the header, and their tokens counted the way
OpenAI's vision guide counts them (its published examples are the expected figures)."""

from __future__ import annotations

import pytest

from agentshield.engines.image_size import image_size
from agentshield.engines.images import (
    data_url_size,
    image_tokens,
    message_image_tokens,
    part_tokens,
)
from support.images import data_url, gif, jpeg, png, webp


@pytest.mark.parametrize(
    ("make", "size"),
    [
        (png, (1, 1)),
        (png, (1024, 768)),
        (gif, (300, 200)),
        (jpeg, (4032, 3024)),
        (lambda w, h: jpeg(w, h, exif_bytes=60_000), (640, 480)),
        (lambda w, h: webp(w, h, "VP8 "), (800, 600)),
        (lambda w, h: webp(w, h, "VP8L"), (16383, 2)),
        (lambda w, h: webp(w, h, "VP8X"), (5000, 7000)),
    ],
    ids=[
        "png-1px",
        "png",
        "gif",
        "jpeg",
        "jpeg-after-exif",
        "webp-lossy",
        "webp-lossless",
        "webp-x",
    ],
)
def test_the_size_is_read_from_the_header(make: object, size: tuple[int, int]) -> None:
    data = make(*size)  # type: ignore[operator]
    assert image_size(data) == size
    assert data_url_size(data_url(data)) == size


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", png(10, 10)[:20], jpeg(10, 10)[:12], b"<svg xmlns='...'/>"],
    ids=["empty", "text", "png-cut", "jpeg-cut", "svg"],
)
def test_an_unreadable_image_has_no_size(data: bytes) -> None:
    assert image_size(data) is None


@pytest.mark.parametrize(
    "url",
    ["https://example.com/cat.png", "data:image/png,rawbytes", "data:image/png;base64,@@@@"],
)
def test_urls_not_read_have_no_size(url: str) -> None:
    assert data_url_size(url) is None


# OpenAI's vision guide, "Calculating costs": gpt-4o examples.
@pytest.mark.parametrize(
    ("size", "detail", "tokens"),
    [
        ((1024, 1024), "high", 765),  # 768x768: 4 tiles
        ((2048, 4096), "high", 1105),  # 1024x2048, then 768x1536: 6 tiles
        ((4096, 8192), "low", 85),
        ((512, 512), "high", 255),  # not scaled up: 1 tile
        ((1024, 1024), "auto", 765),
    ],
)
def test_tiles_on_gpt_4o(size: tuple[int, int], detail: str, tokens: int) -> None:
    assert image_tokens("gpt-4o", size, detail) == tokens
    assert image_tokens("gpt-4o-2024-08-06", size, detail) == tokens


def test_each_family_has_its_own_tile_figures() -> None:
    assert image_tokens("gpt-4o-mini", (1024, 1024), "high") == 2833 + 4 * 5667
    assert image_tokens("gpt-4o-mini", (1024, 1024), "low") == 2833
    assert image_tokens("o1", (1024, 1024), "high") == 75 + 4 * 150
    assert image_tokens("gpt-5", (1024, 1024), "high") == 70 + 4 * 140
    assert image_tokens("some-local-vision-model", (1024, 1024), "high") == 765


# The guide's patch examples: 1024x1024 is 1024 patches; 1800x2400 is scaled to 1452.
@pytest.mark.parametrize(
    ("model", "size", "tokens"),
    [
        ("gpt-4.1-mini", (1024, 1024), 1659),  # ceil(1024 * 1.62)
        ("gpt-4.1-mini", (1800, 2400), 2353),  # ceil(1452 * 1.62)
        ("gpt-4.1-nano", (1024, 1024), 2520),  # ceil(1024 * 2.46)
        ("o4-mini", (1800, 2400), 2498),  # ceil(1452 * 1.72)
    ],
)
def test_patches_times_the_model_multiplier(model: str, size: tuple[int, int], tokens: int) -> None:
    assert image_tokens(model, size, "low") == tokens


def test_an_image_of_unknown_size_costs_the_most_the_model_charges() -> None:
    # 8 tiles: a shortest side of 768 (2 tiles) and a longest of 2048 (4 tiles).
    assert image_tokens("gpt-4o", None, "high") == 85 + 8 * 170
    assert image_tokens("gpt-4o", None, "auto") == 1445
    assert image_tokens("gpt-4o", None, "low") == 85
    assert image_tokens("gpt-4.1-mini", None) == 2489  # ceil(1536 * 1.62)
    # No image can count more than the unknown one.
    worst = image_tokens("gpt-4o", None)
    assert all(image_tokens("gpt-4o", (w, h)) <= worst for w in (1, 700, 3000) for h in (5, 2048))


def test_parts_of_a_message_are_counted_by_their_url_and_detail() -> None:
    def part(url: str, detail: str | None = None) -> dict[str, object]:
        image: dict[str, object] = {"url": url}
        if detail:
            image["detail"] = detail
        return {"type": "image_url", "image_url": image}

    small = data_url(png(512, 512))
    assert part_tokens("gpt-4o", part(small)) == 255
    assert part_tokens("gpt-4o", part(small, "low")) == 85
    assert part_tokens("gpt-4o", part("https://example.com/a.png")) == 1445
    assert part_tokens("gpt-4o", part("https://example.com/a.png", "low")) == 85
    assert part_tokens("gpt-4o", {"type": "text", "text": "hi"}) == 0
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "what?"}, part(small), part(small)]},
    ]
    assert message_image_tokens("gpt-4o", messages) == 510
