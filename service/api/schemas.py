"""The shapes of the service's JSON answers (they are also its OpenAPI documentation)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from indexer.core.store import DocumentRecord, PassageRecord
from indexer.search.highlight import Highlighter
from indexer.search.searcher import Hit, PassageHit


def file_url(document: DocumentRecord, page: int | None = None) -> str:
    """Link that opens the original file; PDF viewers jump to ``#page=N``."""
    url = f"/documents/{document.id}/file"
    return f"{url}#page={page}" if page and document.format == "pdf" else url


class Document(BaseModel):
    id: str
    title: str
    authors: list[str]
    year: int | None
    edition: str | None
    type: str = Field(description="thesis, talk, slides, programme, report, article, document…")
    language: str | None = Field(description="ISO 639-1 code of the document's main language")
    page_count: int
    format: str
    path: str = Field(description="Path of the file in the corpus")
    extra: dict[str, Any] = Field(description="Further catalogue metadata: supervisor, programme, prize…")
    url: str = Field(description="The original file")

    @classmethod
    def of(cls, record: DocumentRecord) -> Document:
        return cls(id=record.id, title=record.title, authors=record.authors, year=record.year,
                   edition=record.edition, type=record.type, language=record.language,
                   page_count=record.page_count, format=record.format, path=record.path, extra=record.extra,
                   url=file_url(record))


class PassageRef(BaseModel):
    """Where a matching passage is: for the other passages of a result, whose text is in
    ``GET /documents/{id}``."""

    id: int
    page: int = Field(description="1-based page (slide for presentations)")
    start: int = Field(description="Character offset of the passage in its page's text")
    end: int
    language: str | None
    kind: str = Field("content", description="content, contents (a table of contents), bibliography, "
                      "front_matter (title page, declaration, acknowledgements) or boilerplate (mostly text "
                      "repeated across documents, such as an event's banner): the last four weigh less")
    section: str | None = Field(None, description="Heading of the section the passage is in (PDF bookmark, "
                                "document heading, slide title), when the document has one")
    score: float | None = Field(None, description="How well the passage matches: cosine similarity (dense), "
                                 "cosine plus keyword credit (hybrid) or BM25 (keyword)")
    url: str = Field(description="The original file, opened at this page where the format allows")

    @classmethod
    def of(cls, passage: PassageHit, document: DocumentRecord) -> PassageRef:
        return cls(id=passage.id, page=passage.page, start=passage.start, end=passage.end,
                   language=passage.language, kind=passage.kind, section=passage.section, score=passage.score,
                   url=file_url(document, passage.page))


class Passage(PassageRef):
    """A passage with its text, as HTML with the query's words marked too."""

    text: str
    highlighted: str = Field(description="The passage as HTML-escaped text, query terms wrapped in <mark>")
    snippet: str = Field(description="A short HTML-escaped excerpt around the best match, terms in <mark>")

    @classmethod
    def of(cls, passage: PassageHit | PassageRecord, document: DocumentRecord,
           highlighter: Highlighter | None = None) -> Passage:
        highlighter = highlighter or Highlighter.none()
        terms = getattr(passage, "terms", None)
        return cls(id=passage.id, page=passage.page, start=passage.start, end=passage.end,
                   language=passage.language, kind=passage.kind, section=passage.section, text=passage.text,
                   score=getattr(passage, "score", None),
                   url=file_url(document, passage.page),
                   highlighted=highlighter.highlight(passage.text, passage.language, terms=terms),
                   snippet=highlighter.snippet(passage.text, passage.language, terms=terms))


class Result(BaseModel):
    document: Document
    score: float = Field(description="Score of the best passage")
    match: bool = Field(description="Whether the document is a match for the query (true) or only related to it "
                        "(false): the relevance judgement, the same in the page, the API and the CLI")
    matched_words: list[str] = Field(
        description="The query's words found in the best passage, as written there (stemmed matches included); "
        "empty when the document was found by meaning alone (e.g. in another language)")
    passage: Passage = Field(description="The best matching passage")
    # References, not texts: the web page shows them as "also on pages …", and three more highlighted
    # passages per document were most of a response's size (76 KB for 10 documents) and of its shaping time.
    others: list[PassageRef] = Field(description="Where else in the document the query matches, best first")

    @classmethod
    def of(cls, hit: Hit, highlighter: Highlighter | None = None) -> Result:
        words = (highlighter.matched_words(hit.passage.text, hit.passage.language, terms=hit.passage.terms)
                 if highlighter is not None else [])
        return cls(document=Document.of(hit.document), score=round(hit.score, 5), match=hit.match,
                   matched_words=words, passage=Passage.of(hit.passage, hit.document, highlighter),
                   others=[PassageRef.of(p, hit.document) for p in hit.others])


class FacetValue(BaseModel):
    value: str | int
    count: int


class SearchResponse(BaseModel):
    query: str
    k: int
    mode: str = Field(description="hybrid (keywords and meaning), dense (meaning only) or keyword")
    sort: str = Field("relevance", description="relevance, or the matches by year: newest or oldest first (then "
                      "the related documents, by relevance)")
    took_ms: float
    matches: int = Field(description="How many of the best 50 documents are matches for the query (50: 50 or "
                         "more); 0 when nothing really fits — the results are then only the nearest documents")
    results: list[Result]
    facets: dict[str, list[FacetValue]] = Field(
        description="For edition, type, language and year: how many of the matching documents have each value "
        "(empty when there is no match)")


class DocumentList(BaseModel):
    """Documents listed without a query, by year."""

    total: int = Field(description="How many documents the filters select")
    limit: int
    offset: int
    sort: str = Field(description="newest (also for relevance: nothing ranks them) or oldest first")
    documents: list[Document]
    facets: dict[str, list[FacetValue]] = Field(
        description="For edition, type, language and year: how many of the selected documents have each value")


class SimilarResponse(BaseModel):
    document: Document
    k: int
    matches: int = Field(description="How many of the results are close enough to be called similar (`match`)")
    results: list[Result]


class DocumentDetail(BaseModel):
    document: Document
    passages: list[Passage]


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok; degraded: serving an earlier generation than the current one (see problem); "
        "unavailable: the served generation's files are gone (HTTP 503)")
    documents: int
    generation: str = Field(description="The index generation being served")
    problem: str | None = Field(None, description="Why the status is not ok")


class Stats(BaseModel):
    documents: int
    passages: int
    model: str
    dimension: int
    index_created_at: str
    corpus_fingerprint: str
    editions: list[str]
    types: list[str]
    languages: list[str]
    years: list[int]
    skipped: int
    failed: list[dict[str, str]] = Field(description="Files the last indexing run could not read, and why")


class FieldError(BaseModel):
    """One parameter of a request that failed validation."""

    loc: list[str | int] = Field(description="Where: `query` and the parameter's name (then a value's position "
                                 "for a repeated parameter)")
    msg: str = Field(description="What is wrong with it")
    type: str = Field(description="The kind of error, a stable label (`missing`, `int_parsing`, …)")


class ErrorBody(BaseModel):
    """Every error answer of the API (4xx and 5xx) has this shape."""

    detail: str = Field(description="What went wrong, in a sentence for a person")
    errors: list[FieldError] | None = Field(
        None, description="Only for a request that failed validation: each parameter in fault")


_ERRORS = {
    401: "Missing or wrong admin token",
    403: "Admin endpoints disabled: no PASSERELLE_ADMIN_TOKEN is configured",
    404: "No such document",
    409: "A re-index is already running",
    410: "The document is indexed but its file is no longer in the corpus",
    422: "Invalid request: the reason in `detail`, the parameters in fault in `errors`",
    500: "Unexpected failure (logged; its details are not sent)",
    503: "The index cannot be read or searched right now",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for the errors it can answer, each an :class:`ErrorBody`."""
    return {status: {"model": ErrorBody, "description": _ERRORS[status]} for status in statuses}
