"""Everything FinTS (PIN/TAN banks), in one folder:

- `client`: the adapter, the only module that imports python-fints; every library failure
  leaves it as a `BankError` whose message tells a person what to do.
- `login`: one user of a bank login at a time (the claim), the PIN, sealed secrets.
- `dialogs`: dialogs paused at the bank while a person answers.
- `connections`: setting a connection up; `sync`: fetching and importing, the sync's TAN.
- `orders`: the one interface the payments app sends pain messages through (transfers and
  direct debits), and what the bank's parameters say about a debit's lead time.

What the pages and tasks above use is named here; `orders` is imported by payments itself.
The sync is started by `kassenwart.flows`, which also runs what follows an import.
"""

from .client import BankError, Challenge, TanExpired, TanWrong, product_id
from .connections import (
                          ConnectionExists,
                          connection_choose_tan,
                          connection_create,
                          connection_probe,
                          connection_set_server,
                          sync_request,
)
from .login import (
    ConnectionBusy,
    PinMissing,
    SecretUnusable,
    connections_recover,
    is_busy,
    pin_available,
    pin_handover,
)
from .orders import debit_lead_days
from .sync import MAX_DECOUPLED_POLLS, SyncResult, connection_sync, pending_challenge, tan_submit

__all__ = ["BankError", "Challenge", "ConnectionBusy", "ConnectionExists", "MAX_DECOUPLED_POLLS", "PinMissing",
           "SecretUnusable", "SyncResult", "TanExpired", "TanWrong", "connection_choose_tan", "connection_create",
           "connection_probe", "connection_set_server", "connection_sync", "connections_recover", "debit_lead_days", "is_busy", "pending_challenge",
           "pin_available", "pin_handover", "product_id", "sync_request", "tan_submit"]
