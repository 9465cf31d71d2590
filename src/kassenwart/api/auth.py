"""Bearer tokens: `Authorization: Bearer kw_<prefix>_<secret>`.

`token(permission)` is an operation's `auth=`: no, a wrong, an expired or a revoked token is
401; a token whose scope or whose user's role (asked with companies.permissions.allows, as the
web does) does not allow `permission` is 403. The handler then finds the token as
`request.auth` and its company as `request.auth.company`; every query starts there.
"""

from __future__ import annotations

from ninja.security import HttpBearer

from kassenwart.api.errors import forbidden
from kassenwart.companies.api_tokens import token_allows, token_for_secret
from kassenwart.companies.models import ApiToken
from kassenwart.companies.permissions import VIEW


def request_token(request) -> ApiToken | None:
    """The request's live token, looked up once per request (auth and idempotency both ask)."""
    if not hasattr(request, "_api_token"):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        request._api_token = token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
    return request._api_token


class TokenAuth(HttpBearer):
    def __init__(self, permission: str = VIEW):
        super().__init__()
        self.permission = permission

    def __call__(self, request):
        token = request_token(request)
        if token is None:
            return None  # ninja answers 401
        if not token_allows(token, self.permission):
            raise forbidden()
        return token

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return None


def token(permission: str = VIEW) -> TokenAuth:
    return TokenAuth(permission)
