"""Matching settings (admins only), running the matching now, and who may do what."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from kassenwart.core.models import AuditEvent
from kassenwart.reconciliation.models import Match, MatchingConfig, RejectedSuggestion, TransactionState
from kassenwart.reconciliation.services import reconcile_company

from reconciliation_data import make_books

VALID = {
    "criteria": ["invoice_number", "amount", "payer_iban"],
    "skonto_percents": "3; 1.5 2",
    "max_fee": "7,50",
    "max_overpayment": "0",
    "automation": "suggest_only",
    "interval_minutes": "15",
}


@pytest.fixture
def admin_client(admin, client_for):
    return client_for(admin)


def test_admin_sees_the_settings_with_the_defaults(admin_client):
    response = admin_client.get(reverse("reconciliation_settings"))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'value="2, 3"' in text and 'value="15,00"' in text and 'value="60"' in text
    assert text.count('type="checkbox" name="criteria"') == 6 and text.count("checked") >= 7


def test_admin_saves_the_settings_and_it_is_audited(admin_client, company, admin):
    response = admin_client.post(reverse("reconciliation_settings"), VALID, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reconciliation_settings")
    config = MatchingConfig.objects.get(company=company)
    assert config.criteria == ["invoice_number", "amount", "payer_iban"]
    assert config.skonto_percents == "3, 1.5, 2"
    assert (config.max_fee, config.max_overpayment) == (Decimal("7.50"), Decimal("0.00"))
    assert (config.allow_multiple, config.automation, config.interval_minutes) == (False, "suggest_only", 15)
    event = AuditEvent.objects.get(action="matching_config.updated")
    assert event.actor == admin and event.company == company
    assert event.before["automation"] == "automatic" and event.after["automation"] == "suggest_only"
    assert event.after["max_fee"] == "7.50"
    # saving the same again changes nothing and writes no second event
    admin_client.post(reverse("reconciliation_settings"), VALID)
    assert AuditEvent.objects.filter(action="matching_config.updated").count() == 1


def test_the_engine_follows_the_saved_settings(admin_client, company, db_rows):
    admin_client.post(reverse("reconciliation_settings"), {**VALID, "criteria": ["invoice_number", "amount", "payer_iban", "payer_name"]})
    books = make_books(company, db_rows)
    reconcile_company(company)
    assert not Match.objects.filter(transaction=books.auto).exists()  # suggest only: nothing automatic


@pytest.mark.parametrize(
    ("field", "value"),
    [("skonto_percents", "2,5x"), ("skonto_percents", "120"), ("max_fee", "-1"), ("interval_minutes", "abc"), ("criteria", [])],
)
def test_invalid_settings_are_refused(admin_client, company, field, value):
    response = admin_client.post(reverse("reconciliation_settings"), {**VALID, field: value})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not AuditEvent.objects.filter(action="matching_config.updated").exists()


@pytest.mark.parametrize("role", ["member", "approver"])
def test_only_admins_change_the_settings(role, company, make_user, client_for):
    client = client_for(make_user(company, role))
    assert client.get(reverse("reconciliation_settings")).status_code == 403
    assert client.post(reverse("reconciliation_settings"), VALID).status_code == 403
    assert not MatchingConfig.objects.filter(company=company, automation="suggest_only").exists()
    assert reverse("reconciliation_settings") not in client.get(reverse("reconciliation_open")).content.decode()


def test_run_matching_now_enqueues_the_task(member, company, client_for, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    client = client_for(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reconciliation_run"), {"next": reverse("reconciliation_open")}, follow=True)
    assert "Matching runs in the background now" in response.content.decode()
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("reconcile_task") and task.args_kwargs["args"] == [company.pk]
    assert client.get(reverse("reconciliation_run")).status_code == 405


@pytest.mark.parametrize("role", ["member", "approver", "admin"])
def test_every_role_maps_accepts_rejects_ignores_and_undoes(role, company, db_rows, make_user, client_for):
    books = make_books(company, db_rows)
    reconcile_company(company)
    client = client_for(make_user(company, role))
    invoices = books.invoices
    for name in ("reconciliation_open", "reconciliation_matched"):
        assert client.get(reverse(name)).status_code == 200

    def act(name, tx, data=None):
        assert client.post(reverse(name, args=[tx.pk]), data or {}).status_code == 302, name

    act("reconciliation_reject", books.ambiguous, {"invoices": str(invoices["RE-2026-0001"].pk)})
    act("reconciliation_accept", books.ambiguous, {"invoices": str(invoices["RE-2026-0002"].pk)})
    act("reconciliation_ignore", books.refund, {"reason": "Erstattung"})
    pk = invoices["RE-2026-0003"].pk
    act("reconciliation_map_save", books.collective, {"invoice": [pk], f"amount_{pk}": "100"})
    act("reconciliation_undo", Match.objects.get(transaction=books.auto))
    assert sorted(RejectedSuggestion.objects.values_list("undone", flat=True)) == [False, True]  # rejected, undone
    assert TransactionState.objects.get(pk=books.refund.pk).status == "ignored"
    assert sorted(m.transaction_id for m in Match.objects.filter(undone_at__isnull=True)) == sorted(
        [books.ambiguous.pk, books.collective.pk]
    )


def test_the_settings_service_refuses_what_the_engine_cannot_use(company, admin):
    from kassenwart.reconciliation.services import ReconciliationError, matching_config_update

    with pytest.raises(ReconciliationError):
        matching_config_update(company, user=admin, criteria=["amount", "horoscope"])
    with pytest.raises(ReconciliationError):
        matching_config_update(company, user=admin, skonto_percents="zwei")
    with pytest.raises(ReconciliationError):
        matching_config_update(company, user=admin, automation="sometimes")
    with pytest.raises(TypeError):
        matching_config_update(company, user=admin, last_run_at=None)
    assert not MatchingConfig.objects.filter(company=company).exists()  # each attempt rolled back whole
    assert not AuditEvent.objects.filter(action="matching_config.updated").exists()
