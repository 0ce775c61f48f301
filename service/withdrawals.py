"""Withdrawn documents: the log that remembers them, and the one check of whether a document is withdrawn.

Staff withdraw a document from the console (:func:`service.console.corpus.withdraw` moves or deletes its file);
its id goes into ``withdrawn.jsonl`` in the index folder. Until a re-index drops it, the served generation still
holds it: the runtime hides it from every search and listing (:func:`withdrawn_since`), and its page, passages
and file answer 410 Gone (:func:`require_not_withdrawn`), as they keep doing once the index has forgotten it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from indexer.core.errors import DocumentFileGoneError
from indexer.search.searcher import Searcher

WITHDRAWN_LOG = "withdrawn.jsonl"  # in the index folder: the ids whose file URL answers 410 Gone for good


def record_withdrawn(index_dir: Path, document_ids: Sequence[str], path: str) -> None:
    """Remember withdrawn documents, so that their URLs answer 410 Gone after the re-index forgets them too."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / WITHDRAWN_LOG).open("a", encoding="utf-8") as file:
        for document_id in document_ids:
            file.write(json.dumps({"id": document_id, "path": path, "when": int(time.time())}) + "\n")


def _withdrawn_entries(index_dir: Path) -> Iterator[dict[str, Any]]:
    """The entries of the withdrawn log, skipping any line that is not one (a write cut short)."""
    try:
        lines = (index_dir / WITHDRAWN_LOG).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "id" in entry:
            yield entry


def record_restored(index_dir: Path, document_ids: Sequence[str], path: str) -> None:
    """Documents put back: their URLs are theirs again (the latest entry of an id decides)."""
    with (index_dir / WITHDRAWN_LOG).open("a", encoding="utf-8") as file:
        for document_id in document_ids:
            file.write(json.dumps({"id": document_id, "path": path, "when": int(time.time()), "restored": True})
                       + "\n")


def _latest(index_dir: Path) -> dict[str, dict[str, Any]]:
    """Each document's latest entry: a withdrawal, or a restoration after it."""
    return {str(entry["id"]): entry for entry in _withdrawn_entries(index_dir)}


def withdrawn_since(index_dir: Path, since: float) -> set[str]:
    """The documents withdrawn after ``since`` (a time stamp), and not restored: those a generation built before
    still holds."""
    found = set()
    for document_id, entry in _latest(index_dir).items():
        try:
            if not entry.get("restored") and float(entry.get("when", 0)) >= since:
                found.add(document_id)
        except (TypeError, ValueError):
            continue
    return found


def withdrawn_at(index_dir: Path, path: str) -> list[str]:
    """The documents withdrawn (and not restored) whose file was at ``path``."""
    return [document_id for document_id, entry in _latest(index_dir).items()
            if entry.get("path") == path and not entry.get("restored")]


def is_withdrawn(index_dir: Path, document_id: str) -> bool:
    entry = _latest(index_dir).get(document_id)
    return entry is not None and not entry.get("restored")


def require_not_withdrawn(searcher: Searcher, index_dir: Path, document_id: str) -> None:
    """Raise :class:`~indexer.core.errors.DocumentFileGoneError` for a withdrawn document: hidden in the served
    generation (withdrawn after it was built), or gone from it and in the log. A document added again after its
    withdrawal (same path, newer generation) is served."""
    if document_id in searcher.hidden or (searcher.index.document(document_id) is None
                                          and is_withdrawn(index_dir, document_id)):
        raise DocumentFileGoneError(f"document {document_id!r} was withdrawn from the corpus")
