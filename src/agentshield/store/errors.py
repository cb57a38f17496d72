"""Store errors. Routes translate them at their boundary (404, 409, 422).

StoreError
├── NotFound    no such row in this tenant (also what another tenant's row looks like)
├── Conflict    a unique name or email is taken, or the row is still in use
└── Invalid     a value the schema cannot hold (unknown scope, built-in role name, …)
"""

from collections.abc import Sequence


class StoreError(Exception):
    pass


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


class Invalid(StoreError):
    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)  # each problem, when there are several to fix
