"""The widgets of the home page and each role's default layout."""

from __future__ import annotations

from dataclasses import dataclass

from kassenwart.companies.models import Role

TODOS, BALANCES, FORECAST, IN_OUT, PAYMENTS, RECEIVABLES = (
    "todos", "balances", "forecast", "in_out", "payments", "receivables")
WIDGETS = (TODOS, BALANCES, FORECAST, IN_OUT, PAYMENTS, RECEIVABLES)
PERIODS = (3, 6, 12)  # months of money in and out a person can choose
DEFAULT_MONTHS = 12

# What each role acts on first: approvers release payments and watch the cash, admins keep
# the connections running, members chase open receivables.
DEFAULTS = {
    Role.ADMIN: (TODOS, BALANCES, FORECAST, IN_OUT, PAYMENTS, RECEIVABLES),
    Role.APPROVER: (TODOS, BALANCES, FORECAST, PAYMENTS, IN_OUT, RECEIVABLES),
    Role.MEMBER: (TODOS, BALANCES, RECEIVABLES, IN_OUT, PAYMENTS),
}


@dataclass(frozen=True)
class Layout:
    widgets: tuple[str, ...]
    months: int
    custom: bool  # False: the role's default


def default_layout(role: str) -> Layout:
    return Layout(DEFAULTS[Role(role)], DEFAULT_MONTHS, custom=False)


def cleaned(widgets, months) -> tuple[tuple[str, ...], int]:
    """Known widgets once each, in the order given; a period offered, else the default."""
    seen: list[str] = []
    for key in widgets:
        if key in WIDGETS and key not in seen:
            seen.append(key)
    return tuple(seen), months if months in PERIODS else DEFAULT_MONTHS
