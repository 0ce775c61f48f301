"""No downtime: the service picks up new indexes by itself, swaps atomically, and guards its admin door."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer import FakeEmbedder, Index, Settings, index_corpus
from tests.documents import FRENCH_AI
from tests.support.servers import run_server

TOKEN = "a-long-enough-admin-token-for-tests"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path,
         fake_embedder: FakeEmbedder) -> Iterator[tuple[str, Settings]]:
    root = tmp_path_factory.mktemp("live")
    corpus = root / "corpus"
    shutil.copytree(small_corpus, corpus)
    # No OCR: each full run would read the scan in bad/ again, and OCR has its own tests (test_extract.py).
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", admin_token=TOKEN, reload_interval=0.2,
                        ocr=False)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    with run_server(settings, fake_embedder) as url:
        yield url, settings


def _wait(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_searches_never_fail_while_new_indexes_are_swapped_in(live: tuple[str, Settings],
                                                              fake_embedder: FakeEmbedder) -> None:
    url, settings = live
    with httpx.Client(base_url=url, timeout=30) as client:
        first = client.get("/health").json()["documents"]
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not stop.is_set():
                statuses.append(client.get("/search", params={"q": "logement social", "k": 3}).status_code)

    clients = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in clients:
        thread.start()
    try:
        for number in range(3):  # three new generations while the clients search
            (settings.corpus_dir / "2024-archive" / f"added-{number}.txt").write_text(
                f"{FRENCH_AI} Version {number}.", encoding="utf-8")
            index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
            generation = Index.open(settings.index_dir).path.name
            with httpx.Client(base_url=url, timeout=30) as client:
                _wait(lambda expected=generation: client.get(
                    "/admin/status", headers={"Authorization": f"Bearer {TOKEN}"}).json()["serving"]["generation"]
                    == expected)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    assert len(statuses) > 20 and set(statuses) == {200}
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/health").json()["documents"] == first + 3


def test_a_damaged_new_index_is_refused_and_the_old_one_kept(live: tuple[str, Settings]) -> None:
    url, settings = live
    auth = {"Authorization": f"Bearer {TOKEN}"}
    serving = Index.open(settings.index_dir).path
    damaged = settings.index_dir / "gen-99990101T000000000000-bad000"  # sorts after every real generation
    shutil.copytree(serving, damaged)
    (damaged / "store.sqlite").write_bytes(b"damaged")
    (settings.index_dir / "CURRENT").write_text(damaged.name + "\n")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            _wait(lambda: "refused" in (client.get("/admin/status", headers=auth).json()["problem"] or ""))
            status = client.get("/admin/status", headers=auth).json()
            assert status["serving"]["generation"] == serving.name and damaged.name in status["problem"]
            assert client.get("/search", params={"q": "RGPD"}).status_code == 200
    finally:
        (settings.index_dir / "CURRENT").write_text(serving.name + "\n")
        shutil.rmtree(damaged)


def test_admin_reindex_runs_in_the_background_once_at_a_time(live: tuple[str, Settings]) -> None:
    url, settings = live
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.post("/admin/reindex", params={"full": True}).status_code == 401
        assert client.post("/admin/reindex", params={"full": True},
                           headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
        started = client.post("/admin/reindex", params={"full": True}, headers=auth)
        assert started.status_code == 202
        assert client.post("/admin/reindex", headers=auth).status_code == 409
        assert client.get("/search", params={"q": "Wohnung"}).status_code == 200  # still answering
        _wait(lambda: not client.get("/admin/status", headers=auth).json()["reindex"]["running"], timeout=120)
        status = client.get("/admin/status", headers=auth).json()
        assert status["reindex"]["error"] is None
        assert status["reindex"]["last_report"]["embedded_passages"] > 0
        assert status["reindex"]["progress"]["done"] == status["reindex"]["progress"]["total"] > 0
        assert status["serving"]["generation"] == Index.open(settings.index_dir).path.name


def test_admin_endpoints_are_disabled_without_a_token(fake_client: httpx.Client) -> None:
    response = fake_client.post("/admin/reindex")
    assert response.status_code == 403 and "PASSERELLE_ADMIN_TOKEN" in response.json()["detail"]
    assert fake_client.get("/admin/status").status_code == 403


def test_short_admin_tokens_are_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="16 characters"):
        Settings(admin_token="secret")
