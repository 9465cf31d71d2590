"""Logging in and out, choosing the company to act for."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kassenwart.companies.middleware import SESSION_KEY
from kassenwart.web.forms import CompanySwitchForm

login = auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)
logout = auth_views.LogoutView.as_view()


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
