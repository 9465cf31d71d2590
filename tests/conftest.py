"""Fixtures shared by the whole suite."""


import pytest
from hypothesis import settings as hypothesis_settings

from shared_data import MISSING, SHARED

# The property tests (@given) check what holds, not how fast: Hypothesis' default deadline of
# 200 ms per example fails them at random on a loaded machine or CI runner. Speed is the
# benchmarks' job. A test may still set its own deadline.
hypothesis_settings.register_profile("kassenwart", deadline=None)
hypothesis_settings.load_profile("kassenwart")

# Fixtures kept in modules of their own, registered once for the whole suite.
pytest_plugins = ["fints_fixtures", "browser_fixtures", "debit_data"]


def pytest_terminal_summary(terminalreporter):
    """Say how many tests did not run for want of ../shared (tests/shared_data.py), so a
    run without it is never mistaken for a full one. Under CI those tests fail instead."""

    def for_want_of_shared(report) -> bool:
        text = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return MISSING in text

    for outcome, said in (("skipped", "were skipped"), ("failed", "failed"), ("error", "stopped with an error")):
        count = sum(1 for report in terminalreporter.stats.get(outcome, []) if for_want_of_shared(report))
        if count:
            terminalreporter.write_line(
                f"{count} tests {said} because {MISSING} ({SHARED}): the XSD checks, the bank-file "
                "corpus and the reconbench goals did not run", yellow=outcome == "skipped", red=outcome != "skipped",
            )


@pytest.fixture(autouse=True)
def webhooks_to_local_receivers(settings):
    """The tests' webhook receivers listen on 127.0.0.1 over http: allowed here; the tests of
    the address rule (tests/webhooks/test_webhook_addresses.py) turn it off again."""
    settings.KASSENWART_WEBHOOKS_ALLOW_PRIVATE = True


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


@pytest.fixture
def migrations(transactional_db):
    """A MigrationExecutor for a test of a data migration, which migrates an app back and then
    forward again. Afterwards every migration of every app is applied again: going back also
    took back the migrations of other apps that depend on it, which a later test (or a worker
    process asking whether the database is current) would otherwise miss."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
