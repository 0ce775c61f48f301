"""What the URL of a search page says (query, filters, order, interface language), and how to write it back into
the page's links: every search can be bookmarked and shared."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, cast
from urllib.parse import quote, urlencode

from fastapi import Request

from indexer.search.filters import FILTERS, MAX_FILTER_VALUE_CHARS, SORTS, Filters, Sort, filter_spec
from service.web import i18n

DEFAULT_K = 10


@dataclass(frozen=True)
class PageState:
    """Everything the URL of a search says, and how to write it back into links. The filters are those declared
    in :data:`indexer.search.filters.FILTERS`, each as the URL gives it (text): ``chosen`` holds the ones set."""

    q: str = ""
    k: int = DEFAULT_K
    mode: str = "hybrid"
    sort: str = ""  # relevance, newest or oldest; empty: the default (relevance with a query, else newest)
    chosen: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (filter, its values), in declaration order
    lang: str | None = None  # interface language asked for in the URL, kept in links

    @classmethod
    def of(cls, request: Request, *, max_k: int) -> PageState:
        params = request.query_params
        try:
            k = min(max(int(params.get("k", DEFAULT_K)), 1), max_k)
        except ValueError:
            k = DEFAULT_K
        lang = (params.get("lang") or "").lower()
        sort = params.get("sort") or ""
        chosen = {name: _unique(v.strip() for v in params.getlist(name) if v.strip()) for name in _names()}
        return cls(q=params.get("q", ""), k=k, mode=params.get("mode") or "hybrid",
                   sort=sort if sort in SORTS else "", lang=lang if lang in i18n.LANGUAGES else None,
                   chosen=_chosen({name: values if filter_spec(name).is_list else values[:1]
                                   for name, values in chosen.items()}))

    @property
    def query(self) -> str:
        return " ".join(self.q.split())

    def selected(self, name: str) -> tuple[str, ...]:
        """The values of filter ``name`` (of a year bound: at most one)."""
        return dict(self.chosen).get(name, ())

    def bound(self, name: str) -> str | None:
        """The year a bound filter (``year_from``…) names, as the URL gives it."""
        return next(iter(self.selected(name)), None)

    def has_filters(self) -> bool:
        return bool(self.chosen)

    def filters(self) -> Filters:
        """The search filters; raises :class:`QueryError` for a year that is not a number."""
        return Filters.from_params(dict(self.chosen))

    def pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        pairs.extend((name, value) for name, values in self.chosen for value in values)
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
        """This page's URL at ``path`` with ``changes``: fields (``k``, ``sort``…) or filters (a tuple of values,
        for a bound one value or ``None``)."""
        filters = {name: changes.pop(name) for name in list(changes) if name in _names()}
        state = replace(self, **changes) if changes else self
        if filters:
            chosen = dict(state.chosen)
            for name, value in filters.items():
                chosen[name] = tuple(value) if isinstance(value, tuple | list) else (() if value is None else (value,))
            state = replace(state, chosen=_chosen(chosen))
        pairs = state.pairs()
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def toggle(self, name: str, value: str) -> str:
        """This search with ``value`` added to, or removed from, filter ``name`` (and the first results again)."""
        values = self.selected(name)
        values = tuple(v for v in values if v != value) if value in values else (*values, value)
        return self.url(**{name: values, "k": DEFAULT_K})

    def without(self, name: str) -> str:
        return self.url(**{name: (), "k": DEFAULT_K})

    def without_filters(self) -> str:
        return replace(self, chosen=(), k=DEFAULT_K).url()

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
        return PageState(lang=self.lang, chosen=((name, (str(value),)),)).url()

    def document_url(self, document_id: str, anchor: str = "") -> str:
        url = self.url(f"/d/{quote(document_id, safe='')}", k=DEFAULT_K)
        return f"{url}#{anchor}" if anchor else url


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _names() -> tuple[str, ...]:
    return tuple(spec.name for spec in FILTERS)


def _chosen(values: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The filters set, in declaration order (so that a URL is written the same whatever the order clicked)."""
    return tuple((name, values[name]) for name in _names() if values.get(name))
