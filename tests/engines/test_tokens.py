"""Token counts match the real encodings and OpenAI's documented chat overhead."""

from __future__ import annotations

import random

import pytest

from agentshield.engines.tokens import (
    CL100K,
    O200K,
    count_input,
    count_messages,
    count_text,
    encoding,
    encoding_for,
)


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", O200K),
        ("gpt-4o-2024-08-06", O200K),
        ("gpt-4o-mini", O200K),
        ("chatgpt-4o-latest", O200K),
        ("openai/gpt-4.1-mini", O200K),
        ("gpt-5-nano", O200K),
        ("o1", O200K),
        ("o3-mini-2025-01-31", O200K),
        ("o4-mini", O200K),
        ("ft:gpt-4o-mini:acme::abc123", O200K),
        ("gpt-4", CL100K),
        ("gpt-4-0613", CL100K),
        ("gpt-4-turbo", CL100K),
        ("gpt-3.5-turbo-0125", CL100K),
        ("text-embedding-3-small", CL100K),
        ("text-embedding-ada-002", CL100K),
        ("llama-3.1-8b-instruct", CL100K),
        ("mock-chat", CL100K),
    ],
)
def test_encoding_for_model(model: str, encoding: str) -> None:
    assert encoding_for(model) == encoding


@pytest.mark.parametrize(
    ("model", "text", "tokens"),
    [
        ("gpt-4o", "hello world", 2),
        ("gpt-4", "hello world", 2),
        ("gpt-4", "tiktoken is great!", 6),
        ("gpt-4o", "tiktoken is great!", 6),
        ("gpt-4o", "", 0),
        # A special token typed by a user is plain text, not one token (and no error).
        ("gpt-4o", "<|endoftext|>", 7),
        ("gpt-4", "<|endoftext|>", 7),
    ],
)
def test_count_text_known_counts(model: str, text: str, tokens: int) -> None:
    assert count_text(model, text) == tokens


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4"])
def test_long_text_is_counted_exactly(model: str) -> None:
    rng = random.Random(7)
    words = ["hello", "world,", "the", "quick\n\n", "  spaced", "ünïcode", "12345", "\tx"]
    text = " ".join(rng.choice(words) for _ in range(40_000))
    whole = encoding(encoding_for(model)).encode_ordinary(text)
    assert len(text) > 200_000
    assert count_text(model, text) == len(whole)


def test_text_past_the_encoder_limit_is_counted() -> None:
    text = ("hello world, " * 100_000).rstrip()  # one encode call refuses 200,000+ tokens
    assert count_text("gpt-4o", text) == 300_000


# OpenAI cookbook "How to count tokens with tiktoken": the API reports 129 prompt tokens
# for these messages on gpt-3.5-turbo / gpt-4, and 124 on gpt-4o / gpt-4o-mini.
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities "
        "for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client "
        "deliverable.",
    },
]


@pytest.mark.parametrize(
    ("model", "tokens"), [("gpt-3.5-turbo", 129), ("gpt-4", 129), ("gpt-4o", 124)]
)
def test_count_messages_matches_the_api(model: str, tokens: int) -> None:
    assert count_messages(model, COOKBOOK_MESSAGES) == tokens


def test_message_overhead_formula() -> None:
    one = [{"role": "user", "content": "hello world"}]
    # 3 per message + "user" (1) + "hello world" (2) + 3 reply priming
    assert count_messages("gpt-4o", one) == 3 + 1 + 2 + 3
    named = [{"role": "user", "name": "bob", "content": "hello world"}]
    assert count_messages("gpt-4o", named) == 9 + 1 + count_text("gpt-4o", "bob")
    assert count_messages("gpt-4o", []) == 3
    with pytest.raises(ValueError, match="messages"):
        count_messages("gpt-4o", ["hello"])  # type: ignore[list-item]


def test_text_parts_count_and_image_parts_do_not() -> None:
    plain = [{"role": "user", "content": "describe this picture"}]
    parts = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "describe this picture"},
                {"type": "image_url", "image_url": {"url": "https://example.test/a.png"}},
            ],
        }
    ]
    assert count_messages("gpt-4o", parts) == count_messages("gpt-4o", plain)


def test_tool_calls_count_function_name_and_arguments() -> None:
    name, arguments = "get_weather", '{"city": "Paris", "unit": "celsius"}'
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
    bare = [{"role": "assistant", "content": None}]
    with_call = [{"role": "assistant", "content": None, "tool_calls": [call]}]
    extra = count_text("gpt-4o", name) + count_text("gpt-4o", arguments)
    assert count_messages("gpt-4o", with_call) == count_messages("gpt-4o", bare) + extra


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ("hello world", 2),
        (["hello world", "tiktoken is great!"], 8),
        ([15339, 1917, 0], 3),
        ([[15339, 1917], [0]], 3),
        ([], 0),
    ],
)
def test_count_input_for_embeddings(value: object, tokens: int) -> None:
    assert count_input("text-embedding-3-small", value) == tokens


@pytest.mark.parametrize("value", [None, 42, [1.5], [["a"]], [True], {"text": "x"}])
def test_count_input_refuses_other_shapes(value: object) -> None:
    with pytest.raises(ValueError, match="input"):
        count_input("text-embedding-3-small", value)
