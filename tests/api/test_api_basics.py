"""Tokens, auth and the error shape: what a caller without or with a weak token sees."""

from datetime import timedelta

import pytest
from django.utils import timezone
from schwifty import IBAN

from kassenwart.banking.services import account_create
from kassenwart.companies.api_tokens import TokenError, token_create, token_revoke
from kassenwart.companies.models import ApiToken
from kassenwart.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_without_a_token_every_call_is_401_in_the_one_error_shape(api_client):
    answer = api_client(None).get("/accounts")
    assert answer.status_code == 401
    assert answer.json() == {"code": "unauthenticated", "message": answer.json()["message"], "field": None}
    assert answer["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("secret", ["kw_000000000000_nope", "garbage", ""])
def test_a_wrong_token_is_401(secret, api, api_client):
    assert api_client(secret).get("/accounts").status_code == 401


def test_an_expired_or_revoked_token_is_401(company, admin, make_token, api_client):
    expiring = make_token(company, admin, "read", expires_days=1)
    ApiToken.objects.filter(pk=expiring.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client(expiring.secret).get("/accounts").status_code == 401
    revoked = make_token(company, admin, "read")
    assert api_client(revoked.secret).get("/accounts").status_code == 200
    token_revoke(company, revoked.token, by=admin, via="test")
    assert api_client(revoked.secret).get("/accounts").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(revoked.token.pk)).exists()


def test_the_token_is_stored_hashed_and_audited(company, admin):
    created = token_create(company, user=admin, name="CRM", scope="read", by=admin, via="test")
    stored = ApiToken.objects.get(pk=created.token.pk)
    assert created.secret not in (stored.prefix, stored.secret_hash)
    assert created.secret.startswith(f"kw_{stored.prefix}_")
    event = AuditEvent.objects.get(action="api_token.created", object_id=str(stored.pk))
    assert event.actor == admin and created.secret not in str(event.after)


def test_the_message_is_in_the_callers_language(api_client):
    english = api_client(None, "en").get("/accounts").json()["message"]
    german = api_client(None, "de").get("/accounts").json()["message"]
    assert english != german and "API" in german


def test_a_member_cannot_make_tokens_and_an_approve_token_needs_an_approver(company, member, admin):
    with pytest.raises(TokenError):
        token_create(company, user=member, name="x", scope="read", by=member, via="test")
    with pytest.raises(TokenError):
        token_create(company, user=member, name="x", scope="approve", by=None, via="cli")
    with pytest.raises(TokenError):  # in the web only with a second factor entered just now
        token_create(company, user=admin, name="x", scope="approve", by=admin, via="web")
    token_create(company, user=admin, name="x", scope="approve", by=admin, via="web", second_factor_fresh=True)


def test_accounts_are_listed_with_paging_and_a_wrong_cursor_is_422(company, admin, api):
    for n in range(5):
        account_create(company, str(IBAN.generate("DE", bank_code="10010010", account_code=str(1000 + n))),
                       name=f"Konto {n}", user=admin)
    first = api.get("/accounts", {"limit": 2}).json()
    assert [a["name"] for a in first["items"]] == ["Konto 0", "Konto 1"]
    second = api.get("/accounts", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["name"] for a in second["items"]] == ["Konto 2", "Konto 3"]
    assert first["next"].endswith(f"cursor={first['next_cursor']}") or "cursor=" in first["next"]
    last = api.get("/accounts", {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [a["name"] for a in last["items"]] == ["Konto 4"] and last["next_cursor"] is None and last["next"] is None
    wrong = api.get("/accounts", {"cursor": "xyz"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "cursor"
    too_many = api.get("/accounts", {"limit": 501})
    assert too_many.status_code == 422 and too_many.json()["field"] == "limit"


def test_a_browser_logged_in_without_its_second_factor_still_reaches_the_api_with_a_token(company, admin,
                                                                                          make_token):
    from django.test import Client

    browser = Client()
    browser.force_login(admin)  # an admin whose code is not entered yet: every page leads to it
    assert browser.get("/").status_code == 302
    secret = make_token(company, admin, "read").secret
    assert browser.get("/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert browser.get("/api/v1/accounts").status_code == 401  # the session is no token
