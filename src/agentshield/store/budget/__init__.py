"""Money and quotas, enforced by the database: reserve before a call, settle after it.

Every limit is checked by a conditional UPDATE (`... WHERE used + reserved + x <= limit`)
whose row count says whether it held, so concurrent calls on any number of processes can
never overspend: the database serialises the writes to each row. Rows are always locked in
one order (quota usage by quota, then the wallet), so transactions never deadlock.
"""

from agentshield.store.budget.accounts import open_wallet, set_quota
from agentshield.store.budget.ledger import Reconciliation, reconcile
from agentshield.store.budget.reserve import Held, reserve
from agentshield.store.budget.service import Budgets
from agentshield.store.budget.settle import expire_stale, release, settle
from agentshield.store.budget.topups import (
    close_checkout,
    credit_checkout,
    first_delivery,
    list_top_ups,
    open_checkout,
    pending_checkout,
    refund_payment,
    top_up,
)

__all__ = [
    "Budgets",
    "Held",
    "Reconciliation",
    "close_checkout",
    "credit_checkout",
    "expire_stale",
    "first_delivery",
    "list_top_ups",
    "open_checkout",
    "open_wallet",
    "pending_checkout",
    "reconcile",
    "refund_payment",
    "release",
    "reserve",
    "set_quota",
    "settle",
    "top_up",
]
