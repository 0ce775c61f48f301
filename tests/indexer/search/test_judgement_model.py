"""The shipped judgement weights (``indexer/search/judgement.json``) with the real model on both sides: off-topic
questions in each language get no match, and questions the small corpus answers, in its languages or another,
find their document marked a match. (The fake embedder's tests use the fake's own calibration.)"""

from __future__ import annotations

import pytest

from indexer import Embedder, Index, IndexReport, Searcher, Settings

# Known misses, kept in sight (strict: the day they pass, the mark must go): in a corpus of six documents, "Luxembourg"
# is a rare word, so its keyword evidence outweighs everything (on the bundled corpus of 44 it does not), and a
# Luxembourgish question still stands out against the one Luxembourgish document (issue 25's judgement gap).
_KNOWN_MISS = pytest.mark.xfail(strict=True, reason="judged a match on the six-document test corpus (see above)")
OFF_TOPIC = [
    pytest.param("Quel temps fera-t-il demain à Luxembourg ?", marks=_KNOWN_MISS),
    "Wie backe ich einen Apfelkuchen ohne Ei?",
    "best hiking trails in the Alps in summer",
    pytest.param("Wéi ass d'Wieder muer zu Lëtzebuerg?", marks=_KNOWN_MISS),
    "horaires des trains entre Luxembourg et Metz le dimanche",
]
ANSWERED = [
    ("Housing First for homeless people", "Housing"),  # English question, English report
    ("comment aider les enfants immigrés à s'intégrer à l'école", "Schulische Integration"),  # French → German
    ("Einsamkeit von älteren Menschen", "Eeler Leit"),  # German → Luxembourgish
]


@pytest.fixture(scope="module")
def searcher(indexed: IndexReport, settings: Settings, embedder: Embedder) -> Searcher:
    assert embedder.relevance_calibration is None  # the shipped weights, not a test double's
    return Searcher(Index.open(settings.index_dir, expected_model=embedder.name), embedder,
                    max_query_chars=settings.max_query_chars, max_k=settings.max_k,
                    languages=tuple(settings.languages))


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_an_off_topic_question_gets_no_match(searcher: Searcher, question: str) -> None:
    result = searcher.search(question, k=10)
    assert result.hits and result.matches == 0, [(hit.document.title, hit.score) for hit in result.hits[:3]]


@pytest.mark.parametrize(("question", "title"), ANSWERED)
def test_a_question_the_corpus_answers_finds_its_document_marked_a_match(searcher: Searcher, question: str,
                                                                         title: str) -> None:
    first = searcher.search(question, k=10).hits[0]
    assert title in first.document.title and first.match
