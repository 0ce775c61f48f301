"""The query side of keyword search: match expressions and BM25 over the keyword index (SQLite FTS5).

Passages are stored as their analysed terms (:mod:`indexer.core.text`). A query's language is unknown (and
often not the documents'), so each query word is looked up under its stem in every indexed language: the forms
are OR-ed, and FTS5's BM25 ranks the passages.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from indexer.core.function_words import is_function_word
from indexer.core.text import fold, forms, words

PREFIX = 6


def _prefix(word_forms: frozenset[str]) -> str | None:
    shortest = min(word_forms, key=len)
    return shortest[:PREFIX] if len(shortest) >= PREFIX else None


def matches(word_forms: frozenset[str], term_: str) -> bool:
    """Whether an indexed term matches a query word given by its forms (exactly, or by its prefix).

    The definition; :func:`matches_any` and :class:`TermMatcher` are its fast forms (tests hold them to it).
    """
    if term_ in word_forms:
        return True
    prefix = _prefix(word_forms)
    return prefix is not None and term_.startswith(prefix)


def matches_any(word_forms: frozenset[str], terms: set[str]) -> bool:
    """``matches`` for any of a set of indexed terms, without a Python call per term."""
    if not word_forms.isdisjoint(terms):
        return True
    prefix = _prefix(word_forms)
    return prefix is not None and any(map(str.startswith, terms, itertools.repeat(prefix)))


class TermMatcher:
    """:func:`matches` against any of several query words, prepared once.

    Calling it judges one indexed term; :meth:`select` judges many at once without a Python call per term
    (a set intersection and ``str.startswith`` mapped in C): highlighting judges a response's ~1,500
    distinct words, and a regex of the query's forms, compiled for each new query, cost more than that.
    """

    def __init__(self, query_words: list[frozenset[str]]) -> None:
        self.exact: frozenset[str] = frozenset().union(*query_words)
        self.prefixes = tuple(sorted({p for p in map(_prefix, query_words) if p is not None}))

    def __call__(self, term_: str) -> bool:
        return term_ in self.exact or term_.startswith(self.prefixes)

    def select(self, terms: Iterable[str]) -> set[str]:
        """The matching ones among ``terms``."""
        distinct = list(set(terms))
        found = set(self.exact.intersection(distinct))
        found.update(itertools.compress(distinct, map(str.startswith, distinct, itertools.repeat(self.prefixes))))
        return found


def match_expression(query: str, languages: Iterable[str]) -> tuple[str, list[frozenset[str]]]:
    """The FTS5 MATCH expression for ``query`` and the forms of each distinct query word."""
    languages = tuple(languages)
    seen: dict[str, frozenset[str]] = {}
    query_words = words(query)
    content = [w for w in query_words if not is_function_word(w)] or query_words
    for word in content:
        key = fold(word)
        if key not in seen:
            seen[key] = forms(word, languages)
    all_forms = sorted(set().union(*seen.values())) if seen else []
    # Every form is quoted: query text can never be read as FTS5 syntax.
    quoted = ['"' + f.replace('"', '""') + '"' for f in all_forms]
    # Snowball keeps derivations apart ("Integration" / "integriert"): long words also match by the
    # first PREFIX letters of their shortest stem.
    prefixes = sorted({min(f, key=len)[:PREFIX] for f in seen.values() if len(min(f, key=len)) >= PREFIX})
    quoted += ['"' + p.replace('"', '""') + '"*' for p in prefixes]
    return " OR ".join(quoted), list(seen.values())
