"""No page without the second factor for those who have one or need one.

After the password the person is logged in but not verified: until the code is entered (or,
for a person whose role or company requires two-factor login and has no app yet, until the app
is set up) every page but these few leads to that step.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from kassenwart.companies.two_factor import has_second_factor, required_for

API_PREFIX = "/api/"
OPEN_BEFORE_SECOND_FACTOR = {"login", "logout", "login_code", "step_up", "two_factor_setup", "set_language"}


class TwoFactorGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if request.path_info.startswith(API_PREFIX):  # the API knows tokens, not the browser's login
            return self.get_response(request)
        if user.is_authenticated and not user.is_verified() and not self._open(request):
            has_app = has_second_factor(user)
            if has_app or required_for(request.memberships):
                step = "login_code" if has_app else "two_factor_setup"
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        try:
            return resolve(request.path_info).url_name in OPEN_BEFORE_SECOND_FACTOR
        except Resolver404:
            return False
