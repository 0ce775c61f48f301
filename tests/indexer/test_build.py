"""Indexing a small real corpus with the real default model."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import Embedder, Index, IndexReport, Settings, index_corpus

pytestmark = pytest.mark.slow


def test_every_file_is_indexed_skipped_or_failed_with_a_reason(indexed: IndexReport) -> None:
    failed = {issue.path: issue.reason for issue in indexed.failed}
    assert failed == {
        "2024-archive/bad/encrypted.pdf": "encrypted",
        "2024-archive/bad/corrupt.pdf": "corrupt",
        "2024-archive/bad/empty.pdf": "no text",
        "2024-archive/bad/scan.pdf": "no text",
        "2024-archive/bad/broken.docx": "corrupt",
    }
    assert [issue.path for issue in indexed.skipped] == ["2024-archive/bad/picture.png"]
    assert indexed.documents == 6  # README.md and _build/ are not documents
    assert all(issue.message for issue in indexed.failed + indexed.skipped)


def test_metadata_comes_from_catalogue_file_and_layout(indexed: IndexReport, settings: Settings) -> None:
    index = Index.open(settings.index_dir)
    by_path = {row[0]: row for row in index.query("SELECT path, title, type, language, year, edition, extra, "
                                                   "authors FROM documents")}
    thesis = by_path["2025-demo/theses/integration.pdf"]
    assert thesis[1:6] == ("Schulische Integration von Kindern mit Migrationshintergrund", "thesis", "de", 2025,
                           "2025-demo")
    assert '"supervisor": "Prof. Dr. Claude Weis"' in thesis[6]
    assert by_path["2025-demo/housing-report.docx"][1] == "Housing First report"  # file metadata
    assert by_path["2025-demo/housing-report.docx"][3] == "en"  # detected
    assert by_path["2025-demo/ia-slides.pptx"][2] == "slides"
    assert by_path["2025-demo/eeler-leit.md"][1:4] == ("Eeler Leit doheem", "document", "lb")
    html = by_path["2024-archive/page.html"]
    assert (html[1], html[4], html[5], html[7]) == ("Housing and homelessness", 2024, "2024-archive", '["Alex Martin"]')


def test_passages_keep_page_numbers_and_offsets(indexed: IndexReport, settings: Settings) -> None:
    index = Index.open(settings.index_dir)
    rows = index.query("SELECT p.page, p.start, p.end, p.text FROM passages p JOIN documents d "
                       "ON d.id = p.document_id WHERE d.path = '2025-demo/theses/integration.pdf' ORDER BY ordinal")
    assert [row[0] for row in rows] == [1, 2]
    assert "Jugendliche" in rows[1][3] and rows[0][1] == 0 and rows[0][2] > rows[0][1]


def test_manifest_records_model_counts_and_fingerprint(indexed: IndexReport, settings: Settings,
                                                       embedder: Embedder) -> None:
    manifest = Index.open(settings.index_dir).manifest
    assert manifest.model == embedder.name == "multilingual-e5-small"
    assert (manifest.documents, manifest.passages, manifest.dimension) == (6, indexed.passages, 384)
    assert len(manifest.corpus_fingerprint) == 64 and manifest.created_at


def test_a_failed_run_leaves_the_served_index_untouched(tmp_path: Path, settings: Settings,
                                                        embedder: Embedder, small_corpus: Path) -> None:
    index_dir = tmp_path / "index"
    first = index_corpus(small_corpus, index_dir=index_dir, embedder=embedder, settings=settings)
    served = Index.open(index_dir).path

    class Boom(Exception):
        pass

    class ExplodingEmbedder:
        name, dimension = embedder.name, embedder.dimension
        count_tokens = staticmethod(embedder.count_tokens)

        def configure_thread(self) -> None:
            pass

        def encode_document(self, passages):
            raise Boom("crash in the middle of a re-index")

    with pytest.raises(Boom):
        index_corpus(small_corpus, index_dir=index_dir, embedder=ExplodingEmbedder(),  # type: ignore[arg-type]
                     settings=settings, full=True)
    after = Index.open(index_dir)
    assert after.path == served and after.manifest.passages == first.passages
    assert not list(index_dir.glob(".tmp-*"))


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next(tmp_path: Path, settings: Settings,
                                                          embedder: Embedder, small_corpus: Path) -> None:
    index_dir = tmp_path / "index"
    (index_dir / ".tmp-gen-20200101T000000-dead00").mkdir(parents=True)
    (index_dir / ".tmp-gen-20200101T000000-dead00" / "store.sqlite").write_bytes(b"half")
    index_corpus(small_corpus, index_dir=index_dir, embedder=embedder, settings=settings)
    assert not list(index_dir.glob(".tmp-*"))
    Index.open(index_dir)
