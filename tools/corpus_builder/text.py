"""Text formats: a standalone HTML page, the Markdown body as written, and plain text."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from tools.corpus_builder.markdown import ListItem, content_blocks, parse_inline, plain
from tools.corpus_builder.sources import GENERATOR, Source

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
