"""Defects a hostile test of the staff surface found (each test failed before its fix): a describe that never ended,
500s on Unicode digits, a forgeable audit log, a sign-in limit that forwarded headers or concurrency got round."""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from indexer import Settings
from service.console import corpus
from tests.service.console.staff import TOKEN, _csrf, _wait_for_reindex, audit
from tests.support import processes
from tests.support.servers import free_port


def _in_time(function: Any, *args: Any, seconds: float = 5.0) -> Any:
    """``function(*args)``'s result, failing if it has not answered within ``seconds``."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result(timeout=seconds)


# -- 1. a walk up the tree stops at the corpus root ---------------------------------------------------------------

def test_the_catalogue_of_a_file_at_the_corpus_root_is_the_roots(tmp_path: Path) -> None:
    (tmp_path / "root-note.txt").write_text("x", encoding="utf-8")
    assert _in_time(corpus.catalogue_for, tmp_path, "root-note.txt") == tmp_path.resolve() / "catalogue.toml"


def test_describing_a_file_at_the_corpus_root_answers(staff: tuple[httpx.Client, str],
                                                      staff_settings: Settings) -> None:
    http, csrf = staff
    note = staff_settings.corpus_dir / "root-note.txt"
    note.write_text("a note at the corpus root", encoding="utf-8")
    try:
        page = http.get("/admin/describe", params={"path": "root-note.txt"}, timeout=5)
        assert page.status_code == 200
        saved = http.post("/admin/describe", data={"csrf": csrf, "path": "root-note.txt", "title": "Root note"},
                          timeout=5)
        assert saved.status_code == 303
        assert 'title = "Root note"' in (staff_settings.corpus_dir / "catalogue.toml").read_text(encoding="utf-8")
    finally:
        note.unlink()
        (staff_settings.corpus_dir / "catalogue.toml").unlink(missing_ok=True)


def test_serve_bounds_the_shutdown_and_trusts_no_forwarded_header_by_default(
        monkeypatch: pytest.MonkeyPatch, fake_settings: Settings) -> None:
    import uvicorn

    from service.cli.commands import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: seen.update(options))
    monkeypatch.setenv("PASSERELLE_INDEX_DIR", str(fake_settings.index_dir))
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert seen["timeout_graceful_shutdown"] == 10
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] == ""
    monkeypatch.setenv("PASSERELLE_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "127.0.0.1,10.0.0.0/8"


# -- 2. numbers in forms: ASCII digits only -------------------------------------------------------------------

@pytest.mark.parametrize("year", ["202²", "²", "٢٠٢٦", "2_026", "+2026"])
def test_a_year_in_unicode_digits_is_refused_not_a_500(staff: tuple[httpx.Client, str], staff_settings: Settings,
                                                       year: str) -> None:
    http, csrf = staff
    described = http.post("/admin/describe", data={"csrf": csrf, "path": "2024-archive/notes.txt", "year": year})
    assert described.status_code == 400
    created = http.post("/admin/editions", data={"csrf": csrf, "id": "2099-digits", "title": "X", "year": year})
    assert created.status_code == 400
    assert not (staff_settings.corpus_dir / "2099-digits").exists()


def test_a_year_filter_in_unicode_digits_is_a_422(fake_client: httpx.Client) -> None:
    for year in ("٢٠٢٦", "2_026"):
        assert fake_client.get("/search", params={"q": "logement", "year_from": year}).status_code == 422


# -- 3. the audit log cannot be forged ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["report\u2028{}.txt", "a\u2029b.txt", "x\u0085y.txt", "bad\ufffd.txt"])
def test_names_with_line_separators_are_refused(name: str) -> None:
    with pytest.raises(corpus.Refused):
        corpus.safe_name(name)


def test_no_field_can_split_an_audit_line(staff: tuple[httpx.Client, str], staff_settings: Settings) -> None:
    http, csrf = staff
    before = len(audit(staff_settings))
    for name in ("report\u2028{}.txt", "x\u0085y.txt"):
        answer = http.post("/admin/editions/2025-demo/upload", data={"csrf": csrf},
                           files={"files": (name, b"some text")})
        assert answer.status_code == 400
    lines = (staff_settings.index_dir / "audit.jsonl").read_text(encoding="utf-8").split("\n")
    assert all(line.isascii() for line in lines)
    entries = audit(staff_settings)[before:]
    assert [entry["action"] for entry in entries] == ["upload-refused", "upload-refused"]
    assert [entry["files"] for entry in entries] == [["report\u2028{}.txt"], ["x\u0085y.txt"]]
    shown = http.get("/admin/audit").text
    assert shown.count("upload-refused") >= 2 and "<td></td><td></td>" not in shown


def test_refused_csrf_and_too_large_requests_are_audited(staff: tuple[httpx.Client, str],
                                                         staff_settings: Settings) -> None:
    http, _ = staff
    assert http.post("/admin/run", data={"csrf": "wrong"}).status_code == 403
    assert audit(staff_settings)[-1]["action"] == "refused-csrf"
    big = b"x" * (staff_settings.max_upload_request_mb * 2**20 + 1)
    assert http.post("/admin/editions/2025-demo/upload", content=big,
                     headers={"content-type": "application/octet-stream"}).status_code == 413
    assert audit(staff_settings)[-1]["action"] == "refused-too-large"


# -- 4. the sign-in limit counts real addresses, atomically --------------------------------------------------------

def _sign_in_attempts(url: str, count: int, *, forwarded: bool, at_once: bool) -> list[int]:
    clients = [httpx.Client(base_url=url, timeout=30) for _ in range(count)]
    tokens = [_csrf(client.get("/admin/sign-in").text) for client in clients]
    start = threading.Barrier(count if at_once else 1)

    def attempt(n: int) -> int:
        headers = {"X-Forwarded-For": f"203.0.113.{n}"} if forwarded else {}
        start.wait()
        return clients[n].post("/admin/sign-in", data={"csrf": tokens[n], "secret": "wrong guess"},
                               headers=headers).status_code

    try:
        if at_once:
            with concurrent.futures.ThreadPoolExecutor(count) as pool:
                return list(pool.map(attempt, range(count)))
        return [attempt(n) for n in range(count)]
    finally:
        for client in clients:
            client.close()


@pytest.fixture
def served(staff_settings: Settings) -> Any:
    """``passerelle serve`` itself (uvicorn's own handling of forwarded headers), started with more settings."""
    started: list[Any] = []

    def start(**environment: str) -> str:
        port = free_port()
        process = processes.serve(staff_settings, port, PASSERELLE_ADMIN_TOKEN=TOKEN, **environment)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=5) as http:
            processes.wait_healthy(process, http)
        return url

    yield start
    for process in started:
        processes.stop(process)


def test_forged_forwarded_addresses_do_not_reset_the_limit(served: Any) -> None:
    statuses = _sign_in_attempts(served(), 8, forwarded=True, at_once=False)
    assert statuses == [401] * 5 + [429] * 3


def test_a_named_proxy_is_believed(served: Any) -> None:
    statuses = _sign_in_attempts(served(PASSERELLE_TRUSTED_PROXIES="127.0.0.1"), 8, forwarded=True, at_once=False)
    assert statuses == [401] * 8  # eight different clients behind the proxy, one attempt each


def test_concurrent_attempts_are_counted_before_they_are_checked(served: Any) -> None:
    statuses = _sign_in_attempts(served(), 8, forwarded=False, at_once=True)
    assert sorted(statuses) == [401] * 5 + [429] * 3


def test_the_counter_table_is_bounded(fake_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.console import auth as staff_auth

    monkeypatch.setattr(staff_auth, "MAX_CLIENTS", 3)
    guard = staff_auth.StaffAuth(fake_settings)
    assert all(guard.attempt(f"10.0.0.{n}") for n in range(3))
    assert not guard.attempt("10.0.0.99")  # a flood of new addresses is refused, not a reset of every counter
    for _ in range(4):
        assert guard.attempt("10.0.0.0")
    assert not guard.attempt("10.0.0.0")



# -- 9. schema and behaviour agree ------------------------------------------------------------------------------

def test_a_range_the_wrong_way_round_means_the_years_between(fake_client: httpx.Client) -> None:
    both = {"q": "logement", "year_from": 2026, "year_to": 2020}
    answer = fake_client.get("/search", params=both)
    assert answer.status_code == 200
    assert answer.json()["results"] == fake_client.get(
        "/search", params={**both, "year_from": 2020, "year_to": 2026}).json()["results"]
    assert fake_client.get("/documents", params={"year_from": 2026, "year_to": 2020}).status_code == 200


# -- 5, 6, 12. withdrawing: asked first, by any spelling of the path, 410 everywhere for good, restorable ------------

def _id_of(http: httpx.Client, path: str) -> str:
    listing = http.get("/documents", params={"limit": 100}).json()["documents"]
    return next(document["id"] for document in listing if document["path"] == path)


def test_a_withdrawal_by_any_spelling_answers_410_everywhere_and_can_be_undone(
        staff: tuple[httpx.Client, str], staff_settings: Settings, staff_server: str) -> None:
    http, csrf = staff
    path = "2024-archive/notes.txt"
    document_id = _id_of(http, path)
    asked = http.get("/admin/withdraw", params={"path": "2024-archive/./notes.txt"})
    assert asked.status_code == 200 and path in asked.text and 'name="confirm" value="yes"' in asked.text
    done = http.post("/admin/withdraw", data={"csrf": csrf, "path": "2024-archive//./notes.txt", "confirm": "yes"})
    assert done.status_code == 303
    assert not (staff_settings.corpus_dir / path).exists()
    routes = [f"/documents/{document_id}", f"/documents/{document_id}/file", f"/documents/{document_id}/similar",
              f"/documents/{document_id}/cite"]
    for _ in range(2):  # at once, and again after the re-index that forgets the document
        assert [http.get(route).status_code for route in routes] == [410] * 4
        page = http.get(f"/d/{document_id}", headers={"Accept-Language": "en"})
        assert page.status_code == 410 and "withdrawn" in page.text and "re-index" not in page.text
        assert document_id not in {d["id"] for d in http.get("/documents", params={"limit": 100}).json()["documents"]}
        _wait_for_reindex(staff_server)

    listed = http.get("/admin/withdrawn")
    assert listed.status_code == 200 and path in listed.text
    restored = http.post("/admin/restore", data={"csrf": csrf, "path": path})
    assert restored.status_code == 303 and (staff_settings.corpus_dir / path).is_file()
    _wait_for_reindex(staff_server)
    assert [http.get(route).status_code for route in routes] == [200] * 4
    assert http.get(f"/d/{document_id}").status_code == 200
    assert path not in http.get("/admin/withdrawn").text
    actions = [entry["action"] for entry in audit(staff_settings)]
    assert actions.index("withdraw") < actions.index("restore")


def test_withdrawn_files_past_their_retention_are_deleted(tmp_path: Path) -> None:
    import os
    import time

    (tmp_path / "ed").mkdir()
    for name in ("old.txt", "new.txt"):
        (tmp_path / "ed" / name).write_text("x", encoding="utf-8")
        corpus.withdraw(tmp_path, f"ed/{name}", "move")
    old = tmp_path / "_withdrawn" / "ed" / "old.txt"
    os.utime(old, (time.time() - 31 * 86_400,) * 2)
    assert [item.original for item in corpus.withdrawn_files(tmp_path, 30)] == ["ed/new.txt"]
    assert not old.exists()
    with pytest.raises(corpus.Refused):
        corpus.restore(tmp_path, "ed/old.txt", 30)


# -- 7. an upload cut short leaves nothing behind -------------------------------------------------------------

def test_an_upload_cut_short_is_cleared_when_the_service_starts(staff_settings: Settings,
                                                                fake_embedder: Any) -> None:
    import os
    import time

    from tests.support.servers import run_server

    left = staff_settings.corpus_dir / "2025-demo" / ".upload-abc123.pdf"
    left.write_bytes(b"%PDF-1.4 half")
    os.utime(left, (time.time() - 3600,) * 2)
    fresh = staff_settings.corpus_dir / "2025-demo" / ".upload-now.txt"  # another service's upload in progress
    fresh.write_bytes(b"writing")
    try:
        with run_server(staff_settings, fake_embedder):
            assert not left.exists() and fresh.exists()
    finally:
        fresh.unlink(missing_ok=True)


# -- 8. names that would be taken for another ---------------------------------------------------------------------

@pytest.mark.parametrize("names", [["Collide.txt", "collide.txt"], ["report.txt", "rероrt.txt"]])
def test_names_alike_in_one_upload_are_refused(tmp_path: Path, fake_settings: Settings, names: list[str]) -> None:
    import io

    with pytest.raises(corpus.Refused) as refused:
        corpus.save_uploads(tmp_path, [corpus.Upload(name, io.BytesIO(b"text")) for name in names], fake_settings,
                            replace=False)
    assert refused.value.key == "staff.refused.twice" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["NOTES.TXT", "nоtes.txt", "ｎｏｔｅｓ.txt"])  # upper case, Cyrillic о, full width
def test_a_name_that_only_looks_like_an_existing_one_is_refused(tmp_path: Path, fake_settings: Settings,
                                                                name: str) -> None:
    import io

    (tmp_path / "notes.txt").write_text("the first", encoding="utf-8")
    for replace in (False, True):
        with pytest.raises(corpus.Refused) as refused:
            corpus.save_uploads(tmp_path, [corpus.Upload(name, io.BytesIO(b"other"))], fake_settings, replace=replace)
        assert refused.value.key == "staff.refused.look_alike" and refused.value.values["other"] == "notes.txt"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
    kept = corpus.save_uploads(tmp_path, [corpus.Upload("Résumé.txt", io.BytesIO(b"x"))], fake_settings,
                               replace=False)
    assert [path.name for path in kept] == ["Résumé.txt"]  # accents are letters of their own


# -- the run summary in the console's language --------------------------------------------------------------------

def test_the_run_summary_speaks_french_with_a_decimal_comma() -> None:
    from service.console.routes import _reason
    from service.web import i18n

    duplicate = {"path": "b.pdf", "reason": "duplicate", "message": "same content as 2025/a.pdf"}
    assert _reason("fr", duplicate) == "même contenu que 2025/a.pdf"
    assert _reason("de", {"path": "x.pdf", "reason": "encrypted", "message": "encrypted PDF"}) == \
        "Datei mit Passwort geschützt"
    assert _reason("fr", {"path": "x", "reason": "something new", "message": "as the indexer says"}) == \
        "as the indexer says"
    assert i18n.decimal("fr", 0.04) == "0,0" and i18n.decimal("de", 12.25) == "12,2"
    assert i18n.decimal("en", 3.0) == "3.0"
    page = i18n.translate("fr", "staff.run.counts", documents=1, added=0, changed=0, removed=0, unchanged=1,
                          seconds=i18n.decimal("fr", 0.0))
    assert "(0,0 s)" in page
    assert i18n.translate("fr", "punct.colon") == "\u00a0: "


# -- found by review: a re-index that read a file before its withdrawal, the catalogue with the entry, names -------

def test_a_document_withdrawn_while_a_run_had_read_it_stays_hidden(tmp_path: Path, fake_embedder: Any) -> None:
    """The generation a running re-index writes may still hold a file withdrawn meanwhile: it is hidden in it too."""
    from indexer import index_corpus
    from service import withdrawals
    from service.runtime.live import LiveIndex
    from tests.documents import write_small_corpus

    corpus = write_small_corpus(tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", ocr=False)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    live = LiveIndex(settings, fake_embedder)
    record = next(iter(live.index.all_documents()))
    withdrawals.record_withdrawn(settings.index_dir, [record.id], record.path)  # withdrawn before the run ended
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings, full=True)
    assert live.reload() and live.index.document(record.id) is not None  # the new generation holds it…
    assert record.id in live.searcher.hidden  # …and hides it
    withdrawals.record_restored(settings.index_dir, [record.id], record.path)
    assert live.reload(force=True) is False and record.id not in LiveIndex(settings, fake_embedder).searcher.hidden


def test_describe_edits_the_catalogue_whose_entry_the_indexer_reads(tmp_path: Path) -> None:
    edition = tmp_path / "ed"
    (edition / "sub").mkdir(parents=True)
    (edition / "sub" / "a.txt").write_text("a", encoding="utf-8")
    (edition / "catalogue.toml").write_text(
        '[[documents]]\nfile = "sub/a.txt"\ntitle = "Real title"\nsupervisor = "Léa"\n', encoding="utf-8")
    (edition / "sub" / "catalogue.toml").write_text('[[documents]]\nfile = "b.txt"\ntitle = "B"\n', encoding="utf-8")
    assert corpus.catalogue_for(tmp_path, "ed/sub/a.txt") == (edition / "catalogue.toml").resolve()
    assert corpus.description(tmp_path, "ed/sub/a.txt") == {"title": "Real title"}
    corpus.describe(tmp_path, "ed/sub/a.txt", {"title": "Better title"})
    text = (edition / "catalogue.toml").read_text(encoding="utf-8")
    assert 'title = "Better title"' in text and 'supervisor = "Léa"' in text


def test_a_name_that_looks_stamped_is_restored_where_it_was(tmp_path: Path) -> None:
    (tmp_path / "ed").mkdir()
    for _ in range(2):  # the same name withdrawn twice, within a second
        (tmp_path / "ed" / "scan.20240101-120000.txt").write_text("x", encoding="utf-8")
        corpus.withdraw(tmp_path, "ed/scan.20240101-120000.txt", "move")
    listed = corpus.withdrawn_files(tmp_path, 30)
    assert len(listed) == 2 and {item.original for item in listed} == {"ed/scan.20240101-120000.txt"}
    assert corpus.restore(tmp_path, listed[0].path, 30) == "ed/scan.20240101-120000.txt"
