# No ``from __future__ import annotations``: see service/api/routes/search.py.
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from indexer.core.settings import Settings
from indexer.ingest.extract import FORMATS, file_format
from indexer.search.filters import Filters
from service import searching
from service.api.deps import CurrentSearcher
from service.api.routes.search import SortParam, filter_dependency, k_parameter
from service.api.schemas import DocumentDetail, DocumentList, SimilarResponse, error_responses
from service.citations import STYLES, cite_key, item_for, render

MAX_OFFSET = 100_000  # further than any corpus of the event goes: a listing's cost stays bounded

def router_for(settings: Settings) -> APIRouter:
    """The document routes, with the limits of ``settings`` in their parameters."""
    router = APIRouter(prefix="/documents", tags=["documents"])
    k_query = k_parameter(settings)
    read_filters = filter_dependency()  # with the filters declared now
    # What the citation route answers, for the OpenAPI schema: each style in its own media type (CSL-JSON is a list
    # of items, one here, as reference managers import it).
    citations: dict[str, dict[str, Any]] = {
        style.media_type.split(";")[0]: {"schema": {"type": "array", "items": {"type": "object"}}
                                         if style.name == "csl-json" else {"type": "string"}}
        for style in STYLES.values()}
    style_name: Any = Literal[tuple(STYLES)]  # the registry's names, an enumeration in the schema
    # What the file route may answer, for the OpenAPI schema: each declared format's media type.
    served: dict[str, dict[str, Any]] = {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in (*(declared.media_type.split(";")[0] for declared in FORMATS), "application/octet-stream")
    }

    @router.get("", response_model=DocumentList, responses=error_responses(422, 500, 503))
    def documents(searcher: CurrentSearcher, filters: Annotated[Filters, Depends(read_filters)],
                  sort: SortParam = "newest",
                  limit: Annotated[int, Query(ge=1, le=settings.max_k, description="Documents per page")] = 10,
                  offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Documents skipped")] = 0,
                  ) -> DocumentList:
        """The documents the filters select, without a query (browsing): newest first (``relevance`` too) or
        oldest first, a page at a time, with facet counts over all of them."""
        return searching.browse(searcher, filters=filters, sort=sort, limit=limit, offset=offset)

    @router.get("/{document_id}", response_model=DocumentDetail, responses=error_responses(404, 422, 500, 503))
    def document(searcher: CurrentSearcher, document_id: str) -> DocumentDetail:
        """A document's metadata and all its passages, in reading order."""
        return searching.document_detail(searcher, document_id, index_dir=settings.index_dir)

    @router.get("/{document_id}/similar", response_model=SimilarResponse,
                responses=error_responses(404, 422, 500, 503))
    def similar(searcher: CurrentSearcher, document_id: str, filters: Annotated[Filters, Depends(read_filters)],
                k: Annotated[int, k_query] = 10) -> SimilarResponse:
        """The documents closest in meaning to this one, in any language ("more like this"), itself excluded."""
        return searching.similar(searcher, document_id, k=k, filters=filters, index_dir=settings.index_dir)

    @router.get("/{document_id}/file", response_class=FileResponse,
                responses={200: {"description": "The file, in its own media type", "content": served},
                           **error_responses(404, 410, 422, 500, 503)})
    def document_file(searcher: CurrentSearcher, document_id: str) -> FileResponse:
        """The original file. Only files of indexed documents are served, looked up by id, never by path."""
        path = searching.document_file(searcher, document_id, index_dir=settings.index_dir)
        record = searcher.index.require_document(document_id)
        declared = file_format(path)
        media_type = declared.media_type if declared else "application/octet-stream"
        # Inline only what a browser shows without running it (PDFs: their viewer honours #page=N); anything else,
        # HTML first, is downloaded: corpus files must not run scripts from the service's origin.
        response = FileResponse(path, media_type=media_type, filename=Path(record.path).name,
                                content_disposition_type="inline" if declared and declared.inline else "attachment")
        if media_type != "application/pdf":  # a sandbox would stop the PDF viewer; the service's policy holds there
            response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    @router.get("/{document_id}/cite", response_class=Response,
                responses={200: {"description": "The citation, in the format's media type", "content": citations},
                           **error_responses(404, 422, 500, 503)})
    def cite(request: Request, searcher: CurrentSearcher, document_id: str,
             fmt: Annotated[style_name, Query(alias="format", description=", ".join(
                 style.description for style in STYLES.values()))] = "csl-json") -> Response:
        """How to cite a document: a reference in APA 7, or an entry to import into a reference manager. The
        reference points to the document's page on this service."""
        record = searching.document_record(searcher, document_id, index_dir=settings.index_dir)
        item = item_for(record, corpus_root=searcher.index.corpus_root, base_url=str(request.base_url))
        headers = {}
        style = STYLES[fmt]
        if style.extension:  # files to import: saved, under a name that says what they are
            name = f"{cite_key(item)}.{style.extension}"
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(render(item, fmt), media_type=style.media_type, headers=headers)

    return router
