"""core.offload: a generator in a child interpreter, its items streamed back."""

import os
import pickle
import signal
import time
from pathlib import Path

import pytest
from offload_children import gone, offload_children

from kassenwart.core.offload import OffloadError, Stream, streamed


@pytest.fixture(autouse=True)
def jobs_importable(monkeypatch):
    """The child finds offload_jobs.py beside this file (it inherits the environment)."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


def test_items_come_back_in_order_across_batches():
    assert list(streamed("offload_jobs:numbers", 2503, batch=100)) == [(n, f"item {n}") for n in range(2503)]


def test_an_empty_generator_gives_nothing():
    assert list(streamed("offload_jobs:numbers", 0)) == []


def test_the_childs_exception_is_raised_here_with_where_it_happened():
    items = []
    with pytest.raises(ValueError, match="broken after 5") as raised:
        for item in streamed("offload_jobs:broken_after", 5, batch=2):
            items.append(item)
    assert items == [0, 1, 2, 3, 4]  # what came before the failure
    note = "\n".join(raised.value.__notes__)
    assert "child process running offload_jobs:broken_after" in note
    assert "offload_jobs.py" in note and "raise ValueError" in note


def test_an_exception_that_cannot_be_pickled_becomes_an_offload_error_with_its_text():
    with pytest.raises(OffloadError, match="Unpicklable: with a lambda attached") as raised:
        list(streamed("offload_jobs:unpicklable_failure"))
    assert raised.value.ending == "Unpicklable: with a lambda attached"


def test_an_item_that_cannot_be_pickled_fails_the_stream_with_the_reason():
    items = []
    with pytest.raises((pickle.PicklingError, AttributeError), match="pickle .*lambda"):
        for item in streamed("offload_jobs:unpicklable_item", batch=1):
            items.append(item)
    assert items == [1]


def test_a_missing_target_is_refused():
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        list(streamed("no_such_module:items"))
    with pytest.raises(ValueError, match="not 'module:function'"):
        list(streamed("offload_jobs.numbers"))


def test_a_child_killed_midway_fails_the_stream():
    with Stream("offload_jobs:endless", batch=1) as stream:
        stream.start()
        items = iter(stream)
        assert next(items) == 0
        os.kill(stream.pid, signal.SIGKILL)
        with pytest.raises(OffloadError, match="ended without finishing.*killed by signal SIGKILL") as raised:
            for _item in items:
                pass
    assert raised.value.ending == "killed by signal SIGKILL"


def test_leaving_the_loop_early_kills_the_child():
    with Stream("offload_jobs:endless", batch=1) as stream:
        stream.start()
        for _item in stream:
            break
        pid = stream.pid
    assert gone(pid)


def test_a_closed_generator_kills_its_child():
    before = set(offload_children())  # none, unless a test before left one behind
    items = streamed("offload_jobs:endless", batch=1)
    assert next(items) == 0
    children = set(offload_children()) - before
    items.close()
    assert len(children) == 1 and all(gone(pid) for pid in children)


def test_what_the_job_prints_does_not_enter_the_stream(capfd):
    assert list(streamed("offload_jobs:chatty", 3)) == [0, 1, 2]
    assert "printing 2 on stdout" in capfd.readouterr().err


def test_the_child_reads_a_file_this_process_opened(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"first\nsecond\n")
    with open(path, "rb") as file:
        fd = file.fileno()
        assert list(streamed("offload_jobs:lines_of", fd, pass_fds=[fd])) == [b"first", b"second"]


def test_the_child_never_waits_for_this_process_to_read():
    """Far more than a pipe holds: the child finishes while nothing here reads yet."""
    with Stream("offload_jobs:numbers", batch=5000) as stream:
        stream.start(200_000)
        deadline = time.monotonic() + 60
        while stream._process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stream._process.returncode == 0, "the child waited for its reader"
        assert sum(1 for _item in stream) == 200_000
