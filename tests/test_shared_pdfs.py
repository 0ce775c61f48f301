"""The extractor survives 140 real-world PDFs: each is indexed or reported with a reason.

Indexed with the fake embedder (what is read does not depend on the model); slow for the reading of 140 files."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import FakeEmbedder, Index, Settings, index_corpus
from tests.conftest import SHARED

PDFS = SHARED / "data" / "pdf"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not PDFS.is_dir(), reason="needs ../shared/data/pdf beside the project")]


def test_every_shared_pdf_is_indexed_or_reported(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    # OCR off: this test is about surviving every file; OCR has its own tests (tests/indexer/ingest/test_extract.py),
    # and reading 45 scans here would add many minutes.
    settings = Settings(passage_tokens=480, overlap_tokens=0, ocr=False)
    report = index_corpus(PDFS, index_dir=tmp_path / "index", embedder=fake_embedder, settings=settings)
    pdfs = sorted(p.relative_to(PDFS).as_posix() for p in PDFS.rglob("*.pdf"))
    # The folder also holds licences and expected-text files: they are indexed too, but only PDFs are counted.
    indexed = {row[0] for row in Index.open(tmp_path / "index").query("SELECT path FROM documents")
               if row[0].endswith(".pdf")}
    failed = {issue.path: issue.reason for issue in report.failed if issue.path.endswith(".pdf")}
    assert len(pdfs) == 140
    duplicates = {issue.path for issue in report.duplicates if issue.path.endswith(".pdf")}
    assert sorted(indexed | set(failed) | duplicates) == pdfs  # each file indexed or reported, once
    assert len(indexed) + len(failed) + len(duplicates) == len(pdfs)
    assert len(indexed) >= 80
    assert failed["pypdf-resources/resources/encryption/r6-both-passwords.pdf"] == "encrypted"
    assert failed["ocrmypdf-resources/tests/resources/invalid.pdf"] == "corrupt"
    assert failed["ocrmypdf-resources/tests/resources/francais.pdf"] == "no text"
    assert "py-pdf-sample-files/015-arabic/habibi.pdf" in indexed
    # The default limits refuse none of these real files, and none crashes its reader.
    assert not [issue for issue in report.failed if issue.reason in ("too large", "too slow", "crashed")]
