"""The `mock` provider: deterministic OpenAI-shaped answers without any network."""

from __future__ import annotations

import math
from typing import Any

import openai
import orjson
import pytest

from agentshield.engines import tokens
from agentshield.gateway.upstream.mock import MockClient
from agentshield.settings import ProviderSettings

MOCK = MockClient(ProviderSettings(name="mock", type="mock", models=["mock-chat"]))


def ask(client: openai.OpenAI, text: str) -> str | None:
    answer = client.chat.completions.create(
        model="mock-chat", messages=[{"role": "user", "content": text}]
    )
    return answer.choices[0].message.content


def test_the_answer_depends_only_on_the_input(client: openai.OpenAI) -> None:
    first = ask(client, "What is AgentShield?")
    assert first == ask(client, "What is AgentShield?")
    assert first != ask(client, "What is AgentShield")
    assert first is not None and "mock" in first


def test_usage_is_counted_with_the_tokenizer(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "How many tokens is this?"}]
    answer = client.chat.completions.create(model="mock-chat", messages=messages)
    assert answer.usage is not None
    assert answer.usage.prompt_tokens == tokens.count_messages("mock-chat", messages)
    content = answer.choices[0].message.content or ""
    assert answer.usage.completion_tokens == tokens.count_text("mock-chat", content)


def test_streamed_answer_is_the_same_text_in_chunks_then_usage(
    plain_client: openai.OpenAI,
) -> None:
    whole = ask(plain_client, "stream me")
    chunks = list(
        plain_client.chat.completions.create(
            model="mock-chat",
            messages=[{"role": "user", "content": "stream me"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert len(pieces) > 2
    assert "".join(pieces) == whole
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


def test_offered_tools_are_called_with_their_required_arguments(client: openai.OpenAI) -> None:
    tools: Any = [
        {
            "type": "function",
            "function": {
                "name": "book_flight",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "to": {"type": "string"},
                        "seats": {"type": "integer", "minimum": 1},
                        "cabin": {"type": "string", "enum": ["economy", "business"]},
                        "note": {"type": "string"},
                    },
                    "required": ["to", "seats", "cabin"],
                },
            },
        },
        {"type": "function", "function": {"name": "cancel"}},
    ]
    answer = client.chat.completions.create(
        model="mock-chat", messages=[{"role": "user", "content": "Fly me."}], tools=tools
    )
    call = answer.choices[0].message.tool_calls[0]
    assert answer.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "book_flight"
    arguments = orjson.loads(call.function.arguments)
    assert set(arguments) == {"to", "seats", "cabin"}
    assert isinstance(arguments["to"], str) and arguments["seats"] >= 1
    assert arguments["cabin"] in ("economy", "business")

    chosen = client.chat.completions.create(
        model="mock-chat",
        messages=[{"role": "user", "content": "Fly me."}],
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "cancel"}},
    )
    assert chosen.choices[0].message.tool_calls[0].function.name == "cancel"


def test_streamed_tool_call_reassembles_to_the_same_call(client: openai.OpenAI) -> None:
    tools: Any = [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "parameters": {
                    "type": "object",
                    "properties": {"q": {"type": "string"}},
                    "required": ["q"],
                },
            },
        }
    ]
    messages: Any = [{"role": "user", "content": "Look it up."}]
    whole = client.chat.completions.create(model="mock-chat", messages=messages, tools=tools)
    deltas = [
        c.choices[0].delta.tool_calls[0]
        for c in client.chat.completions.create(
            model="mock-chat", messages=messages, tools=tools, stream=True
        )
        if c.choices and c.choices[0].delta.tool_calls
    ]
    expected = whole.choices[0].message.tool_calls[0]
    assert deltas[0].function.name == expected.function.name
    assert "".join(d.function.arguments or "" for d in deltas) == expected.function.arguments


@pytest.mark.parametrize("dimensions", [None, 64])
def test_embeddings_are_deterministic_unit_vectors(
    client: openai.OpenAI, dimensions: int | None
) -> None:
    options: Any = {"dimensions": dimensions} if dimensions else {}
    first = client.embeddings.create(model="mock-embed", input=["alpha", "beta"], **options)
    again = client.embeddings.create(model="mock-embed", input="alpha", **options)
    vectors = [d.embedding for d in first.data]
    assert len(vectors[0]) == (dimensions or 1536)
    for vector in vectors:
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, rel_tol=1e-5)
    assert vectors[0] != vectors[1]
    assert again.data[0].embedding == vectors[0]
    assert first.usage.prompt_tokens == tokens.count_input("mock-embed", ["alpha", "beta"])


async def test_float_embeddings_of_token_ids() -> None:
    answer = await MOCK.embeddings({"model": "mock-embed", "input": [[1, 2, 3]], "dimensions": 3})
    assert len(answer["data"][0]["embedding"]) == 3
    assert answer["usage"]["prompt_tokens"] == 3
