"""The same bills uploaded by several people at the same moment, each upload a batch written in
one transaction: every bill is made once, with its file and its audit event, and every other
upload gets "duplicate" for it, not an error. Real threads, each on its own PostgreSQL
connection (SQLite lets one writer at a time: nothing would overlap there)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from needs_postgresql import MARKS

from kassenwart.core.models import AuditEvent
from kassenwart.flows.bills import bills_import
from kassenwart.payables.models import Bill, BillFile

from einvoices import Spec, cii, ubl

pytestmark = MARKS
UPLOADERS = 8
WAIT = 300  # seconds, generous for a loaded machine


def test_the_same_bills_uploaded_at_once_are_made_once_and_the_others_hear_duplicate(company, member):
    files = [(f"re-{n}.xml", (ubl if n % 2 else cii)(Spec(number=f"RE-{n}"))) for n in range(6)]
    start = threading.Barrier(UPLOADERS, timeout=WAIT)

    def upload(n):
        try:
            start.wait()
            # each its own order of the files, so the uploads overlap in different places
            mine = files[n % len(files):] + files[:n % len(files)]
            return {result.file: result.status for result in bills_import(company, mine, user=member, via="test")}
        finally:
            connections.close_all()

    with ThreadPoolExecutor(UPLOADERS) as pool:
        answers = [future.result(timeout=WAIT) for future in [pool.submit(upload, n) for n in range(UPLOADERS)]]
    for name, _data in files:
        said = [answer[name] for answer in answers]
        assert sorted(said) == ["duplicate"] * (UPLOADERS - 1) + ["imported"], (name, said)
    assert Bill.objects.filter(company=company).count() == BillFile.objects.filter(company=company).count() == 6
    assert AuditEvent.objects.filter(action="bill.imported").count() == 6
    assert AuditEvent.objects.filter(action="bill.duplicate_seen").count() == 6 * (UPLOADERS - 1)
