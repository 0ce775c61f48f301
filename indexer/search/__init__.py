"""The query half: from a question to ranked documents — ``filters`` (modes, filters, limits), ``keyword``
(BM25 queries), ``fusion`` (how keyword and meaning combine), ``searcher`` (candidates, grouping, facets,
"more like this") and ``highlight``. Depends on :mod:`indexer.core`, never on :mod:`indexer.ingest`."""
