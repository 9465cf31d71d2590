"""One company never sees another's data through any page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLResolver, reverse

from kassenwart.banking.models import Balance, BankConnection
from kassenwart.companies.middleware import SESSION_KEY
from kassenwart.companies.support import support_grant
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payments.models import Mandate, PaymentOrder, SendAttempt
from kassenwart.reconciliation.models import Match, TransactionState
from kassenwart.reconciliation.services import match_create
from kassenwart.web.urls import urlpatterns

FOREIGN_NAME = "Geheimlieferant Zeta"
FOREIGN_IBAN = "AT611904300234573201"


ORDER_ROUTES = ("payment_detail", "payment_submit", "payment_approve", "payment_cancel", "payment_send",
                "payment_payee", "payment_tan", "payment_resolve")
EXPORTED_ROUTES = ("payment_pain", "payment_uploaded")  # an order exported as a pain file
CONNECTION_ROUTES = ("connection_detail", "connection_choose_tan", "connection_sync", "connection_tan", "connection_tan_poll")
MANDATE_ROUTES = ("mandate_detail", "mandate_amend", "mandate_revoke")
COLLECTION_ROUTES = ("collection_detail", "collection_release", "collection_cancel")
PLAN_ROUTES = ("plan_detail", "plan_edit", "plan_stop")


def _company_rows(company, db_rows, label, make_member):
    account = db_rows.account(company, name=f"Konto {label}")
    record = db_rows.statement_import(company, file_name=f"auszug-{label}.xml")
    tx = db_rows.transaction(
        account,
        "-777.77",
        statement_import=record,
        counterparty_name=f"{FOREIGN_NAME} {label}",
        counterparty_iban=FOREIGN_IBAN,
        remittance=f"Rechnung {label}",
    )
    pending = db_rows.pending(account, "55.55", statement_import=record, counterparty_name=f"Vorgemerkt {label}")
    db_rows.balance(account, Balance.Kind.BOOKED, date(2026, 7, 21), "4242.42")
    invoice = db_rows.invoice(company, f"RE-{label}-1", "777.77")
    colleague = make_member(company, f"colleague-{label}")
    payment, match = _reconciliation_rows(company, db_rows, account, record, invoice, label)
    notify(company, "info", message("banking.connection_needs_tan", name=f"Hinweis {label}"),
           link="/reconciliation/open/")
    connection = BankConnection.objects.create(
        company=company, kind="fints", name=f"Bank {label}", bank_code="99990000", login=f"login-{label}"
    )
    order = PaymentOrder.objects.create(company=company, account=account, requested_date=date(2026, 12, 1),
                                        created_by=colleague.user)
    order.transfers.create(drafted_by=colleague.user, payee_name=f"{FOREIGN_NAME} {label}", iban=FOREIGN_IBAN, amount=Decimal("777.77"))
    mandate = Mandate.objects.create(company=company, customer=invoice.customer, reference=f"MR-{label}",
                                     creditor_id="DE98ZZZ09999999999", signed_on=date(2026, 3, 1),
                                     debtor_name=f"{FOREIGN_NAME} {label}", iban=FOREIGN_IBAN)
    exported = PaymentOrder.objects.create(company=company, account=account, requested_date=date(2026, 12, 1),
                                           created_by=colleague.user, delivery="file", state="exported",
                                           message_id=f"KW-{label}")
    exported.transfers.create(drafted_by=colleague.user, payee_name=f"{FOREIGN_NAME} {label}", iban=FOREIGN_IBAN,
                              amount=Decimal("777.77"))
    SendAttempt.objects.create(order=exported, requested_date=date(2026, 12, 1), delivery="file", outcome="exported",
                               pain=f"<Document><Nm>{FOREIGN_NAME} {label}</Nm></Document>".encode())
    collection, plan = _debit_rows(company, account, invoice, colleague.user, label)
    User.objects.create_user(f"support-{label}")
    grantor = make_member(company, f"admin-{label}", "admin")
    grant = support_grant(company, f"support-{label}", 4, by=grantor.user, via="test")
    return {
        "member_change": colleague,
        "support_end": grant,
        **{name: order for name in ORDER_ROUTES},
        **{name: exported for name in EXPORTED_ROUTES},
        "account_detail": account,
        "transaction_detail": tx,
        "pending_detail": pending,
        "statement_detail": record,
        "invoice_detail": invoice,
        **{name: payment for name in PAYMENT_ROUTES},
        "reconciliation_undo": match,
        "notification_open": Notification.objects.filter(company=company).order_by("user__username").first(),
        **{name: connection for name in CONNECTION_ROUTES},
        "customer_detail": invoice.customer,
        **{name: mandate for name in MANDATE_ROUTES},
        "debit_settings_account": account,
        **{name: collection for name in COLLECTION_ROUTES},
        **{name: plan for name in PLAN_ROUTES},
        "collection_for_invoice": invoice,
    }


def _debit_rows(company, account, invoice, user, label):
    """A customer's mandate with a collection plan, and a collection of an invoice under it."""
    from kassenwart.payments.models import Collection, CollectionPlan, Mandate
    from kassenwart.receivables.models import Customer

    customer = Customer.objects.create(company=company, number=f"K-{label}", name=f"{FOREIGN_NAME} {label} Lastschrift")
    mandate = Mandate.objects.create(company=company, customer=customer, reference=f"MND-{label}",
                                     creditor_id="DE98ZZZ09999999999", signed_on=date(2026, 1, 1),
                                     debtor_name=customer.name, iban=FOREIGN_IBAN, created_by=user)
    plan = CollectionPlan.objects.create(company=company, mandate=mandate, account=account, amount=Decimal("49.00"),
                                         day=1, starts_on=date(2026, 8, 1), remittance=f"Lizenz {label}",
                                         invoice_prefix=f"LIZ-{label}-", created_by=user)
    collection = Collection.objects.create(company=company, mandate=mandate, invoice=invoice, account=account,
                                           amount=Decimal("777.77"), due_date=date(2026, 12, 1), drafted_by=user)
    return collection, plan


PAYMENT_ROUTES = (
    "reconciliation_map",
    "reconciliation_map_rows",
    "reconciliation_map_save",
    "reconciliation_accept",
    "reconciliation_reject",
    "reconciliation_ignore",
    "reconciliation_unignore",
)


def _reconciliation_rows(company, db_rows, account, record, invoice, label):
    """An open incoming payment with a suggestion for `invoice`, and a payment matched by hand."""
    payment = db_rows.transaction(
        account, "777.77", statement_import=record, counterparty_name=f"{FOREIGN_NAME} {label} Zahlung",
        counterparty_iban=FOREIGN_IBAN, remittance=f"Zahlung {label}",
    )
    suggestion = {"allocations": {str(invoice.pk): "777.77"}, "confidence": 0.5, "reasons": [f"Grund {label}"]}
    TransactionState.objects.create(transaction=payment, company=company, suggestions=[suggestion])
    paid = db_rows.transaction(account, "100.00", statement_import=record, counterparty_name=f"{FOREIGN_NAME} {label} bezahlt")
    second = db_rows.invoice(company, f"RE-{label}-2", "100.00")
    match = match_create(company, paid, [(second, Decimal("100.00"), Decimal("0.00"))], user=None)
    return payment, match


@pytest.fixture
def two_companies(company, other_company, db_rows, make_user):
    def make_member(owner, username, role="member"):
        from kassenwart.companies.models import Membership

        return Membership.objects.get(company=owner, user=make_user(owner, role, username))

    user = make_user(company, "admin", "anna")
    ours = _company_rows(company, db_rows, "ours", make_member)
    theirs = _company_rows(other_company, db_rows, "theirs", make_member)
    return user, ours, theirs


def _routes(patterns=urlpatterns):
    """Every named route of the web app, also those of included URL modules."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns)
        else:
            yield pattern


def _object_routes():
    return [p for p in _routes() if "pk" in p.pattern.converters]


def test_every_object_route_is_covered(two_companies):
    _, ours, _ = two_companies
    names = {p.name for p in _object_routes()}
    assert names, "the web URLconf has no object routes?"
    missing = names - ours.keys()
    assert not missing, f"new object routes {missing}: add their objects to _company_rows"


def test_objects_of_another_company_are_404(two_companies, client_for):
    user, ours, theirs = two_companies
    client = client_for(user)
    for pattern in _object_routes():
        own_url = reverse(pattern.name, kwargs={"pk": ours[pattern.name].pk})
        foreign_url = reverse(pattern.name, kwargs={"pk": theirs[pattern.name].pk})
        own = client.get(own_url)
        send = client.get
        if own.status_code == 405:  # an action: it answers POST only
            send = client.post
            own = send(own_url)
        assert own.status_code in (200, 302, 400), pattern.name  # 400: an empty form, refused
        foreign = send(foreign_url)
        assert foreign.status_code == 404, pattern.name
        assert FOREIGN_NAME.encode() not in foreign.content


def _assert_nothing_foreign(response):
    assert response.status_code == 200
    text = response.content.decode()
    for marker in ("Alpenglück", f"{FOREIGN_NAME} theirs", "Konto theirs", "auszug-theirs", "RE-theirs", "Vorgemerkt theirs",
                   "MR-theirs"):
        assert marker not in text


def test_lists_never_show_another_companys_rows(two_companies, client_for):
    user, ours, theirs = two_companies
    client = client_for(user)
    pages = [
        reverse("home"),
        reverse("transaction_list"),
        reverse("transaction_list") + "?q=777,77",
        reverse("transaction_list") + f"?q={FOREIGN_NAME}",
        reverse("transaction_list") + f"?q={FOREIGN_IBAN}",
        reverse("transaction_list") + f"?account={theirs['account_detail'].pk}",
        reverse("transaction_list") + f"?statement={theirs['statement_detail'].pk}",
        reverse("statement_list"),
        reverse("statement_result") + f"?ids={theirs['statement_detail'].pk},{ours['statement_detail'].pk}",
        reverse("invoice_list"),
        reverse("invoice_list") + "?q=777,77",
        reverse("audit_log"),
        reverse("reconciliation_open"),
        reverse("reconciliation_open") + "?q=777,77",
        reverse("reconciliation_open") + f"?q={FOREIGN_NAME}",
        reverse("reconciliation_open") + f"?account={theirs['account_detail'].pk}",
        reverse("reconciliation_open") + "?status=ignored",
        reverse("reconciliation_matched"),
        reverse("reconciliation_matched") + "?q=RE-",
        reverse("reconciliation_matched") + "?q=100,00",
        reverse("notification_list"),
        reverse("payment_list"),
        reverse("payment_list") + "?state=draft",
        reverse("mandate_list"),
        reverse("mandate_list") + f"?q={FOREIGN_NAME}",
        reverse("mandate_list") + f"?q={FOREIGN_IBAN}",
        reverse("customer_list"),
        reverse("debit_settings"),
        reverse("collection_list"),
        reverse("plan_list"),
    ]
    for url in pages:
        _assert_nothing_foreign(client.get(url))
    # and the lists do show our own rows, so the check above is not vacuous
    assert f"{FOREIGN_NAME} ours" in client.get(reverse("transaction_list") + "?q=777,77").content.decode()
    assert "Vorgemerkt ours" in client.get(reverse("transaction_list")).content.decode()
    assert "RE-ours-1" in client.get(reverse("reconciliation_open") + "?q=777,77").content.decode()
    assert "RE-ours-2" in client.get(reverse("reconciliation_matched") + "?q=100,00").content.decode()
    assert "Hinweis ours" in client.get(reverse("notification_list")).content.decode()
    assert f"{FOREIGN_NAME} ours" in client.get(reverse("payment_list")).content.decode()
    assert f"{FOREIGN_NAME} ours" in client.get(reverse("mandate_list") + f"?q={FOREIGN_NAME}").content.decode()
    assert "Konto ours" in client.get(reverse("debit_settings")).content.decode()
    assert f"{FOREIGN_NAME} ours Lastschrift" in client.get(reverse("collection_list")).content.decode()
    assert f"{FOREIGN_NAME} ours Lastschrift" in client.get(reverse("plan_list")).content.decode()


def test_switch_only_to_own_companies(two_companies, client_for, other_company, company):
    user, _, _ = two_companies
    client = client_for(user)
    response = client.post(reverse("company_switch"), {"company": other_company.pk})
    assert response.status_code == 404
    assert client.session.get(SESSION_KEY) != other_company.pk
    _assert_nothing_foreign(client.get(reverse("transaction_list")))


def test_switch_to_a_company_of_the_user(two_companies, client_for, other_company):
    from kassenwart.companies.services import membership_set

    user, _, theirs = two_companies
    membership_set(other_company, user, "member", by=None, via="test")
    client = client_for(user)
    response = client.post(reverse("company_switch"), {"company": other_company.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == other_company.pk
    assert f"{FOREIGN_NAME} theirs" in client.get(reverse("transaction_list")).content.decode()
    detail = reverse("transaction_detail", kwargs={"pk": theirs["transaction_detail"].pk})
    assert client.get(detail).status_code == 200
    assert client.get(reverse("company_switch")).status_code == 405


# The pages for a forgotten password serve people who cannot log in.
PUBLIC = {"password_reset", "password_reset_sent", "password_reset_confirm", "password_reset_complete"}


def test_anonymous_is_sent_to_login_from_every_page(db, client):
    for pattern in _routes():
        if pattern.name in ("login", "logout", "company_switch", "statement_upload") or pattern.name in PUBLIC:
            continue
        kwargs = {"pk": 1} if "pk" in pattern.pattern.converters else {}
        url = reverse(pattern.name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 405:  # an action: it answers POST only
            response = client.post(url)
        assert response.status_code == 302, pattern.name
        assert response["Location"].startswith(reverse("login")), pattern.name


def test_reconciliation_actions_on_another_companys_objects_change_nothing(two_companies, client_for):
    """Well-formed actions aimed at the other company's payment, match and invoices are 404s
    and leave their rows as they were."""
    user, ours, theirs = two_companies
    client = client_for(user)
    payment, match = theirs["reconciliation_map"], theirs["reconciliation_undo"]
    invoice = theirs["invoice_detail"]
    actions = {
        "reconciliation_accept": {"invoices": str(invoice.pk)},
        "reconciliation_reject": {"invoices": str(invoice.pk)},
        "reconciliation_ignore": {"reason": "Darlehen"},
        "reconciliation_map_save": {"invoice": [invoice.pk], f"amount_{invoice.pk}": "777,77"},
    }
    for name, data in actions.items():
        assert client.post(reverse(name, args=[payment.pk]), data).status_code == 404, name
    assert client.post(reverse("reconciliation_undo", args=[match.pk])).status_code == 404
    state = TransactionState.objects.get(pk=payment.pk)
    assert (state.status, len(state.suggestions)) == ("open", 1)
    assert not Match.objects.filter(transaction=payment).exists()
    assert Match.objects.get(pk=match.pk).undone_at is None

    # our own payment cannot be mapped to their invoice either
    own = ours["reconciliation_map"]
    data = {"invoice": [invoice.pk], f"amount_{invoice.pk}": "777,77"}
    response = client.post(reverse("reconciliation_map_save", args=[own.pk]), data)
    assert response.status_code == 400
    assert "RE-theirs" not in response.content.decode()
    assert not Match.objects.filter(transaction=own).exists()
