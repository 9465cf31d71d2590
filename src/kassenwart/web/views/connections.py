"""Bank connections over FinTS (admins): the wizard, the list with its sync button, the TAN page.

Bank calls run in tasks; the one exception is the TAN step, which sends the TAN in the
dialog the task paused (flows.tan_submit / tan_poll).
"""


from django import forms
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart import flows
from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.companies.permissions import MANAGE_CONNECTIONS
from kassenwart.sandbox import DEMO_PORT
from kassenwart.web.decorators import company_required
from kassenwart.web.views._bank_steps import PIN_WIDGET, PinForm, TanForm, challenge_context, htmx_go

SANDBOX_URL = f"http://127.0.0.1:{DEMO_PORT}/"


class ConnectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, initial=gettext_lazy("My bank"))
    bank_code = forms.RegexField(label=gettext_lazy("Bank code (BLZ)"), regex=r"^\s*[0-9]{8}\s*$",
                                 initial="99990000")
    server_url = forms.URLField(label=gettext_lazy("FinTS server URL"), max_length=300, initial=SANDBOX_URL,
                                assume_scheme="https",
                                help_text=gettext_lazy("Your bank publishes it; the sandbox bank of the demo runs here."))
    login = forms.CharField(label=gettext_lazy("Login"), max_length=100)
    customer_id = forms.CharField(label=gettext_lazy("Customer id"), max_length=100, required=False,
                                  help_text=gettext_lazy("Only if your bank gave you one besides the login."))
    pin = forms.CharField(label=gettext_lazy("PIN"), max_length=64, widget=PIN_WIDGET)
    keep_pin = forms.BooleanField(label=gettext_lazy("Keep the PIN (encrypted) for scheduled syncs"), required=False,
                                  help_text=gettext_lazy("Without it, every sync asks for the PIN."))


class TanMethodForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("TAN method"), widget=forms.RadioSelect)
    medium = forms.CharField(label=gettext_lazy("TAN medium"), max_length=64, required=False,
                             widget=forms.TextInput(attrs={"list": "tan-media"}),
                             help_text=gettext_lazy("The device (TAN generator, card) the method uses, if it needs one."))

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(o["method"], o["name"]) for o in options]


def _connection(request, pk) -> BankConnection:
    return get_object_or_404(BankConnection, pk=pk, company=request.company, kind=BankConnection.Kind.FINTS)


@company_required(MANAGE_CONNECTIONS)
def connection_list(request):
    connections = (BankConnection.objects.filter(company=request.company, kind=BankConnection.Kind.FINTS)
                   .annotate(account_count=Count("accounts")))
    providers = (BankConnection.objects.filter(company=request.company, kind=BankConnection.Kind.PROVIDER)
                 .annotate(account_count=Count("accounts")))
    return render(request, "connections/list.html", {"connections": connections, "providers": providers})


@company_required(MANAGE_CONNECTIONS)
def connection_new(request):
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = fints.connection_create(request.company, user=request.user, via="web",
                                                          **form.cleaned_data)
        except fints.ConnectionExists as exists:
            form.add_error("login", str(exists))
        else:
            return redirect("connection_detail", connection.pk)
    return render(request, "connections/new.html", {"form": form})


@company_required(MANAGE_CONNECTIONS)
def connection_detail(request, pk):
    connection = _connection(request, pk)
    context = _detail_context(connection)
    if not request.htmx:
        return render(request, "connections/detail.html", context)
    # The status box polls while the bank is being asked; then the page moves on.
    if context["tan_waiting"]:
        return htmx_go("HX-Redirect", reverse("connection_tan", args=[pk]))
    if not (context["busy"] or context["probing"] or connection.sync_queued):
        return htmx_go("HX-Refresh", "true")
    return render(request, "connections/_status.html", context)


def _detail_context(connection: BankConnection, **extra) -> dict:
    options = connection.tan_options.get("methods", [])
    choosing = (connection.state == BankConnection.State.NEW and options and connection.last_sync_at is None
                and not connection.sync_queued)
    return {
        "connection": connection,
        "busy": fints.is_busy(connection),
        "tan_waiting": fints.pending_challenge(connection) is not None,
        "probing": connection.state == BankConnection.State.NEW and not options and not connection.last_error,
        "tan_form": TanMethodForm(options=options, initial={"method": connection.tan_method}) if choosing else None,
        "sync_form": PinForm(),
        "media": sorted({name for option in options for name in option.get("media", [])}),
        "accounts": BankAccount.objects.filter(connection=connection),
        **extra,
    }


@require_POST
@company_required(MANAGE_CONNECTIONS)
def connection_choose_tan(request, pk):
    connection = _connection(request, pk)
    form = TanMethodForm(request.POST, options=connection.tan_options.get("methods", []))
    if not form.is_valid():
        return render(request, "connections/detail.html", _detail_context(connection, tan_form=form), status=400)
    flows.connection_choose_tan(connection, user=request.user, **form.cleaned_data)
    messages.success(request, _("Connecting: Kassenwart asks the bank for the accounts."))
    return redirect("connection_detail", pk)


@require_POST
@company_required(MANAGE_CONNECTIONS)
def connection_sync(request, pk):
    connection = _connection(request, pk)
    form = PinForm(request.POST)
    form.is_valid()
    try:
        flows.sync_request(connection, user=request.user, pin=form.cleaned_data.get("pin", ""),
                           keep_pin=form.cleaned_data.get("keep_pin", False))
    except fints.PinMissing as missing:
        messages.error(request, missing.message)
    else:
        messages.success(request, _("Sync started."))
    return redirect("connection_detail", pk)


@company_required(MANAGE_CONNECTIONS)
def connection_tan(request, pk):
    connection = _connection(request, pk)
    form = TanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flows.tan_submit(connection, tan=form.cleaned_data["tan"], user=request.user)
        except fints.TanWrong as wrong:
            form.add_error("tan", wrong.message)
        except (fints.BankError, fints.ConnectionBusy) as error:
            messages.error(request, getattr(error, "message", str(error)))
            return redirect("connection_detail", pk)
        else:
            messages.success(request, _("TAN accepted. Kassenwart is fetching the transactions."))
            return redirect("connection_detail", pk)
    challenge = fints.pending_challenge(connection)
    if challenge is None:
        messages.info(request, _("No TAN is being asked for right now. Start a sync to get a new request."))
        return redirect("connection_detail", pk)
    return render(request, "connections/tan.html", {
        "connection": connection, "form": form, **challenge_context(challenge),
    })


@require_POST
@company_required(MANAGE_CONNECTIONS)
def connection_tan_poll(request, pk):
    """htmx, every two seconds while the bank waits for the app's confirmation."""
    connection = _connection(request, pk)
    try:
        outcome = flows.tan_poll(connection, user=request.user)
    except (fints.BankError, fints.ConnectionBusy) as error:
        messages.error(request, getattr(error, "message", str(error)))
        outcome = "done"
    if outcome == "waiting":
        return render(request, "connections/_poll.html", {"connection": connection})
    if not request.htmx:
        return redirect("connection_detail", pk)
    return htmx_go("HX-Redirect", reverse("connection_detail", args=[pk]))
