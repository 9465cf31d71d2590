"""The home page: the widgets of the person's layout (or their role's default), each filled
by one selector of kassenwart.dashboards; and the page where a person arranges them."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kassenwart.banking.selectors import account_choices
from kassenwart.companies.permissions import (
    APPROVE_PAYMENT,
    DRAFT_DEBIT,
    DRAFT_TRANSFER,
    MANAGE_CONNECTIONS,
    MAP_TRANSACTION,
    allows,
)
from kassenwart.dashboards import layouts, selectors
from kassenwart.dashboards.services import layout_for, layout_reset, layout_save
from kassenwart.web.decorators import company_required

TITLES = {
    layouts.TODOS: _("To do"),
    layouts.BALANCES: _("Balances"),
    layouts.FORECAST: _("Cash forecast, 30 days"),
    layouts.IN_OUT: _("Money in and out"),
    layouts.PAYMENTS: _("Executed payments"),
    layouts.RECEIVABLES: _("Open receivables by age"),
}
AGE_TITLES = {
    "not_due": _("not yet due"),
    "1_30": _("1–30 days overdue"),
    "31_60": _("31–60 days overdue"),
    "over_60": _("more than 60 days overdue"),
}


def _account_id(request, choices) -> int | None:
    value = request.GET.get("account", "")
    return int(value) if value.isdigit() and int(value) in {pk for pk, _label in choices} else None


@company_required()
def home(request):
    company, user, role = request.company, request.user, request.membership.role
    layout = layout_for(company, user, role)
    today = timezone.localdate()
    found = selectors.balances(company, today)
    currency = found.main_currency
    choices = account_choices(company)
    account_id = _account_id(request, choices)
    widgets = []
    for key in layout.widgets:
        widget = {"key": key, "title": TITLES[key], "template": f"web/dashboard/_{key}.html"}
        if key == layouts.TODOS:
            widget["todos"] = selectors.todos(
                company, user, approves=allows(role, APPROVE_PAYMENT), maps=allows(role, MAP_TRANSACTION),
                drafts_debits=allows(role, DRAFT_DEBIT), manages_connections=allows(role, MANAGE_CONNECTIONS),
                drafts_transfers=allows(role, DRAFT_TRANSFER), today=today)
        elif key == layouts.FORECAST:
            widget["forecast"] = forecast = selectors.cash_forecast(company, today, found.accounts, currency)
            widget["chart"] = forecast and _forecast_chart(forecast)
        elif key == layouts.IN_OUT:
            months = selectors.money_in_out(company, today, months=layout.months, currency=currency,
                                            account_id=account_id)
            widget.update(months=months, chart=_in_out_chart(months, currency), account_id=account_id,
                          choices=choices, period=layout.months)
        elif key == layouts.PAYMENTS:
            widget["executed"] = selectors.executed_payments(company, today)
        elif key == layouts.RECEIVABLES:
            buckets = selectors.receivables_by_age(company, today, currency)
            widget["buckets"] = [(AGE_TITLES[b.key], b) for b in buckets]
        widgets.append(widget)
    context = {"widgets": widgets, "balances": found, "currency": currency, "layout": layout, "today": today}
    return render(request, "web/dashboard/home.html", context)


def _in_out_chart(months, currency: str) -> dict:
    return {"kind": "in_out", "currency": currency,
            "labels": [date_format(m.month, "M Y") for m in months],
            "incoming": [float(m.incoming) for m in months],
            "outgoing": [float(-m.outgoing) for m in months],
            "names": [str(_("Money in")), str(_("Money out"))]}


def _forecast_chart(forecast) -> dict:
    points = forecast.points
    today = max(i for i, p in enumerate(points) if not p.expected)
    values = [float(p.balance) for p in points]
    return {"kind": "forecast", "currency": forecast.currency,
            "labels": [date_format(p.day, "SHORT_DATE_FORMAT") for p in points],
            # The two lines meet at today: booked up to it, expected from it on.
            "booked": [v if i <= today else None for i, v in enumerate(values)],
            "expected": [v if i >= today else None for i, v in enumerate(values)],
            "names": [str(_("Booked")), str(_("Expected"))]}


@company_required()
def dashboard_customize(request):
    company, user, role = request.company, request.user, request.membership.role
    layout = layout_for(company, user, role)
    if request.method == "POST":
        if "reset" in request.POST:
            layout_reset(company, user, role)
        else:
            shown = [key for key in layouts.WIDGETS if request.POST.get(f"show_{key}")]
            shown.sort(key=lambda key: _order_key(request.POST, key))
            months = _position(request.POST.get("months"))
            layout_save(company, user, shown, months)
        return redirect("home")
    order = list(layout.widgets) + [key for key in layouts.WIDGETS if key not in layout.widgets]
    rows = [{"key": key, "title": TITLES[key], "shown": key in layout.widgets, "position": n}
            for n, key in enumerate(order, start=1)]
    return render(request, "web/dashboard/customize.html", {
        "rows": rows, "positions": range(1, len(rows) + 1), "periods": layouts.PERIODS, "layout": layout})


def _order_key(data, key: str) -> tuple[int, bool]:
    """By the position chosen; of two at one position, the one moved there comes first."""
    position = _position(data.get(f"position_{key}"))
    return position, position == _position(data.get(f"was_{key}"))


def _position(value) -> int:
    return int(value) if value and value.isdigit() else 999
