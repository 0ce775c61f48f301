from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from service.api.deps import Admin, State
from service.api.schemas import error_responses
from service.runtime.live import index_info

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Admin], responses=error_responses(401, 403, 500))


@router.post("/reindex", status_code=status.HTTP_202_ACCEPTED, responses=error_responses(409, 422))
def reindex(state: State, full: bool = False) -> dict[str, Any]:
    """Re-index the configured corpus in the background; the service keeps answering meanwhile."""
    if not state.reindexer.start(full=full):
        raise HTTPException(status.HTTP_409_CONFLICT, "a re-index is already running: see GET /admin/status")
    return {"status": "started", "corpus": str(state.settings.corpus_dir)}


@router.get("/status")
def admin_status(state: State) -> dict[str, Any]:
    """The running re-index's progress, the last run's summary, and what is being served."""
    run = state.reindexer.status
    return {
        "reindex": {"running": run.running, "started_at": run.started_at, "finished_at": run.finished_at,
                    "progress": state.reindexer.progress(), "error": run.error, "last_report": run.last_report},
        "serving": index_info(state.live.index),
        "problem": state.live.problem,
    }


@router.post("/reload", responses=error_responses(503))
def reload(state: State) -> dict[str, Any]:
    """Serve the newest complete index now (the service also notices it by itself)."""
    changed = state.live.reload(force=True)
    return {"changed": changed, "serving": index_info(state.live.index), "problem": state.live.problem}
