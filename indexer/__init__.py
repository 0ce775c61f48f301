"""Passerelle's library: from conference material and theses to a searchable index, and searching it.

Three parts: :mod:`indexer.ingest` (files → index), :mod:`indexer.search` (question → documents), and
:mod:`indexer.core` that both use; :mod:`indexer.evaluation` scores retrieval through both. Public surface::

    from indexer import Embedder, FakeEmbedder, Settings, index_corpus, Index, Searcher, Filters

Errors are one hierarchy, documented in :mod:`indexer.core.errors`.
"""

from indexer.core.errors import PasserelleError
from indexer.core.fake import FakeEmbedder
from indexer.core.model import Embedder
from indexer.core.settings import Settings
from indexer.core.store import Index
from indexer.ingest.pipeline import FileIssue, IndexReport, index_corpus, index_documents
from indexer.search.filters import Filters
from indexer.search.searcher import Hit, Searcher, SearchResult

__all__ = [
    "Embedder",
    "FakeEmbedder",
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
