"""Drills: re-indexing under load and ``kill -9`` of the indexer, against a running service.

On a copy of the bundled corpus, a real ``passerelle serve`` (loopback only) answers searches and document
requests from client threads while:

1. ``passerelle index`` runs three times, each after a file changed (under load);
2. ``passerelle index --full`` is killed with SIGKILL at four moments: while it loads the model, once it
   has started writing a generation, in the middle of embedding, and when it writes the manifest.

Both drills run twice: with the service reloading new generations (the default) and with
``PASSERELLE_RELOAD_INTERVAL=0`` (a service that keeps serving what it started with, which clean-up must
not remove). At the end a normal run completes and every document indexed at the start must still be
served. Prints failed requests and lost documents; both must be 0 (the exit status is 1 otherwise).

Run: ``.venv/bin/python bench/bench_drills.py`` (about 4 minutes on 2 cores). Bounded: every loop stops
by itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support


from tests.support.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["logement social", "Wohnungslosigkeit", "santé mentale des jeunes", "digital skills", "Eeler Leit"]
CHANGED_FILE_SUFFIX = ".md"


def _env(index_dir: Path, **extra: str) -> dict[str, str]:
    return os.environ | {"PASSERELLE_INDEX_DIR": str(index_dir)} | extra


def _index(corpus: Path, index_dir: Path, *options: str) -> subprocess.Popen[bytes]:
    # Its log goes beside the index, so that a failed run says why (_why).
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    log = (index_dir.parent / "index.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "service.cli", "index", str(corpus), *options],
                            env=_env(index_dir), stdout=subprocess.DEVNULL, stderr=log, cwd=ROOT)


def _why(index_dir: Path) -> str:
    lines = (index_dir.parent / "index.log").read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-15:])


def _document_ids(index_dir: Path) -> list[str]:
    name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    with sqlite3.connect(f"file:{index_dir / name / 'store.sqlite'}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT id FROM documents ORDER BY id")]


class Load:
    """Client threads searching and reading documents until stopped (at most ``limit`` requests each)."""

    def __init__(self, url: str, document_ids: list[str], *, clients: int = 4, limit: int = 20_000) -> None:
        self.url, self.document_ids, self.limit = url, document_ids, limit
        self.outcomes: Counter[str] = Counter()
        self.examples: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _client(self, number: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            for n in range(self.limit):
                if self._stop.is_set():
                    return
                if n % 2:
                    path, params = f"/documents/{self.document_ids[n % len(self.document_ids)]}", {}
                else:
                    path, params = "/search", {"q": QUERIES[(n + number) % len(QUERIES)], "k": 5}
                try:
                    status = client.get(path, params=params).status_code
                    outcome = "ok" if status == 200 else f"HTTP {status}"
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                with self._lock:
                    self.outcomes[outcome] += 1
                    if outcome != "ok" and len(self.examples) < 5:
                        self.examples.append(f"{path}: {outcome}")

    @property
    def failed(self) -> int:
        return sum(count for outcome, count in self.outcomes.items() if outcome != "ok")


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout: float = 300) -> str:
    """SIGKILL ``process`` as soon as ``ready()`` holds; returns what happened."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            return "finished before the moment came"
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            return "timed out"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return "killed"


def _staging(index_dir: Path, name: str) -> bool:
    return any((staging / name).exists() for staging in index_dir.glob(".tmp-gen-*"))


def drill(corpus_source: Path, models_dir: Path, *, reload_interval: float) -> tuple[int, int, Counter[str]]:
    with tempfile.TemporaryDirectory(prefix="passerelle-drills-") as scratch:
        corpus, index_dir = Path(scratch) / "corpus", Path(scratch) / "index"
        shutil.copytree(corpus_source, corpus)
        if _index(corpus, index_dir).wait() != 0:
            raise RuntimeError(f"the first indexing run failed:\n{_why(index_dir)}")
        document_ids = _document_ids(index_dir)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=_env(index_dir, PASSERELLE_RELOAD_INTERVAL=str(reload_interval),
                     PASSERELLE_MODELS_DIR=str(models_dir)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            wait_ready(url, server)
            changed = next(p for p in sorted(corpus.rglob(f"*{CHANGED_FILE_SUFFIX}")) if "README" not in p.name)
            original = changed.read_text(encoding="utf-8")
            moments = {
                "loading the model": lambda: _sleep(1.5),
                "writing a generation": lambda: _staging(index_dir, "store.sqlite"),
                "embedding": lambda: _staging(index_dir, "store.sqlite") and _sleep(3.0),
                "writing the manifest": lambda: _staging(index_dir, "vectors.faiss"),
            }
            with Load(url, document_ids) as load:
                for number in range(3):
                    changed.write_text(f"{original}\n\nAjout {number} : une phrase de plus.\n", encoding="utf-8")
                    if _index(corpus, index_dir).wait() != 0:
                        raise RuntimeError(f"an indexing run under load failed:\n{_why(index_dir)}")
                    time.sleep(max(reload_interval * 2, 0.5))
                for moment, ready in moments.items():
                    result = _kill_when(_index(corpus, index_dir, "--full"), ready)
                    print(f"  kill -9 {moment}: {result}; health "
                          f"{httpx.get(url + '/health', timeout=30).json()['status']}")
                if _index(corpus, index_dir).wait() != 0:
                    raise RuntimeError(f"the run after the kills failed:\n{_why(index_dir)}")
                time.sleep(max(reload_interval * 2, 0.5))
            with httpx.Client(base_url=url, timeout=30) as client:
                lost = sum(client.get(f"/documents/{i}").status_code != 200 for i in document_ids)
                health = client.get("/health").json()
            if load.examples:
                print("  failures, e.g.:", "; ".join(load.examples))
            print(f"  health at the end: {health['status']} ({health['documents']} documents)")
            return load.failed, lost, load.outcomes
        finally:
            server.terminate()
            server.wait(timeout=30)


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--models-dir", type=Path,
                        default=Path(os.environ.get("PASSERELLE_MODELS_DIR",
                                                    Path.home() / ".cache" / "passerelle" / "models")))
    parser.add_argument("--reload-interval", type=float, action="append",
                        help="the service's PASSERELLE_RELOAD_INTERVAL (repeatable; default: 2 and 0)")
    arguments = parser.parse_args()
    total_failed = total_lost = 0
    for reload_interval in arguments.reload_interval or [2.0, 0.0]:
        print(f"service with PASSERELLE_RELOAD_INTERVAL={reload_interval}:")
        started = time.perf_counter()
        failed, lost, outcomes = drill(arguments.corpus, arguments.models_dir, reload_interval=reload_interval)
        print(f"  requests: {sum(outcomes.values())}, failed requests: {failed}, lost documents: {lost} "
              f"({time.perf_counter() - started:.0f} s)")
        total_failed += failed
        total_lost += lost
    print(f"failed requests: {total_failed}")
    print(f"lost documents: {total_lost}")
    sys.exit(1 if total_failed or total_lost else 0)


if __name__ == "__main__":
    main()
