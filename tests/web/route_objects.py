"""The objects every route of the web app works on, for one company: built by `company_rows`
for the cross-company test (test_web_isolation.py) and the table of who may do what
(test_route_table.py), through the `two_companies` fixture (conftest.py)."""

from datetime import date
from decimal import Decimal

from django.urls import URLResolver

from kassenwart.banking.models import Balance, BankConnection
from kassenwart.companies.api_tokens import token_create
from kassenwart.companies.support import support_grant
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payments.models import Mandate, PaymentOrder, SendAttempt
from kassenwart.reconciliation.models import TransactionState
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


def company_rows(company, db_rows, label, make_member):
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
    endpoint, delivery = _webhook_rows(company, label)
    User.objects.create_user(f"support-{label}")
    grantor = make_member(company, f"admin-{label}", "admin")
    grant = support_grant(company, f"support-{label}", 4, by=grantor.user, via="test")
    api_token = token_create(company, user=grantor.user, name=f"CRM {label}", scope="read", by=None, via="test").token
    return {
        "api_token_revoke": api_token,
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
        **{name: endpoint for name in WEBHOOK_ROUTES},
        **{name: delivery for name in DELIVERY_ROUTES},
    }


WEBHOOK_ROUTES = ("webhook_detail", "webhook_state", "webhook_secret", "webhook_delete")
DELIVERY_ROUTES = ("webhook_delivery", "webhook_replay")


def _webhook_rows(company, label):
    """A webhook endpoint (the receiver is not reached: nothing runs the delivery task) with
    one delivery in its log."""
    from django.utils import timezone

    from kassenwart.webhooks.models import Delivery
    from kassenwart.webhooks.services import endpoint_create

    endpoint, _secret = endpoint_create(company, url=f"https://crm-{label}.example.com/hooks",
                                        description=f"{FOREIGN_NAME} {label} CRM", events=["payment.matched"],
                                        user=None, via="test")
    now = timezone.now()
    delivery = Delivery.objects.create(company=company, endpoint=endpoint, event_id=f"evt_test_{label}",
                                       event_type="payment.matched", audit_event_id=0, occurred_at=now,
                                       payload={"counterparty_name": f"{FOREIGN_NAME} {label}"},
                                       next_attempt_at=None, state=Delivery.State.SUCCEEDED)
    return endpoint, delivery


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


def routes(patterns=urlpatterns):
    """Every named route of the web app, also those of included URL modules. The REST API (its
    own routes, asked with tokens, not sessions) has its table in tests/api/test_api_isolation.py."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name) == "kassenwart.api.urls":
                continue
            yield from routes(pattern.url_patterns)
        else:
            yield pattern
