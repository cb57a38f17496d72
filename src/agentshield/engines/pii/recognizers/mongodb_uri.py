"""MONGODB_URI: a `mongodb://` or `mongodb+srv://` URI that carries a password."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.recognizers.userinfo import templated


class MongodbUriRecognizer(Recognizer):
    entity_type = "MONGODB_URI"
    patterns = (
        Pattern(
            "uri with password",
            r"(?i)\bmongodb(?:\+srv)?://[^\s:/@]*:[^\s@/]+@[^\s\"'<>]+",
            0.95,
            refuse=templated,
        ),
    )
