"""CONNECTION_STRING: key=value connection strings (ADO.NET, ODBC, Azure) and JDBC URLs
that carry a password or account key."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer

_FIRST_FIELD = (
    r"(?:Server|Data Source|Host|Address|Addr|AccountName|Endpoint|DefaultEndpointsProtocol|"
    r"Database|Initial Catalog|User ID|Uid|Driver|Provider)"
)
_SECRET_FIELD = r"(?:Password|Pwd|AccountKey|SharedAccessKey|SharedAccessSignature)"


class ConnectionStringRecognizer(Recognizer):
    entity_type = "CONNECTION_STRING"
    patterns = (
        Pattern(
            "key=value pairs",
            rf"(?i)\b{_FIRST_FIELD}\s*=[^;\r\n]*;(?:[^;\r\n]*;)*?\s*{_SECRET_FIELD}\s*=[^;\r\n]+;?",
            0.9,
        ),
        Pattern(
            "jdbc",
            r"(?i)\bjdbc:[a-z0-9]+:[^\s]*?[?&;]password=[^\s&;\"']+[^\s\"']*",
            0.9,
        ),
    )
