"""Errors as the API answers them: every error is an :class:`~service.api.schemas.ErrorBody` with a reason in
plain words, whatever raised it (the service's own errors, FastAPI's validation, an unexpected failure)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.core.errors import QUERY_ERRORS, DocumentFileGoneError, DocumentNotFoundError, PasserelleError, QueryError
from service.api.schemas import ErrorBody, FieldError
from service.runtime.headers import SECURITY_HEADERS

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with an ``ErrorBody``."""
    # Every error answers an ErrorBody: FastAPI's own validation errors would be a list in ``detail``.
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [FieldError(loc=list(e.get("loc", ())), msg=e.get("msg", ""), type=e.get("type", ""))
                  for e in exc.errors()]
        return error(422, "; ".join(map(_reason, exc.errors())), errors=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_body_allowed_for_status_code(exc.status_code):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return error(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the exception after this answer; the client learns nothing of the internals. This answer
        # leaves from outside every middleware, so it carries the security headers itself.
        return error(500, "internal error: the request could not be answered (it is logged)",
                      headers=SECURITY_HEADERS)

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
        return error(422, str(exc))

    @app.exception_handler(DocumentFileGoneError)
    async def _gone(request: Request, exc: DocumentFileGoneError) -> JSONResponse:
        return error(410, str(exc))

    @app.exception_handler(DocumentNotFoundError)
    async def _not_found(request: Request, exc: DocumentNotFoundError) -> JSONResponse:
        return error(404, str(exc))

    @app.exception_handler(PasserelleError)
    async def _passerelle_error(request: Request, exc: PasserelleError) -> JSONResponse:
        log.error("request failed: %s", exc, extra={"event": "error", "error": type(exc).__name__})
        return error(503, str(exc))


def error(status: int, detail: str, *, errors: list[FieldError] | None = None,
           headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(status_code=status, content=body, headers=dict(headers) if headers else None)


def _truncated(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _reason(error: Mapping[str, Any]) -> str:
    """One validation error of FastAPI's, in the words of the service's own errors."""
    location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]  # no list positions
    name = location[-1] if len(location) > 1 else "the request"
    kind, limits, value = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if kind == "greater_than_equal":
        return f"{name} must be at least {limits['ge']}, got {_truncated(value)}"
    if kind == "less_than_equal":
        return f"{name} must be at most {limits['le']}, got {_truncated(value)}"
    if kind == "too_long":  # a list
        return QUERY_ERRORS["too_many_values"].format(max=limits["max_length"], name=name,
                                                      count=limits.get("actual_length"))
    if name == "q" and kind == "string_too_short":
        return QUERY_ERRORS["empty"]
    if name == "q" and kind == "string_too_long":
        return QUERY_ERRORS["too_long"].format(length=len(str(value)), max=limits["max_length"])
    if kind == "string_too_long":
        return QUERY_ERRORS["value_too_long"].format(name=name, max=limits["max_length"], length=len(str(value)))
    return f"{name}: {error.get('msg', 'invalid')}"
