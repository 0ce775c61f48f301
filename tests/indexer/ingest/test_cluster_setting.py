"""PASSERELLE_CLUSTER without the cluster extra: a clear error naming the extra, before anything is indexed."""

from __future__ import annotations

import sys

import pytest

from indexer import FakeEmbedder, Settings
from indexer.core.errors import ClusterError
from service.cli.commands import _cluster


def test_no_cluster_means_embedding_in_process() -> None:
    assert Settings().cluster is None
    with _cluster(Settings(), FakeEmbedder()) as encode:
        assert encode is None


def test_a_cluster_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: importing it fails
    monkeypatch.delitem(sys.modules, "indexer.ingest.cluster", raising=False)
    with pytest.raises(ClusterError, match=r"pip install 'passerelle\[cluster\]'"):
        _cluster(Settings(cluster="tcp://scheduler:8786"), FakeEmbedder())
