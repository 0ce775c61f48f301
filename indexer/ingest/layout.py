"""Reading pages as a person does: page furniture removed, broken words mended, paragraphs as running text.

Three rules, applied to the text of paged formats (PDF pages, slides):

- **Furniture**: running headers and footers and printed page numbers are lines at the top or bottom edge of
  a page that repeat, digits normalised ("Tim Kayser — … 8" and "… 9" are one line), on many pages of the
  document. They are removed from every page. A line that repeats at the edge only over a run of pages that
  starts after the first two (a long table's repeated header, a chapter's running title) is kept where the
  run starts, so its words stay in the document once.
- **Hyphens**: a word broken at a line end ("Sozial-" / "arbeit") is joined; a hyphen followed by a
  conjunction ("Kinder- und Jugendhilfe") or by a capital ("Sozial-" / "Arbeit") is kept, as the writer meant it.
- **Paragraphs**: the lines of a paragraph are joined with spaces; a short line (the end of a paragraph or a
  heading) and a list item end one. Paragraphs are separated by a blank line, which the chunker reads as a
  sentence end, so a heading is never glued to the sentence after it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Lines looked at on each edge of a page: a header, a page number and a date fit.
EDGE_LINES = 3
# A line repeated at the edge of at least this share of pages (and of two pages) is a running header or footer.
FURNITURE_SHARE = 0.4
# In documents shorter than this, a line at the edge of every page is as likely shared text as a header: such
# lines are furniture unless they come in a run of MIN_SHARED_RUN (see _shared_text).
MIN_PAGES = 3
MIN_SHARED_RUN = 3
# Repeated at the edge of this many pages at least, a line is furniture over its run of pages.
RUN_PAGES = 3
# Pages before a running header may start (a title page, a table of contents): a line repeated from there on is
# the document's header; one whose repetition starts later is kept once where it starts.
_FRONT_PAGES = 2

_DIGITS = re.compile(r"\d+")
_ROMAN_PAGE = re.compile(r"^[ivxlc]{1,6}$")
_SPACES = re.compile(r"\s+")
# Words that, after a line ending in a hyphen, make it a suspended compound ("Kinder- und Jugendhilfe").
_CONJUNCTIONS = frozenset({"und", "oder", "bzw", "sowie", "resp", "and", "or", "et", "ou", "a", "an",
                           "respektiv", "wéi", "bis", "to", "à", "zu"})
_BULLET = re.compile(r"^([-–—•▪◦●○■□➢►✓*]|\uf0b7|\uf0a7|\d{1,2}[.)]\s|[a-z][.)]\s)")
_SENTENCE_END = re.compile(r"[.!?:;…»“”\")]$")
# A numbered subsection heading ("3.2 Entretiens"): after a sentence's end, it starts a paragraph.
_HEADING_START = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+\S")
_HYPHENATED = re.compile(r"(\w)[-\u00ad]$")
# A paragraph's lines are at least this share of the page's usual line length, but for its last.
_SHORT_LINE = 0.7


# A page number as printed: "7", "- 7 -", "Page 7", "Seite 7 von 9", "7 / 9" (after normalising).
_PAGE_NUMBER = re.compile(r"^(?:page|seite|s\.|p\.|säit)?\s*[-–(]?\s*#\s*[-–)]?(?:\s*(?:/|of|von|sur|vun)\s*#)?$")


def normalise(line: str, *, digits: bool = True) -> str:
    """The form in which repeated lines are compared: case, spacing and, with ``digits``, numbers (page
    numbers, dates) ignored. A page number alone is always ``#``."""
    line = _SPACES.sub(" ", line.strip().lower())
    if _ROMAN_PAGE.match(line) or _PAGE_NUMBER.match(_DIGITS.sub("#", line)):
        return "#"
    return _DIGITS.sub("#", line) if digits else line


def is_page_number(key: str) -> bool:
    return key == "#"


@dataclass(frozen=True)
class Furniture:
    """What :func:`find_furniture` found: normalised lines to remove everywhere, and lines to remove but where
    their run starts (page index)."""

    everywhere: frozenset[str]
    after_first: dict[str, int]
    digits: bool = True

    def is_furniture(self, line: str, page: int) -> bool:
        key = normalise(line, digits=self.digits)
        if key in self.everywhere:
            return True
        first = self.after_first.get(key)
        return first is not None and page != first


def _edges(lines: Sequence[str]) -> list[str]:
    """The non-blank lines at the top and bottom edges of a page."""
    filled = [line for line in lines if line.strip()]
    if len(filled) <= 2 * EDGE_LINES:
        return filled
    return filled[:EDGE_LINES] + filled[-EDGE_LINES:]


def find_furniture(pages: Sequence[Sequence[str]], *, runs: bool = True, digits: bool = True) -> Furniture:
    """Running headers, footers and page numbers of a document, from its pages' lines.

    With ``runs`` (prose), a line repeated at the edge of :data:`RUN_PAGES` pages is furniture too, but one
    whose run starts after the first pages (a title page and a table of contents have no header) is kept where
    the run starts. Without ``digits``, lines that differ by a number are different (slides: "Étape 1", "Étape 2").
    """
    if len(pages) < 2:
        return Furniture(frozenset(), {}, digits)
    seen: Counter[str] = Counter()
    first_page: dict[str, int] = {}
    for number, lines in enumerate(pages):
        for key in {normalise(line, digits=digits) for line in _edges(lines)}:
            if key:
                seen[key] += 1
                first_page.setdefault(key, number)
    needed = max(2, math.ceil(FURNITURE_SHARE * len(pages)))
    shared = _shared_text(pages, seen, digits) if len(pages) < MIN_PAGES else set()
    everywhere: set[str] = set()
    after_first: dict[str, int] = {}
    for key, count in seen.items():
        if not (count >= needed or (runs and count >= RUN_PAGES)) or key in shared:
            continue
        if not runs or is_page_number(key) or first_page[key] <= _FRONT_PAGES:
            everywhere.add(key)
        else:
            after_first[key] = first_page[key]
    return Furniture(frozenset(everywhere), after_first, digits)


def _shared_text(pages: Sequence[Sequence[str]], seen: Counter[str], digits: bool) -> set[str]:
    """Repeated edge lines of a short document that are shared text, not furniture: those in a run of
    :data:`MIN_SHARED_RUN` repeated lines or more at an edge (page numbers aside), as when two pages end alike.
    A header is a line or two; in a long document, repetition on many pages tells the two apart."""
    shared: set[str] = set()
    for lines in pages:
        filled = [normalise(line, digits=digits) for line in lines if line.strip()]
        for zone in (filled[:EDGE_LINES], filled[::-1][:EDGE_LINES]):
            run = [key for key in zone if not is_page_number(key)]
            if len(run) >= MIN_SHARED_RUN and all(seen[key] >= 2 for key in run[:MIN_SHARED_RUN]):
                shared.update(run[:MIN_SHARED_RUN])
    return shared


def strip_furniture(lines: list[str], page: int, furniture: Furniture) -> list[str]:
    """The page's lines without the furniture at its top and bottom edges: from each edge, the furniture lines
    up to the first line that is not (never from the middle of the page, where a repeated line is content)."""
    start, end = 0, len(lines)
    removed = 0
    while start < end and removed < EDGE_LINES + 2:
        if not lines[start].strip():
            start += 1
        elif furniture.is_furniture(lines[start], page):
            start += 1
            removed += 1
        else:
            break
    removed = 0
    while end > start and removed < EDGE_LINES + 2:
        if not lines[end - 1].strip():
            end -= 1
        elif furniture.is_furniture(lines[end - 1], page):
            end -= 1
            removed += 1
        else:
            break
    return lines[start:end]


def _mend(line: str, following: str, compounds: frozenset[str]) -> tuple[str, str] | None:
    """``line`` ended by a broken word and ``following`` joined into one line when they should be, else None.
    A word whose first part the document also writes before a hyphen inside a line (``compounds``) keeps it."""
    if not line.endswith(("-", "\u00ad")) or not _HYPHENATED.search(line[-2:]):
        return None
    word = following.split(" ", 1)[0]
    bare = word.strip(",.;:").lower()
    if not word or not word[0].isalpha() or not word[0].islower() or bare in _CONJUNCTIONS:
        return None
    if line.rsplit(" ", 1)[-1][:-1].lower() in compounds:
        return line, following
    return line[:-1], following


_COMPOUND = re.compile(r"(\w+)-\w")


def compounds_in(pages: Sequence[str]) -> frozenset[str]:
    """First parts of the hyphenated words a document writes inside its lines ("socio" of "socio-éducatif"):
    a word broken at a line end after such a part keeps its hyphen ("socio-" / "éducatives")."""
    return frozenset(match.group(1).lower() for page in pages for match in _COMPOUND.finditer(page))


def join_lines(lines: Sequence[str], compounds: frozenset[str] = frozenset()) -> str:
    """A page's lines as running text: broken words joined (but ``compounds``, see :func:`compounds_in`),
    paragraphs one line each, a blank line between."""
    lines = [line.strip() for line in lines]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return ""
    # The usual length of a full line: most lines of a page of prose are full.
    usual = lengths[int(0.8 * (len(lengths) - 1))]
    paragraphs: list[str] = []
    current = ""
    for index, line in enumerate(lines):
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if current and (_BULLET.match(line) or (_HEADING_START.match(line) and _SENTENCE_END.search(current[-1:]))):
            paragraphs.append(current)
            current = ""
        if not current:
            current = line
        else:
            mended = _mend(current, line, compounds)
            current = mended[0] + mended[1] if mended else f"{current} {line}"
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not following:
            continue
        ends_short = len(line) < _SHORT_LINE * usual
        if ends_short and (_SENTENCE_END.search(line) or not _HYPHENATED.search(line[-2:])):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def read_pages(pages: Sequence[str], *, prose: bool = True) -> list[str]:
    """Pages of text as a person reads them: furniture removed and, for ``prose`` (not slides), running text
    (see :func:`find_furniture` for what ``prose`` changes there)."""
    split = [page.split("\n") for page in pages]
    furniture = find_furniture(split, runs=prose, digits=prose)
    # Only a document with a line ending in a hyphen needs them (most have none: the search costs a regex pass).
    compounds = compounds_in(pages) if prose and any("-\n" in page or "\u00ad\n" in page for page in pages) \
        else frozenset()
    cleaned = []
    for number, lines in enumerate(split):
        kept = strip_furniture(lines, number, furniture)
        cleaned.append(join_lines(kept, compounds) if prose else "\n".join(kept).strip())
    return cleaned
