"""Token counts for OpenAI models, offline, with the encodings shipped by `bpe_openai`.

Used where upstream reports no usage (and to estimate a request's cost before sending it).
Text is encoded as plain text: a special token such as `<|endoftext|>` written by a user
counts as the characters it is made of, as the model's API would see it.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import bpe_openai  # type: ignore[import-untyped]

O200K = "o200k_base"
CL100K = "cl100k_base"

# Checked in order: the first matching prefix wins ("gpt-4o" before "gpt-4").
_PREFIXES = (
    (("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o"), O200K),
    (("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002"), CL100K),
)
_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")

# OpenAI's documented chat overhead: every message is wrapped in 3 tokens, a `name` adds
# one, and every reply is primed with 3 (<|start|>assistant<|message|>).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3

# bpe_openai refuses more than 200,000 tokens in one call, and a character can be up to 4
# tokens: longer texts are counted in pieces.
_PIECE = 40_000

_encodings: dict[str, bpe_openai.Encoding] = {}
_lock = threading.Lock()


def base_model(model: str) -> str:
    """'openai/gpt-4o-2024-08-06' -> 'gpt-4o'; 'ft:gpt-4o-mini:org::id' -> 'gpt-4o-mini'."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    return _DATE_SUFFIX.sub("", name)


@lru_cache(maxsize=1024)  # asked on every call, of a few names
def encoding_for(model: str) -> str:
    """The encoding's name for `model`; cl100k_base when the model is not known."""
    name = base_model(model)
    for prefixes, encoding in _PREFIXES:
        if name.startswith(prefixes):
            return encoding
    return CL100K


def encoding(name: str) -> bpe_openai.Encoding:
    """The encoding `name` (o200k_base, cl100k_base), loaded once on first use."""
    loaded = _encodings.get(name)
    if loaded is None:
        with _lock:
            loaded = _encodings.get(name)
            if loaded is None:
                loaded = _encodings[name] = _load(name)
    return loaded


def _load(name: str) -> bpe_openai.Encoding:
    # bpe_openai reads its data with a deprecated importlib.resources call (and does so on
    # import), which would otherwise warn once per process.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai  # type: ignore[import-untyped]

        return bpe_openai.get_encoding(name)


def _pieces(text: str) -> Iterable[str]:
    """Cut before a space that follows a non-space, where the tokenizer splits anyway."""
    while len(text) > _PIECE:
        cut = text.rfind(" ", 1, _PIECE)
        while cut > 0 and text[cut - 1].isspace():
            cut -= 1
        if cut <= 0:
            cut = _PIECE
        yield text[:cut]
        text = text[cut:]
    yield text


def _count(enc: bpe_openai.Encoding, text: str) -> int:
    if len(text) <= _PIECE:  # most: one piece
        return len(enc.encode_ordinary(text))
    return sum(len(enc.encode_ordinary(piece)) for piece in _pieces(text))


def count_text(model: str, text: str) -> int:
    return _count(encoding(encoding_for(model)), text)


def _content_text(content: Any) -> Iterable[str]:
    """Text of a message's content: a string, or the text of its parts (images are not)."""
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                yield part["text"]


def _call_text(call: Any) -> Iterable[str]:
    function = call.get("function", call) if isinstance(call, Mapping) else None
    if isinstance(function, Mapping):
        for key in ("name", "arguments"):
            if isinstance(function.get(key), str):
                yield function[key]


def _message_text(message: Mapping[str, Any]) -> Iterable[str]:
    for key, value in message.items():
        if key == "content":
            yield from _content_text(value)
        elif key == "tool_calls" and isinstance(value, list):
            for call in value:
                yield from _call_text(call)
        elif key == "function_call":
            yield from _call_text(value)
        elif isinstance(value, str):
            yield value  # role, name, tool_call_id, refusal ...


def count_messages(model: str, messages: Iterable[Mapping[str, Any]]) -> int:
    """Prompt tokens of a chat request's messages, by OpenAI's documented formula."""
    enc = encoding(encoding_for(model))
    total = REPLY_PRIMING
    for message in messages:
        if not isinstance(message, Mapping):
            raise ValueError("messages must be objects")
        total += TOKENS_PER_MESSAGE
        if "name" in message:
            total += TOKENS_PER_NAME
        total += sum(_count(enc, text) for text in _message_text(message))
    return total


def count_input(model: str, input: Any) -> int:
    """Tokens of an embeddings `input`: a string, strings, token ids, or lists of token ids."""
    if isinstance(input, str):
        return count_text(model, input)
    if not isinstance(input, list):
        raise ValueError("input must be a string or an array")
    total = 0
    for item in input:
        if isinstance(item, str):
            total += count_text(model, item)
        elif _is_token_id(item):
            total += 1
        elif isinstance(item, list) and all(_is_token_id(t) for t in item):
            total += len(item)
        else:
            raise ValueError("input array items must be strings, token ids or token id arrays")
    return total


def _is_token_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
