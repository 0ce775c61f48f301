"""Replicas: two `passerelle serve` processes on one index folder each switch to a new generation by themselves."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from indexer import FakeEmbedder, Settings, index_corpus
from tests.support.processes import serve, stop, wait_healthy
from tests.support.servers import free_port

pytestmark = pytest.mark.slow


def test_two_services_on_one_index_folder_both_serve_the_new_generation(tmp_path: Path, small_corpus: Path,
                                                                       fake_embedder: FakeEmbedder) -> None:
    shutil.copytree(small_corpus, tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", ocr=False)
    index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    ports = [free_port(), free_port()]
    servers = [serve(settings, port, PASSERELLE_RELOAD_INTERVAL="0.2") for port in ports]
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    try:
        for server, client in zip(servers, clients, strict=True):
            wait_healthy(server, client)
        first = {client.get("/health").json()["generation"] for client in clients}
        assert len(first) == 1
        # A run of `passerelle index` elsewhere (cron): neither service is told.
        report = index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=fake_embedder,
                              settings=settings, full=True)
        new = Path(report.index_path).name
        assert first != {new}
        deadline = time.monotonic() + 30
        while {client.get("/health").json()["generation"] for client in clients} != {new}:
            assert time.monotonic() < deadline, "a replica kept the old generation"
            time.sleep(0.1)
        for client in clients:
            assert client.get("/search", params={"q": "logement social", "k": 3}).status_code == 200
    finally:
        for client in clients:
            client.close()
        for server in servers:
            stop(server)
