"""The staff console (/admin) against a real server over its own copy of the small corpus: sign-in, CSRF, rate
limiting, uploads refused and kept, re-index, withdrawal, the audit log."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from indexer import FakeEmbedder, Settings
from service.console import corpus as uploads
from tests.documents import write_docx, zip_bomb_docx
from tests.service.console.staff import (
    NEW_WORDS,
    PASSWORD,
    TOKEN,
    _csrf,
    _wait_for_reindex,
    audit,
    sign_in,
    snapshot,
)
from tests.support.servers import run_server

PAGES = ["/admin", "/admin/editions/2025-demo", "/admin/run", "/admin/run/progress", "/admin/audit",
         "/admin/describe?path=2025-demo/housing-report.docx"]
ACTIONS = ["/admin/sign-out", "/admin/editions", "/admin/editions/2025-demo/upload", "/admin/run",
           "/admin/withdraw", "/admin/describe"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_goes_to_sign_in(anonymous: httpx.Client, path: str) -> None:
    answer = anonymous.get(path)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/sign-in"


@pytest.mark.parametrize("path", ACTIONS)
def test_every_action_without_a_session_goes_to_sign_in(anonymous: httpx.Client, staff_settings: Settings,
                                                        path: str) -> None:
    before = snapshot(staff_settings.corpus_dir)
    answer = anonymous.post(path, data={"csrf": "x", "id": "2099-x", "title": "X", "path": "2024-archive/notes.txt"},
                            files={"files": ("a.txt", b"text")})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/sign-in"
    assert snapshot(staff_settings.corpus_dir) == before


def test_a_forged_session_cookie_is_no_session(anonymous: httpx.Client) -> None:
    anonymous.cookies.set("passerelle_staff", "eyJ3aG8iOiJhZG1pbi10b2tlbiJ9.forged.sig", path="/admin")
    assert anonymous.get("/admin").status_code == 303


@pytest.mark.parametrize("path", ACTIONS)
@pytest.mark.parametrize("csrf", [None, "wrong"])
def test_every_action_needs_the_csrf_token(staff: tuple[httpx.Client, str], staff_settings: Settings, path: str,
                                           csrf: str | None) -> None:
    http, _ = staff
    before = snapshot(staff_settings.corpus_dir)
    data = {"id": "2099-x", "title": "X", "path": "2024-archive/notes.txt"}
    answer = http.post(path, data=data if csrf is None else {**data, "csrf": csrf},
                       files={"files": ("a.txt", b"text")})
    assert answer.status_code == 403
    assert snapshot(staff_settings.corpus_dir) == before
    assert http.get("/admin").status_code == 200  # still signed in: the sign-out was refused too


def test_sign_in_needs_its_form_token(anonymous: httpx.Client) -> None:
    anonymous.get("/admin/sign-in")
    assert anonymous.post("/admin/sign-in", data={"secret": TOKEN, "csrf": "wrong"}).status_code == 403


def test_sign_in_with_the_token_sets_a_strict_session_cookie(anonymous: httpx.Client) -> None:
    answer = sign_in(anonymous, TOKEN)
    assert answer.status_code == 303
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "passerelle_staff=" in v)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    page = anonymous.get("/admin")
    assert page.status_code == 200 and "2025-demo" in page.text and "admin-token" in page.text


def test_sign_in_with_the_password_and_sign_out(anonymous: httpx.Client, staff_settings: Settings) -> None:
    assert sign_in(anonymous, PASSWORD, name="Marie").status_code == 303
    page = anonymous.get("/admin")
    assert page.status_code == 200 and "Marie (staff-password)" in page.text
    old_cookie = anonymous.cookies.get("passerelle_staff")
    out = anonymous.post("/admin/sign-out", data={"csrf": _csrf(page.text)})
    assert out.status_code == 303 and out.headers["location"].startswith("/admin/sign-in")
    assert anonymous.get("/admin").status_code == 303
    # The cookie of a signed-out session is refused even when a client keeps it.
    anonymous.cookies.set("passerelle_staff", old_cookie or "", path="/admin")
    assert anonymous.get("/admin").status_code == 303
    actions = [(e["who"], e["action"]) for e in audit(staff_settings)]
    assert ("Marie (staff-password)", "sign-in") in actions and ("Marie (staff-password)", "sign-out") in actions


def test_a_wrong_password_is_refused_and_logged_without_it(anonymous: httpx.Client, staff_settings: Settings,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    answer = sign_in(anonymous, "not-the-password-at-all")
    assert answer.status_code == 401
    assert anonymous.get("/admin").status_code == 303
    assert audit(staff_settings)[-1]["action"] == "sign-in-failed"
    assert "not-the-password-at-all" not in (staff_settings.index_dir / "audit.jsonl").read_text(encoding="utf-8")
    assert "not-the-password-at-all" not in caplog.text


def test_failed_sign_ins_are_rate_limited(staff_settings: Settings, fake_embedder: FakeEmbedder) -> None:
    # A server of its own: the limit is per client address, and every test's client is 127.0.0.1.
    with run_server(staff_settings, fake_embedder) as url, httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(5):
            assert sign_in(http, "wrong-password-guess").status_code == 401
        limited = sign_in(http, TOKEN)
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        assert http.get("/admin", follow_redirects=False).status_code == 303


def test_the_console_is_off_without_credentials(fake_client: httpx.Client) -> None:
    for path in ("/admin", "/admin/sign-in"):
        answer = fake_client.get(path, follow_redirects=False)
        assert answer.status_code == 404 and "PASSERELLE_STAFF_PASSWORD_HASH" in answer.text


def test_the_console_speaks_the_interface_languages(staff: tuple[httpx.Client, str]) -> None:
    http, _ = staff
    assert "Console du personnel" in http.get("/admin?lang=fr").text
    assert "Mitarbeiterkonsole" in http.get("/admin?lang=de").text
    assert "Staff console" in http.get("/admin?lang=en").text
    # The language links keep the page's own parameters.
    page = http.get("/admin/describe", params={"path": "2025-demo/ia-slides.pptx", "lang": "de"})
    assert "Beschreiben" in page.text
    assert 'href="/admin/describe?path=2025-demo%2Fia-slides.pptx&amp;lang=fr"' in page.text


def _upload(http: httpx.Client, csrf: str, files: list[tuple[str, bytes]], *, folder: str = "2025-demo",
            replace: bool = False) -> httpx.Response:
    data = {"csrf": csrf, **({"replace": "on"} if replace else {})}
    return http.post(f"/admin/editions/{folder}/upload", data=data,
                     files=[("files", (name, content)) for name, content in files])


@pytest.mark.parametrize(("name", "content", "refusal"), [
    ("virus.exe", b"MZ", "staff.refused.type"),
    ("big.txt", b"x" * (1024 * 1024 + 1), "staff.refused.too_large"),
    ("../../x.pdf", b"%PDF-1.4", "staff.refused.name"),
    ("sub/x.pdf", b"%PDF-1.4", "staff.refused.name"),
    (".env", b"PASSERELLE_ADMIN_TOKEN=x", "staff.refused.hidden"),
    ("_draft.txt", b"draft", "staff.refused.hidden"),
    ("notes.txt", b"", "staff.refused.empty"),
    ("fake.docx", b"not a zip at all", "staff.refused.archive"),
    ("housing-report.docx", b"PK", "staff.refused.exists"),
])
def test_uploads_are_refused_and_leave_the_corpus_unchanged(staff: tuple[httpx.Client, str],
                                                            staff_settings: Settings, name: str, content: bytes,
                                                            refusal: str) -> None:
    http, csrf = staff
    before = snapshot(staff_settings.corpus_dir)
    # With a good file alongside: a refused request keeps none of its files.
    answer = _upload(http, csrf, [("good.txt", b"fine words"), (name, content)])
    assert answer.status_code == 400
    assert f'data-refusal="{refusal}"' in answer.text
    assert snapshot(staff_settings.corpus_dir) == before


def test_a_zip_bomb_disguised_as_docx_is_refused(staff: tuple[httpx.Client, str], staff_settings: Settings,
                                                 tmp_path: Path) -> None:
    http, csrf = staff
    bomb = tmp_path / "report.docx"
    zip_bomb_docx(bomb, megabytes=20)
    assert bomb.stat().st_size < 1024 * 1024
    before = snapshot(staff_settings.corpus_dir)
    answer = _upload(http, csrf, [("report.docx", bomb.read_bytes())])
    assert answer.status_code == 400 and "zip bomb" in answer.text
    assert snapshot(staff_settings.corpus_dir) == before


def test_a_request_over_the_limit_is_refused(staff: tuple[httpx.Client, str], staff_settings: Settings) -> None:
    http, csrf = staff
    before = snapshot(staff_settings.corpus_dir)
    answer = _upload(http, csrf, [(f"part{i}.txt", b"y" * 1_000_000) for i in range(4)])
    assert answer.status_code == 413
    assert snapshot(staff_settings.corpus_dir) == before


def test_a_chunked_request_over_the_limit_is_refused(staff: tuple[httpx.Client, str],
                                                     staff_settings: Settings) -> None:
    http, csrf = staff
    before = snapshot(staff_settings.corpus_dir)
    boundary = "staffboundary"

    def body() -> Iterator[bytes]:  # no Content-Length: sent in chunks
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
               f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="huge.txt"\r\n'
               "Content-Type: text/plain\r\n\r\n").encode()
        for _ in range(5):
            yield b"z" * 1024 * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = http.post("/admin/editions/2025-demo/upload", content=body(),
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 413
    assert snapshot(staff_settings.corpus_dir) == before


def test_an_edition_is_created_with_its_catalogue(staff: tuple[httpx.Client, str], staff_settings: Settings) -> None:
    http, csrf = staff
    answer = http.post("/admin/editions", data={"csrf": csrf, "id": "2026-test", "title": "Journée 2026",
                                                "year": "2026"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/editions/2026-test")
    catalogue = (staff_settings.corpus_dir / "2026-test" / "catalogue.toml").read_text(encoding="utf-8")
    assert 'id = "2026-test"' in catalogue and 'title = "Journée 2026"' in catalogue and "year = 2026" in catalogue
    assert "Journée 2026" in http.get("/admin").text
    for bad in ("../evil", "Has Capitals", "2026-test"):
        refused = http.post("/admin/editions", data={"csrf": csrf, "id": bad, "title": "X"})
        assert refused.status_code == 400
    assert not (staff_settings.corpus_dir.parent / "evil").exists()
    created = [e for e in audit(staff_settings) if e["action"] == "edition-created"]
    assert [(e["target"], e["title"]) for e in created] == [("2026-test", "Journée 2026")]


def test_upload_reindex_search_withdraw(staff: tuple[httpx.Client, str], staff_settings: Settings,
                                        staff_server: str, tmp_path: Path) -> None:
    http, csrf = staff
    docx = tmp_path / "garten.docx"
    write_docx(docx, title="Gemeinschaftsgarten", heading="Quartier", paragraphs=[NEW_WORDS * 3])
    answer = _upload(http, csrf, [("garten.docx", docx.read_bytes()),
                                  ("nachbarn.txt", f"{NEW_WORDS} im Viertel.".encode())])
    assert answer.status_code == 303, answer.text
    folder = staff_settings.corpus_dir / "2025-demo"
    assert (folder / "garten.docx").read_bytes() == docx.read_bytes()
    assert not [p for p in folder.iterdir() if p.name.startswith(".upload-")]
    # The same name again is refused without "replace", kept with it.
    assert _upload(http, csrf, [("nachbarn.txt", b"other")]).status_code == 400
    assert _upload(http, csrf, [("nachbarn.txt", f"{NEW_WORDS} Nachbarn.".encode())],
                   replace=True).status_code == 303

    started = http.post("/admin/run", data={"csrf": csrf})
    assert started.status_code == 303 and started.headers["location"].startswith("/admin/run")
    progress = http.get("/admin/run/progress").json()
    assert {"running", "done", "total", "current", "elapsed", "summary"} <= set(progress)
    _wait_for_reindex(staff_server)
    run = http.get("/admin/run")
    assert run.status_code == 200 and 'id="run-summary"' in run.text and "encrypted.pdf" in run.text
    summary = http.get("/admin/run/progress").json()["summary"]
    assert "2025-demo/garten.docx" in summary["added"]
    assert any(issue["path"].endswith("encrypted.pdf") for issue in summary["failed"] + summary["skipped"])

    found = http.get("/search", params={"q": "Gemeinschaftsgarten", "mode": "keyword"}).json()["results"]
    paths = {hit["document"]["path"]: hit["document"]["id"] for hit in found}
    assert "2025-demo/garten.docx" in paths
    document_id = paths["2025-demo/garten.docx"]
    assert http.get(f"/documents/{document_id}/file").status_code == 200

    asked = http.post("/admin/withdraw", data={"csrf": csrf, "path": "2025-demo/garten.docx"})
    assert asked.status_code == 303 and asked.headers["location"].startswith("/admin/withdraw?path=")
    assert (folder / "garten.docx").exists()  # one click asks, and does nothing yet
    withdrawn = http.post("/admin/withdraw", data={"csrf": csrf, "path": "2025-demo/garten.docx", "confirm": "yes"})
    assert withdrawn.status_code == 303
    assert not (folder / "garten.docx").exists()
    assert (staff_settings.corpus_dir / "_withdrawn" / "2025-demo" / "garten.docx").is_file()
    assert http.get(f"/documents/{document_id}/file").status_code == 410  # at once, before the re-index ends
    # Out of search, lists and its page at once too, with the generation that still holds it.
    at_once = http.get("/search", params={"q": "Gemeinschaftsgarten", "mode": "keyword"}).json()
    assert document_id not in {hit["document"]["id"] for hit in at_once["results"]}
    assert document_id not in {d["id"] for d in http.get("/documents", params={"limit": 100}).json()["documents"]}
    assert http.get(f"/documents/{document_id}").status_code == 410
    _wait_for_reindex(staff_server)
    found = http.get("/search", params={"q": "Gemeinschaftsgarten", "mode": "keyword"}).json()["results"]
    assert "2025-demo/garten.docx" not in {hit["document"]["path"] for hit in found}
    assert "_withdrawn/2025-demo/garten.docx" not in {hit["document"]["path"] for hit in found}
    assert http.get(f"/documents/{document_id}/file").status_code == 410

    # Outside the corpus, or not a document: refused.
    for path in ("../index/audit.jsonl", "2025-demo/catalogue.toml", "_withdrawn/2025-demo/garten.docx"):
        assert http.post("/admin/withdraw", data={"csrf": csrf, "path": path, "confirm": "yes"}).status_code == 400

    entries = audit(staff_settings)
    actions = {(e["action"], str(e["target"])) for e in entries}
    assert ("upload", "2025-demo") in actions and ("withdraw", "2025-demo/garten.docx") in actions
    assert ("reindex", str(staff_settings.corpus_dir)) in actions
    upload = next(e for e in entries if e["action"] == "upload")
    assert upload["files"] == ["garten.docx", "nachbarn.txt"] and upload["who"] == "Test Staff (admin-token)"
    assert NEW_WORDS not in (staff_settings.index_dir / "audit.jsonl").read_text(encoding="utf-8")
    page = http.get("/admin/audit")
    assert page.status_code == 200 and "garten.docx" in page.text


def test_describe_writes_the_catalogue_keeping_its_comments_and_other_keys(
        staff: tuple[httpx.Client, str], staff_settings: Settings, staff_server: str) -> None:
    http, csrf = staff
    catalogue = staff_settings.corpus_dir / "2025-demo" / "catalogue.toml"
    catalogue.write_text("# Kept: a comment of the staff's\n" + catalogue.read_text(encoding="utf-8"), encoding="utf-8")
    path = "2025-demo/theses/integration.pdf"
    form = http.get("/admin/describe", params={"path": path})
    assert form.status_code == 200 and "Lena Hoffmann" in form.text and 'value="2025"' in form.text
    before = catalogue.read_text(encoding="utf-8")
    refused = http.post("/admin/describe", data={"csrf": csrf, "path": path, "title": "X", "year": "twenty"})
    assert refused.status_code == 400 and catalogue.read_text(encoding="utf-8") == before
    saved = http.post("/admin/describe", data={
        "csrf": csrf, "path": path, "title": "Integration in der Grundschule", "authors": "Lena Hoffmann\nJo Weis",
        "year": "2025", "type": "thesis", "language": "de"})
    assert saved.status_code == 303
    text = catalogue.read_text(encoding="utf-8")
    assert text.startswith("# Kept: a comment of the staff's\n")
    entry = next(e for e in tomllib.loads(text)["documents"] if e["file"] == "theses/integration.pdf")
    assert entry["title"] == "Integration in der Grundschule" and entry["authors"] == ["Lena Hoffmann", "Jo Weis"]
    assert entry["supervisor"] == "Prof. Dr. Claude Weis" and entry["keywords"] == ["Integration", "Schule"]
    # A file no catalogue describes yet: a new catalogue in its edition's folder.
    assert http.post("/admin/describe", data={"csrf": csrf, "path": "2024-archive/notes.txt",
                                              "title": "Notes sur l'IA", "type": "report"}).status_code == 303
    new = tomllib.loads((staff_settings.corpus_dir / "2024-archive" / "catalogue.toml").read_text(encoding="utf-8"))
    assert new["documents"] == [{"file": "notes.txt", "title": "Notes sur l'IA", "type": "report"}]
    assert http.post("/admin/run", data={"csrf": csrf}).status_code == 303
    _wait_for_reindex(staff_server)
    found = http.get("/search", params={"q": "Grundschule", "mode": "keyword"}).json()["results"]
    assert [hit["document"]["title"] for hit in found][:1] == ["Integration in der Grundschule"]
    assert ("describe", path) in {(e["action"], e["target"]) for e in audit(staff_settings)}


def test_withdrawing_can_delete_and_never_leaves_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "2025").mkdir(parents=True)
    (corpus / "2025" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("keep", encoding="utf-8")
    for bad in ("../outside.txt", "2025/../../outside.txt", "/etc/passwd", "2025"):
        with pytest.raises(uploads.Refused):
            uploads.withdraw(corpus, bad, "delete")
    assert uploads.withdraw(corpus, "2025/a.txt", "delete") is None
    assert not (corpus / "2025" / "a.txt").exists() and (tmp_path / "outside.txt").exists()
    assert not (corpus / uploads.WITHDRAWN).exists()


def test_the_api_keeps_its_bearer_token(anonymous: httpx.Client) -> None:
    assert anonymous.get("/admin/status").status_code == 401
    answer = anonymous.get("/admin/status", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and "reindex" in answer.json()


def test_a_plain_password_is_not_a_password_hash() -> None:
    with pytest.raises(ValueError, match="argon2 hash"):
        Settings(staff_password_hash="hunter2hunter2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="argon2 hash") as refused:
        Settings(staff_password_hash="$argon2id$but-not-a-hash")  # type: ignore[arg-type]
    assert "but-not-a-hash" not in str(refused.value)
    assert Settings(staff_password_hash=PasswordHasher().hash("x" * 12)).staff_password_hash is not None  # type: ignore[arg-type]


def test_the_progress_says_files_done_of_total_the_current_file_and_the_time_so_far() -> None:
    from service.console.routes import _run_status
    from service.runtime.reindex import ReindexStatus

    class Running:
        status = ReindexStatus(running=True, started_at=time.time() - 3)

        def progress(self) -> dict[str, object]:
            return {"done": 2, "total": 5, "current": "Indexing 2025-demo/housing-report.docx"}

    shown = _run_status(Running())  # type: ignore[arg-type]
    assert (shown["running"], shown["done"], shown["total"]) == (True, 2, 5)
    assert shown["current"] == "2025-demo/housing-report.docx" and 2.5 < shown["elapsed"] < 10
    assert shown["summary"] is None  # no summary while a run goes on
