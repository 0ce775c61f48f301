#!/usr/bin/env python3
"""Build the Passerelle demo corpus from its Markdown sources.

Every ``corpus/_build/src/<edition>/*.md`` file (TOML front matter between ``+++`` lines, then a
small Markdown body; see ``corpus/_build/SPEC.md``) becomes one built document at
``corpus/<edition>/<file>``, in the format given by the extension of ``file``:

- ``.pdf``  reportlab platypus, built with ``invariant=1`` so rebuilding gives identical bytes;
  theses get a title page, a table of contents and one new page per ``#`` section;
- ``.docx`` python-docx, ``.pptx`` python-pptx (one slide per ``---`` block, optional notes);
- ``.html`` a standalone HTML5 page, ``.md`` the body as written, ``.txt`` plain text.

Each edition folder also gets a ``catalogue.toml`` generated from the front matter (this is what the
indexer reads) plus the ``[edition]`` table from ``_edition.toml``. Built files that no longer have a
source are deleted, so the corpus and its catalogues never drift apart, and the document counts in
``corpus/README.md`` (between its ``counts`` markers) are refreshed.

Run from the repository root::

    .venv/bin/python corpus/_build/build.py            # build everything
    .venv/bin/python corpus/_build/build.py --check    # only parse and validate the sources
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import sys
import tomllib
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal
from xml.sax.saxutils import escape as xml_escape

import docx
from pptx import Presentation
from pptx.util import Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.tableofcontents import TableOfContents

BUILD_DIR: Final = Path(__file__).resolve().parent
CORPUS_DIR: Final = BUILD_DIR.parents[1] / "corpus"
SOURCE_DIR_NAME: Final = "src"
SOURCE_ROOT: Final = BUILD_DIR / SOURCE_DIR_NAME
EDITION_FILE: Final = "_edition.toml"
CATALOGUE_NAME: Final = "catalogue.toml"

DOC_TYPES: Final = frozenset({"thesis", "talk", "slides", "programme", "report", "article"})
LANGUAGES: Final = frozenset({"fr", "de", "en", "lb"})
FORMATS: Final = frozenset({".pdf", ".docx", ".pptx", ".html", ".md", ".txt"})
REQUIRED_FIELDS: Final = ("file", "title", "authors", "year", "type", "language")
THESIS_FIELDS: Final = ("supervisor", "programme")
# Catalogue key order: the fields the indexer reads first, anything else afterwards (alphabetically).
FIELD_ORDER: Final = (
    "file",
    "title",
    "authors",
    "year",
    "type",
    "language",
    "supervisor",
    "programme",
    "prize",
    "keywords",
)
EDITION_FIELDS: Final = ("title", "year", "theme")
DEFAULT_UNIVERSITY: Final = "Université du Luxembourg"
GENERATOR: Final = "Passerelle corpus builder (corpus/_build/build.py)"

# Words printed on title pages, footers and tables of contents, in the document's own language.
LABELS: Final[dict[str, dict[str, str]]] = {
    "fr": {
        "thesis": "Mémoire de bachelor",
        "by": "présenté par",
        "supervisor": "Sous la direction de",
        "contents": "Table des matières",
        "year": "Année",
    },
    "de": {
        "thesis": "Bachelorarbeit",
        "by": "vorgelegt von",
        "supervisor": "Betreut von",
        "contents": "Inhaltsverzeichnis",
        "year": "Jahr",
    },
    "en": {
        "thesis": "Bachelor thesis",
        "by": "submitted by",
        "supervisor": "Supervised by",
        "contents": "Contents",
        "year": "Year",
    },
    "lb": {
        "thesis": "Bacheloraarbecht",
        "by": "virgeluecht vun",
        "supervisor": "Ënnert der Betreiung vun",
        "contents": "Inhaltsverzeechnes",
        "year": "Joer",
    },
}


class BuildError(Exception):
    """A source cannot be built; the message names the file and what is wrong."""


# --------------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """One edition of the Journée du secteur social: a folder of sources plus ``_edition.toml``."""

    id: str
    info: dict[str, Any]
    source_dir: Path

    @property
    def title(self) -> str:
        return str(self.info["title"])

    @property
    def year(self) -> int:
        return int(self.info["year"])

    @property
    def date(self) -> dt.datetime:
        """Timestamp written into office documents instead of "now", so rebuilds are identical."""
        day = self.info.get("date")
        if isinstance(day, dt.datetime):
            return day.replace(tzinfo=None)
        if isinstance(day, str):  # a quoted "2024-10-17" works as well as a TOML date
            day = dt.date.fromisoformat(day)
        if isinstance(day, dt.date):
            return dt.datetime(day.year, day.month, day.day, 9, 0)
        return dt.datetime(self.year, 1, 1, 9, 0)

    @property
    def organiser(self) -> str:
        return str(self.info.get("organiser_short") or self.info.get("organiser") or "")


@dataclass(frozen=True)
class Source:
    """One parsed source file: its front matter (``meta``) and Markdown body."""

    path: Path
    edition: Edition
    meta: dict[str, Any]
    body: str

    @property
    def file(self) -> str:
        return str(self.meta["file"])

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def authors(self) -> list[str]:
        return [str(author) for author in self.meta["authors"]]

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)

    @property
    def doc_type(self) -> str:
        return str(self.meta["type"])

    @property
    def language(self) -> str:
        return str(self.meta["language"])

    @property
    def year(self) -> int:
        return int(self.meta["year"])

    @property
    def keywords(self) -> list[str]:
        return [str(keyword) for keyword in self.meta.get("keywords", [])]

    @property
    def subject(self) -> str:
        """Document-info subject: the study programme for theses, otherwise the edition."""
        if self.doc_type == "thesis":
            return str(self.meta["programme"])
        return self.edition.title

    @property
    def suffix(self) -> str:
        return Path(self.file).suffix.lower()

    def relative_source(self) -> str:
        """Path of the source for messages, relative to the corpus folder when possible."""
        try:
            return str(self.path.relative_to(CORPUS_DIR.parent))
        except ValueError:
            return str(self.path)


FRONT_MATTER_RE: Final = re.compile(r"\A\+\+\+[ \t]*\n(?P<toml>.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)


def read_source(path: Path, *, edition: Edition) -> Source:
    """Parse one source file and check its front matter against SPEC.md."""
    # utf-8-sig and the newline fix keep sources written on other systems parseable.
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        raise BuildError(f"{path}: no TOML front matter between '+++' lines at the top")
    try:
        meta = tomllib.loads(match["toml"])
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: front matter is not valid TOML: {exc}") from exc
    source = Source(path=path, edition=edition, meta=meta, body=text[match.end() :].strip("\n") + "\n")
    validate_source(source)
    return source


def validate_source(source: Source) -> None:
    """Raise BuildError if the front matter breaks a rule of SPEC.md (all problems at once)."""
    meta = source.meta
    problems: list[str] = [f"missing field '{name}'" for name in REQUIRED_FIELDS if name not in meta]
    if not problems:
        problems += _field_problems(meta)
    if problems:
        raise BuildError(f"{source.relative_source()}: " + "; ".join(problems))


def _field_problems(meta: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name in ("file", "title", "type", "language", "supervisor", "programme", "prize"):
        if name in meta and (not isinstance(meta[name], str) or not meta[name].strip()):
            problems.append(f"'{name}' must be a non-empty string")
    for name in ("authors", "keywords"):
        value = meta.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            problems.append(f"'{name}' must be a list of non-empty strings")
    if not meta["authors"]:
        problems.append("'authors' must not be empty")
    if not isinstance(meta["year"], int) or isinstance(meta["year"], bool):
        problems.append("'year' must be an integer")
    if meta["type"] not in DOC_TYPES:
        problems.append(f"type '{meta['type']}' is not one of {sorted(DOC_TYPES)}")
    if meta["language"] not in LANGUAGES:
        problems.append(f"language '{meta['language']}' is not one of {sorted(LANGUAGES)}")
    if isinstance(meta["file"], str):
        problems += _path_problems(meta["file"], doc_type=meta["type"])
    if meta["type"] == "thesis":
        problems += [f"theses need '{name}'" for name in THESIS_FIELDS if name not in meta]
    return problems


def _path_problems(file: str, *, doc_type: str) -> list[str]:
    relative = Path(file)
    suffix = relative.suffix.lower()
    problems: list[str] = []
    if relative.is_absolute() or ".." in relative.parts or "\\" in file:
        problems.append(f"file '{file}' must be a plain path relative to the edition folder")
    # The indexer skips such paths, so a document stored there would silently never be searchable.
    if any(part.startswith(("_", ".")) for part in relative.parts):
        problems.append(f"file '{file}' has a part starting with '_' or '.', which the indexer skips")
    if relative.name == CATALOGUE_NAME or relative.name.startswith("README"):
        problems.append(f"file '{file}' uses a name reserved for catalogues/READMEs")
    if suffix not in FORMATS:
        problems.append(f"file '{file}' has an unsupported extension (use one of {sorted(FORMATS)})")
    if doc_type == "thesis" and suffix != ".pdf":
        problems.append("theses are always .pdf")
    if doc_type == "slides" and suffix != ".pptx":
        problems.append("slides are always .pptx")
    return problems


def load_edition(source_dir: Path) -> Edition:
    """Read ``_edition.toml`` of one source folder; the edition id is the folder name."""
    info_path = source_dir / EDITION_FILE
    if not info_path.is_file():
        raise BuildError(f"{source_dir}: missing {EDITION_FILE} (needs {', '.join(EDITION_FIELDS)})")
    try:
        info = tomllib.loads(info_path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{info_path}: not valid TOML: {exc}") from exc
    missing = [name for name in EDITION_FIELDS if name not in info]
    if missing:
        raise BuildError(f"{info_path}: missing {', '.join(missing)}")
    if info.get("id", source_dir.name) != source_dir.name:
        raise BuildError(f"{info_path}: id must equal the folder name '{source_dir.name}'")
    info.pop("id", None)
    return Edition(id=source_dir.name, info=info, source_dir=source_dir)


def load_sources(edition: Edition) -> list[Source]:
    """Parse all sources of an edition and check the rules that span several files."""
    sources = [read_source(path, edition=edition) for path in sorted(edition.source_dir.glob("*.md"))]
    seen: dict[str, Source] = {}
    problems: list[str] = []
    for source in sources:
        key = source.file.lower()  # case-insensitive: the corpus must also check out on macOS/Windows
        if key in seen:
            problems.append(f"'{source.file}' is produced by both {seen[key].path.name} and {source.path.name}")
        seen[key] = source
        if source.year != edition.year:
            print(f"warning: {source.relative_source()}: year {source.year} != edition year {edition.year}")
    prized = [source.path.name for source in sources if "prize" in source.meta]
    if len(prized) > 1:
        problems.append(f"at most one prize per edition, found {len(prized)}: {', '.join(prized)}")
    if problems:
        raise BuildError(f"edition {edition.id}: " + "; ".join(problems))
    return sources


# --------------------------------------------------------------------------------------------------
# Markdown subset: headings, paragraphs, bullet lists, **bold**, *italic*
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A run of inline text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class ListItem:
    """One bullet; level 1 for items indented by two or more spaces."""

    text: str
    level: int = 0


@dataclass(frozen=True)
class Block:
    """A block of the Markdown body."""

    kind: Literal["heading", "paragraph", "list"]
    text: str = ""
    level: int = 0
    items: tuple[ListItem, ...] = ()


@dataclass(frozen=True)
class Slide:
    """One ``---``-separated block of a slide source."""

    title: str
    blocks: tuple[Block, ...]
    notes: str = ""


HEADING_RE: Final = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*$")
BULLET_RE: Final = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?P<text>.*)$")
NUMBERED_RE: Final = re.compile(r"^\s*\d{1,2}[.)]\s+")
INLINE_RE: Final = re.compile(r"\*\*(?P<bold>.+?)\*\*|\*(?P<italic>[^*\s](?:[^*]*?[^*\s])?)\*")
SLIDE_SEPARATOR_RE: Final = re.compile(r"^---[ \t]*$", re.M)
NOTES_RE: Final = re.compile(r"^Notes:[ \t]*", re.M)


def parse_inline(text: str) -> list[Span]:
    """Split text into spans on ``**bold**`` and ``*italic*`` (no nesting, which the sources avoid)."""
    spans: list[Span] = []
    position = 0
    for match in INLINE_RE.finditer(text):
        if match.start() > position:
            spans.append(Span(text[position : match.start()]))
        if match["bold"] is not None:
            spans.append(Span(match["bold"], bold=True))
        else:
            spans.append(Span(match["italic"], italic=True))
        position = match.end()
    if position < len(text):
        spans.append(Span(text[position:]))
    return spans


def plain(text: str) -> str:
    """Inline Markdown with the emphasis markers removed."""
    return "".join(span.text for span in parse_inline(text))


def parse_blocks(markdown: str) -> list[Block]:
    """Parse the Markdown subset of SPEC.md into blocks."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[ListItem] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", text=" ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif heading := HEADING_RE.match(line):
            flush()
            blocks.append(Block("heading", text=heading["text"], level=len(heading["hashes"])))
        elif bullet := BULLET_RE.match(line):
            if paragraph:  # a list right under a paragraph line, without a blank line between
                blocks.append(Block("paragraph", text=" ".join(paragraph)))
                paragraph.clear()
            items.append(ListItem(bullet["text"].strip(), level=1 if len(bullet["indent"]) >= 2 else 0))
        elif items and raw[:1].isspace():
            # An indented line under a bullet continues that bullet (wrapped long items).
            items[-1] = ListItem(f"{items[-1].text} {line.strip()}", level=items[-1].level)
        else:
            # Numbered lines ("1. ...") are not in SPEC.md; keeping each one a paragraph of its own at least
            # stops them from running together into one block of text.
            if items or (paragraph and NUMBERED_RE.match(line)):
                flush()
            paragraph.append(line.strip())
    flush()
    return blocks


def content_blocks(source: Source) -> list[Block]:
    """Body blocks ready for rendering: no repeated title, top body heading at level 1.

    Markdown sources carry their title as a first ``# Title`` (the ``.md`` output is the body as
    written) and then use ``##`` for sections, while the other formats print the title from the front
    matter: the repeated title is dropped and the headings are shifted up, so that an HTML page gets
    ``<h1>`` title, ``<h2>`` sections whichever way the source was written.
    """
    blocks = parse_blocks(source.body)
    first = blocks[0] if blocks else None
    if first and first.kind == "heading" and first.level == 1 and _same_text(plain(first.text), source.title):
        blocks = blocks[1:]
    levels = [block.level for block in blocks if block.kind == "heading"]
    shift = min(levels) - 1 if levels else 0
    if shift:
        blocks = [replace(block, level=block.level - shift) if block.kind == "heading" else block for block in blocks]
    return blocks


def _same_text(left: str, right: str) -> bool:
    return " ".join(left.casefold().split()) == " ".join(right.casefold().split())


def parse_slides(source: Source) -> list[Slide]:
    """Split a slide source on ``---`` lines; each slide starts with ``# Title``."""
    slides: list[Slide] = []
    for number, chunk in enumerate(SLIDE_SEPARATOR_RE.split(source.body), start=1):
        if not chunk.strip():
            continue
        notes = ""
        if notes_match := NOTES_RE.search(chunk):
            notes = " ".join(chunk[notes_match.end() :].split())
            chunk = chunk[: notes_match.start()]
        blocks = parse_blocks(chunk)
        if not blocks or blocks[0].kind != "heading" or blocks[0].level != 1:
            raise BuildError(f"{source.relative_source()}: slide {number} must start with '# Slide title'")
        slides.append(Slide(title=plain(blocks[0].text), blocks=tuple(blocks[1:]), notes=notes))
    if not slides:
        raise BuildError(f"{source.relative_source()}: no slides")
    return slides


# --------------------------------------------------------------------------------------------------
# PDF (reportlab)
# --------------------------------------------------------------------------------------------------

# The standard PDF fonts only cover Windows-1252. Everything in it (accents, umlauts, ë, œ, €, – — ’ « »)
# is kept as is; the few characters outside it are replaced here rather than rendered as black boxes.
PDF_REPLACEMENTS: Final = {
    "\u202f": "\u00a0",  # narrow no-break space (French typography) -> no-break space
    "\u2009": " ",
    "\u200b": "",
    "\u2011": "-",
    "\u2212": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2032": "'",
    "\u2033": '"',
    "\u2043": "-",
    "\u2010": "-",
}


# French puts a space before : ; ? ! » and after «; a no-break space keeps the sign from starting a line.
FRENCH_SPACE_RE: Final = re.compile(r"(?<=\S) (?=[:;?!»])|(?<=«) ")


def pdf_safe(text: str) -> str:
    """Make text encodable in the standard fonts' Windows-1252 encoding (and bind French punctuation)."""
    text = FRENCH_SPACE_RE.sub("\u00a0", text)
    out: list[str] = []
    for char in text:
        char = PDF_REPLACEMENTS.get(char, char)
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            # Letters with uncommon diacritics (ş, ć, ł...) keep their base letter; anything else -> "?".
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
            except UnicodeEncodeError:
                base = "?"
            char = base
        out.append(char)
    return "".join(out)


def pdf_markup(text: str) -> str:
    """Inline Markdown -> reportlab paragraph markup (escaped, with <b>/<i>)."""
    parts: list[str] = []
    for span in parse_inline(pdf_safe(text)):
        chunk = xml_escape(span.text)
        if span.bold:
            chunk = f"<b>{chunk}</b>"
        if span.italic:
            chunk = f"<i>{chunk}</i>"
        parts.append(chunk)
    return "".join(parts)


PDF_STYLES: Final = {
    "body": ParagraphStyle("Body", fontName="Times-Roman", fontSize=11, leading=15, alignment=TA_JUSTIFY, spaceAfter=7),
    "bullet": ParagraphStyle(
        "Bullet", fontName="Times-Roman", fontSize=11, leading=15, leftIndent=16, bulletIndent=4, spaceAfter=3
    ),
    "bullet2": ParagraphStyle(
        "Bullet2",
        fontName="Times-Roman",
        fontSize=11,
        leading=15,
        leftIndent=32,
        bulletIndent=20,
        spaceAfter=3,
    ),
    "h1": ParagraphStyle(
        "H1", fontName="Helvetica-Bold", fontSize=15, leading=20, spaceBefore=6, spaceAfter=12, keepWithNext=1
    ),
    "h2": ParagraphStyle(
        "H2",
        fontName="Helvetica-Bold",
        fontSize=12.5,
        leading=16,
        spaceBefore=10,
        spaceAfter=6,
        keepWithNext=1,
    ),
    "h3": ParagraphStyle(
        "H3",
        fontName="Helvetica-BoldOblique",
        fontSize=11,
        leading=14,
        spaceBefore=8,
        spaceAfter=4,
        keepWithNext=1,
    ),
    "title": ParagraphStyle("DocTitle", fontName="Helvetica-Bold", fontSize=19, leading=24, spaceAfter=8),
    "kicker": ParagraphStyle(
        "Kicker",
        fontName="Helvetica",
        fontSize=9,
        leading=12,
        textColor=colors.HexColor("#555555"),
        spaceAfter=10,
    ),
    "byline": ParagraphStyle("Byline", fontName="Times-Italic", fontSize=11.5, leading=15, spaceAfter=4),
    "centre": ParagraphStyle(
        "Centre", fontName="Times-Roman", fontSize=12, leading=17, alignment=TA_CENTER, spaceAfter=6
    ),
    "toc_title": ParagraphStyle("TocTitle", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=18),
    "toc_entry": ParagraphStyle("TOC1", fontName="Times-Roman", fontSize=11.5, leading=17),
}
# The title page centres what the article layout left-aligns.
PDF_STYLES.update(
    {
        f"{name}_centred": ParagraphStyle(
            f"{PDF_STYLES[name].name}Centred", parent=PDF_STYLES[name], alignment=TA_CENTER
        )
        for name in ("title", "kicker", "byline")
    }
)


class CorpusDocTemplate(BaseDocTemplate):
    """A4 document whose ``#`` headings get PDF outline entries and, with a table of contents, TOC entries.

    Headings to register carry an ``outline_key`` attribute (set in :func:`pdf_story`); the key is stable
    across the two passes of ``multiBuild``, which the table of contents needs.
    """

    def __init__(self, filename: str, *, footer: str, with_title_page: bool, **kwargs: Any) -> None:
        super().__init__(
            filename,
            pagesize=A4,
            leftMargin=2.5 * cm,
            rightMargin=2.5 * cm,
            topMargin=2.3 * cm,
            bottomMargin=2.3 * cm,
            **kwargs,
        )
        # One line at 8 pt holds about 95 characters; cut long thesis titles at a word boundary.
        self.footer = footer if len(footer) <= 95 else footer[:93].rsplit(" ", 1)[0].rstrip(" :–—,") + " …"
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="main")
        templates = [PageTemplate(id="body", frames=[frame], onPage=self._draw_footer)]
        if with_title_page:  # the first template is used first: the title page has no footer
            templates.insert(0, PageTemplate(id="title", frames=[frame]))
        self.addPageTemplates(templates)

    def _draw_footer(self, canvas: Any, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(self.leftMargin, 1.2 * cm, self.footer)
        canvas.drawRightString(self.leftMargin + self.width, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        key = getattr(flowable, "outline_key", None)
        if key is None or not isinstance(flowable, Paragraph):
            return
        text = flowable.getPlainText()
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=0, closed=False)
        self.notify("TOCEntry", (0, text, self.page, key))


def build_pdf(source: Source, target: Path) -> None:
    """Write a PDF: theses with title page and table of contents, everything else as an article."""
    is_thesis = source.doc_type == "thesis"
    footer = (
        f"{source.author_line} — {source.title}"
        if is_thesis
        else f"{source.edition.organiser} — {source.edition.title}"
    )
    doc = CorpusDocTemplate(
        str(target),
        footer=pdf_safe(footer.lstrip(" —")),
        with_title_page=is_thesis,
        title=pdf_safe(source.title),
        author=pdf_safe(", ".join(source.authors)),
        subject=pdf_safe(source.subject),
        keywords=[pdf_safe(keyword) for keyword in source.keywords],
        creator=GENERATOR,
        lang=source.language,
        invariant=1,  # fixed dates and document id: a rebuild produces the same bytes
        displayDocTitle=1,
    )
    story = pdf_story(source)
    if is_thesis:
        doc.multiBuild(story)  # two passes: the table of contents needs the final page numbers
    else:
        doc.build(story)


def pdf_story(source: Source) -> list[Flowable]:
    """The flowables of a PDF: front matter (title page + contents, or a header), then the body."""
    is_thesis = source.doc_type == "thesis"
    story = (
        thesis_front_pages(source)
        if is_thesis
        else [
            Paragraph(pdf_markup(source.subject), PDF_STYLES["kicker"]),
            Paragraph(pdf_markup(source.title), PDF_STYLES["title"]),
            Paragraph(pdf_markup(source.author_line), PDF_STYLES["byline"]),
            HRFlowable(width="100%", thickness=0.6, color=colors.HexColor("#999999"), spaceBefore=6, spaceAfter=12),
        ]
    )
    section = 0
    for block in content_blocks(source):
        if block.kind == "heading" and block.level == 1:
            # Each top section of a thesis starts on a new page (SPEC.md); so does the first one, since
            # the table of contents has a page of its own.
            if is_thesis:
                story.append(PageBreak())
            heading = Paragraph(pdf_markup(block.text), PDF_STYLES["h1"])
            heading.outline_key = f"section-{section}"  # type: ignore[attr-defined]
            section += 1
            story.append(heading)
        elif block.kind == "heading":
            story.append(Paragraph(pdf_markup(block.text), PDF_STYLES["h2" if block.level == 2 else "h3"]))
        elif block.kind == "paragraph":
            story.append(Paragraph(pdf_markup(block.text), PDF_STYLES["body"]))
        else:
            story += [
                Paragraph(
                    pdf_markup(item.text),
                    PDF_STYLES["bullet2" if item.level else "bullet"],
                    bulletText="–" if item.level else "•",
                )
                for item in block.items
            ]
    return story


def thesis_front_pages(source: Source) -> list[Flowable]:
    """Title page (university, kind, title, author, programme, supervisor, year, prize) and contents."""
    meta = source.meta
    labels = LABELS[source.language]
    centre = PDF_STYLES["centre"]
    # French typography puts a space before the colon.
    colon = " :" if source.language == "fr" else ":"
    pages: list[Flowable] = [
        Spacer(1, 40),
        Paragraph(pdf_markup(str(meta.get("university", DEFAULT_UNIVERSITY))), centre),
        Spacer(1, 70),
        Paragraph(pdf_markup(labels["thesis"].upper()), PDF_STYLES["kicker_centred"]),
        Paragraph(pdf_markup(source.title), PDF_STYLES["title_centred"]),
        Spacer(1, 30),
        Paragraph(pdf_markup(labels["by"]), centre),
        Paragraph(f"<b>{pdf_markup(source.author_line)}</b>", centre),
        Spacer(1, 50),
        Paragraph(pdf_markup(str(meta["programme"])), centre),
        Spacer(1, 20),
        Paragraph(f"{pdf_markup(labels['supervisor'])}{colon} {pdf_markup(str(meta['supervisor']))}", centre),
        Spacer(1, 20),
        Paragraph(f"{pdf_markup(labels['year'])} {source.year}", centre),
    ]
    if "prize" in meta:
        pages += [Spacer(1, 40), Paragraph(f"<b>{pdf_markup(str(meta['prize']))}</b>", centre)]
    # No dot leaders: they would end up as runs of '.' in the extracted text the indexer reads.
    toc = TableOfContents(dotsMinLevel=1)
    toc.levelStyles = [PDF_STYLES["toc_entry"]]
    pages += [
        NextPageTemplate("body"),
        PageBreak(),
        Paragraph(pdf_markup(labels["contents"]), PDF_STYLES["toc_title"]),
        toc,
    ]
    return pages


# --------------------------------------------------------------------------------------------------
# Office formats (python-docx, python-pptx)
# --------------------------------------------------------------------------------------------------


def _add_runs(paragraph: Any, text: str) -> None:
    """Append inline-Markdown text to a python-docx or python-pptx paragraph as formatted runs."""
    for span in parse_inline(text):
        run = paragraph.add_run()  # both libraries: add an empty run, then set text (pptx takes no text arg)
        run.text = span.text
        if span.bold:
            run.font.bold = True
        if span.italic:
            run.font.italic = True


def _set_core_properties(properties: Any, source: Source) -> None:
    """Title/author/... in docProps/core.xml, with fixed dates so rebuilds do not change the file."""
    properties.title = source.title
    properties.author = ", ".join(source.authors)
    properties.subject = source.subject
    properties.keywords = ", ".join(source.keywords)
    properties.language = source.language
    properties.category = source.doc_type
    properties.comments = source.edition.title
    properties.last_modified_by = GENERATOR
    properties.revision = 1
    properties.created = source.edition.date
    properties.modified = source.edition.date


def _normalise_zip(path: Path, *, when: dt.datetime) -> None:
    """Rewrite an OOXML package with fixed member timestamps (zip headers otherwise carry "now")."""
    with zipfile.ZipFile(path) as package:
        members = [(info, package.read(info.filename)) for info in package.infolist()]
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, 0)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for info, data in members:  # same order: [Content_Types].xml must stay first
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            package.writestr(fixed, data)


def build_docx(source: Source, target: Path) -> None:
    """Write a Word document: title, authors, then headings, paragraphs and bullet lists."""
    document = docx.Document()
    _set_core_properties(document.core_properties, source)
    document.add_heading(source.title, level=0)
    byline = document.add_paragraph()
    byline.add_run(source.author_line).italic = True
    byline.add_run(f" — {source.edition.title}")
    for block in content_blocks(source):
        if block.kind == "heading":
            _add_runs(document.add_heading(level=min(block.level, 3)), block.text)
        elif block.kind == "paragraph":
            _add_runs(document.add_paragraph(), block.text)
        else:
            for item in block.items:
                _add_runs(document.add_paragraph(style="List Bullet 2" if item.level else "List Bullet"), item.text)
    document.save(str(target))
    _normalise_zip(target, when=source.edition.date)


def build_pptx(source: Source, target: Path) -> None:
    """Write a slide deck: the first block is the title slide, the others title + bullets (+ notes)."""
    deck = Presentation()
    _set_core_properties(deck.core_properties, source)
    title_layout, content_layout = deck.slide_layouts[0], deck.slide_layouts[1]
    for index, slide_source in enumerate(parse_slides(source)):
        lines = _slide_lines(slide_source.blocks)
        if index == 0:
            slide = deck.slides.add_slide(title_layout)
            slide.shapes.title.text = slide_source.title
            for run in slide.shapes.title.text_frame.paragraphs[0].runs:
                run.font.size = Pt(36 if len(slide_source.title) < 70 else 30)  # long titles fit the box
            subtitle = slide.placeholders[1].text_frame
            subtitle.text = ""
            for number, (text, _level) in enumerate(lines or [(source.author_line, 0)]):
                paragraph = subtitle.paragraphs[0] if number == 0 else subtitle.add_paragraph()
                _add_runs(paragraph, text)
                for run in paragraph.runs:
                    run.font.size = Pt(20)
        else:
            slide = deck.slides.add_slide(content_layout)
            slide.shapes.title.text = slide_source.title
            for run in slide.shapes.title.text_frame.paragraphs[0].runs:
                run.font.size = Pt(32)
            frame = slide.placeholders[1].text_frame
            frame.text = ""
            frame.word_wrap = True
            # Smaller type for fuller slides so the default 4:3 placeholder holds all bullets.
            size = Pt(20 if sum(len(text) for text, _ in lines) < 420 else 17)
            for number, (text, level) in enumerate(lines):
                paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
                paragraph.level = level
                _add_runs(paragraph, text)
                for run in paragraph.runs:
                    run.font.size = size
        if slide_source.notes:
            slide.notes_slide.notes_text_frame.text = slide_source.notes
    deck.save(str(target))
    _normalise_zip(target, when=source.edition.date)


def _slide_lines(blocks: Iterable[Block]) -> list[tuple[str, int]]:
    """Flatten slide blocks into (inline text, indent level) lines; a heading inside a slide turns bold."""
    lines: list[tuple[str, int]] = []
    for block in blocks:
        if block.kind == "list":
            lines += [(item.text, item.level) for item in block.items]
        elif block.kind == "heading":
            lines.append((f"**{plain(block.text)}**", 0))
        else:
            lines.append((block.text, 0))
    return lines


# --------------------------------------------------------------------------------------------------
# Text formats (HTML, Markdown, plain text)
# --------------------------------------------------------------------------------------------------

HTML_STYLE: Final = """\
body { font-family: Georgia, "Times New Roman", serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.55; color: #1d1d1d; }
header .edition { font-family: Helvetica, Arial, sans-serif; font-size: .85rem; color: #555; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; line-height: 1.25; }
.authors { font-style: italic; }
footer { margin-top: 3rem; font-size: .8rem; color: #666; border-top: 1px solid #ccc; padding-top: .5rem; }
"""


def html_inline(text: str) -> str:
    """Inline Markdown -> escaped HTML with <strong>/<em>."""
    parts: list[str] = []
    for span in parse_inline(text):
        chunk = html.escape(span.text, quote=False)
        if span.bold:
            chunk = f"<strong>{chunk}</strong>"
        if span.italic:
            chunk = f"<em>{chunk}</em>"
        parts.append(chunk)
    return "".join(parts)


def render_html(source: Source) -> str:
    """A standalone HTML5 page; the front-matter title is the <h1>, body ``#`` headings become <h2>."""
    attr = lambda value: html.escape(value, quote=True)  # noqa: E731 - short local helper
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{attr(source.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(source.title, quote=False)}</title>",
        f'<meta name="author" content="{attr(", ".join(source.authors))}">',
        f'<meta name="description" content="{attr(source.subject)}">',
    ]
    if source.keywords:
        head.append(f'<meta name="keywords" content="{attr(", ".join(source.keywords))}">')
    head += [
        f'<meta name="generator" content="{attr(GENERATOR)}">',
        f"<style>\n{HTML_STYLE}</style>",
        "</head>",
    ]
    body = [
        "<body>",
        "<header>",
        f'<p class="edition">{html.escape(source.subject, quote=False)}</p>',
        f"<h1>{html.escape(source.title, quote=False)}</h1>",
        f'<p class="authors">{html.escape(source.author_line, quote=False)}</p>',
        "</header>",
        "<main>",
        "<article>",
    ]
    for block in content_blocks(source):
        if block.kind == "heading":
            level = min(block.level + 1, 6)
            body.append(f"<h{level}>{html_inline(block.text)}</h{level}>")
        elif block.kind == "paragraph":
            body.append(f"<p>{html_inline(block.text)}</p>")
        else:
            body.append(_html_list(block.items))
    organiser = html.escape(str(source.edition.info.get("organiser", "")), quote=False)
    body += [
        "</article>",
        "</main>",
        f"<footer><p>{organiser} — {html.escape(source.edition.title, quote=False)}</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body) + "\n"


def _html_list(items: Sequence[ListItem]) -> str:
    """<ul> with one level of nesting for indented items."""
    lines = ["<ul>"]
    open_nested = False
    for item in items:
        if item.level and not open_nested:
            lines[-1] = lines[-1].removesuffix("</li>")
            lines.append("<ul>")
            open_nested = True
        elif not item.level and open_nested:
            lines.append("</ul></li>")
            open_nested = False
        lines.append(f"<li>{html_inline(item.text)}</li>")
    if open_nested:
        lines.append("</ul></li>")
    lines.append("</ul>")
    return "\n".join(lines)


def render_text(source: Source) -> str:
    """Plain text: title, authors, then the body without Markdown markers."""
    lines = [source.title, "=" * len(source.title), source.author_line, ""]
    for block in content_blocks(source):
        if block.kind == "heading":
            text = plain(block.text)
            lines += [text, ("=" if block.level == 1 else "-") * len(text), ""]
        elif block.kind == "paragraph":
            lines += [plain(block.text), ""]
        else:
            lines += [("    " if item.level else "") + f"- {plain(item.text)}" for item in block.items]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def build_html(source: Source, target: Path) -> None:
    target.write_text(render_html(source), encoding="utf-8")


def build_markdown(source: Source, target: Path) -> None:
    target.write_text(source.body, encoding="utf-8")  # SPEC.md: body copied, front matter dropped


def build_text(source: Source, target: Path) -> None:
    target.write_text(render_text(source), encoding="utf-8")


BUILDERS: Final[dict[str, Callable[[Source, Path], None]]] = {
    ".pdf": build_pdf,
    ".docx": build_docx,
    ".pptx": build_pptx,
    ".html": build_html,
    ".md": build_markdown,
    ".txt": build_text,
}


# --------------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """Serialise the value kinds used in front matter (tomllib can only read TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise BuildError(f"cannot write {type(value).__name__} values to the catalogue: {value!r}")


def render_catalogue(edition: Edition, sources: Sequence[Source]) -> str:
    """The edition's catalogue.toml: an [edition] table, then [[documents]] sorted by file."""
    lines = [
        f"# Generated by corpus/_build/build.py from corpus/_build/src/{edition.id}/ - do not edit by hand.",
        "",
        "[edition]",
        f"id = {toml_value(edition.id)}",
    ]
    lines += [f"{key} = {toml_value(value)}" for key, value in _ordered(edition.info, EDITION_FIELDS)]
    for source in sorted(sources, key=lambda item: item.file):
        lines += ["", "[[documents]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in _ordered(source.meta, FIELD_ORDER)]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # fail here, not in the indexer, if the writer ever produces invalid TOML
    return text


def _ordered(mapping: dict[str, Any], first: Sequence[str]) -> list[tuple[str, Any]]:
    known = [(key, mapping[key]) for key in first if key in mapping]
    rest = sorted((key, value) for key, value in mapping.items() if key not in first)
    return known + rest


# --------------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------------


@dataclass
class BuildReport:
    """What a run wrote and removed, for the summary line."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def discover_editions(source_root: Path) -> list[Edition]:
    """Every folder under ``source_root`` is an edition."""
    if not source_root.is_dir():
        raise BuildError(f"no source folder {source_root}")
    return [load_edition(path) for path in sorted(source_root.iterdir()) if path.is_dir()]


def build_edition(edition: Edition, sources: Sequence[Source], *, corpus_dir: Path, report: BuildReport) -> None:
    """Write all documents and the catalogue of one edition, then remove files without a source."""
    out_dir = corpus_dir / edition.id
    expected = {out_dir / CATALOGUE_NAME}
    for source in sources:
        target = out_dir / source.file
        target.parent.mkdir(parents=True, exist_ok=True)
        BUILDERS[source.suffix](source, target)
        expected.add(target)
        report.written.append(target)
        print(f"wrote {_display(target, corpus_dir)}  ({source.doc_type}, {source.language})")
    catalogue = out_dir / CATALOGUE_NAME
    out_dir.mkdir(parents=True, exist_ok=True)
    catalogue.write_text(render_catalogue(edition, sources), encoding="utf-8")
    report.written.append(catalogue)
    print(f"wrote {_display(catalogue, corpus_dir)}  ({len(sources)} documents)")
    _remove_stale(out_dir, expected=expected, corpus_dir=corpus_dir, report=report)


def _remove_stale(out_dir: Path, *, expected: set[Path], corpus_dir: Path, report: BuildReport) -> None:
    # Dotfiles (.gitkeep, editor files) are not documents; everything else must come from a source.
    for path in sorted(out_dir.rglob("*"), reverse=True):
        if path.is_file() and path not in expected and not path.name.startswith("."):
            path.unlink()
            report.removed.append(path)
            print(f"removed {_display(path, corpus_dir)}  (no source any more)")
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _display(path: Path, corpus_dir: Path) -> str:
    try:
        return str(path.relative_to(corpus_dir.parent))
    except ValueError:
        return str(path)


def run(*, corpus_dir: Path = CORPUS_DIR, source_root: Path = SOURCE_ROOT, check_only: bool = False) -> BuildReport:
    """Validate all sources first (so a bad file changes nothing), then build every edition."""
    editions = discover_editions(source_root)
    loaded = [(edition, load_sources(edition)) for edition in editions]
    report = BuildReport()
    for edition, sources in loaded:
        if check_only:
            print(f"ok {edition.id}: {len(sources)} sources")
        else:
            build_edition(edition, sources, corpus_dir=corpus_dir, report=report)
    known = {edition.id for edition in editions}
    for folder in sorted(corpus_dir.iterdir()):
        if folder.is_dir() and folder.name not in known and (folder / CATALOGUE_NAME).exists():
            where = _display(source_root, corpus_dir)
            print(f"warning: {folder.name}/ has a catalogue but no sources in {where}; left untouched")
    if not check_only:
        readme = corpus_dir / "README.md"
        if update_readme_counts(readme, loaded):
            report.written.append(readme)
            print(f"updated {_display(readme, corpus_dir)}  (document counts)")
        total = sum(len(sources) for _, sources in loaded)
        print(f"built {total} documents in {len(loaded)} editions, removed {len(report.removed)} stale files")
    return report


COUNTS_START: Final = "<!-- counts:start (generated by corpus/_build/build.py) -->"
COUNTS_END: Final = "<!-- counts:end -->"
TYPE_ORDER: Final = ("thesis", "talk", "slides", "programme", "report", "article")
LANGUAGE_ORDER: Final = ("fr", "de", "en", "lb")


def render_counts(loaded: Sequence[tuple[Edition, Sequence[Source]]]) -> str:
    """Markdown tables of documents per edition x type and per edition x language, with totals."""

    def table(label: str, columns: Sequence[str], key: Callable[[Source], str]) -> list[str]:
        lines = [f"| {label} | " + " | ".join(columns) + " | total |", "|---" * (len(columns) + 2) + "|"]
        totals = dict.fromkeys(columns, 0)
        for edition, sources in loaded:
            counts = [sum(1 for source in sources if key(source) == column) for column in columns]
            for column, count in zip(columns, counts, strict=True):
                totals[column] += count
            lines.append(f"| `{edition.id}` | " + " | ".join(map(str, counts)) + f" | {len(sources)} |")
        grand = sum(totals.values())
        lines.append("| **all** | " + " | ".join(f"**{totals[c]}**" for c in columns) + f" | **{grand}** |")
        return lines

    by_type = table("edition", TYPE_ORDER, lambda source: source.doc_type)
    by_language = table("edition", LANGUAGE_ORDER, lambda source: source.language)
    return "\n".join(["Documents per type:", "", *by_type, "", "Documents per language:", "", *by_language])


def update_readme_counts(readme: Path, loaded: Sequence[tuple[Edition, Sequence[Source]]]) -> bool:
    """Refresh the counts between the markers of corpus/README.md, so the README never goes stale.

    Returns whether the file changed; a README without the markers is left alone.
    """
    if not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(COUNTS_START), text.find(COUNTS_END)
    if start < 0 or end < start:
        return False
    updated = f"{text[: start + len(COUNTS_START)]}\n{render_counts(loaded)}\n{text[end:]}"
    if updated == text:
        return False
    readme.write_text(updated, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="corpus folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only parse and validate the sources")
    args = parser.parse_args(argv)
    try:
        run(corpus_dir=args.corpus.resolve(), check_only=args.check)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
