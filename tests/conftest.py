"""Fixtures shared by the whole suite."""

import os

import pytest

# Fixtures kept in modules of their own, registered once for the whole suite.
pytest_plugins = ["fints_fixtures", "browser_fixtures", "debit_data"]


@pytest.fixture
def company(db):
    from kassenwart.companies.services import company_create

    return company_create("Nordlicht Software GmbH", via="test")


@pytest.fixture
def make_user(db):
    from kassenwart.companies.services import membership_set, user_create

    def make(company, role: str, username: str | None = None):
        user = user_create(username or f"{role}-{company.pk}", "correct horse battery", via="test")
        membership_set(company, user, role, by=None, via="test")
        return user

    return make


@pytest.fixture
def admin(company, make_user):
    return make_user(company, "admin")


@pytest.fixture
def member(company, make_user):
    return make_user(company, "member")


@pytest.fixture(autouse=True)
def english_messages():
    """Services speak the active language; tests read their messages in English.
    (Web requests choose their own language through the middleware.)"""
    from django.conf import settings
    from django.utils import translation

    if not settings.configured:  # pure tests run without Django too (-p no:django)
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, scope="session")
def static_root():
    """`kassenwart serve` collects static files into the data directory; the test
    client's WhiteNoise wants that folder to exist as well."""
    from django.conf import settings

    if settings.configured:
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test skipped because ../shared is absent fails under CI (CI=true): a CI run must never
    pass without the bank files, the benchmark set and the schemas it is there to check."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped or not isinstance(report.longrepr, tuple):
        return
    from shared_data import SHARED

    reason = str(report.longrepr[2])
    if str(SHARED) in reason or "../shared" in reason:
        report.outcome = "failed"
        report.longrepr = f"CI needs ../shared: {reason}"
