"""`kassenwart init` and `kassenwart worker` (the CLI entry points around the services)."""

import io

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kassenwart.companies.models import Company, Membership
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.models import Match
from kassenwart.runtime.worker import make_worker


def test_init_creates_company_and_admin_once(db):
    out = io.StringIO()
    call_command("init", company="Nordlicht Software GmbH", admin="anna", stdout=out)
    assert "Created company 'Nordlicht Software GmbH'" in out.getvalue()
    assert "Created admin 'anna' with password " in out.getvalue()
    call_command("init", company="Nordlicht Software GmbH", admin="anna", stdout=io.StringIO())
    assert Company.objects.count() == 1
    assert Membership.objects.get(user__username="anna").role == "admin"


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
    assert set(ready) == {"after_import_task"}  # sent orders followed, then matching
    for queued in ready.values():
        make_worker(batch=True).run_task(queued)
        queued.refresh_from_db()
        assert queued.status == "SUCCESSFUL", queued.exception_class_path
    assert Match.objects.filter(company=company, kind="auto").count() == 1
