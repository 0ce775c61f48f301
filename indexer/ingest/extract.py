"""Text extraction: one function per file format, all returning :class:`Extracted`.

A page is what a reader would call one: a PDF page, a slide. Formats without pages (DOCX, HTML,
Markdown, plain text) give one page. Failures raise an :class:`~indexer.core.errors.ExtractionError` subclass
with a message meant for the person reading the indexing summary. :class:`Limits` bound what one file may
cost; what no check can bound in advance (memory, time, crashes) is left to the worker process that runs
:func:`extract` during indexing (:mod:`indexer.ingest.worker`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from indexer.core.errors import CorruptFileError, EncryptedFileError, ExtractionError, NoTextError, TooLargeError
from indexer.core.settings import Settings
from indexer.ingest.layout import read_pages
from indexer.ingest.worker import keep_alive

_MB = 2**20
# A zip part this small cannot hurt, whatever its compression ratio.
_RATIO_FLOOR = _MB
# The longest token of e5's vocabulary, in characters: a text with more characters (spaces aside) than
# passages × passage_tokens × this cannot fit in the passage limit, and is refused before it leaves the worker.
_CHARACTERS_PER_TOKEN = 16


@dataclass(frozen=True)
class Limits:
    """What reading one file may cost (the ``max_*`` settings); over a limit, :class:`TooLargeError` says
    which setting to raise. The passage limit is checked exactly after chunking (:mod:`indexer.ingest.pipeline`); here
    only a text too long for it however it is cut is refused."""

    file_mb: int
    unpacked_mb: int
    compression_ratio: int
    pages: int
    passages: int
    passage_tokens: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(file_mb=settings.max_file_mb, unpacked_mb=settings.max_unpacked_mb,
                   compression_ratio=settings.max_compression_ratio, pages=settings.max_pages,
                   passages=settings.max_passages, passage_tokens=settings.passage_tokens)

    @classmethod
    def defaults(cls) -> Limits:
        return cls.from_settings(Settings.model_construct())


@dataclass
class Extracted:
    """Text and the file's own metadata. Metadata fields are ``None`` when the file does not say."""

    pages: list[str]
    format: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    language: str | None = None
    heading: str | None = None  # first heading: the title of last resort
    ocr_pages: int = 0  # pages read by OCR because they had no text layer
    # Section headings where they start: (page index, character offset in that page's text, heading).
    headings: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(text: str) -> str:
    """Normalise Unicode (NFC), drop control characters, collapse runs of spaces on each line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def _authors(value: str | None) -> list[str]:
    """The authors a file's own metadata names, without what is no person: a program that wrote the file
    ("python-docx", "Microsoft Office User") or an account's placeholder ("Admin", "Utilisateur")."""
    if not value:
        return []
    names = [name.strip() for name in re.split(r";|,| and | und | et ", value) if name.strip()]
    return [name for name in names if not _NOT_A_PERSON.search(name)]


# Names document software writes as the author: programs, libraries, default accounts.
_NOT_A_PERSON = re.compile(
    r"\b(python|python-docx|python-pptx|docx|pptx|openpyxl|reportlab|pdf\w*|latex|pdftex|word|office|writer|impress"
    r"|powerpoint|acrobat|adobe|libreoffice|openoffice|google|microsoft|windows|keynote|canva|scribus|indesign"
    r"|ghostscript)\b"
    r"|^(admin|administrat\w*|user|utilisateur\w*|benutzer|owner|root|unknown|inconnu|unbekannt|author|auteur"
    r"|autor|anonymous|anonyme|default|guest|test|mac|pc|[a-z]?\d+)$", re.IGNORECASE)


def _year(value: datetime | None) -> int | None:
    return value.year if isinstance(value, datetime) and 1900 < value.year < 2200 else None


def _no_text(pages: list[str], what: str) -> None:
    if not any(pages):
        raise NoTextError(what)


OCR_LANGUAGES = "fra+deu+eng+ltz"
_OCR_MAX_PIXELS = 4000  # longest side of a rendered page: enough for 300 dpi A4, bounded for posters


@lru_cache(maxsize=1)
def ocr_missing() -> str | None:
    """Why scans cannot be read here (``None``: they can): Tesseract is not installed, or lacks the data of one of
    the corpus's languages. OCR in English alone would misread French, German and Luxembourgish scans without a
    word of warning, so it is then not used at all."""
    if shutil.which("tesseract") is None:
        return "install Tesseract to read scans"
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not answer ({exc})"
    missing = [lang for lang in OCR_LANGUAGES.split("+") if lang not in set(listed.split())]
    if missing:
        return f"Tesseract lacks the language data {', '.join(missing)} (Debian: tesseract-ocr-{missing[0]})"
    return None


def ocr_available() -> bool:
    """Tesseract is installed with the data of every language in :data:`OCR_LANGUAGES`: scans can be read."""
    return ocr_missing() is None


def ocr_page(path: Path, page_index: int) -> str:
    """Render one PDF page (pdfium) and read it with Tesseract; '' when that fails."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
        try:
            page = document[page_index]
            width, height = page.get_size()
            scale = min(300 / 72, _OCR_MAX_PIXELS / max(width, height, 1))
            image = page.render(scale=scale, grayscale=True).to_pil()
        finally:
            document.close()
        with tempfile.NamedTemporaryFile(suffix=".png") as png:
            image.save(png.name)
            result = subprocess.run(["tesseract", png.name, "stdout", "-l", OCR_LANGUAGES, "--psm", "3"],
                                    capture_output=True, text=True, timeout=120)
        return clean_text(result.stdout) if result.returncode == 0 else ""
    except Exception:  # an unreadable scan stays a page without text
        return ""


def extract_pdf(path: Path, *, ocr: bool = False, max_pages: int | None = None, layout: bool = True) -> Extracted:
    """A PDF's pages; with ``layout`` (the default) read as running text without headers, footers and page
    numbers (:mod:`indexer.ingest.layout`), and its outline's entries as section headings."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted only to restrict printing: the empty user password opens them.
            try:
                opened = reader.decrypt("")
            except Exception as exc:
                raise EncryptedFileError(f"encrypted PDF that cannot be opened: {exc}") from exc
            if not opened:
                raise EncryptedFileError("password-protected PDF: remove the password and index it again")
        page_objects = list(reader.pages)
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise CorruptFileError(f"damaged PDF, cannot be read: {exc}") from exc
    if not page_objects:
        raise NoTextError("the PDF has no pages")
    _check_pages(len(page_objects), max_pages, "pages")
    pages = []
    for page in page_objects:
        try:
            pages.append(clean_text(page.extract_text() or ""))
        except Exception:  # one broken page must not lose the others
            pages.append("")
    ocr_pages = 0
    if ocr and ocr_available():
        for number, text in enumerate(pages):
            if len(text) < 20:  # no text layer (or only a page number): read the picture
                recognised = ocr_page(path, number)
                if len(recognised) > len(text):
                    pages[number] = recognised
                    ocr_pages += 1
                keep_alive()  # each page read by OCR gets the time limit again
    hint = f" ({why})" if (why := ocr_missing()) else ""
    _no_text(pages, f"no text layer on any of its {len(pages)} page(s): a scan or images only{hint}")
    if layout:
        pages = read_pages(pages)
    title = author = None
    year = None
    try:
        info = reader.metadata
        if info is not None:
            title, author = info.title, info.author
            year = _year(info.creation_date)
    except Exception:  # unreadable document info is common and harmless
        pass
    return Extracted(pages=pages, format="pdf", title=_clean_field(title), authors=_authors(author),
                     year=year, heading=_first_line(pages), ocr_pages=ocr_pages,
                     headings=_with_numbered(pages, locate_headings(pages, _outline(reader))) if layout else [])


def _outline(reader: Any) -> list[tuple[int, str]]:
    """The PDF's bookmarks as (page index, title), in reading order; none when it has no readable outline."""
    found: list[tuple[int, str]] = []

    def walk(items: Any, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                if depth < 6:
                    walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
                title = _clean_field(item.title)
            except Exception:  # a broken bookmark is not worth losing the document
                continue
            if page is not None and page >= 0 and title:
                found.append((page, title))

    try:
        walk(reader.outline, 0)
    except Exception:  # an unreadable outline only costs the sections
        return []
    return sorted(found, key=lambda entry: entry[0])


# A numbered subsection's heading alone in its paragraph ("3.2 Méthodologie", "2.1.4 Interviews"): bookmarks
# often stop at chapters. Two levels at least, so that a numbered list item ("1. Erste Frage") is not taken.
_NUMBERED_HEADING = re.compile(r"(?:^|(?<=\n\n))(\d{1,2}(?:\.\d{1,2}){1,3}\.?[ \t]+[^\W\d][^\n]{1,90}?)(?=\n\n|$)")


def _with_numbered(pages: list[str], headings: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``headings`` and the numbered subsection headings of the pages (paragraphs of running text, see
    :mod:`indexer.ingest.layout`), in reading order."""
    found = set(headings)
    taken = {(page, offset) for page, offset, _ in headings}
    for number, page in enumerate(pages):
        for match in _NUMBERED_HEADING.finditer(page):
            title = match.group(1).strip()
            if title[-1] not in ".:;,!?" and (number, match.start(1)) not in taken:
                found.add((number, match.start(1), title))
    return sorted(found)


def locate_headings(pages: list[str], headings: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """(page index, offset, heading) for headings known by page: where the heading's text is on its page,
    searched after the previous one, else the page's start."""
    located: list[tuple[int, int, str]] = []
    for page, title in headings:
        if not 0 <= page < len(pages):
            continue
        after = located[-1][1] if located and located[-1][0] == page else 0
        at = _find_heading(pages[page], title, after)
        located.append((page, after if at < 0 else at, title))
    return located


def _find_heading(text: str, title: str, after: int) -> int:
    pattern = r"\s+".join(re.escape(word) for word in title.split())
    match = re.compile(pattern, re.IGNORECASE).search(text, after) if pattern else None
    return match.start() if match else -1


def _headings_in(text: str, titles: list[str]) -> list[tuple[int, int, str]]:
    """Headings of a one-page document located in order in its text (those not found are dropped)."""
    located: list[tuple[int, int, str]] = []
    position = 0
    for title in titles:
        title = " ".join(title.split())
        at = _find_heading(text, title, position) if title else -1
        if at >= 0:
            located.append((0, at, title[:200]))
            position = at + 1
    return located


def extract_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as exc:  # its message is the file's full path on the server: not for the summary
        raise CorruptFileError("damaged or not a Word document: not a Word (zip) package") from exc
    except (KeyError, ValueError, OSError) as exc:
        raise CorruptFileError(f"damaged or not a Word document: {_without_path(exc, path)}") from exc
    except Exception as exc:  # zipfile.BadZipFile, lxml errors
        raise CorruptFileError(f"damaged or not a Word document: {_without_path(exc, path)}") from exc
    lines: list[str] = []
    heading = None
    titles: list[str] = []
    # Headers and footers live in the sections' own parts, which ``paragraphs`` does not read: they stay out.
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith("Heading") or style == "Title":
            heading = heading or text
            if style.startswith("Heading"):
                titles.append(text)
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    pages = [clean_text("\n\n".join(lines))]
    _no_text(pages, "the document holds no text")
    props = document.core_properties
    return Extracted(pages=pages, format="docx", title=_clean_field(props.title),
                     authors=_authors(props.author), year=_year(props.created),
                     language=_language_tag(props.language), heading=heading, headings=_headings_in(pages[0], titles))


# Placeholders that a slide master repeats on every slide: not what the slide says.
_SLIDE_FURNITURE = {"FOOTER", "SLIDE_NUMBER", "DATE"}


def extract_pptx(path: Path, *, max_pages: int | None = None, layout: bool = True) -> Extracted:
    """One page per slide (title, text, tables, notes); with ``layout``, footers, dates and slide numbers
    are left out, and so are lines repeated on many slides (:mod:`indexer.ingest.layout`)."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        presentation = Presentation(str(path))
    except PackageNotFoundError as exc:  # its message is the file's full path on the server: not for the summary
        raise CorruptFileError("damaged or not a PowerPoint file: not a PowerPoint (zip) package") from exc
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors
        raise CorruptFileError(f"damaged or not a PowerPoint file: {_without_path(exc, path)}") from exc
    _check_pages(len(presentation.slides), max_pages, "slides")
    pages = []
    heading = None
    titles: list[tuple[int, str]] = []
    for number, slide in enumerate(presentation.slides):
        parts: list[str] = []
        title_shape = slide.shapes.title
        if title_shape is not None and title_shape.has_text_frame and title_shape.text_frame.text.strip():
            heading = heading or title_shape.text_frame.text.strip()
            titles.append((number, " ".join(title_shape.text_frame.text.split())))
        for shape in slide.shapes:
            if layout and _is_slide_furniture(shape):
                continue
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            elif getattr(shape, "has_table", False) and shape.has_table:
                parts.extend(" | ".join(cell.text for cell in row.cells) for row in shape.table.rows)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            parts.append(slide.notes_slide.notes_text_frame.text)
        pages.append(clean_text("\n\n".join(p for p in parts if p.strip())))
    _no_text(pages, "the presentation holds no text")
    if layout:
        # Slides are lists, not prose: furniture removed, lines kept; a title repeated on a few slides stays.
        pages = read_pages(pages, prose=False)
    props = presentation.core_properties
    return Extracted(pages=pages, format="pptx", title=_clean_field(props.title),
                     authors=_authors(props.author), year=_year(props.created),
                     language=_language_tag(props.language), heading=heading,
                     headings=locate_headings(pages, titles))


def _is_slide_furniture(shape: Any) -> bool:
    if not getattr(shape, "is_placeholder", False):
        return False
    try:
        kind = shape.placeholder_format.type
    except (ValueError, AttributeError):
        return False
    return getattr(kind, "name", "") in _SLIDE_FURNITURE


def extract_html(path: Path) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    author_tag = soup.find("meta", attrs={"name": "author"})
    author = author_tag.get("content") if author_tag else None
    heading_tag = soup.find(["h1", "h2"])
    titles = [tag.get_text(" ", strip=True) for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    html_tag = soup.find("html")
    language = html_tag.get("lang") if html_tag else None
    if soup.title:
        soup.title.decompose()
    body = soup.body or soup
    pages = [clean_text(re.sub(r"\n{3,}", "\n\n", body.get_text("\n")))]
    _no_text(pages, "the page holds no text")
    return Extracted(pages=pages, format="html", title=_clean_field(title),
                     authors=_authors(author if isinstance(author, str) else None),
                     language=_language_tag(language if isinstance(language, str) else None),
                     heading=heading_tag.get_text(" ", strip=True) if heading_tag else None,
                     headings=_headings_in(pages[0], titles))


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MD_MARKUP = re.compile(r"(\*\*|__|`|^\s{0,3}#{1,6}\s+|^\s{0,3}>\s?)", re.MULTILINE)


def extract_markdown(path: Path) -> Extracted:
    source = _read_text(path)
    match = _MD_HEADING.search(source)
    pages = [clean_text(_MD_MARKUP.sub("", source))]
    _no_text(pages, "the file is empty")
    titles = [_MD_MARKUP.sub("", found.group(1)) for found in _MD_HEADING.finditer(source)]
    return Extracted(pages=pages, format="markdown", heading=match.group(1) if match else None,
                     headings=_headings_in(pages[0], titles))


def extract_text(path: Path) -> Extracted:
    pages = [clean_text(_read_text(path))]
    _no_text(pages, "the file is empty")
    return Extracted(pages=pages, format="text", heading=_first_line(pages))


@dataclass(frozen=True)
class FileFormat:
    """A file format, declared once. The declaration drives everything that knows formats: which files the indexer
    reads and how (``suffixes``, ``extractor``), which staff may upload (``zipped`` ones checked for zip bombs first),
    how the service serves the original (``media_type``; ``inline`` when a browser shows it without running anything
    from it, else downloaded), whether a document's page renders the file itself (``rendered``) or its passages,
    and what a passage's number counts (``unit``: "page" or "slide")."""

    name: str  # the index's format name, a document's ``format``
    suffixes: tuple[str, ...]
    extractor: Callable[[Path], Extracted]
    media_type: str
    inline: bool = False
    rendered: bool = False
    zipped: bool = False
    unit: Literal["page", "slide"] = "page"


# The formats Passerelle reads. Add one here (with its extractor above).
FORMATS: list[FileFormat] = [
    FileFormat("pdf", (".pdf",), extract_pdf, "application/pdf", inline=True),  # the viewer honours #page=N
    FileFormat("docx", (".docx",), extract_docx,
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipped=True),
    FileFormat("pptx", (".pptx",), extract_pptx,
               "application/vnd.openxmlformats-officedocument.presentationml.presentation", zipped=True, unit="slide"),
    # HTML could run scripts from the service's origin: downloaded, never shown as it is (its page renders it safely).
    FileFormat("html", (".html", ".htm"), extract_html, "text/html; charset=utf-8", rendered=True),
    FileFormat("markdown", (".md", ".markdown"), extract_markdown, "text/markdown; charset=utf-8", inline=True,
               rendered=True),
    FileFormat("text", (".txt",), extract_text, "text/plain; charset=utf-8", inline=True),
]


def file_format(path: Path | str) -> FileFormat | None:
    """The declared format of a file, by its suffix (``None``: not one Passerelle reads)."""
    suffix = Path(path).suffix.lower()
    return next((found for found in FORMATS if suffix in found.suffixes), None)


def format_named(name: str) -> FileFormat | None:
    """The declared format of that index name (a document's ``format``)."""
    return next((found for found in FORMATS if found.name == name), None)


def suffixes() -> list[str]:
    """Every suffix of a format Passerelle reads."""
    return [suffix for found in FORMATS for suffix in found.suffixes]


def is_supported(path: Path) -> bool:
    return file_format(path) is not None


def extract(path: Path, *, ocr: bool = False, limits: Limits | None = None, layout: bool = True) -> Extracted:
    """Extract the text of ``path``; raises :class:`~indexer.core.errors.ExtractionError` when it cannot.

    With ``ocr``, PDF pages without a text layer are read by Tesseract when it is installed. ``layout=False``
    keeps PDF and slide text as the libraries give it (for benchmarks; see :mod:`indexer.ingest.layout`). A file over
    one of ``limits`` (default: the settings' defaults) raises :class:`~indexer.core.errors.TooLargeError`.
    """
    declared = file_format(path)
    if declared is None:
        raise ExtractionError(f"unsupported format {path.suffix or '(no extension)'}")
    extractor = declared.extractor
    limits = limits or Limits.defaults()
    size = path.stat().st_size
    if size == 0:
        raise NoTextError("empty file (0 bytes)")
    if size > limits.file_mb * _MB:
        raise TooLargeError(f"{_megabytes(size)} MB, over the {limits.file_mb} MB a file may have "
                            "(raise PASSERELLE_MAX_FILE_MB to read it)")
    try:
        if extractor is extract_pdf:
            extracted = extract_pdf(path, ocr=ocr, max_pages=limits.pages, layout=layout)
        elif extractor is extract_pptx:
            _check_zip(path, limits)
            extracted = extract_pptx(path, max_pages=limits.pages, layout=layout)
        else:
            if declared.zipped:
                _check_zip(path, limits)
            extracted = extractor(path)
    except (ExtractionError, MemoryError):
        raise
    except Exception as exc:  # a library failing on a malformed file must not stop the run
        raise CorruptFileError(f"cannot be read as {path.suffix.lower()[1:]}: {type(exc).__name__}: {exc}") \
            from exc
    characters = sum(len(page) - page.count(" ") - page.count("\n") for page in extracted.pages)
    if characters > limits.passages * limits.passage_tokens * _CHARACTERS_PER_TOKEN:
        raise TooLargeError(f"{characters:,} characters of text, more than {limits.passages:,} passages can hold "
                            "(raise PASSERELLE_MAX_PASSAGES to read it)")
    return replace(extracted, format=declared.name)  # the declaration names the format


def _check_pages(count: int, most: int | None, what: str) -> None:
    if most is not None and count > most:
        raise TooLargeError(f"{count:,} {what}, over the {most:,} a file may have (raise PASSERELLE_MAX_PAGES to "
                            "read it)")


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse (:class:`TooLargeError`) a DOCX or PPTX over the zip limits, as :func:`extract` would, and one that
    is not a zip at all (:class:`CorruptFileError`): the staff upload checks a file before keeping it."""
    import zipfile

    if not zipfile.is_zipfile(path):
        raise CorruptFileError("not a zip archive, as a DOCX or PPTX must be")
    _check_zip(path, limits)


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a DOCX or PPTX that would unpack too large, from its zip directory alone (nothing is unpacked):
    its reader holds every part in memory, and parsed XML takes about 16 times its size."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip: the reader reports it as damaged
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_mb * _MB:
        raise TooLargeError(f"unpacks to {_megabytes(unpacked)} MB, over the {limits.unpacked_mb} MB allowed "
                            "(raise PASSERELLE_MAX_UNPACKED_MB to read it)")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > limits.compression_ratio:
            raise TooLargeError(
                f"its part {member.filename} unpacks to {ratio:,.0f} times its size ({_megabytes(member.file_size)} "
                f"MB from {member.compress_size / 1024:,.0f} KB), like a zip bomb; the limit is "
                f"{limits.compression_ratio}:1 (raise PASSERELLE_MAX_COMPRESSION_RATIO to read it)")


def _without_path(error: Exception, path: Path) -> str:
    """A library's message without the file's path on the server (the summary names the file already)."""
    return str(error).replace(str(path), path.name)


def _megabytes(size: int) -> str:
    return f"{size / _MB:,.1f}" if size < 10 * _MB else f"{size / _MB:,.0f}"


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise CorruptFileError("binary data, not text") from None
        return str(best)


def _clean_field(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = clean_text(value).replace("\n", " ")
    return value or None


def _first_line(pages: list[str]) -> str | None:
    for page in pages:
        for line in page.split("\n"):
            if len(line.strip()) >= 3:
                return line.strip()[:200]
    return None


def _language_tag(tag: str | None) -> str | None:
    """``fr-LU`` → ``fr``."""
    if not tag:
        return None
    code = tag.strip().split("-")[0].split("_")[0].lower()
    return code if len(code) == 2 and code.isalpha() else None
