"""What one file may cost: files over a limit are refused with the setting to raise, the rest is indexed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from indexer import FakeEmbedder, Index, Settings, index_corpus
from indexer.ingest import pipeline
from tests.documents import (
    ENGLISH_HOUSING,
    FRENCH_AI,
    GERMAN_INTEGRATION,
    LUXEMBOURGISH_ELDERLY,
    pdf_bytes,
    write_docx,
    zip_bomb_docx,
)

from . import hostile


def _indexed(index_dir: Path) -> dict[str, str]:
    return dict(Index.open(index_dir).query("SELECT path, extra FROM documents"))


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_files_over_a_limit_are_reported_with_the_setting_to_raise(tmp_path: Path,
                                                                     fake_embedder: FakeEmbedder) -> None:
    corpus = tmp_path / "corpus"
    edition = corpus / "2025-demo"
    edition.mkdir(parents=True)
    zip_bomb_docx(edition / "bomb.docx", megabytes=10)
    write_docx(edition / "long.docx", title="Un long rapport", heading="Un long rapport",
               paragraphs=[f"{FRENCH_AI} ({number})" for number in range(60)])  # 20 passages or more
    (edition / "pages.pdf").write_bytes(pdf_bytes([f"{GERMAN_INTEGRATION} Seite {n}." for n in range(4)]))
    (edition / "big.txt").write_text(ENGLISH_HOUSING + " " * 2**21, encoding="utf-8")
    (edition / "fine.md").write_text(f"# Eeler Leit\n\n{LUXEMBOURGISH_ELDERLY}\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    settings = Settings(max_passages=10, max_pages=3, max_file_mb=1)

    report = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=settings)

    failed = {Path(issue.path).name: issue for issue in report.failed}
    assert {name: issue.reason for name, issue in failed.items()} == {
        "bomb.docx": "too large", "long.docx": "too large", "pages.pdf": "too large", "big.txt": "too large"}
    for name, setting in [("bomb.docx", "PASSERELLE_MAX_COMPRESSION_RATIO"), ("long.docx", "PASSERELLE_MAX_PASSAGES"),
                          ("pages.pdf", "PASSERELLE_MAX_PAGES"), ("big.txt", "PASSERELLE_MAX_FILE_MB")]:
        assert setting in failed[name].message, failed[name].message
    assert "4 pages" in failed["pages.pdf"].message and "3" in failed["pages.pdf"].message
    assert set(_indexed(index_dir)) == {"2025-demo/fine.md"}

    # Raised limits read the refused files again, although they did not change.
    again = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=Settings())
    assert {Path(issue.path).name: issue.reason for issue in again.failed} == {"bomb.docx": "too large"}
    assert sorted(again.added) == ["2025-demo/big.txt", "2025-demo/long.docx", "2025-demo/pages.pdf"]


def test_a_file_that_crashes_hangs_or_eats_memory_fails_alone(tmp_path: Path, fake_embedder: FakeEmbedder,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "load_document", hostile.load_document)
    corpus = tmp_path / "corpus"
    edition = corpus / "2025-demo"
    edition.mkdir(parents=True)
    texts = [FRENCH_AI, GERMAN_INTEGRATION, ENGLISH_HOUSING, LUXEMBOURGISH_ELDERLY, FRENCH_AI, GERMAN_INTEGRATION]
    names = ["a-crash", "b-fine", "c-hang", "d-fine", "e-hog", "f-fine"]
    for name, text in zip(names, texts, strict=True):
        (edition / f"{name}.md").write_text(f"# {name}\n\n{text}\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    settings = Settings(max_seconds_per_file=2, extract_memory_mb=512)

    started = time.monotonic()
    report = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=settings)

    assert time.monotonic() - started < 60
    failed = {Path(issue.path).stem: issue for issue in report.failed}
    assert {name: issue.reason for name, issue in failed.items()} == {
        "a-crash": "crashed", "c-hang": "too slow", "e-hog": "too large"}
    assert "SIGSEGV" in failed["a-crash"].message
    assert "PASSERELLE_MAX_SECONDS_PER_FILE" in failed["c-hang"].message
    assert "PASSERELLE_EXTRACT_MEMORY_MB" in failed["e-hog"].message
    indexed = _indexed(index_dir)
    assert set(indexed) == {f"2025-demo/{name}.md" for name in ("b-fine", "d-fine", "f-fine")}
    assert all(f'"worker_pid": {os.getpid()}' not in extra and "worker_pid" in extra for extra in indexed.values())


def test_a_zip_bomb_let_through_is_stopped_by_the_memory_cap(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    corpus = tmp_path / "corpus"
    edition = corpus / "2025-demo"
    edition.mkdir(parents=True)
    zip_bomb_docx(edition / "bomb.docx", megabytes=10)
    (edition / "fine.md").write_text(f"# Eeler Leit\n\n{LUXEMBOURGISH_ELDERLY}\n", encoding="utf-8")
    settings = Settings(max_compression_ratio=100_000, max_unpacked_mb=100_000, extract_memory_mb=256)
    peak_before = _peak_rss_mb()

    report = index_corpus(corpus, index_dir=tmp_path / "index", embedder=fake_embedder, settings=settings)

    assert [(issue.path, issue.reason) for issue in report.failed] == [("2025-demo/bomb.docx", "too large")]
    assert "PASSERELLE_EXTRACT_MEMORY_MB" in report.failed[0].message
    assert report.added == ["2025-demo/fine.md"]
    assert _peak_rss_mb() - peak_before < 300  # python-docx needs ~600 MB for it: not in this process
