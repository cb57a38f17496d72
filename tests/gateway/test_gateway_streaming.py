"""Streams that do not end well: the client leaves, or the provider fails half-way."""

from __future__ import annotations

import uuid

import openai
import pytest

from support import RunningGateway, UpstreamServer
from support.config import SLOW_TIMEOUT

USER = [{"role": "user", "content": "Tell me a long story."}]


def test_a_client_leaving_mid_stream_closes_the_upstream_request(
    plain_client: openai.OpenAI, upstream: UpstreamServer, plain_gateway: RunningGateway
) -> None:
    tag = uuid.uuid4().hex
    with plain_client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        extra_body={"upstream_test": {"tag": tag, "chunks": 1000, "chunk_delay": 0.01}},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        chunks = iter(response.parse())
        received = [next(chunks), next(chunks), next(chunks)]
    assert received[1].choices[0].delta.content == "Hello "
    # Leaving the block closed our connection; the gateway must close its own upstream.
    assert upstream.wait_aborted(tag), "the upstream kept streaming to a client that left"
    row = plain_gateway.records(trace)[0]
    assert row.stream is True
    assert row.completion_tokens > 0  # what was streamed before the client left is charged


def test_an_upstream_dying_mid_stream_ends_the_stream_with_an_error(
    plain_client: openai.OpenAI, plain_gateway: RunningGateway
) -> None:
    with plain_client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        extra_body={"upstream_test": {"break_after": 2}},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        chunks = iter(response.parse())
        assert next(chunks).choices[0].delta.role == "assistant"
        assert next(chunks).choices[0].delta.content == "Hello "
        with pytest.raises(openai.APIError) as caught:
            next(chunks)
    assert "'local'" in caught.value.message
    row = plain_gateway.records(trace)[0]
    assert (row.status_code, row.decision, row.error_type) == (502, "error", "upstream_unreachable")


def test_an_upstream_stalling_mid_stream_times_out_naming_the_provider(
    client: openai.OpenAI, gateway: RunningGateway
) -> None:
    with client.chat.completions.with_streaming_response.create(
        model="slow-model",
        messages=USER,
        stream=True,
        extra_body={"upstream_test": {"chunk_delay": SLOW_TIMEOUT + 1.0}},
    ) as response:
        trace = response.headers["x-agentshield-trace-id"]
        chunks = iter(response.parse())
        next(chunks)
        with pytest.raises(openai.APIError) as caught:
            list(chunks)
    assert "'sluggish'" in caught.value.message
    assert "no answer within" in caught.value.message
    assert gateway.records(trace)[0].status_code == 504
