"""MONGODB_URI: a `mongodb://` or `mongodb+srv://` URI that carries a password."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.recognizers.userinfo import URL_TAIL, templated


class MongodbUriRecognizer(Recognizer):
    entity_type = "MONGODB_URI"
    patterns = (
        Pattern(
            "uri with password",
            rf"(?i)\bmongodb(?:\+srv)?://[^\s:/@]*:[^\s@/]+@{URL_TAIL}",
            0.95,
            refuse=templated,
        ),
    )
