"""Embedding on a Dask cluster: the same index as in process, and a lost worker or a failing cluster never
damages the served index."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from indexer import Embedder, FakeEmbedder, Index, IndexReport, Searcher, Settings, index_corpus
from indexer.core import ann
from indexer.core.errors import ClusterError
from indexer.core.generations import current_generation

pytest.importorskip("distributed", reason="the cluster tests need the cluster extra: pip install -e '.[cluster]'")

# Imported only once the extra is known to be there: without it, the module skips instead of failing.
import dask
from distributed import LocalCluster

from indexer.ingest.cluster import ClusterEncoder, ClusterReader
from service.cli.commands import app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes of one thread each (the machine has two cores); a task whose worker died twice
    fails the run instead of waiting for a third."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        yield local
    finally:
        local.close()


def _passages(index: Index) -> list[tuple]:
    return index.query("SELECT id, document_id, ordinal, page, start, end, language, text FROM passages ORDER BY id")


def _vectors(index: Index, ids: Sequence[int]) -> np.ndarray:
    return ann.reconstruct_many(index.vectors, np.asarray(ids, dtype=np.int64))


def test_passerelle_index_on_a_cluster_builds_the_in_process_index(cluster: LocalCluster, settings: Settings,
                                                                   embedder: Embedder, indexed: IndexReport,
                                                                   tmp_path: Path) -> None:
    env = {"PASSERELLE_MODELS_DIR": str(settings.models_dir), "PASSERELLE_INDEX_DIR": str(tmp_path / "index"),
           "PASSERELLE_CLUSTER": cluster.scheduler_address, "PASSERELLE_THREADS": "1"}
    result = CliRunner().invoke(app, ["index", str(settings.corpus_dir), "--json"], env=env)
    assert result.exit_code == 0, result.output
    local, remote = Index.open(settings.index_dir), Index.open(tmp_path / "index")
    passages = _passages(local)
    assert passages == _passages(remote) and passages
    ids = [row[0] for row in passages]
    cosines = np.sum(_vectors(local, ids) * _vectors(remote, ids), axis=1)
    assert np.all(cosines > 1 - 1e-5), cosines.min()
    for query in ("Wohnungslosigkeit und Wohnungen", "santé mentale des jeunes", "social inclusion of migrants"):
        here, there = Searcher(local, embedder).search(query, k=5), Searcher(remote, embedder).search(query, k=5)
        assert [hit.document.id for hit in here.hits] == [hit.document.id for hit in there.hits]


class _Dies(FakeEmbedder):
    """The fake model, on a worker that exits in the middle of a batch: the first batch of the run only (a marker
    file decides which), or every batch."""

    def __init__(self, marker: str, *, always: bool = False) -> None:
        super().__init__()
        self.marker, self.always = marker, always

    def encode_document(self, passages: Sequence[str]) -> np.ndarray:
        if not self.always:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return super().encode_document(passages)
        os._exit(1)


def _fake_index(tmp_path: Path, small_corpus: Path, encode: ClusterEncoder | None = None, *,
                full: bool = False, read: ClusterReader | None = None) -> tuple[Settings, IndexReport]:
    settings = Settings(corpus_dir=small_corpus, index_dir=tmp_path / "index", ocr=False)
    report = index_corpus(small_corpus, index_dir=settings.index_dir, embedder=FakeEmbedder(), settings=settings,
                          encode=encode, full=full, read=read)
    return settings, report


def _issues(report: IndexReport) -> list[tuple[str, str]]:
    return sorted((issue.path, issue.reason) for issue in report.failed + report.skipped + report.duplicates)


def test_files_read_on_the_workers_give_the_same_index_and_the_same_failures(cluster: LocalCluster,
                                                                             small_corpus: Path,
                                                                             tmp_path: Path) -> None:
    """The small corpus has encrypted, damaged, empty and scanned files: each fails on a worker as it does here."""
    fake = FakeEmbedder()
    with ClusterEncoder(cluster, FakeEmbedder, expect=(fake.name, fake.dimension), batch=8) as encode:
        reader = encode.reader()
        assert reader.threads == 2
        _, remote_report = _fake_index(tmp_path / "remote", small_corpus, encode, read=reader)
    _, local_report = _fake_index(tmp_path / "local", small_corpus)
    assert _issues(remote_report) == _issues(local_report) and local_report.failed
    assert sorted(remote_report.added) == sorted(local_report.added) and local_report.added
    remote, local = Index.open(tmp_path / "remote" / "index"), Index.open(tmp_path / "local" / "index")
    assert _passages(remote) == _passages(local)
    ids = [row[0] for row in _passages(local)]
    assert np.allclose(_vectors(remote, ids), _vectors(local, ids), atol=1e-6)


def test_a_worker_lost_mid_run_is_replaced_and_the_run_completes(cluster: LocalCluster, small_corpus: Path,
                                                                  tmp_path: Path) -> None:
    fake = FakeEmbedder()
    dies = functools.partial(_Dies, str(tmp_path / "died"))
    with ClusterEncoder(cluster, dies, expect=(fake.name, fake.dimension), batch=8) as encode:
        _, report = _fake_index(tmp_path / "remote", small_corpus, encode)
    assert (tmp_path / "died").exists()  # a worker did exit mid-batch
    _, expected = _fake_index(tmp_path / "local", small_corpus)
    remote, local = Index.open(tmp_path / "remote" / "index"), Index.open(tmp_path / "local" / "index")
    assert report.embedded_passages == expected.embedded_passages > 0
    assert _passages(remote) == _passages(local)
    ids = [row[0] for row in _passages(local)]
    assert np.allclose(_vectors(remote, ids), _vectors(local, ids), atol=1e-6)


def test_a_failing_cluster_stops_the_run_and_leaves_the_served_index_as_it_was(cluster: LocalCluster,
                                                                               small_corpus: Path,
                                                                               tmp_path: Path) -> None:
    settings, _ = _fake_index(tmp_path, small_corpus)
    served = current_generation(settings.index_dir)
    assert served is not None
    manifest = (served / "manifest.json").read_bytes()
    before = sorted(path.name for path in settings.index_dir.iterdir())
    fake = FakeEmbedder()
    always = functools.partial(_Dies, str(tmp_path / "marker"), always=True)
    with ClusterEncoder(cluster, always, expect=(fake.name, fake.dimension), batch=8) as encode, \
            pytest.raises(ClusterError, match="failed"):
        _fake_index(tmp_path, small_corpus, encode, full=True)
    assert current_generation(settings.index_dir) == served
    assert (served / "manifest.json").read_bytes() == manifest
    assert sorted(path.name for path in settings.index_dir.iterdir()) == before  # no staging generation left
    assert Index.open(settings.index_dir).manifest.documents > 0


def test_a_cluster_with_another_model_is_refused(cluster: LocalCluster) -> None:
    with pytest.raises(ClusterError, match="another model"):
        ClusterEncoder(cluster, FakeEmbedder, expect=("multilingual-e5-small", 384))
