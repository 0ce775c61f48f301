"""Rendering a page: the templates, the interface language of a request, its strings, and the answer's headers.

One place for the public page and the staff console, which differ only in what they add to every template
(:func:`render`'s ``extra``) and in their caching.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from indexer.ingest.extract import format_named
from service.web import i18n

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC_DIR = Path(__file__).parent / "static"
LANGUAGE_COOKIE = "passerelle_lang"


def passage_unit(format_name: str) -> str:
    """What a passage's number counts in a document of that format: "page", or "slide" (its declaration says)."""
    declared = format_named(format_name)
    return declared.unit if declared else "page"


TEMPLATES.env.globals["passage_unit"] = passage_unit
_A_YEAR = 365 * 24 * 3600


def interface_language(request: Request) -> str:
    """The interface language: ``lang`` in the URL, else the cookie, else the browser's ``Accept-Language``."""
    return i18n.choose(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE),
                       request.headers.get("accept-language"))


def asked_language(request: Request) -> str | None:
    """The interface language the URL asks for (``lang``), when it is one the interface has."""
    lang = (request.query_params.get("lang") or "").lower()
    return lang if lang in i18n.LANGUAGES else None


def translate(language: str, key: str, /, **values: object) -> str:
    """A string of the interface; values that are markup (links) stay markup, the rest is escaped."""
    if any(isinstance(value, Markup) for value in values.values()):
        return Markup(escape(i18n.translate(language, key))).format(**values)
    return i18n.translate(language, key, **values)


def render(request: Request, template: str, context: Mapping[str, Any], *, language: str,
           languages: list[tuple[str, str, str]], home: str, status: int = 200,
           headers: Mapping[str, str] | None = None, extra: Mapping[str, Any] | None = None) -> Response:
    """``template`` filled with ``context`` and what every page has: the request, the interface language ``ui``
    and its strings ``t``, the ``languages`` to switch to (code, native name, URL) and the ``home`` link. A
    language asked for in the URL is remembered in a cookie."""
    base = {"request": request, "ui": language, "t": lambda key, **values: translate(language, key, **values),
            "languages": languages, "home": home, **(extra or {})}
    response = TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status,
                                          headers=dict(headers) if headers else None)
    asked = asked_language(request)
    if asked and request.cookies.get(LANGUAGE_COOKIE) != asked:
        response.set_cookie(LANGUAGE_COOKIE, asked, max_age=_A_YEAR, samesite="lax", httponly=True)
    response.headers["Content-Language"] = language
    return response
