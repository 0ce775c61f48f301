"""Reading files in a worker process, so that no file can take the indexer — or the service — down.

A damaged or hostile file can make its reader take gigabytes of memory, run for hours or crash the
interpreter, and ``POST /admin/reindex`` indexes inside the serving process. :class:`Worker` runs each
file's extraction in a separate process with its memory capped (``RLIMIT_AS``) and its time limited: a
reader that runs out of memory or time, or crashes, fails that file only
(:class:`~indexer.core.errors.TooLargeError`, :class:`~indexer.core.errors.TooSlowError`,
:class:`~indexer.core.errors.ReaderCrashedError`), and a fresh worker reads the next one.

Workers are started by ``forkserver`` (``spawn`` where it is missing), never by ``fork``: the indexing process
runs torch's threads, whose locks a forked child could inherit held. The fork server imports the readers
once, so a fresh worker starts in milliseconds. Figures: ``bench/RESULTS-extraction-limits.md``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from indexer.core.errors import ExtractionError, ReaderCrashedError, TooLargeError, TooSlowError

if TYPE_CHECKING:  # for annotations only: ForkServerContext does not exist on Windows
    from multiprocessing.context import ForkServerContext, SpawnContext

R = TypeVar("R")

_MB = 2**20
# Imported once by the fork server, so that every fresh worker starts with the readers loaded.
_PRELOAD = ["indexer.ingest.sources", "pypdf", "docx", "pptx", "bs4", "charset_normalizer", "pypdfium2"]
# A worker is replaced after this many files, so that memory a large file left fragmented goes back.
_TASKS_PER_WORKER = 200
# A failure with the peak this close to the cap is the cap's: libxml2 reports a failed allocation as a parse error.
_NEAR_CAP = 0.9
# A worker whose peak passed this share of its allowance is replaced (its peak would blur the next diagnosis).
_RETIRE_AT = 0.5

_connection: Connection | None = None  # in a worker: the pipe to the parent


def keep_alive() -> None:
    """In a worker, tell the parent that the work goes on (one more page read by OCR): its time limit restarts.

    Does nothing outside a worker.
    """
    if _connection is not None:
        _connection.send(("alive", None, False))


class Worker:
    """A worker process that runs functions for the indexer, one at a time, within a memory cap and a time limit.

    ``memory_mb`` is the address space a call may add to the worker's own; ``seconds`` how long a call may
    run (restarted by :func:`keep_alive`). Use as a context manager, or call :meth:`close`; one thread may
    call while another closes.
    """

    def __init__(self, *, memory_mb: int, seconds: float, tasks_per_worker: int = _TASKS_PER_WORKER) -> None:
        self.memory_mb = memory_mb
        self.seconds = seconds
        self.tasks_per_worker = tasks_per_worker
        self.started = 0  # worker processes started: one, plus one after each failure or retirement
        self._context = _context()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._tasks = 0
        self._lock = threading.Lock()
        self._busy = False
        self._closed = False

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The running worker's process id (``None`` before the first call and after a failure)."""
        return self._process.pid if self._process is not None else None

    def call(self, function: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """``function(*args, **kwargs)`` run in the worker; what it raises is raised here.

        ``function`` is sent by name (a module-level function), its arguments pickled. When the worker
        cannot finish, raises :class:`TooLargeError` (memory), :class:`TooSlowError` (time) or
        :class:`ReaderCrashedError`; the next call gets a fresh worker. After :meth:`close`, raises
        :class:`ExtractionError`.
        """
        with self._lock:
            if self._closed:
                raise ExtractionError("not read: the indexing run was stopped")
            self._busy = True
        try:
            return self._call(function, args, kwargs)
        finally:
            with self._lock:
                self._busy = False
                closed = self._closed
            if closed:
                self._stop()

    def _call(self, function: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> R:
        try:
            connection = self._ensure()
            connection.send((function, args, kwargs))
        except OSError:  # the idle worker died (killed from outside): one more try with a fresh one
            self._stop()
            connection = self._ensure()
            connection.send((function, args, kwargs))
        deadline = time.monotonic() + self.seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not connection.poll(remaining):
                self._stop()
                raise TooSlowError(f"reading it took longer than {self.seconds:g} s "
                                   "(raise PASSERELLE_MAX_SECONDS_PER_FILE to read it)")
            try:
                kind, value, retire = connection.recv()
            except (EOFError, OSError):
                raise self._crashed() from None
            if kind != "alive":
                break
            deadline = time.monotonic() + self.seconds
        self._tasks += 1
        if kind == "memory" or retire or self._tasks >= self.tasks_per_worker:
            self._stop()
        if kind == "memory":
            raise TooLargeError(f"reading it needs more than the {self.memory_mb} MB of memory allowed "
                                "(raise PASSERELLE_EXTRACT_MEMORY_MB to read it)")
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop the worker process for good; a call running in another thread fails (as a crash) at once."""
        with self._lock:
            self._closed = True
            if self._busy:  # the calling thread sees its worker end, and cleans up
                self._kill(self._process)
                return
        self._stop()

    def _ensure(self) -> Connection:
        if self._process is not None and self._connection is not None and self._process.is_alive():
            return self._connection
        self._stop()
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child_end, self.memory_mb * _MB),
                                        name="passerelle-extract", daemon=True)
        process.start()
        child_end.close()
        self._process, self._connection, self._tasks = process, parent_end, 0
        self.started += 1
        return parent_end

    def _crashed(self) -> ExtractionError:
        if self._closed:
            self._stop()
            return ExtractionError("not read: the indexing run was stopped")
        process = self._process
        code = None
        if process is not None:
            process.join(5)
            code = process.exitcode
        self._stop()
        if code is not None and code < 0:
            name = _signal_name(-code)
            if -code == signal.SIGKILL:
                return ReaderCrashedError(f"the reader was killed ({name}), most likely for lack of memory")
            return ReaderCrashedError(f"the reader crashed ({name}): a damaged file, or one needing more than the "
                                      f"{self.memory_mb} MB of memory PASSERELLE_EXTRACT_MEMORY_MB allows")
        return ReaderCrashedError(f"the reader stopped unexpectedly (exit status {code})")

    def _stop(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            connection.close()
        if process is not None:
            self._kill(process)
            process.join(5)

    @staticmethod
    def _kill(process: BaseProcess | None) -> None:
        if process is None:
            return
        if process.exitcode is None:
            process.kill()
        # The worker leads its own process group: this also ends the OCR subprocess it may be waiting for.
        if process.pid is not None:  # None only for a process never started: no group to end
            with contextlib.suppress(OSError, AttributeError):
                os.killpg(process.pid, signal.SIGKILL)


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _serve(connection: Connection, allowance: int) -> None:
    """The worker's loop: run each function received, send back its result or exception."""
    global _connection
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the worker
    with contextlib.suppress(OSError, AttributeError):
        os.setpgrp()
    baseline = _status("VmSize")
    cap = _cap_memory(baseline + allowance) if baseline is not None else None  # no /proc: no measure to cap from
    baseline = baseline or 0
    _connection = connection
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the parent is gone or done
            return
        try:
            function, args, kwargs = message
            reply: tuple[str, Any] = ("ok", function(*args, **kwargs))
        except BaseException as exc:  # everything goes back to the parent
            near_cap = cap is not None and (_status("VmPeak") or 0) > baseline + _NEAR_CAP * allowance
            reply = ("memory", None) if near_cap or _caused_by(exc, MemoryError) else ("error", _portable(exc))
        retire = (_status("VmPeak") or 0) > baseline + _RETIRE_AT * allowance
        try:
            connection.send((*reply, retire))
        except MemoryError:
            connection.send(("memory", None, True))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            connection.send(("error", ExtractionError(f"the reader's answer cannot be sent back: {exc}"), retire))


def _cap_memory(limit: int) -> int | None:
    """Cap this process's address space at ``limit`` bytes; the cap, or ``None`` where that is not possible."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return None
    return limit


def _status(field: str) -> int | None:
    """A ``/proc/self/status`` figure (``VmSize``, ``VmPeak`` …) in bytes; ``None`` where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _portable(exc: BaseException) -> BaseException:
    """``exc`` without its traceback and causes (library objects that may not pickle), or a plain stand-in."""
    try:
        copy = type(exc)(*exc.args)
        pickle.loads(pickle.dumps(copy))
        return copy
    except Exception:  # an exception class that cannot be rebuilt from its args
        return ExtractionError(f"{type(exc).__name__}: {exc}")
