"""What a search may ask for: its modes, its filters, and their limits — one definition for the API, the web
page and the command line.

:class:`Filters` restricts a search; :meth:`Filters.check` refuses values past the limits, and
:meth:`Filters.sql` turns them into one condition on the documents table whose size does not grow with the
request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from indexer.core.errors import QueryError
from indexer.core.text import name_key

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")
# The order of a list: by relevance (with a query; without one, newest first), or by year. Sorting by year orders
# the same documents: which ones are matches does not change.
Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
FACETS = ("edition", "type", "language", "year")
# Years a filter may name: a sane calendar range, and far inside SQLite's 64-bit integers (a larger number
# made the store's query fail instead of the request being refused).
MIN_YEAR = 1000
MAX_YEAR = 9999
# Values one filter may list, and their length: a search's cost stays bounded, and every request these limits allow
# (with the default query length) fits in the 64 KiB request line uvicorn's parser accepts, even percent-encoded.
MAX_FILTER_VALUES = 20
# The name filters (below) take fewer: a link names one person or keyword, and with 20 each, a request the
# limits allow would no longer fit in that request line.
MAX_NAME_FILTER_VALUES = 5
MAX_FILTER_VALUE_CHARS = 50
LIST_FILTERS = ("edition", "type", "language", "year", "author", "by", "supervisor", "keyword")
# Filters on a person or a keyword as a whole, compared by :func:`indexer.core.text.name_key` (accents, case,
# "Dupont, Léa" = "Léa Dupont"): the links of the web page. ``author`` stays a part of a name, for the API.
# For each: where the catalogue's values are, a column of the documents row and a JSON path into it.
NAME_FILTERS = {"by": ("d.authors", "$"), "supervisor": ("d.extra", "$.supervisor"),
                "keyword": ("d.extra", "$.keywords")}


@dataclass(frozen=True)
class Filters:
    """Restrict a search. Empty tuples / ``None`` mean no restriction; values within a field are OR-ed."""

    edition: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    author: tuple[str, ...] = ()
    by: tuple[str, ...] = ()  # an author's whole name
    supervisor: tuple[str, ...] = ()
    keyword: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A range given the wrong way round ("from 2026 to 2020") means the years between: what the API's schema
        # allows must be answered, not refused.
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            low, high = self.year_to, self.year_from
            object.__setattr__(self, "year_from", low)
            object.__setattr__(self, "year_to", high)

    def is_empty(self) -> bool:
        return not (any(getattr(self, name) for name in LIST_FILTERS)
                    or self.year_from is not None or self.year_to is not None)

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> Filters:
        """Filters from query parameters as text (a URL's, a form's): blank values dropped, repeated ones
        once, years read as numbers. Raises :class:`QueryError` (code ``year``) for a year that is not one."""
        lists = {name: tuple(dict.fromkeys(v.strip() for v in params.get(name, ()) if v.strip()))
                 for name in LIST_FILTERS}
        bounds = {name: next((v.strip() for v in params.get(name, ()) if v.strip()), None)
                  for name in ("year_from", "year_to")}
        return cls(edition=lists["edition"], type=lists["type"], language=lists["language"],
                   year=tuple(_year("year", v) for v in lists["year"]), author=lists["author"], by=lists["by"],
                   supervisor=lists["supervisor"], keyword=lists["keyword"],
                   **{name: None if value is None else _year(name, value) for name, value in bounds.items()})

    def without(self, name: str) -> Filters:
        """These filters with filter ``name`` lifted (a facet's counts show what else could be chosen)."""
        lifted: dict[str, Any] = {name: None if name in ("year_from", "year_to") else ()}
        return replace(self, **lifted)

    def check(self, vocabulary: Mapping[str, Sequence[object]] | None = None) -> None:
        """Raise :class:`QueryError` for filters past the limits (too many or too long values, odd years), and,
        given the index's ``vocabulary`` (values per facet), for values the index does not have."""
        for name in LIST_FILTERS:
            check_values(name, getattr(self, name))
        years = [("year", year) for year in self.year]
        years += [(name, year) for name in ("year_from", "year_to") if (year := getattr(self, name)) is not None]
        for name, year in years:
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise QueryError("year_range", name=name, value=year, min=MIN_YEAR, max=MAX_YEAR)
        if vocabulary is None:
            return
        for name in FACETS:
            unknown = [v for v in getattr(self, name) if v not in vocabulary[name]]
            if unknown:
                known = ", ".join(str(v) for v in vocabulary[name]) or "none"
                raise QueryError("unknown_filter", name=name, values=[str(v) for v in unknown],
                                 shown=", ".join(map(str, unknown)), known=known)

    def sql(self) -> tuple[str, list[Any]]:
        """A condition on the ``documents`` table aliased ``d``.

        Each list travels as one JSON parameter, so the statement is the same whatever the number of values
        (an ``IN (?, ?, …)`` per value made SQLite refuse a thousand authors: "Expression tree is too large").
        """
        clauses: list[str] = []
        parameters: list[Any] = []
        for column in ("edition", "type", "language", "year"):
            values = getattr(self, column)
            if values:
                clauses.append(f"d.{column} IN (SELECT value FROM json_each(?))")
                parameters.append(json.dumps(list(values)))
        if self.year_from is not None:
            clauses.append("d.year >= ?")
            parameters.append(self.year_from)
        if self.year_to is not None:
            clauses.append("d.year <= ?")
            parameters.append(self.year_to)
        if self.author:
            # authors is a JSON list: any element containing any of the names, case-insensitively; the names'
            # own % and _ are escaped, so they match those characters and not any text.
            clauses.append("EXISTS (SELECT 1 FROM json_each(d.authors) a, json_each(?) w "
                           "WHERE lower(a.value) LIKE '%' || w.value || '%' ESCAPE '\\')")
            parameters.append(json.dumps([_like_literal(name.lower()) for name in self.author]))
        for name, (column, path) in NAME_FILTERS.items():
            if values := getattr(self, name):
                # json_each of a path to one string (a supervisor) is that string; of a missing path, nothing.
                clauses.append(f"EXISTS (SELECT 1 FROM json_each({column}, '{path}') v "
                               "WHERE name_key(v.value) IN (SELECT value FROM json_each(?)))")
                parameters.append(json.dumps([name_key(value) for value in values]))
        return " AND ".join(clauses) or "1", parameters


def parse_mode(mode: str) -> Mode:
    """``mode`` as a :data:`Mode`; raises :class:`QueryError` (code ``mode``) for another word."""
    if mode not in MODES:
        raise QueryError("mode", value=mode, choices=", ".join(MODES))
    return mode


def parse_sort(sort: str) -> Sort:
    """``sort`` as a :data:`Sort`; raises :class:`QueryError` (code ``sort``) for another word."""
    if sort not in SORTS:
        raise QueryError("sort", value=sort, choices=", ".join(SORTS))
    return sort


def check_values(name: str, values: Sequence[object]) -> None:
    """Raise :class:`QueryError` when filter ``name`` lists too many values, or too long ones."""
    most = MAX_NAME_FILTER_VALUES if name in NAME_FILTERS else MAX_FILTER_VALUES
    if len(values) > most:
        raise QueryError("too_many_values", name=name, count=len(values), max=most)
    if (longest := max((len(v) for v in values if isinstance(v, str)), default=0)) > MAX_FILTER_VALUE_CHARS:
        raise QueryError("value_too_long", name=name, length=longest, max=MAX_FILTER_VALUE_CHARS)


_YEAR = re.compile(r"-?[0-9]{1,20}")


def check_years(params: Mapping[str, Sequence[str]]) -> None:
    """Raise :class:`QueryError` (code ``year``) for a year parameter sent as text that is not ASCII digits (with
    an optional minus sign)."""
    for name, values in params.items():
        for value in values:
            _year(name, value)


def _year(name: str, value: str) -> int:
    """A year as a URL or form gives it: ASCII digits with an optional minus sign, nothing else (``int`` alone
    also takes "٢٠٢٦" and "2_026")."""
    if not _YEAR.fullmatch(value.strip()):
        raise QueryError("year", name=name, value=value)
    return int(value)


def _like_literal(text: str) -> str:
    """``text`` with LIKE's wildcards escaped (by a backslash, named in the statement's ESCAPE clause)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
