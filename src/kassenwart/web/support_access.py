"""What support may not do. Read-only support (a grant without full access) may look at every
page but change nothing: every request that is not a read (GET, HEAD, OPTIONS) is refused,
except logging in with the second factor, the person's own password and authenticator app,
logging out, choosing the language and switching to another company, which change only the
support user's own login and session. And no support, full access or not, changes who belongs
to the company, who has support access or the company's two-factor rule: otherwise it could
make itself a member and stay, or weaken the company's logins."""

from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve

ALLOWED = {
    "login_code", "step_up", "two_factor_setup", "recovery_codes_renew", "two_factor_remove", "password_change",
    "logout", "set_language", "company_switch",
}
MEMBERS_ONLY = {"member_list", "member_change", "company_two_factor", "support_access", "support_end"}
READS = {"GET", "HEAD", "OPTIONS"}


class SupportLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        grant = getattr(request, "support_grant", None)
        if grant is not None and request.method not in READS:
            name = _route(request)
            if name in MEMBERS_ONLY or (not grant.full_access and name not in ALLOWED):
                raise PermissionDenied("not with support access")
        return self.get_response(request)


def _route(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None
