"""Office documents: DOCX with python-docx and PPTX with python-pptx, with fixed dates and zip timestamps."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import docx
from pptx import Presentation
from pptx.util import Pt

from tools.corpus_builder.markdown import Block, content_blocks, parse_inline, parse_slides, plain
from tools.corpus_builder.sources import GENERATOR, Source


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
