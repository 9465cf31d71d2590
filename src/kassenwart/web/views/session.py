"""Logging in and out, choosing the company to act for."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kassenwart.companies.middleware import SESSION_KEY
from kassenwart.companies.selectors import membership_of
from kassenwart.web.forms import CompanySwitchForm

login = auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)
logout = auth_views.LogoutView.as_view()


@require_POST
@login_required
def company_switch(request):
    """Act for another company; only one the user is a member of."""
    form = CompanySwitchForm(request.POST)
    membership = membership_of(request.user, form.cleaned_data["company"]) if form.is_valid() else None
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.company_id
    return redirect("home")
