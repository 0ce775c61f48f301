"""Citations (service/citations/) without a server: every export format read back by an independent parser
(bibtexparser, rispy, a JSON schema of CSL-JSON), the APA reference's parts, names, and the edition's catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema_rs
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from indexer.core.store import DocumentRecord
from service import citations as citation
from service.citations.page import highwire_tags

BASE = "http://passerelle.test/"
PROGRAMME = "Bachelor en Sciences Sociales et Éducatives (BSSE), Université du Luxembourg"
CATALOGUE = '''[edition]
id = "2024-inclusion"
title = "Journée du secteur social 2024 : Inclusion et participation"
year = 2024
date = 2024-10-17
organiser = "Entente des acteurs sociaux du Luxembourg (EASL)"
venue = "Maison du Savoir, Campus Belval, Esch-sur-Alzette"
'''

# CSL-JSON as citation-style-language/schema's csl-data.json defines it, for the variables this service writes:
# the types and variable names are the schema's, and nothing else may appear.
CSL_TYPES = ["article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
             "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
             "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case",
             "legislation", "manuscript", "map", "motion_picture", "musical_score", "pamphlet",
             "paper-conference", "patent", "performance", "periodical", "personal_communication", "post",
             "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech",
             "standard", "thesis", "treaty", "webpage"]
NAME = {"type": "object", "additionalProperties": False, "properties": {
    "family": {"type": "string"}, "given": {"type": "string"}, "literal": {"type": "string"}},
    "anyOf": [{"required": ["family"]}, {"required": ["literal"]}]}
DATE = {"type": "object", "additionalProperties": False, "required": ["date-parts"], "properties": {
    "date-parts": {"type": "array", "minItems": 1, "maxItems": 2, "items": {
        "type": "array", "minItems": 1, "maxItems": 3, "items": {"type": ["integer", "string"]}}}}}
CSL_SCHEMA = {
    "type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["id", "type", "title", "URL"],
        "properties": {
            "id": {"type": "string"}, "type": {"enum": CSL_TYPES}, "title": {"type": "string", "minLength": 1},
            "author": {"type": "array", "items": NAME}, "issued": DATE, "genre": {"type": "string"},
            "publisher": {"type": "string"}, "event-title": {"type": "string"}, "event-place": {"type": "string"},
            "note": {"type": "string"}, "language": {"type": "string"}, "keyword": {"type": "string"},
            "URL": {"type": "string", "pattern": "^https?://"}}}}


def _record(**changes: Any) -> DocumentRecord:
    fields: dict[str, Any] = dict(
        id="0123abcd", path="2024-inclusion/theses/integration.pdf",
        title="Schulische Integration von Kindern mit Migrationshintergrund", authors=["Lena Hoffmann"], year=2025,
        edition="2024-inclusion", type="thesis", language="de", page_count=40, format="pdf", content_hash="",
        extra={"supervisor": "Prof. Dr. Claude Weis", "programme": PROGRAMME, "keywords": ["Integration", "Schule"]})
    return DocumentRecord(**{**fields, **changes})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "2024-inclusion").mkdir()
    (tmp_path / "2024-inclusion" / "catalogue.toml").write_text(CATALOGUE, encoding="utf-8")
    return tmp_path


def _item(corpus: Path, **changes: Any) -> dict[str, Any]:
    return citation.item_for(_record(**changes), corpus_root=corpus, base_url=BASE)


KINDS = [
    {},
    {"type": "slides", "format": "pptx", "authors": ["Mariam Khoury", "Frank Bintner"], "year": 2024,
     "title": "Geflüchtete in Beschäftigung"},
    {"type": "talk", "format": "markdown", "authors": ["Jean de la Fontaine"], "year": 2024},
    {"type": "report", "format": "docx", "authors": ["Laura Hilger", "Sandra Kieffer-Lopes"], "year": 2024},
    {"type": "article", "format": "html", "authors": ["Dupont, Léa"], "year": 2024},
    {"type": "programme", "authors": ["Entente des acteurs sociaux du Luxembourg (EASL)"], "year": 2024},
    {"type": "document", "authors": [], "year": None, "edition": None, "path": "elsewhere/notes.txt"},
]


@pytest.mark.parametrize(("name", "expected"), [
    ("Léa Dupont", {"family": "Dupont", "given": "Léa"}),
    ("Dupont, Léa", {"family": "Dupont", "given": "Léa"}),
    ("  Sandra   Kieffer-Lopes ", {"family": "Kieffer-Lopes", "given": "Sandra"}),
    ("Jean de la Fontaine", {"family": "de la Fontaine", "given": "Jean"}),
    ("Anna Maria Weber", {"family": "Weber", "given": "Anna Maria"}),
    ("Entente des acteurs sociaux (EASL)", {"literal": "Entente des acteurs sociaux (EASL)"}),
    ("Caritas Luxembourg", {"literal": "Caritas Luxembourg"}),
    ("Socrates", {"literal": "Socrates"}),
])
def test_names_are_split_into_family_and_given(name: str, expected: dict[str, str]) -> None:
    assert citation.person_name(name) == expected


@pytest.mark.parametrize("changes", KINDS)
def test_csl_json_is_valid_csl_data(corpus: Path, changes: dict[str, Any]) -> None:
    item = _item(corpus, **changes)
    data = json.loads(citation.render(item, "csl-json"))
    errors = [str(error) for error in jsonschema_rs.validator_for(CSL_SCHEMA).iter_errors(data)]
    assert errors == []
    assert data == [item]
    assert data[0]["URL"] == "http://passerelle.test/d/0123abcd"


def test_csl_json_of_a_thesis_and_of_slides(corpus: Path) -> None:
    thesis = _item(corpus)
    assert thesis["type"] == "thesis" and thesis["genre"] == "Bachelor's thesis"
    assert thesis["publisher"] == "Université du Luxembourg"
    assert thesis["author"] == [{"family": "Hoffmann", "given": "Lena"}]
    assert thesis["issued"] == {"date-parts": [[2025]]} and thesis["language"] == "de"
    slides = _item(corpus, **KINDS[1])
    assert slides["type"] == "speech" and slides["genre"] == "Presentation slides"
    assert slides["event-title"] == "Journée du secteur social 2024 : Inclusion et participation"
    assert slides["event-place"] == "Esch-sur-Alzette"
    assert slides["issued"] == {"date-parts": [[2024, 10, 17]]}  # the day of the conference
    report = _item(corpus, **KINDS[3])
    assert report["type"] == "report" and report["publisher"] == "Entente des acteurs sociaux du Luxembourg (EASL)"
    programme = _item(corpus, **KINDS[5])
    assert programme["author"] == [{"literal": "Entente des acteurs sociaux du Luxembourg (EASL)"}]


def test_a_thesis_without_programme_is_a_plain_thesis(corpus: Path) -> None:
    item = _item(corpus, extra={"supervisor": "Prof. Dr. Claude Weis"})
    assert item["genre"] == "Thesis" and "publisher" not in item
    assert citation.thesis_genre({"programme": "Master in Social Work"}) == "Master's thesis"
    assert citation.thesis_genre({"degree": "PhD"}) == "Doctoral dissertation"
    assert citation.institution({"school": "Hochschule Trier", "programme": PROGRAMME}) == "Hochschule Trier"
    assert citation.institution({"programme": "Bachelor en Sciences Sociales et Éducatives (BSSE)"}) is None


def test_the_edition_is_read_from_its_catalogue(corpus: Path, tmp_path: Path) -> None:
    edition = citation.edition_of(corpus, _record())
    assert edition is not None and edition.title.startswith("Journée du secteur social 2024")
    assert edition.organiser == "Entente des acteurs sociaux du Luxembourg (EASL)" and edition.date is not None
    assert citation.edition_of(corpus, _record(edition="2023-other")) is None  # another edition's catalogue
    assert citation.edition_of(corpus, _record(path="../outside/x.pdf")) is None
    # Without a title in the catalogue, the conference is named after its year.
    (corpus / "2024-inclusion" / "catalogue.toml").write_text('[edition]\nid = "2024-inclusion"\nyear = 2024\n',
                                                               encoding="utf-8")
    edition = citation.edition_of(corpus, _record())
    assert citation.event_name(_record(type="talk"), edition) == "Journée du secteur social 2024"


def _bibtex_entries(text: str) -> list[Any]:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert library.failed_blocks == []
    return library.entries


@pytest.mark.parametrize("changes", KINDS)
def test_bibtex_reads_back_with_the_same_title_authors_and_year(corpus: Path, changes: dict[str, Any]) -> None:
    item = _item(corpus, **changes)
    text = citation.render(item, "bibtex")
    [entry] = _bibtex_entries(text)
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()]).entries[0]
    assert decoded["title"] == item["title"]
    people = [(" ".join(name.first), " ".join([*name.von, *name.last])) for name in entry.fields_dict["author"].value] \
        if "author" in entry.fields_dict else []
    expected = [(n.get("given", ""), n.get("family") or "{" + n["literal"] + "}") for n in item.get("author", [])]
    assert people == expected
    year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
    assert entry.fields_dict.get("year") is None if year is None else entry["year"] == str(year)
    assert entry["url"] == item["URL"]
    assert entry.key == citation.cite_key(item) and re.fullmatch(r"[A-Za-z0-9]+", entry.key)


def test_bibtex_entry_types_and_fields(corpus: Path) -> None:
    [thesis] = _bibtex_entries(citation.bibtex(_item(corpus)))
    assert thesis.entry_type == "mastersthesis"
    assert thesis["school"] == "Université du Luxembourg" and thesis["type"] == "Bachelor's thesis"
    assert thesis["langid"] == "ngerman"
    [slides] = _bibtex_entries(citation.bibtex(_item(corpus, **KINDS[1])))
    assert slides.entry_type == "misc" and slides["howpublished"].startswith("Journée du secteur social 2024")
    [report] = _bibtex_entries(citation.bibtex(_item(corpus, **KINDS[3])))
    assert report.entry_type == "techreport" and report["institution"].startswith("Entente")


def test_bibtex_escapes_latex_special_characters(corpus: Path) -> None:
    title = r"Sozial & digital: 100 % {online}_$ #1 ~ ^ \ end"
    text = citation.bibtex(_item(corpus, title=title))
    assert r"\& digital: 100 \% \{online\}\_\$ \#1" in text
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()]).entries[0]
    # pylatexenc reads \textasciicircum as the modifier letter "ˆ"; LaTeX prints it as "^".
    assert decoded["title"].replace("ˆ", "^") == title
    assert text.count("{") == text.count("}")  # no brace of the title's opens or closes a field


def _ris(text: str) -> dict[str, Any]:
    # The format's own shape, strictly: "XX  - value" lines ending in CRLF, from TY to ER.
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[0].startswith("TY  - ") and lines[-2] == "ER  -"
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  -( .+)?", line) for line in lines[:-1]), lines
    [entry] = rispy.loads(text)
    return entry


@pytest.mark.parametrize("changes", KINDS)
def test_ris_reads_back_with_the_same_title_authors_and_year(corpus: Path, changes: dict[str, Any]) -> None:
    item = _item(corpus, **changes)
    entry = _ris(citation.render(item, "ris"))
    assert entry["title"] == item["title"]
    assert entry.get("authors", []) == [
        n["literal"] if "literal" in n else f"{n['family']}, {n['given']}" for n in item.get("author", [])]
    year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
    assert entry.get("year") == (str(year) if year else None)
    assert entry["urls"] == [item["URL"]]


def test_ris_types_and_fields(corpus: Path) -> None:
    thesis = _ris(citation.ris(_item(corpus)))
    assert thesis["type_of_reference"] == "THES" and thesis["publisher"] == "Université du Luxembourg"
    assert thesis["keywords"] == ["Integration", "Schule"] and thesis["language"] == "de"
    slides = _ris(citation.ris(_item(corpus, **KINDS[1])))
    assert slides["type_of_reference"] == "SLIDE"
    assert slides["secondary_title"].startswith("Journée du secteur social 2024") and slides["date"] == "2024/10/17/"
    assert _ris(citation.ris(_item(corpus, **KINDS[2])))["type_of_reference"] == "CPAPER"
    assert _ris(citation.ris(_item(corpus, **KINDS[3])))["type_of_reference"] == "RPRT"


def test_apa_reference_of_a_thesis(corpus: Path) -> None:
    item = _item(corpus)
    assert citation.apa(item) == (
        "Hoffmann, L. (2025). Schulische Integration von Kindern mit Migrationshintergrund "
        "[Bachelor's thesis, Université du Luxembourg]. http://passerelle.test/d/0123abcd")
    assert "<i>Schulische Integration von Kindern mit Migrationshintergrund</i> [Bachelor's thesis" in \
        citation.apa(item, html=True)
    assert "(Publication)" not in citation.apa(_item(corpus, extra={}))  # citeproc-py's empty group, patched out
    assert citation.apa(_item(corpus, extra={})).startswith("Hoffmann, L. (2025). Schulische Integration von "
                                                            "Kindern mit Migrationshintergrund [Thesis].")


def test_apa_reference_of_slides_and_several_authors(corpus: Path) -> None:
    assert citation.apa(_item(corpus, **KINDS[1])) == (
        "Khoury, M., & Bintner, F. (2024, October 17). Geflüchtete in Beschäftigung [Presentation slides]. "
        "Journée du secteur social 2024 : Inclusion et participation, Esch-sur-Alzette. "
        "http://passerelle.test/d/0123abcd")
    assert citation.apa(_item(corpus, **KINDS[2])).startswith("de la Fontaine, J. (2024, October 17).")


def test_apa_html_escapes_the_documents_text(corpus: Path) -> None:
    markup = citation.apa(_item(corpus, title="<script>alert(1)</script> & co", authors=["Ann <b>Bold</b>"]),
                          html=True)
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in markup


def test_highwire_tags(corpus: Path) -> None:
    record = _record()
    tags = highwire_tags(record, _item(corpus), pdf_url="http://passerelle.test/documents/0123abcd/file")
    names = dict(tags)
    assert names["citation_title"] == record.title and names["citation_author"] == "Hoffmann, Lena"
    assert names["citation_publication_date"] == "2025"
    assert names["citation_dissertation_institution"] == "Université du Luxembourg"
    assert names["citation_pdf_url"].endswith("/documents/0123abcd/file")
    assert names["citation_keywords"] == "Integration; Schule"
    slides = _record(**KINDS[1])
    assert "citation_pdf_url" not in dict(highwire_tags(slides, _item(corpus, **KINDS[1]), pdf_url="x"))


@pytest.mark.parametrize(("name", "expected"), [
    ("Mathis Da Costa", {"family": "Da Costa", "given": "Mathis"}),
    ("Kevin Da Silva Ferreira", {"family": "Da Silva Ferreira", "given": "Kevin"}),
    ("Dr. Rachel Kayser", {"family": "Kayser", "given": "Rachel"}),
    ("Prof. Dr. Claude Weis", {"family": "Weis", "given": "Claude"}),
])
def test_names_as_the_corpus_writes_them(name: str, expected: dict[str, str]) -> None:
    assert citation.person_name(name) == expected


def test_apa_adds_no_period_after_a_question(corpus: Path) -> None:
    item = _item(corpus, type="article", year=2024, authors=["Nadia Belkacem"],
                 title="Quel logement pour les jeunes adultes ?")
    assert "Quel logement pour les jeunes adultes ? Entente des acteurs" in citation.apa(item)
    assert "jeunes adultes ?</i> Entente" in citation.apa(item, html=True)
