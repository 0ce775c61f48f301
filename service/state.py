"""What the running service holds: its settings, the live index, the inference engine and the re-indexer."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.core.settings import Settings
from service.engine import QueryEngine
from service.live import LiveIndex, Reindexer


@dataclass
class ServiceState:
    settings: Settings
    live: LiveIndex
    engine: QueryEngine
    reindexer: Reindexer
