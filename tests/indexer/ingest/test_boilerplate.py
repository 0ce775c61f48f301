"""Text repeated across documents (an event's banner) is no keyword evidence and never a document's best passage."""

from __future__ import annotations

from pathlib import Path

from indexer import FakeEmbedder, Index, Searcher, Settings, index_documents
from indexer.core.store import DocumentRecord, IndexWriter
from indexer.core.text import analyse
from indexer.ingest import boilerplate
from indexer.ingest.boilerplate import Passage, repeated_words
from indexer.ingest.sources import SourceDocument

BANNER = "Journée du secteur social 2026 : L'intelligence artificielle dans le travail social"
TOPICS = {
    "housing.txt": "Le logement des familles monoparentales et la garantie locative des jeunes adultes.",
    "school.txt": "Die schulische Integration von Kindern mit Migrationshintergrund in Luxemburg.",
    "elderly.txt": "Older people living at home: loneliness, care visits and the neighbourhood.",
    "ai.txt": "Les outils d'intelligence artificielle pour rédiger les notes de suivi dans le travail social.",
}


def test_a_run_of_words_in_three_documents_is_repeated_text_and_in_two_is_not() -> None:
    passages = [Passage(n, f"d{n}", f"{BANNER} — page {n}") for n in range(3)]
    marks = repeated_words(passages)
    assert set(marks) == {0, 1, 2}
    # The banner's twelve words, and "page" (in the banner's last run of words); not the page's number.
    assert marks[0] == [True] * 13 + [False]
    assert repeated_words(passages[:2]) == {}
    # Within one document a repetition is the layout's business (running headers), not this.
    assert repeated_words([Passage(n, "d0", BANNER) for n in range(3)]) == {}


def test_the_banner_is_no_evidence_and_never_the_passage_shown(tmp_path: Path) -> None:
    documents = [SourceDocument(path=name, pages=[BANNER, text], format="text", title=name, language=None)
                 for name, text in TOPICS.items()]
    embedder = FakeEmbedder()
    index_documents(documents, index_dir=tmp_path / "index", embedder=embedder, settings=Settings(),
                    corpus_root=tmp_path, fingerprint="f")
    index = Index.open(tmp_path / "index")
    kinds = dict(index.query("SELECT page, group_concat(DISTINCT kind) FROM passages GROUP BY page"))
    assert kinds == {1: "boilerplate", 2: "content"}
    searcher = Searcher(index, embedder)
    # By its words, the banner finds only the document about artificial intelligence in social work.
    found = searcher.search("intelligence artificielle travail social", k=10, mode="keyword")
    assert [hit.document.path for hit in found.hits] == ["ai.txt"]
    # And no document shows the banner as its passage.
    hits = searcher.search(BANNER, k=10).hits
    assert len(hits) == 4 and all(hit.passage.page == 2 for hit in hits)


def test_passages_get_their_words_back_when_the_text_is_no_longer_repeated(tmp_path: Path) -> None:
    writer = IndexWriter(tmp_path, model="m", dimension=4)
    for n in range(3):
        writer.add_document(DocumentRecord(f"d{n}", f"{n}.txt", "t", [], None, None, "report", "fr", 1, "text", "h",
                                           {}))
        writer.add_passages([(f"d{n}", 0, 1, 0, 1, "fr", BANNER)], [[1.0, 0, 0, 0]])
    assert boilerplate.mark(writer) == 3
    writer.remove_document("d2")
    assert boilerplate.mark(writer) == 0
    rows = writer.query("SELECT p.kind, p.repeated, f.terms FROM passages p JOIN passages_fts f ON f.rowid = p.id")
    assert [(kind, repeated, terms) for kind, repeated, terms in rows] == [("content", 0, analyse(BANNER, "fr"))] * 2
    writer.abort()
