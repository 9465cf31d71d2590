"""Every write call through the API leaves an audit event naming its token (`api.called`):
method, path, status, token prefix and idempotency key. The services it called write their own
events too (with the token's user as the actor). Reads note the token's last use instead
(tokens.token_for_secret, at most once a minute)."""

from __future__ import annotations

from functools import wraps

from kassenwart.api.auth import request_token
from kassenwart.core.audit import record

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def audited(run):
    @wraps(run)
    def wrapped(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        token = request_token(request) if request.method in WRITES else None
        if token is not None:
            record("api.called", token, company=token.company, user=token.user, via="api", after={
                "token": token.prefix, "method": request.method, "path": request.path,
                "status": response.status_code, "idempotency_key": request.headers.get("Idempotency-Key"),
                "replayed": response.get("Idempotent-Replayed") == "true"})
        return response

    return wrapped
