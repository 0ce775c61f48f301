"""Language-neutral vectors: each language's mean vector taken out of passages and queries.

A multilingual encoder gives every text a component that says which language it is in, shared by all texts
of that language whatever they are about: a French question is closer to any French passage than to the
German passage that answers it. Removing each language's mean vector removes that component and keeps what
the text is about (the remedy of the field for this bias; the figures before and after, and the variants
tried, are in ``bench/RESULTS-language.md``).

Two means per language, both measured on the corpus itself (means from unrelated text helped less):

- the **passage mean**: the mean of the language's passage vectors. Passages are stored with it subtracted,
  not normalised again (normalising again measured no better, and this keeps a passage's vector what the
  model made of it, shifted);
- the **query mean**: the mean of the query-prompt vectors of a sample of the language's passages (a question
  carries the query prompt's own component as well). A query's vector has :data:`QUERY_SHARE` of the mixture
  of the query means subtracted, weighted by how likely the query is in each language (a soft choice: a short
  or mixed query gets a spread-out mixture rather than a wrong guess), and is normalised.

Only a corpus of two languages or more is centred: in a corpus of one language no document is favoured for
its language, and the query's centring measured a loss of ranking there (piaf-fr). A language needs
:data:`MIN_PASSAGES` passages for means of its own; passages of a rarer language, or of
none, get the mean over all passages, and a query's probability of a language without means goes to the mean
of the query means. The means belong to an index generation (``language-means.npz``), so another model gets
its own when its index is built; an incremental run keeps them until a language's passages have grown
:data:`REFIT_GROWTH` times, or a language reaches :data:`MIN_PASSAGES`, and then measures them all again and
re-centres every stored vector.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.core.language import language_probabilities

MEANS_FILE = "language-means.npz"
MIN_PASSAGES = 16
"""Fewest passages a language needs for means of its own (fewer give a noisy mean)."""
REFIT_GROWTH = 2.0
"""An incremental run measures the means again once a language has this many times the passages they were
measured on."""
QUERY_SAMPLE = 64
"""Passages per language encoded with the query prompt for its query mean (the same figures with 50 as with
200 on the project's development set), cut to :data:`QUERY_SAMPLE_CHARS` characters: question-sized."""
QUERY_SAMPLE_CHARS = 400
QUERY_SHARE = 0.75
"""How much of its language's query mean a query loses. All of it ranks a one-language corpus worse (the
query's language component then also pulls against the passages' own); none leaves the bias. Chosen on the
development set, xquad-mixed and piaf-fr together (``bench/RESULTS-language.md``)."""

EncodeQueries = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class LanguageMeans:
    """The means of one index generation. ``languages`` have means of their own (rows of ``passage`` and
    ``query``, measured on ``counts`` passages); ``overall`` is the mean of every passage, ``overall_query``
    the mean of the query means."""

    languages: tuple[str, ...]
    passage: np.ndarray
    query: np.ndarray
    counts: np.ndarray
    overall: np.ndarray
    overall_query: np.ndarray

    # -- passages -------------------------------------------------------------------------------------------

    def passage_means(self, languages: Sequence[str | None]) -> np.ndarray:
        """The mean each passage (given by its language) has taken out: one row each."""
        rows = {language: n for n, language in enumerate(self.languages)}
        table = np.vstack([self.passage, self.overall[None, :]]).astype(np.float32)
        return table[[rows.get(language or "", len(self.languages)) for language in languages]]

    def center_passages(self, vectors: np.ndarray, languages: Sequence[str | None]) -> np.ndarray:
        return (np.asarray(vectors, dtype=np.float32) - self.passage_means(languages)).astype(np.float32)

    # -- queries --------------------------------------------------------------------------------------------

    def query_mean(self, text: str, *, languages: Sequence[str]) -> np.ndarray:
        """The mixture of query means for ``text``: each language's by its probability among ``languages``."""
        if not self.languages:
            return self.overall_query
        probabilities = language_probabilities(text, languages=tuple(languages))
        weights = np.array([probabilities.get(language, 0.0) for language in self.languages])
        rest = max(0.0, 1.0 - float(weights.sum()))  # languages without means of their own
        return (weights @ self.query + rest * self.overall_query).astype(np.float32)

    def center_query(self, vector: np.ndarray, text: str, *, languages: Sequence[str]) -> np.ndarray:
        """A query's vector without its language component, normalised."""
        centred = np.asarray(vector, dtype=np.float32) - QUERY_SHARE * self.query_mean(text, languages=languages)
        norm = float(np.linalg.norm(centred))
        return centred / norm if norm > 0 else np.asarray(vector, dtype=np.float32)

    def count(self, language: str) -> int:
        return int(self.counts[self.languages.index(language)]) if language in self.languages else 0

    # -- storage --------------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            np.savez(handle, languages=np.array(self.languages, dtype=str), passage=self.passage, query=self.query,
                     counts=self.counts, overall=self.overall, overall_query=self.overall_query)

    @classmethod
    def load(cls, path: Path) -> LanguageMeans:
        with np.load(path, allow_pickle=False) as data:
            return cls(tuple(str(language) for language in data["languages"]), data["passage"], data["query"],
                       data["counts"], data["overall"], data["overall_query"])


def needs_refit(means: LanguageMeans | None, counts: Mapping[str, int]) -> bool:
    """Whether the means (``None``: none yet) no longer fit a corpus of ``counts`` passages per language."""
    if means is None:
        return True
    return any(count >= MIN_PASSAGES and (language not in means.languages
                                          or count >= REFIT_GROWTH * means.count(language))
               for language, count in counts.items() if language)


def fit(vectors: np.ndarray, languages: Sequence[str | None], *, sample_texts: Callable[[str], list[str]],
        encode_queries: EncodeQueries | None) -> LanguageMeans:
    """The means of a corpus: ``vectors`` as embedded (one row per passage, of the passage's language).

    ``sample_texts(language)`` gives passages of that language to encode as queries (:data:`QUERY_SAMPLE` of
    them, spread over the corpus); ``encode_queries`` encodes with the model's query prompt.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    labels = np.array([language or "" for language in languages], dtype=object)
    names, sizes = np.unique(labels, return_counts=True) if len(labels) else (np.array([]), np.array([]))
    kept = tuple(sorted(str(name) for name, size in zip(names, sizes, strict=True) if name and size >= MIN_PASSAGES))
    dimension = vectors.shape[1]
    counts = np.array([int((labels == language).sum()) for language in kept], dtype=np.int64)
    if len(kept) < 2:  # one language: no bias between documents to take out, and centring costs ranking
        zero = np.zeros((len(kept), dimension), dtype=np.float32)
        return LanguageMeans(kept, zero, zero, counts, np.zeros(dimension, np.float32), np.zeros(dimension, np.float32))
    if encode_queries is None:
        raise ValueError("measuring the query means of several languages needs the model's query encoding")
    passage = np.array([vectors[labels == language].mean(axis=0) for language in kept])
    query = np.array([np.asarray(encode_queries([text[:QUERY_SAMPLE_CHARS] for text in sample_texts(language)]),
                                 dtype=np.float64).mean(axis=0) for language in kept])
    overall, overall_query = vectors.mean(axis=0), query.mean(axis=0)
    return LanguageMeans(kept, passage.astype(np.float32), query.astype(np.float32), counts,
                         overall.astype(np.float32), overall_query.astype(np.float32))
