"""GET /metrics: Prometheus text that moves with searches and re-indexes, off by default, guarded by its token."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from indexer import FakeEmbedder, Settings, index_corpus
from tests.support.servers import run_server

ADMIN = "a-long-enough-admin-token-for-tests"
METRICS = "a-long-enough-metrics-token-too"


@pytest.fixture(scope="module")
def metered(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path,
            fake_embedder: FakeEmbedder) -> Iterator[tuple[str, Settings]]:
    root = tmp_path_factory.mktemp("metered")
    corpus = root / "corpus"
    shutil.copytree(small_corpus, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", admin_token=ADMIN, metrics="on",
                        metrics_token=METRICS, reload_interval=0.2, ocr=False)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    with run_server(settings, fake_embedder) as url:
        yield url, settings


def _scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_searches_move_the_request_stage_and_cache_metrics(metered: tuple[str, Settings]) -> None:
    url, _ = metered
    with httpx.Client(base_url=url, timeout=30) as client:
        before = _scrape(client)
        for _ in range(2):  # the second is answered from the query cache
            assert client.get("/search", params={"q": "logement social secret-query-words", "k": 3}).status_code == 200
        assert client.get("/documents/no-such-document").status_code == 404
        after = _scrape(client)
        text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"}).text
    count = "passerelle_http_requests_total"
    assert _value(after, count, route="/search", method="GET", status="200") - \
        _value(before, count, route="/search", method="GET", status="200") == 2
    assert _value(after, count, route="/documents/{document_id}", method="GET", status="404") >= 1
    assert _value(after, "passerelle_http_request_duration_seconds_count", route="/search", method="GET") >= 2
    for stage in ("encode", "rank", "shape"):
        stage_count = "passerelle_query_stage_duration_seconds_count"
        assert _value(after, stage_count, stage=stage) > _value(before, stage_count, stage=stage)
    cache = "passerelle_query_cache_lookups_total"
    assert _value(after, cache, result="hit") - _value(before, cache, result="hit") >= 1
    assert _value(after, cache, result="miss") - _value(before, cache, result="miss") >= 1
    # Route templates only: neither the query text nor a raw document path becomes a label.
    assert "secret-query-words" not in text and "logement" not in text and "no-such-document" not in text
    assert _value(after, "passerelle_index_documents") > 0 and _value(after, "passerelle_index_passages") > 0
    assert _value(after, "passerelle_index_age_seconds") >= 0
    assert "passerelle_model_load_seconds" in text


def test_a_reindex_moves_the_reindex_and_generation_metrics(metered: tuple[str, Settings]) -> None:
    url, _ = metered
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=url, timeout=30) as client:
        before = _scrape(client)
        served = [labels for (name, labels) in before if name == "passerelle_index_generation_info"]
        assert len(served) == 1
        assert client.post("/admin/reindex", params={"full": True}, headers=auth).status_code == 202
        deadline = time.monotonic() + 120
        while client.get("/admin/status", headers=auth).json()["reindex"]["running"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        after = _scrape(client)
        while served == [labels for (name, labels) in after if name == "passerelle_index_generation_info"]:
            assert time.monotonic() < deadline, "the new generation was not served"
            time.sleep(0.1)
            after = _scrape(client)
    assert _value(after, "passerelle_reindex_runs_total", outcome="completed") == \
        _value(before, "passerelle_reindex_runs_total", outcome="completed") + 1
    assert _value(after, "passerelle_reindex_duration_seconds_count") == \
        _value(before, "passerelle_reindex_duration_seconds_count") + 1
    assert _value(after, "passerelle_reindex_passages_embedded_total") > 0
    assert _value(after, "passerelle_reindex_files_total", outcome="added") > 0
    assert _value(after, "passerelle_reindex_files_total", outcome="failed") > 0  # the small corpus has bad files


def test_metrics_need_their_token_when_one_is_set(metered: tuple[str, Settings]) -> None:
    url, _ = metered
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token-of-some-length"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"}).status_code == 200


def test_metrics_are_off_by_default(fake_client: httpx.Client) -> None:
    assert Settings().metrics == "off"
    assert fake_client.get("/metrics").status_code == 404
