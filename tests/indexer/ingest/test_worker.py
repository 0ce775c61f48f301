"""The worker process: a call that crashes, hangs or eats memory fails alone, and the next call is served."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.core.errors import CorruptFileError, ExtractionError, ReaderCrashedError, TooLargeError, TooSlowError
from indexer.ingest.sources import load_document
from indexer.ingest.worker import Worker
from tests.documents import FRENCH_AI

from . import hostile


@pytest.fixture
def worker() -> Iterator[Worker]:
    with Worker(memory_mb=512, seconds=2) as worker:
        yield worker


def test_calls_run_in_another_process_that_is_reused(worker: Worker) -> None:
    first = worker.call(hostile.pid)
    assert first != os.getpid() and worker.call(hostile.pid) == first and worker.started == 1


def test_a_hang_a_crash_and_a_memory_hog_each_fail_alone(worker: Worker) -> None:
    started = time.monotonic()
    with pytest.raises(TooSlowError, match=r"longer than 2 s .*PASSERELLE_MAX_SECONDS_PER_FILE"):
        worker.call(hostile.sleep, 3600)
    assert time.monotonic() - started < 5
    assert worker.call(hostile.sleep, 0.1) == 0.1
    with pytest.raises(ReaderCrashedError, match="SIGSEGV"):
        worker.call(hostile.segfault)
    assert worker.call(hostile.sleep, 0.1) == 0.1
    with pytest.raises(TooLargeError, match=r"512 MB .*PASSERELLE_EXTRACT_MEMORY_MB"):
        worker.call(hostile.eat_memory)
    assert worker.call(hostile.sleep, 0.1) == 0.1
    assert worker.started == 4  # a fresh worker after each failure


def test_a_worker_killed_from_outside_is_replaced(worker: Worker) -> None:
    first = worker.call(hostile.pid)
    os.kill(first, 9)
    time.sleep(0.2)
    assert worker.call(hostile.pid) not in (first, os.getpid())


def test_work_that_reports_progress_may_take_longer_than_the_limit(worker: Worker) -> None:
    assert worker.call(hostile.slow_steps, 3, 1.2) == 3  # 3.6 s in all, never 2 s without news


def test_extraction_errors_come_back_as_themselves(worker: Worker, tmp_path: Path) -> None:
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(CorruptFileError, match="Word document"):
        worker.call(load_document, tmp_path / "broken.docx", corpus_root=tmp_path, entry=None)
    (tmp_path / "notes.md").write_text(f"# Notes\n\n{FRENCH_AI}\n", encoding="utf-8")
    document = worker.call(load_document, tmp_path / "notes.md", corpus_root=tmp_path, entry=None)
    assert document.title == "Notes" and document.content_hash


def test_closing_stops_a_call_running_in_another_thread(worker: Worker) -> None:
    errors: list[Exception] = []

    def call() -> None:
        try:
            worker.call(hostile.sleep, 3600)
        except ExtractionError as exc:
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    worker.close()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 1
    assert len(errors) == 1 and "stopped" in str(errors[0])
    with pytest.raises(ExtractionError, match="stopped"):
        worker.call(hostile.pid)
