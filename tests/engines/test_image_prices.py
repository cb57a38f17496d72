"""Generated images priced per image by model, quality and size (OpenAI's published list)."""

from __future__ import annotations

import pytest

from agentshield.engines.money import parse_usd
from agentshield.engines.pricing import ImageOptionError, image_unit_price, load_image_prices

PRICES = load_image_prices()


@pytest.mark.parametrize(
    ("model", "quality", "size", "usd"),
    [
        ("dall-e-3", "standard", "1024x1024", "0.040"),
        ("dall-e-3", "standard", "1024x1792", "0.080"),
        ("dall-e-3", "standard", "1792x1024", "0.080"),
        ("dall-e-3", "hd", "1024x1024", "0.080"),
        ("dall-e-3", "hd", "1792x1024", "0.120"),
        ("dall-e-3", None, None, "0.040"),  # the defaults: standard, 1024x1024
        ("dall-e-2", None, "256x256", "0.016"),
        ("dall-e-2", "standard", "512x512", "0.018"),
        ("dall-e-2", None, None, "0.020"),
        ("gpt-image-1", "low", "1024x1024", "0.011"),
        ("gpt-image-1", "medium", "1536x1024", "0.063"),
        ("gpt-image-1", "high", "1024x1536", "0.25"),
    ],
)
def test_published_prices(model: str, quality: str | None, size: str | None, usd: str) -> None:
    assert image_unit_price(PRICES[model], quality, size) == parse_usd(usd)


def test_auto_is_the_dearest_the_provider_may_choose() -> None:
    image = PRICES["gpt-image-1"]
    assert image_unit_price(image, None, None) == parse_usd("0.25")  # both default to auto
    assert image_unit_price(image, "auto", "1024x1024") == parse_usd("0.167")
    assert image_unit_price(image, "low", "auto") == parse_usd("0.016")
    assert image_unit_price(PRICES["dall-e-3"], "auto", "auto") == parse_usd("0.120")


@pytest.mark.parametrize(
    ("model", "quality", "size", "param"),
    [
        ("dall-e-3", "ultra", None, "quality"),
        ("dall-e-2", "hd", "1024x1024", "quality"),
        ("dall-e-3", "standard", "512x512", "size"),
        ("gpt-image-1", "high", "1024x1792", "size"),
    ],
)
def test_an_option_the_model_does_not_offer_is_refused(
    model: str, quality: str, size: str | None, param: str
) -> None:
    with pytest.raises(ImageOptionError) as refused:
        image_unit_price(PRICES[model], quality, size)
    assert refused.value.param == param
    assert model in str(refused.value)
