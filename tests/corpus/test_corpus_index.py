"""The bundled corpus indexes without a single failure, and answers across languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import Embedder, Filters, Index, IndexReport, Searcher, Settings, index_corpus
from indexer.ingest.sources import document_id

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, models_dir: Path) -> IndexReport:
    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    return index_corpus(CORPUS, index_dir=index_dir, embedder=embedder, settings=Settings(models_dir=models_dir))


@pytest.fixture(scope="module")
def searcher(bundled: IndexReport, embedder: Embedder) -> Searcher:
    return Searcher(Index.open(Path(bundled.index_path).parent), embedder)


def test_bundled_corpus_indexes_cleanly_and_answers_across_languages(bundled: IndexReport,
                                                                    searcher: Searcher) -> None:
    report = bundled
    assert report.failed == [] and report.skipped == []
    assert report.documents >= 40
    assert set(report.languages) == {"fr", "de", "en", "lb"}
    hits = searcher.search("Cochlea-Implantat Regelschule", k=3).hits
    assert hits[0].document.type == "thesis" and hits[0].document.language == "de"
    # A French question about children with cochlear implants finds the German thesis among the first.
    hits = searcher.search("inclusion des enfants sourds avec implant cochléaire à l'école", k=5).hits
    assert any("Cochlea" in hit.document.title for hit in hits)
    # "More like this" crosses languages: the Luxembourgish thesis on migrant children in primary school
    # has the French and German theses on school integration among its closest documents.
    lb_thesis = next(h.document for h in searcher.search("Kanner mat Migratiounshannergrond Grondschoul", k=5,
                                                         filters=Filters(type=("thesis",), language=("lb",))).hits)
    related = searcher.similar(lb_thesis.id, k=4, filters=Filters(type=("thesis",)))
    assert {h.document.language for h in related} & {"fr", "de"}
    assert any("ntegration" in h.document.title or "intégration" in h.document.title.lower() for h in related)


@pytest.mark.parametrize("question", ["comment accompagner une famille monoparentale sans logement",
                                      "single mothers who cannot find housing",
                                      "acompagnement famile monoparantale logment"])
def test_a_question_in_another_language_finds_the_german_thesis_that_answers_it(searcher: Searcher,
                                                                                 question: str) -> None:
    thesis = document_id("2026-intelligence-artificielle/theses/wohnungsnot-alleinerziehende.pdf")
    assert thesis in [hit.document.id for hit in searcher.search(question, k=3).hits]


def test_the_german_thesis_is_a_match_for_the_english_question(searcher: Searcher) -> None:
    """Where it ranks first. (For the French question it ranks second, below a French workshop report on young
    adults' housing that holds the question's words, and is judged only related: bench/RESULTS-language.md.)"""
    thesis = document_id("2026-intelligence-artificielle/theses/wohnungsnot-alleinerziehende.pdf")
    hits = searcher.search("single mothers who cannot find housing", k=3).hits
    assert hits[0].document.id == thesis and hits[0].match


def test_the_event_banner_is_never_the_passage_a_document_is_shown_by(searcher: Searcher) -> None:
    # The 2026 edition's title heads many of its documents: the words of the question are the banner's own.
    hits = searcher.search("intelligence artificielle dans le travail social", k=10).hits
    assert len(hits) == 10 and all(hit.passage.kind != "boilerplate" for hit in hits)
