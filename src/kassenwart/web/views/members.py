"""Admins manage who belongs to the company and with which role."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies import two_factor
from kassenwart.companies.models import Membership, Role, TotpDevice
from kassenwart.companies.permissions import MANAGE_USERS
from kassenwart.companies.services import (
    MembershipError,
    member_add,
    member_remove,
    member_role_change,
    password_reset_link_create,
)
from kassenwart.web.decorators import company_required
from kassenwart.web.step_up import step_up_required


class MemberAddForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


@company_required(MANAGE_USERS)
def member_list(request):
    if request.method == "POST":
        return _member_add(request)
    return _list(request, MemberAddForm())


def _list(request, form):
    members = Membership.objects.filter(company=request.company).select_related("user").order_by("user__username")
    with_app = set(TotpDevice.objects.filter(user__memberships__company=request.company, confirmed=True)
                   .values_list("user_id", flat=True))
    return render(request, "web/members/list.html", {
        "form": form, "members": members, "roles": Role.choices, "with_app": with_app,
    })


@step_up_required  # adding a person gives a role
def _member_add(request):
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            user, password = member_add(
                request.company, form.cleaned_data["username"], form.cleaned_data["role"],
                email=form.cleaned_data["email"], by=request.user,
            )
        except MembershipError as error:
            form.add_error("username", str(error))
        else:
            if password:
                messages.success(
                    request,
                    _("Created %(user)s. First password (shown once, hand it over): %(password)s")
                    % {"user": user.get_username(), "password": password},
                )
            else:
                messages.success(request, _("Added %(user)s.") % {"user": user.get_username()})
            return redirect("member_list")
    return _list(request, form)


@company_required(MANAGE_USERS)
@require_POST
@step_up_required
def member_change(request, pk):
    """Change the role, remove the person, give a one-time link to set a new password, or
    remove the person's authenticator app (lost phone)."""
    membership = get_object_or_404(Membership, pk=pk, company=request.company)
    action = request.POST.get("action")
    try:
        if action == "reset_link":
            token = password_reset_link_create(request.company, membership, by=request.user)
            link = request.build_absolute_uri(reverse("password_reset_confirm", kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(membership.user.pk)), "token": token}))
            messages.success(request, _("One-time link for %(user)s to set a new password (shown once, hand it "
                                        "over): %(link)s") % {"user": membership.user.get_username(), "link": link})
        elif action == "remove_two_factor":
            two_factor.two_factor_remove(membership.user, by=request.user, company=request.company)
            messages.success(request, _("%(user)s sets up a new authenticator app at the next login.")
                             % {"user": membership.user.get_username()})
        elif action == "remove":
            member_remove(request.company, membership, by=request.user)
            messages.success(request, _("Removed %(user)s.") % {"user": membership.user.get_username()})
        else:
            role = request.POST.get("role", "")
            if role not in Role.values:
                raise MembershipError(_("Choose a role."))
            member_role_change(request.company, membership, role, by=request.user)
            messages.success(request, _("Saved."))
    except (MembershipError, two_factor.TwoFactorError) as error:
        messages.error(request, str(error))
    return redirect("member_list")


@company_required(MANAGE_USERS)
@require_POST
@step_up_required
def company_two_factor(request):
    """The company's rule: two-factor login for every member, not only admins and approvers."""
    required = request.POST.get("require_two_factor") == "on"
    two_factor.company_two_factor_set(request.company, required, by=request.user)
    messages.success(request, _("Everyone logs in with a second factor now.") if required
                     else _("Admins and approvers log in with a second factor; members may."))
    return redirect("member_list")
