"""URL_WITH_CREDENTIALS: a web or file-transfer URL carrying `user:password@`."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer
from agentshield.engines.pii.recognizers.userinfo import HOST_START, URL_TAIL, templated


class UrlWithCredentialsRecognizer(Recognizer):
    entity_type = "URL_WITH_CREDENTIALS"
    patterns = (
        Pattern(
            "userinfo",
            r"(?i)\b(?:https?|ftps?|sftp|ssh|git|svn|smb|ldaps?|webdavs?)://"
            rf"[^\s:/@]{{1,128}}:[^\s@/]{{1,128}}@{HOST_START}(?:{URL_TAIL})?",
            0.95,
            refuse=templated,
        ),
    )
