"""The search page's URL state and the document page's text, without a server."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request

from service.api.schemas import Passage
from service.web.page_state import PageState
from service.web.pages import _sections, _trim_overlap


def _state(query: str) -> PageState:
    request = Request({"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": []})
    return PageState.of(request, max_k=100)


def _pairs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_the_url_round_trips() -> None:
    page = _state("q=logement+social&type=thesis&type=talk&language=de&year=2025&k=20&lang=de&mode=dense")
    assert page.q == "logement social" and page.selected("type") == ("thesis", "talk") and page.k == 20
    assert _state(urlsplit(page.url()).query) == page


def test_toggle_adds_and_removes_a_value_and_starts_again_at_the_first_results() -> None:
    page = _state("q=x&type=thesis&k=30")
    assert _pairs(page.toggle("type", "talk")) == [("q", "x"), ("type", "thesis"), ("type", "talk")]
    assert _pairs(page.toggle("type", "thesis")) == [("q", "x")]
    assert _pairs(page.toggle("language", "fr")) == [("q", "x"), ("type", "thesis"), ("language", "fr")]
    assert page.without_filters() == "/?q=x"


def test_bad_values_are_tamed() -> None:
    page = _state("q=x&k=abc&lang=zz&type=&type=%20thesis%20&type=thesis")
    assert page.k == 10 and page.lang is None and page.selected("type") == ("thesis",)
    assert _state("q=x&k=5000").k == 100
    assert _state("q=x&k=0").k == 1


def test_document_links_keep_the_search() -> None:
    page = _state("q=%C3%A9cole&type=thesis&lang=fr&k=30")
    assert page.document_url("ab/c", "p-3") == "/d/ab%2Fc?q=%C3%A9cole&type=thesis&lang=fr#p-3"


def test_overlapping_passages_are_shown_once() -> None:
    first = "One sentence here. Two sentence there. Three is shared."
    second = "Three is shared. Four is new."
    assert _trim_overlap(first, second) == "Four is new."
    assert _trim_overlap("No overlap at all.", second) == second
    assert _trim_overlap("ends with Three", "Threefold") == "Threefold"  # only whole words

    def passage(pid: int, page: int, start: int, end: int, text: str) -> Passage:
        return Passage(id=pid, page=page, start=start, end=end, language="en", text=text, url="/f",
                       highlighted=text, snippet=text)

    sections = _sections([passage(1, 1, 0, 55, first), passage(2, 1, 39, 68, second),
                          passage(3, 2, 0, 16, "Three is shared.")], lambda text, language: text.upper())
    assert [s.page for s in sections] == [1, 2]
    assert [html for _, html in sections[0].passages] == [first.upper(), "FOUR IS NEW."]
    assert sections[1].passages[0][1] == "THREE IS SHARED."  # a new page is never trimmed
