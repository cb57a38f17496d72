"""The proxy as the official openai client sees it, against a real local upstream."""

from __future__ import annotations

import re
import uuid

import httpx
import openai

from agentshield.engines.money import to_usd_string
from agentshield.engines.pricing import cost_nanos
from support import RunningGateway, UpstreamServer
from support.upstream import ANSWER, COMPLETION_TOKENS, PROMPT_TOKENS, TOOL_ARGUMENTS

TRACE = "x-agentshield-trace-id"
USER = [{"role": "user", "content": "Say hello."}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def test_plain_completion_comes_back_as_the_upstream_gave_it(
    client: openai.OpenAI, gateway: RunningGateway
) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=USER)
    answer = raw.parse()
    assert answer.choices[0].message.content == ANSWER
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
    )
    price = gateway.app.state.prices.price("gpt-4o-mini")
    expected = cost_nanos(price, PROMPT_TOKENS, COMPLETION_TOKENS)
    assert expected > 0
    assert raw.headers["x-agentshield-cost"] == to_usd_string(expected)
    assert re.fullmatch(r"[0-9a-f]{32}", raw.headers[TRACE])


def test_an_alias_reaches_the_provider_under_the_real_name(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    tag = uuid.uuid4().hex
    client.chat.completions.create(
        model="fast", messages=USER, extra_body={"upstream_test": {"tag": tag}}
    )
    assert upstream.by_tag(tag).body["model"] == "gpt-4o-mini"


def test_unknown_fields_reach_the_upstream_unchanged(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    tag = uuid.uuid4().hex
    extra = {
        "top_k": 5,
        "vendor_options": {"nested": [1, 2.5, None, {"deep": "é ✓"}], "flag": False},
        "upstream_test": {"tag": tag},
    }
    client.chat.completions.create(
        model="gpt-4o-mini", messages=USER, temperature=0.25, seed=7, extra_body=extra
    )
    received = upstream.by_tag(tag)
    assert received.path == "/v1/chat/completions"
    for name, value in extra.items():
        assert received.body[name] == value
    assert received.body["temperature"] == 0.25
    assert received.body["seed"] == 7
    assert received.body["messages"] == USER
    # The caller's key stays with the gateway.
    assert "ask_" not in received.headers.get("Authorization", "")


def test_image_content_parts_pass_through(client: openai.OpenAI, upstream: UpstreamServer) -> None:
    tag = uuid.uuid4().hex
    pixel = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5Er"
        "kJggg=="
    )
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image?"},
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:image/png;base64,{pixel}", "detail": "low"},
                },
            ],
        }
    ]
    client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, extra_body={"upstream_test": {"tag": tag}}
    )
    assert upstream.by_tag(tag).body["messages"] == messages


def test_tool_calls_come_back_parsed(client: openai.OpenAI, upstream: UpstreamServer) -> None:
    tag = uuid.uuid4().hex
    answer = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[WEATHER_TOOL],
        tool_choice="auto",
        extra_body={"upstream_test": {"tag": tag}},
    )
    assert upstream.by_tag(tag).body["tools"] == [WEATHER_TOOL]
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert call.function.arguments == TOOL_ARGUMENTS


def test_streamed_completion_with_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"upstream_test": {"chunks": 5}},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the test upstream. "
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == PROMPT_TOKENS


def test_streamed_completion_without_usage_has_no_usage_chunk(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True))
    assert len(chunks) == 5  # role, three pieces, finish
    assert all(c.choices and c.usage is None for c in chunks)


def test_server_sent_events_framed_differently_are_understood(client: openai.OpenAI) -> None:
    chunks = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        extra_body={"upstream_test": {"sse_noise": True}},
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from the "


def test_stream_ends_with_done_event(gateway: RunningGateway, tenant_key: str) -> None:
    body = {"model": "gpt-4o-mini", "messages": USER, "stream": True}
    with httpx.stream(
        "POST",
        f"{gateway.url}/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {tenant_key}"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert TRACE in response.headers
        events = [line for line in response.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"


def test_embeddings(client: openai.OpenAI, upstream: UpstreamServer) -> None:
    tag = uuid.uuid4().hex
    answer = client.embeddings.create(
        model="text-embedding-3-small",
        input=["first", "second"],
        dimensions=4,
        extra_body={"upstream_test": {"tag": tag}},
    )
    assert upstream.by_tag(tag).path == "/v1/embeddings"
    assert [d.embedding for d in answer.data] == [[1.0, 0, 0, 0], [2.0, 0, 0, 0]]
    assert answer.usage.prompt_tokens == PROMPT_TOKENS


def test_embeddings_never_stream(client: openai.OpenAI) -> None:
    answer = client.embeddings.create(
        model="text-embedding-3-small", input="x", extra_body={"stream": True}
    )
    assert len(answer.data) == 1


def test_models_lists_every_configured_model_and_alias(client: openai.OpenAI) -> None:
    models = {m.id: m.owned_by for m in client.models.list()}
    assert models == {
        "gpt-4o-mini": "local",
        "text-embedding-3-small": "local",
        "slow-model": "sluggish",
        "mock-chat": "mock",
        "mock-embed": "mock",
        "gone-model": "gone",
        "fast": "local",
    }


def test_every_response_carries_a_distinct_trace_id(
    gateway: RunningGateway, tenant_key: str
) -> None:
    auth = {"authorization": f"Bearer {tenant_key}"}
    with httpx.Client(base_url=gateway.url) as http:
        responses = [
            http.get("/health"),
            http.get("/v1/models"),  # 401
            http.get("/v1/models", headers=auth),
            http.post("/v1/chat/completions", content=b"{", headers=auth),  # 400
            http.get("/no/such/page"),  # 404
            http.put("/v1/chat/completions", headers=auth),  # 405
        ]
    assert [r.status_code for r in responses] == [200, 401, 200, 400, 404, 405]
    traces = [r.headers.get(TRACE) for r in responses]
    assert all(t and re.fullmatch(r"[0-9a-f]{32}", t) for t in traces)
    assert len(set(traces)) == len(traces)
