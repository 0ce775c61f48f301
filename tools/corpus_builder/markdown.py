"""The Markdown subset of SPEC.md: headings, paragraphs, bullet lists, **bold**, *italic*, and slides."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final, Literal

from tools.corpus_builder.sources import BuildError, Source


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
