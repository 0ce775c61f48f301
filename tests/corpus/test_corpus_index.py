"""The bundled corpus indexes without a single failure, and answers across languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import Embedder, Filters, Index, Searcher, Settings, index_corpus

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
pytestmark = pytest.mark.slow


def test_bundled_corpus_indexes_cleanly_and_answers_across_languages(tmp_path: Path, embedder: Embedder,
                                                                    models_dir: Path) -> None:
    settings = Settings(models_dir=models_dir)
    report = index_corpus(CORPUS, index_dir=tmp_path / "index", embedder=embedder, settings=settings)
    assert report.failed == [] and report.skipped == []
    assert report.documents >= 40
    assert set(report.languages) == {"fr", "de", "en", "lb"}
    searcher = Searcher(Index.open(tmp_path / "index"), embedder)
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
