"""Markdown and HTML documents shown as people wrote them: rendered, sanitised, highlighted and anchored.

:func:`render` turns a source file's text into safe HTML (Markdown through markdown-it-py, then both formats
through the nh3 sanitiser); :func:`annotate` then marks the query's words in its text nodes only and gives the
block where each passage starts the passage's anchor id (``p-<id>``), so a result's link lands on it.
"""

from __future__ import annotations

import bisect
import html
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nh3
from markdown_it import MarkdownIt

from indexer.core.text import WORD
from indexer.ingest.extract import format_named


def is_rendered(format_name: str) -> bool:
    """Whether a document's page shows its file rendered here (its declaration says so) rather than its passages."""
    declared = format_named(format_name)
    return declared is not None and declared.rendered

# The tags a document may keep. No img: remote images would be blocked by the page's policy (default-src 'self')
# and would tell third parties who reads what, and relative ones point into the corpus, which the service serves
# only as indexed documents (by id), so they would break either way.
_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
    "article", "section", "header", "footer", "aside",  # no main: the page has its own, and one only
})
# Dropped with their content: code and styles, the site's menus (the indexer drops them too), page furniture.
_DROPPED = frozenset({"script", "style", "noscript", "template", "nav", "title", "iframe", "object", "embed",
                      "svg", "math", "textarea", "select", "button", "form"})
_ATTRIBUTES = {"*": {"lang", "title", "dir"}, "a": {"href"}, "abbr": {"title"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan", "scope"}, "ol": {"start"}, "time": {"datetime"}}
_SCHEMES = frozenset({"http", "https", "mailto"})

# Blocks that can hold a passage's first words; text belongs to the innermost one open.
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dt", "dd",
                     "figcaption", "caption", "summary", "div", "article", "section", "header", "footer",
                     "aside", "figure", "details"})
_VOID = frozenset({"br", "col", "hr", "wbr"})
# The page's title is its h1, so the document's own headings move one level down.
_DEMOTED = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h5", "h5": "h6"}
_START_WORDS = 8  # words of a passage's start looked up in the rendered text

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def sanitise(markup: str) -> str:
    """``markup`` with only harmless tags and attributes left: no script, style, frame, event handler or
    ``javascript:`` URL; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(markup, tags=set(_TAGS), clean_content_tags=set(_DROPPED), attributes=_ATTRIBUTES,
                     url_schemes=set(_SCHEMES), link_rel="noopener noreferrer", strip_comments=True)


def render(source: str, format: str) -> str:
    """A Markdown or HTML document's text as sanitised HTML (raw HTML inside Markdown goes through the
    sanitiser as well, so a document written with a little HTML still reads as intended)."""
    markup = _MARKDOWN.render(source) if format == "markdown" else source
    return sanitise(markup)


def read_source(path: Path) -> str:
    # Undecodable bytes become U+FFFD rather than an error: the file was indexed, so it is mostly text.
    return path.read_bytes().decode("utf-8-sig", errors="replace")


@dataclass(frozen=True)
class _Token:
    kind: str  # "start", "end" or "text"
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()
    text: str = ""


class _Tokens(HTMLParser):
    """The sanitised HTML as a flat list of tags and (unescaped) text segments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[_Token] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(_Token("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(_Token("start", tag, tuple(attrs)))
        if tag not in _VOID:
            self.tokens.append(_Token("end", tag))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(_Token("end", tag))

    def handle_data(self, data: str) -> None:
        self.tokens.append(_Token("text", text=data))


def _tokens(markup: str) -> list[_Token]:
    parser = _Tokens()
    parser.feed(markup)
    parser.close()
    return parser.tokens


def _owners(tokens: Sequence[_Token]) -> list[int | None]:
    """For each token, the index of the start token of the innermost block it lies in (``None``: none)."""
    owners: list[int | None] = []
    stack: list[tuple[str, int]] = []
    for index, token in enumerate(tokens):
        if token.kind == "start" and token.tag in _BLOCKS:
            stack.append((token.tag, index))
        elif token.kind == "end" and token.tag in _BLOCKS:
            for depth in range(len(stack) - 1, -1, -1):  # sanitised HTML is well nested; this only guards
                if stack[depth][0] == token.tag:
                    del stack[depth:]
                    break
        owners.append(stack[-1][1] if stack else None)
    return owners


def _words(text: str) -> list[str]:
    # NFC as the indexer stores text, so a file written decomposed still meets its passages.
    return [word.casefold() for word in WORD.findall(unicodedata.normalize("NFC", text))]


def _anchor_blocks(tokens: Sequence[_Token], owners: Sequence[int | None],
                   passages: Iterable[tuple[str, str]]) -> dict[int, list[str]]:
    """Start-token index → the anchor ids of the passages whose first words begin in that block."""
    words: list[str] = []
    word_owner: list[int | None] = []
    for token, owner in zip(tokens, owners, strict=True):
        if token.kind == "text":
            segment = _words(token.text)
            words.extend(segment)
            word_owner.extend([owner] * len(segment))
    haystack = " " + " ".join(words) + " "
    spaces = [i for i, char in enumerate(haystack) if char == " "]  # the n-th space opens the n-th word
    anchors: dict[int, list[str]] = {}
    position = 0  # passages come in reading order, so each is looked for after the one before
    for anchor, text in passages:
        start = _words(text)
        # Fewer words when the first ones are not shown as such (a Markdown link's URL is in the indexed text).
        for count, skip in ((_START_WORDS, 0), (4, 0), (_START_WORDS, 4), (4, 8)):
            needle = start[skip:skip + count]
            if not needle:
                continue
            found = haystack.find(" " + " ".join(needle) + " ", position)
            if found >= 0:
                index = bisect.bisect_left(spaces, found)
                owner = word_owner[index]
                if owner is not None:
                    anchors.setdefault(owner, []).append(anchor)
                position = found
                break
    return anchors


def _start_tag(tag: str, attrs: Iterable[tuple[str, str | None]], anchor: str | None) -> str:
    parts = [tag]
    if anchor:
        parts.append(f'id="{html.escape(anchor)}"')
    parts.extend(name if value is None else f'{name}="{html.escape(value)}"' for name, value in attrs
                 if name != "id")
    return "<" + " ".join(parts) + ">"


def annotate(markup: str, highlight: Callable[[str], str], passages: Iterable[tuple[str, str]] = (),
             *, anchor_class: str = "doc-anchor") -> str:
    """Sanitised ``markup`` with ``highlight`` (text → escaped HTML) applied to its text nodes, headings one level
    down, and each ``(anchor id, passage text)`` of ``passages`` given to the block where the passage starts.

    A block where several passages start takes the first one's id; the others get an empty ``<span>`` at its
    start (an element has one id). Passages not found (text the renderer does not show) get no anchor.
    """
    tokens = _tokens(markup)
    anchors = _anchor_blocks(tokens, _owners(tokens), passages)
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind == "text":
            out.append(highlight(token.text))
        elif token.kind == "start":
            ids = anchors.get(index, [])
            out.append(_start_tag(_DEMOTED.get(token.tag, token.tag), token.attrs, ids[0] if ids else None))
            out.extend(f'<span id="{html.escape(other)}" class="{anchor_class}"></span>' for other in ids[1:])
        elif token.tag not in _VOID:
            out.append(f"</{_DEMOTED.get(token.tag, token.tag)}>")
    return "".join(out)
