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


def test_an_editions_files_take_its_year_before_their_own_metadata(tmp_path: Path) -> None:
    """A DOCX made from python-docx's template says 2013 and "python-docx"; a file of an edition of 2027 is of
    2027 unless its catalogue entry says otherwise, and a program is never an author."""
    from indexer import FakeEmbedder, Settings, index_corpus
    from indexer.core.store import Index
    from tests.documents import pdf_bytes, write_docx

    corpus = tmp_path / "corpus"
    edition = corpus / "garten"  # an edition whose folder name says no year
    edition.mkdir(parents=True)
    (edition / "catalogue.toml").write_text(
        '[edition]\nid = "garten"\ntitle = "Journée 2027"\nyear = 2027\n'
        '[[documents]]\nfile = "described.pdf"\ntitle = "Described"\n'
        '[[documents]]\nfile = "dated.pdf"\nyear = 2025\n', encoding="utf-8")
    write_docx(edition / "template.docx", title="", heading="Gemeinschaftsgarten",
               paragraphs=["Gemeinschaftsgarten und Quartiersarbeit im Viertel. " * 8], author="python-docx")
    for name in ("described.pdf", "dated.pdf", "loose.pdf"):
        (edition / name).write_bytes(pdf_bytes([f"Nachbarschaftshilfe im Quartier ({name}), jeden Samstag. " * 8],
                                               author="Microsoft Office User"))
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", ocr=False)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=FakeEmbedder(), settings=settings)
    records = {Path(record.path).name: record for record in Index.open(settings.index_dir).all_documents()}
    assert {name: record.year for name, record in records.items()} == {
        "template.docx": 2027, "described.pdf": 2027, "dated.pdf": 2025, "loose.pdf": 2027}
    assert all(record.authors == [] for record in records.values())
    assert all(record.edition == "garten" for record in records.values())
