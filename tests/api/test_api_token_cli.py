"""`kassenwart api-token`: create (the token last), list, revoke, and what it refuses."""

import io

import pytest
from django.core.management import CommandError, call_command

from kassenwart.companies.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_create_list_and_revoke(company, admin, api_client):
    printed = run("create", "--company", company.name, "--user", admin.username, "--name", "CRM", "--scope", "write",
                  "--expires-days", "7")
    secret = printed.strip().splitlines()[-1].split()[-1]
    assert api_client(secret).get("/accounts").status_code == 200
    token = ApiToken.objects.get()
    assert (token.scope, token.created_by) == ("write", None) and token.expires_at is not None
    assert f"kw_{token.prefix}_" in run("list", "--company", company.name) and secret not in run("list")
    run("revoke", "--company", company.name, "--prefix", f"kw_{token.prefix}")
    assert api_client(secret).get("/accounts").status_code == 401


@pytest.mark.parametrize("args, says", [
    (("--user", "nobody", "--name", "x", "--scope", "read"), "no user"),
    (("--user", "member-{company}", "--name", "x", "--scope", "approve"), "may not approve"),
    (("--name", "x", "--scope", "read"), "--user"),
    (("--user", "admin-{company}", "--name", "x", "--scope", "read", "--expires-days", "0"), "1 to 3650"),
])
def test_create_refuses_with_a_reason(company, admin, member, args, says):
    args = [a.format(company=company.pk) for a in args]
    with pytest.raises(CommandError, match=says):
        run("create", "--company", company.name, *args)
    assert not ApiToken.objects.exists()
