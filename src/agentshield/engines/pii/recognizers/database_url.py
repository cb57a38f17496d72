"""DATABASE_URL: a SQL, cache or queue URL that carries a password."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.recognizers.userinfo import URL_TAIL, templated

_SCHEMES = (
    "postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|rediss?|amqps?|clickhouse|"
    "cockroachdb|cassandra|couchdb|neo4j|snowflake|db2|sqlite"
)


class DatabaseUrlRecognizer(Recognizer):
    entity_type = "DATABASE_URL"
    patterns = (
        Pattern(
            "url with password",
            rf"(?i)\b(?:{_SCHEMES})(?:\+[a-z0-9]+)?://[^\s:/@]*:[^\s@/]+@{URL_TAIL}",
            0.95,
            refuse=templated,
        ),
    )
