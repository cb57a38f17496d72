"""Errors of the PII engine; the gateway and the routes translate them at their boundary.

PiiError
├── InputRejected          the text cannot be scanned as given (the route answers 413/422)
│   ├── TextTooLarge       longer than ScanLimits.max_text_chars (413)
│   ├── BatchTooLarge      more texts than ScanLimits.max_batch (413)
│   ├── InvalidText        bytes that are not UTF-8 when the limits say refuse (422)
│   └── TooManyCandidates  more candidate matches than ScanLimits.max_candidates (413)
├── InvalidRule            a custom rule that does not compile or fails its examples (422)
└── UnknownRecognizer      a configuration names a recognizer that does not exist
"""

from __future__ import annotations


class PiiError(Exception):
    """Base of every error the PII engine raises."""


class InputRejected(PiiError):
    status = 422


class TextTooLarge(InputRejected):
    status = 413

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"text has {size} characters; the limit is {limit}")
        self.size = size
        self.limit = limit


class BatchTooLarge(InputRejected):
    status = 413

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"batch has {size} texts; the limit is {limit}")
        self.size = size
        self.limit = limit


class InvalidText(InputRejected):
    status = 422


class TooManyCandidates(InputRejected):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"text holds more than {limit} candidate values; split it")
        self.limit = limit


class InvalidRule(PiiError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class UnknownRecognizer(PiiError):
    def __init__(self, names: list[str], known: list[str]) -> None:
        super().__init__(
            f"unknown PII recognizer(s): {', '.join(names)}; known: {', '.join(known)}"
        )
        self.names = names
