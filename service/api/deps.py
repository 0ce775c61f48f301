"""Typed dependencies of the routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from indexer.search import Searcher
from indexer.settings import Settings
from indexer.store import Index
from service.engine import QueryEngine


@dataclass
class ServiceState:
    settings: Settings
    index: Index
    searcher: Searcher
    engine: QueryEngine


def get_state(request: Request) -> ServiceState:
    return request.app.state.passerelle


State = Annotated[ServiceState, Depends(get_state)]
