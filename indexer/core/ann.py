"""Choosing the FAISS index by size: exact search while it is fast enough, an approximate index beyond.

Four kinds of index, each keeping the caller's int64 ids (FAISS ids are passage ids in the store):

``flat``
    ``IndexIDMap2(IndexFlatIP)``: exact inner product on normalised vectors (= cosine), 4·d bytes a
    vector. A query costs time in proportion to the number of vectors.
``ivf-pq`` (chosen above :data:`FLAT_MAX_VECTORS`)
    ``IndexIDMap2(IndexRefine(IVF + PQ fast-scan, SQ8))``: each query scans ``nprobe`` of ``nlist`` lists of
    4-bit product-quantised codes (d/4 bytes a vector, scanned with SIMD look-up tables), then re-ranks
    ``k_factor``·k candidates with 8-bit scalar-quantised vectors (d bytes). d·1.25 bytes a vector in all
    (480 MB at 1 M × 384), against 4·d for fp32. Trained (k-means, PQ codebooks) on a sample.
``ivf-sq8``
    ``IndexIVFScalarQuantizer`` (8-bit) with a hash-table direct map: d bytes a vector, removal in place.
    Measured slower than ``ivf-pq`` at equal recall (decoding 8-bit codes is compute-bound), so explicit only.
``hnsw``
    ``IndexIDMap2(IndexHNSWFlat)``: a graph, fp32; explicit only (slowest build, no gain in recall here).

Deletions: ``flat`` and ``ivf-sq8`` remove in place. FAISS cannot remove from an HNSW graph nor from an
``IndexRefine``: :func:`remove` returns a rebuilt index (same trained lists and codebooks for ``ivf-pq``)
from the remaining vectors — one pass over the data, so batch deletions (a re-index writes a new
generation anyway).

Why these thresholds: exact search stays under 10 ms a query up to about 150 k vectors, so
:data:`FLAT_MAX_VECTORS` = 100 k keeps a margin for a busy machine; beyond it ``ivf-pq`` with half of the lists
probed (:data:`DEFAULT_PROBE_SHARE`) and :data:`PQ_RERANK` candidates re-ranked keeps a query near 10 ms with
recall@10 about 0.96 at 1 M vectors. The figures and the variants tried are in bench/RESULTS-scale-speed.md
(``bench/bench_scale.py``).

Filters run inside the search (a FAISS ``IDSelector`` in the search parameters) for every kind; build the
parameters with :func:`search_params` — an IVF index rejects a plain ``faiss.SearchParameters``, and
``IndexRefine`` ignores a selector that is not in its base index's parameters. A parameter object holds the
selector while FAISS searches with it: make one per search, do not share one between threads.
:func:`search` does the whole filtered search and guarantees ``min(k, allowed)`` results: up to
:data:`EXACT_FILTER_MAX` allowed vectors are scored exactly (1 ms for 1,000 at 1 M vectors, where the
in-index search took 19 ms), more are searched in the index with ``nprobe`` raised by the inverse of the
allowed share, widened again for rows that came back short.

FAISS threads: on a machine without spare cores, OpenMP workers spin-waiting for a core make a query and
training many times slower. Building here runs on one thread; a service searching one query at a time should
call ``faiss.omp_set_num_threads(1)``.
"""

from __future__ import annotations

import contextlib
import math
import weakref
from collections.abc import Iterator
from typing import Literal

import faiss
import numpy as np

Kind = Literal["flat", "ivf-sq8", "ivf-pq", "hnsw"]
KINDS: tuple[Kind, ...] = ("flat", "ivf-sq8", "ivf-pq", "hnsw")

FLAT_MAX_VECTORS = 100_000
"""Largest index searched exactly by ``kind="auto"``; above it, ``ivf-pq``."""

DEFAULT_PROBE_SHARE = 0.5
"""Share of an IVF index's lists scanned per query by default (stored in the index as ``nprobe``).

At 1 M vectors, a half against a quarter: recall@10 0.957 against 0.916 (k_factor 200), p50 10.0 against 7.0 ms."""

PQ_RERANK = 2_000
"""``ivf-pq``: candidates re-ranked with the 8-bit codes per query (``k_factor`` = this / k, at least 2).

200·k at k = 10: at 1 M with half the lists, 100·k → 200·k took recall@10 from 0.938 to 0.957 for +0.9 ms.
A budget, not a fixed multiple: the service asks for ~200 neighbours (enough passages to fill 50 documents),
and 200·200 candidates took 26 ms against 11 ms for 2,000, with the same recall@10 as a k = 10 query."""

PQ_K_FACTOR = PQ_RERANK // 10
"""The ``k_factor`` stored in an ``ivf-pq`` index: what a bare ``index.search`` uses (right for k = 10)."""

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 64

EXACT_FILTER_MAX = 5_000
"""A filtered search allowing at most this many vectors (IVF, HNSW) scores them exactly from the stored codes
instead of searching the index: about 3 µs a vector (1 ms for 1,000, 32 ms for 10,000 at 1 M vectors, where
a filtered in-index search scanning every list took 19-26 ms)."""

_IVF_KINDS = ("ivf-sq8", "ivf-pq")
# faiss's stubs leave out the DirectMap enum that SWIG exposes.
_HASHTABLE: int = faiss.DirectMap.Hashtable  # type: ignore[attr-defined]
_TRAIN_POINTS_PER_LIST = 40  # k-means sample: FAISS wants ≥ 39 points per centroid; more costs build time
_KMEANS_ITERATIONS = 10


def choose_kind(n_vectors: int) -> Kind:
    """The index kind for ``n_vectors`` vectors: ``flat`` (exact) up to :data:`FLAT_MAX_VECTORS`, else ``ivf-pq``."""
    if n_vectors < 0:
        raise ValueError(f"n_vectors must be >= 0, got {n_vectors}")
    return "flat" if n_vectors <= FLAT_MAX_VECTORS else "ivf-pq"


def default_nlist(n_vectors: int) -> int:
    """Inverted lists for an IVF index of ``n_vectors``: a power of two near 4·√n, between 64 and 4,096.

    More than 4,096 lists would make k-means training and adding (one ``nlist``-wide matrix product per
    vector) too slow on two cores. The price is longer lists beyond that: at 5 M vectors (~1,220 a list)
    a query takes 27.5 ms with recall@10 0.93 at the default probes (bench/RESULTS-scale-speed.md).
    """
    target = 4 * math.sqrt(max(n_vectors, 1))
    return int(min(4096, max(64, 2 ** round(math.log2(target)))))


def build_vector_index(vectors: np.ndarray, ids: np.ndarray, *, kind: Kind | Literal["auto"] = "auto",
                       nlist: int | None = None, nprobe: int | None = None, seed: int = 1234) -> faiss.Index:
    """An index of ``vectors`` (normalised float32 rows) searched by inner product, whose ids are ``ids``.

    Args:
        vectors: ``(n, d)`` array; converted to contiguous float32.
        ids: ``n`` distinct int64 ids, returned by searches in place of row numbers.
        kind: ``"auto"`` (:func:`choose_kind`) or one of :data:`KINDS`.
        nlist: IVF lists (default :func:`default_nlist`; never more than ``n`` / 39 so k-means has data).
        nprobe: IVF lists scanned per query by default, stored in the index (default: a
            :data:`DEFAULT_PROBE_SHARE` of the lists).
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
        probes = nprobe or max(1, round(lists * DEFAULT_PROBE_SHARE))
        train = _trained_ivf_pq if chosen == "ivf-pq" else _trained_ivf
        index = train(vectors, lists, nprobe=probes, seed=seed)
    if n:
        with _one_thread():
            index.add_with_ids(vectors, ids)
    return index


def _new_hnsw(dimension: int) -> faiss.Index:
    graph = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    graph.hnsw.efSearch = HNSW_EF_SEARCH
    return faiss.IndexIDMap2(graph)


def _sample(vectors: np.ndarray, nlist: int, seed: int) -> np.ndarray:
    sample_size = min(len(vectors), nlist * _TRAIN_POINTS_PER_LIST)
    if sample_size < len(vectors):
        return vectors[np.sort(np.random.default_rng(seed).choice(len(vectors), sample_size, replace=False))]
    return vectors


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """FAISS with one OpenMP thread: small k-means runs (PQ's 16 centroids) were 90× slower with two
    threads on a busy 2-core machine, OpenMP workers spin-waiting for a core."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _trained_ivf_pq(vectors: np.ndarray, nlist: int, *, nprobe: int, seed: int) -> faiss.Index:
    """IDMap2(IndexRefine(IVF + 4-bit PQ fast-scan, SQ8)): scan cheap 4-bit codes, re-rank with 8-bit ones."""
    dimension = vectors.shape[1]
    if dimension % 2:
        raise ValueError("ivf-pq needs an even dimension")
    base = faiss.index_factory(dimension, f"IVF{nlist},PQ{dimension // 2}x4fs", faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.extract_index_ivf(base)
    ivf.cp.niter = _KMEANS_ITERATIONS
    ivf.cp.seed = seed
    ivf.cp.max_points_per_centroid = _TRAIN_POINTS_PER_LIST
    ivf.nprobe = min(nprobe, nlist)
    refine = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    index = faiss.IndexRefine(base, refine)
    index.own_fields = True
    # faiss's stubs leave out SWIG's `this` proxy, through which the refine index takes ownership of both.
    base.this.disown()  # type: ignore[attr-defined]
    refine.this.disown()  # type: ignore[attr-defined]
    index.k_factor = PQ_K_FACTOR
    with _one_thread():
        index.train(_sample(vectors, nlist, seed))
    return faiss.IndexIDMap2(index)


def _trained_ivf(vectors: np.ndarray, nlist: int, *, nprobe: int, seed: int) -> faiss.Index:
    dimension = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()  # type: ignore[attr-defined]  # faiss's stubs leave out SWIG's `this`; the IVF owns it
    index.cp.niter = _KMEANS_ITERATIONS
    index.cp.seed = seed
    index.cp.max_points_per_centroid = _TRAIN_POINTS_PER_LIST
    with _one_thread():
        index.train(_sample(vectors, nlist, seed))
    index.nprobe = min(nprobe, nlist)
    index.set_direct_map_type(_HASHTABLE)  # reconstruct() and remove_ids() by arbitrary id
    return index


def kind_of(index: faiss.Index) -> Kind:
    """Which of :data:`KINDS` ``index`` is (raises :class:`ValueError` for any other index)."""
    kind = _kinds.get(index)
    if kind is None:
        kind = _kinds[index] = _kind_of(index)
    return kind


# An index's kind never changes; working it out (SWIG downcasts) took ~8 µs, asked three times a query.
_kinds: weakref.WeakKeyDictionary[faiss.Index, Kind] = weakref.WeakKeyDictionary()


def _kind_of(index: faiss.Index) -> Kind:
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexIVFScalarQuantizer):
        return "ivf-sq8"
    if isinstance(index, faiss.IndexIDMap2):
        inner = faiss.downcast_index(index.index)
        if isinstance(inner, faiss.IndexFlat):
            return "flat"
        if isinstance(inner, faiss.IndexHNSW):
            return "hnsw"
        if isinstance(inner, faiss.IndexRefine):
            return "ivf-pq"
    raise ValueError(f"not an index built by indexer.core.ann: {type(index).__name__}")


def search_params(index: faiss.Index, *, selector: faiss.IDSelector | None = None, k: int,
                  nprobe: int | None = None, ef_search: int | None = None,
                  k_factor: int | None = None) -> faiss.SearchParameters:
    """The parameter object to search ``index`` for ``k`` neighbours, restricted to ``selector`` if given.

    ``SearchParametersIVF`` (``nprobe``: the given one, else the index's) for IVF, ``SearchParametersHNSW``
    (``efSearch``: the given one, else the larger of :data:`HNSW_EF_SEARCH` and 2·k) for HNSW, plain
    ``SearchParameters`` for flat; each carries ``sel=selector``, which refers to the caller's ids.
    ``ivf-pq`` gets ``IndexRefineSearchParameters`` (``k_factor``, default :data:`PQ_RERANK` / k) whose
    ``base_index_params`` are the IVF's, with the selector translated to the index's internal ids. Keep the
    returned object alive during the search and use it from one thread at a time (FAISS swaps the selector
    inside it while searching an ``IndexIDMap2``).
    """
    # Fields are set one by one, as FAISS's keyword constructor does: faiss's stubs declare no keywords.
    kind = kind_of(index)
    if kind == "ivf-pq":
        ivf = faiss.extract_index_ivf(index)
        base = faiss.SearchParametersIVF()
        base.nprobe = min(ivf.nlist, nprobe or ivf.nprobe)
        if selector is not None:
            # IndexRefine ignores a selector of its own: it goes to the IVF, on the IDMap2's internal ids.
            id_map = _id_map(index).id_map
            # faiss's stubs want an array here, but the C++ constructor takes the index's own Int64Vector.
            base.sel = faiss.IDSelectorTranslated(id_map, selector)  # type: ignore[arg-type]
        refine = faiss.IndexRefineSearchParameters()
        refine.k_factor = k_factor or max(2, math.ceil(PQ_RERANK / k))
        refine.base_index_params = base
        return refine
    params: faiss.SearchParameters
    if kind == "ivf-sq8":
        ivf = faiss.extract_index_ivf(index)
        params = faiss.SearchParametersIVF()
        params.nprobe = min(ivf.nlist, nprobe or ivf.nprobe)
    elif kind == "hnsw":
        hnsw = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # absent from faiss's stubs
        hnsw.efSearch = ef_search or max(HNSW_EF_SEARCH, 2 * k)
        params = hnsw
    else:
        params = faiss.SearchParameters()
    if selector is not None:
        params.sel = selector
    return params


def _id_map(index: faiss.Index) -> faiss.IndexIDMap2:
    """``index`` as the ``IndexIDMap2`` that :func:`kind_of` found it to be (flat, hnsw and ivf-pq kinds)."""
    outer = faiss.downcast_index(index)
    if not isinstance(outer, faiss.IndexIDMap2):
        raise ValueError(f"expected an IndexIDMap2, got {type(outer).__name__}")
    return outer


def search(index: faiss.Index, queries: np.ndarray, k: int, *,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (scores, ids) per query row, only among ``allowed`` ids when given.

    Unlike a bare ``index.search``, every row holds ``min(k, number of candidates)`` results for every
    kind: a small allowed set (≤ :data:`EXACT_FILTER_MAX` and ≤ 0.5 % of the index) is scored exactly from
    the stored vectors (``flat`` always searches exactly in the index); a
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
        if kind_of(index) in _IVF_KINDS:
            scores, ids = _widen_ivf(index, queries, k, wanted, None, scores, ids)
        return scores, ids
    allowed = np.unique(np.asarray(allowed, dtype=np.int64))
    if len(allowed) == 0 or index.ntotal == 0:
        return np.full((len(queries), k), -np.inf, dtype=np.float32), np.full((len(queries), k), -1, np.int64)
    kind = kind_of(index)
    if kind != "flat" and len(allowed) <= min(EXACT_FILTER_MAX, max(index.ntotal // 200, 16)):
        return _exact(index, queries, k, allowed)
    selector = faiss.IDSelectorBatch(allowed)
    wanted = min(k, len(allowed))
    if kind in _IVF_KINDS:
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
    if invlists is None:  # every index built here owns its lists
        raise ValueError("IVF index without inverted lists")
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

    ``flat`` and ``ivf-sq8`` remove in place and return ``index`` itself. ``hnsw`` (a graph) and ``ivf-pq``
    (FAISS's ``IndexRefine`` has no ``remove_ids``) cannot: a new index is built from the remaining stored
    vectors — for ``ivf-pq`` with the same trained lists and codebooks, re-encoding the 8-bit vectors, which
    gives them back the same codes — and returned; the old object is left as is. That costs a pass over
    every vector (about a minute at 1 M), so batch deletions.
    """
    ids = np.unique(np.asarray(ids, dtype=np.int64))
    if len(ids) == 0:
        return index
    kind = kind_of(index)
    if kind in ("hnsw", "ivf-pq"):
        stored = all_ids(index)
        keep = stored[~np.isin(stored, ids)]
        if len(keep) == len(stored):
            return index
        if kind == "hnsw":
            rebuilt = _new_hnsw(index.d)
        else:  # the same trained lists and codebooks, emptied
            refine = faiss.clone_index(_id_map(index).index)
            refine.reset()
            rebuilt = faiss.IndexIDMap2(refine)
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
    if ivf.direct_map.type != _HASHTABLE:
        ivf.set_direct_map_type(_HASHTABLE)


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
    if kind == "ivf-pq":
        return int(index.ntotal * (faiss.extract_index_ivf(index).code_size + index.d))
    return int(index.ntotal * index.d * 4)
