"""The company a request acts for: the one chosen in the session, else the user's first."""

from kassenwart.companies.selectors import memberships_of

SESSION_KEY = "company_id"


class CurrentCompanyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.company = None
        request.membership = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query for the company menu and the choice; the session's company if the
            # user still belongs to it, else the first.
            request.memberships = memberships_of(user)
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in request.memberships if m.company_id == chosen), None)
            membership = membership or next(iter(request.memberships), None)
            if membership is not None:
                request.company = membership.company
                request.membership = membership
        return self.get_response(request)


def company_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_company": getattr(request, "company", None),
        "current_membership": getattr(request, "membership", None),
        "user_companies": [m.company for m in getattr(request, "memberships", [])],
    }
