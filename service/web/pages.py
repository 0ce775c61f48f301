"""The web page: server-rendered search and document pages, for people rather than programs.

- ``GET /`` — the search page. Its state lives in the URL (``/?q=…&type=…&language=…``) so a search can be
  bookmarked and shared; the same parameters as ``GET /search`` (``q``, ``k``, ``mode``, ``edition``, ``type``,
  ``language``, ``year``, ``year_from``, ``year_to``, ``author``), plus ``lang``, the interface language.
  With the header ``X-Passerelle-Fragment: 1`` it answers only the results part (the page's script fetches it
  as the user types).
- ``GET /d/{document_id}`` — a document: metadata, its text by page, the file, related documents.

The search itself is :mod:`service.searching`, shared with the JSON API. A request the search refuses (too
long, unknown filter value…) gets the page with a polite message and HTTP 422; an unknown document a 404 page.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from indexer.core.errors import DocumentFileGoneError, DocumentNotFoundError, PasserelleError, QueryError
from indexer.core.text import name_key
from indexer.search.filters import Filters, Mode, filter_spec
from indexer.search.highlight import Highlighter
from indexer.search.searcher import Searcher
from service import searching
from service.api.deps import CurrentSearcher, State
from service.api.schemas import Document, DocumentList, Passage, SearchResponse
from service.citations.page import PageCitation
from service.runtime.engine import QueryEngine
from service.web import i18n, rendering
from service.web.page_state import PageState
from service.web.templating import interface_language, render

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
FRAGMENT_HEADER = "x-passerelle-fragment"
MORE_STEP = 10
RELATED = 6
PRIZES = 5  # prize-winning theses on the start page
COAUTHORS_OF = 500  # an author's documents whose co-authors are listed (far more than one person writes)
FACET_FIELDS = ("type", "language", "edition", "year")  # the facets (see indexer.search.filters), in the order shown


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    title: str
    options: list[FacetOption]


@dataclass
class ActiveFilter:
    name: str
    title: str
    label: str
    url: str


@dataclass
class PageSection:
    """A page of a document and its passages, overlaps trimmed so the text reads on."""

    page: int
    passages: list[tuple[Passage, str]] = field(default_factory=list)  # (passage, HTML of its new text)


def _render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> Response:
    language = context["ui"]
    page: PageState = context["page"]
    titles = context.get("edition_titles")
    response = render(
        request, template, context, language=language, status=status, home=PageState(lang=page.lang).url(),
        languages=[(code, i18n.NATIVE_NAMES[code], page.url(request.url.path, lang=code)) for code in i18n.LANGUAGES],
        extra={"label": lambda kind, value: i18n.label(language, kind, value, editions=titles),
               "meta_label": lambda key: i18n.meta_label(language, key)})
    response.headers["Vary"] = "Accept-Language, Cookie, X-Passerelle-Fragment"
    return response


def _error_message(language: str, error: QueryError) -> str:
    """What the search refused, in the interface's language: the string ``error.<code>`` filled with the error's
    values (not by checking again), the filter's name in words."""
    values: dict[str, Any] = dict(error.params)
    name = str(values.get("name", ""))
    values["field"] = i18n.translate(language, f"facet.{name}") if name else ""
    if error.code == "unknown_filter":
        values["detail"] = ", ".join(f"{values['field']}: {value}" for value in cast(list[str], values["values"]))
    if f"error.{error.code}" not in i18n.STRINGS[i18n.DEFAULT_LANGUAGE]:
        return i18n.translate(language, "error.invalid", detail=str(error))
    return i18n.translate(language, f"error.{error.code}", **values)


async def _search(searcher: Searcher, engine: QueryEngine, page: PageState,
                  filters: Filters) -> tuple[SearchResponse, dict[str, Any]]:
    """The results, and for each facet with a selection the counts without it, so others can be added."""
    fields = [name for name in FACET_FIELDS if getattr(filters, name)]
    mode = cast(Mode, page.mode)  # checked by the searcher
    answers = await asyncio.gather(
        searching.search(searcher, engine, q=page.q, k=page.k, filters=filters, mode=mode, sort=page.order),
        *(searching.search(searcher, engine, q=page.q, k=1, filters=filters.without(name), mode=mode)
          for name in fields),
    )
    counts = {name: answers[0].facets.get(name, []) for name in FACET_FIELDS}
    counts.update({name: answer.facets.get(name, []) for name, answer in zip(fields, answers[1:], strict=True)})
    return answers[0], counts


def _edition_titles(searcher: Searcher) -> dict[str, str]:
    return {edition.id: edition.title for edition in searcher.index.editions().values()}


def _facets(page: PageState, counts: dict[str, Any], language: str, titles: dict[str, str]) -> list[Facet]:
    facets = []
    for name in FACET_FIELDS:
        found = {str(v.value): v.count for v in counts.get(name, [])}
        for value in page.selected(name):
            found.setdefault(value, 0)
        if name in ("year", "edition"):
            order = sorted(found, reverse=True)  # newest first
        else:
            order = sorted(found, key=lambda v: (-found[v], i18n.label(language, name, v).casefold()))
        options = [FacetOption(value=v, label=i18n.label(language, name, v, editions=titles), count=found[v],
                               selected=v in page.selected(name), url=page.toggle(name, v)) for v in order]
        if options:
            facets.append(Facet(name=name, title=i18n.translate(language, f"facet.{name}"), options=options))
    return facets


def _active_filters(page: PageState, language: str, titles: dict[str, str]) -> list[ActiveFilter]:
    return [ActiveFilter(name, i18n.translate(language, f"facet.{name}"),
                         i18n.label(language, name, value, editions=titles) if filter_spec(name).is_list else value,
                         page.toggle(name, value) if filter_spec(name).is_list else page.without(name))
            for name, values in page.chosen for value in values]


def _browse(searcher: Searcher, page: PageState, filters: Filters) -> tuple[DocumentList, dict[str, Any]]:
    """The documents the filters select, without a query, and the facet counts (without a facet's own selection,
    as for a search)."""
    listing = searching.browse(searcher, filters=filters, sort=page.order, limit=page.k)
    counts: dict[str, Any] = {name: listing.facets.get(name, []) for name in FACET_FIELDS}
    for name in FACET_FIELDS:
        if getattr(filters, name):
            counts[name] = searching.browse(searcher, filters=filters.without(name), limit=1).facets.get(name, [])
    return listing, counts


def _author(searcher: Searcher, page: PageState) -> tuple[str, list[tuple[str, str]]] | None:
    """For the list of one author's documents: their name as the catalogue writes it, and their co-authors (name,
    link), most frequent first."""
    chosen = page.selected("by")
    if len(chosen) != 1:
        return None
    key = name_key(chosen[0])
    listing = searcher.browse(Filters(by=chosen), limit=COAUTHORS_OF)
    names = [author for record in listing.documents for author in record.authors]
    # The catalogues' most frequent spelling of them; between equals, the one in reading order ("Lena Hoffmann"
    # rather than "Hoffmann, Lena"), whatever the order of their documents.
    spellings = Counter(name for name in names if name_key(name) == key)
    shown = min(spellings, key=lambda name: (-spellings[name], "," in name, names.index(name)), default=chosen[0])
    others: dict[str, tuple[str, int]] = {}  # by name key: the first spelling met, and how often
    for name in names:
        if (other := name_key(name)) != key:
            spelling, count = others.get(other, (name, 0))
            others[other] = (spelling, count + 1)
    ranked = sorted(others.values(), key=lambda item: (-item[1], item[0].casefold()))
    return shown, [(name, page.browse_url("by", name)) for name, _ in ranked]


def _start(searcher: Searcher, page: PageState) -> dict[str, Any]:
    """What the start page offers to browse: the editions, the document types (with counts) and the latest
    prize-winning theses."""
    listing = searcher.browse(Filters(), limit=0)
    editions = dict(listing.facets.get("edition", []))
    known = searcher.index.editions()
    return {
        "editions": [(edition.title, edition.year, editions.get(edition.id, 0), page.browse_url("edition", edition.id))
                     for edition in known.values() if edition.id in editions]
        + [(value, None, count, page.browse_url("edition", value)) for value, count in editions.items()
           if value not in known],
        "types": [(value, count, page.browse_url("type", value)) for value, count in listing.facets.get("type", [])],
        "prizes": [Document.of(record) for record in searcher.browse(Filters(), limit=COAUTHORS_OF).documents
                   if record.type == "thesis" and record.extra.get("prize")][:PRIZES],
    }


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, state: State, searcher: CurrentSearcher) -> Response:
    """The search page (or, for the page's script, only its results part); without a query, the documents the
    filters select, or with none, the ways into the archive."""
    language = interface_language(request)
    page = PageState.of(request, max_k=searcher.max_k)
    fragment = request.headers.get(FRAGMENT_HEADER) == "1"
    titles = _edition_titles(searcher)
    context: dict[str, Any] = {
        "ui": language, "page": page, "view": "empty", "response": None, "facets": [], "message": None,
        "active": _active_filters(page, language, titles), "documents": searcher.index.manifest.documents,
        "examples": [(lang, text, PageState(q=text, lang=page.lang).url()) for lang, text in i18n.EXAMPLES],
        "max_chars": searcher.max_query_chars, "code": None, "edition_titles": titles, "start": None,
    }
    status = 200
    try:
        if page.query:
            response, counts = await _search(searcher, state.engine, page, page.filters())
            more = len(response.results) >= page.k and page.k < searcher.max_k
            view = "none" if not response.results else "results" if response.matches else "nomatch"
            context.update(view=view, response=response,
                           matching=[r for r in response.results if r.match],
                           related=[r for r in response.results if not r.match],
                           facets=_facets(page, counts, language, titles) if response.matches else [],
                           more=page.url(k=min(page.k + MORE_STEP, searcher.max_k)) if more else None)
        elif page.has_filters():
            listing, counts = _browse(searcher, page, page.filters())
            more = listing.total > page.k and page.k < searcher.max_k
            context.update(view="browse" if listing.documents else "none", listing=listing,
                           facets=_facets(page, counts, language, titles), author=_author(searcher, page),
                           more=page.url(k=min(page.k + MORE_STEP, searcher.max_k)) if more else None)
        else:
            context.update(start=_start(searcher, page))
    except QueryError as exc:
        context.update(view="error", message=_error_message(language, exc), code=exc.code)
        status = 422
    except PasserelleError as exc:
        log.error("search page failed: %s", exc)
        context.update(view="error", message=i18n.translate(language, "error.unavailable"))
        status = 503
    return _render(request, "_results.html" if fragment else "search.html", context, status=status)


# Catalogue fields whose values are links to the list of the documents that share them, by filter.
_LINKED_FIELDS = {"supervisor": "supervisor", "keywords": "keyword"}


def _links(page: PageState, key: str, value: object) -> list[tuple[str, str | None]]:
    """A catalogue field's values as shown: (text, link to the documents sharing it, or ``None``)."""
    values = value if isinstance(value, list) else [value]
    name = _LINKED_FIELDS.get(key)
    return [(str(v), (page.browse_url(name, v) or None) if name and isinstance(v, str) else None) for v in values]


def _trim_overlap(previous: str, text: str) -> str:
    """``text`` without its beginning where that repeats the end of ``previous`` (passages overlap)."""
    longest = min(len(previous), len(text))
    for length in range(longest, 0, -1):
        if (length == len(text) or text[length] == " ") and previous.endswith(text[:length]):
            return text[length:].lstrip()
    return text


def _sections(passages: Sequence[Passage], highlight: Callable[[str, str | None], str]) -> list[PageSection]:
    sections: list[PageSection] = []
    previous: Passage | None = None
    for passage in passages:
        if not sections or sections[-1].page != passage.page:
            sections.append(PageSection(page=passage.page))
            previous = None
        text = passage.text
        if previous is not None and passage.start < previous.end:
            text = _trim_overlap(previous.text, text)
        sections[-1].passages.append((passage, highlight(text, passage.language)))
        previous = passage
    return sections


def _rendered(searcher: Searcher, document: Document, passages: Sequence[Passage],
              highlight: Callable[[str, str | None], str], *, index_dir: Path) -> str | None:
    """A Markdown or HTML document rendered from its file, highlighted and anchored (``None``: show passages)."""
    if not rendering.is_rendered(document.format):
        return None
    try:
        source = rendering.read_source(searching.document_file(searcher, document.id, index_dir=index_dir))
    except (DocumentNotFoundError, OSError) as exc:  # the file left the corpus since indexing: its passages remain
        log.warning("document %s shown by passages: %s", document.id, exc)
        return None
    markup = rendering.annotate(rendering.render(source, document.format),
                                lambda text: highlight(text, document.language),
                                [(f"p-{passage.id}", passage.text) for passage in passages])
    return markup.strip() or None


@router.get("/d/{document_id:path}", response_class=HTMLResponse)
def document_page(request: Request, state: State, searcher: CurrentSearcher, document_id: str) -> Response:
    """A document: its metadata, its text (Markdown and HTML rendered as written, other formats by page), a link to
    the file and the documents closest to it. From a result, ``q``'s words are marked and ``#p-<id>`` is the passage."""
    language = interface_language(request)
    page = PageState.of(request, max_k=searcher.max_k)
    context: dict[str, Any] = {"ui": language, "page": page, "edition_titles": _edition_titles(searcher)}
    try:
        detail = searching.document_detail(searcher, document_id, index_dir=state.settings.index_dir)
    except DocumentFileGoneError:  # withdrawn: gone for good, and the page says so
        return _render(request, "not_found.html", {**context, "key": "withdrawn"}, status=410)
    except DocumentNotFoundError:
        return _render(request, "not_found.html", {**context, "key": "notfound"}, status=404)
    try:
        related = searching.similar(searcher, document_id, k=RELATED, filters=Filters(),
                                    index_dir=state.settings.index_dir).results
    except PasserelleError as exc:
        log.warning("no related documents for %s: %s", document_id, exc)
        related = []
    query = page.query
    if query and len(query) <= searcher.max_query_chars:
        highlight = searcher.highlighter(query).highlight
    else:
        highlight = Highlighter.none().highlight
    document = detail.document
    extra = [(key, _links(page, key, value)) for key, value in document.extra.items() if value not in (None, "", [])]
    rendered = _rendered(searcher, document, detail.passages, highlight, index_dir=state.settings.index_dir)
    cite = PageCitation.of(document, corpus_root=searcher.index.corpus_root, base_url=str(request.base_url))
    context.update(document=document, sections=[] if rendered else _sections(detail.passages, highlight),
                   rendered=rendered, related=related, extra=extra, cite=cite)
    return _render(request, "document.html", context)
