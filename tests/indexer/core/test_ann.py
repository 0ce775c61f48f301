"""indexer.core.ann: every index kind keeps the caller's ids, filters inside the search, removes and reconstructs."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from indexer.core import ann

DIMENSION = 32
KINDS = list(ann.KINDS)


def clustered(n: int, *, seed: int = 0, clusters: int = 40) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIMENSION))
    vectors = centres[rng.integers(0, clusters, n)] + 0.35 * rng.standard_normal((n, DIMENSION))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    vectors = clustered(3000)
    ids = np.arange(len(vectors), dtype=np.int64) * 7 + 1_000  # not row numbers
    return vectors, ids


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return clustered(50, seed=1)


def exact_top(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return ids[np.argsort(-(queries @ vectors.T), axis=1)[:, :k]]


def test_choose_kind_is_exact_up_to_the_threshold() -> None:
    assert ann.choose_kind(0) == "flat"
    assert ann.choose_kind(ann.FLAT_MAX_VECTORS) == "flat"
    assert ann.choose_kind(ann.FLAT_MAX_VECTORS + 1) == "ivf-pq"
    with pytest.raises(ValueError):
        ann.choose_kind(-1)


def test_auto_kind_follows_the_size(data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    assert ann.kind_of(ann.build_vector_index(vectors, ids)) == "flat"


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_returns_the_given_ids(kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    assert ann.kind_of(index) == kind
    assert index.ntotal == len(ids)
    _, found = index.search(vectors[:20], 5, params=ann.search_params(index, k=5))
    assert set(found.ravel()) <= set(ids)
    assert (found[:, 0] == ids[:20]).mean() >= 0.9  # a stored vector finds itself first
    assert set(ann.all_ids(index)) == set(ids)


@pytest.mark.parametrize("kind", KINDS)
def test_selector_in_the_search_parameters_filters_every_kind(kind: str, data: tuple[np.ndarray, np.ndarray],
                                                               queries: np.ndarray) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    allowed = ids[::3]
    params = ann.search_params(index, selector=faiss.IDSelectorBatch(allowed), k=10)
    _, found = index.search(queries, 10, params=params)
    assert set(found[found >= 0].ravel()) <= set(allowed)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("exact_filter_max", [0, ann.EXACT_FILTER_MAX])
@pytest.mark.parametrize("allowed_count", [12, 40, 1500])
def test_filtered_search_returns_only_allowed_ids_and_k_of_them(
        kind: str, exact_filter_max: int, allowed_count: int, data: tuple[np.ndarray, np.ndarray],
        queries: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    vectors, ids = data
    monkeypatch.setattr(ann, "EXACT_FILTER_MAX", exact_filter_max)  # 0: always the in-index path
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    allowed = np.random.default_rng(2).choice(ids, allowed_count, replace=False)
    scores, found = ann.search(index, queries, 10, allowed=allowed)
    assert found.shape == (len(queries), 10)
    assert set(found.ravel()) <= set(allowed)  # every row full: no -1
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first
    truth = exact_top(vectors[np.isin(ids, allowed)], ids[np.isin(ids, allowed)], queries, 10)
    overlap = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert overlap >= 0.8


@pytest.mark.parametrize("kind", KINDS)
def test_filter_with_fewer_allowed_than_k_returns_them_all(kind: str, data: tuple[np.ndarray, np.ndarray],
                                                           queries: np.ndarray) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    allowed = ids[[5, 500, 2999]]
    _, found = ann.search(index, queries[:3], 10, allowed=np.append(allowed, -5))  # -5: not in the index
    for row in found:
        assert set(row[:3]) == set(allowed)
        assert (row[3:] == -1).all()
    _, none = ann.search(index, queries[:2], 5, allowed=np.array([], dtype=np.int64))
    assert (none == -1).all()


@pytest.mark.parametrize("kind", KINDS)
def test_remove(kind: str, data: tuple[np.ndarray, np.ndarray], queries: np.ndarray) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    gone = ids[:1000:2]
    index = ann.remove(index, np.append(gone, 123_456_789))  # an unknown id is ignored
    assert index.ntotal == len(ids) - len(gone)
    _, found = ann.search(index, np.vstack([queries, vectors[:1000:2][:50]]), 20)
    assert not set(found.ravel()) & set(gone)
    assert set(ann.all_ids(index)) == set(ids) - set(gone)
    with pytest.raises(KeyError):
        ann.reconstruct(index, int(gone[0]))
    assert ann.remove(index, np.array([], dtype=np.int64)) is index


@pytest.mark.parametrize("kind", KINDS)
def test_reconstruct(kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    tolerance = 0.02 if kind.startswith("ivf") else 1e-6  # 8-bit codes
    np.testing.assert_allclose(ann.reconstruct(index, int(ids[17])), vectors[17], atol=tolerance)
    np.testing.assert_allclose(ann.reconstruct_many(index, ids[[3, 2, 1]]), vectors[[3, 2, 1]], atol=tolerance)
    with pytest.raises(KeyError):
        ann.reconstruct(index, 5)  # between the given ids
    # Written and read back, as the store does.
    restored = faiss.deserialize_index(faiss.serialize_index(index))
    assert ann.kind_of(restored) == kind
    np.testing.assert_allclose(ann.reconstruct(restored, int(ids[17])), vectors[17], atol=tolerance)
    _, found = ann.search(restored, vectors[:5], 3, allowed=ids[:200])
    assert set(found.ravel()) <= set(ids[:200])


@pytest.mark.parametrize("kind", ["ivf-sq8", "hnsw"])
def test_approximate_kinds_recall_exact_neighbours(kind: str, data: tuple[np.ndarray, np.ndarray],
                                                   queries: np.ndarray) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind=kind)  # type: ignore[arg-type]
    _, found = ann.search(index, queries, 10)
    truth = exact_top(vectors, ids, queries, 10)
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.9


@pytest.mark.parametrize("kind", KINDS)
def test_add_after_build(kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors[:2000], ids[:2000], kind=kind)  # type: ignore[arg-type]
    ann.add(index, vectors[2000:], ids[2000:])
    assert index.ntotal == len(ids)
    _, found = ann.search(index, vectors[2500:2510], 1)
    assert (found[:, 0] == ids[2500:2510]).mean() >= 0.9
    with pytest.raises(ValueError):
        ann.add(index, vectors[:1], ids[:1])


def test_ivf_rejects_plain_search_parameters_so_use_search_params(data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind="ivf-sq8")
    selector = faiss.IDSelectorBatch(ids[:10])
    with pytest.raises(RuntimeError):
        index.search(vectors[:1], 5, params=faiss.SearchParameters(sel=selector))
    params = ann.search_params(index, selector=selector, k=5, nprobe=10_000)
    assert isinstance(params, faiss.SearchParametersIVF)
    assert params.nprobe == faiss.extract_index_ivf(index).nlist  # capped


def test_build_checks_its_input(data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    with pytest.raises(ValueError):
        ann.build_vector_index(vectors, ids[:-1])
    with pytest.raises(ValueError):
        ann.build_vector_index(vectors[:2], np.array([1, 1]))
    with pytest.raises(ValueError):
        ann.build_vector_index(vectors, ids, kind="pq")  # type: ignore[arg-type]
    empty = ann.build_vector_index(np.zeros((0, DIMENSION), np.float32), np.zeros(0, np.int64), kind="ivf-sq8")
    assert empty.ntotal == 0
    _, found = ann.search(empty, vectors[:1], 3)
    assert (found == -1).all()


def test_ivf_pq_re_ranks_a_fixed_budget_of_candidates_whatever_k(data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, ids = data
    index = ann.build_vector_index(vectors, ids, kind="ivf-pq")
    candidates = {k: ann.search_params(index, k=k).k_factor * k for k in (1, 10, 200, 2000)}
    assert candidates[10] == candidates[200] == ann.PQ_RERANK
    assert candidates[1] >= ann.PQ_RERANK
    assert candidates[2000] == 2 * 2000  # never fewer than twice k
    assert ann.search_params(index, k=200, k_factor=3).k_factor == 3  # an explicit factor wins
    _, found = index.search(vectors[:5], 200, params=ann.search_params(index, k=200))
    assert (found >= 0).all()
