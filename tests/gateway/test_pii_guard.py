"""The PII guard under the default policy (redact): what the upstream sees, what the client
gets back, streamed or not, and the findings header."""

from __future__ import annotations

import json
import uuid
from typing import Any

import openai
import orjson
import pytest

from support import RunningGateway, UpstreamServer

EMAIL = "jane.doe@acme-corp.com"
OTHER_EMAIL = "j.smith@globex-intl.com"
PHONE = "+1 415 555 0132"
CARD = "4111 1111 1111 1111"
AWS = "AKIAIOSFODNN7EXAMPLE"
RAW = (EMAIL, OTHER_EMAIL, PHONE, CARD, AWS)


def tagged(**control: Any) -> dict[str, Any]:
    return {"upstream_test": {"tag": uuid.uuid4().hex, **control}}


def test_the_upstream_sees_every_role_part_and_tool_call_redacted(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    extra = tagged()
    messages: list[Any] = [
        {"role": "system", "content": f"The account owner is {EMAIL}."},
        {"role": "user", "content": f"Call me on {PHONE} please."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": f"My card is {CARD}."},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "mail",
                        "arguments": orjson.dumps({"to": OTHER_EMAIL}).decode(),
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"sent with key {AWS}"},
    ]

    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=messages, extra_body=extra
    )

    sent = upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"]
    assert sent[0]["content"] == "The account owner is <EMAIL_DOMAIN:acme-corp.com>."
    assert sent[1]["content"] == "Call me on <PHONE_LAST_4:0132> please."
    assert sent[2]["content"][0]["text"] == "My card is <CREDIT_CARD_LAST_4:1111>."
    assert sent[2]["content"][1] == messages[2]["content"][1]
    arguments = orjson.loads(sent[3]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"to": "<EMAIL_DOMAIN:globex-intl.com>"}
    assert sent[4]["content"] == "sent with key <AWS_KEY>"
    assert not [value for value in RAW if value in orjson.dumps(sent).decode()]
    headers = raw.headers
    assert headers["x-agentshield-pii-findings"] == "AWS_KEY=1,CREDIT_CARD=1,EMAIL=2,PHONE=1"
    assert headers["x-agentshield-decision"] == "redact"


def a_tool_call(result: str) -> list[Any]:
    """A conversation whose last message is a CRM tool's `result`."""
    return [
        {"role": "user", "content": "Look the customers up."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "crm", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": result},
    ]


def test_a_tool_result_is_redacted_by_its_keys(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    # Keys in snake_case are context words; the key before a number names it (a bare nine
    # digits is also a valid Polish phone number, and the phone key after it is the next
    # value's): the SSN goes whole, not as a phone's last four digits.
    extra = tagged()
    record = {"customer_ssn": "536904399", "phone_number": "415 555 0132"}
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=a_tool_call(orjson.dumps(record).decode()), extra_body=extra
    )

    sent = upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"]
    assert orjson.loads(sent[2]["content"]) == {
        "customer_ssn": "<US_SSN>",
        "phone_number": "<PHONE_LAST_4:0132>",
    }
    assert raw.headers["x-agentshield-pii-findings"] == "PHONE=1,US_SSN=1"


def test_a_secret_given_once_is_redacted_where_a_later_message_repeats_it(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    # The tool's output names no key: before, the password reached the upstream there.
    extra = tagged()
    messages = a_tool_call("connected as svc_backup with Xk9mP2qz, 3 rows")
    messages.insert(0, {"role": "user", "content": "The DB password is Xk9mP2qz."})
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=messages, extra_body=extra
    )

    sent = upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"]
    assert sent[0]["content"] == "The DB password is <PASSWORD>."
    assert sent[3]["content"] == "connected as svc_backup with <PASSWORD>, 3 rows"
    assert raw.headers["x-agentshield-pii-findings"] == "PASSWORD=2"


@pytest.mark.parametrize("stream", [False, True])
def test_an_answer_repeating_a_secret_of_the_request_is_redacted(
    client: openai.OpenAI, stream: bool
) -> None:
    # The answer names no key; the request gave the value under one.
    reply = "Done. " * 30 + "Your new login works with Xk9mP2qz from today."
    messages: Any = [{"role": "user", "content": "Set my password: Xk9mP2qz"}]
    if stream:
        with client.chat.completions.with_streaming_response.create(
            model="gpt-4o-mini",
            messages=messages,
            stream=True,
            extra_body=tagged(reply=reply, chunk_size=4),
        ) as response:
            chunks = list(response.parse())
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    else:
        answer = client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, extra_body=tagged(reply=reply)
        )
        text = answer.choices[0].message.content or ""
    assert text == reply.replace("Xk9mP2qz", "<PASSWORD>")


ROWS = [("536904399", "4155550132"), ("665123456", "3125550100")] * 6
CSV = "\n".join(["name,ssn,phone"] + [f"P{i},{s},{p}" for i, (s, p) in enumerate(ROWS)])
PAGE = (
    "<table>\n<tr><th>SSN</th><th>Phone</th></tr>\n"
    + "".join(f"<tr><td>{s}</td><td>{p}</td></tr>\n" for s, p in ROWS)
    + "</table>"
)


@pytest.mark.parametrize(
    ("table", "redacted"),
    [
        # A CSV's header names the column of every row, however far down: the SSNs go
        # whole (before, only values within a context window of the header were found,
        # as PHONE).
        (CSV, [f"P{i},<US_SSN>,<PHONE_LAST_4:{p[-4:]}>" for i, (_, p) in enumerate(ROWS)]),
        # A page a tool fetched: before, none of these was found (the header row is out
        # of every window, and a bare nine or ten digits need a word by them).
        (
            PAGE,
            [f"<tr><td><US_SSN></td><td><PHONE_LAST_4:{p[-4:]}></td></tr>" for _, p in ROWS]
            + ["</table>"],
        ),
    ],
    ids=["csv", "html"],
)
def test_a_tool_result_table_is_redacted_by_its_columns(
    client: openai.OpenAI, upstream: UpstreamServer, table: str, redacted: list[str]
) -> None:
    extra = tagged()
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=a_tool_call(table), extra_body=extra
    )

    sent = upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"][2]["content"]
    assert sent.splitlines()[-len(redacted) :] == redacted
    assert raw.headers["x-agentshield-pii-findings"] == "PHONE=12,US_SSN=12"


def test_a_clean_request_passes_untouched_without_the_header(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    extra = tagged()
    text = "What is the capital of France?"
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], extra_body=extra
    )
    assert upstream.by_tag(extra["upstream_test"]["tag"]).body["messages"][0]["content"] == text
    assert "x-agentshield-pii-findings" not in raw.headers
    assert "x-agentshield-decision" not in raw.headers


def test_embeddings_input_is_redacted_and_token_ids_pass(
    client: openai.OpenAI, upstream: UpstreamServer
) -> None:
    extra = tagged()
    raw = client.embeddings.with_raw_response.create(
        model="text-embedding-3-small",
        input=[f"write to {EMAIL}", "nothing here"],
        extra_body=extra,
    )
    assert upstream.by_tag(extra["upstream_test"]["tag"]).body["input"] == [
        "write to <EMAIL_DOMAIN:acme-corp.com>",
        "nothing here",
    ]
    assert raw.headers["x-agentshield-pii-findings"] == "EMAIL=1"

    extra = tagged()
    client.embeddings.create(model="text-embedding-3-small", input=[[1, 2, 3]], extra_body=extra)
    assert upstream.by_tag(extra["upstream_test"]["tag"]).body["input"] == [[1, 2, 3]]


def test_output_pii_is_redacted_in_content_and_tool_arguments(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Who should I write to?"}],
        extra_body=tagged(reply=f"Write to {EMAIL} now."),
    )
    assert raw.parse().choices[0].message.content == "Write to <EMAIL_DOMAIN:acme-corp.com> now."
    assert raw.headers["x-agentshield-pii-findings"] == "EMAIL=1"

    tools: Any = [{"type": "function", "function": {"name": "pay", "parameters": {}}}]
    answer = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Pay it."}],
        tools=tools,
        extra_body=tagged(tool_arguments=orjson.dumps({"card": CARD}).decode()),
    )
    calls = answer.choices[0].message.tool_calls
    assert calls is not None
    assert orjson.loads(calls[0].function.arguments) == {"card": "<CREDIT_CARD_LAST_4:1111>"}


def test_a_value_split_across_streamed_chunks_is_still_redacted(client: openai.OpenAI) -> None:
    story = "Once upon a time there was a gateway. " * 12
    reply = f"{story}Mail {EMAIL} for details. {story}"
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Tell me."}],
        stream=True,
        extra_body=tagged(reply=reply, chunk_size=5),  # the address arrives in 5 pieces
    ) as response:
        assert "x-agentshield-pii-findings" not in response.headers  # the request had none
        chunks = list(response.parse())
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    text = "".join(pieces)
    assert text == reply.replace(EMAIL, "<EMAIL_DOMAIN:acme-corp.com>")
    assert len(pieces) > 10, "only a bounded tail may be held back, not the whole answer"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


def streamed_answer(client: openai.OpenAI, reply: str, chunk_size: int) -> str:
    """The answer's text as the client gets it, the upstream streaming `reply`."""
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Tell me."}],
        stream=True,
        extra_body=tagged(reply=reply, chunk_size=chunk_size),
    ) as response:
        chunks = list(response.parse())
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_a_streamed_json_list_is_redacted_under_its_key(client: openai.OpenAI) -> None:
    # The key is far behind the later items when they arrive: the stream carries it (before,
    # one of the twelve was redacted, the others reached the client).
    ssns = ["536904399", "665123456", "123456789"] * 4
    reply = json.dumps({"customer": {"ssns": ssns, "note": "as requested"}}, indent=2)
    text = streamed_answer(client, reply, chunk_size=7)
    assert json.loads(text)["customer"]["ssns"] == ["<US_SSN>"] * 12


def test_a_streamed_table_with_rows_longer_than_the_hold_is_redacted(
    client: openai.OpenAI,
) -> None:
    # A model's markdown table, in 4-character chunks: each row outgrows the 128 characters
    # held back, so its first cells leave before it ends (before, unread: the SSNs reached
    # the client).
    notes = "asked for a callback about the refund on the last order " * 2
    rows = [f"| P{i} | {ssn} | {notes}| {phone} |" for i, (ssn, phone) in enumerate(ROWS)]
    reply = "\n".join(["| name | ssn | notes | phone |", "|---|---|---|---|", *rows])
    assert streamed_answer(client, reply, chunk_size=4).splitlines()[2:] == [
        f"| P{i} | <US_SSN> | {notes}| <PHONE_LAST_4:{phone[-4:]}> |"
        for i, (_, phone) in enumerate(ROWS)
    ]


def test_what_is_held_back_is_released_when_a_stream_ends_without_a_finish(
    client: openai.OpenAI,
) -> None:
    reply = f"Reach me at {EMAIL}"
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Tell me."}],
        stream=True,
        extra_body=tagged(reply=reply, chunk_size=5, no_finish=True),
    ) as response:
        chunks = list(response.parse())
    assert not [c for c in chunks if c.choices and c.choices[0].finish_reason]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Reach me at <EMAIL_DOMAIN:acme-corp.com>"


def test_a_stream_carries_the_request_side_header(client: openai.OpenAI) -> None:
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"I am {EMAIL}"}],
        stream=True,
        extra_body=tagged(),
    ) as response:
        assert response.headers["x-agentshield-pii-findings"] == "EMAIL=1"
        assert response.headers["x-agentshield-decision"] == "redact"
        text = "".join(c.choices[0].delta.content or "" for c in response.parse() if c.choices)
    assert text == "Hello from the "


def test_pii_only_in_the_answer_is_recorded_as_redact_in_row_and_audit(
    gateway: RunningGateway, client: openai.OpenAI
) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Who should I write to?"}],
        extra_body=tagged(reply=f"Write to {EMAIL} now."),
    )
    row, entry = gateway.records(raw.headers["x-agentshield-trace-id"])
    assert (row.decision, entry.data["decision"]) == ("redact", "redact")
    assert [f["kind"] for f in entry.data["findings"]] == ["EMAIL"]
    assert EMAIL not in orjson.dumps(entry.data).decode()
