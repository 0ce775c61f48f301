from __future__ import annotations

import pytest

from indexer import Embedder, Filters, Index, IndexReport, Searcher, Settings
from indexer.errors import QueryError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def searcher(indexed: IndexReport, settings: Settings, embedder: Embedder) -> Searcher:
    return Searcher(Index.open(settings.index_dir, expected_model=embedder.name), embedder,
                    max_query_chars=settings.max_query_chars, max_k=settings.max_k)


def test_french_query_finds_german_thesis_first(searcher: Searcher) -> None:
    result = searcher.search("intégration scolaire des enfants issus de l'immigration", k=3)
    top = result.hits[0]
    assert top.document.path == "2025-demo/theses/integration.pdf"
    assert top.document.language == "de"
    assert top.passage.page in (1, 2)


def test_results_are_grouped_one_per_document_best_first(searcher: Searcher) -> None:
    hits = searcher.search("Housing First homelessness", k=10).hits
    paths = [hit.document.path for hit in hits]
    assert len(paths) == len(set(paths)) == 6
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert set(paths[:2]) == {"2025-demo/housing-report.docx", "2024-archive/page.html"}


def test_filters_apply_inside_the_search(searcher: Searcher) -> None:
    hits = searcher.search("housing", k=10, filters=Filters(language=("fr",))).hits
    assert hits and all(h.document.language == "fr" for h in hits)
    assert len(hits) == 2  # all French documents are returned, not just those in an unfiltered top-k
    assert all(h.document.year == 2024 for h in searcher.search("x y z", k=5, filters=Filters(year=(2024,))).hits)
    assert searcher.search("x y z", k=5, filters=Filters(year_from=2025)).hits[0].document.year == 2025


@pytest.mark.parametrize(
    ("query", "k", "filters", "message"),
    [
        ("", 10, Filters(), "empty"),
        ("   ", 10, Filters(), "empty"),
        ("x" * 201, 10, Filters(), "too long"),
        ("ok", 0, Filters(), "k must be"),
        ("ok", 1000, Filters(), "k must be"),
        ("ok", 10, Filters(language=("xx",)), "unknown language xx"),
        ("ok", 10, Filters(type=("poem",)), "unknown type"),
        ("ok", 10, Filters(year_from=2026, year_to=2020), "after"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(searcher: Searcher, query: str, k: int, filters: Filters,
                                                message: str) -> None:
    with pytest.raises(QueryError, match=message):
        searcher.search(query, k=k, filters=filters)
