"""Searching while a ``passerelle index`` runs beside the service on the same machine (issue 28's first lever).

A real ``passerelle serve`` on the bundled corpus's index answers hybrid searches from one client (no query cache)
while ``passerelle index --full`` of a copy of the corpus runs in another process: as it runs by default (behind
the service: lower CPU priority, OpenMP threads sleeping when idle) and as it ran before
(``PASSERELLE_INDEX_NICENESS=0``, ``OMP_WAIT_POLICY=ACTIVE``), in turn, with quiet rounds in between. Prints the
search p50 and the worst per-round p95 while indexing, the quiet ones, and the indexing time::

    .venv/bin/python bench/bench_busy.py [--work /tmp/passerelle-busy] [--queries 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support
from queries import QUERIES

from tests.support.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    "before (normal priority, spinning threads)": {"PASSERELLE_INDEX_NICENESS": "0", "OMP_WAIT_POLICY": "ACTIVE"},
    "now (behind the service)": {},
}


def _latencies(url: str, queries: list[str]) -> tuple[float, float]:
    spent = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for query in queries:
            started = time.perf_counter()
            client.get("/search", params={"q": query, "k": 10}).raise_for_status()
            spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return spent[len(spent) // 2], spent[int(len(spent) * 0.95)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/passerelle-busy"))
    parser.add_argument("--queries", type=int, default=30, help="queries per round")
    arguments = parser.parse_args()
    served, other = arguments.work / "served", arguments.work / "other"
    if not (served / "CURRENT").exists():
        subprocess.run([sys.executable, "-m", "service.cli", "index", "corpus", "--index-dir", str(served)],
                       cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {"PASSERELLE_INDEX_DIR": str(served), "PASSERELLE_QUERY_CACHE_SIZE": "0"}
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], cwd=ROOT,
                              env=os.environ | environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    queries = QUERIES[: arguments.queries]
    try:
        wait_ready(url, server)
        _latencies(url, queries)  # warm
        for name, environment in VARIANTS.items():
            quiet = _latencies(url, queries)
            shutil.rmtree(other, ignore_errors=True)
            started = time.perf_counter()
            indexer = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "index", "corpus", "--index-dir", str(other), "--full"],
                cwd=ROOT, env=os.environ | environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(4)  # past its model load
            rounds = []
            while indexer.poll() is None:
                rounds.append(_latencies(url, queries))
            seconds = time.perf_counter() - started
            busy_p50 = statistics.median(p50 for p50, _ in rounds)
            busy_p95 = max(p95 for _, p95 in rounds)
            print(f"{name}: quiet p50 {quiet[0]:.1f} ms, p95 {quiet[1]:.1f} ms; while indexing ({len(rounds)} rounds) "
                  f"p50 {busy_p50:.1f} ms, worst p95 {busy_p95:.1f} ms; indexing {seconds:.1f} s", flush=True)
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
