from __future__ import annotations

from pathlib import Path

import pytest

from indexer.core.errors import CatalogueError
from indexer.ingest.catalogue import read_catalogues
from indexer.ingest.extract import Extracted
from indexer.ingest.sources import resolve


def test_entries_are_keyed_by_corpus_path_and_keep_extra_fields(tmp_path: Path) -> None:
    edition = tmp_path / "2026-ia"
    edition.mkdir()
    (edition / "catalogue.toml").write_text(
        '[edition]\nid = "2026-ia"\n[[documents]]\nfile = "theses/a.pdf"\ntitle = "A"\nauthors = "Ana"\n'
        'year = 2026\ntype = "thesis"\nlanguage = "fr"\nsupervisor = "Prof. B"\nprize = "Prix 2026"\n',
        encoding="utf-8")
    entries = read_catalogues(tmp_path)
    entry = entries["2026-ia/theses/a.pdf"]
    assert (entry.title, entry.authors, entry.year, entry.type, entry.edition) == ("A", ["Ana"], 2026, "thesis",
                                                                                   "2026-ia")
    assert entry.extra == {"supervisor": "Prof. B", "prize": "Prix 2026"}


@pytest.mark.parametrize("text", ["[[documents]]\ntitle = 'no file'\n", "not = [valid", "[[documents]]\n"
                                  "file = '../escape.pdf'\n", "[[documents]]\nfile = 'a.pdf'\nyear = 'soon'\n"])
def test_malformed_catalogues_are_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "catalogue.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError):
        read_catalogues(tmp_path)


def test_a_huge_catalogue_is_refused_before_it_is_read(tmp_path: Path) -> None:
    entry = '[[documents]]\nfile = "a.pdf"\ntitle = "A"\n'
    (tmp_path / "catalogue.toml").write_text(entry * (5 * 2**20 // len(entry)), encoding="utf-8")
    with pytest.raises(CatalogueError, match="5 MB, more than a catalogue can be"):
        read_catalogues(tmp_path)


def test_metadata_order_catalogue_then_file_then_layout_then_heading() -> None:
    from indexer.ingest.catalogue import Entry

    extracted = Extracted(pages=["x"], format="pdf", title="File title", authors=["File Author"], year=None,
                          heading="Heading")
    resolved = resolve("2024-inclusion/theses/x.pdf", extracted, Entry(title="Catalogue title"))
    assert resolved["title"] == "Catalogue title"
    assert resolved["authors"] == ["File Author"]
    assert resolved["year"] == 2024 and resolved["edition"] == "2024-inclusion"
    assert resolved["type"] == "thesis"
    bare = resolve("loose.pdf", Extracted(pages=["x"], format="pdf", heading="First heading"), None)
    assert bare["title"] == "First heading" and bare["edition"] is None and bare["type"] == "document"
