"""Logging in (password, then the second factor) and out, choosing the company to act for."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies import login_throttle
from kassenwart.companies.middleware import SESSION_KEY
from kassenwart.companies.two_factor import has_second_factor, second_factor_check
from kassenwart.notifications.security import login_lock_notify
from kassenwart.web.client_address import client_address
from kassenwart.web.forms import CompanySwitchForm
from kassenwart.web.step_up import safe_next, second_factor_entered

logout = auth_views.LogoutView.as_view()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=40,
        help_text=gettext_lazy("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


def _locked_text(until) -> str:
    return _("Too many failed logins: this login is locked until %(time)s (an admin has been told). "
             "Try again then, or ask an admin.") % {
        "time": formats.date_format(timezone.localtime(until), "TIME_FORMAT")}


def _failed(request, username: str) -> None:
    """Count the failure; a lock it starts is announced to the person's admins."""
    for lockout in login_throttle.login_failed(username, client_address(request)):
        login_lock_notify(lockout)


def login(request):
    """The password. A locked name or address is refused before the password is even checked."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request, next_url))
    form = AuthenticationForm(request, data=request.POST or None)
    locked = None
    if request.method == "POST":
        username = request.POST.get("username", "")
        until = login_throttle.locked_until(username, client_address(request))
        if until is None and form.is_valid():
            user = form.get_user()
            auth.login(request, user)
            if not has_second_factor(user):  # the gate leads to the set-up if the role needs it
                login_throttle.login_succeeded(username)
            return redirect(safe_next(request, next_url))
        if until is None:
            _failed(request, username)
            until = login_throttle.locked_until(username, client_address(request))
        if until is not None:
            form, locked = AuthenticationForm(request, initial={"username": username}), _locked_text(until)
    return render(request, "web/login.html", {
        "form": form, "locked": locked, "next": next_url, "password_reset_by_mail": bool(settings.EMAIL_HOST),
    })


def _refused(request, until):
    """A locked login: out, back to the login page with the lock's message."""
    auth.logout(request)
    messages.error(request, _locked_text(until))
    return redirect("login")


def _code_step(request, *, step_up: bool):
    """The form for a second-factor code; on success into the session and on to `next`."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    username = request.user.get_username()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = login_throttle.locked_until(username, client_address(request))
        if until is not None:
            return _refused(request, until)
        device = second_factor_check(request.user, form.cleaned_data["code"])
        if device is not None:
            second_factor_entered(request, device)
            login_throttle.login_succeeded(username)
            return redirect(next_url)
        _failed(request, username)
        until = login_throttle.locked_until(username, client_address(request))
        if until is not None:
            return _refused(request, until)
        form.add_error("code", _("This code is not right, or was used already."))
    return render(request, "web/security/code.html", {"form": form, "next": next_url, "step_up": step_up})


@login_required
def login_code(request):
    """The second step of the login for a person with an authenticator app."""
    if request.user.is_verified():
        return redirect(safe_next(request, request.GET.get("next")))
    return _code_step(request, step_up=False)


@login_required
def step_up(request):
    """Enter the code again before a sensitive action (see web/step_up.py)."""
    if not has_second_factor(request.user):
        messages.info(request, _("This needs two-factor login. Set up an authenticator app first."))
        next_url = safe_next(request, request.GET.get("next"))
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}")
    return _code_step(request, step_up=True)


@require_POST
@login_required
def company_switch(request):
    """Act for another company; only one the user is a member of (or has running support access to)."""
    form = CompanySwitchForm(request.POST)
    chosen = form.cleaned_data["company"] if form.is_valid() else None
    membership = next((m for m in request.memberships if m.company_id == chosen), None)
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.company_id
    return redirect("home")


def csrf_failure(request, reason=""):
    """A form that failed the CSRF check (settings.CSRF_FAILURE_VIEW): our page in the normal
    layout, which keeps to the Content-Security-Policy (Django's own has an inline style), and
    says what to do. The reason is for developers and stays out of the page."""
    return render(request, "web/csrf_failure.html", status=403)
