"""Indexing a small real corpus (with the fake embedder: what is indexed, and how, does not depend on meaning)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import FakeEmbedder, Index, IndexReport, Settings, index_corpus


def test_every_file_is_indexed_skipped_or_failed_with_a_reason(fake_indexed: IndexReport) -> None:
    failed = {issue.path: issue.reason for issue in fake_indexed.failed}
    assert failed == {
        "2024-archive/bad/encrypted.pdf": "encrypted",
        "2024-archive/bad/corrupt.pdf": "corrupt",
        "2024-archive/bad/empty.pdf": "no text",
        "2024-archive/bad/scan.pdf": "no text",
        "2024-archive/bad/broken.docx": "corrupt",
    }
    assert [issue.path for issue in fake_indexed.skipped] == ["2024-archive/bad/picture.png"]
    assert fake_indexed.documents == 6  # README.md and _build/ are not documents
    assert all(issue.message for issue in fake_indexed.failed + fake_indexed.skipped)


def test_metadata_comes_from_catalogue_file_and_layout(fake_indexed: IndexReport, fake_settings: Settings) -> None:
    index = Index.open(fake_settings.index_dir)
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


def test_passages_keep_page_numbers_and_offsets(fake_indexed: IndexReport, fake_settings: Settings) -> None:
    index = Index.open(fake_settings.index_dir)
    rows = index.query("SELECT p.page, p.start, p.end, p.text FROM passages p JOIN documents d "
                       "ON d.id = p.document_id WHERE d.path = '2025-demo/theses/integration.pdf' ORDER BY ordinal")
    assert [row[0] for row in rows] == [1, 2]
    assert "Jugendliche" in rows[1][3] and rows[0][1] == 0 and rows[0][2] > rows[0][1]


def test_manifest_records_model_counts_and_fingerprint(fake_indexed: IndexReport, fake_settings: Settings,
                                                       fake_embedder: FakeEmbedder) -> None:
    manifest = Index.open(fake_settings.index_dir).manifest
    assert manifest.model == fake_embedder.name == "fake-embedder"  # the model that made the vectors
    assert (manifest.documents, manifest.passages, manifest.dimension) == (6, fake_indexed.passages, 256)
    assert len(manifest.corpus_fingerprint) == 64 and manifest.created_at


def test_a_failed_run_leaves_the_served_index_untouched(tmp_path: Path, fake_embedder: FakeEmbedder,
                                                        small_corpus: Path) -> None:
    index_dir = tmp_path / "index"
    settings = Settings(ocr=False)  # the scan in bad/ would be read twice; OCR has its own tests
    first = index_corpus(small_corpus, index_dir=index_dir, embedder=fake_embedder, settings=settings)
    served = Index.open(index_dir).path

    class Boom(Exception):
        pass

    class ExplodingEmbedder:
        name, dimension = fake_embedder.name, fake_embedder.dimension
        count_tokens = staticmethod(fake_embedder.count_tokens)

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


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next(tmp_path: Path, fake_embedder: FakeEmbedder,
                                                          small_corpus: Path) -> None:
    index_dir = tmp_path / "index"
    (index_dir / ".tmp-gen-20200101T000000-dead00").mkdir(parents=True)
    (index_dir / ".tmp-gen-20200101T000000-dead00" / "store.sqlite").write_bytes(b"half")
    index_corpus(small_corpus, index_dir=index_dir, embedder=fake_embedder, settings=Settings(ocr=False))
    assert not list(index_dir.glob(".tmp-*"))
    Index.open(index_dir)
