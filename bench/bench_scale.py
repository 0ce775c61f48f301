"""Vector search at scale: build time, memory, single-query latency and recall@10 of each index kind.

Synthetic normalised vectors (dimension 384) shaped like multilingual-e5-small passage embeddings: a large
common component (real passages: mean pairwise cosine 0.77) plus clusters and per-vector noise. Two presets:

``--data mid`` (default)
    groups of ~8 near vectors, each group with an independently drawn topic (~1,000 vectors) and sub-topic
    (~100) — several facets, as a passage has; noise 50-90 % of the residual variance.
``--data hard``
    topic, sub-topic and group drawn independently for every vector (no local groups): harder than the
    real embeddings for every index kind — a pessimistic check.

``--calibrate DIR,DIR,…`` compares both presets with real passage vectors of Passerelle indexes at the same
size: neighbour cosines, local intrinsic dimensionality, and the recall of IVF (64 lists), HNSW and SQ8.
On 3,406 real passages (piaf-fr + xquad-mixed + the bundled corpus) the ``mid`` preset sits between the
real vectors and ``hard`` for IVF and HNSW recall (see bench/RESULTS-scale-speed.md). Uniform random
vectors would make approximate search look either hopeless or trivial.

For each size: the exact top-10 of every query (streamed over the data, so no flat index is needed), then
for each kind (``indexer.core.ann``): build time, bytes of the stored vectors, serialised index size and the
resident memory the build added, p50/p95 single-query latency (one query per ``search`` call, as the
service does), and recall@10 against exact search, for several ``nprobe`` / ``efSearch``. Then filtered
search at each IVF size (pseudo-random allowed subsets) through ``indexer.core.ann.search``: its exact path
and its in-index path.

Run (figures printed; no assertion)::

    .venv/bin/python bench/bench_scale.py --sizes 100k,1M
    .venv/bin/python bench/bench_scale.py --sizes 5M --kinds ivf-pq --nprobe 512,1024 --kfactor 50
    .venv/bin/python bench/bench_scale.py --calibrate /tmp/eval-piaf-fr,/tmp/eval-xquad-mixed,/tmp/corpus-ix
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from indexer.core import ann

CHUNK = 500_000
LEVELS = ((1000, 0.12), (100, 0.15), (8, 0.20))  # (vectors per cluster, weight): topic, sub-topic, group
COMMON = 0.875  # weight of the direction all vectors share (e5's anisotropy)
NOISE = {"mid": (0.5, 0.9), "hard": (0.3, 0.9)}  # share of the residual variance that is per-vector noise


class Synthetic:
    """Clustered unit vectors, generated chunk by chunk (same seed, same vectors)."""

    def __init__(self, n: int, dimension: int, seed: int, preset: str = "mid") -> None:
        if preset not in NOISE:
            raise ValueError(f"unknown preset {preset!r}")
        rng = np.random.default_rng(seed)
        self.n, self.dimension, self.seed, self.preset = n, dimension, seed, preset
        common = rng.standard_normal(dimension)
        self.common = (COMMON * common / np.linalg.norm(common)).astype(np.float32)
        self.centres = [(rng.standard_normal((max(1, n // size), dimension)) / np.sqrt(dimension)).astype(np.float32)
                        for size, _ in LEVELS]
        groups = len(self.centres[-1])
        # mid: each group of ~8 gets its topic and sub-topic once (facets drawn independently of each other)
        self.facets = [rng.integers(0, len(c), groups) for c in self.centres[:-1]]

    def draw(self, count: int, stream: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, stream])
        residual = np.zeros((count, self.dimension), dtype=np.float32)
        group = rng.integers(0, len(self.centres[-1]), count)
        for level, ((_, weight), centres) in enumerate(zip(LEVELS, self.centres, strict=True)):
            if level == len(LEVELS) - 1:
                chosen = group
            elif self.preset == "mid":
                chosen = self.facets[level][group]
            else:
                chosen = rng.integers(0, len(centres), count)
            residual += np.sqrt(weight) * centres[chosen]
        residual /= np.sqrt(sum(w for _, w in LEVELS))
        low, high = NOISE[self.preset]
        noise = rng.uniform(low, high, (count, 1)).astype(np.float32)
        residual = np.sqrt(1 - noise) * residual + np.sqrt(noise) * (
            rng.standard_normal((count, self.dimension), dtype=np.float32) / np.sqrt(self.dimension))
        vectors = self.common + np.sqrt(1 - COMMON**2) * residual
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def chunks(self, n: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for number, start in enumerate(range(0, n, CHUNK)):
            count = min(CHUNK, n - start)
            yield np.arange(start, start + count, dtype=np.int64), self.draw(count, 1 + number)


def allowed_mask(ids: np.ndarray, share: float) -> np.ndarray:
    """A pseudo-random subset of ids, the same whatever the chunking."""
    return ((ids * 2654435761) % 100_003) < share * 100_003


class ExactTop:
    """Exact top-k ids of each query, overall and within each filter share, fed chunk by chunk."""

    def __init__(self, queries: np.ndarray, k: int, shares: list[float]) -> None:
        self.queries, self.k = queries, k
        empty = (np.full((len(queries), k), -np.inf, np.float32), np.full((len(queries), k), -1, np.int64))
        self.overall = empty
        self.filtered = {share: empty for share in shares}
        self.seconds = 0.0
        self.done = False

    def _merge(self, state: tuple[np.ndarray, np.ndarray], scores: np.ndarray,
               ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        top = min(self.k, scores.shape[1])
        part = np.argpartition(-scores, top - 1, axis=1)[:, :top]
        merged_scores = np.concatenate([state[0], np.take_along_axis(scores, part, axis=1)], axis=1)
        merged_ids = np.concatenate([state[1], ids[part]], axis=1)
        order = np.argsort(-merged_scores, axis=1)[:, : self.k]
        return np.take_along_axis(merged_scores, order, axis=1), np.take_along_axis(merged_ids, order, axis=1)

    def update(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        started = time.perf_counter()
        scores = self.queries @ vectors.T
        self.overall = self._merge(self.overall, scores, ids)
        for share, state in self.filtered.items():
            mask = allowed_mask(ids, share)
            if mask.any():
                self.filtered[share] = self._merge(state, scores[:, mask], ids[mask])
        self.seconds += time.perf_counter() - started

    def watch(self, chunks: Iterator[tuple[np.ndarray, np.ndarray]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The same chunks, each scored on the way (one pass over the data for the truth and a build)."""
        for ids, vectors in chunks:
            self.update(ids, vectors)
            yield ids, vectors
        self.done = True

    @property
    def truth(self) -> np.ndarray:
        return self.overall[1]

    @property
    def truth_filtered(self) -> dict[float, np.ndarray]:
        return {share: state[1] for share, state in self.filtered.items()}


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    hits = [len(set(f[:k]) & set(t[t >= 0])) / max(1, (t >= 0).sum()) for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits))


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def build(kind: str, chunks: Iterator[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[faiss.Index, float, int]:
    """The index of the n vectors: trained on (a sample of) the first chunk, the other chunks added.

    The time is that of the FAISS calls only (not generating the data); the memory, what the process grew by.
    """
    gc.collect()
    before = rss()
    seconds = 0.0
    index = None
    nlist = ann.default_nlist(n)
    for ids, vectors in chunks:
        started = time.perf_counter()
        if index is None:
            index = ann.build_vector_index(vectors, ids, kind=kind, nlist=nlist)  # type: ignore[arg-type]
        else:
            ann.add(index, vectors, ids)
        seconds += time.perf_counter() - started
    assert index is not None
    return index, seconds, rss() - before


def latencies(index: faiss.Index, queries: np.ndarray, k: int, **params: int) -> tuple[np.ndarray, list[float]]:
    found = np.zeros((len(queries), k), np.int64)
    times = []
    for row in range(min(5, len(queries))):  # warm-up
        index.search(queries[row : row + 1], k, params=ann.search_params(index, k=k, **params))
    for row in range(len(queries)):
        started = time.perf_counter()
        search_params = ann.search_params(index, k=k, **params)
        _, ids = index.search(queries[row : row + 1], k, params=search_params)
        times.append((time.perf_counter() - started) * 1000)
        found[row] = ids[0]
    return found, times


def serialized_bytes(index: faiss.Index) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        path = Path(scratch) / "index.faiss"
        faiss.write_index(index, str(path))
        return path.stat().st_size


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1M", help="comma-separated vector counts, e.g. 10k,100k,1M,5M")
    parser.add_argument("--kinds", default="flat,ivf-sq8,ivf-pq")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=500, help="queries for recall and latency")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--nprobe", default="8,16,32", help="IVF nprobe values to measure")
    parser.add_argument("--flat-queries", type=int, default=100, help="queries timed on a flat index")
    parser.add_argument("--flat-max", type=parse_size, default=parse_size("1M"), help="largest flat index built")
    parser.add_argument("--hnsw-max", type=parse_size, default=parse_size("100k"), help="largest HNSW built")
    parser.add_argument("--filter-shares", default="0.001,0.01,0.02,0.1", help="allowed shares for filtered search")
    parser.add_argument("--filter-queries", type=int, default=50)
    parser.add_argument("--ef", default="64,128", help="HNSW efSearch values to measure")
    parser.add_argument("--kfactor", default="50,100", help="ivf-pq: candidates re-ranked, as multiples of k")
    parser.add_argument("--threads", type=int, default=1,
                        help="FAISS OpenMP threads (1: a single query is not split; with 2 threads on this loaded "
                             "2-core machine a flat query was 5-10x slower from OpenMP spin-waiting)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default="mid", choices=sorted(NOISE), help="synthetic preset (see above)")
    parser.add_argument("--calibrate", default="", help="comma-separated Passerelle index folders: compare only")
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    if args.calibrate:
        calibrate([Path(p) for p in args.calibrate.split(",")], args.seed)
        return
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    kinds = [k.strip() for k in args.kinds.split(",")]
    nprobes = [int(p) for p in args.nprobe.split(",")]
    shares = [float(s) for s in args.filter_shares.split(",")] if args.filter_shares else []
    print(f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads, dim {args.dim}, k {args.k}, "
          f"{args.queries} queries, seed {args.seed}, data {args.data}", flush=True)
    rows: list[str] = []
    for n in sizes:
        data = Synthetic(n, args.dim, args.seed, args.data)
        queries = data.draw(args.queries, 0)
        exact = ExactTop(queries, args.k, shares)
        print(f"\n== {n:,} vectors (nlist for IVF {ann.default_nlist(n)})", flush=True)
        for kind in kinds:
            if (kind == "flat" and n > args.flat_max) or (kind == "hnsw" and n > args.hnsw_max):
                print(f"   {kind}: skipped at this size (--{kind}-max)")
                continue
            chunks = data.chunks(n) if exact.done else exact.watch(data.chunks(n))
            index, seconds, grown = build(kind, chunks, n)
            if not exact.done:
                raise RuntimeError("the build did not read every chunk")
            truth, truth_filtered = exact.truth, exact.truth_filtered
            stored, on_disk = ann.vector_bytes(index), serialized_bytes(index)
            print(f"   exact top-{args.k} of {len(queries)} queries: {exact.seconds:.1f} s (streamed)")
            print(f"   {kind}: built in {seconds:.1f} s; vectors {stored / 1e6:.0f} MB, "
                  f"index file {on_disk / 1e6:.0f} MB, RSS +{grown / 1e6:.0f} MB", flush=True)
            settings: list[dict[str, int]] = [{}]
            if kind == "ivf-sq8":
                settings = [{"nprobe": p} for p in nprobes]
            elif kind == "ivf-pq":
                settings = [{"nprobe": p, "k_factor": int(f)} for p in nprobes for f in args.kfactor.split(",")]
            elif kind == "hnsw":
                settings = [{"ef_search": int(e)} for e in args.ef.split(",")]
            for params in settings:
                count = args.flat_queries if kind == "flat" else args.queries
                found, times = latencies(index, queries[:count], args.k, **params)
                r = recall(found, truth[:count])
                p50, p95 = np.percentile(times, 50), np.percentile(times, 95)
                label = " ".join([kind, *(f"{key}={value}" for key, value in params.items())])
                print(f"      {label:<18} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@{args.k} {r:.4f}"
                      f"  ({count} queries)", flush=True)
                rows.append(f"| {n:,} | {label} | {seconds:.1f} | {stored / 1e6:.0f} | {on_disk / 1e6:.0f} | "
                            f"{grown / 1e6:.0f} | {p50:.2f} | {p95:.2f} | {r:.4f} |")
            if kind.startswith("ivf") and shares:
                filtered_search(index, queries[: args.filter_queries], truth_filtered, n, args.k, rows, kind)
            del index
            gc.collect()
    print("\n| vectors | kind | build s | vectors MB | index file MB | RSS + MB | p50 ms | p95 ms | recall@10 |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def filtered_search(index: faiss.Index, queries: np.ndarray, truth: dict[float, np.ndarray], n: int, k: int,
                    rows: list[str], kind: str) -> None:
    """ann.search with random allowed subsets: the exact path and the in-index path, latency and recall."""
    ids = np.arange(n, dtype=np.int64)
    default_max = ann.EXACT_FILTER_MAX
    try:
        for share, exact in truth.items():
            allowed = ids[allowed_mask(ids, share)]
            for path, limit in (("exact", 1 << 62), ("in-index", 0)):
                if path == "exact" and len(allowed) > 200_000:
                    continue
                ann.EXACT_FILTER_MAX = limit
                times, found = [], np.zeros((len(queries), k), np.int64)
                for row in range(len(queries)):
                    started = time.perf_counter()
                    _, result = ann.search(index, queries[row : row + 1], k, allowed=allowed)
                    times.append((time.perf_counter() - started) * 1000)
                    found[row] = result[0]
                only_allowed = bool(np.isin(found[found >= 0], allowed).all())
                full = bool((found[:, min(k, len(allowed)) - 1] >= 0).all())
                r = recall(found, exact[: len(queries)])
                p50 = np.percentile(times, 50)
                print(f"      filter {share:6.3f} ({len(allowed):,} allowed) {path:<8} p50 {p50:7.2f} ms"
                      f"  recall@{k} {r:.4f}  only allowed {only_allowed}  all rows full {full}", flush=True)
                rows.append(f"| {n:,} | {kind} filtered {share:g} ({len(allowed):,} allowed), {path} | | | | | "
                            f"{p50:.2f} | {np.percentile(times, 95):.2f} | {r:.4f} |")
    finally:
        ann.EXACT_FILTER_MAX = default_max


def _stored_vectors(index_dir: Path) -> np.ndarray:
    generation = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    index = faiss.read_index(str(generation / "vectors.faiss"))
    ids = ann.all_ids(index)
    return ann.reconstruct_many(index, ids)


def _profile(vectors: np.ndarray, seed: int) -> str:
    """Neighbour statistics and ANN recall of a set of vectors, held-out rows as queries."""
    rng = np.random.default_rng(seed)
    held = rng.choice(len(vectors), 300, replace=False)
    keep = np.ones(len(vectors), bool)
    keep[held] = False
    base, queries = vectors[keep], vectors[held]
    dimension = vectors.shape[1]
    flat = faiss.IndexFlatIP(dimension)
    flat.add(base)
    scores, truth = flat.search(queries, 21)
    distances = np.sqrt(np.maximum(2 - 2 * scores, 1e-12))
    lid = -1 / np.mean(np.log(distances[:, :20] / distances[:, 20:21]), axis=1)  # MLE, 20 neighbours

    def recall_of(found: np.ndarray) -> float:
        return recall(found, truth[:, :10])

    quantizer = faiss.IndexFlatIP(dimension)
    ivf = faiss.IndexIVFFlat(quantizer, dimension, 64, faiss.METRIC_INNER_PRODUCT)
    ivf.train(base)
    ivf.add(base)
    ivf_recall = []
    for nprobe in (2, 4, 8, 16):
        ivf.nprobe = nprobe
        ivf_recall.append(recall_of(ivf.search(queries, 10)[1]))
    hnsw = faiss.IndexHNSWFlat(dimension, 16, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(base)
    hnsw_recall = []
    for ef in (16, 32):
        hnsw.hnsw.efSearch = ef
        hnsw_recall.append(recall_of(hnsw.search(queries, 10)[1]))
    sq8 = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    sq8.train(base)
    sq8.add(base)
    pairwise = vectors[:1000] @ vectors[:1000].T
    return (f"{pairwise[np.triu_indices(len(pairwise), 1)].mean():.3f} | {scores[:, 0].mean():.3f} | "
            f"{scores[:, 9].mean():.3f} | {np.median(scores[:, 9] - scores[:, 10]):.5f} | {np.median(lid):.1f} | "
            f"{' / '.join(f'{r:.3f}' for r in ivf_recall)} | {' / '.join(f'{r:.3f}' for r in hnsw_recall)} | "
            f"{recall_of(sq8.search(queries, 10)[1]):.3f} |")


def calibrate(index_dirs: list[Path], seed: int) -> None:
    """Real passage vectors of Passerelle indexes against both synthetic presets, at the same size."""
    real = np.vstack([_stored_vectors(d) for d in index_dirs])
    n, dimension = real.shape
    print(f"{n:,} real vectors from {', '.join(map(str, index_dirs))}; recall@10 vs exact, 300 held-out queries")
    print("| vectors | " + " | ".join(["pairwise cos", "1st nb cos", "10th nb cos", "gap 10th-11th", "LID",
                                         "IVF64 recall, nprobe 2/4/8/16", "HNSW16 recall, ef 16/32", "SQ8 recall"])
          + " |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| real | {_profile(real, seed)}")
    for preset in sorted(NOISE, reverse=True):
        print(f"| synthetic {preset} | {_profile(Synthetic(n, dimension, seed, preset).draw(n, 1), seed)}")


if __name__ == "__main__":
    main()
