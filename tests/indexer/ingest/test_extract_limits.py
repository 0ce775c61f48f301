"""Limits checked while reading one file: size, unpacked size and compression ratio, pages, text length."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from indexer.core.errors import TooLargeError
from indexer.core.settings import Settings
from indexer.ingest.extract import Limits, extract
from tests.documents import FRENCH_AI, GERMAN_INTEGRATION, pdf_bytes, write_docx, write_pptx, zip_bomb_docx

DEFAULTS = Limits.defaults()


def test_default_limits_are_the_settings_defaults() -> None:
    assert Limits.from_settings(Settings.model_construct()) == DEFAULTS
    assert (DEFAULTS.file_mb, DEFAULTS.pages, DEFAULTS.passages) == (250, 2000, 5000)


def test_a_zip_bomb_is_refused_from_its_zip_directory_before_it_is_parsed(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.docx"
    zip_bomb_docx(path, megabytes=40)
    assert path.stat().st_size < 150_000

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bomb was handed to python-docx")

    monkeypatch.setattr("docx.Document", never)
    started = time.perf_counter()
    with pytest.raises(TooLargeError, match="PASSERELLE_MAX_COMPRESSION_RATIO") as caught:
        extract(path)
    assert time.perf_counter() - started < 1
    assert caught.value.reason == "too large" and "word/document.xml" in str(caught.value)
    with pytest.raises(TooLargeError, match=r"unpacks to 4\d MB, over the 10 MB .*PASSERELLE_MAX_UNPACKED_MB"):
        extract(path, limits=dataclasses.replace(DEFAULTS, unpacked_mb=10))


def test_a_document_over_the_unpacked_limit_is_refused_whatever_its_ratio(tmp_path: Path) -> None:
    path = tmp_path / "photos.pptx"
    write_pptx(path, slides=[("Photos", FRENCH_AI)])
    import zipfile

    with zipfile.ZipFile(path, "a") as archive:  # a picture: incompressible, as photos are
        archive.writestr("ppt/media/photo.jpg", os.urandom(3 * 2**20))
    with pytest.raises(TooLargeError, match="PASSERELLE_MAX_UNPACKED_MB"):
        extract(path, limits=dataclasses.replace(DEFAULTS, unpacked_mb=2))
    assert extract(path).pages == [f"Photos\n\n{FRENCH_AI}"]


def test_a_document_as_dense_as_documents_get_passes_the_ratio_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.docx"
    write_docx(path, title="Long", heading="Long", paragraphs=[f"{FRENCH_AI} {n}" for n in range(4000)])
    assert "intelligence artificielle" in extract(path).pages[0]  # 1.25 MB of XML compressed 88:1


def test_files_over_the_size_limit_are_refused_before_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(GERMAN_INTEGRATION + " " * 2**21, encoding="utf-8")
    with pytest.raises(TooLargeError, match=r"2\.\d MB, over the 1 MB .*PASSERELLE_MAX_FILE_MB"):
        extract(path, limits=dataclasses.replace(DEFAULTS, file_mb=1))
    assert extract(path).pages == [GERMAN_INTEGRATION]


def test_pages_and_slides_over_the_limit_are_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "four.pdf"
    pdf.write_bytes(pdf_bytes([f"{GERMAN_INTEGRATION} {n}" for n in range(4)]))
    pptx = tmp_path / "four.pptx"
    write_pptx(pptx, slides=[(f"Folie {n}", FRENCH_AI) for n in range(4)])
    three = dataclasses.replace(DEFAULTS, pages=3)
    with pytest.raises(TooLargeError, match=r"4 pages, over the 3 .*PASSERELLE_MAX_PAGES"):
        extract(pdf, limits=three)
    with pytest.raises(TooLargeError, match=r"4 slides, over the 3 .*PASSERELLE_MAX_PAGES"):
        extract(pptx, limits=three)
    assert extract(pdf, limits=dataclasses.replace(DEFAULTS, pages=4)).page_count == 4


def test_a_text_too_long_for_the_passage_limit_does_not_leave_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "long.md"
    path.write_text("# Long\n\n" + " ".join([FRENCH_AI] * 40), encoding="utf-8")  # ~9,500 characters, spaces aside
    small = dataclasses.replace(DEFAULTS, passages=2, passage_tokens=64)  # at most 2 × 64 × 16 = 2,048 characters
    with pytest.raises(TooLargeError, match=r"more than 2 passages can hold .*PASSERELLE_MAX_PASSAGES"):
        extract(path, limits=small)
    assert extract(path, limits=dataclasses.replace(small, passages=20)).pages
