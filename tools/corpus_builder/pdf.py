"""PDF rendering with reportlab: theses with title page and table of contents, everything else as an article."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape as xml_escape

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

from tools.corpus_builder.markdown import content_blocks, parse_inline
from tools.corpus_builder.sources import GENERATOR, Source

DEFAULT_UNIVERSITY: Final = "Université du Luxembourg"

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
