"""Extension points declared once: a filter added to ``indexer.search.filters.FILTERS`` — and nothing else — is a
parameter of the API (in its OpenAPI schema), a part of the web page's URL state, an option of the command line,
and it selects documents."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

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
