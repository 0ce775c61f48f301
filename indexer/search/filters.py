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
from dataclasses import dataclass
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
FilterKind = Literal["value", "year", "bound", "part", "name"]


@dataclass(frozen=True)
class FilterSpec:
    """One filter, declared once. The declaration drives everything that knows filters: the API's query parameters
    (and so its OpenAPI schema), the web page's URL state and its chips, the command line's options,
    :meth:`Filters.from_params`, the limits and the SQL.

    ``kind`` says how it selects documents:

    - ``value``: the documents whose ``column`` is one of the values (a facet when ``facet``);
    - ``year``: the same for a year column, values read as numbers;
    - ``bound``: one year, the documents whose ``column`` is at least (``compare`` ``>=``) or at most (``<=``) it;
    - ``part``: a part of a name in the JSON list ``column``, without case;
    - ``name``: a whole name at ``path`` in the JSON ``column``, compared by :func:`~indexer.core.text.name_key`
      (accents, case, "Dupont, Léa" = "Léa Dupont"): the links of the web page.
    """

    name: str
    kind: FilterKind
    help: str  # "Only these editions": the API's and the command line's description
    column: str = ""
    path: str = "$"
    compare: Literal[">=", "<="] = ">="
    most: int = MAX_FILTER_VALUES  # values one request may list
    facet: bool = False

    @property
    def is_list(self) -> bool:
        return self.kind != "bound"


# The filters, in the order the API, the page and the command line show them. Add one here.
FILTERS: list[FilterSpec] = [
    FilterSpec("edition", "value", "Only these editions", column="edition", facet=True),
    FilterSpec("type", "value", "Only these document types", column="type", facet=True),
    FilterSpec("language", "value", "Only documents in these languages", column="language", facet=True),
    FilterSpec("year", "year", "Only these years", column="year", facet=True),
    FilterSpec("year_from", "bound", "Only documents from this year on (a range the wrong way round means the years "
               "between)", column="year", compare=">="),
    FilterSpec("year_to", "bound", "Only documents up to this year", column="year", compare="<="),
    FilterSpec("author", "part", "Only documents by an author whose name contains this", column="authors"),
    FilterSpec("by", "name", "Only documents by this author: the whole name, compared without accents or case, in "
               "either order (\"Dupont, Léa\" = \"Léa Dupont\")", column="authors", most=MAX_NAME_FILTER_VALUES),
    FilterSpec("supervisor", "name", "Only theses supervised by this person (the whole name, compared as for by)",
               column="extra", path="$.supervisor", most=MAX_NAME_FILTER_VALUES),
    FilterSpec("keyword", "name", "Only documents with this catalogue keyword (without accents or case)",
               column="extra", path="$.keywords", most=MAX_NAME_FILTER_VALUES),
]


def _filters(values: dict[str, Any]) -> Filters:
    return Filters(**values)


def filter_spec(name: str) -> FilterSpec:
    """The declaration of filter ``name``; ``KeyError`` for a name no filter has."""
    for spec in FILTERS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def list_filters() -> tuple[str, ...]:
    """The filters that take a list of values (all but the year bounds)."""
    return tuple(spec.name for spec in FILTERS if spec.is_list)


def bound_filters() -> tuple[str, ...]:
    """The filters that take one year, a bound of a range."""
    return tuple(spec.name for spec in FILTERS if not spec.is_list)


FilterValue = tuple[Any, ...] | int | None


class Filters:
    """Restrict a search: for each declared filter (:data:`FILTERS`), its values (a tuple, OR-ed; empty: no
    restriction) or, for a bound, one year (``None``: none). Read as attributes (``filters.edition``); immutable."""

    __slots__ = ("_values",)
    _values: dict[str, Any]

    def __init__(self, **values: Any) -> None:
        kept: dict[str, Any] = {}
        for name, value in values.items():
            spec = filter_spec(name) if name in {s.name for s in FILTERS} else None
            if spec is None:
                raise TypeError(f"no filter is called {name!r}")
            if spec.is_list and value:
                kept[name] = tuple(value)
            elif not spec.is_list and value is not None:
                kept[name] = int(value)
        # A range given the wrong way round ("from 2026 to 2020") means the years between: what the API's schema
        # allows must be answered, not refused.
        for low in (s for s in FILTERS if not s.is_list and s.compare == ">=" and s.name in kept):
            for high in (s for s in FILTERS if not s.is_list and s.compare == "<=" and s.column == low.column):
                if high.name in kept and kept[low.name] > kept[high.name]:
                    kept[low.name], kept[high.name] = kept[high.name], kept[low.name]
        object.__setattr__(self, "_values", kept)

    def __getattr__(self, name: str) -> Any:
        try:
            spec = filter_spec(name)
        except KeyError:
            raise AttributeError(name) from None
        return self._values.get(name, () if spec.is_list else None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Filters are immutable: make new ones")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Filters are immutable: make new ones")

    def __reduce__(self) -> tuple[Any, ...]:  # pickled and copied as the values they were made from
        return (_filters, (dict(self._values),))

    def __copy__(self) -> Filters:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Filters:
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"

    def items(self) -> list[tuple[str, Any]]:
        """The filters set, with their values, in declaration order."""
        return [(spec.name, self._values[spec.name]) for spec in FILTERS if spec.name in self._values]

    def is_empty(self) -> bool:
        return not self._values

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> Filters:
        """Filters from query parameters as text (a URL's, a form's): blank values dropped, repeated ones
        once, years read as numbers. Raises :class:`QueryError` (code ``year``) for a year that is not one."""
        values: dict[str, Any] = {}
        for spec in FILTERS:
            given = tuple(dict.fromkeys(v.strip() for v in params.get(spec.name, ()) if v.strip()))
            if spec.kind == "year":
                values[spec.name] = tuple(_year(spec.name, v) for v in given)
            elif spec.kind == "bound":
                values[spec.name] = _year(spec.name, given[0]) if given else None
            else:
                values[spec.name] = given
        return cls(**values)

    def without(self, name: str) -> Filters:
        """These filters with filter ``name`` lifted (a facet's counts show what else could be chosen)."""
        return Filters(**{k: v for k, v in self._values.items() if k != name})

    def check(self, vocabulary: Mapping[str, Sequence[object]] | None = None) -> None:
        """Raise :class:`QueryError` for filters past the limits (too many or too long values, odd years), and,
        given the index's ``vocabulary`` (values per facet), for values the index does not have."""
        for spec in FILTERS:
            value = getattr(self, spec.name)
            if spec.is_list:
                check_values(spec.name, value)
            years = value if spec.kind == "year" else (value,) if spec.kind == "bound" and value is not None else ()
            for year in years:
                if not MIN_YEAR <= year <= MAX_YEAR:
                    raise QueryError("year_range", name=spec.name, value=year, min=MIN_YEAR, max=MAX_YEAR)
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
        for spec in FILTERS:
            if spec.name not in self._values:
                continue
            value = self._values[spec.name]
            column = f"d.{spec.column}"
            if spec.kind in ("value", "year"):
                clauses.append(f"{column} IN (SELECT value FROM json_each(?))")
                parameters.append(json.dumps(list(value)))
            elif spec.kind == "bound":
                clauses.append(f"{column} {spec.compare} ?")
                parameters.append(value)
            elif spec.kind == "part":
                # A JSON list: any element containing any of the values, without case; the values' own % and _ are
                # escaped, so they match those characters and not any text.
                clauses.append(f"EXISTS (SELECT 1 FROM json_each({column}) a, json_each(?) w "
                               "WHERE lower(a.value) LIKE '%' || w.value || '%' ESCAPE '\\')")
                parameters.append(json.dumps([_like_literal(name.lower()) for name in value]))
            else:
                # json_each of a path to one string (a supervisor) is that string; of a missing path, nothing.
                clauses.append(f"EXISTS (SELECT 1 FROM json_each({column}, '{spec.path}') v "
                               "WHERE name_key(v.value) IN (SELECT value FROM json_each(?)))")
                parameters.append(json.dumps([name_key(v) for v in value]))
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
    most = filter_spec(name).most
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
