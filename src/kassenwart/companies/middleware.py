"""The company a request acts for: the one chosen in the session, else the user's first.

A user may act for a company as a member, or for a while as support under a running
SupportGrant (companies/support.py): then `request.support_grant` is that grant.
"""

from kassenwart.companies.selectors import memberships_of, support_grants_running_for, support_grants_running_in
from kassenwart.companies.support import support_memberships, support_opened

SESSION_KEY = "company_id"
OPENED_KEY = "support_opened"


class CurrentCompanyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.company = None
        request.membership = None
        request.memberships = []
        request.support_grant = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query for the company menu and the choice, one for support grants; the
            # session's company if the user still belongs to it, else the first.
            request.memberships = memberships_of(user)
            member_of = {m.company_id for m in request.memberships}
            grants = [g for g in support_grants_running_for(user) if g.company_id not in member_of]
            request.memberships += support_memberships(user, grants)
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in request.memberships if m.company_id == chosen), None)
            membership = membership or next(iter(request.memberships), None)
            if membership is not None:
                request.company = membership.company
                request.membership = membership
                request.support_grant = next((g for g in grants if g.company_id == membership.company_id), None)
            if request.support_grant is not None:
                _audit_first_use(request, request.support_grant)
        return self.get_response(request)


def _audit_first_use(request, grant) -> None:
    opened = request.session.get(OPENED_KEY, [])
    if grant.pk not in opened:
        support_opened(grant)
        request.session[OPENED_KEY] = [*opened, grant.pk]


def company_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    company = getattr(request, "company", None)
    return {
        "current_company": company,
        "current_membership": getattr(request, "membership", None),
        "user_companies": [m.company for m in getattr(request, "memberships", [])],
        "support_grant": getattr(request, "support_grant", None),
        # Every member sees while support has access (base.html's banner).
        # A callable, so only a page that shows the banner asks (templates call it).
        "support_running": (lambda: support_grants_running_in(company)) if company is not None else [],
    }
