"""Every error Passerelle raises on purpose, in one hierarchy.

Catch :class:`PasserelleError` to handle all of them. The message of each is written for the person
running the command: it says what went wrong and, where there is one, what to do about it.

- :class:`PasserelleError`
  - :class:`ModelError` — the embedding model cannot be built or loaded.
  - :class:`ExtractionError` — one file cannot be read; the indexer reports it and goes on.
    - :class:`EncryptedFileError` — password-protected, and the empty password does not open it.
    - :class:`CorruptFileError` — the file is damaged or not what its extension says.
    - :class:`NoTextError` — the file opens but holds no text (empty, or scanned pages without a text layer).
    - :class:`TooLargeError` — the file is over a limit (size, unpacked size, pages, passages, memory); the
      message names the setting to raise.
    - :class:`TooSlowError` — reading the file took longer than ``PASSERELLE_MAX_SECONDS_PER_FILE``.
    - :class:`ReaderCrashedError` — the worker process reading the file died (a crash in a C library).
    - :class:`OutsideCorpusError` — the path leads out of the corpus folder (a link).
  - :class:`CatalogueError` — a ``catalogue.toml`` is malformed.
  - :class:`IndexError_` — problems with an index folder.
    - :class:`IndexNotFoundError` — there is no index where one was expected.
    - :class:`IndexCorruptError` — the index's parts disagree; it is refused rather than served.
    - :class:`ModelMismatchError` — the index was built with another model than the configured one.
    - :class:`IndexBusyError` — another indexing run is writing the same index folder.
  - :class:`QueryError` — a search request is invalid (empty, too long, bad ``k``, unknown filter value).
  - :class:`DocumentNotFoundError` — no document with that id in the index.
    - :class:`DocumentFileGoneError` — the document is indexed, but its file has left the corpus since.
"""

from __future__ import annotations


class PasserelleError(Exception):
    """Base class of every error Passerelle raises on purpose."""


class ModelError(PasserelleError):
    """The embedding model cannot be built or loaded."""


class ExtractionError(PasserelleError):
    """A file cannot be turned into text. ``reason`` is a short, stable label for summaries."""

    reason = "unreadable"


class EncryptedFileError(ExtractionError):
    reason = "encrypted"


class CorruptFileError(ExtractionError):
    reason = "corrupt"


class NoTextError(ExtractionError):
    reason = "no text"


class TooLargeError(ExtractionError):
    reason = "too large"


class TooSlowError(ExtractionError):
    reason = "too slow"


class ReaderCrashedError(ExtractionError):
    reason = "crashed"


class OutsideCorpusError(ExtractionError):
    reason = "outside the corpus"


class CatalogueError(PasserelleError):
    """A catalogue file cannot be parsed or has invalid entries."""


class IndexError_(PasserelleError):
    """Base class of index-folder problems."""


class IndexNotFoundError(IndexError_):
    """No index at the configured location."""


class IndexCorruptError(IndexError_):
    """The index's manifest, vector index and store disagree."""


class ModelMismatchError(IndexError_):
    """The index was built with a different embedding model than the one configured."""

    def __init__(self, *, index_model: str, configured_model: str) -> None:
        self.index_model = index_model
        self.configured_model = configured_model
        super().__init__(
            f"the index was built with model {index_model!r} but the configured model is "
            f"{configured_model!r}; re-index with the configured model (passerelle index) or set "
            f"PASSERELLE_MODEL={index_model}"
        )


class IndexBusyError(IndexError_):
    """Another indexing run holds the index folder's lock."""


class ClusterError(PasserelleError):
    """The embedding cluster (``PASSERELLE_CLUSTER``) cannot be used: not installed, not reachable, or it lost
    the run's work beyond its retries. The run stops and the served index stays as it was."""


# Every way a search request can be refused: its code, and its message in English filled with the error's
# values (what the API says). An interface says the same in its own language from the code and the values (the
# web page: ``error.<code>`` in service/web/i18n.py; a test keeps both in step).
QUERY_ERRORS: dict[str, str] = {
    "empty": "the query is empty: type a few words or a question",
    "too_long": "the query is too long ({length} characters, at most {max})",
    "no_content": ("the query has no word that can carry a meaning (only single letters or words like “le”, "
                   "“der”, “the”, “an”): add a word about what you are looking for"),
    "k": "k must be between 1 and {max}, got {value}",
    "mode": "unknown mode {value!r}: use one of {choices}",
    "sort": "unknown sort {value!r}: use one of {choices}",
    "year": "{name} must be a year, got {value!r}",
    "year_range": "{name} must be between {min} and {max}, got {value}",
    "too_many_values": "at most {max} values per filter: {name} has {count}",
    "value_too_long": "{name} values may have at most {max} characters, got {length}",
    "unknown_filter": "unknown {name} {shown}: the index has {known}",
}


class QueryError(PasserelleError):
    """A search request is invalid; the message says why.

    ``code`` names the problem (a key of :data:`QUERY_ERRORS`, whose message it fills) and ``params`` its
    details, so that an interface can say it in its own language (the web page does) instead of validating
    again.
    """

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(QUERY_ERRORS[code].format(**params))
        self.code = code
        self.params = params


class DocumentNotFoundError(PasserelleError):
    """No document with that id in the index."""


class DocumentFileGoneError(DocumentNotFoundError):
    """The document is indexed, but its file is no longer in the corpus (until the next indexing run)."""
