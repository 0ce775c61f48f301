"""Typed dependencies of the routes."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from indexer.search.searcher import Searcher
from service.runtime.state import ServiceState


async def get_state(request: Request) -> ServiceState:
    # async although it never awaits: FastAPI runs a plain ``def`` dependency in its thread pool, and each
    # such hop cost a search request a fraction of a millisecond (measured; see bench/RESULTS-scale-speed.md).
    return request.app.state.passerelle


State = Annotated[ServiceState, Depends(get_state)]


async def get_searcher(state: State) -> Searcher:
    """The index generation this request uses for every step: FastAPI resolves a dependency once per request,
    so a reload meanwhile cannot give one request two generations."""
    return state.live.searcher


CurrentSearcher = Annotated[Searcher, Depends(get_searcher)]
_bearer = HTTPBearer(auto_error=False)


def require_admin(state: State,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """Admin endpoints need ``Authorization: Bearer <PASSERELLE_ADMIN_TOKEN>``; without a token they are off."""
    token = state.settings.admin_token
    if token is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "admin endpoints are disabled: set PASSERELLE_ADMIN_TOKEN to enable them")
    if credentials is None or not secrets.compare_digest(credentials.credentials.encode(),
                                                         token.get_secret_value().encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong admin token",
                            headers={"WWW-Authenticate": "Bearer"})


Admin = Depends(require_admin)
