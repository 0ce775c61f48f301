"""Search: one code path for the service, the command line and the evaluation.

Three modes:

- ``dense``: passages by meaning — FAISS inner product of normalised vectors, i.e. cosine similarity;
- ``keyword``: passages by their words — BM25 over stemmed, accent-folded terms (:mod:`indexer.search.keyword`);
- ``hybrid`` (default): both, fused by score (see :func:`fuse`).

Passages are grouped by document, best passage first. Filters are applied inside both searches (a FAISS
ID selector and an SQL condition), so a filtered query still finds ``k`` documents when ``k`` exist.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
import operator
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer.core import ann, text
from indexer.core.errors import QueryError
from indexer.core.function_words import content_words
from indexer.core.language import language_probabilities
from indexer.core.model import Embedder
from indexer.core.settings import DEFAULT_LANGUAGES, Settings
from indexer.core.store import DocumentRecord, Index, PassageRecord
from indexer.search import keyword
from indexer.search.filters import FACETS, Filters, Mode, Sort, parse_mode, parse_sort
from indexer.search.fusion import fuse
from indexer.search.highlight import Highlighter
from indexer.search.judgement import Background, judge

OTHER_PASSAGES = 3  # other matching passages shown with each document
FACET_DEPTH = 50  # documents the facet counts are taken over
# A table of contents, a bibliography or front matter names a document's topics without being about them:
# its score counts this much less (a share of its magnitude), and it is a document's best passage only
# when no content passage of the document matches with at least CONTENT_SHARE of the document's best score
# (a content passage that shares one word with the query is not a match worth showing instead).
ASIDE_PENALTY = 0.1
CONTENT_SHARE = 0.5


# Slotted, not frozen: a search builds some 150 of these, and a frozen dataclass is slow to construct.
@dataclass(slots=True)
class PassageHit(PassageRecord):
    """A stored passage that matched, with its score."""

    score: float = 0.0
    # The passage's words as the keyword index holds them (best passages only): highlighting judges them
    # instead of analysing the text again.
    terms: str | None = None


@dataclass(slots=True)
class Hit:
    """One document in the results: its best passage, and a few other passages that matched."""

    document: DocumentRecord
    score: float
    passage: PassageHit
    others: list[PassageHit] = field(default_factory=list)
    match: bool = False  # a match for the query, or only related (:mod:`indexer.search.judgement`)


@dataclass(frozen=True)
class SearchResult:
    """The best documents for a query, how many of the best ``FACET_DEPTH`` are matches, and facet counts
    over those matches."""

    query: str
    mode: Mode
    hits: list[Hit]
    facets: dict[str, list[tuple[Any, int]]]
    took_ms: float = 0.0  # the whole search's time, where :meth:`Searcher.search` measured it
    matches: int = 0
    # The judgement's inputs for each of the best ``FACET_DEPTH`` documents (cosine, word share; the first
    # ones are the hits), the query's background, and each document's chance to be in the query's language:
    # for calibration.
    measures: tuple[np.ndarray, np.ndarray, Background | None, np.ndarray] | None = None


@dataclass(frozen=True)
class Listing:
    """Documents listed without a query (browsing by filter): one page of them, how many there are in all, and
    facet counts over all of them."""

    documents: list[DocumentRecord]
    total: int
    facets: dict[str, list[tuple[Any, int]]]


@dataclass(slots=True)
class _Group:
    """A document among the candidates, with its best passages (id, score), best first."""

    document: DocumentRecord
    passages: list[tuple[int, float]]

    @property
    def score(self) -> float:
        return self.passages[0][1]


@dataclass
class _Candidates:
    """Candidate passages with their scores from both sides (aligned arrays), and the query's lexical
    evidence. ``dense`` is empty in keyword mode; ``keyword`` is 0 where a passage's words did not match."""

    ids: np.ndarray
    dense: np.ndarray
    keyword: np.ndarray
    evidence: float


class Searcher:
    """Answers queries over one :class:`~indexer.core.store.Index` with one :class:`~indexer.core.model.Embedder`."""

    def __init__(self, index: Index, embedder: Embedder, *, max_query_chars: int = 500, max_k: int = 100,
                 languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> None:
        self.index = index
        self.embedder = embedder
        self.max_query_chars = max_query_chars
        self.max_k = max_k
        self.languages = languages
        # Documents withdrawn since this generation was built: never in results, lists or "more like this"
        # until the next generation drops them. Replaced whole (one assignment), never changed in place.
        self.hidden: frozenset[str] = frozenset()

    def hide(self, document_ids: Iterable[str]) -> None:
        self.hidden = self.hidden | frozenset(document_ids)

    def show(self, document_ids: Iterable[str]) -> None:
        """Undo :meth:`hide` (a withdrawn document restored)."""
        self.hidden = self.hidden - frozenset(document_ids)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder) -> Searcher:
        """A searcher over the index of ``settings``, checked to be built with ``embedder``'s model."""
        return cls(Index.open(settings.index_dir, expected_model=embedder.name), embedder,
                   max_query_chars=settings.max_query_chars, max_k=settings.max_k,
                   languages=tuple(settings.languages))

    # -- validation ------------------------------------------------------------------------------------

    def check(self, query: str, *, k: int, filters: Filters, mode: str = "hybrid") -> str:
        """Validate a request; returns the query with whitespace normalised, or raises :class:`QueryError`."""
        query = " ".join(query.split())
        if not query:
            raise QueryError("empty")
        if len(query) > self.max_query_chars:
            raise QueryError("too_long", length=len(query), max=self.max_query_chars)
        if not content_words(query):
            raise QueryError("no_content")
        self.check_k(k)
        parse_mode(mode)
        filters.check(self.index.vocabulary())
        return query

    def check_k(self, k: int) -> None:
        if not 1 <= k <= self.max_k:
            raise QueryError("k", max=self.max_k, value=k)

    # -- searching -------------------------------------------------------------------------------------

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None,
               mode: Mode = "hybrid", sort: Sort = "relevance") -> SearchResult:
        """Validate, embed and search one query."""
        filters = filters or Filters()
        started = time.perf_counter()
        query = self.check(query, k=k, filters=filters, mode=mode)
        parse_sort(sort)
        vector = self.embedder.encode_query([query])[0] if mode != "keyword" else None
        result = self.rank(query, vector, k=k, filters=filters, mode=mode, sort=sort)
        return dataclasses.replace(result, took_ms=(time.perf_counter() - started) * 1000)

    def rank(self, query: str, vector: np.ndarray | None, *, k: int, filters: Filters, mode: Mode = "hybrid",
             exclude_document: str | None = None, sort: Sort = "relevance") -> SearchResult:
        """The ``k`` best documents for an already validated (and, unless keyword-only, embedded) query."""
        if vector is not None:  # the query's language component out, as it is out of the stored passages
            vector = self.index.language_means.center_query(vector, query, languages=self.languages)
        allowed = self._allowed(filters)
        if allowed is not None and len(allowed) == 0:
            return SearchResult(query, mode, [], {})
        depth = max(k, FACET_DEPTH)
        candidates = self._candidates(query, vector, depth=depth, filters=filters, allowed=allowed, mode=mode)
        groups = self._group(candidates.ids, self._passage_scores(candidates, mode),
                             exclude_document=exclude_document, limit=depth)[:depth]
        cosines, words = self._judged_measures(candidates, groups, mode)
        background = Background.of(vector, self.index.vector_sample()) if vector is not None else None
        same_language = self._same_language(query, groups) if vector is not None else np.zeros(len(groups))
        matching = judge(cosines, words, background, self.embedder.relevance_calibration, same_language)
        order = _sorted(groups, matching.tolist(), sort)
        hits = self._hits([groups[n] for n in order[:k]], with_terms=True)
        for hit, n in zip(hits, order, strict=False):
            hit.match = bool(matching[n])
        facets = self._facets([group for group, is_match in zip(groups, matching.tolist(), strict=True) if is_match])
        return SearchResult(query, mode, hits, facets, matches=int(matching.sum()),
                            measures=(cosines, words, background, same_language))

    def _same_language(self, query: str, groups: list[_Group]) -> np.ndarray:
        """For each document, the probability that it is in the query's language (cached per query)."""
        probabilities = language_probabilities(query, languages=self.languages)
        return np.array([probabilities.get(group.document.language or "", 0.0) for group in groups])

    @staticmethod
    def _judged_measures(candidates: _Candidates, groups: list[_Group], mode: Mode) -> tuple[np.ndarray, np.ndarray]:
        """For each document, its best passage's cosine and word share (the keyword evidence, scaled by the
        passage's keyword score relative to the best one): what the judgement weighs."""
        position = {passage_id: n for n, passage_id in enumerate(candidates.ids.tolist())}
        best = np.fromiter((position[group.passages[0][0]] for group in groups), dtype=np.int64, count=len(groups))
        cosines = candidates.dense[best] if len(candidates.dense) else np.zeros(len(groups))
        best_keyword = float(candidates.keyword.max()) if len(candidates.keyword) else 0.0
        if best_keyword <= 0 or not len(best):
            return cosines, np.zeros(len(groups))
        return cosines, candidates.evidence * np.maximum(candidates.keyword[best], 0.0) / best_keyword

    def _allowed(self, filters: Filters) -> np.ndarray | None:
        if filters.is_empty():
            return None
        where, parameters = filters.sql()
        return self.index.passage_ids_where(where, parameters)

    def _dense(self, vector: np.ndarray, *, depth: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Enough passages by cosine to cover ``depth`` documents (documents have several passages): their
        ids and cosines (float64), best first."""
        vectors = self.index.vectors
        total = vectors.ntotal if allowed is None else len(allowed)
        if total == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        # An index of fewer than ``depth`` documents needs every passage: no point in a first, short search.
        few = allowed is None and self.index.document_count() < depth
        fetch = total if few else min(total, max(4 * depth, 64))
        while True:
            scores, ids = ann.search(vectors, query, fetch, allowed=allowed)
            found = ids[0] >= 0
            ids, scores = ids[0][found], scores[0][found].astype(np.float64)
            if fetch >= total:
                return ids, scores
            owners = self.index.passage_owners(ids)[0]
            if len(np.unique(owners[owners >= 0])) >= depth:
                return ids, scores
            fetch = min(total, fetch * 4)

    def _candidates(self, query: str, vector: np.ndarray | None, *, depth: int, filters: Filters,
                    allowed: np.ndarray | None, mode: Mode) -> _Candidates:
        none = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        dense_ids, dense = self._dense(vector, depth=depth, allowed=allowed) if vector is not None else none
        keyword_ids, keyword_scores = none
        evidence = 0.0
        if mode != "dense":
            expression, word_forms = keyword.match_expression(query, self.index.passage_languages())
            where, parameters = filters.sql()
            found = self.index.keyword_search(expression, limit=4 * depth, where=where, parameters=parameters)
            if found:
                keyword_ids = np.array([i for i, _ in found], dtype=np.int64)
                keyword_scores = np.array([score for _, score in found], dtype=np.float64)
                evidence = self._evidence(int(keyword_ids[np.argmax(keyword_scores)]), word_forms)
        if mode == "keyword":
            return _Candidates(keyword_ids, none[1], keyword_scores, evidence)
        if mode == "hybrid" and vector is not None:
            # Keyword-only candidates get their exact cosine, so both sides are scored on every candidate.
            missing = keyword_ids[~np.isin(keyword_ids, dense_ids)]
            if len(missing):
                stored = ann.reconstruct_many(self.index.vectors, missing)
                dense_ids = np.concatenate([dense_ids, missing])
                dense = np.concatenate([dense, (stored @ vector).astype(np.float64)])
        # Each candidate's keyword score, 0 where its words did not match.
        by_id = dict(zip(keyword_ids.tolist(), keyword_scores.tolist(), strict=True))
        keyword_of = np.fromiter(map(by_id.get, dense_ids.tolist(), itertools.repeat(0.0)), dtype=np.float64,
                                 count=len(dense_ids))
        return _Candidates(dense_ids, dense, keyword_of, evidence)

    def _evidence(self, passage_id: int, word_forms: list[frozenset[str]]) -> float:
        """IDF-weighted share of the query's words found in the passage."""
        if not word_forms:
            return 0.0
        present = set(self.index.passage_terms([passage_id]).get(passage_id, "").split())
        frequencies = self.index.term_frequencies(sorted(set().union(*word_forms)))
        total = max(self.index.manifest.passages, 1)
        weights = [math.log(1 + total / (1 + max((frequencies.get(f, 0) for f in forms), default=0)))
                   for forms in word_forms]
        found = sum(w for w, forms in zip(weights, word_forms, strict=True) if keyword.matches_any(forms, present))
        return found / sum(weights) if sum(weights) else 0.0

    @staticmethod
    def _passage_scores(candidates: _Candidates, mode: Mode) -> np.ndarray:
        """One score per candidate, aligned with ``candidates.ids``."""
        if mode == "dense":
            return candidates.dense
        if mode == "keyword":
            return candidates.keyword
        best_keyword = float(candidates.keyword.max()) if len(candidates.keyword) else 0.0
        best_dense = float(candidates.dense.max()) if len(candidates.dense) else 0.0
        return fuse(candidates.dense, candidates.keyword, best_dense=best_dense, best_keyword=best_keyword,
                    evidence=candidates.evidence)

    def _group(self, ids: np.ndarray, scores: np.ndarray, *, exclude_document: str | None, limit: int) -> list[_Group]:
        """Candidate passages by document, best document first, each with its best passages: the ``limit``
        best documents.

        In numpy: the candidates are a whole small corpus, or hundreds of passages of a large one, and a
        Python loop over them was most of the ranking's time.
        """
        owners, documents = self.index.passage_owners(ids)
        asides = self.index.asides(ids)
        scores = _demote(scores, asides)
        order = np.argsort(-scores, kind="stable")  # best first; ties keep the candidates' order
        order = order[owners[order] >= 0]
        if exclude_document is not None:
            order = order[owners[order] != _position(documents, exclude_document)]
        hidden = self.hidden
        if hidden:
            positions = [_position(documents, document_id) for document_id in hidden]
            order = order[~np.isin(owners[order], positions)]
        owner = owners[order]
        # Each passage's rank within its document (0 for its best): sort by document, content before asides,
        # keeping score order.
        with_asides = bool(asides.any())
        if with_asides:  # boilerplate (an event's banner) after every other passage of its document, whatever its score
            by_document = np.lexsort((_not_shown_first(scores[order], asides[order], owner),
                                      self.index.boilerplate(ids)[order], owner))
        else:
            by_document = np.argsort(owner, kind="stable")
        sorted_owner = owner[by_document]
        starts = np.flatnonzero(np.concatenate(([True], sorted_owner[1:] != sorted_owner[:-1])))
        rank = np.empty(len(owner), dtype=np.int64)
        rank[by_document] = np.arange(len(owner)) - np.repeat(starts, np.diff(np.append(starts, len(owner))))
        shown = rank <= OTHER_PASSAGES
        best = np.flatnonzero(rank == 0)  # each document's best passage, best document first
        if len(best) > limit:
            cutoff = scores[order[best[limit - 1]]]
            kept = np.zeros(len(documents), dtype=bool)  # by document position: cheaper than np.isin's sort
            kept[owner[best[scores[order[best]] >= cutoff]]] = True
            shown &= kept[owner]
        grouped: dict[int, list[tuple[int, float]]] = {}  # documents in the order of their best passage
        shown_at = np.flatnonzero(shown)
        if with_asides:  # a document's best passage may follow an aside: order by its best (rank 0) passage
            leader = np.empty(len(documents), dtype=np.int64)
            leader[owner[best]] = best
            shown_at = shown_at[np.lexsort((rank[shown_at], leader[owner[shown_at]]))]
        for passage_id, score, document in zip(ids[order[shown_at]].tolist(), scores[order[shown_at]].tolist(),
                                               owner[shown_at].tolist(), strict=True):
            grouped.setdefault(document, []).append((passage_id, score))
        records = self.index.documents([documents[n] for n in grouped])
        return [_Group(records[documents[n]], passages) for n, passages in grouped.items()]

    def _hits(self, groups: list[_Group], *, with_terms: bool = False) -> list[Hit]:
        # Texts only for the passages shown: candidates are many more (a whole small corpus). The indexed
        # terms of the best passages only where they will be highlighted.
        passages = self.index.passages([i for group in groups for i, _ in group.passages])
        terms = self.index.passage_terms([group.passages[0][0] for group in groups]) if with_terms else {}

        def hit(passage_id: int, score: float) -> PassageHit:
            record = passages[passage_id]
            return PassageHit(record.id, record.document_id, record.ordinal, record.page, record.start, record.end,
                              record.language, record.text, record.kind, record.section, score=score,
                              terms=terms.get(passage_id))

        return [Hit(group.document, group.score, hit(*group.passages[0]), [hit(*other) for other in group.passages[1:]])
                for group in groups]

    @staticmethod
    def _facets(groups: list[_Group]) -> dict[str, list[tuple[Any, int]]]:
        return _count_facets([group.document for group in groups])

    # -- browsing --------------------------------------------------------------------------------------------

    def browse(self, filters: Filters, *, sort: Sort = "newest", limit: int = 10, offset: int = 0) -> Listing:
        """The documents ``filters`` select, without a query: newest first (``relevance`` too, as nothing ranks
        them) or oldest first; ``limit`` of them from ``offset``, and facet counts over all of them."""
        parse_sort(sort)
        filters.check(self.index.vocabulary())
        where, parameters = filters.sql()
        ids = self.index.document_ids_where(where, parameters, oldest_first=sort == "oldest")
        records = self.index.documents(ids)
        documents = [records[i] for i in ids if i in records and i not in self.hidden]
        return Listing(documents[offset:offset + limit], len(documents), _count_facets(documents))

    # -- more like this --------------------------------------------------------------------------------

    def document_vector(self, document_id: str) -> np.ndarray:
        """The mean of a document's passage vectors, normalised: what the document is about as a whole."""
        passages = self.index.passages_of(document_id)
        if not passages:  # a document always has passages: none means no such document
            self.index.require_document(document_id)
        vectors = ann.reconstruct_many(self.index.vectors, np.array([p.id for p in passages], dtype=np.int64))
        mean = vectors.mean(axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)

    def similar(self, document_id: str, *, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The documents closest in meaning to ``document_id`` (in any language), itself excluded."""
        filters = filters or Filters()
        self.check_k(k)
        filters.check(self.index.vocabulary())
        vector = self.document_vector(document_id)
        allowed = self._allowed(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        ids, scores = self._dense(vector, depth=k + 1, allowed=allowed)
        hits = self._hits(self._group(ids, scores, exclude_document=document_id, limit=k)[:k])
        background = Background.of(vector, self.index.vector_sample())
        cosines = np.array([hit.passage.score for hit in hits])
        verdict = judge(cosines, np.zeros(len(hits)), background, self.embedder.relevance_calibration)
        for hit, is_match in zip(hits, verdict.tolist(), strict=True):
            hit.match = is_match
        return hits

    # -- presentation ----------------------------------------------------------------------------------

    def highlighter(self, query: str) -> Highlighter:
        """Marks the query's words and the words that share their stem or prefix: judged by the form the
        keyword index holds in the text's language, by every indexed language's when it is not given."""
        languages = tuple(self.index.passage_languages())
        _, word_forms = keyword.match_expression(query, languages)
        # Very short words (articles, prepositions) would light up every line.
        word_forms = [forms for forms in word_forms if max(len(f) for f in forms) > 2]

        matcher = keyword.TermMatcher(word_forms)

        def select(words: set[str], language: str | None) -> Iterable[str]:
            if language is None:  # any form the word may have
                return [w for w in words if any(map(matcher, text.forms(w, languages)))]
            # The form the keyword index holds, judged without a Python call per word (a response shows
            # some 10 passages of ~1,500 distinct words): lru_cache, set and str methods are C.
            ordered = list(words)
            terms = list(map(text.term, ordered, itertools.repeat(language)))
            return itertools.compress(ordered, map(matcher.select(terms).__contains__, terms))

        return Highlighter(select if word_forms else None, select_terms=matcher.select)


def _count_facets(documents: list[DocumentRecord]) -> dict[str, list[tuple[Any, int]]]:
    """How many of ``documents`` have each value of each facet, most first."""
    facets: dict[str, list[tuple[Any, int]]] = {}
    for name in FACETS:
        counts = Counter(map(operator.attrgetter(name), documents))  # counted in C
        counts.pop(None, None)
        facets[name] = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return facets


def _sorted(groups: list[_Group], matching: list[bool], sort: Sort) -> list[int]:
    """The positions of ``groups`` in the order asked for: by relevance as ranked, or the matches by year
    (undated last, ties by relevance) followed by the related documents as ranked. The same documents either
    way, and the same ones matches."""
    if sort == "relevance":
        return list(range(len(groups)))
    sign = -1 if sort == "newest" else 1
    matches = [n for n in range(len(groups)) if n < len(matching) and matching[n]]
    matches.sort(key=lambda n: (groups[n].document.year is None, sign * (groups[n].document.year or 0)))
    chosen = set(matches)
    return matches + [n for n in range(len(groups)) if n not in chosen]


def _demote(scores: np.ndarray, asides: np.ndarray) -> np.ndarray:
    """Scores with those of asides (passages that are not content) lowered by :data:`ASIDE_PENALTY`."""
    if not asides.any():
        return scores
    return np.where(asides, scores - ASIDE_PENALTY * np.abs(scores), scores)


def _not_shown_first(ordered: np.ndarray, asides: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """For passages in score order, whether each is not to go first in its document: an aside, or a content
    passage below :data:`CONTENT_SHARE` of its document's best score, while the document has a content passage
    that is not."""
    _, first = np.unique(owner, return_index=True)
    best = np.zeros(int(owner.max()) + 1 if len(owner) else 0)
    best[owner[first]] = ordered[first]  # scores are in order: a document's first passage is its best
    floor = best[owner] - (1 - CONTENT_SHARE) * np.abs(best[owner])
    return asides | (ordered < floor)


def _position(names: list[str], name: str) -> int:
    """Where ``name`` is in the sorted list ``names``; -1 if absent."""
    at = bisect.bisect_left(names, name)
    return at if at < len(names) and names[at] == name else -1
