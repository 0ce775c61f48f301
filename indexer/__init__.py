"""Passerelle's indexer: from conference material and theses to a searchable index.

Public surface::

    from indexer import Embedder, Settings, index_corpus, Index, Searcher, Filters

Errors are documented in :mod:`indexer.errors`.
"""

from indexer.build import FileIssue, IndexReport, index_corpus, index_documents
from indexer.errors import PasserelleError
from indexer.model import Embedder
from indexer.search import Filters, Hit, Searcher, SearchResult
from indexer.settings import Settings
from indexer.store import Index

__all__ = [
    "Embedder",
    "FileIssue",
    "Filters",
    "Hit",
    "Index",
    "IndexReport",
    "PasserelleError",
    "SearchResult",
    "Searcher",
    "Settings",
    "index_corpus",
    "index_documents",
]
