"""What the budget routes share: how amounts are taken, owners named, and the guard told.

Amounts of USD are decimal strings ("10.50") or JSON integers (10): at most 9 decimals,
never negative, never a JSON float (binary floats cannot carry cents exactly: 0.1 is not
0.1), NaN, Infinity or a boolean. One validator (`engines.money.parse_usd`) checks every
field, so a bad amount is a 422 naming the field, whichever route took it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, StrictInt
from starlette.requests import Request

from agentshield.api.routing import UnitOfWork
from agentshield.api.schemas import UsdAmount

# $1,000,000,000 in nano-dollars: far above any real amount, and sums of many such stay
# well inside the 64-bit columns (9.2 billion USD).
MAX_NANOS = 10**18
MAX_TOKENS = 10**15

Usd = Annotated[UsdAmount, Field(le=MAX_NANOS)]
PositiveUsd = Annotated[UsdAmount, Field(gt=0, le=MAX_NANOS)]
# Strict: "5", 5.0 and true are refused, like amounts of USD.
Tokens = Annotated[StrictInt, Field(ge=0, le=MAX_TOKENS)]

QuotaScope = Literal["user", "department", "tenant", "key"]
WalletScope = Literal["user", "department", "tenant"]


def limits_changed(request: Request, work: UnitOfWork, tenant_id: uuid.UUID) -> None:
    """The budget guard caches which limits a tenant has: refresh it once committed."""
    budgets = request.app.state.budgets
    work.after_commit(lambda: budgets.limits_changed(tenant_id))
