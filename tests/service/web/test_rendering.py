"""Markdown and HTML documents rendered for the document page: formatted, safe, highlighted, anchored."""

from __future__ import annotations

import html
import re

import pytest

from service.web.rendering import annotate, render, sanitise


def _mark(word: str):
    """A highlighter that marks ``word`` (as the searcher's would, on text, returning escaped HTML)."""
    return lambda text: html.escape(text).replace(word, f"<mark>{word}</mark>")


ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)" onmouseover="alert(2)">text</p>',
    '<a href="javascript:alert(1)">link</a>',
    '<a href=" JaVaScRiPt:alert(1)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">link</a>',
    '<iframe src="https://example.org"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body { display: none }</style>",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<div style="background: url(javascript:alert(1))">styled</div>',
    '<form action="https://evil.example"><input name="x"><button>go</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0; url=https://evil.example">',
]


@pytest.mark.parametrize("format", ["html", "markdown"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_that_runs_survives(attack: str, format: str) -> None:
    out = render(f"Before.\n\n{attack}\n\nAfter.", format).lower()
    assert not re.search(r"\son\w+=", out), out
    for forbidden in ("<script", "alert(1)</", "javascript:", "data:", "<iframe", "<object", "<embed",
                      "<style", "style=", "<svg", "<form", "<input", "<button", "<base", "<meta"):
        assert forbidden not in out, (forbidden, out)
    assert "before." in out and "after." in out


def test_markdown_is_formatted_not_shown_raw() -> None:
    out = render("# Title\n\nSome **bold** and *light* text.\n\n## Part\n\n- one\n- two\n\n> quoted\n", "markdown")
    assert "<h1>Title</h1>" in out and "<h2>Part</h2>" in out
    assert "<strong>bold</strong>" in out and "<em>light</em>" in out
    assert "<li>one</li>" in out and "<blockquote>" in out
    assert "#" not in out and "**" not in out


def test_markdown_raw_html_and_markdown_links_are_sanitised() -> None:
    out = render('[safe](https://example.org) [bad](javascript:alert(1)) <a href="javascript:x" onclick="y">z</a>',
                 "markdown")
    assert '<a href="https://example.org" rel="noopener noreferrer">safe</a>' in out
    assert 'href="javascript' not in out and "onclick" not in out


def test_links_get_rel_and_images_are_dropped() -> None:
    out = sanitise('<a href="https://example.org" rel="opener">x</a><img src="https://tracker.example/p.gif">'
                   '<img src="figure.png" alt="A figure">')
    assert out == '<a href="https://example.org" rel="noopener noreferrer">x</a>'


def test_an_html_page_keeps_its_text_not_its_head_or_menu() -> None:
    page = ('<!doctype html><html lang="en"><head><title>Head title</title><meta name="author" content="A">'
            '<style>p { color: red }</style></head><body><nav>Menu</nav><h1>Housing</h1>'
            '<main><p class="x" id="main">Text <b>bold</b></p></main><script>var x = 1;</script></body></html>')
    out = render(page, "html")
    assert "Head title" not in out and "Menu" not in out and "var x" not in out and "color: red" not in out
    assert "<h1>Housing</h1>" in out and "<p>Text <b>bold</b></p>" in out  # no id or class of its own
    assert "<main" not in out  # the page has its one main element


def test_highlighting_marks_text_and_never_tags_or_attributes() -> None:
    markup = render('<p title="Integration">Die Integration <a href="/Integration">von Integration</a></p>', "html")
    out = annotate(markup, _mark("Integration"))
    assert out == ('<p title="Integration">Die <mark>Integration</mark> <a href="/Integration" '
                   'rel="noopener noreferrer">von <mark>Integration</mark></a></p>')


def test_highlighting_escapes_text_again() -> None:
    markup = render("Fish &amp; chips &lt;script&gt;alert(1)&lt;/script&gt;", "markdown")
    out = annotate(markup, _mark("chips"))
    assert "<script" not in out and "&lt;script&gt;" in out and "<mark>chips</mark>" in out


def test_headings_move_one_level_down_under_the_page_title() -> None:
    out = annotate(render("# One\n\n## Two\n\n###### Six\n", "markdown"), html.escape)
    assert out.split() == ["<h2>One</h2>", "<h3>Two</h3>", "<h6>Six</h6>"]


def test_the_block_where_a_passage_starts_gets_its_anchor() -> None:
    markup = render("# Title\n\nFirst paragraph, about nothing much.\n\n"
                    "Second **paragraph**: the one that holds the passage's start, with more words after.\n\n"
                    "- a list item where the [next](https://example.org) passage starts\n", "markdown")
    out = annotate(markup, html.escape, [
        ("p-1", "Title First paragraph, about nothing much."),
        ("p-2", "Second paragraph: the one that holds the passage's start, with more words after."),
        ("p-3", "the passage's start, with more words after. a list item"),  # starts in the same block
        ("p-4", "a list item where the next https://example.org passage starts"),  # the link's URL is not shown
        ("p-5", "words that are nowhere in the document at all"),
    ])
    assert '<h2 id="p-1">Title</h2>' in out
    assert re.search(r'<p id="p-2"><span id="p-3" class="doc-anchor"></span>Second <strong>paragraph', out)
    assert '<li id="p-4">a list item' in out
    assert "p-5" not in out
    assert out.count('id="') == 4
