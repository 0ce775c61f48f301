"""The relevance judgement: queries that cannot mean anything, match or only related, function words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer import FakeEmbedder, Filters, Index, IndexReport, Searcher, Settings
from indexer.core.errors import QueryError
from indexer.core.function_words import content_words
from indexer.search import judgement
from indexer.search.highlight import Highlighter


@pytest.fixture(scope="module")
def searcher(fake_indexed: IndexReport, fake_settings: Settings, fake_embedder: FakeEmbedder) -> Searcher:
    return Searcher(Index.open(fake_settings.index_dir, expected_model=fake_embedder.name), fake_embedder,
                    max_query_chars=fake_settings.max_query_chars, max_k=fake_settings.max_k)


@pytest.mark.parametrize("query", ["a", "x", "le la les", "der die das", "de", "an", "ech", "eng", "des je",
                                   "The", "l' a", "ech an eng", "Wéi?"])
def test_a_query_without_a_word_that_means_something_is_refused(searcher: Searcher, query: str) -> None:
    with pytest.raises(QueryError) as raised:
        searcher.search(query)
    assert raised.value.code == "no_content"
    assert "add a word" in str(raised.value)


@pytest.mark.parametrize("query", ["AI", "KI", "2025", "5", "RGPD", "Eeler Leit", "logement",
                                   # Folded, these would be function words ("sur", the participle "ete").
                                   "Est-ce que tu es sûr ?", "été"])
def test_short_queries_that_mean_something_are_searched(searcher: Searcher, query: str) -> None:
    assert content_words(query)
    searcher.search(query)  # no error


def test_every_result_is_judged_and_the_count_is_of_matches(searcher: Searcher) -> None:
    result = searcher.search("Housing First homelessness", k=10)
    assert result.hits[0].match
    assert result.matches == sum(hit.match for hit in result.hits) < len(result.hits)
    # Judging never reorders: the results stay in score order, matches or not.
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_an_off_topic_query_has_no_match_and_no_facet_counts(searcher: Searcher) -> None:
    result = searcher.search("quantum chromodynamics gluon", k=10)
    assert result.hits, "the nearest documents are still given"
    assert result.matches == 0 and not any(hit.match for hit in result.hits)
    assert all(not values for values in result.facets.values())


def test_facets_count_only_the_matches(searcher: Searcher) -> None:
    result = searcher.search("Housing First homelessness", k=10)
    assert sum(count for _, count in result.facets["type"]) == result.matches


def test_keyword_mode_judges_by_the_words_alone(searcher: Searcher) -> None:
    found = searcher.search("homelessness", k=10, mode="keyword")
    assert found.hits and found.hits[0].match
    assert searcher.search("quantum chromodynamics", k=10, mode="keyword").matches == 0


def test_similar_documents_are_judged(searcher: Searcher) -> None:
    document = searcher.search("Housing First homelessness", k=1).hits[0].document
    hits = searcher.similar(document.id, k=10)
    assert hits and any(hit.match for hit in hits) and not all(hit.match for hit in hits)


def test_a_filter_that_leaves_only_unrelated_documents_leaves_no_match(searcher: Searcher) -> None:
    result = searcher.search("Housing First homelessness", k=10, filters=Filters(language=("lb",)))
    assert result.hits and result.matches == 0


# -- the model itself ------------------------------------------------------------------------------------------


def test_a_result_that_stands_out_from_the_corpus_is_a_match_and_one_that_does_not_is_not() -> None:
    background = judgement.Background(mean=0.78)
    cosines = np.array([0.92, 0.84, 0.80, 0.80, 0.79, 0.79, 0.79, 0.79, 0.79, 0.78])
    verdict = judgement.judge(cosines, np.zeros(len(cosines)), background).tolist()
    assert verdict[0] and not any(verdict[2:])


def test_a_flat_distribution_has_no_match() -> None:
    """An off-topic query: its best results score about the same as each other and a little above the rest."""
    cosines = np.linspace(0.84, 0.83, 10)
    assert not judgement.judge(cosines, np.zeros(10), judgement.Background(0.78)).any()


def test_the_background_is_the_querys_mean_cosine_over_the_corpus_sample() -> None:
    sample = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    assert judgement.Background.of(np.array([1.0, 0.0]), sample).mean == pytest.approx(1.6 / 3)
    assert judgement.Background.of(np.array([1.0, 0.0]), np.empty((0, 2), dtype=np.float32)).mean == 0.0


def test_results_far_below_the_best_are_only_related() -> None:
    cosines = np.array([0.93, 0.91, 0.86, 0.84, 0.83, 0.82, 0.82, 0.81, 0.81, 0.80])
    verdict = judgement.judge(cosines, np.zeros(10), judgement.Background(0.78)).tolist()
    assert verdict[:2] == [True, True] and not any(verdict[3:])


def test_shared_words_lift_a_borderline_result() -> None:
    background = judgement.Background(0.78)
    cosines = np.linspace(0.85, 0.82, 10)
    probability = judgement.probability(cosines, np.array([0.0] * 9 + [1.0]), background)
    assert probability[9] > probability[8]


def test_missing_words_are_measured_only_where_the_query_s_words_could_be() -> None:
    background = judgement.Background(0.0, 0.03)
    measures = judgement.features(np.array([0.10, 0.10, 0.10]), np.array([0.0, 0.0, 0.5]), background,
                                  same_language=np.array([1.0, 0.0, 1.0]))
    # absent: the result in the query's language without its words; not the one in another language.
    assert measures[:, 3].tolist() == [1.0, 0.0, 0.5]
    assert judgement.features(np.array([0.1]), np.array([0.0]), background)[0, 3] == 0.0  # no language: meaning


def test_a_passage_sharing_a_little_of_the_best_keyword_score_gets_less_than_its_share() -> None:
    from indexer.search.fusion import KEYWORD_WEIGHT, fuse

    dense = np.array([0.10, 0.10, 0.10])
    fused = fuse(dense, np.array([8.0, 4.0, 0.0]), best_dense=0.10, best_keyword=8.0, evidence=1.0)
    credit = fused - dense
    assert credit[0] == pytest.approx(KEYWORD_WEIGHT) and credit[2] == 0.0
    assert credit[1] == pytest.approx(KEYWORD_WEIGHT / 4)  # half the best keyword score: a quarter of the credit


def test_without_a_cosine_the_share_of_the_querys_words_decides() -> None:
    verdict = judgement.judge(np.zeros(3), np.array([0.0, 0.4, 0.9]), None).tolist()
    assert verdict == [False, False, True]


# -- function words ----------------------------------------------------------------------------------------------


def test_function_words_are_never_highlighted(searcher: Searcher) -> None:
    text = "Eeler Leit wunnen eng an enger Stad, ech mengen et."
    marked = searcher.highlighter("eng ech enger Leit").highlight(text, "lb")
    assert "<mark>Leit</mark>" in marked
    for word in ("eng", "ech", "enger", "an"):
        assert f"<mark>{word}</mark>" not in marked


def test_cannot_is_a_function_word_and_accents_decide_only_where_written() -> None:
    assert content_words("people who cannot find housing") == ["people", "find", "housing"]
    assert content_words("uber etre") == []  # typed without their accents: still function words
    assert content_words("sûr sur") == ["sûr"]


def test_matched_words_are_the_documents_words_once_each_in_order(searcher: Searcher) -> None:
    highlighter = searcher.highlighter("logements sociaux")
    text = "Le logement social et les Logements du quartier; logement."
    assert highlighter.matched_words(text, "fr") == ["logement", "social", "Logements"]
    assert Highlighter.none().matched_words(text, "fr") == []


def test_the_fitted_weights_come_from_their_data_file(tmp_path: Path) -> None:
    import json

    from indexer.search import judgement

    data = json.loads(judgement.FITTED.read_text(encoding="utf-8"))
    assert data["model"] == "multilingual-e5-small" and tuple(data["measures"]) == judgement.MEASURES
    assert judgement.WEIGHTS.tolist() == data["weights"] and data["bias"] == judgement.BIAS
    stale = tmp_path / "judgement.json"
    stale.write_text(json.dumps({**data, "measures": ["gap", "words"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="fitted on"):
        judgement.load_fit(stale)
