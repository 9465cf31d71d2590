"""`kassenwart init` and `kassenwart worker` (the CLI entry points around the services), and
the language the command line speaks."""

import io

import django
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from kassenwart.companies.models import Company, Membership
from kassenwart.core.models import User
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.models import Match
from kassenwart.runtime.cli import installed_version, main
from kassenwart.runtime.worker import make_worker


def init(**options) -> list[str]:
    out = io.StringIO()
    call_command("init", stdout=out, **options)
    return out.getvalue().splitlines()


def test_init_creates_company_and_admin_once(db):
    first = init(company="Nordlicht Software GmbH", admin="anna")
    assert first[1] == f"Created company 'Nordlicht Software GmbH' (id {Company.objects.get().pk})."
    # No terminal here: no password is made up and printed; the admin sets one later.
    assert first[2] == ("Created admin 'anna' of 'Nordlicht Software GmbH' without a password; set one with: "
                        "kassenwart changepassword anna")
    assert not User.objects.get(username="anna").has_usable_password()
    again = init(company="Nordlicht Software GmbH", admin="anna")
    assert again[1:] == [
        f"Company 'Nordlicht Software GmbH' exists already (id {Company.objects.get().pk}).",
        "User 'anna' is an admin of 'Nordlicht Software GmbH' already.",
    ]
    assert Company.objects.count() == 1
    assert Membership.objects.get(user__username="anna").role == "admin"


def test_init_never_prints_a_given_password(db):
    lines = init(company="Nordlicht Software GmbH", admin="anna", password="correct horse battery")
    assert lines[2] == "Created admin 'anna' of 'Nordlicht Software GmbH' with the password given."
    assert not any("correct horse" in line for line in lines)
    assert User.objects.get(username="anna").check_password("correct horse battery")


def test_init_says_that_an_existing_users_password_was_left_alone(db):
    init(company="Nordlicht Software GmbH", admin="anna", password="correct horse battery")
    lines = init(company="Nordlicht Software GmbH", admin="anna", password="another long passphrase")
    assert "User 'anna' exists already; the password was left alone (change it with: kassenwart changepassword anna)." in lines
    assert User.objects.get(username="anna").check_password("correct horse battery")


def test_init_makes_an_existing_user_admin_of_the_one_company(company, member):
    lines = init(admin=member.username)
    assert lines[-1] == f"User '{member.username}' exists already and is an admin of '{company.name}' now."
    assert Membership.objects.get(user=member).role == "admin"


def test_init_refuses_a_password_without_its_user(db):
    with pytest.raises(CommandError, match="--password is the password of --admin USER"):
        call_command("init", password="correct horse battery", stdout=io.StringIO())
    assert not User.objects.exists()


def test_a_command_speaks_english_unless_kassenwart_language_says_otherwise(company, tmp_path, capsys):
    from camt_files import camt, entry

    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.write_bytes(camt([entry("12.00")], iban="DE89370400440532013000").getvalue())
    second.write_bytes(camt([entry("13.00")], iban="DE02120300000000202051").getvalue())
    with translation.override("de"):  # Django's LANGUAGE_CODE, which the command line does not follow
        assert main(["kassenwart", "import-statement", str(first)]) == 0
    english = capsys.readouterr().out
    assert "Added account DE89370400440532013000." in english and "Konto" not in english
    with override_settings(CLI_LANGUAGE="de"):
        assert main(["kassenwart", "import-statement", str(second)]) == 0
    assert "Konto DE02120300000000202051 angelegt." in capsys.readouterr().out


def test_the_worker_runs_the_matching_a_cli_import_enqueued(company, django_capture_on_commit_callbacks, tmp_path):
    from camt_files import camt, entry

    header = "invoice_number,customer_number,customer_name,amount\n"
    invoice_import(company, (header + "INV-77123,1,Muster GmbH,250.00\n").encode())
    statement = tmp_path / "s.xml"
    statement.write_bytes(camt([entry("250.00", text="Rechnung INV-77123")]).getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_statement", str(statement), stdout=io.StringIO())
    assert not Match.objects.exists()  # nothing matched inside the import itself
    # What `kassenwart worker` does with a ready task (its loop also recycles database
    # connections, which would end the test's transaction on PostgreSQL).
    ready = {task.task_path.rsplit(".", 1)[-1]: task for task in DBTaskResult.objects.ready()}
    # sent orders followed, then matching; and the text search's index caught up
    assert set(ready) == {"after_import_task", "text_index_task"}
    for queued in ready.values():
        make_worker(batch=True).run_task(queued)
        queued.refresh_from_db()
        assert queued.status == "SUCCESSFUL", queued.exception_class_path
    assert Match.objects.filter(company=company, kind="auto").count() == 1


def test_version_names_kassenwart_and_django(capsys):
    assert main(["kassenwart", "--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kassenwart {installed_version()} (Django {django.get_version()})"


def test_reset_two_factor_lets_an_admin_who_lost_the_phone_back_in(company, make_user):
    from kassenwart.companies.two_factor import authenticator_issue, authenticator_of
    from kassenwart.core.models import AuditEvent

    admin = make_user(company, "admin")
    authenticator_issue(admin, via="test")
    out = io.StringIO()
    call_command("reset_two_factor", admin.username, stdout=out)
    assert out.getvalue().startswith(f"Removed the authenticator app and recovery codes of {admin.username}")
    assert authenticator_of(admin) is None
    removed = AuditEvent.objects.get(action="two_factor.removed")
    assert (removed.company, removed.actor_label, removed.actor) == (company, "cli", None)
    again = io.StringIO()
    call_command("reset_two_factor", admin.username, stdout=again)
    assert "has no authenticator app" in again.getvalue()
    with pytest.raises(CommandError, match="There is no user nobody"):
        call_command("reset_two_factor", "nobody")
