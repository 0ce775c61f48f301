"""The demo corpus under corpus/ has the shape the indexer, the evaluation and the demo rely on.

These tests read only the built files and their catalogue.toml (plus the front matter of the sources, to
catch a forgotten rebuild); they need tomllib, pathlib and pypdf, no model and no index.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
SOURCES = REPO / "tools" / "corpus_builder" / "src"
EXPECTED_EDITIONS = {"2024-inclusion", "2025-sante-mentale", "2026-intelligence-artificielle"}
TYPES = {"thesis", "talk", "slides", "programme", "report", "article"}
LANGUAGES = {"fr", "de", "en", "lb"}
REQUIRED = ("file", "title", "authors", "year", "type", "language")


def _edition_dirs() -> list[Path]:
    # Same rule as the indexer: folders starting with "_" or "." are not corpus content.
    return sorted(
        path
        for path in CORPUS.iterdir()
        if path.is_dir() and not path.name.startswith(("_", ".")) and (path / "catalogue.toml").is_file()
    )


def _catalogue(edition: Path) -> dict[str, Any]:
    return tomllib.loads((edition / "catalogue.toml").read_text(encoding="utf-8"))


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    return [(edition, entry) for edition in _edition_dirs() for entry in _catalogue(edition)["documents"]]


def _built_files(edition: Path) -> set[str]:
    """Files the indexer would pick up in an edition folder."""
    files: set[str] = set()
    for path in edition.rglob("*"):
        relative = path.relative_to(edition)
        if not path.is_file() or path.name == "catalogue.toml" or path.name.startswith("README"):
            continue
        if any(part.startswith(("_", ".")) for part in relative.parts):
            continue
        files.add(relative.as_posix())
    return files


def _source_files(edition: str) -> set[str]:
    """The ``file`` of every source's front matter (the part between the first two ``+++`` lines)."""
    files: set[str] = set()
    for source in (SOURCES / edition).glob("*.md"):
        front_matter = source.read_text(encoding="utf-8-sig").split("+++", 2)[1]
        files.add(tomllib.loads(front_matter)["file"])
    return files


ALL_PDFS = sorted(path for edition in _edition_dirs() for path in edition.rglob("*.pdf"))


def test_there_are_at_least_three_editions() -> None:
    names = {path.name for path in _edition_dirs()}
    assert len(names) >= 3
    assert names >= EXPECTED_EDITIONS


@pytest.mark.parametrize("edition", _edition_dirs(), ids=lambda path: path.name)
def test_edition_table(edition: Path) -> None:
    info = _catalogue(edition)["edition"]
    assert info["id"] == edition.name
    assert isinstance(info["title"], str) and info["title"]
    assert isinstance(info["theme"], str) and info["theme"]
    assert info["year"] == int(edition.name[:4])


def test_corpus_size() -> None:
    assert len(_documents()) >= 40


def test_entries_have_required_fields_and_allowed_values() -> None:
    for edition, entry in _documents():
        where = f"{edition.name}/{entry.get('file')}"
        missing = [name for name in REQUIRED if name not in entry]
        assert not missing, f"{where}: missing {missing}"
        assert entry["type"] in TYPES, where
        assert entry["language"] in LANGUAGES, where
        assert isinstance(entry["authors"], list) and entry["authors"], where
        assert all(isinstance(author, str) and author for author in entry["authors"]), where
        assert isinstance(entry["year"], int), where
        assert isinstance(entry["title"], str) and entry["title"].strip(), where
        assert isinstance(entry.get("keywords", []), list), where


def test_theses() -> None:
    theses = [entry for _, entry in _documents() if entry["type"] == "thesis"]
    assert len(theses) >= 15
    assert all(entry["file"].endswith(".pdf") for entry in theses)
    for entry in theses:
        assert isinstance(entry.get("supervisor"), str) and entry["supervisor"].strip(), entry["file"]
        assert isinstance(entry.get("programme"), str) and entry["programme"].strip(), entry["file"]
    assert sum(entry["language"] == "lb" for entry in theses) >= 2


def test_at_most_one_prize_per_edition() -> None:
    for edition in _edition_dirs():
        prized = [entry["file"] for entry in _catalogue(edition)["documents"] if "prize" in entry]
        assert len(prized) <= 1, f"{edition.name}: {prized}"


@pytest.mark.parametrize("edition", _edition_dirs(), ids=lambda path: path.name)
def test_each_edition_has_the_conference_material(edition: Path) -> None:
    entries = _catalogue(edition)["documents"]
    types = Counter(entry["type"] for entry in entries)
    assert types["programme"] >= 1
    assert types["talk"] >= 1
    assert types["report"] + types["article"] >= 1
    slides = [entry for entry in entries if entry["type"] == "slides"]
    assert slides and all(entry["file"].endswith(".pptx") for entry in slides)


def test_all_languages_present() -> None:
    languages = Counter(entry["language"] for _, entry in _documents())
    assert set(languages) == LANGUAGES
    # Luxembourgish outside the theses too, so that it is not only a thesis-language in the demo.
    assert sum(1 for _, entry in _documents() if entry["language"] == "lb" and entry["type"] != "thesis") >= 2


@pytest.mark.parametrize("edition", _edition_dirs(), ids=lambda path: path.name)
def test_catalogue_matches_files_on_disk(edition: Path) -> None:
    listed = [entry["file"] for entry in _catalogue(edition)["documents"]]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = _built_files(edition)
    assert sorted(on_disk - set(listed)) == [], "built files missing from catalogue.toml"
    assert sorted(set(listed) - on_disk) == [], "catalogue entries without a file"


@pytest.mark.parametrize("edition", _edition_dirs(), ids=lambda path: path.name)
def test_catalogue_matches_sources(edition: Path) -> None:
    # A source added or removed without rerunning tools/corpus_builder shows up here.
    listed = {entry["file"] for entry in _catalogue(edition)["documents"]}
    assert _source_files(edition.name) == listed


@pytest.mark.parametrize("pdf", ALL_PDFS, ids=lambda path: path.relative_to(CORPUS).as_posix())
def test_every_pdf_page_has_text(pdf: Path) -> None:
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 1
    empty = [number for number, page in enumerate(reader.pages, start=1) if not page.extract_text().strip()]
    assert empty == [], f"pages without extractable text: {empty}"


def test_thesis_pdfs_have_six_to_ten_pages() -> None:
    for edition, entry in _documents():
        if entry["type"] == "thesis":
            pages = len(PdfReader(edition / entry["file"]).pages)
            assert 6 <= pages <= 10, f"{edition.name}/{entry['file']}: {pages} pages"
