"""The library's public surface: what ``from indexer import …`` offers, and that it is enough to index and
search (with the shipped fake embedder, no model)."""

from __future__ import annotations

from pathlib import Path

import indexer


def test_the_public_surface_is_exactly_this() -> None:
    assert sorted(indexer.__all__) == sorted([
        "Embedder", "FakeEmbedder", "FileIssue", "Filters", "Hit", "Index", "IndexReport", "PasserelleError",
        "SearchResult", "Searcher", "Settings", "index_corpus", "index_documents",
    ])
    assert all(hasattr(indexer, name) for name in indexer.__all__)


def test_the_public_surface_indexes_and_searches(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "2025-demo"
    corpus.mkdir(parents=True)
    (corpus / "logement.md").write_text("# Logement\n\nLe logement social des jeunes adultes.", encoding="utf-8")
    (corpus / "pflege.md").write_text("# Pflege\n\nAltenpflege zu Hause in Luxemburg.", encoding="utf-8")
    settings = indexer.Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    embedder = indexer.FakeEmbedder()
    report = indexer.index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=embedder,
                                  settings=settings)
    assert report.documents == 2 and not report.failed
    searcher = indexer.Searcher.open(settings, embedder)
    result = searcher.search("logement social", k=1, filters=indexer.Filters(edition=("2025-demo",)))
    assert [hit.document.path for hit in result.hits] == ["2025-demo/logement.md"]
