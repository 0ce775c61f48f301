"""Choosing the FAISS index by size: exact search while it is fast enough, an approximate index beyond.

Three kinds of index, each keeping the caller's int64 ids (FAISS ids are passage ids in the store):

``flat``
    ``IndexIDMap2(IndexFlatIP)``: exact inner product on normalised vectors (= cosine), 4·d bytes a
    vector. The cost of a query grows linearly with the number of vectors.
``ivf-sq8``
    ``IndexIVFScalarQuantizer`` (8-bit scalar quantiser, inner product) with ``add_with_ids`` and a
    hash-table direct map, so :func:`reconstruct` and :func:`remove` work with arbitrary ids. d bytes a
    vector (4× less than fp32) plus 8 bytes of id; ``nlist`` lists of about 250–1,000 vectors, ``nprobe``
    of them scanned per query. Trained (k-means) on a sample, not on every vector.
``hnsw``
    ``IndexIDMap2(IndexHNSWFlat)``: a graph index, offered as an explicit ``kind`` only. FAISS's HNSW
    cannot remove vectors, so :func:`remove` rebuilds the graph from the remaining vectors (costly — the
    build is the slowest of the three), which is why ``"auto"`` never chooses it.

Thresholds, measured with ``bench/bench_scale.py`` on the 2-core development machine (dimension 384,
clustered synthetic vectors shaped like multilingual-e5-small's — see bench/RESULTS-scale-speed.md):

======== ================ ===================================================== ===========================
vectors  flat p50 / query ivf-sq8 (nprobe) p50 / recall@10 vs exact            memory of vectors
======== ================ ===================================================== ===========================
100 k    9.2 ms           0.35 ms / 0.991 (nprobe 16, nlist 1,024)               154 MB flat / 38 MB sq8
1 M      101 ms           0.81 ms / 0.982 (nprobe 16, nlist 4,096)               1,536 MB flat / 384 MB sq8
5 M      (not run)        see RESULTS                                             7.7 GB flat / 1.9 GB sq8
======== ================ ===================================================== ===========================

Exact search costs about 0.09 µs per vector and query here (memory-bound), so it stays under ~5 ms per
query — half the 10 ms budget of the whole search, leaving room for filters' larger fetches — up to
about :data:`FLAT_MAX_VECTORS` = 50,000 vectors (≈ 100,000 passages of a few hundred theses is already
well above the bundled corpus). Beyond that the IVF-SQ8 index answers in under 1 ms with recall@10
≥ 0.95 and needs a quarter of the memory, which is what keeps 1 M vectors under 1 GB.

Filters run inside the search (a FAISS ``IDSelector`` in the search parameters) for every kind; build the
parameters with :func:`search_params` — an IVF index rejects a plain ``faiss.SearchParameters``. A
parameter object holds the selector while FAISS searches with it: make one per search, do not share one
between threads. :func:`search` does the whole filtered search and guarantees ``min(k, allowed)``
results: with few allowed vectors it scores them exactly, otherwise it widens ``nprobe`` until enough
allowed vectors were found.
"""

from __future__ import annotations

import math
from typing import Literal

import faiss
import numpy as np

Kind = Literal["flat", "ivf-sq8", "hnsw"]
KINDS: tuple[Kind, ...] = ("flat", "ivf-sq8", "hnsw")

FLAT_MAX_VECTORS = 50_000
"""Largest index searched exactly by ``kind="auto"``; above it, ``ivf-sq8``."""

DEFAULT_NPROBE = 16
"""Lists scanned per query by an IVF index (recall@10 ≥ 0.98 at 100 k and 1 M vectors, see above)."""

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 64

EXACT_FILTER_MAX = 20_000
"""A filtered search allowing at most this many vectors scores them exactly instead of scanning the index:
reconstructing and scoring 20,000 vectors takes a few milliseconds, and it is exact."""

_TRAIN_POINTS_PER_LIST = 40  # k-means sample: FAISS wants ≥ 39 points per centroid; more costs build time
_KMEANS_ITERATIONS = 10


def choose_kind(n_vectors: int) -> Kind:
    """The index kind for ``n_vectors`` vectors: ``flat`` (exact) up to :data:`FLAT_MAX_VECTORS`, else ``ivf-sq8``."""
    if n_vectors < 0:
        raise ValueError(f"n_vectors must be >= 0, got {n_vectors}")
    return "flat" if n_vectors <= FLAT_MAX_VECTORS else "ivf-sq8"


def default_nlist(n_vectors: int) -> int:
    """Inverted lists for an IVF index of ``n_vectors``: a power of two near 4·√n, between 64 and 4,096.

    More than 4,096 lists would make k-means training and adding (one ``nlist``-wide matrix product per
    vector) too slow on two cores; longer lists at 5 M vectors cost only a little latency.
    """
    target = 4 * math.sqrt(max(n_vectors, 1))
    return int(min(4096, max(64, 2 ** round(math.log2(target)))))


def build_vector_index(vectors: np.ndarray, ids: np.ndarray, *, kind: Kind | Literal["auto"] = "auto",
                       nlist: int | None = None, nprobe: int = DEFAULT_NPROBE, seed: int = 1234) -> faiss.Index:
    """An index of ``vectors`` (normalised float32 rows) searched by inner product, whose ids are ``ids``.

    Args:
        vectors: ``(n, d)`` array; converted to contiguous float32.
        ids: ``n`` distinct int64 ids, returned by searches in place of row numbers.
        kind: ``"auto"`` (:func:`choose_kind`), ``"flat"``, ``"ivf-sq8"`` or ``"hnsw"``.
        nlist: IVF lists (default :func:`default_nlist`; never more than ``n`` / 39 so k-means has data).
        nprobe: IVF lists scanned per query by default (stored in the index).
        seed: k-means and sampling seed, for reproducible IVF builds.

    An IVF index needs data to train on: with fewer than 39 vectors per list it gets fewer lists, and an
    empty ``vectors`` gives an empty ``flat`` index whatever ``kind`` says.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if vectors.ndim != 2 or ids.shape != (vectors.shape[0],):
        raise ValueError(f"expected (n, d) vectors and n ids, got {vectors.shape} and {ids.shape}")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("ids must be distinct")
    n, dimension = vectors.shape
    chosen = choose_kind(n) if kind == "auto" else kind
    if chosen not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}; expected 'auto' or one of {', '.join(KINDS)}")
    if n == 0:
        chosen = "flat"
    if chosen == "flat":
        index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    elif chosen == "hnsw":
        index = _new_hnsw(dimension)
    else:
        lists = min(nlist or default_nlist(n), max(1, n // 39))
        index = _trained_ivf(vectors, lists, nprobe=nprobe, seed=seed)
    if n:
        index.add_with_ids(vectors, ids)
    return index


def _new_hnsw(dimension: int) -> faiss.Index:
    graph = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    graph.hnsw.efSearch = HNSW_EF_SEARCH
    return faiss.IndexIDMap2(graph)


def _trained_ivf(vectors: np.ndarray, nlist: int, *, nprobe: int, seed: int) -> faiss.Index:
    dimension = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()  # owned by the IVF index from now on
    index.cp.niter = _KMEANS_ITERATIONS
    index.cp.seed = seed
    index.cp.max_points_per_centroid = _TRAIN_POINTS_PER_LIST
    sample_size = min(len(vectors), nlist * _TRAIN_POINTS_PER_LIST)
    if sample_size < len(vectors):
        rows = np.sort(np.random.default_rng(seed).choice(len(vectors), sample_size, replace=False))
        sample = vectors[rows]
    else:
        sample = vectors
    index.train(sample)
    index.nprobe = min(nprobe, nlist)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct() and remove_ids() by arbitrary id
    return index


def kind_of(index: faiss.Index) -> Kind:
    """Which of :data:`KINDS` ``index`` is (raises :class:`ValueError` for any other index)."""
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexIVFScalarQuantizer):
        return "ivf-sq8"
    if isinstance(index, faiss.IndexIDMap2):
        inner = faiss.downcast_index(index.index)
        if isinstance(inner, faiss.IndexFlat):
            return "flat"
        if isinstance(inner, faiss.IndexHNSW):
            return "hnsw"
    raise ValueError(f"not an index built by indexer.ann: {type(index).__name__}")


def search_params(index: faiss.Index, *, selector: faiss.IDSelector | None = None, k: int,
                  nprobe: int | None = None, ef_search: int | None = None) -> faiss.SearchParameters:
    """The parameter object to search ``index`` for ``k`` neighbours, restricted to ``selector`` if given.

    ``SearchParametersIVF`` (``nprobe``: the given one, else the index's) for IVF, ``SearchParametersHNSW``
    (``efSearch``: the given one, else the larger of :data:`HNSW_EF_SEARCH` and 2·k) for HNSW, plain
    ``SearchParameters`` for flat; each carries ``sel=selector``, which refers to the caller's ids. Keep the
    returned object alive during the search and use it from one thread at a time (FAISS swaps the selector
    inside it while searching an ``IndexIDMap2``).
    """
    kind = kind_of(index)
    if kind == "ivf-sq8":
        ivf = faiss.extract_index_ivf(index)
        probes = min(ivf.nlist, nprobe or ivf.nprobe)
        return faiss.SearchParametersIVF(sel=selector, nprobe=probes) if selector is not None \
            else faiss.SearchParametersIVF(nprobe=probes)
    if kind == "hnsw":
        ef = ef_search or max(HNSW_EF_SEARCH, 2 * k)
        return faiss.SearchParametersHNSW(sel=selector, efSearch=ef) if selector is not None \
            else faiss.SearchParametersHNSW(efSearch=ef)
    return faiss.SearchParameters(sel=selector) if selector is not None else faiss.SearchParameters()


def search(index: faiss.Index, queries: np.ndarray, k: int, *,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (scores, ids) per query row, only among ``allowed`` ids when given.

    Unlike a bare ``index.search``, every row holds ``min(k, number of candidates)`` results for every
    kind: a small allowed set (≤ :data:`EXACT_FILTER_MAX`) is scored exactly from the stored vectors; a
    larger one is searched inside the index with a selector, widening ``nprobe`` (IVF) or falling back to
    exact scoring (HNSW) when a row came back short. Missing results are id -1, score -inf, as in FAISS.
    """
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if allowed is None:
        wanted = min(k, index.ntotal)
        params = search_params(index, k=k)
        scores, ids = index.search(queries, k, params=params)
        if kind_of(index) == "ivf-sq8":
            scores, ids = _widen_ivf(index, queries, k, wanted, None, scores, ids)
        return scores, ids
    allowed = np.unique(np.asarray(allowed, dtype=np.int64))
    if len(allowed) == 0 or index.ntotal == 0:
        return np.full((len(queries), k), -np.inf, dtype=np.float32), np.full((len(queries), k), -1, np.int64)
    kind = kind_of(index)
    if kind != "flat" and len(allowed) <= EXACT_FILTER_MAX:
        return _exact(index, queries, k, allowed)
    selector = faiss.IDSelectorBatch(allowed)
    wanted = min(k, len(allowed))
    if kind == "ivf-sq8":
        # Allowed vectors are spread over the lists: scan proportionally more of them from the start.
        ivf = faiss.extract_index_ivf(index)
        share = len(allowed) / max(index.ntotal, 1)
        nprobe = min(ivf.nlist, math.ceil(ivf.nprobe / min(1.0, share)))
        scores, ids = index.search(queries, k, params=search_params(index, selector=selector, k=k, nprobe=nprobe))
        return _widen_ivf(index, queries, k, wanted, selector, scores, ids, nprobe=nprobe)
    scores, ids = index.search(queries, k, params=search_params(index, selector=selector, k=k))
    if kind == "hnsw" and (ids[:, wanted - 1] < 0).any():
        return _exact(index, queries, k, allowed)
    return scores, ids


def _widen_ivf(index: faiss.Index, queries: np.ndarray, k: int, wanted: int, selector: faiss.IDSelector | None,
               scores: np.ndarray, ids: np.ndarray, *, nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    ivf = faiss.extract_index_ivf(index)
    probes = nprobe or ivf.nprobe
    while wanted and (ids[:, wanted - 1] < 0).any() and probes < ivf.nlist:
        short = np.flatnonzero(ids[:, wanted - 1] < 0)
        probes = min(ivf.nlist, probes * 4)
        params = search_params(index, selector=selector, k=k, nprobe=probes)
        scores[short], ids[short] = index.search(queries[short], k, params=params)
    return scores, ids


def _exact(index: faiss.Index, queries: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        present, stored = allowed, reconstruct_many(index, allowed)
    except KeyError:  # some allowed ids are not in the index: keep those that are
        present = allowed[np.isin(allowed, all_ids(index))]
        stored = reconstruct_many(index, present)
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    ids = np.full((len(queries), k), -1, dtype=np.int64)
    if len(present) == 0:
        return scores, ids
    similarity = queries @ stored.T
    take = min(k, len(present))
    best = np.argpartition(-similarity, take - 1, axis=1)[:, :take]
    best_scores = np.take_along_axis(similarity, best, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    scores[:, :take] = np.take_along_axis(best_scores, order, axis=1)
    ids[:, :take] = present[np.take_along_axis(best, order, axis=1)]
    return scores, ids


def all_ids(index: faiss.Index) -> np.ndarray:
    """Every id stored in ``index`` (order unspecified)."""
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexIDMap2):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    ivf = faiss.extract_index_ivf(index)
    invlists = ivf.invlists
    parts = [faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
             for i in range(ivf.nlist) if invlists.list_size(i)]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def add(index: faiss.Index, vectors: np.ndarray, ids: np.ndarray) -> None:
    """Add ``vectors`` under ``ids`` (which must not be in the index yet) to an index of any kind.

    An IVF index keeps the lists it was trained with: after the collection has grown several-fold, rebuild
    it with :func:`build_vector_index` so the lists fit the data again.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if len(ids):
        if np.isin(ids, all_ids(index)).any():
            raise ValueError("some ids are already in the index")
        index.add_with_ids(vectors, ids)


def remove(index: faiss.Index, ids: np.ndarray) -> faiss.Index:
    """Remove ``ids`` (unknown ones are ignored); returns the index to use from now on.

    ``flat`` and ``ivf-sq8`` remove in place and return ``index`` itself. ``hnsw`` cannot remove from its
    graph: a new graph is built from the remaining vectors and returned (the old object is left as is).
    """
    ids = np.unique(np.asarray(ids, dtype=np.int64))
    if len(ids) == 0:
        return index
    kind = kind_of(index)
    if kind == "hnsw":
        stored = all_ids(index)
        keep = stored[~np.isin(stored, ids)]
        rebuilt = _new_hnsw(index.d)
        if len(keep):
            rebuilt.add_with_ids(reconstruct_many(index, keep), keep)
        return rebuilt
    if kind == "ivf-sq8":
        _ensure_direct_map(index)
        index.remove_ids(faiss.IDSelectorArray(ids))  # a hash-table direct map only takes an array selector
        return index
    index.remove_ids(faiss.IDSelectorBatch(ids))
    return index


def _ensure_direct_map(index: faiss.Index) -> None:
    ivf = faiss.extract_index_ivf(index)
    if ivf.direct_map.type != faiss.DirectMap.Hashtable:
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)


def reconstruct(index: faiss.Index, id_: int) -> np.ndarray:
    """The stored vector of ``id_`` (for ``ivf-sq8``, decoded from 8 bits: within about 1e-3 of the original).

    Raises :class:`KeyError` if ``id_`` is not in the index.
    """
    return reconstruct_many(index, np.array([id_], dtype=np.int64))[0]


def reconstruct_many(index: faiss.Index, ids: np.ndarray) -> np.ndarray:
    """The stored vectors of ``ids``, one row each (raises :class:`KeyError` for an unknown id)."""
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if kind_of(index) == "ivf-sq8":
        _ensure_direct_map(index)
    if len(ids) == 0:
        return np.zeros((0, index.d), np.float32)
    try:
        return index.reconstruct_batch(ids)
    except RuntimeError as exc:
        raise KeyError(f"an id is not in the index: {exc}") from exc


def vector_bytes(index: faiss.Index) -> int:
    """Bytes the stored vectors take (codes only, without ids, graph or lists)."""
    kind = kind_of(index)
    if kind == "ivf-sq8":
        return int(index.ntotal * faiss.extract_index_ivf(index).code_size)
    return int(index.ntotal * index.d * 4)
