"""One company never sees another's data through any page."""

from django.urls import reverse

from kassenwart.companies.middleware import SESSION_KEY
from kassenwart.reconciliation.models import Match, TransactionState

from route_objects import FOREIGN_IBAN, FOREIGN_NAME, routes


def _object_routes():
    return [p for p in routes() if "pk" in p.pattern.converters]


def test_every_object_route_is_covered(two_companies):
    _, ours, _ = two_companies
    names = {p.name for p in _object_routes()}
    assert names, "the web URLconf has no object routes?"
    missing = names - ours.keys()
    assert not missing, f"new object routes {missing}: add their objects to route_objects.company_rows"


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
        reverse("webhook_list"),
        reverse("webhook_detail", args=[ours["webhook_detail"].pk]),
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
    assert f"{FOREIGN_NAME} ours CRM" in client.get(reverse("webhook_list")).content.decode()


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
    for pattern in routes():
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
