"""Every error of the API has one shape, ``ErrorBody``: a sentence in ``detail``, and for a request that failed
validation the parameters in fault in ``errors``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from indexer import FakeEmbedder, IndexReport, Settings, index_corpus
from service import create_app, searching
from service.api.schemas import ErrorBody


@pytest.mark.parametrize(
    ("params", "reason", "location"),
    [
        ({}, "q: Field required", ["query", "q"]),
        ({"q": "ok", "k": "ten"}, "k: Input should be a valid integer", ["query", "k"]),
        ({"q": "ok", "k": 0}, "k must be at least 1, got 0", ["query", "k"]),
        ({"q": "ok", "mode": "magic"}, "mode: Input should be 'hybrid', 'dense' or 'keyword'", ["query", "mode"]),
        ({"q": "ok", "year": ["2024", "later"]}, "year: Input should be a valid integer", ["query", "year", 1]),
    ],
)
def test_validation_errors_have_a_sentence_and_the_fields_in_fault(fake_client: httpx.Client, params: dict,
                                                                    reason: str, location: list) -> None:
    response = fake_client.get("/search", params=params)
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and reason in body["detail"]
    assert [error["loc"] for error in body["errors"]] == [location]
    assert set(body["errors"][0]) == {"loc", "msg", "type"}  # the input is not echoed back
    ErrorBody.model_validate(body, strict=True)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/search?q=ok&language=xx", 422),  # the service's own check
        ("GET", "/documents/nope", 404),
        ("GET", "/nowhere", 404),  # the router's
        ("POST", "/search?q=ok", 405),
        ("POST", "/admin/reindex", 403),  # no admin token configured
    ],
)
def test_every_error_has_the_same_shape(fake_client: httpx.Client, method: str, path: str, status: int) -> None:
    response = fake_client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"detail"} and isinstance(response.json()["detail"], str)
    if status == 405:
        assert response.headers["allow"] == "GET"


@pytest.fixture(scope="module")
def in_process(fake_settings: Settings, fake_embedder: FakeEmbedder, fake_indexed: IndexReport) -> Iterator[TestClient]:
    with TestClient(create_app(fake_settings, embedder=fake_embedder), raise_server_exceptions=False) as client:
        yield client


def test_an_unexpected_failure_is_a_500_with_the_same_shape(in_process: TestClient,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(searching, "document_detail", broken)
    response = in_process.get("/documents/anything")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error: the request could not be answered (it is logged)"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_a_document_whose_file_left_the_corpus_is_gone(tmp_path: Path, small_corpus: Path,
                                                        fake_embedder: FakeEmbedder) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", ocr=False)  # OCR: see test_extract.py
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    with TestClient(create_app(settings, embedder=fake_embedder)) as client:
        document = client.get("/search", params={"q": "Eeler Leit Eesamkeet"}).json()["results"][0]["document"]
        assert client.get(document["url"]).status_code == 200
        (corpus / document["path"]).unlink()
        response = client.get(document["url"])
        assert response.status_code == 410
        assert response.json() == {"detail": f"the file of document {document['id']!r} is no longer in the corpus"}
        assert client.get(f"/documents/{document['id']}").status_code == 200  # still indexed until the next run
