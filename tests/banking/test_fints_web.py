"""The connection pages: wizard, list, sync button, TAN page (admins only, one company)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection, PausedDialog
from kassenwart.companies.services import company_create

from fints_fixtures import TAN
from logins import log_in


@pytest.fixture
def admin_client(client, admin):
    """An admin's browser that asks for English pages (the tests read English messages)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, admin)
    return client


def test_only_admins_see_connections(client, member, connection):
    log_in(client, member)
    assert client.get(reverse("connection_list")).status_code == 403
    assert client.get(reverse("connection_detail", args=[connection.pk])).status_code == 403


ROUTES = ("connection_detail", "connection_choose_tan", "connection_sync", "connection_tan", "connection_tan_poll")


def test_another_companys_connection_is_not_found(client, make_user, connection):
    stranger = make_user(company_create("Fremd GmbH", via="test"), "admin", "stranger")
    own = fints.connection_create(stranger.memberships.get().company, name="Eigene", bank_code="99990000",
                                           server_url="http://127.0.0.1:9/", login="x", pin="1", user=stranger)
    log_in(client, stranger)
    for name in ROUTES:
        assert client.get(reverse(name, args=[connection.pk])).status_code in (404, 405), name  # 405: POST only
        assert client.post(reverse(name, args=[connection.pk]), {"tan": TAN}).status_code == 404, name
        mine = client.post(reverse(name, args=[own.pk]))
        assert mine.status_code in (200, 302, 400), name


def test_wizard_creates_the_connection_and_keeps_the_pin_only_if_asked(admin_client, sandbox, company):
    info = sandbox.connection_info()
    page = admin_client.get(reverse("connection_new"))
    assert page.status_code == 200 and "127.0.0.1" in page.content.decode()
    answer = admin_client.post(reverse("connection_new"), {
        "name": "Sandbox", "bank_code": info["bank_code"], "server_url": info["url"],
        "login": info["login"], "pin": info["pin"],
    })
    connection = BankConnection.objects.get(company=company)
    assert answer.status_code == 302 and answer["Location"] == reverse("connection_detail", args=[connection.pk])
    assert not connection.pin_kept and connection.pin_until is not None
    again = admin_client.post(reverse("connection_new"), {
        "name": "Again", "bank_code": info["bank_code"], "server_url": info["url"],
        "login": info["login"], "pin": info["pin"],
    })
    assert again.status_code == 200 and "connected already" in again.content.decode()
    assert info["pin"] not in admin_client.get(answer["Location"]).content.decode()

    fints.connection_probe(connection)  # what the task does
    page = admin_client.get(reverse("connection_detail", args=[connection.pk])).content.decode()
    assert "Kassenwart chipTAN optisch" in page and "chipTAN-Karte 1234" in page
    chosen = admin_client.post(reverse("connection_choose_tan", args=[connection.pk]),
                               {"method": "942", "medium": ""})
    assert chosen.status_code == 302
    connection.refresh_from_db()
    assert connection.tan_method == "942" and connection.sync_queued


def test_list_shows_state_and_sync_button(admin_client, connection):
    fints.connection_sync(connection)
    page = admin_client.get(reverse("connection_list")).content.decode()
    assert "Sandbox" in page and reverse("connection_sync", args=[connection.pk]) in page
    assert admin_client.post(reverse("connection_sync", args=[connection.pk])).status_code == 302
    connection.refresh_from_db()
    assert connection.sync_queued


def test_sync_without_a_kept_pin_asks_for_it(admin_client, make_connection):
    connection = make_connection(keep_pin=False)
    fints.connection_sync(connection)  # uses up the PIN handed to the wizard
    answer = admin_client.post(reverse("connection_sync", args=[connection.pk]), follow=True)
    assert "enter it to sync" in answer.content.decode()
    assert admin_client.post(reverse("connection_sync", args=[connection.pk]), {"pin": "12345"}).status_code == 302


def test_tan_page_shows_the_text_challenge_and_takes_the_tan(admin_client, connection, bank):
    bank.settings.sca_interval = timedelta(0)
    fints.connection_sync(connection, interactive=True)
    status = admin_client.get(reverse("connection_detail", args=[connection.pk]), HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == reverse("connection_tan", args=[connection.pk])
    page = admin_client.get(reverse("connection_tan", args=[connection.pk])).content.decode()
    assert "Anmeldung" in page and 'name="tan"' in page
    wrong = admin_client.post(reverse("connection_tan", args=[connection.pk]), {"tan": "000000"})
    assert wrong.status_code == 200 and "TAN was wrong" in wrong.content.decode()
    right = admin_client.post(reverse("connection_tan", args=[connection.pk]), {"tan": TAN})
    assert right.status_code == 302
    assert PausedDialog.objects.get().awaiting_tan is False


@pytest.mark.parametrize("method, shows", [("902", '<img src="data:image/png;base64,'), ("912", "flicker-frames")])
def test_photo_and_flicker_challenges(admin_client, make_connection, bank, method, shows):
    connection = make_connection(method="942")
    medium = next(m for m in connection.tan_options["methods"] if m["method"] == method)["media"][:1]
    fints.connection_choose_tan(connection, method=method, medium="".join(medium))
    bank.settings.sca_interval = timedelta(0)
    assert fints.connection_sync(connection, interactive=True).needs_tan
    page = admin_client.get(reverse("connection_tan", args=[connection.pk])).content.decode()
    assert shows in page


def test_decoupled_page_polls_until_confirmed(admin_client, make_connection, bank):
    connection = make_connection(method="946")
    bank.settings.sca_interval = timedelta(0)
    bank.settings.decoupled_confirm_after_polls = None
    fints.connection_sync(connection, interactive=True)
    page = admin_client.get(reverse("connection_tan", args=[connection.pk])).content.decode()
    poll = reverse("connection_tan_poll", args=[connection.pk])
    assert f'hx-post="{poll}"' in page and 'name="tan"' not in page
    assert 'hx-trigger="every 2s"' in admin_client.post(poll, HTTP_HX_REQUEST="true").content.decode()
    bank.confirm_decoupled()
    done = admin_client.post(poll, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("connection_detail", args=[connection.pk])
