"""The second factor in the session: when it was last entered, and asking for it again.

Logging in with a code (or a recovery code), setting up the app and confirming a step-up all
go through `second_factor_entered`, which tells django-otp the device (so `user.is_verified()`)
and keeps the time. Sensitive actions (approving and sending payments, changing roles and
members, reset links, granting support access, the company's two-factor rule) are wrapped in
`step_up_required`: the code must have been entered within the last STEP_UP_WITHIN, else the
person is asked for it and comes back.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

SESSION_KEY = "second_factor_at"
STEP_UP_WITHIN = timedelta(minutes=10)


def second_factor_entered(request, device) -> None:
    request.session.cycle_key()  # a more trusted session gets a new id
    django_otp.login(request, device)
    request.session[SESSION_KEY] = time.time()


def second_factor_recent(request) -> bool:
    """Whether this session's person entered a second factor within STEP_UP_WITHIN."""
    entered = request.session.get(SESSION_KEY)
    verified = getattr(request.user, "is_verified", None)
    return (entered is not None and verified is not None and verified()
            and time.time() - entered <= STEP_UP_WITHIN.total_seconds())


def safe_next(request, candidate: str | None, default: str = "home") -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(default)


def step_up_redirect(request):
    """Off to enter the code, and back: a GET to itself, a POST to the page its form was on."""
    if request.method == "GET":
        back = request.get_full_path()
    else:
        back = safe_next(request, request.headers.get("Referer"))
        messages.info(request, _("Confirm it is you with a code from your authenticator app, then do it again."))
    response = redirect(f"{reverse('step_up')}?{urlencode({'next': back})}")
    if request.htmx:
        response["HX-Redirect"] = response["Location"]
    return response


def step_up_required(view):
    """The view runs only with a second factor entered in the last ten minutes. Otherwise a
    GET is asked for the code and comes back; a POST cannot be replayed after the detour, so
    the person returns to the page the form was on and presses the button again."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if second_factor_recent(request):
            return view(request, *args, **kwargs)
        return step_up_redirect(request)

    wrapped.step_up = True
    return wrapped
