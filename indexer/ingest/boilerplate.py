"""Text repeated across documents: an event's banner, a federation's address line, a licence notice.

Within one document, running headers and footers are removed before chunking (:mod:`indexer.ingest.layout`). The
same line across *documents* ("Journée du secteur social 2026 : L'intelligence artificielle dans le travail
social" at the top of every 2026 talk) is only visible once the corpus is known, so it is handled when a run
commits, over every passage of the index:

- a run of :data:`SHINGLE` words that occurs in :data:`MIN_DOCUMENTS` documents or more is *repeated text*;
- a passage's repeated words give no keyword evidence: its keyword-index terms are written without them;
- a content passage made mostly (:data:`BOILERPLATE_SHARE`) of repeated text becomes of kind ``boilerplate``,
  which the searcher weighs less and never shows as a document's best passage while another of its passages
  matches.

Its vector keeps the repeated text (passages are embedded before the corpus is known); the passages made of
it weigh less by their kind, and the others hold it as a small share of their text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from indexer.core.store import IndexWriter
from indexer.core.text import analyse, fold, words
from indexer.ingest.kinds import BOILERPLATE, CONTENT

SHINGLE = 8
"""Words in a run compared across documents: a banner or a notice is longer; a shared name ("Entente des
acteurs sociaux du Luxembourg") or a set phrase is shorter."""
MIN_DOCUMENTS = 3
BOILERPLATE_SHARE = 0.6


@dataclass(frozen=True)
class Passage:
    id: int
    document_id: str
    text: str


def _shingles(text: str) -> np.ndarray:
    """The hashes of ``text``'s runs of :data:`SHINGLE` folded words, in order."""
    tokens = [fold(word) for word in words(text)]
    count = max(0, len(tokens) - SHINGLE + 1)
    return np.fromiter((hash(tuple(tokens[start:start + SHINGLE])) for start in range(count)), dtype=np.int64,
                       count=count)


def repeated_words(passages: Iterable[Passage]) -> dict[int, list[bool]]:
    """For each passage holding repeated text, which of its words (:func:`indexer.core.text.words`) are in it.

    In numpy over every passage's run hashes (12 bytes a run, the texts themselves are not kept): a dictionary
    of documents per run took gigabytes at 100,000 passages.
    """
    passages = list(passages)
    runs = [_shingles(passage.text) for passage in passages]
    if not runs or not sum(map(len, runs)):
        return {}
    documents = {document_id: n for n, document_id in enumerate(dict.fromkeys(p.document_id for p in passages))}
    hashes = np.concatenate(runs)
    owners = np.repeat(np.array([documents[p.document_id] for p in passages], dtype=np.int64),
                       [len(r) for r in runs])
    order = np.lexsort((owners, hashes))
    hashes_sorted, owners_sorted = hashes[order], owners[order]
    new_pair = np.ones(len(order), dtype=bool)
    new_pair[1:] = (hashes_sorted[1:] != hashes_sorted[:-1]) | (owners_sorted[1:] != owners_sorted[:-1])
    distinct, in_documents = np.unique(hashes_sorted[new_pair], return_counts=True)
    is_repeated = np.isin(hashes, distinct[in_documents >= MIN_DOCUMENTS])
    marks: dict[int, list[bool]] = {}
    if not is_repeated.any():
        return marks
    ends = np.cumsum([len(r) for r in runs])
    for passage, passage_runs, end in zip(passages, runs, ends.tolist(), strict=True):
        found = np.flatnonzero(is_repeated[end - len(passage_runs):end])
        if len(found):
            covered = [False] * (len(passage_runs) + SHINGLE - 1)
            for start in found.tolist():
                covered[start:start + SHINGLE] = [True] * SHINGLE
            marks[passage.id] = covered
    return marks


def without_repeated(text: str, covered: list[bool]) -> str:
    """``text``'s words that are not repeated text, space separated (for the keyword index)."""
    return " ".join(word for word, is_repeated in zip(words(text), covered, strict=True) if not is_repeated)


def is_boilerplate(covered: list[bool]) -> bool:
    return bool(covered) and sum(covered) >= BOILERPLATE_SHARE * len(covered)


def mark(writer: IndexWriter) -> int:
    """Find the repeated text of the whole index being written and mark its passages (their terms, and the kind
    of those made mostly of it); passages no longer holding any get their words back. Returns how many
    passages hold repeated text."""
    rows = writer.query("SELECT id, document_id, text, kind, repeated, language FROM passages")
    marks = repeated_words(Passage(row[0], row[1], row[2]) for row in rows)
    changes = []
    for passage_id, _, text, kind, before, language in rows:
        covered = marks.get(passage_id)
        repeated = sum(covered) if covered else 0
        if not repeated and not before:
            continue
        wanted = kind
        if kind == CONTENT and covered and is_boilerplate(covered):
            wanted = BOILERPLATE
        elif kind == BOILERPLATE and not (covered and is_boilerplate(covered)):
            wanted = CONTENT
        terms = analyse(without_repeated(text, covered) if covered else text, language)
        changes.append((passage_id, wanted, repeated, terms))
    writer.mark_repeated(changes)
    return len(marks)
