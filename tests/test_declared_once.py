"""Extension points declared once: a filter added to ``indexer.search.filters.FILTERS`` — and nothing else — is a
parameter of the API (in its OpenAPI schema), a part of the web page's URL state, an option of the command line,
and it selects documents."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from indexer import FakeEmbedder, IndexReport, Settings
from indexer.search import filters
from indexer.search.filters import FilterSpec
from service import create_app

FORMAT = FilterSpec("format", "value", "Only files of these formats", column="format")


@pytest.fixture
def with_a_format_filter() -> Iterator[None]:
    import service.cli.commands as commands

    filters.FILTERS.append(FORMAT)  # the one list every part reads
    try:
        importlib.reload(commands)  # its commands take their options from the declarations when they are defined
        yield
    finally:
        filters.FILTERS.remove(FORMAT)
        importlib.reload(commands)


def test_a_declared_filter_is_everywhere(with_a_format_filter: None, fake_settings: Settings,
                                         fake_embedder: FakeEmbedder, fake_indexed: IndexReport,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(fake_settings, embedder=fake_embedder)) as client:
        schema = client.get("/openapi.json").json()
        for path in ("/search", "/documents", "/documents/{document_id}/similar"):
            names = {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}
            assert "format" in names, path
        found = client.get("/search", params={"q": "logement Wohnung housing", "format": "pdf"}).json()["results"]
        assert found and {hit["document"]["format"] for hit in found} == {"pdf"}
        listed = client.get("/documents", params={"format": "docx"}).json()["documents"]
        assert listed and {document["format"] for document in listed} == {"docx"}
        page = client.get("/", params={"format": "docx"}, headers={"Accept-Language": "en"}).text
        assert 'data-key="active:format=docx"' in page  # the chip of the filter set, to remove it
        assert '<h2 id="results-title">1 document</h2>' in page  # the one DOCX of the corpus

    import service.cli.commands as commands

    help_text = CliRunner().invoke(commands.app, ["search", "--help"], terminal_width=200).output
    assert "--format" in help_text and "Only files of these formats" in help_text
    monkeypatch.setattr(commands, "_embedder", lambda settings: fake_embedder)
    answer = CliRunner().invoke(commands.app, ["search", "logement Wohnung housing", "--format", "pdf", "--json",
                                               "--index-dir", str(fake_settings.index_dir)])
    assert answer.exit_code == 0, answer.output
    printed = answer.output.replace(" ", "")
    assert '"format":"pdf"' in printed and '"format":"docx"' not in printed


@pytest.fixture
def with_a_csv_format() -> Iterator[object]:
    from indexer.ingest import extract

    csv = extract.FileFormat("csv", (".csv",), extract.extract_text, "text/csv; charset=utf-8", inline=True)
    extract.FORMATS.append(csv)  # the one list every part reads
    try:
        yield csv
    finally:
        extract.FORMATS.remove(csv)


class _InProcess:
    """Reads files in this process: a worker process imports the formats as the code declares them, without the
    one this test adds."""

    def __init__(self, **limits: object) -> None: ...

    def call(self, function: Callable[..., object], *args: object, **kwargs: object) -> object:
        return function(*args, **kwargs)

    def close(self) -> None: ...


def test_a_declared_format_is_read_uploaded_served_and_offered(with_a_csv_format: object, tmp_path: Path,
                                                               fake_embedder: FakeEmbedder,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from indexer import index_corpus
    from indexer.ingest import pipeline
    from service.console import corpus as staff_corpus

    monkeypatch.setattr(pipeline, "Worker", _InProcess)
    corpus = tmp_path / "corpus"
    (corpus / "2026-data").mkdir(parents=True)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", ocr=False, admin_token="a" * 20)
    kept = staff_corpus.save_uploads(corpus / "2026-data", [staff_corpus.Upload(
        "besoins.csv", io.BytesIO("quartier;besoins\\nGasperich;logement social et crèches\\n".encode()))],
        settings, replace=False)  # staff may upload it
    assert [path.name for path in kept] == ["besoins.csv"]
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    with TestClient(create_app(settings, embedder=fake_embedder)) as client:
        listed = client.get("/documents").json()["documents"]
        assert [(document["path"], document["format"]) for document in listed] == [("2026-data/besoins.csv", "csv")]
        served = client.get(f"/documents/{listed[0]['id']}/file")
        assert served.headers["content-type"].startswith("text/csv") and "inline" in served.headers[
            "content-disposition"]
        assert "text/csv" in client.get("/openapi.json").json()["paths"]["/documents/{document_id}/file"]["get"][
            "responses"]["200"]["content"]
    from service.console.routes import _accepted

    assert ".csv" in _accepted()  # the console's upload form offers it


def test_a_citation_style_is_one_registry_entry(fake_settings: Settings, fake_embedder: FakeEmbedder,
                                                fake_indexed: IndexReport) -> None:
    from service import citations

    plain = citations.Style("title-only", "text/plain; charset=utf-8", lambda item: item["title"] + "\n", "txt",
                            "title-only (the title alone)")
    citations.STYLES[plain.name] = plain
    try:
        with TestClient(create_app(fake_settings, embedder=fake_embedder)) as client:
            operation = client.get("/openapi.json").json()["paths"]["/documents/{document_id}/cite"]["get"]
            [parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
            assert "title-only" in parameter["schema"]["enum"]
            document = client.get("/documents").json()["documents"][0]
            answer = client.get(f"/documents/{document['id']}/cite", params={"format": "title-only"})
            assert answer.text == document["title"] + "\n" and answer.headers["content-disposition"].endswith('.txt"')
            page = client.get(f"/d/{document['id']}").text
            assert f"/documents/{document['id']}/cite?format=title-only" in page  # offered for download
    finally:
        del citations.STYLES[plain.name]
