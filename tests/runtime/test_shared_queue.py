"""Several `kassenwart worker` processes on one PostgreSQL database share the queue: each
task is done exactly once, whichever worker takes it. (PostgreSQL only: the queue's rows are
taken with SELECT ... FOR UPDATE SKIP LOCKED, and SQLite lets one writer at a time.)"""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from django_tasks_db.models import DBTaskResult
from needs_postgresql import MARKS, database_url
from queue_probe import note_done

from kassenwart.core.models import AuditEvent

pytestmark = MARKS
TASKS = 1000
WORKERS = 3
TIMEOUT = 600  # seconds for all of them: generous for a loaded machine


def test_postgresql_three_worker_processes_do_each_of_1000_tasks_exactly_once():
    for number in range(TASKS):
        note_done.enqueue(number)
    env = {**os.environ, "DATABASE_URL": database_url(),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    workers = [subprocess.Popen([sys.executable, "-m", "kassenwart", "worker", "--batch", "--interval", "0.1"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(WORKERS)]
    outputs = [worker.communicate(timeout=TIMEOUT)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * WORKERS, outputs
    done = Counter(AuditEvent.objects.filter(action="probe.done").values_list("object_id", flat=True))
    assert done == Counter({str(n): 1 for n in range(TASKS)}), [n for n, times in done.items() if times != 1]
    results = DBTaskResult.objects.filter(task_path__endswith="note_done")
    assert Counter(results.values_list("status", flat=True)) == {"SUCCESSFUL": TASKS}
    by_process = Counter(e.after["pid"] for e in AuditEvent.objects.filter(action="probe.done"))
    print(f"\n{TASKS} tasks, {WORKERS} worker processes; done per process: {sorted(by_process.values())}")
    assert len(by_process) >= 2, "one process did every task: the queue was not shared"
