"""The build half: from files to an index generation — extraction (one module per concern: ``extract`` reads
formats, ``worker`` isolates it in a process), ``sources`` and ``catalogue`` resolve metadata, ``chunking`` cuts
passages, ``pipeline`` embeds and writes them. Depends on :mod:`indexer.core`, never on :mod:`indexer.search`."""
