"""Load on a real server: ``GET /search`` over loopback at 1 and 8 concurrent clients, against the bare path.

For each index (``--index-dir``, repeatable), ``passerelle serve`` runs as a subprocess on a free loopback
port; a bounded number of requests (``--requests``) is sent by 1, then by 8 client threads (one
``httpx.Client`` each, a shared queue of queries), and the latency of each request (p50/p95/p99) and the
requests/s over the whole run are printed, first with the query-embedding cache off (the bare path has
none), then, to measure the cache, on again with the same request stream (``--requests`` above the number
of distinct queries repeats them, as users do). The server is then stopped, and the bare path — encoding the
query and searching FAISS in-process with the same queries, nothing else — runs on the main thread and
on 2 worker threads. The issue's ratios follow: HTTP p50 (1 client) ≤ 1.3 × bare p50 (1 worker), and HTTP
requests/s at 8 clients ≥ 0.8 × bare requests/s with 2 workers.

Queries: ``bench/queries.py`` for the bundled corpus, ``queries.jsonl`` of an eval set when the index is
one (``--queries-file``, matched to the index by position).

Run (indexes built beforehand)::

    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/passerelle index corpus --index-dir /tmp/bench-ix
    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/passerelle eval ../shared/data/eval/piaf-fr --index-dir /tmp/piaf-ix
    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/python bench/bench_load.py \\
        --index-dir /tmp/bench-ix --queries-file - --index-dir /tmp/piaf-ix \\
        --queries-file ../shared/data/eval/piaf-fr/queries.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import faiss
import httpx
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from queries import QUERIES

from indexer import Embedder, Index, Settings

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = (1, 8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_queries(path: str, limit: int) -> list[str]:
    if path in ("", "-"):
        return list(QUERIES)
    texts = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if len(texts) >= limit:
                break
    return texts


def summary(latencies_ms: list[float], seconds: float) -> dict[str, float]:
    return {"requests": len(latencies_ms), "rps": len(latencies_ms) / seconds,
            "p50": float(np.percentile(latencies_ms, 50)), "p95": float(np.percentile(latencies_ms, 95)),
            "p99": float(np.percentile(latencies_ms, 99))}


def http_load(base_url: str, queries: list[str], *, clients: int, requests: int, mode: str,
              k: int) -> dict[str, float]:
    """``requests`` GET /search spread over ``clients`` threads; the queries cycle."""
    jobs: queue.Queue[str] = queue.Queue()
    for number in range(requests):
        jobs.put(queries[number % len(queries)])
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        with httpx.Client(base_url=base_url, timeout=120) as http:
            http.get("/health")  # connect before the clock starts
            start.wait()
            while True:
                try:
                    text = jobs.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                response = http.get("/search", params={"q": text, "k": k, "mode": mode})
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(f"{response.status_code} {response.text[:100]}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result = summary(latencies, time.perf_counter() - began)
    result["errors"] = len(errors)
    if errors:
        print(f"      {len(errors)} errors, e.g. {errors[0]}")
    return result


def serve(index_dir: Path, models_dir: Path, port: int, *, cache_size: int = 0) -> subprocess.Popen[bytes]:
    """``passerelle serve`` on ``port``; the query-embedding cache is off unless ``cache_size`` is given."""
    env = os.environ | {"PASSERELLE_INDEX_DIR": str(index_dir), "PASSERELLE_MODELS_DIR": str(models_dir),
                        "PASSERELLE_QUERY_CACHE_SIZE": str(cache_size)}
    return subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


def wait_ready(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    with httpx.Client(base_url=base_url, timeout=10) as http:
        while True:
            try:
                if http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {base_url} did not start")
            time.sleep(0.2)


def bare(embedder: Embedder, index: Index, queries: list[str], *, workers: int, requests: int,
         depth: int) -> dict[str, float]:
    """Encode one query and search FAISS, ``requests`` times, on the main thread or ``workers`` threads.

    Set up as well as we know how, so that the ratios are not flattered: FAISS on one thread (with its
    default of every core, its OpenMP team spinning against torch's made a bare query 22 ms instead of
    14), and the cores shared out between the workers' torch threads (2 workers × 1 thread on 2 cores).
    """
    texts = [queries[n % len(queries)] for n in range(requests)]
    torch_threads = max(1, (os.cpu_count() or 1) // workers)

    def configure() -> None:
        torch.set_num_threads(torch_threads)
        faiss.omp_set_num_threads(1)

    def one(text: str) -> float:
        began = time.perf_counter()
        vector = embedder.encode_query([text])
        index.vectors.search(vector, depth)
        return (time.perf_counter() - began) * 1000

    configure()
    for text in texts[:5]:  # warm-up
        one(text)
    began = time.perf_counter()
    if workers == 1:
        latencies = [one(text) for text in texts]
    else:
        with ThreadPoolExecutor(max_workers=workers, initializer=configure) as pool:
            latencies = list(pool.map(one, texts))
    return summary(latencies, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, action="append", required=True)
    parser.add_argument("--queries-file", action="append", default=[],
                        help="queries.jsonl for the index at the same position ('-': bench/queries.py)")
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "keyword"])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--max-queries", type=int, default=300, help="queries read from a queries file")
    args = parser.parse_args()
    settings = Settings()
    rows = []
    for position, index_dir in enumerate(args.index_dir):
        source = args.queries_file[position] if position < len(args.queries_file) else "-"
        queries = load_queries(source, args.max_queries)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        print(f"== {index_dir}: {len(queries)} distinct queries, {args.requests} requests per run, "
              f"mode={args.mode}, k={args.k}", flush=True)
        server = serve(index_dir, settings.models_dir, port)
        try:
            wait_ready(base_url, server)
            http_load(base_url, queries, clients=1, requests=min(20, args.requests), mode=args.mode, k=args.k)
            http = {}
            for clients in CLIENTS:
                http[clients] = http_load(base_url, queries, clients=clients, requests=args.requests,
                                          mode=args.mode, k=args.k)
                print(f"   HTTP {clients} client(s): {http[clients]['rps']:.1f} req/s, p50 {http[clients]['p50']:.1f}"
                      f" p95 {http[clients]['p95']:.1f} p99 {http[clients]['p99']:.1f} ms", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
        # The same request stream with the query-embedding cache on: repeats skip the model.
        server = serve(index_dir, settings.models_dir, port, cache_size=settings.query_cache_size)
        cached = {}
        try:
            wait_ready(base_url, server)
            for clients in CLIENTS:
                cached[clients] = http_load(base_url, queries, clients=clients, requests=args.requests,
                                            mode=args.mode, k=args.k)
                print(f"   HTTP {clients} client(s), query cache on ({settings.query_cache_size}): "
                      f"{cached[clients]['rps']:.1f} req/s, p50 {cached[clients]['p50']:.1f} "
                      f"p95 {cached[clients]['p95']:.1f} p99 {cached[clients]['p99']:.1f} ms", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
        embedder = Embedder.from_settings(settings)
        index = Index.open(index_dir)
        bare_runs = {}
        for workers in (1, 2):
            bare_runs[workers] = bare(embedder, index, queries, workers=workers, requests=args.requests, depth=40)
            print(f"   bare encode+FAISS, {workers} worker(s): {bare_runs[workers]['rps']:.1f} req/s, "
                  f"p50 {bare_runs[workers]['p50']:.1f} p95 {bare_runs[workers]['p95']:.1f} ms", flush=True)
        latency_ratio = http[1]["p50"] / bare_runs[1]["p50"]
        throughput_ratio = http[8]["rps"] / bare_runs[2]["rps"]
        print(f"   HTTP p50 / bare p50 = {latency_ratio:.2f} (target <= 1.3); "
              f"HTTP req/s at 8 clients / bare req/s with 2 workers = {throughput_ratio:.2f} (target >= 0.8)")
        name = index_dir.name
        for clients, result in http.items():
            rows.append(f"| {name} | HTTP /search, {clients} client(s) | {result['rps']:.1f} | {result['p50']:.1f} | "
                        f"{result['p95']:.1f} | {result['p99']:.1f} |")
        for clients, result in cached.items():
            rows.append(f"| {name} | HTTP /search, {clients} client(s), cache on | {result['rps']:.1f} | "
                        f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} |")
        for workers, result in bare_runs.items():
            rows.append(f"| {name} | bare encode+FAISS, {workers} worker(s) | {result['rps']:.1f} | "
                        f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} |")
        rows.append(f"| {name} | ratios | HTTP8/bare2 = {throughput_ratio:.2f} (≥ 0.8) | "
                    f"HTTP1/bare1 p50 = {latency_ratio:.2f} (≤ 1.3) | | |")
        del embedder, index
    print("\n| index | path | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
