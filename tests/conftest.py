"""Fixtures shared by the whole suite."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path in ../shared; the test is skipped when the folder is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared is only in the developers' checkout and CI)")
    return path


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
