from __future__ import annotations

from fastapi import APIRouter, Response

from service.api.deps import CurrentSearcher, State
from service.api.schemas import Health, Stats, error_responses

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health, responses={
    **error_responses(500), 503: {"model": Health, "description": "The served index generation is gone"}})
def health(state: State, searcher: CurrentSearcher, response: Response) -> Health:
    """``ok``; ``degraded`` (still 200) while serving a fallback generation, with the reason; ``unavailable``
    (503) when the served generation's files are gone."""
    status, problem = state.live.health(searcher)
    if status == "unavailable":
        response.status_code = 503
    index = searcher.index
    return Health(status=status, documents=index.manifest.documents, generation=index.path.name, problem=problem)


@router.get("/stats", response_model=Stats, responses=error_responses(500, 503))
def stats(searcher: CurrentSearcher) -> Stats:
    """What is indexed, with which model, since when, and which files could not be read."""
    manifest = searcher.index.manifest
    vocabulary = searcher.index.vocabulary()
    report = searcher.index.report()
    return Stats(
        documents=manifest.documents, passages=manifest.passages, model=manifest.model,
        dimension=manifest.dimension, index_created_at=manifest.created_at,
        corpus_fingerprint=manifest.corpus_fingerprint, editions=vocabulary["edition"], types=vocabulary["type"],
        languages=vocabulary["language"], years=vocabulary["year"], skipped=len(report.get("skipped", [])),
        failed=[{"path": f["path"], "reason": f["reason"], "message": f["message"]}
                for f in report.get("failed", [])],
    )
