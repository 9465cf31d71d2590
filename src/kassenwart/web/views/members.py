"""Admins manage who belongs to the company and with which role."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies.models import Membership, Role
from kassenwart.companies.permissions import MANAGE_USERS
from kassenwart.companies.services import MembershipError, member_add, member_remove, member_role_change
from kassenwart.web.decorators import company_required


class MemberAddForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


@company_required(MANAGE_USERS)
def member_list(request):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
    members = Membership.objects.filter(company=request.company).select_related("user").order_by("user__username")
    return render(request, "web/members/list.html", {"form": form, "members": members, "roles": Role.choices})


@company_required(MANAGE_USERS)
@require_POST
def member_change(request, pk):
    membership = get_object_or_404(Membership, pk=pk, company=request.company)
    try:
        if request.POST.get("action") == "remove":
            member_remove(request.company, membership, by=request.user)
            messages.success(request, _("Removed %(user)s.") % {"user": membership.user.get_username()})
        else:
            role = request.POST.get("role", "")
            if role not in Role.values:
                raise MembershipError(_("Choose a role."))
            member_role_change(request.company, membership, role, by=request.user)
            messages.success(request, _("Saved."))
    except MembershipError as error:
        messages.error(request, str(error))
    return redirect("member_list")
