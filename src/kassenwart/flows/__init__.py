"""What follows what, across the apps: the one place above banking, reconciliation and
payments that chains their work (ARCHITECTURE.md, "Layout and layers").

- After transactions are imported (a file, a FinTS sync): sent orders are followed on the
  statement, then matching runs (`after_import`).
- A payment provider's connection and its syncs (PayPal, Qonto, Stripe) go the same way:
  connecting or the sync button enqueue the sync task, which imports and then follows up.
- A FinTS sync is a task here, because it imports and then starts that follow-up; the
  requests that lead to a sync (`sync_request`, `tan_submit`, choosing the TAN method) go
  through here so the task is enqueued with them.

The lower layers start nothing upward; pages, the API, the CLI and the clock call these.
"""

from .services import (
    after_import,
    connection_choose_tan,
    provider_connect,
    provider_credentials_set,
    provider_sync_request,
    sync_enqueue,
    sync_request,
    tan_poll,
    tan_submit,
)

__all__ = ["after_import", "connection_choose_tan", "provider_connect", "provider_credentials_set",
           "provider_sync_request", "sync_enqueue", "sync_request", "tan_poll", "tan_submit"]
