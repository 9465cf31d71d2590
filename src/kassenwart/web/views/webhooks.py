"""Admins manage the company's webhook endpoints: create (the secret shown once), choose
events, disable and enable, rotate or reveal the secret (after a fresh second factor), read the
delivery log and replay."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kassenwart.companies.permissions import MANAGE_SETTINGS
from kassenwart.web.decorators import company_required
from kassenwart.web.pagination import paginate
from kassenwart.web.step_up import step_up_required
from kassenwart.webhooks import selectors
from kassenwart.webhooks.models import Delivery, Endpoint, EventType
from kassenwart.webhooks.services import (
    WebhookError,
    delivery_replay,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_secret_reveal,
    endpoint_secret_rotate,
    endpoint_update,
)


class EndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https",
                         help_text=gettext_lazy("Where the events are posted, e.g. https://crm.example.com/hooks/bank"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=gettext_lazy("Events"), choices=EventType.choices,
                                       widget=forms.CheckboxSelectMultiple)


def _endpoint(request, pk) -> Endpoint:
    try:
        return selectors.endpoint_get(request.company, pk)
    except Endpoint.DoesNotExist:
        raise Http404


def _delivery(request, pk) -> Delivery:
    try:
        return selectors.delivery_get(request.company, pk)
    except Delivery.DoesNotExist:
        raise Http404


@company_required(MANAGE_SETTINGS)
def webhook_list(request):
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            endpoint, secret = endpoint_create(request.company, user=request.user, **form.cleaned_data)
        except WebhookError as error:
            form.add_error(error.field, str(error))
        else:  # the only page that shows the new secret; it is not kept in the session
            return render(request, "web/webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "new": True})
    return render(request, "web/webhooks/list.html", {
        "endpoints": selectors.endpoints(request.company), "form": form,
    }, status=400 if form.is_bound else 200)


@company_required(MANAGE_SETTINGS)
def webhook_detail(request, pk):
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint_update(request.company, endpoint, user=request.user, **form.cleaned_data)
            except WebhookError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("webhook_detail", endpoint.pk)
    else:
        form = EndpointForm(initial={"url": endpoint.url, "description": endpoint.description,
                                     "events": endpoint.events})
    state = request.GET.get("state", "")
    deliveries = selectors.deliveries(request.company, endpoint=endpoint,
                                      state=state if state in Delivery.State.values else None)
    return render(request, "web/webhooks/detail.html", {
        "endpoint": endpoint, "form": form, "page": paginate(request, deliveries), "state": state,
        "states": Delivery.State.choices,
    }, status=400 if form.is_bound else 200)


@require_POST
@company_required(MANAGE_SETTINGS)
def webhook_state(request, pk):
    endpoint = _endpoint(request, pk)
    if request.POST.get("enabled") == "on":
        endpoint_enable(request.company, endpoint, user=request.user)
        messages.success(request, _("The endpoint receives events again."))
    else:
        endpoint_disable(request.company, endpoint, user=request.user)
        messages.success(request, _("The endpoint is disabled; its events wait until it is enabled."))
    return redirect("webhook_detail", endpoint.pk)


@require_POST
@company_required(MANAGE_SETTINGS)
@step_up_required  # the secret lets whoever holds it sign events as Kassenwart
def webhook_secret(request, pk):
    """Rotate (a new secret, shown once; the old one signs for another day) or reveal, each
    after a second factor entered in the last ten minutes."""
    endpoint = _endpoint(request, pk)
    if request.POST.get("action") == "rotate":
        endpoint, secret = endpoint_secret_rotate(request.company, endpoint, user=request.user,
                                                  second_factor_fresh=True)
        return render(request, "web/webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "rotated": True})
    if request.POST.get("action") == "reveal":
        secret = endpoint_secret_reveal(request.company, endpoint, user=request.user, second_factor_fresh=True)
        return render(request, "web/webhooks/secret.html", {"endpoint": endpoint, "secret": secret})
    return redirect("webhook_detail", endpoint.pk)


@require_POST
@company_required(MANAGE_SETTINGS)
def webhook_delete(request, pk):
    endpoint = _endpoint(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the deletion."))
        return redirect("webhook_detail", endpoint.pk)
    endpoint_delete(request.company, endpoint, user=request.user)
    messages.success(request, _("Deleted the endpoint and its delivery log."))
    return redirect("webhook_list")


@company_required(MANAGE_SETTINGS)
def webhook_delivery(request, pk):
    delivery = _delivery(request, pk)
    return render(request, "web/webhooks/delivery.html", {
        "delivery": delivery, "attempts": selectors.attempts(delivery),
    })


@require_POST
@company_required(MANAGE_SETTINGS)
def webhook_replay(request, pk):
    delivery = _delivery(request, pk)
    try:
        delivery_replay(request.company, delivery, user=request.user)
    except WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sent again in the background; reload in a moment to see the attempt."))
    return redirect("webhook_delivery", delivery.pk)
