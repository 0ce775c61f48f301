"""Citing a document over real HTTP: ``GET /documents/{id}/cite`` in each format, and the document page's
citation tags read the way Zotero's Embedded Metadata translator reads them, its "Cite" section and downloads."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import bibtexparser
import httpx
import pytest
import rispy

GERMAN_THESIS = "Schulische Integration von Kindern mit Migrationshintergrund"


def _document_id(client: httpx.Client, query: str, format: str | None = None) -> str:
    results = client.get("/search", params={"q": query}).json()["results"]
    return next(r["document"]["id"] for r in results if format is None or r["document"]["format"] == format)


@pytest.fixture
def thesis_id(fake_client: httpx.Client) -> str:
    return _document_id(fake_client, "Bachelorarbeit Integration", "pdf")


@pytest.mark.parametrize(("fmt", "media_type", "extension"), [
    ("csl-json", "application/vnd.citationstyles.csl+json", "json"),
    ("bibtex", "application/x-bibtex; charset=utf-8", "bib"),
    ("ris", "application/x-research-info-systems; charset=utf-8", "ris"),
    ("apa", "text/plain; charset=utf-8", None),
])
def test_cite_answers_each_format_in_its_media_type(fake_client: httpx.Client, thesis_id: str, fmt: str,
                                                    media_type: str, extension: str | None) -> None:
    response = fake_client.get(f"/documents/{thesis_id}/cite", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    if extension:
        assert response.headers["content-disposition"] == f'attachment; filename="Hoffmann2025Schulische.{extension}"'
    else:
        assert "content-disposition" not in response.headers  # APA is read, not saved
    page = f"{fake_client.base_url}/d/{thesis_id}"
    text = response.text
    if fmt == "csl-json":
        [item] = json.loads(text)
        assert item["title"] == GERMAN_THESIS and item["type"] == "thesis"
        assert item["author"] == [{"family": "Hoffmann", "given": "Lena"}]
        assert item["issued"] == {"date-parts": [[2025]]} and item["URL"] == page
    elif fmt == "bibtex":
        [entry] = bibtexparser.parse_string(text).entries
        assert entry.entry_type == "mastersthesis" and entry["title"] == "{" + GERMAN_THESIS + "}"
        assert entry["author"] == "Hoffmann, Lena" and entry["year"] == "2025" and entry["url"] == page
    elif fmt == "ris":
        [entry] = rispy.loads(text)
        assert entry["type_of_reference"] == "THES" and entry["title"] == GERMAN_THESIS
        assert entry["authors"] == ["Hoffmann, Lena"] and entry["year"] == "2025" and entry["urls"] == [page]
    else:
        assert text == f"Hoffmann, L. (2025). {GERMAN_THESIS} [Thesis]. {page}\n"


def test_cite_defaults_to_csl_json_and_refuses_what_it_does_not_know(fake_client: httpx.Client,
                                                                    thesis_id: str) -> None:
    default = fake_client.get(f"/documents/{thesis_id}/cite")
    assert default.headers["content-type"] == "application/vnd.citationstyles.csl+json"
    unknown = fake_client.get("/documents/nope/cite", params={"format": "bibtex"})
    assert unknown.status_code == 404 and unknown.json() == {"detail": "no document 'nope' in the index"}
    invalid = fake_client.get(f"/documents/{thesis_id}/cite", params={"format": "mla"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["loc"] == ["query", "format"]
    assert "bibtex" in invalid.json()["detail"]


def test_cite_is_documented_with_its_formats(fake_client: httpx.Client) -> None:
    operation = fake_client.get("/openapi.json").json()["paths"]["/documents/{document_id}/cite"]["get"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert sorted(parameter["schema"]["enum"]) == ["apa", "bibtex", "csl-json", "ris"]  # the registry's styles
    assert parameter["schema"]["default"] == "csl-json"
    assert {"200", "404", "422"} <= set(operation["responses"])
    assert "application/x-bibtex" in operation["responses"]["200"]["content"]


class _EmbeddedMetadata(HTMLParser):
    """What Zotero's Embedded Metadata translator collects: every ``<meta name="citation_*">`` into a dict of
    lists (a name may repeat: one citation_author per author), and the page's alternate links."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, list[str]] = {}
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = (values.get("name") or "").lower()
        if tag == "meta" and name.startswith("citation_"):
            self.tags.setdefault(name, []).append(values.get("content") or "")
        if tag == "link" and values.get("rel") == "alternate":
            self.alternates[values.get("type") or ""] = values.get("href") or ""


def _metadata(page: str) -> _EmbeddedMetadata:
    parser = _EmbeddedMetadata()
    parser.feed(page.split("</head>")[0])  # the translator reads the head: tags elsewhere do not count
    return parser


def test_document_page_declares_its_citation_as_zotero_reads_it(fake_client: httpx.Client, thesis_id: str) -> None:
    found = _metadata(fake_client.get(f"/d/{thesis_id}").text)
    assert found.tags["citation_title"] == [GERMAN_THESIS]
    assert found.tags["citation_author"] == ["Hoffmann, Lena"]
    assert found.tags["citation_publication_date"] == ["2025"] and found.tags["citation_date"] == ["2025"]
    assert found.tags["citation_language"] == ["de"]
    [pdf_url] = found.tags["citation_pdf_url"]
    assert pdf_url == f"{fake_client.base_url}/documents/{thesis_id}/file"
    pdf = httpx.get(pdf_url)  # absolute: a translator fetches it as it is
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    csl = fake_client.get(found.alternates["application/vnd.citationstyles.csl+json"])
    assert csl.status_code == 200 and json.loads(csl.text)[0]["title"] == GERMAN_THESIS


def test_only_a_pdf_declares_a_pdf_url(fake_client: httpx.Client) -> None:
    slides = _document_id(fake_client, "IA au quotidien", "pptx")
    found = _metadata(fake_client.get(f"/d/{slides}").text)
    assert found.tags["citation_title"] == ["IA et travail social"]
    assert "citation_pdf_url" not in found.tags
    assert found.tags["citation_conference_title"] == ["Journée 2025"]  # the edition's title in its catalogue


def test_document_page_has_a_cite_section_that_works_without_javascript(fake_client: httpx.Client,
                                                                        thesis_id: str) -> None:
    page = fake_client.get(f"/d/{thesis_id}", headers={"Accept-Language": "en"}).text
    section = page.split('<section id="cite"')[1].split("</section>")[0]
    assert "Cite this document" in section
    assert f"Hoffmann, L. (2025). <i>{GERMAN_THESIS}</i> [Thesis]." in section
    assert re.search(r'<pre class="cite-text" id="cite-bibtex">@mastersthesis\{Hoffmann2025Schulische,', section)
    assert section.count('class="cite-copy"') == 2 and section.count(" hidden>Copy</button>") == 2
    links = re.findall(r'<a href="([^"]+)" download>', section)
    assert [link.split("format=")[1] for link in links] == ["bibtex", "ris", "csl-json"]
    for link in links:
        assert fake_client.get(link.replace("&amp;", "&")).status_code == 200
    assert '<script src="/static/cite.js" defer></script>' in page
    assert fake_client.get("/static/cite.js").status_code == 200
    german = fake_client.get(f"/d/{thesis_id}", headers={"Accept-Language": "de"}).text
    assert "Dieses Dokument zitieren" in german and ">Kopieren</button>" in german


def test_each_result_links_to_its_documents_citation(fake_client: httpx.Client, thesis_id: str) -> None:
    page = fake_client.get("/", params={"q": "Bachelorarbeit Integration"}, headers={"Accept-Language": "en"}).text
    assert re.search(rf'href="/d/{thesis_id}\?q=[^"#]+#cite">Cite</a>', page)
