"""The service keeps what it serves and says truthfully what that is (no generation lost, no false "ok")."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import httpx
import pytest

from indexer import FakeEmbedder, Index, Settings, index_corpus
from tests.documents import FRENCH_AI
from tests.support.servers import run_server


@pytest.fixture
def corpus(tmp_path: Path, small_corpus: Path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(small_corpus, copy)
    return copy


def _settings(corpus: Path, tmp_path: Path, **changes: object) -> Settings:
    # No OCR: each full run would read the scan in bad/ again, and OCR has its own tests (test_extract.py).
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", ocr=False, **changes)


def test_re_indexing_twice_never_removes_the_generation_a_non_reloading_service_serves(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    settings = _settings(corpus, tmp_path, reload_interval=0)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    served = Index.open(settings.index_dir).path
    statuses: list[int] = []
    stop = threading.Event()
    with run_server(settings, fake_embedder) as url:

        def hammer() -> None:
            with httpx.Client(base_url=url, timeout=60) as client:
                while not stop.is_set():
                    statuses.append(client.get("/search", params={"q": "logement social", "k": 3}).status_code)
                    statuses.append(client.get("/documents/" + first_id).status_code)

        with httpx.Client(base_url=url, timeout=30) as client:
            first_id = client.get("/search", params={"q": "logement"}).json()["results"][0]["document"]["id"]
            clients = [threading.Thread(target=hammer) for _ in range(3)]
            for thread in clients:
                thread.start()
            try:
                for number in range(3):
                    (corpus / "2024-archive" / "notes.txt").write_text(f"{FRENCH_AI} Version {number}.",
                                                                       encoding="utf-8")
                    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
            finally:
                stop.set()
                for thread in clients:
                    thread.join()
            assert served.exists() and Index.open(settings.index_dir).path != served
            health = client.get("/health")
            assert health.status_code == 200 and health.json()["status"] == "ok"
    assert len(statuses) > 10 and set(statuses) == {200}


def test_health_says_degraded_while_serving_a_fallback_and_why(corpus: Path, tmp_path: Path,
                                                               fake_embedder: FakeEmbedder) -> None:
    settings = _settings(corpus, tmp_path)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    good = Index.open(settings.index_dir).path
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings, full=True)
    damaged = Index.open(settings.index_dir).path
    (damaged / "vectors.faiss").write_bytes(b"\0" * 64)
    with run_server(settings, fake_embedder) as url, httpx.Client(base_url=url, timeout=30) as client:
        health = client.get("/health")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded" and body["generation"] == good.name
        assert damaged.name in body["problem"]
        assert client.get("/search", params={"q": "logement"}).status_code == 200
        # The next build keeps what is served and never keeps the damaged generation as a fallback.
        (corpus / "2024-archive" / "notes.txt").write_text(f"{FRENCH_AI} Encore.", encoding="utf-8")
        index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
        assert good.exists() and not damaged.exists()


def test_a_dangling_current_pointer_does_not_stop_the_service(corpus: Path, tmp_path: Path,
                                                              fake_embedder: FakeEmbedder) -> None:
    settings = _settings(corpus, tmp_path)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    intact = Index.open(settings.index_dir).path
    (settings.index_dir / "CURRENT").write_text("gen-missing\n")
    with run_server(settings, fake_embedder) as url, httpx.Client(base_url=url, timeout=30) as client:
        body = client.get("/health").json()
        assert body["status"] == "degraded" and body["generation"] == intact.name and "gen-missing" in body["problem"]
        assert client.get("/search", params={"q": "logement"}).status_code == 200


def test_health_is_503_when_the_served_generation_is_gone(corpus: Path, tmp_path: Path,
                                                          fake_embedder: FakeEmbedder) -> None:
    settings = _settings(corpus, tmp_path, reload_interval=0)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    served = Index.open(settings.index_dir).path
    with run_server(settings, fake_embedder) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/health").json()["status"] == "ok"
        shutil.rmtree(served)  # by hand, behind the service's back
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable" and served.name in health.json()["problem"]


def test_health_names_no_server_path(corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    token = "a-long-enough-admin-token-0123"
    settings = _settings(corpus, tmp_path, admin_token=token)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    (settings.index_dir / "CURRENT").write_text("gen-missing\n")
    with run_server(settings, fake_embedder) as url, httpx.Client(base_url=url, timeout=30) as client:
        problem = client.get("/health").json()["problem"]
        assert "gen-missing" in problem and "CURRENT" in problem
        assert str(tmp_path) not in problem and "/" not in problem
        status = client.get("/admin/status", headers={"Authorization": f"Bearer {token}"})
        assert str(settings.index_dir) in status.json()["problem"]  # the details, for staff
