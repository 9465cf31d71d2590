"""A person's own login: the password, the authenticator app, the recovery codes; and a new
password from a one-time link (given by an admin, or mailed where SMTP is set up)."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kassenwart.companies import two_factor
from kassenwart.companies.models import TotpDevice
from kassenwart.companies.services import password_set
from kassenwart.web.step_up import safe_next, second_factor_entered, second_factor_recent, step_up_required
from kassenwart.web.views.session import CodeForm

SETUP_SESSION_KEY = "two_factor_setup_device"


@login_required
def security(request):
    return render(request, "web/security/overview.html", {
        "device": two_factor.authenticator_of(request.user),
        "required": two_factor.required_for(request.memberships),
        "codes_left": two_factor.recovery_codes_left(request.user),
    })


@login_required
def two_factor_setup(request):
    """Set up the authenticator app: a QR code (and the key as text), then a first code from it.
    A person who has an app already must have entered its code recently to replace it."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), default="security")
    if two_factor.has_second_factor(request.user) and not second_factor_recent(request):
        return redirect(f"{reverse('step_up')}?{urlencode({'next': request.get_full_path()})}")
    device = TotpDevice.objects.filter(pk=request.session.get(SETUP_SESSION_KEY), user=request.user,
                                       confirmed=False).first()
    if device is None:
        device = two_factor.authenticator_start(request.user)
        request.session[SETUP_SESSION_KEY] = device.pk
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.authenticator_confirm(device, form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(SETUP_SESSION_KEY, None)
            second_factor_entered(request, device)
            return render(request, "web/security/recovery_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", _("This code is not right. Check that the app shows Kassenwart and type its newest code."))
    uri = two_factor.authenticator_uri(device)
    return render(request, "web/security/setup.html", {
        "form": form, "next": next_url, "secret": two_factor.authenticator_secret(device),
        "qr_svg": mark_safe(segno.make(uri, error="m").svg_inline(scale=4, dark="#111")),  # noqa: S308 (segno's own SVG)
        "required": two_factor.required_for(request.memberships),
    })


@require_POST
@login_required
@step_up_required
def recovery_codes_renew(request):
    codes = two_factor.recovery_codes_renew(request.user)
    return render(request, "web/security/recovery_codes.html", {"codes": codes, "next": reverse("security")})


@require_POST
@login_required
@step_up_required
def two_factor_remove(request):
    try:
        two_factor.two_factor_remove(request.user, by=request.user)
    except two_factor.TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-factor login is off."))
    return redirect("security")


class _Audited:
    """The new password is set by the service, which writes the audit event."""

    via = "web"

    def save(self, commit=True):
        password_set(self.user, self.cleaned_data["new_password1"], by=self.user, via=self.via)
        return self.user


class PasswordChange(_Audited, PasswordChangeForm):
    pass


class PasswordFromLink(_Audited, SetPasswordForm):
    via = "reset link"


password_change = auth_views.PasswordChangeView.as_view(
    form_class=PasswordChange, template_name="web/security/password_change.html",
    success_url=reverse_lazy("password_changed"),
)


@login_required
def password_changed(request):
    messages.success(request, _("Your password was changed."))
    return redirect("security")


password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=PasswordFromLink, template_name="web/security/password_reset_confirm.html",
    success_url=reverse_lazy("password_reset_complete"),
)


def password_reset_complete(request):
    messages.success(request, _("Your new password is set. Log in with it."))
    return redirect("login")


def password_reset(request):
    """A reset link by e-mail: only where SMTP is set up. The answer is the same whether or not
    the address belongs to someone."""
    if not settings.EMAIL_HOST:
        raise Http404
    return auth_views.PasswordResetView.as_view(
        template_name="web/security/password_reset.html",
        email_template_name="web/security/password_reset_email.txt",
        subject_template_name="web/security/password_reset_subject.txt",
        success_url=reverse_lazy("password_reset_sent"),
    )(request)


def password_reset_sent(request):
    messages.success(request, _("If the address belongs to a user, a link to set a new password is on its way."))
    return redirect("login")
