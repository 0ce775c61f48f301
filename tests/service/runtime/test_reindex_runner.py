"""The re-index runner: one run at a time, and requests made during a run merged into one more run after it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from service.runtime import reindex
from service.runtime.reindex import Reindexer


class _Runs:
    """Stands for ``index_corpus``: each run waits until the test lets it finish."""

    def __init__(self) -> None:
        self.calls: list[bool] = []
        self.release = threading.Semaphore(0)

    def __call__(self, corpus: Path, *, full: bool, **kwargs: Any) -> Any:
        self.calls.append(full)
        self.release.acquire(timeout=10)
        return SimpleNamespace(as_dict=dict, index_path="/tmp/gen", documents=0, passages=0, added=[], changed=[],
                               removed=[], unchanged=0, failed=[], skipped=[], embedded_passages=0, seconds=0.0)


def _wait(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> _Runs:
    fake = _Runs()
    monkeypatch.setattr(reindex, "index_corpus", fake)
    return fake


def _runner() -> Reindexer:
    live = SimpleNamespace(settings=SimpleNamespace(corpus_dir=Path("/c"), index_dir=Path("/i")), embedder=None,
                           reload=lambda: True)
    return Reindexer(live)  # type: ignore[arg-type]


def test_requests_during_a_run_are_merged_into_one_more_run(runs: _Runs) -> None:
    runner = _runner()
    threads_before = threading.active_count()
    assert runner.request() is True
    _wait(lambda: len(runs.calls) == 1)
    for _ in range(20):  # twenty withdrawals while it runs
        assert runner.request() is False
    runner.request(full=True)
    assert runner.pending and runner.status.running
    assert threading.active_count() <= threads_before + 1  # no polling thread per request
    runs.release.release()
    _wait(lambda: len(runs.calls) == 2)
    assert runs.calls == [False, True]  # one more run, full since one of the requests asked for it
    runs.release.release()
    _wait(lambda: not runner.status.running)
    assert runs.calls == [False, True] and not runner.pending


def test_start_refuses_while_running_and_remembers_nothing(runs: _Runs) -> None:
    runner = _runner()
    assert runner.start() is True
    _wait(lambda: len(runs.calls) == 1)
    assert runner.start() is False
    assert not runner.pending
    runs.release.release()
    _wait(lambda: not runner.status.running)
    assert runs.calls == [False]
    assert runner.start() is True  # free again
    runs.release.release()
    _wait(lambda: not runner.status.running)
