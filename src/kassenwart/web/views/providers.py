"""Payment provider connections (admins): connect PayPal, Qonto or Stripe with API credentials,
see the state and the accounts, sync now, give new credentials after a refusal. The provider
is called in a task (flows.sync_enqueue), never in the request."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart import flows
from kassenwart.banking.fints import is_busy
from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.banking.providers.sync import CREDENTIALS, ProviderSetupError
from kassenwart.companies.permissions import MANAGE_CONNECTIONS
from kassenwart.web.decorators import company_required
from kassenwart.web.views._bank_steps import htmx_go

Provider = BankConnection.Provider
SECRET = forms.PasswordInput(attrs={"autocomplete": "off"})
# The credential fields, worded for a person, with where to find them at the provider.
FIELDS = {
    "client_id": lambda: forms.CharField(label=gettext_lazy("Client ID"), max_length=200,
                                         help_text=gettext_lazy("PayPal Developer Dashboard → Apps & Credentials, "
                                                                "an app with Transaction Search")),
    "client_secret": lambda: forms.CharField(label=gettext_lazy("Secret"), max_length=200, widget=SECRET),
    "login": lambda: forms.CharField(label=gettext_lazy("Login"), max_length=200,
                                     help_text=gettext_lazy("Qonto → Settings → Integrations → API key")),
    "secret_key": lambda: forms.CharField(label=gettext_lazy("Secret key"), max_length=200, widget=SECRET),
    "api_key": lambda: forms.CharField(label=gettext_lazy("API key"), max_length=300, widget=SECRET,
                                       help_text=gettext_lazy("Stripe Dashboard → Developers → API keys; a restricted "
                                                              "key with read access is enough")),
}


class CredentialsForm(forms.Form):
    def __init__(self, *args, provider: str, **kwargs):
        super().__init__(*args, **kwargs)
        for key in CREDENTIALS[provider]:
            self.fields[key] = FIELDS[key]()


class ProviderForm(CredentialsForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    api_base = forms.CharField(label=gettext_lazy("API address"), max_length=300, required=False,
                               help_text=gettext_lazy("Leave empty for the provider's own API; a simulator's "
                                                      "address (http://127.0.0.1:…) for trying it out."))

    def __init__(self, *args, provider: str, **kwargs):
        super().__init__(*args, provider=provider, **kwargs)
        self.fields["name"].initial = Provider(provider).label
        self.order_fields(["name", *CREDENTIALS[provider], "api_base"])


def _provider(request, pk) -> BankConnection:
    return get_object_or_404(BankConnection, pk=pk, company=request.company, kind=BankConnection.Kind.PROVIDER)


@company_required(MANAGE_CONNECTIONS)
def provider_new(request):
    provider = request.GET.get("provider", "")
    if provider not in CREDENTIALS:
        if provider:
            raise Http404
        return render(request, "connections/provider_choose.html", {"providers": Provider.choices})
    form = ProviderForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name, api_base = data.pop("name"), data.pop("api_base")
        try:
            connection = flows.provider_connect(request.company, provider, data, name=name, api_base=api_base,
                                                user=request.user)
        except ProviderSetupError as error:
            form.add_error("api_base", str(error))
        else:
            messages.success(request, _("Connected. Kassenwart fetches the balances and transactions now."))
            return redirect("provider_detail", connection.pk)
    return render(request, "connections/provider_new.html", {"form": form, "provider": Provider(provider)})


def _detail_context(connection: BankConnection, **extra) -> dict:
    return {
        "connection": connection,
        "busy": is_busy(connection) or connection.sync_queued,
        "credentials_form": CredentialsForm(provider=connection.provider),
        "accounts": BankAccount.objects.filter(connection=connection),
        **extra,
    }


@company_required(MANAGE_CONNECTIONS)
def provider_detail(request, pk):
    connection = _provider(request, pk)
    context = _detail_context(connection)
    if not request.htmx:
        return render(request, "connections/provider_detail.html", context)
    # The status box polls while the provider is being asked; then the page shows the accounts.
    if not context["busy"]:
        return htmx_go("HX-Refresh", "true")
    return render(request, "connections/_provider_status.html", context)


@require_POST
@company_required(MANAGE_CONNECTIONS)
def provider_sync(request, pk):
    connection = _provider(request, pk)
    flows.provider_sync_request(connection, user=request.user)
    messages.success(request, _("Sync started."))
    return redirect("provider_detail", pk)


@require_POST
@company_required(MANAGE_CONNECTIONS)
def provider_credentials(request, pk):
    connection = _provider(request, pk)
    form = CredentialsForm(request.POST, provider=connection.provider)
    if not form.is_valid():
        return render(request, "connections/provider_detail.html",
                      _detail_context(connection, credentials_form=form), status=400)
    flows.provider_credentials_set(connection, form.cleaned_data, user=request.user)
    messages.success(request, _("New credentials saved (encrypted). Kassenwart syncs with them now."))
    return redirect("provider_detail", pk)
