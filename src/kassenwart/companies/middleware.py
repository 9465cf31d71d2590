"""The company a request acts for: the one chosen in the session, else the user's first."""

from kassenwart.companies.selectors import companies_of, membership_of

SESSION_KEY = "company_id"


class CurrentCompanyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.company = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = membership_of(user, request.session.get(SESSION_KEY))
            if membership is None:
                first = companies_of(user)[:1]
                membership = membership_of(user, first[0].pk) if first else None
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
        "user_companies": companies_of(user),
    }
