"""The staff console in a real browser (Debian's Chromium, Playwright): sign in, create an edition, upload two PDFs
and a DOCX, correct a title, re-index while the public page is searched, find the new documents, withdraw one (gone
from the results, its file 410), sign out. Screenshots under test-output/screenshots/ (the README's come from here)."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from indexer import FakeEmbedder, Settings, index_corpus
from tests.conftest import REPO
from tests.documents import pdf_bytes, write_docx
from tests.support.servers import run_server

pytestmark = pytest.mark.slow  # a real browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "test-output" / "screenshots"
TOKEN = "browser-staff-token-0123456789"
TITLE = "Gemeinschaftsgarten im Quartier"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: apt-get install chromium chromium-driver")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path,
                   fake_embedder: FakeEmbedder) -> Iterator[str]:
    root = tmp_path_factory.mktemp("staff-browser")
    corpus = root / "corpus"
    shutil.copytree(small_corpus, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", admin_token=TOKEN, ocr=False)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    with run_server(settings, fake_embedder) as url:
        yield url


def _wait_for_summary(page: Any) -> None:
    # The page follows the run by itself (script, or the meta refresh without one) and ends on the summary.
    page.locator("#run-summary").wait_for(timeout=TIMEOUT_MS)


def test_staff_publish_an_edition_and_withdraw_a_document(browser: Any, console_server: str,
                                                          tmp_path: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"staff-{name}.png"), full_page=True)

    programme = tmp_path / "programme-2027.pdf"
    programme.write_bytes(pdf_bytes(["Programm 2027. Gemeinschaftsgarten: Workshop am Nachmittag."],
                                    title="Programm 2027"))
    garden = tmp_path / "garten.pdf"
    garden.write_bytes(pdf_bytes([f"{TITLE}. Gemeinschaftsgarten und Nachbarschaftshilfe im Viertel.",
                                  "Die Beete werden von den Nachbarn gemeinsam gepflegt."], title="Entwurf"))
    notes = tmp_path / "notizen.docx"
    write_docx(notes, title="Notizen", heading="Notizen",
               paragraphs=["Quartiersarbeit: Notizen zum Gemeinschaftsgarten und zu den Nachbarn."])

    context = browser.new_context(base_url=console_server, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/admin")
        assert page.url.endswith("/admin/sign-in")
        shot("01-sign-in")
        page.fill("#name", "Browser Test")
        page.fill("#secret", TOKEN)
        page.click("form[action='/admin/sign-in'] button[type=submit]")
        page.wait_for_url("**/admin")
        assert page.locator("h1").inner_text() == "Staff console"
        shot("02-console")

        page.fill("#edition-id", "2027-garten")
        page.fill("#edition-title", "Journée 2027")
        page.fill("#edition-year", "2027")
        page.click("form[action='/admin/editions'] button[type=submit]")
        page.wait_for_url("**/admin/editions/2027-garten?done=created")
        page.set_input_files("#files", [str(programme), str(garden), str(notes)])
        shot("03-edition")
        page.click("button[data-action=upload]")
        page.wait_for_url("**/admin/editions/2027-garten?done=uploaded*")
        for name in ("programme-2027.pdf", "garten.pdf", "notizen.docx"):
            assert page.locator("td", has_text=f"2027-garten/{name}").count() == 1
        shot("04-uploaded")

        # The PDF says "Entwurf" (draft) for its title: staff correct it in the catalogue.
        page.locator("tr", has_text="2027-garten/garten.pdf").get_by_role("link").first.click()
        page.wait_for_url(re.compile(r"/admin/describe\?path="))
        page.fill("#d-title", TITLE)
        shot("05-describe")
        page.click("button[data-action=describe]")
        page.wait_for_load_state("load")

        # Re-index while the public page is searched all along: no search may fail.
        outcomes: list[int] = []
        stop = threading.Event()

        def search_loop() -> None:
            with httpx.Client(base_url=console_server, timeout=30) as http:
                while not stop.is_set():
                    outcomes.append(http.get("/", params={"q": "Gemeinschaftsgarten Nachbarn"}).status_code)

        searcher = threading.Thread(target=search_loop)
        searcher.start()
        try:
            page.goto("/admin/run")
            page.click("button[data-action=reindex]")
            _wait_for_summary(page)
        finally:
            stop.set()
            searcher.join()
        assert outcomes and set(outcomes) == {200}, f"searches during the re-index: {outcomes}"
        assert "3 added" in page.locator("#run-summary").inner_text()
        shot("06-reindexed")

        page.goto("/?q=Gemeinschaftsgarten&mode=keyword&lang=en")
        found = page.locator("#results .hit", has_text=TITLE)
        assert found.count() == 1  # under its corrected title
        assert page.locator("#results .hit", has_text="Notizen").count() == 1
        file_url = found.locator("a", has_text="Open the file").first.get_attribute("href")
        assert file_url and page.request.get(file_url.split("#")[0]).status == 200
        shot("07-found")

        page.goto("/admin/editions/2027-garten")
        page.locator("tr", has_text="2027-garten/garten.pdf").locator("a[data-action=withdraw]").click()
        page.wait_for_url("**/admin/withdraw?path=**")  # asked first
        page.locator("button[data-action=withdraw]").click()
        page.wait_for_url("**/admin/run?done=withdrawn*")
        _wait_for_summary(page)
        shot("08-withdrawn")
        page.goto("/?q=Gemeinschaftsgarten&mode=keyword&lang=en")
        assert page.locator("#results .hit", has_text=TITLE).count() == 0
        assert page.request.get(file_url.split("#")[0]).status == 410

        page.goto("/admin/audit")
        assert page.locator("td", has_text="withdraw").count() >= 1
        shot("09-audit")
        page.click("button[data-action=sign-out]")
        page.wait_for_url("**/admin/sign-in?done=signed-out")
        shot("10-signed-out")
        page.goto("/admin")
        assert page.url.endswith("/admin/sign-in")
    finally:
        context.close()
    assert errors == []  # no script error, no policy violation
