"""The one CSL-JSON item a citation is written from: a document's record with its edition's ``[edition]`` table (in
the corpus's ``catalogue.toml``), names as citations write them, the thesis's institution and genre. Every style
writes this item, so they cannot disagree."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from indexer.ingest.catalogue import CATALOGUE_NAME, Edition, read_edition

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


def name_text(name: dict[str, str], *, inverted: bool = True) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if inverted else f"{name['given']} {name['family']}"



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
