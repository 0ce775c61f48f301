"""What the URL of a search page says (query, filters, order, interface language), and how to write it back into
the page's links: every search can be bookmarked and shared."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, cast
from urllib.parse import quote, urlencode

from fastapi import Request

from indexer.search.filters import LIST_FILTERS, MAX_FILTER_VALUE_CHARS, SORTS, Filters, Sort
from service.web import i18n

DEFAULT_K = 10


@dataclass(frozen=True)
class PageState:
    """Everything the URL of a search says, and how to write it back into links."""

    q: str = ""
    k: int = DEFAULT_K
    mode: str = "hybrid"
    edition: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    year_from: str | None = None
    year_to: str | None = None
    sort: str = ""  # relevance, newest or oldest; empty: the default (relevance with a query, else newest)
    by: tuple[str, ...] = ()
    supervisor: tuple[str, ...] = ()
    keyword: tuple[str, ...] = ()
    lang: str | None = None  # interface language asked for in the URL, kept in links

    @classmethod
    def of(cls, request: Request, *, max_k: int) -> PageState:
        params = request.query_params
        lists = {name: _unique(v.strip() for v in params.getlist(name) if v.strip()) for name in LIST_FILTERS}
        try:
            k = min(max(int(params.get("k", DEFAULT_K)), 1), max_k)
        except ValueError:
            k = DEFAULT_K
        lang = (params.get("lang") or "").lower()
        sort = params.get("sort") or ""
        return cls(q=params.get("q", ""), k=k, mode=params.get("mode") or "hybrid",
                   sort=sort if sort in SORTS else "",
                   year_from=(params.get("year_from") or "").strip() or None,
                   year_to=(params.get("year_to") or "").strip() or None,
                   lang=lang if lang in i18n.LANGUAGES else None, **lists)

    @property
    def query(self) -> str:
        return " ".join(self.q.split())

    def selected(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)

    def has_filters(self) -> bool:
        return any(getattr(self, name) for name in LIST_FILTERS) or bool(self.year_from or self.year_to)

    def filters(self) -> Filters:
        """The search filters; raises :class:`QueryError` for a year that is not a number."""
        bounds = {name: [value] for name in ("year_from", "year_to") if (value := getattr(self, name))}
        return Filters.from_params({**{name: self.selected(name) for name in LIST_FILTERS}, **bounds})

    def pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name in LIST_FILTERS:
            pairs.extend((name, value) for value in getattr(self, name))
        pairs.extend((name, value) for name in ("year_from", "year_to") if (value := getattr(self, name)))
        if self.k != DEFAULT_K:
            pairs.append(("k", str(self.k)))
        if self.mode != "hybrid":
            pairs.append(("mode", self.mode))
        if self.sort:
            pairs.append(("sort", self.sort))
        if self.lang:
            pairs.append(("lang", self.lang))
        return pairs

    def url(self, path: str = "/", /, **changes: Any) -> str:
        pairs = replace(self, **changes).pairs() if changes else self.pairs()
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def toggle(self, name: str, value: str) -> str:
        """This search with ``value`` added to, or removed from, filter ``name`` (and the first results again)."""
        values = self.selected(name)
        values = tuple(v for v in values if v != value) if value in values else (*values, value)
        return self.url(**{name: values, "k": DEFAULT_K})

    def without(self, name: str) -> str:
        return self.url(**{name: () if name in LIST_FILTERS else None, "k": DEFAULT_K})

    def without_filters(self) -> str:
        return self.url(k=DEFAULT_K, year_from=None, year_to=None, **{name: () for name in LIST_FILTERS})

    @property
    def order(self) -> Sort:
        """The order asked for; without a query, relevance means nothing: newest first."""
        if self.sort in ("newest", "oldest"):
            return cast(Sort, self.sort)
        return "relevance" if self.query else "newest"

    def sorts(self) -> list[tuple[str, str, bool]]:
        """The orders this list may take: (sort, URL, whether it is the current one)."""
        choices = SORTS if self.query else SORTS[1:]
        return [(sort, self.url(sort=sort, k=DEFAULT_K), sort == self.order) for sort in choices]

    def browse_url(self, name: str, value: object) -> str:
        """The list of the documents with ``value`` for filter ``name`` (an author's, an edition's…); empty for a
        value longer than a filter takes (no link then)."""
        if len(str(value)) > MAX_FILTER_VALUE_CHARS:
            return ""
        chosen: dict[str, Any] = {name: (str(value),)}
        return PageState(lang=self.lang, **chosen).url()

    def document_url(self, document_id: str, anchor: str = "") -> str:
        url = self.url(f"/d/{quote(document_id, safe='')}", k=DEFAULT_K)
        return f"{url}#{anchor}" if anchor else url


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
