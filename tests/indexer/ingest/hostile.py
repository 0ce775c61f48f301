"""Extraction that misbehaves, for tests: the indexer's worker process imports this module by name.

Each function refuses to run in the indexing process itself, so a test that uses it fails (instead of
hanging or crashing the test run) where extraction is not isolated.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

from indexer.ingest.sources import SourceDocument
from indexer.ingest.sources import load_document as real_load_document


def _in_worker() -> None:
    if multiprocessing.parent_process() is None:
        raise RuntimeError("hostile extraction ran inside the indexing process itself")


def load_document(path: Path, **options: Any) -> SourceDocument:
    """The real ``load_document``, except for files named with "crash", "hang" or "hog"."""
    _in_worker()
    if "crash" in path.stem:
        os.kill(os.getpid(), signal.SIGSEGV)
    if "hang" in path.stem:
        time.sleep(3600)
    if "hog" in path.stem:
        eat_memory()
    document = real_load_document(path, **options)
    document.extra["worker_pid"] = os.getpid()
    return document


def eat_memory(gigabytes: int = 3) -> int:
    """Fill memory 64 MB at a time (pages touched, so they are really used) up to ``gigabytes``."""
    _in_worker()
    held = [b"\1" * 2**26 for _ in range(gigabytes * 16)]
    return len(held)


def sleep(seconds: float) -> float:
    _in_worker()
    time.sleep(seconds)
    return seconds


def segfault() -> None:
    _in_worker()
    os.kill(os.getpid(), signal.SIGSEGV)


def slow_steps(steps: int, seconds: float) -> int:
    """``steps`` steps of ``seconds`` each, telling the parent after each that work goes on (as OCR does)."""
    from indexer.ingest.worker import keep_alive

    _in_worker()
    for _ in range(steps):
        time.sleep(seconds)
        keep_alive()
    return steps


def pid() -> int:
    return os.getpid()
