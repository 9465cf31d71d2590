"""`kassenwart api-token create|list|revoke`: API tokens from the command line.

`create` prints the token once, as the last word of its last line, so a script can take it
with `| tail -1 | awk '{print $NF}'`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.companies.api_tokens import TokenError, token_create, token_revoke, tokens_of
from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.companies.models import ApiToken
from kassenwart.core.models import User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (a new token is printed once, as the last word)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        add_company_argument(parser)
        parser.add_argument("--user", help="create: the person whose role the token acts with")
        parser.add_argument("--name", help="create: what the token is for (e.g. the CRM's name)")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, help="create: read, write or approve")
        parser.add_argument("--expires-days", type=int, help="create: days until the token stops working")
        parser.add_argument("--prefix", help="revoke: the token's prefix (the part after kw_)")

    def handle(self, *args, action, company, **options):
        company = company_from(company)
        if action == "list":
            for token in tokens_of(company):
                state = _("revoked") if token.revoked_at else ""
                self.stdout.write(f"kw_{token.prefix}_…  {token.name}  {token.user.get_username()}  {token.scope}  "
                                  f"{token.expires_at or '-'}  {state}".rstrip())
            return
        if action == "revoke":
            token = tokens_of(company).filter(prefix=(options["prefix"] or "").removeprefix("kw_")).first()
            if token is None:
                raise CommandError(_("There is no token with this prefix; see: kassenwart api-token list"))
            try:
                token_revoke(company, token, by=None, via="cli")
            except TokenError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(_("Revoked %(name)s.") % {"name": token.name})
            return
        missing = [f"--{name}" for name in ("user", "name", "scope") if not options[name]]
        if missing:
            raise CommandError(_("api-token create needs %(options)s") % {"options": ", ".join(missing)})
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("There is no user %(user)s.") % {"user": options["user"]})
        try:
            created = token_create(company, user=user, name=options["name"], scope=options["scope"],
                                   expires_days=options["expires_days"], by=None, via="cli")
        except TokenError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Token %(name)s for %(user)s (%(scope)s) in %(company)s; it is shown only now:")
                          % {"name": created.token.name, "user": user.get_username(), "scope": created.token.scope,
                             "company": company.name})
        self.stdout.write(created.secret)
