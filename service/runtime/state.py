"""What the running service holds: its settings, the live index, the inference engine and the re-indexer."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.core.settings import Settings
from service.runtime.engine import QueryEngine
from service.runtime.live import LiveIndex
from service.runtime.reindex import Reindexer


@dataclass
class ServiceState:
    settings: Settings
    live: LiveIndex
    engine: QueryEngine
    reindexer: Reindexer
