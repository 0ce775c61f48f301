"""The staff console at ``/admin``: sign in, editions, uploads, re-index with progress, withdrawals, the audit log.

Server-rendered pages that work without JavaScript (``static/admin.js`` only refreshes the progress in place).
Every page and action needs a session (:mod:`service.console.auth`): without one it answers 303 to the sign-in page;
every form sends the session's CSRF token back (403 otherwise). With neither ``PASSERELLE_ADMIN_TOKEN`` nor
``PASSERELLE_STAFF_PASSWORD_HASH`` set, the console answers 404 with a page saying how to turn it on. The JSON
endpoints for programs (``POST /admin/reindex``, ``GET /admin/status``, ``POST /admin/reload``) are
:mod:`service.api.routes.admin`, with the bearer token.
"""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations, closures' aliases included.

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from indexer.core.settings import Settings
from indexer.ingest.extract import suffixes
from service import withdrawals
from service.console import corpus
from service.console.auth import SESSION_COOKIE, SIGN_IN_CSRF_COOKIE, Session, StaffAuth, csrf_ok
from service.runtime.reindex import Reindexer
from service.runtime.state import ServiceState
from service.web import i18n
from service.web.templating import interface_language, render

log = logging.getLogger(__name__)

SIGN_IN = "/admin/sign-in"
_MB = 1 << 20
NOTICES = {"created", "uploaded", "withdrawn", "restored", "started", "busy", "signed-out", "described"}


def router_for(settings: Settings) -> APIRouter:
    """The console's routes, with their own :class:`StaffAuth` (its signing key lives as long as the process)."""
    auth = StaffAuth(settings)
    router = APIRouter(prefix="/admin", include_in_schema=False,
                       max_body_size=settings.max_upload_request_mb * _MB + _MB)  # + the form's own bytes
    corpus_dir = settings.corpus_dir

    def staff_session(request: Request) -> Session:
        """The signed-in staff member; without a session, the sign-in page (or, with the console off, the page
        saying how to turn it on) is the answer."""
        if not auth.enabled:
            raise Answer(_render(request, "staff_off.html", {}, status=404))
        session = auth.session(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise Answer(RedirectResponse(SIGN_IN, status_code=303))
        return session

    StaffSession = Annotated[Session, Depends(staff_session)]

    async def checked_form(request: Request, session: StaffSession) -> AsyncIterator[FormData]:
        """A console form, read only for a signed-in session and kept only with the session's CSRF token."""
        # A body without Content-Length (chunked) meets the router's max_body_size instead of this friendly page.
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > settings.max_upload_request_mb * _MB:
            auth.audit.record(session.who, "refused-too-large", request.url.path, bytes=int(length))
            raise Answer(_refusal(request, "staff.refused.request_too_large", status=413,
                                  mb=settings.max_upload_request_mb))
        async with request.form(max_files=200, max_fields=50) as form:
            sent = form.get("csrf")
            if not csrf_ok(session, sent if isinstance(sent, str) else None):
                auth.audit.record(session.who, "refused-csrf", request.url.path)
                raise Answer(_refusal(request, "staff.refused.csrf", status=403))
            yield form

    CheckedForm = Annotated[FormData, Depends(checked_form)]

    def console_on(request: Request) -> None:
        if not auth.enabled:
            raise Answer(_render(request, "staff_off.html", {}, status=404))

    @router.get("")
    def console(request: Request, session: StaffSession) -> Response:
        state = get_state_of(request)
        return _render(request, "staff_console.html", {
            "session": session, "editions": corpus.editions(corpus_dir), "run": _run_status(state.reindexer),
            "serving": state.live.index.manifest.documents, "notice": _notice(request),
        })

    @router.get("/sign-in")
    def sign_in_page(request: Request, _: Annotated[None, Depends(console_on)]) -> Response:
        if auth.session(request.cookies.get(SESSION_COOKIE)) is not None:
            return RedirectResponse("/admin", status_code=303)
        return _sign_in(request, auth, None, 200)

    @router.post("/sign-in")
    async def sign_in(request: Request, _: Annotated[None, Depends(console_on)]) -> Response:
        client = request.client.host if request.client else "unknown"
        if not auth.attempt(client):
            # Logged, not audited: a flood of attempts must not fill the audit log.
            log.warning("staff sign-in from %s refused: too many failed attempts", client)
            return _sign_in(request, auth, "staff.signin.limited", 429, headers={"Retry-After": "60"})
        async with request.form(max_files=0, max_fields=10) as form:
            secret, name, sent = (str(form.get(key) or "") for key in ("secret", "name", "csrf"))
        if not auth.sign_in_token_ok(request.cookies.get(SIGN_IN_CSRF_COOKIE), sent):
            return _refusal(request, "staff.refused.csrf", status=403)
        credential = await asyncio.to_thread(auth.check, secret)  # argon2 takes tens of milliseconds
        who = _who(name, credential or "?")
        if credential is None:
            log.warning("staff sign-in failed from %s", client)  # never the password
            auth.audit.record(who, "sign-in-failed", client)
            return _sign_in(request, auth, "staff.signin.wrong", 401)
        auth.succeeded(client)
        auth.audit.record(who, "sign-in", client)
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(SESSION_COOKIE, auth.new_session(who), max_age=auth.max_age, httponly=True,
                            samesite="strict", secure=request.url.scheme == "https", path="/admin")
        response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/admin")
        return response

    @router.post("/sign-out")
    async def sign_out(request: Request, session: StaffSession, form: CheckedForm) -> Response:
        auth.revoke(session)
        auth.audit.record(session.who, "sign-out")
        response = RedirectResponse(f"{SIGN_IN}?done=signed-out", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/admin")
        return response

    @router.post("/editions")
    async def create_edition(request: Request, session: StaffSession, form: CheckedForm) -> Response:
        edition_id, title, year = (str(form.get(key) or "").strip() for key in ("id", "title", "year"))
        try:
            corpus.create_edition(corpus_dir, edition_id, title, corpus.parse_year(year))
        except corpus.Refused as refused:
            return _refusal(request, refused.key, status=400, **refused.values)
        auth.audit.record(session.who, "edition-created", edition_id, title=" ".join(title.split()))
        return RedirectResponse(f"/admin/editions/{edition_id}?done=created", status_code=303)

    @router.get("/editions/{folder}")
    def edition_page(request: Request, session: StaffSession, folder: str) -> Response:
        found = next((e for e in corpus.editions(corpus_dir) if e.folder == folder), None)
        if found is None:
            return _refusal(request, "staff.refused.edition", status=404, name=folder)
        limits = {"file_mb": min(settings.max_upload_file_mb, settings.max_file_mb),
                  "request_mb": settings.max_upload_request_mb}
        return _render(request, "staff_edition.html", {"session": session, "edition": found, "limits": limits,
                                                       "notice": _notice(request),
                                                       "accept": ",".join(sorted(_accepted()))})

    @router.post("/editions/{folder}/upload")
    async def upload(request: Request, session: StaffSession, form: CheckedForm, folder: str) -> Response:
        files = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
        try:
            target = corpus.find_edition(corpus_dir, folder)
            kept = await asyncio.to_thread(
                corpus.save_uploads, target,
                [corpus.Upload(item.filename or "", item.file) for item in files], settings,
                replace=form.get("replace") == "on")
        except corpus.Refused as refused:
            auth.audit.record(session.who, "upload-refused", folder, reason=refused.key,
                              files=[item.filename for item in files])
            return _refusal(request, refused.key, status=400, back=f"/admin/editions/{folder}", **refused.values)
        for path in kept:  # a file uploaded where a withdrawn one was is a new document there, not a withdrawn one
            relative = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
            if ids := withdrawals.withdrawn_at(settings.index_dir, relative):
                withdrawals.record_restored(settings.index_dir, ids, relative)
                get_state_of(request).live.searcher.show(ids)
        auth.audit.record(session.who, "upload", folder, files=[path.name for path in kept],
                          bytes=sum(path.stat().st_size for path in kept))
        return RedirectResponse(f"/admin/editions/{folder}?{urlencode({'done': 'uploaded', 'n': len(kept)})}",
                                status_code=303)

    @router.post("/run")
    async def start_run(request: Request, session: StaffSession, form: CheckedForm) -> Response:
        started = get_state_of(request).reindexer.start(full=False)
        auth.audit.record(session.who, "reindex" if started else "reindex-busy", str(corpus_dir))
        return RedirectResponse(f"/admin/run?done={'started' if started else 'busy'}", status_code=303)

    @router.get("/run")
    def run_page(request: Request, session: StaffSession) -> Response:
        return _render(request, "staff_run.html", {"session": session, "notice": _notice(request),
                                                   "run": _run_status(get_state_of(request).reindexer)})

    @router.get("/run/progress")
    def run_progress(request: Request, session: StaffSession) -> Response:
        return JSONResponse(_run_status(get_state_of(request).reindexer), headers={"Cache-Control": "no-store"})

    @router.get("/withdraw")
    def withdraw_page(request: Request, session: StaffSession, path: str = "") -> Response:
        """Ask before withdrawing (a form, so it works without JavaScript)."""
        try:
            relative = corpus.canonical(corpus_dir, path)
        except corpus.Refused as refused:
            return _refusal(request, refused.key, status=404, **refused.values)
        return _render(request, "staff_withdraw.html", {
            "session": session, "path": relative, "mode": settings.withdraw, "days": settings.withdrawn_days,
            "back": f"/admin/editions/{relative.split('/')[0]}" if "/" in relative else "/admin"})

    @router.post("/withdraw")
    async def withdraw(request: Request, session: StaffSession, form: CheckedForm) -> Response:
        relative = str(form.get("path") or "")
        if form.get("confirm") != "yes":  # one click is not enough: the question first
            return RedirectResponse(f"/admin/withdraw?{urlencode({'path': relative})}", status_code=303)
        try:
            relative = corpus.canonical(corpus_dir, relative)
            went = corpus.withdraw(corpus_dir, relative, settings.withdraw)
            served = get_state_of(request).live.index.document_ids_at(relative)
            withdrawals.record_withdrawn(settings.index_dir, served, relative)
            get_state_of(request).live.searcher.hide(served)  # out of search now, not after the re-index
        except corpus.Refused as refused:
            return _refusal(request, refused.key, status=400, **refused.values)
        auth.audit.record(session.who, "withdraw", relative, mode=settings.withdraw,
                          to=str(went.relative_to(corpus_dir)) if went else None)
        # The file left the corpus, so its URL answers 410 now; the re-index takes it out of the index.
        get_state_of(request).reindexer.request()  # after the running one, if any: never a thread per withdrawal
        return RedirectResponse(f"/admin/run?{urlencode({'done': 'withdrawn', 'n': relative})}",
                                status_code=303)

    @router.get("/withdrawn")
    def withdrawn_page(request: Request, session: StaffSession) -> Response:
        files = corpus.withdrawn_files(corpus_dir, settings.withdrawn_days)
        return _render(request, "staff_withdrawn.html", {"session": session, "files": files,
                                                         "days": settings.withdrawn_days,
                                                         "notice": _notice(request)})

    @router.post("/restore")
    async def restore(request: Request, session: StaffSession, form: CheckedForm) -> Response:
        inside = str(form.get("path") or "")
        try:
            original = corpus.restore(corpus_dir, inside, settings.withdrawn_days)
        except corpus.Refused as refused:
            return _refusal(request, refused.key, status=400, back="/admin/withdrawn", **refused.values)
        state = get_state_of(request)
        ids = withdrawals.withdrawn_at(settings.index_dir, original)
        withdrawals.record_restored(settings.index_dir, ids, original)
        state.live.searcher.show(ids)  # searchable again at once where the served generation still holds it
        auth.audit.record(session.who, "restore", original, documents=len(ids))
        state.reindexer.request()
        return RedirectResponse(f"/admin/withdrawn?{urlencode({'done': 'restored', 'n': original})}",
                                status_code=303)

    @router.get("/describe")
    def describe_page(request: Request, session: StaffSession, path: str = "") -> Response:
        try:
            catalogue = corpus.catalogue_for(corpus_dir, path)
            values = corpus.description(corpus_dir, path)
        except corpus.Refused as refused:
            return _refusal(request, refused.key, status=404, **refused.values)
        return _render(request, "staff_describe.html", {
            "session": session, "path": path, "values": values, "notice": _notice(request),
            "catalogue": str(catalogue.relative_to(corpus_dir.resolve())), "edition": path.split("/")[0]})

    @router.post("/describe")
    async def describe(request: Request, session: StaffSession, form: CheckedForm) -> Response:
        path = str(form.get("path") or "")
        fields = {name: str(form.get(name) or "") for name in corpus.DESCRIBED}
        try:
            catalogue = corpus.describe(corpus_dir, path, fields)
        except corpus.Refused as refused:
            return _refusal(request, refused.key, status=400, back=f"/admin/describe?{urlencode({'path': path})}",
                            **refused.values)
        auth.audit.record(session.who, "describe", path, catalogue=str(catalogue.relative_to(corpus_dir.resolve())),
                          fields=sorted(name for name, value in fields.items() if value.strip()))
        return RedirectResponse(f"/admin/describe?{urlencode({'path': path, 'done': 'described'})}",
                                status_code=303)

    @router.get("/audit")
    def audit(request: Request, session: StaffSession) -> Response:
        return _render(request, "staff_audit.html", {"session": session, "entries": auth.audit.last()})

    return router


class Answer(Exception):
    """Raised by the console's dependencies: ``response`` is the whole answer (a sign-in redirect, a refusal page).
    The application answers it as it is (:func:`answer`)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def answer(request: Request, exc: Exception) -> Response:
    """The exception handler for :class:`Answer`."""
    assert isinstance(exc, Answer)
    return exc.response


def get_state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.passerelle
    return state


def _accepted() -> set[str]:
    return set(suffixes())


def _who(name: str, credential: str) -> str:
    """Who the audit log names: the name typed at sign-in (printable, short) and the credential used."""
    name = "".join(c for c in name if c.isprintable())[:60].strip()
    return f"{name} ({credential})" if name else credential


def _notice(request: Request) -> dict[str, str] | None:
    done = request.query_params.get("done")
    if done not in NOTICES:
        return None
    return {"key": f"staff.done.{done}", "n": request.query_params.get("n", "")}


def _run_status(reindexer: Reindexer) -> dict[str, Any]:
    """The re-index as the console shows it: running or not, files done of total, current file, elapsed seconds,
    and the last run's summary with the files skipped, duplicated or failed and why."""
    status = reindexer.status
    progress = reindexer.progress()
    end = status.finished_at if not status.running and status.finished_at else time.time()
    report = status.last_report or {}

    def issues(kind: str) -> list[dict[str, str]]:
        return [{"path": i["path"], "reason": i["reason"], "message": i["message"]} for i in report.get(kind, [])]

    summary = None if not report or status.running else {
        "documents": report.get("documents", 0), "added": report.get("added", []),
        "changed": report.get("changed", []), "removed": report.get("removed", []),
        "unchanged": report.get("unchanged", 0), "skipped": issues("skipped"),
        "duplicates": issues("duplicates"), "failed": issues("failed"), "seconds": report.get("seconds", 0.0)}
    return {"running": status.running, "started_at": status.started_at, "finished_at": status.finished_at,
            "elapsed": round(end - status.started_at, 1) if status.started_at else None,
            "done": progress.get("done", 0), "total": progress.get("total", 0),
            "current": str(progress.get("current", "")).removeprefix("Indexing").strip(),
            "error": status.error, "summary": summary}


def _render(request: Request, template: str, context: dict[str, Any], *, status: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    language = interface_language(request)
    response = render(request, template, context, language=language, home="/", status=status,
                      headers=headers, languages=[(code, i18n.NATIVE_NAMES[code], _with_lang(request, code))
                                                  for code in i18n.LANGUAGES],
                      extra={"reason": lambda issue: _reason(language, issue),
                             "decimal": lambda value: i18n.decimal(language, value)})
    response.headers["Cache-Control"] = "no-store"  # staff pages hold what only staff may see
    return response


def _reason(language: str, issue: dict[str, str]) -> str:
    """Why a file was skipped or failed, in the console's language (the indexer's English stays in the log and
    in the page as a tooltip)."""
    key = "staff.reason." + issue["reason"].replace(" ", "_")
    if key not in i18n.STRINGS[i18n.DEFAULT_LANGUAGE]:
        return issue["message"]
    return i18n.translate(language, key, other=issue["message"].removeprefix("same content as "))


def _with_lang(request: Request, code: str) -> str:
    """This page in another interface language: its other parameters (``path``…) kept, a notice dropped."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "done", "n")]
    return f"{request.url.path}?{urlencode([*pairs, ('lang', code)])}"


def _refusal(request: Request, key: str, *, status: int, back: str = "/admin", **values: Any) -> Response:
    return _render(request, "staff_refused.html", {"key": key, "values": values, "back": back}, status=status)


def _sign_in(request: Request, auth: StaffAuth, problem: str | None, status: int,
             headers: dict[str, str] | None = None) -> Response:
    token = auth.sign_in_token()
    response = _render(request, "staff_sign_in.html", {"csrf": token, "problem": problem,
                                                       "notice": _notice(request)}, status=status, headers=headers)
    response.set_cookie(SIGN_IN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/admin")
    return response

