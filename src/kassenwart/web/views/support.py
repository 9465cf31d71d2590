"""Admins let a support user into the company for some hours, and end it early if they like."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies.models import SupportGrant
from kassenwart.companies.permissions import MANAGE_USERS
from kassenwart.companies.selectors import support_grants_of
from kassenwart.companies.support import MAX_HOURS, SupportAccessError, support_grant, support_revoke
from kassenwart.web.decorators import company_required
from kassenwart.web.step_up import step_up_required


class SupportGrantForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Support user"), max_length=150)
    hours = forms.IntegerField(label=gettext_lazy("For how many hours"), min_value=1, max_value=MAX_HOURS, initial=4)
    full_access = forms.BooleanField(
        label=gettext_lazy("Full access: may change what an admin may (otherwise read-only)"), required=False
    )


def _members_only(request) -> None:
    """Support itself never hands out or ends support access, even with full access."""
    if request.support_grant is not None:
        raise PermissionDenied


@company_required(MANAGE_USERS)
def support_access(request):
    _members_only(request)
    if request.method == "POST":
        return _support_grant(request)
    return _list(request, SupportGrantForm())


@step_up_required  # full access makes someone outside the company an admin of it for days
def _support_grant(request):
    form = SupportGrantForm(request.POST)
    if form.is_valid():
        try:
            grant = support_grant(
                request.company, form.cleaned_data["username"], form.cleaned_data["hours"],
                full_access=form.cleaned_data["full_access"], by=request.user,
            )
        except SupportAccessError as error:
            form.add_error("username", str(error))
        else:
            messages.success(request, _("%(user)s has support access now.") % {"user": grant.user.get_username()})
            return redirect("support_access")
    return _list(request, form)


def _list(request, form):
    return render(request, "web/support/list.html", {"form": form, "grants": support_grants_of(request.company)})


@company_required(MANAGE_USERS)
@require_POST
def support_end(request, pk):
    _members_only(request)
    try:
        grant = support_revoke(request.company, pk, by=request.user)
    except SupportGrant.DoesNotExist:
        raise Http404 from None
    except SupportAccessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Support access of %(user)s ended.") % {"user": grant.user.get_username()})
    return redirect("support_access")
