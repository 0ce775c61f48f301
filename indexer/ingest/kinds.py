"""What a passage is and where it sits: its kind (content, table of contents, bibliography, front matter)
and the section heading it is under.

Kinds other than content stay searchable, but the searcher weighs them less and never shows one as a
document's best passage when a content passage of it matches (:mod:`indexer.search.searcher`). A kind is
judged by the section's heading first ("Bibliographie", "Inhaltsverzeichnis", "Remerciements"…), then by the
passage's own text: a list of references, a list of headings with page numbers, a title page.
"""

from __future__ import annotations

import bisect
import re
from typing import Final, Literal

Kind = Literal["content", "contents", "bibliography", "front_matter", "boilerplate"]
CONTENT: Final = "content"
BOILERPLATE: Final = "boilerplate"  # mostly text repeated across documents (indexer.ingest.boilerplate)
KINDS: Final[tuple[Kind, ...]] = ("content", "contents", "bibliography", "front_matter", "boilerplate")


def _names(*words: str) -> re.Pattern[str]:
    return re.compile(r"^\s*(?:[\dIVX]+[.)]?\s+)?(?:" + "|".join(words) + r")\b", re.IGNORECASE)


# Headings of the four languages of the corpus (and English), matched at the start of the heading.
_BIBLIOGRAPHY_HEADING = _names(
    "bibliographie", "bibliography", "bibliografie", "literaturverzeichnis", "literatur", "quellenverzeichnis",
    "quellen", "references", "reference list", "références", "références bibliographiques", "works cited",
    "sources", "littérature", "referenzen")
_CONTENTS_HEADING = _names(
    "table des matières", "table of contents", "contents", "inhaltsverzeichnis", "inhalt", "inhaltsverzeechnes",
    "sommaire", "verzeechnes", "table des figures", "abbildungsverzeichnis", "tabellenverzeichnis",
    "list of figures", "list of tables", "abkürzungsverzeichnis", "liste des abréviations")
_FRONT_HEADING = _names(
    "remerciements", "danksagung", "dank", "acknowledgements", "acknowledgments", "merci", "déclaration", "declaration",
    "eidesstattliche", "selbstständigkeitserklärung", "ehrenwörtliche", "widmung", "dédicace",
    "dedication", "affidavit")
# A reference: "(2006)." or ", 2006." after an author, or a volume(issue), pages.
_REFERENCE = re.compile(r"\((?:19|20)\d\d[a-z]?\)|\b(?:19|20)\d\d[a-z]?\)?\.\s|\d+\(\d+\),\s*\d+|\bpp?\.\s*\d+|"
                        r"\bhttps?://|\bdoi\b", re.IGNORECASE)
# A table of contents' entry: a heading and its page number, with or without dot leaders.
_CONTENTS_ENTRY = re.compile(r"(?:\.{3,}|…{2,}|\s)\s*\d{1,3}(?=\s|$)")
_TITLE_PAGE = re.compile(
    r"\b(?:vorgelegt|virgeluecht|présentée?|presented|submitted|eingereicht|supervis|betreu|betreiung|sous la "
    r"direction|directeur|directrice|bachelorarbeit|masterarbeit|bacheloraarbecht|mémoire|master thesis|"
    r"bachelor thesis|thèse|dissertation|en vue de l'obtention|zur erlangung|in partial fulfil)", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_SUBSECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s")
# A title page holds a title, names and a few lines: longer, it is content.
_TITLE_PAGE_WORDS = 120


def heading_kind(section: str | None) -> Kind | None:
    """The kind a section's heading gives its passages, or None when it says nothing."""
    if not section:
        return None
    if _BIBLIOGRAPHY_HEADING.match(section):
        return "bibliography"
    if _CONTENTS_HEADING.match(section):
        return "contents"
    if _FRONT_HEADING.match(section):
        return "front_matter"
    return None


def text_kind(text: str, *, page: int, page_count: int, section: str | None) -> Kind:
    """The kind of a passage judged from its text (and where it is), when its heading does not tell."""
    words = len(_WORD.findall(text))
    if not words or page_count < 2:  # a one-page text (an article, a note) is judged by its headings only
        return CONTENT
    if _CONTENTS_HEADING.match(text):
        return "contents"
    references = len(_REFERENCE.findall(text))
    if references >= 3 and references * 25 >= words:
        return "bibliography"
    entries = len(_CONTENTS_ENTRY.findall(text))
    if entries >= 5 and entries * 6 >= words:
        return "contents"
    if (page == 1 and page_count >= 3 and section is None and words <= _TITLE_PAGE_WORDS
            and len(_TITLE_PAGE.findall(text)) >= 2):  # two cues: "thèse" alone may be a first sentence
        return "front_matter"
    return CONTENT


def passage_kind(text: str, *, page: int, page_count: int, section: str | None) -> Kind:
    """The passage's kind: from its section's heading, else from its own text."""
    return heading_kind(section) or text_kind(text, page=page, page_count=page_count, section=section)


class Sections:
    """The section heading in force at any point of a document, from its headings' positions."""

    def __init__(self, headings: list[tuple[int, int, str]]) -> None:
        ordered = sorted(headings, key=lambda heading: (heading[0], heading[1]))
        self._positions = [(page, offset) for page, offset, _ in ordered]
        self._titles = [title for _, _, title in ordered]

    def at(self, page: int, offset: int) -> str | None:
        """The heading of the section that holds ``offset`` of page index ``page`` (the last one started)."""
        at = bisect.bisect_right(self._positions, (page, offset)) - 1
        return self._titles[at] if at >= 0 else None

    def cuts(self, page: int) -> list[int]:
        """Offsets on page index ``page`` where a section starts that passages are not to run across: every
        heading but a numbered subsection's ("3.2 …") whose kind is its predecessor's. Cutting at those too made
        a third more, shorter passages (599 → 756 on the bundled corpus) for no gain in what a passage is; a
        passage that runs on from 3.1 into 3.2 has the section it starts in."""
        cuts = []
        for at, (p, offset) in enumerate(self._positions):
            if p != page or offset <= 0:
                continue
            title = self._titles[at]
            previous = heading_kind(self._titles[at - 1]) if at else None
            if not _SUBSECTION.match(title) or heading_kind(title) != previous:
                cuts.append(offset)
        return cuts
