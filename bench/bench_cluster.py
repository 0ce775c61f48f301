"""Embedding on a Dask cluster against in process: passages/s of a full index of the bundled corpus, both ways, and
the cluster's start-up cost (worker processes, then the model loaded on each), in one run.

The cluster is a ``LocalCluster`` of two worker processes on this machine, one torch thread each; in process, the
model uses every core. So on one machine this measures the cluster's overhead (transfers, start-up, a second copy
of the model), not a speed-up: a speed-up needs machines with their own cores (see bench/RESULTS-cluster.md).
Needs the cluster extra. Run: ``.venv/bin/python bench/bench_cluster.py [--workers 2] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from distributed import LocalCluster

from indexer import Embedder, Settings, index_corpus
from indexer.ingest.cluster import ClusterEncoder, ModelSpec

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="full index runs each way; the best one counts")
    args = parser.parse_args()
    settings = Settings(corpus_dir=ROOT / "corpus", ocr=False)
    embedder = Embedder.from_settings(settings).load()
    print(f"{os.cpu_count()} CPUs, model {embedder.name} ({embedder.precision}, {embedder.device}), "
          f"batch {settings.batch_size}, {args.workers} workers of 1 thread")

    def index(encode: ClusterEncoder | None) -> tuple[float, int, float]:
        """Seconds of a full run, passages embedded, seconds waiting on the embedding (model or cluster)."""
        with tempfile.TemporaryDirectory(prefix="passerelle-cluster-") as scratch:
            started = time.perf_counter()
            report = index_corpus(settings.corpus_dir, index_dir=Path(scratch) / "index", embedder=embedder,
                                  settings=settings, encode=encode)
            return time.perf_counter() - started, report.embedded_passages, report.embed_seconds

    local = [index(None) for _ in range(args.rounds)]
    seconds, passages, embedding = min(local)
    print(f"in process: {passages} passages in {seconds:.1f} s = {passages / seconds:.1f} passages/s, "
          f"{embedding:.1f} s of it embedding (runs: {', '.join(f'{run[0]:.1f}' for run in local)} s)")

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
    workers_up = time.perf_counter() - started
    try:
        spec = dataclasses.replace(ModelSpec.of(settings), threads=1)
        loading = time.perf_counter()
        with ClusterEncoder(cluster, spec.load, expect=(embedder.name, embedder.dimension),
                            batch=settings.batch_size) as encode:
            model_up = time.perf_counter() - loading
            print(f"cluster start-up: {workers_up:.1f} s for {args.workers} worker processes, then {model_up:.1f} s "
                  f"to load the model on them = {workers_up + model_up:.1f} s")
            remote = [index(encode) for _ in range(args.rounds)]
    finally:
        cluster.close()
    seconds, passages, embedding = min(remote)
    print(f"on the cluster: {passages} passages in {seconds:.1f} s = {passages / seconds:.1f} passages/s, "
          f"{embedding:.1f} s of it embedding (runs: {', '.join(f'{run[0]:.1f}' for run in remote)} s)")


if __name__ == "__main__":
    main()
