"""Admins manage the company's API tokens: make one (shown once, on the answer to the form),
see them all with their last use, revoke one. A token with the approve scope asks for the
second factor entered just before (like approving a payment)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies.api_tokens import TokenError, token_create, token_revoke, tokens_of
from kassenwart.companies.models import ApiToken, Membership
from kassenwart.companies.permissions import MANAGE_USERS
from kassenwart.web.decorators import company_required
from kassenwart.web.step_up import second_factor_recent, step_up_redirect


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What the token is for, e.g. the CRM's name."))
    user = forms.ModelChoiceField(label=gettext_lazy("Acts as"), queryset=Membership.objects.none(),
                                  help_text=gettext_lazy("The token never does more than this person's role allows."))
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=ApiToken.Scope.choices,
                              initial=ApiToken.Scope.READ)
    expires_days = forms.IntegerField(label=gettext_lazy("Expires after (days)"), min_value=1, max_value=3650,
                                      required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = Membership.objects.filter(company=company).select_related("user").order_by(
            "user__username")
        self.fields["user"].label_from_instance = lambda m: f"{m.user.get_username()} ({m.get_role_display()})"


def _members_only(request) -> None:
    """Support access never hands out keys to the company."""
    if request.support_grant is not None:
        raise PermissionDenied


@company_required(MANAGE_USERS)
def api_token_list(request):
    _members_only(request)
    form = TokenForm(request.POST or None, company=request.company)
    created = None
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        if scope == ApiToken.Scope.APPROVE and not second_factor_recent(request):
            return step_up_redirect(request)
        try:
            created = token_create(request.company, user=form.cleaned_data["user"].user,
                                   name=form.cleaned_data["name"], scope=scope,
                                   expires_days=form.cleaned_data["expires_days"], by=request.user, via="web",
                                   second_factor_fresh=scope == ApiToken.Scope.APPROVE)
        except TokenError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            form = TokenForm(company=request.company)
    status = 400 if request.method == "POST" and created is None else 200
    return render(request, "web/api_tokens/list.html", {
        "form": form, "created": created, "tokens": tokens_of(request.company),
    }, status=status)


@company_required(MANAGE_USERS)
@require_POST
def api_token_revoke(request, pk):
    _members_only(request)
    token = get_object_or_404(ApiToken, pk=pk, company=request.company)
    try:
        token_revoke(request.company, token, by=request.user, via="web")
    except TokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Revoked %(name)s; it works no more.") % {"name": token.name})
    return redirect("api_token_list")
