"""What both halves of the library use: settings, errors, the model, the index's files and generations, the
vector index, language detection and text analysis. Imports nothing from :mod:`indexer.ingest` or
:mod:`indexer.search`."""
