"""Money and quotas, enforced by the database: reserve before a call, settle after it.

Every limit is checked inside the transaction that holds it: the quota window's and the
wallet's rows are read there (on PostgreSQL locked, FOR UPDATE; on SQLite the transaction
holds the file's write lock), each call is decided against what the calls before it took,
and the rows are written before the transaction ends. So concurrent calls on any number of
processes can never overspend. Rows are always locked in one order (the process's lease,
quota windows by quota, wallets by id), so transactions never wait for each other in a
circle. Concurrent calls of one process share transactions (store/group_commit.py); what
they hold is summed in the process's lease (lease.py), which another process returns if
this one dies.
"""

from agentshield.store.budget.accounts import open_wallet, set_quota
from agentshield.store.budget.holds import Held
from agentshield.store.budget.ledger import Reconciliation, reconcile
from agentshield.store.budget.service import Budgets
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
    "first_delivery",
    "list_top_ups",
    "open_checkout",
    "open_wallet",
    "pending_checkout",
    "reconcile",
    "refund_payment",
    "set_quota",
    "top_up",
]
