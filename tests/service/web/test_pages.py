"""The web page's HTML over real HTTP: states, facets, errors, languages (no browser needed), served from the fake
embedder's index (documents are found by the words they share with the query)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

GERMAN_THESIS = "Schulische Integration von Kindern mit Migrationshintergrund"
GERMAN_QUESTION = "Wie gelingt's mit der Integration von Kindern in der Schule?"  # its words are the thesis's


def _get(client: httpx.Client, params: dict | list | None = None, *, lang: str = "en",
         **headers: str) -> httpx.Response:
    return client.get("/", params=params, headers={"Accept-Language": lang, **headers})


def _facet_links(page: str) -> dict[str, tuple[str, bool]]:
    """``"type=thesis"`` → (href, selected) for every facet link of a page."""
    links = {}
    for match in re.finditer(r'<a href="([^"]+)" class="facet-option( selected)?"[^>]*data-key="([^"]+)"', page):
        links[html.unescape(match.group(3))] = (html.unescape(match.group(1)), bool(match.group(2)))
    return links


def _pairs(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def test_empty_page_says_what_to_do(fake_client: httpx.Client) -> None:
    response = _get(fake_client)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="en">' in page
    assert '<label for="q">Search the documents</label>' in page
    assert 'id="q" name="q"' in page and 'role="search"' in page
    assert 'class="skip" href="#results"' in page and 'id="results"' in page
    assert "What are you looking for?" in page and "6 documents indexed." in page
    assert 'name="viewport"' in page


def test_results_show_what_a_reader_needs(fake_client: httpx.Client) -> None:
    response = _get(fake_client, {"q": GERMAN_QUESTION})
    assert response.status_code == 200
    page = response.text
    first = page.split('<li class="hit">')[1]
    assert GERMAN_THESIS in first and 'lang="de"' in first  # the title and passage in the document's language
    assert "thesis" in first and "Journée 2025" in first and "2025" in first and "German" in first
    assert ">2025-demo<" not in first  # the edition by its catalogue title, not its folder
    assert re.search(r'by <a href="/\?by=Lena\+Hoffmann[^"]*" class="browse-link">Lena Hoffmann</a>', first)
    assert re.search(r'class="passage" lang="de"', first)
    assert re.search(r'class="page-number">page \d', first)
    file_link = re.search(r'href="(/documents/[0-9a-f]+/file#page=(\d+))">Open the file at page (\d+)<', first)
    assert file_link and file_link.group(2) == file_link.group(3)
    assert re.search(r'href="/d/[0-9a-f]+\?q=[^"#]+#similar">Similar documents<', first)
    assert re.search(r'href="/d/[0-9a-f]+\?q=[^"#]+#p-\d+"', first)
    assert "<mark>Integration</mark>" in first and "<mark>Kindern</mark>" in first  # the query's words
    assert "<title>Wie gelingt&#39;s mit der Integration von Kindern in der Schule? — Passerelle</title>" in page


# Four documents match it with the fake embedder (two English, two French; three "document", one "slides").
BROAD = "intelligence artificielle Housing"


def test_facets_have_counts_and_links_that_narrow(fake_client: httpx.Client) -> None:
    page = _get(fake_client, {"q": BROAD}).text
    links = _facet_links(page)
    assert set(links) == {"type=document", "type=slides", "language=en", "language=fr", "edition=2024-archive",
                          "edition=2025-demo", "year=2024", "year=2025"}  # the matches' values only
    href, selected = links["type=slides"]
    assert not selected and _pairs(href) == [("q", BROAD), ("type", "slides")]
    assert re.search(r'data-key="language=en">\s*<span class="box" aria-hidden="true"></span>\s*'
                     r'<span class="facet-label">English</span>\s*<span class="count">2<', page)


def test_a_facet_value_narrows_and_unclicking_it_widens(fake_client: httpx.Client) -> None:
    wide = _get(fake_client, {"q": BROAD}).text
    narrow_response = _get(fake_client, {"q": BROAD, "type": "slides"})
    narrow = narrow_response.text
    assert narrow_response.status_code == 200
    assert narrow.count('<li class="hit') == 1 < wide.count('<li class="hit')
    links = _facet_links(narrow)
    href, selected = links["type=slides"]
    assert selected and _pairs(href) == [("q", BROAD)]  # un-click: the filter goes
    assert 'aria-current="true"' in narrow
    # The other types stay offered (with their counts without the type filter), to widen the choice.
    href, selected = links["type=document"]
    assert not selected and _pairs(href) == [("q", BROAD), ("type", "slides"), ("type", "document")]
    # The filter shows as a removable chip, and the form carries it into the next search.
    assert "Filters in use:" in narrow and "Type: slides" in narrow
    assert '<input type="hidden" name="type" value="slides">' in narrow
    both = _get(fake_client, [("q", BROAD), ("type", "slides"), ("type", "document")]).text
    assert both.count('<li class="hit') == 5


def test_no_result_says_what_to_try(fake_client: httpx.Client) -> None:
    response = _get(fake_client, {"q": "logement", "type": "thesis", "language": "en"})
    assert response.status_code == 200
    assert "No result — try fewer words or another language." in response.text
    assert 'href="/?q=logement"' in response.text  # remove the filters
    assert "Remove all filters" in response.text


def test_a_too_long_query_is_refused_politely(fake_client: httpx.Client) -> None:
    response = _get(fake_client, {"q": "x" * 201})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Your search is too long (201 characters). Please shorten it to at most 200 characters" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "ok", "type": "poster"}, "This filter is not in the index (Type: poster)"),
        ({"q": "ok", "year": "last"}, "“last” is not a valid year"),
        ({"q": "ok", "year": "1999"}, "This filter is not in the index (Year: 1999)"),
        ({"q": "ok", "year_from": "soon"}, "“soon” is not a valid year"),
        ({"q": "ok", "year_from": "9223372036854775808"}, "The year 9223372036854775808 (From) must be between"),
        ({"q": "ok", "year_to": "-9223372036854775809"}, "The year -9223372036854775809 (Until) must be between"),
        ({"q": "ok", "year_to": "99999"}, "The year 99999 (Until) must be between"),
        ({"q": "ok", "year": "9223372036854775808"}, "The year 9223372036854775808 (Year) must be between"),
        ({"q": "ok", "mode": "magic"}, "There is no such search mode (magic)"),
        ([("q", "ok"), *(("author", f"name {n}") for n in range(1000))],
         "Too many values in the filter Author (1000, at most 20)"),
        ([("q", "ok"), *(("type", f"type {n}") for n in range(1000))],
         "Too many values in the filter Type (1000, at most 20)"),
    ],
)
def test_bad_filters_get_a_message_not_a_crash(fake_client: httpx.Client, params: dict | list, message: str) -> None:
    response = _get(fake_client, params)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert "Remove all filters" in response.text or "mode" in params


def test_out_of_range_k_is_clamped(fake_client: httpx.Client) -> None:
    assert _get(fake_client, {"q": "logement", "k": "ten"}).status_code == 200
    page = _get(fake_client, {"q": "logement", "k": 2}).text
    assert page.count('<li class="hit') == 2
    more = re.search(r'<p class="more"><a href="([^"]+)"', page)
    assert more and ("k", "12") in _pairs(html.unescape(more.group(1)))


def test_interface_language_from_browser_parameter_and_cookie(fake_client: httpx.Client) -> None:
    german = _get(fake_client, {"q": "logement"}, lang="de-DE,de;q=0.9")
    assert '<html lang="de">' in german.text and "In den Dokumenten suchen" in german.text
    assert "Abschlussarbeit" in german.text and "Englisch" in german.text  # types and languages in German
    french = _get(fake_client, {"q": "logement", "lang": "fr"}, lang="de")
    assert '<html lang="fr">' in french.text and "mémoire" in french.text and "Rechercher" in french.text
    assert french.cookies.get("passerelle_lang") == "fr"
    # The cookie keeps the choice on the next pages, whatever the browser says.
    with httpx.Client(base_url=str(fake_client.base_url), cookies={"passerelle_lang": "en"}) as other:
        assert '<html lang="en">' in other.get("/", headers={"Accept-Language": "de"}).text
    # The switcher keeps the current search.
    switcher = re.findall(r'<a href="([^"]+)" hreflang="(\w\w)"', german.text)
    assert [(_pairs(html.unescape(h)), code) for h, code in switcher] == [
        ([("q", "logement"), ("lang", code)], code) for code in ("fr", "de", "en")]


def test_fragment_for_the_script(fake_client: httpx.Client) -> None:
    response = _get(fake_client, {"q": BROAD}, **{"X-Passerelle-Fragment": "1"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"') and "<html" not in response.text
    assert 'data-status="4 matching documents"' in response.text
    assert "X-Passerelle-Fragment" in response.headers["vary"]
    error = _get(fake_client, {"q": "x" * 300}, **{"X-Passerelle-Fragment": "1"})
    assert error.status_code == 422 and "too long" in error.text and "<html" not in error.text


def _document_id(client: httpx.Client, query: str) -> str:
    return client.get("/search", params={"q": query}).json()["results"][0]["document"]["id"]


def test_document_page(fake_client: httpx.Client) -> None:
    document_id = _document_id(fake_client, "Bachelorarbeit Integration")
    response = fake_client.get(f"/d/{document_id}", params={"q": "Integration Kinder"},
                               headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.text
    assert f'<h1 lang="de">{GERMAN_THESIS}</h1>' in page
    assert "Lena Hoffmann" in page and "Prof. Dr. Claude Weis" in page and "Supervisor" in page
    assert 'id="page-1"' in page and 'id="page-2"' in page and "Page 2" in page
    assert re.search(r'<p id="p-\d+" class="doc-passage" lang="de">', page)
    assert "<mark>Integration</mark>" in page  # the search's words are highlighted
    assert f'href="/documents/{document_id}/file#page=2"' in page
    assert f'href="/documents/{document_id}/file">Open the original file<' in page
    related = page.split('id="similar"')[1]
    assert related.count("<li>") >= 3 and 'href="/d/' in related
    assert 'href="/?q=Integration+Kinder">← Back to the search' in page
    assert fake_client.get(f"/documents/{document_id}/file").status_code == 200


def _passage_ids(client: httpx.Client, document_id: str) -> list[int]:
    return [passage["id"] for passage in client.get(f"/documents/{document_id}").json()["passages"]]


def test_a_markdown_document_is_shown_formatted_with_the_querys_words_marked(fake_client: httpx.Client) -> None:
    document_id = _document_id(fake_client, "Eeler Leit Eesamkeet")
    page = fake_client.get(f"/d/{document_id}", params={"q": "Eesamkeet"}, headers={"Accept-Language": "en"}).text
    body = page.split('<div class="doc-body" lang="lb">')[1].split("</div>")[0]
    assert re.search(r"<h2[^>]*>Eeler Leit doheem</h2>", body) and "<strong><mark>Eesamkeet</mark></strong>" in body
    assert "# " not in html.unescape(body) and "**" not in body
    assert "Text, page by page" not in page and "doc-passage" not in page  # the passage view is for other formats
    ids = _passage_ids(fake_client, document_id)
    assert ids and all(page.count(f'id="p-{id_}"') == 1 for id_ in ids)  # a result's link lands on its passage
    assert '<script src="/static/document.js" defer></script>' in page
    assert "<mark>" not in fake_client.get(f"/d/{document_id}").text  # nothing marked without a query


def test_an_html_document_is_shown_without_its_scripts_or_menu(fake_client: httpx.Client) -> None:
    results = fake_client.get("/search", params={"q": "Housing First homeless"}).json()["results"]
    document_id = next(r["document"]["id"] for r in results if r["document"]["format"] == "html")  # not the DOCX
    page = fake_client.get(f"/d/{document_id}", params={"q": "homeless"}, headers={"Accept-Language": "en"}).text
    body = page.split('<div class="doc-body" lang="en">')[1].split("</div>")[0]
    assert re.search(r"<h2[^>]*>Housing</h2>", body) and "<mark>Homeless</mark> people" in body
    assert "var x" not in page and "Menu" not in body and "<nav>" not in body


def test_a_markdown_document_whose_file_left_is_shown_by_passages(fake_client: httpx.Client,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.core.errors import DocumentFileGoneError
    from service import searching

    def gone(searcher: object, document_id: str, **kwargs: object) -> None:
        raise DocumentFileGoneError("moved away")

    monkeypatch.setattr(searching, "document_file", gone)  # the server runs in this process
    response = fake_client.get(f"/d/{_document_id(fake_client, 'Eeler Leit Eesamkeet')}", params={"q": "Eesamkeet"})
    assert response.status_code == 200
    assert 'class="doc-body"' not in response.text and 'class="doc-passage"' in response.text
    assert "<mark>Eesamkeet</mark>" in response.text


def test_other_formats_keep_the_passage_view(fake_client: httpx.Client) -> None:
    document_id = _document_id(fake_client, "Bachelorarbeit Integration")
    page = fake_client.get(f"/d/{document_id}").text
    assert 'class="doc-body"' not in page and 'class="doc-passage"' in page


def test_unknown_document_gets_a_404_page(fake_client: httpx.Client) -> None:
    for path in ("/d/nope", "/d/..%2F..%2Fetc%2Fpasswd"):
        response = fake_client.get(path, headers={"Accept-Language": "fr"})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Document introuvable" in response.text and 'action="/"' in response.text
        assert "root:" not in response.text


def test_static_assets_are_local_and_served(fake_client: httpx.Client) -> None:
    pages = [_get(fake_client).text, _get(fake_client, {"q": "logement"}).text,
             fake_client.get(f"/d/{_document_id(fake_client, 'Eeler Leit')}").text]
    for page in pages:
        for url in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert not re.match(r"(?i)(https?:)?//", url), url
    for path, media in [("/static/style.css", "text/css"), ("/static/search.js", "javascript"),
                        ("/static/favicon.svg", "image/svg+xml")]:
        response = fake_client.get(path)
        assert response.status_code == 200 and media in response.headers["content-type"]
    assert len(fake_client.get("/static/search.js").content) < 20_000  # a little vanilla JavaScript


def test_the_json_api_is_unchanged(fake_client: httpx.Client) -> None:
    response = fake_client.get("/search", params={"q": "logement"})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["results"]
    assert fake_client.get("/search", params={"q": "x" * 201}).json()["detail"].startswith("the query is too long")
    assert fake_client.get("/documents/nope").json() == {"detail": "no document 'nope' in the index"}
    assert "/" not in fake_client.get("/openapi.json").json()["paths"]  # the page is not part of the API


def test_what_the_user_typed_is_escaped(fake_client: httpx.Client) -> None:
    attack = '"><script>alert(1)</script>'
    for params in ({"q": attack}, {"q": "ok", "type": attack}, {"q": "ok", "mode": attack}, {"q": attack * 20}):
        page = _get(fake_client, params).text
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    document = fake_client.get("/d/" + attack, params={"q": attack}).text
    assert "<script>alert(1)" not in document


# -- honest results ------------------------------------------------------------------------------------------------


def test_a_question_nothing_answers_says_so_and_shows_the_nearest_documents_apart(fake_client: httpx.Client) -> None:
    french = _get(fake_client, {"q": "recette de tarte aux pommes"}, lang="fr").text
    assert "Aucun document ne correspond vraiment à votre question" in french
    assert "Documents les plus proches" in french and "documents trouvés" not in french
    assert french.count('<li class="hit hit-related">') == 6 and '<li class="hit">' not in french
    # No counts by filter: they would count documents that do not match.
    assert 'class="facet-option' not in french and "pas de comptes par filtre" in french
    german = _get(fake_client, {"q": "Apfelkuchen Rezept"}, lang="de").text
    assert "Kein Dokument passt wirklich zu Ihrer Frage" in german and "Die nächstliegenden Dokumente" in german


def test_matches_are_counted_and_listed_before_the_documents_that_are_only_related(fake_client: httpx.Client) -> None:
    page = _get(fake_client, {"q": "Housing First homelessness"}).text
    assert "2 matching documents" in page and "Other related documents" in page
    matching, related = page.split('id="related-title"')
    assert matching.count('<li class="hit">') == 2 and related.count('<li class="hit hit-related">') == 4
    assert "Housing First report" in matching and "Housing and homelessness" in matching


def test_each_result_says_why_it_was_found(fake_client: httpx.Client) -> None:
    page = _get(fake_client, {"q": "Housing First homelessness"}).text
    whys = re.findall(r'<p class="why">(.*?)</p>', page, flags=re.S)
    assert len(whys) == 6
    assert any(w.startswith("Contains: Housing, First") for w in whys)  # the words, as the document writes them
    assert any(re.fullmatch(r"Found by meaning \(document in \w+\)", w.strip()) for w in whys)
    french = _get(fake_client, {"q": "Housing First homelessness"}, lang="fr").text
    assert "Contient : Housing" in french and "Trouvé par le sens (document en " in french


@pytest.mark.parametrize(("query", "lang", "message"), [
    ("a", "en", "Your search has no word that carries a meaning on its own"),
    ("le la les", "fr", "Votre recherche ne contient aucun mot qui ait un sens à lui seul"),
    ("der die das", "de", "Ihre Suche enthält kein Wort, das allein eine Bedeutung trägt"),
    ("ech an eng", "en", "Your search has no word that carries a meaning on its own"),
])
def test_a_query_that_cannot_mean_anything_gets_a_message_not_results(fake_client: httpx.Client, query: str,
                                                                       lang: str, message: str) -> None:
    response = _get(fake_client, {"q": query}, lang=lang)
    assert response.status_code == 422
    assert message in response.text and 'class="hit' not in response.text
    fragment = _get(fake_client, {"q": query}, lang=lang, **{"X-Passerelle-Fragment": "1"}).text
    assert 'data-code="no_content"' in fragment  # the script keeps waiting while one types


def test_a_result_says_which_section_its_passage_is_in(fake_client: httpx.Client) -> None:
    body = fake_client.get("/search", params={"q": "Eeler Leit Eesamkeet"}).json()
    first = body["results"][0]
    assert first["passage"]["section"] == "Eeler Leit doheem"  # the Markdown heading it sits under
    page = _get(fake_client, {"q": "Eeler Leit Eesamkeet"}).text
    assert '<span class="section" lang="lb">§ Eeler Leit doheem</span>, page 1' in page


# -- browsing without a query ---------------------------------------------------------------------------------

def _titles(page: str) -> list[str]:
    """The titles of the documents listed, in order."""
    return [html.unescape(m) for m in re.findall(r'<h3 class="hit-title"><a id="[^"]+" href="[^"]+"[^>]*>([^<]+)</a>',
                                                  page)]


def test_the_start_page_offers_editions_types_and_prize_winning_theses(fake_client: httpx.Client) -> None:
    page = _get(fake_client).text
    start = page.split('aria-labelledby="start-title"')[1]
    assert "Browse the documents" in start
    assert re.search(r'<a href="/\?edition=2025-demo" lang="fr">Journée 2025</a> <span class="muted">\(4 documents\)',
                     start)
    assert re.search(r'<a href="/\?type=thesis" data-key="type=thesis">thesis</a> <span class="count">1<', start)
    prizes = start.split('class="start-prizes"')[1]
    assert GERMAN_THESIS in prizes and "Prix du meilleur mémoire 2025" in prizes


def test_browsing_by_type_lists_the_documents_without_a_query(fake_client: httpx.Client) -> None:
    response = _get(fake_client, {"type": "thesis"})
    assert response.status_code == 200
    page = response.text
    assert _titles(page) == [GERMAN_THESIS]
    assert '<h2 id="results-title">1 document</h2>' in page
    links = _facet_links(page)
    assert links["type=thesis"][1] and "type=document" in links  # the other types, counted without the filter
    assert "Type: thesis" in page  # the active filter, removable


def test_browsing_sorts_by_year_newest_or_oldest_first(fake_client: httpx.Client) -> None:
    newest = _get(fake_client, {"language": "en"}).text
    oldest = _get(fake_client, {"language": "en", "sort": "oldest"}).text
    assert len(_titles(newest)) == 2 and _titles(oldest) == list(reversed(_titles(newest)))
    # The report of the 2025 edition before the 2024 one (its file's own date, 2013, comes after the edition's).
    assert _titles(newest)[0] == "Housing First report"
    # The order is a plain link (no script needed), the current one marked; relevance means nothing without a query.
    assert re.search(r'<a href="/\?language=en&amp;sort=oldest" data-key="sort=oldest" aria-current="true"', oldest)
    assert 'data-key="sort=relevance"' not in newest


def test_sorting_a_search_by_year_keeps_the_same_matches(fake_client: httpx.Client) -> None:
    by_relevance = _get(fake_client, {"q": BROAD}).text
    newest = _get(fake_client, {"q": BROAD, "sort": "newest"}).text
    oldest = _get(fake_client, {"q": BROAD, "sort": "oldest"}).text
    count = re.search(r'<h2 id="results-title">(\d+) matching documents?', by_relevance)
    assert count and f'<h2 id="results-title">{count.group(1)} ' in newest and \
        f'<h2 id="results-title">{count.group(1)} ' in oldest
    matches = int(count.group(1))
    assert sorted(_titles(newest)[:matches]) == sorted(_titles(by_relevance)[:matches]) == \
        sorted(_titles(oldest)[:matches])
    assert 'data-key="sort=relevance"' in by_relevance and '<input type="hidden" name="sort" value="newest">' in newest


@pytest.mark.parametrize(("lang", "word"), [("fr", "Édition"), ("de", "Ausgabe"), ("en", "Edition")])
def test_editions_show_their_catalogue_title_in_every_language(fake_client: httpx.Client, lang: str,
                                                               word: str) -> None:
    listing = _get(fake_client, {"edition": "2025-demo", "lang": lang}).text
    assert "Journée 2025" in listing and ">2025-demo<" not in listing and ": 2025-demo" not in listing
    searched = _get(fake_client, {"q": BROAD, "lang": lang}).text
    assert '<span class="facet-label">Journée 2025</span>' in searched
    document = re.search(r'href="(/d/[0-9a-f]+)[^"]*"', listing)
    assert document
    page = fake_client.get(document.group(1), params={"lang": lang}).text
    link = f'<a href="/?edition=2025-demo&amp;lang={lang}" class="browse-link">Journée 2025</a>'
    assert link in page
    assert ">2025-demo<" not in page


def test_authors_supervisors_and_keywords_link_to_their_documents(fake_client: httpx.Client) -> None:
    listing = _get(fake_client, {"type": "thesis"}).text
    thesis = re.search(r'href="(/d/[0-9a-f]+)[^"]*"', listing)
    assert thesis
    page = fake_client.get(thesis.group(1), headers={"Accept-Language": "en"}).text
    assert '<a href="/?by=Lena+Hoffmann" class="browse-link">Lena Hoffmann</a>' in page
    assert '<a href="/?supervisor=Prof.+Dr.+Claude+Weis" class="browse-link">Prof. Dr. Claude Weis</a>' in page
    assert '<a href="/?keyword=Schule" class="browse-link">Schule</a>' in page
    assert _titles(_get(fake_client, {"supervisor": "Prof. Dr. Claude Weis"}).text) == [GERMAN_THESIS]
    assert _titles(_get(fake_client, {"keyword": "schule"}).text) == [GERMAN_THESIS]  # without case


def test_an_authors_list_shows_their_documents_and_co_authors_by_normalised_name(fake_client: httpx.Client) -> None:
    # The catalogue writes her "Lena Hoffmann" for the thesis and "Hoffmann, Lena" for the report: one person.
    for spelling in ("Lena Hoffmann", "Hoffmann, Lena", "lena HOFFMANN", "Léna Hoffmann"):
        page = _get(fake_client, {"by": spelling}).text
        assert sorted(_titles(page)) == sorted([GERMAN_THESIS, "Housing First report"]), spelling
        assert '<h2 id="results-title">Documents by Lena Hoffmann <span class="for">(2 documents)' in page
        assert re.search(r'Co-authors: <a href="/\?by=Sam\+Taylor" class="browse-link">Sam Taylor</a></p>', page)
    assert _titles(_get(fake_client, {"by": "Hoffmann"}).text) == []  # a whole name, not a part
