"""Searching the small corpus: grouping, filters, facets, modes, highlighting and similar documents over the fake
embedder's index; what only a model knows (a French question finding a German thesis, hybrid ranking's quality
across languages) with the real model."""

from __future__ import annotations

import pytest

from indexer import Embedder, FakeEmbedder, Filters, Index, IndexReport, Searcher, Settings
from indexer.core.errors import QueryError


@pytest.fixture(scope="module")
def searcher(fake_indexed: IndexReport, fake_settings: Settings, fake_embedder: FakeEmbedder) -> Searcher:
    """Over the fake embedder's index: a document is found by the words it shares with the query."""
    return Searcher(Index.open(fake_settings.index_dir, expected_model=fake_embedder.name), fake_embedder,
                    max_query_chars=fake_settings.max_query_chars, max_k=fake_settings.max_k)


@pytest.fixture(scope="module")
def real_searcher(indexed: IndexReport, settings: Settings, embedder: Embedder) -> Searcher:
    """Over the real model's index, for what only meaning explains (the tests at the end, marked slow)."""
    return Searcher(Index.open(settings.index_dir, expected_model=embedder.name), embedder,
                    max_query_chars=settings.max_query_chars, max_k=settings.max_k)


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
    assert all(h.document.year == 2024 for h in searcher.search("housing", k=5, filters=Filters(year=(2024,))).hits)
    assert searcher.search("housing", k=5, filters=Filters(year_from=2025)).hits[0].document.year == 2025


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
        ("ok", 10, Filters(year_from=2**63), "year_from must be between 1000 and 9999"),
        ("ok", 10, Filters(year_to=-(2**63) - 1), "year_to must be between 1000 and 9999"),
        ("ok", 10, Filters(year=(2**63,)), "year must be between 1000 and 9999"),
        ("ok", 10, Filters(author=tuple(f"name {n}" for n in range(21))), "at most 20 values per filter"),
        ("ok", 10, Filters(edition=("e",) * 1000), "at most 20 values per filter: edition has 1000"),
        ("ok", 10, Filters(author=("a" * 51,)), "author values may have at most 50 characters, got 51"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(searcher: Searcher, query: str, k: int, filters: Filters,
                                                message: str) -> None:
    with pytest.raises(QueryError, match=message):
        searcher.search(query, k=k, filters=filters)


def test_keyword_mode_finds_exact_terms_and_acronyms(searcher: Searcher) -> None:
    hits = searcher.search("RGPD", k=5, mode="keyword").hits
    assert {h.document.path for h in hits} == {"2025-demo/ia-slides.pptx", "2024-archive/notes.txt"}


def test_filtered_search_still_returns_k_results(searcher: Searcher) -> None:
    # English documents rank last for a Luxembourgish query, but a language filter still yields both.
    hits = searcher.search("Eeler Leit doheem", k=2, filters=Filters(language=("en",))).hits
    assert len(hits) == 2 and all(h.document.language == "en" for h in hits)
    assert searcher.search("Wohnung", k=3, filters=Filters(author=("hoffmann",))).hits[0].document.authors == [
        "Lena Hoffmann"]


def test_facets_count_the_matches(searcher: Searcher) -> None:
    result = searcher.search("intelligence artificielle Housing", k=3)
    languages = dict(result.facets["language"])
    assert result.matches == sum(languages.values()) == 4 and languages == {"en": 2, "fr": 2}
    assert dict(result.facets["type"]) == {"document": 3, "slides": 1}  # not the thesis, which does not match


def test_highlight_marks_stemmed_and_accent_folded_matches(searcher: Searcher) -> None:
    highlighter = searcher.highlighter("Integration Sprachkurs")
    marked = highlighter.highlight("Die Kinder werden integriert; Sprachkurse helfen <sofort>.")
    assert "<mark>integriert</mark>" in marked and "<mark>Sprachkurse</mark>" in marked
    assert "&lt;sofort&gt;" in marked  # escaped
    assert "<mark>" in searcher.highlighter("sante").highlight("La santé mentale.")
    snippet = highlighter.snippet("mot " * 200 + "Integration am Ende " + "mot " * 50)
    assert snippet.startswith("… ") and "<mark>Integration</mark>" in snippet and len(snippet) < 320


def test_similar_excludes_the_document_itself(searcher: Searcher) -> None:
    report = next(h.document for h in searcher.search("Housing First", k=3).hits if h.document.format == "docx")
    similar = searcher.similar(report.id, k=3)
    assert report.id not in {h.document.id for h in similar}
    assert similar[0].document.path == "2024-archive/page.html"  # the same text, another format


def test_highlight_judges_a_word_in_the_language_of_its_passage(searcher: Searcher) -> None:
    highlighter = searcher.highlighter("Integration")
    assert "<mark>integrierten</mark>" in highlighter.highlight("Die integrierten Kinder.", "de")
    # Any language's form when the passage's is unknown.
    assert "<mark>integrierten</mark>" in highlighter.highlight("Die integrierten Kinder.")


@pytest.mark.parametrize("query", ["Integration von Kindern", "Housing First for homeless people",
                                   "intelligence artificielle et données", "Eeler Leit Eesamkeet"])
def test_best_passages_are_highlighted_from_their_indexed_terms_as_from_their_text(searcher: Searcher,
                                                                                   query: str) -> None:
    hits = searcher.search(query, k=10).hits
    assert hits and all(h.passage.terms for h in hits)
    marked = 0
    for hit in hits:
        passage = hit.passage
        from_terms = searcher.highlighter(query).highlight(passage.text, passage.language, terms=passage.terms)
        assert from_terms == searcher.highlighter(query).highlight(passage.text, passage.language)
        snippet = searcher.highlighter(query).snippet(passage.text, passage.language, terms=passage.terms)
        assert snippet == searcher.highlighter(query).snippet(passage.text, passage.language)
        marked += "<mark>" in from_terms
    assert marked  # the comparison is not between two unmarked texts


def test_the_filter_condition_does_not_grow_with_the_number_of_values() -> None:
    one = Filters(edition=("a",), type=("b",), language=("c",), year=(2020,), author=("d",)).sql()
    many = Filters(edition=("a",) * 20, type=("b",) * 20, language=("c",) * 20, year=(2020,) * 20,
                   author=("d",) * 20).sql()
    assert one[0] == many[0] and len(one[1]) == len(many[1]) == 5  # one JSON list per filter


def test_many_filter_values_still_filter(searcher: Searcher) -> None:
    authors = (*(f"nobody {n}" for n in range(19)), "HOFFMANN")
    hits = searcher.search("Integration", k=10, filters=Filters(author=authors, year=(2025, 2024),
                                                                  type=("thesis", "slides"))).hits
    assert [hit.document.authors for hit in hits] == [["Lena Hoffmann"]]


@pytest.mark.parametrize("pattern", ["%", "_", "%%", "Lena%Hoffmann", "Lena_Hoffmann", "\\"])
def test_author_filter_takes_like_wildcards_literally(searcher: Searcher, pattern: str) -> None:
    assert searcher.search("Integration", k=10, filters=Filters(author=(pattern,))).hits == []


# What only meaning explains: the real model (slow).


@pytest.mark.slow
def test_french_query_finds_german_thesis_first(real_searcher: Searcher) -> None:
    result = real_searcher.search("intégration scolaire des enfants issus de l'immigration", k=3)
    top = result.hits[0]
    assert top.document.path == "2025-demo/theses/integration.pdf"
    assert top.document.language == "de"
    assert top.passage.page in (1, 2)


@pytest.mark.slow
def test_hybrid_is_never_below_either_part_on_a_fixed_set(real_searcher: Searcher) -> None:
    from indexer.evaluation import ndcg_at

    cases = {
        "Aufnahmeklassen Grundschule Luxemburg": {"2025-demo/theses/integration.pdf"},
        "comment aider les enfants immigrés à l'école": {"2025-demo/theses/integration.pdf"},
        "Housing First tenants kept their home": {"2025-demo/housing-report.docx", "2024-archive/page.html"},
        "logement des sans-abri": {"2025-demo/housing-report.docx", "2024-archive/page.html"},
        "RGPD données personnelles": {"2025-demo/ia-slides.pptx", "2024-archive/notes.txt"},
        "Eesamkeet vun eelere Leit": {"2025-demo/eeler-leit.md"},
        "loneliness of elderly people at home": {"2025-demo/eeler-leit.md"},
    }
    totals = {}
    for mode in ("dense", "keyword", "hybrid"):
        totals[mode] = sum(
            ndcg_at([h.document.path for h in real_searcher.search(q, k=10, mode=mode).hits], dict.fromkeys(rel, 1), 10)
            for q, rel in cases.items())
    assert totals["hybrid"] >= max(totals["dense"], totals["keyword"]) - 1e-9, totals




def test_a_year_range_the_wrong_way_round_is_the_years_between() -> None:
    assert Filters(year_from=2026, year_to=2020) == Filters(year_from=2020, year_to=2026)


def test_filters_are_values_that_copy_and_pickle() -> None:
    import copy
    import pickle

    chosen = Filters(edition=("2026-ia",), by=("Léa Dupont",), year_from=2024)
    assert pickle.loads(pickle.dumps(chosen)) == chosen and copy.deepcopy(chosen) == chosen
    assert hash(chosen) == hash(Filters(year_from=2024, by=["Léa Dupont"], edition=["2026-ia"]))
    with pytest.raises(AttributeError):
        chosen.edition = ()  # type: ignore[misc]
    with pytest.raises(TypeError, match="no filter is called"):
        Filters(colour=("blue",))
