"""The web page in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).

The page is served from the fake embedder's index: what it does with results does not depend on their meaning.
Marked slow for the browser itself: the module takes 15 to 20 s on two cores (Chromium starts, then 0.5 to 3 s a
test), a third of what the fast set may take; ``tests/service/web/test_pages.py`` checks the same pages' HTML in
the fast set.

Screenshots of the main states are saved under ``test-output/screenshots/`` for review.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # a real browser, not the real model

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "test-output" / "screenshots"
GERMAN_THESIS = "Schulische Integration von Kindern mit Migrationshintergrund"
GERMAN_QUESTION = "Wie gelingt's mit der Integration von Kindern in der Schule?"  # its words are the thesis's
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: install Debian's packages "
                    "(apt-get install chromium chromium-driver; .ci/run does) to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is missing: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A browser page, and what it asked the network for and complained about."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def results(self) -> Any:
        return self.page.locator("#results .hit")


@contextmanager
def _open(browser: Any, server: str, **options: Any) -> Iterator[Tab]:
    """A fresh browser context (no cookies) with one page, checked when done."""
    context = browser.new_context(base_url=server, **{"locale": "en-GB", "viewport": {"width": 1280, "height": 900},
                                                      **options})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page, server)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
    # Everything the page loads comes from the service itself, and the page runs without errors
    # (the browser logs the 404 and 422 answers of the error pages themselves: those are expected).
    outside = [url for url in tab.requests if not url.startswith(server) and not url.startswith("data:")]
    assert outside == [], f"requests outside the service: {outside}"
    assert [e for e in tab.errors if "status of 4" not in e] == []


@pytest.fixture
def tab(browser: Any, fake_server: str) -> Iterator[Tab]:
    with _open(browser, fake_server) as tab:
        yield tab


def test_type_a_query_and_see_results_as_you_type(tab: Tab) -> None:
    page = tab.page
    page.goto("/")
    tab.shot("01-empty")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("document.activeElement.id") == "q"  # the empty page is ready for typing
    page.locator("#q").press_sequentially(GERMAN_QUESTION, delay=15)
    page.wait_for_function("() => document.querySelector('#results.view-results')")
    page.wait_for_url(re.compile(r"q=Wie"))
    page.wait_for_function("t => document.querySelector('#results .hit-title').textContent.trim() === t",
                           arg=GERMAN_THESIS)
    first = tab.results().first
    assert first.locator(".hit-title a").get_attribute("lang") == "de"
    assert first.locator(".passage").get_attribute("lang") == "de"
    assert re.match(r"page \d", first.locator(".page-number").inner_text())
    assert page.locator("#results mark").count() > 0
    assert "matching document" in page.locator("#status").inner_text()  # told to screen readers too
    assert page.title().startswith("Wie gelingt's")
    assert page.evaluate("document.activeElement.id") == "q"  # typing was never interrupted
    tab.shot("02-results")
    # The URL is the search: opening it again gives the same page, without the script's help.
    fresh = page.context.new_page()
    fresh.goto(page.url)
    assert fresh.locator("#results .hit-title").first.inner_text() == GERMAN_THESIS
    fresh.close()
    # Enter searches at once; clearing the box brings back the empty page.
    page.locator("#q").fill("Eeler Leit doheem")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q=Eeler"))
    page.wait_for_function("t => document.querySelector('#results .hit-title').textContent.trim() === t",
                           arg="Eeler Leit doheem")
    page.locator("#q").fill("")
    page.wait_for_function("() => document.querySelector('#results.view-empty')")
    assert page.url == tab.base + "/"


def test_enter_searches_and_the_form_works_without_javascript(browser: Any, fake_server: str) -> None:
    with _open(browser, fake_server, java_script_enabled=False) as tab:
        page = tab.page
        page.goto("/")
        page.locator("#q").fill("Eeler Leit doheem")
        page.locator("#q").press("Enter")
        page.wait_for_url(re.compile(r"q=Eeler"))
        assert tab.results().first.locator(".hit-title").inner_text() == "Eeler Leit doheem"
        page.locator('a[data-key="type=document"]').click()
        page.wait_for_url(re.compile(r"type=document"))
        assert tab.results().count() >= 1
        tab.shot("03-no-javascript")


def test_click_a_facet_to_narrow_and_again_to_widen(tab: Tab) -> None:
    page = tab.page
    page.goto("/?q=intelligence artificielle Housing")
    everything = tab.results().count()
    slides = page.locator('a[data-key="type=slides"]')
    slides.click()
    page.wait_for_url(re.compile(r"type=slides"))
    page.wait_for_function("() => document.querySelectorAll('#results .hit').length === 1")
    assert tab.results().first.locator(".tag").inner_text() == "slides"
    selected = page.locator('a[data-key="type=slides"]')
    assert selected.get_attribute("aria-current") == "true"
    assert page.evaluate("document.activeElement.getAttribute('data-key')") == "type=slides"  # focus stays
    assert page.locator('#hidden-params input[name="type"]').get_attribute("value") == "slides"
    tab.shot("04-facet-selected")
    # Another language facet narrows further; the chip removes one filter.
    selected.click()
    page.wait_for_function(f"() => document.querySelectorAll('#results .hit').length === {everything}")
    assert "type=" not in page.url
    # Back and forward go through the searches.
    page.go_back()
    page.wait_for_url(re.compile(r"type=slides"))
    page.wait_for_function("() => document.querySelectorAll('#results .hit').length === 1")
    page.go_forward()
    page.wait_for_function(f"() => document.querySelectorAll('#results .hit').length === {everything}")


def test_a_question_nothing_answers_is_told_plainly_with_the_nearest_documents_apart(tab: Tab) -> None:
    page = tab.page
    page.goto("/?lang=fr")
    page.locator("#q").fill("recette de tarte aux pommes")
    page.locator("#q").press("Enter")
    page.wait_for_function("() => document.querySelector('#results.view-nomatch')")
    assert page.locator("#results-title").inner_text() == "Aucun document ne correspond vraiment à votre question"
    assert page.locator("#related-title").inner_text() == "Documents les plus proches"
    assert page.locator("#status").inner_text() == "Aucun document ne correspond vraiment à votre question"
    assert tab.results().count() == page.locator("#results .hit-related").count() > 0
    assert page.locator(".facet-option").count() == 0  # no counts of documents that do not match
    assert re.fullmatch(r"Trouvé par le sens \(document en \w+\)", tab.results().first.locator(".why").inner_text())
    tab.shot("06-nothing-fits")


def test_each_result_says_why_it_was_found(tab: Tab) -> None:
    page = tab.page
    page.goto("/?q=Housing First homelessness")
    first = tab.results().first
    assert first.locator(".why").inner_text().startswith("Contains: Housing, First")
    assert page.locator("#related-title").inner_text() == "Other related documents"
    assert page.locator("#results-title").inner_text().startswith("2 matching documents")
    tab.shot("07-why")


def test_results_as_you_type_wait_for_a_whole_word(tab: Tab) -> None:
    page = tab.page
    page.goto("/")
    page.locator("#q").press_sequentially("des je", delay=40)
    page.wait_for_timeout(900)  # well past the pause after which an unfinished word of three letters is searched
    assert page.locator("#results.view-empty").count() == 1
    assert not [url for url in tab.requests if "q=" in url], "a fragment was searched"
    # "des " alone was a finished word, but means nothing: the page kept waiting instead of showing an error.
    page.locator("#q").press_sequentially("unes Housing", delay=40)
    page.wait_for_function("() => document.querySelector('#results.view-results')")
    assert "q=des+jeunes+Housing" in page.url


def test_open_a_document_page(tab: Tab) -> None:
    page = tab.page
    page.goto("/?q=" + GERMAN_QUESTION)
    page.locator("#results .hit-title a").first.click()
    page.wait_for_url(re.compile(r"/d/[0-9a-f]+"))
    assert page.locator("h1").inner_text() == GERMAN_THESIS
    assert page.locator("h1").get_attribute("lang") == "de"
    assert page.locator(".doc-page").count() == 2
    assert page.locator(".doc-passage[lang=de]").count() >= 2
    assert "Lena Hoffmann" in page.locator(".metadata").inner_text()
    file_link = page.locator("a.button").get_attribute("href")
    assert page.request.get(tab.base + file_link).status == 200
    related = page.locator("#similar li a")
    assert related.count() >= 3
    tab.shot("05-document")
    title = related.first.inner_text()
    related.first.click()
    page.wait_for_function("t => document.querySelector('h1').textContent.trim() === t", arg=title)
    page.locator(".back a").click()
    page.wait_for_url(re.compile(r"/\?q=Wie"))
    assert tab.results().count() > 0


def test_a_result_opens_its_document_at_the_passage_with_the_words_marked(browser: Any, fake_server: str) -> None:
    # A short window, so the document's text starts below the fold and the page has to scroll to the passage.
    with _open(browser, fake_server, viewport={"width": 1280, "height": 420}) as tab:
        page = tab.page
        page.goto("/?q=Eeler Leit Eesamkeet")
        page.locator("#results .hit-title a", has_text="Eeler Leit doheem").first.click()
        page.wait_for_url(re.compile(r"/d/[0-9a-f]+\?q=[^#]+#p-\d+$"))
        page.wait_for_load_state("load")
        assert page.locator(".doc-body h2").first.inner_text() == "Eeler Leit doheem"  # Markdown, formatted
        assert page.locator(".doc-body strong mark").inner_text() == "Eesamkeet"
        page.wait_for_function("() => window.scrollY > 0")
        place = page.evaluate("""() => {
            const title = document.querySelector('h1').getBoundingClientRect();
            const target = document.getElementById(decodeURIComponent(location.hash.slice(1))).getBoundingClientRect();
            return {titleTop: title.top, titleBottom: title.bottom, top: target.top, bottom: target.bottom,
                    height: window.innerHeight};
        }""")
        tab.shot("06-document-at-passage")
        assert place["titleTop"] >= 0 and place["titleBottom"] <= place["height"], place  # the title is on screen
        assert place["titleBottom"] <= place["top"] < place["height"], place  # the passage is below it, visible


def test_a_pdf_opens_in_the_browsers_viewer_under_the_services_policy(browser: Any, fake_server: str) -> None:
    # Not through _open: the viewer loads its own chrome:// and extension files, which that helper counts as
    # requests outside the service.
    context = browser.new_context(base_url=fake_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto("/?q=" + GERMAN_QUESTION)
        pdf = page.locator("#results .hit a[href*='/file#page=']").first.get_attribute("href")
        response = page.goto(pdf)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        # The viewer (an extension frame) shows the file in a frame of its own: the policy must stop neither.
        target = fake_server + pdf.split("#")[0]
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while sum(frame.url.split("#")[0] == target for frame in page.frames) < 2:
            assert time.monotonic() < deadline, [frame.url for frame in page.frames]
            page.wait_for_timeout(100)
        assert any(frame.url.startswith("chrome-extension://") for frame in page.frames)
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "05b-pdf.png"))
    finally:
        context.close()
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []


def test_switch_the_interface_language(tab: Tab) -> None:
    page = tab.page
    page.goto("/")
    page.locator("#q").press_sequentially("Housing", delay=15)
    page.wait_for_function("() => document.querySelector('#results.view-results')")
    page.locator('.switcher a[data-lang="de"]').click()  # the switcher follows the typed search
    page.wait_for_url(re.compile(r"lang=de"))
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("label[for=q]").inner_text() == "In den Dokumenten suchen"
    assert page.locator("#q").input_value() == "Housing"
    assert "Englisch" in page.locator(".facets").inner_text()
    assert page.locator('.switcher a[aria-current="true"]').get_attribute("data-lang") == "de"
    tab.shot("06-german")
    # The choice is remembered on the next pages.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.locator('.switcher a[data-lang="fr"]').click()
    page.wait_for_url(re.compile(r"lang=fr"))
    assert page.locator("button[type=submit]").inner_text() == "Rechercher"


def test_too_long_and_no_result_states(tab: Tab) -> None:
    page = tab.page
    response = page.goto("/?q=" + "x" * 201)
    assert response is not None and response.status == 422
    assert "Your search is too long" in page.locator(".state-error").inner_text()
    tab.shot("07-too-long")
    page.locator("#q").fill("Housing")  # corrected, the results come
    page.wait_for_function("() => document.querySelector('#results.view-results')")
    page.locator("#q").fill("Housing " * 30)  # too long while typing: the same message, at once
    page.wait_for_function("() => document.querySelector('#results.view-error')")
    assert "Your search is too long (239 characters)" in page.locator(".state-error").inner_text()
    assert "too long" in page.locator("#status").inner_text()
    page.goto("/?q=logement&type=thesis&language=en")
    assert "No result — try fewer words or another language." in page.locator(".state-none").inner_text()
    tab.shot("08-no-result")
    page.locator(".state-none a").click()
    page.wait_for_function("() => document.querySelector('#results.view-nomatch')")  # the fake knows no meaning
    assert "type=" not in page.url and "language=" not in page.url
    response = page.goto("/d/nope")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Document not found"
    tab.shot("09-not-found")


def test_keyboard_alone(tab: Tab) -> None:
    page = tab.page
    page.goto("/?q=Housing")
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert skip == ["skip", "#results"]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert page.locator(".skip").bounding_box()["y"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    # From the results, Tab reaches the filters (their fold first), then the facets; Enter follows a facet.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-key') || ''")
    assert focused.startswith("type=")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"type="))
    assert page.evaluate("document.activeElement.getAttribute('data-key')") == focused
    tab.shot("10-keyboard-focus")


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(foreground: str, background: str) -> float:
    def parse(color: str) -> tuple[float, float, float]:
        red, green, blue = (float(v) for v in re.findall(r"[\d.]+", color)[:3])
        return red, green, blue

    lighter, darker = sorted((_luminance(parse(foreground)), _luminance(parse(background))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_good(tab: Tab) -> None:
    page = tab.page
    page.goto("/?q=" + GERMAN_QUESTION)
    colours = page.evaluate("""() => {
        const background = el => {
            for (; el; el = el.parentElement) {
                const c = getComputedStyle(el).backgroundColor;
                if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
            }
            return 'rgb(255, 255, 255)';
        };
        const pick = s => {
            const el = document.querySelector(s);
            return [s, getComputedStyle(el).color, background(el)];
        };
        return ['body', '.hit-title a', '.meta', '.count', '.hint', 'mark', '.tag', '.brand a', '.switcher a',
                '.page-number', 'footer.site p', '.facet h3', 'label[for=q]', '.switcher a[aria-current]'].map(pick);
    }""")
    for selector, foreground, background in colours:
        minimum = 7 if selector in ("body", ".hit-title a") else 4.5
        assert _contrast(foreground, background) >= minimum, (selector, foreground, background)


def test_readable_on_a_phone(browser: Any, fake_server: str) -> None:
    with _open(browser, fake_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as tab:
        page = tab.page
        page.goto("/?q=" + GERMAN_QUESTION)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
        details = page.locator("#facet-details")
        assert details.get_attribute("open") is None  # the filters fold away on a small screen
        tab.shot("11-phone-results")
        page.locator("#facet-details summary").click()
        assert details.get_attribute("open") is not None
        box = page.locator('a[data-key^="type="]').first.bounding_box()
        assert box and box["height"] >= 24  # big enough to tap
        page.locator("#results .hit-title a").first.click()
        page.wait_for_url(re.compile(r"/d/"))
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        tab.shot("12-phone-document")


def test_more_results(tab: Tab) -> None:
    page = tab.page
    page.goto("/?q=logement&k=2")
    assert tab.results().count() == 2
    page.locator(".more a").click()
    page.wait_for_url(re.compile(r"k=12"))
    page.wait_for_function("() => document.querySelectorAll('#results .hit').length === 6")
    assert page.evaluate("document.activeElement.id") == "hit-3"  # on the first new result
    assert page.locator(".more").count() == 0


def _titles(tab: Tab) -> list[str]:
    return [title.strip() for title in tab.page.locator("#results .hit-title").all_inner_texts()]


def test_browse_the_theses_from_the_start_page_and_open_an_author(tab: Tab) -> None:
    page = tab.page
    page.goto("/")
    assert page.locator(".start-editions a", has_text="Journée 2025").count() == 1  # the catalogue's title
    page.locator('.start a[data-key="type=thesis"]').click()
    page.wait_for_url(re.compile(r"/\?type=thesis$"))
    assert _titles(tab) == [GERMAN_THESIS]
    assert page.locator("#q").input_value() == ""  # no query: the documents of the type
    assert page.locator("#results .meta").first.inner_text().count("Journée 2025") == 1
    tab.shot("13-browse-theses")
    page.locator("#results .meta a.browse-link", has_text="Lena Hoffmann").click()
    page.wait_for_url(re.compile(r"by=Lena\+Hoffmann"))
    assert page.locator("#results-title").inner_text().startswith("Documents by Lena Hoffmann")
    assert sorted(_titles(tab)) == sorted([GERMAN_THESIS, "Housing First report"])
    coauthor = page.locator(".coauthors a", has_text="Sam Taylor")
    assert coauthor.count() == 1
    tab.shot("14-author")
    coauthor.click()
    page.wait_for_url(re.compile(r"by=Sam\+Taylor"))
    assert _titles(tab) == ["Housing First report"]


def test_sort_a_list_by_year(tab: Tab) -> None:
    page = tab.page
    page.goto("/?language=en")
    newest = _titles(tab)
    assert len(newest) == 2
    assert page.locator('.sort a[aria-current="true"]').inner_text() == "newest first"
    page.locator(".sort a", has_text="oldest first").click()
    page.wait_for_url(re.compile(r"sort=oldest"))
    assert _titles(tab) == list(reversed(newest))
    assert page.locator('.sort a[aria-current="true"]').inner_text() == "oldest first"
    # A search sorted by year keeps its matches: the same documents, in another order.
    page.goto("/?q=intelligence artificielle Housing")
    matches = sorted(page.locator("#results .hits:not(.hits-related) .hit-title").all_inner_texts())
    page.locator(".sort a", has_text="newest first").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    assert sorted(page.locator("#results .hits:not(.hits-related) .hit-title").all_inner_texts()) == matches
    tab.shot("15-sorted-by-year")


def test_cite_a_document_and_copy_its_bibtex(browser: Any, fake_server: str) -> None:
    with _open(browser, fake_server, permissions=["clipboard-read", "clipboard-write"]) as tab:
        page = tab.page
        page.goto("/?q=" + GERMAN_QUESTION)
        tab.results().first.get_by_role("link", name="Cite", exact=True).click()
        page.wait_for_url(re.compile(r"/d/[0-9a-f]+\?q=[^#]+#cite$"))
        section = page.locator("#cite")
        assert section.locator("#cite-apa i").inner_text() == GERMAN_THESIS  # the title in italics, as APA asks
        bibtex = section.locator("#cite-bibtex").inner_text()
        assert bibtex.startswith("@mastersthesis{Hoffmann2025Schulische,")
        copy = section.get_by_role("button", name="Copy").nth(1)  # shown by cite.js; the second is BibTeX's
        copy.click()
        status = section.locator(".cite-status").nth(1)
        page.wait_for_function("s => s.textContent === 'Copied'", arg=status.element_handle())
        assert page.evaluate("navigator.clipboard.readText()") == bibtex
        section.get_by_role("button", name="Copy").first.click()
        page.wait_for_function("() => document.querySelector('.cite-status').textContent === 'Copied'")
        apa = page.evaluate("navigator.clipboard.readText()")
        assert apa.startswith(f"Hoffmann, L. (2025). {GERMAN_THESIS} [Thesis]. http") and "<i>" not in apa
        tab.shot("13-cite")


def test_a_french_question_finds_the_german_thesis_and_says_why(browser: Any, server: str) -> None:
    """End to end with the real model: a French question finds the German thesis that answers it first, marked a
    match, and the page says why."""
    with _open(browser, server, locale="fr-FR") as tab:
        tab.page.goto("/?q=" + "comment aider les enfants immigrés à s'intégrer à l'école".replace(" ", "+"))
        first = tab.results().first
        first.wait_for()
        assert GERMAN_THESIS in first.inner_text()
        assert "hit-related" not in (first.get_attribute("class") or "")  # a match, not only related
        assert tab.page.locator("#results .hits:not(.hits-related) .hit-title").first.inner_text() == GERMAN_THESIS
        # Why: the one word the question shares with it once folded ("intégrer", "Integration"), or its meaning.
        assert first.locator(".why").inner_text() in ("Contient : Integration",
                                                      "Trouvé par le sens (document en allemand)")
        tab.shot("real-model-cross-lingual")
        assert not tab.errors
