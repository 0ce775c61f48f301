"""Language-neutral vectors (indexer.core.centering): on vectors made with a language component, the means taken
out let a topic be found across languages; the means live in a generation, survive incremental runs and are
measured again when a language outgrows them, with every stored vector re-centred exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.core import ann, centering
from indexer.core.centering import MIN_PASSAGES, LanguageMeans
from indexer.core.errors import IndexCorruptError
from indexer.core.store import DocumentRecord, Index, IndexWriter

DIMENSION = 32
RNG = np.random.default_rng(7)
TOPICS = RNG.normal(size=(6, DIMENSION))
# Each language adds its own strong direction to every text in it, as a multilingual encoder does; the query
# prompt adds another.
ACCENT = {"fr": RNG.normal(size=DIMENSION) * 1.6, "de": RNG.normal(size=DIMENSION) * 1.6}
QUERY_PROMPT = RNG.normal(size=DIMENSION) * 0.8


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _passage(topic: int, language: str, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(size=DIMENSION) * 0.6
    return _unit(TOPICS[topic] + ACCENT[language] + noise)


def _query(topic: int, language: str) -> np.ndarray:
    return _unit(TOPICS[topic] + ACCENT[language] + QUERY_PROMPT)


def _text(topic: int, language: str, n: int) -> str:
    # What the language detector reads: real words of the language, so that queries are told apart.
    words = {"fr": "les jeunes et leurs familles dans le logement social", "de": "die Jugendlichen und ihre Familien"}
    return f"{words[language]} {topic} {n}"


def _encode_as_query(texts: list[str]) -> np.ndarray:
    """The synthetic model's query encoding of passage texts: their topic and language, with the query prompt."""
    rows = []
    for text in texts:
        language = "fr" if text.startswith("les") else "de"
        topic = int(text.split()[-2])
        rows.append(_query(topic, language))
    return np.array(rows)


def _corpus(per_language: dict[str, int]) -> tuple[list[tuple[int, str, str]], np.ndarray]:
    """(topic, language, text) per passage, and their vectors: topics spread evenly over each language."""
    rows, vectors = [], []
    for language, count in per_language.items():
        for n in range(count):
            topic = n % len(TOPICS)
            rows.append((topic, language, _text(topic, language, n)))
            vectors.append(_passage(topic, language, seed=hash((language, n)) % 2**32))
    return rows, np.array(vectors)


def _write(index_dir: Path, rows: list[tuple[int, str, str]], vectors: np.ndarray, *, start: int = 0,
           base: Path | None = None) -> Path:
    writer = IndexWriter(index_dir, model="synthetic", dimension=DIMENSION, base=base)
    for n, (_topic, language, text) in enumerate(rows, start=start):
        writer.add_document(DocumentRecord(f"d{n}", f"{n}.txt", text, [], None, None, "report", language, 1, "text",
                                           "h", {}))
        writer.add_passages([(f"d{n}", 0, 1, 0, 1, language, text)], vectors[n - start:n - start + 1])
    return writer.commit(corpus_root=index_dir, corpus_fingerprint="f", report={}, encode_queries=_encode_as_query)


def _top_language(index: Index, topic: int, language: str, *, centred: bool) -> list[str]:
    """The titles of the ten nearest passages to a query on ``topic`` in ``language`` (each language has ten
    passages on each topic)."""
    query = _query(topic, language)
    if centred:
        query = index.language_means.center_query(query, _text(topic, language, 0), languages=("fr", "de"))
    stored = ann.reconstruct_many(index.vectors, ann.all_ids(index.vectors))
    if not centred:  # back to the vectors as embedded
        languages = [row[0] for row in index.query("SELECT language FROM passages ORDER BY id")]
        stored = stored + index.language_means.passage_means(languages)
    documents = [row[0] for row in index.query("SELECT title FROM documents ORDER BY CAST(substr(id, 2) AS INT)")]
    order = np.argsort(-(stored @ query))[:10]
    return [documents[n] for n in order]


def test_without_the_means_a_question_finds_its_language_and_with_them_its_topic(tmp_path: Path) -> None:
    rows, vectors = _corpus({"fr": 60, "de": 60})
    index = Index.open_generation(_write(tmp_path, rows, vectors))
    assert index.language_means.languages == ("de", "fr")
    raw = _top_language(index, 2, "fr", centred=False)
    centred = _top_language(index, 2, "fr", centred=True)
    german = [title for title in centred if not title.startswith("les")]
    # As embedded, the French question's nearest passages are French: no German passage on its topic.
    assert all(title.startswith("les") for title in raw)
    # Centred, they are all on its topic, and German ones rank among them.
    assert german and all(title.split()[-2] == "2" for title in centred)


def test_a_corpus_of_one_language_is_not_centred(tmp_path: Path) -> None:
    rows, vectors = _corpus({"fr": 40})
    index = Index.open_generation(_write(tmp_path, rows, vectors))
    assert index.language_means.languages == ("fr",)
    stored = ann.reconstruct_many(index.vectors, ann.all_ids(index.vectors))
    np.testing.assert_allclose(stored, vectors, atol=1e-6)
    query = _query(1, "fr")
    np.testing.assert_allclose(index.language_means.center_query(query, "les jeunes", languages=("fr", "de")), query,
                               atol=1e-6)


def test_a_rare_language_gets_the_overall_mean(tmp_path: Path) -> None:
    rows, vectors = _corpus({"fr": 40, "de": 40})
    rows.append((0, "lb", "d'Jugend an hir Famillen 0 0"))
    vectors = np.vstack([vectors, _passage(0, "de", seed=1)])
    index = Index.open_generation(_write(tmp_path, rows, vectors))
    means = index.language_means
    assert "lb" not in means.languages and means.count("lb") == 0
    np.testing.assert_allclose(means.passage_means(["lb"])[0], vectors.mean(axis=0), atol=1e-5)


def test_an_incremental_run_keeps_the_means_until_a_language_outgrows_them(tmp_path: Path) -> None:
    rows, vectors = _corpus({"fr": 40, "de": 40})
    first = _write(tmp_path, rows[:60], vectors[:60])  # 40 French, 20 German passages
    measured = Index.open_generation(first).language_means
    assert measured.count("de") == 20
    # Ten more German passages: under twice the twenty the means were measured on, so they stay.
    second = _write(tmp_path, rows[60:70], vectors[60:70], start=60, base=first)
    kept = Index.open_generation(second).language_means
    np.testing.assert_array_equal(kept.passage, measured.passage)
    # Ten more make forty German passages: measured again, and every stored vector re-centred.
    third = _write(tmp_path, rows[70:80], vectors[70:80], start=70, base=second)
    index = Index.open_generation(third)
    assert index.language_means.count("de") == 40
    languages = [row[0] for row in index.query("SELECT language FROM passages ORDER BY id")]
    fresh_means = centering.fit(vectors, languages, sample_texts=lambda language: [
        text for _, lang, text in rows if lang == language], encode_queries=_encode_as_query)
    np.testing.assert_allclose(index.language_means.passage, fresh_means.passage, atol=1e-5)
    stored = ann.reconstruct_many(index.vectors, ann.all_ids(index.vectors))
    np.testing.assert_allclose(stored, fresh_means.center_passages(vectors, languages), atol=1e-5)


def test_a_language_reaching_the_minimum_is_measured(tmp_path: Path) -> None:
    rows, vectors = _corpus({"fr": 40, "de": MIN_PASSAGES})
    first = _write(tmp_path, rows[:40 + MIN_PASSAGES - 1], vectors[:40 + MIN_PASSAGES - 1])
    assert Index.open_generation(first).language_means.languages == ("fr",)
    second = _write(tmp_path, rows[-1:], vectors[-1:], start=len(rows) - 1, base=first)
    assert Index.open_generation(second).language_means.languages == ("de", "fr")


def test_the_means_round_trip_and_a_generation_without_them_is_refused(tmp_path: Path) -> None:
    rows, vectors = _corpus({"fr": 20, "de": 20})
    generation = _write(tmp_path, rows, vectors)
    means = LanguageMeans.load(generation / centering.MEANS_FILE)
    assert means.languages == ("de", "fr") and means.query.shape == (2, DIMENSION)
    (generation / centering.MEANS_FILE).unlink()
    with pytest.raises(IndexCorruptError):
        Index.open_generation(generation)


def test_several_languages_need_the_query_encoding() -> None:
    _, vectors = _corpus({"fr": 20, "de": 20})
    with pytest.raises(ValueError, match="query encoding"):
        centering.fit(vectors, ["fr"] * 20 + ["de"] * 20, sample_texts=lambda language: [], encode_queries=None)


def test_a_query_s_mean_follows_the_detector_s_probabilities() -> None:
    means = LanguageMeans(("de", "fr"), np.zeros((2, 2), np.float32), np.array([[1, 0], [0, 1]], np.float32),
                          np.array([20, 20]), np.zeros(2, np.float32), np.array([0.5, 0.5], np.float32))
    german = means.query_mean("Wie finden Alleinerziehende eine bezahlbare Wohnung?", languages=("fr", "de", "en"))
    french = means.query_mean("Comment les familles monoparentales trouvent-elles un logement ?",
                              languages=("fr", "de", "en"))
    assert german[0] > 0.9 and french[1] > 0.9
    # An English query: neither language has its means, so the mean of the query means stands in.
    np.testing.assert_allclose(means.query_mean("How do single parents find housing?", languages=("fr", "de", "en")),
                               [0.5, 0.5], atol=0.05)
