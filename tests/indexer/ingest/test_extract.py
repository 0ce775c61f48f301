from __future__ import annotations

from pathlib import Path

import pytest

from indexer.core.errors import CorruptFileError, EncryptedFileError, ExtractionError, NoTextError
from indexer.ingest.extract import clean_text, extract, ocr_available
from tests.conftest import SHARED
from tests.documents import FRENCH_AI, GERMAN_INTEGRATION, image_only_pdf, pdf_bytes, write_docx, write_pptx


def test_pdf_pages_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf_bytes(["Erste Seite über Integration.", "Zweite Seite, Schüler und Übergänge."],
                               title="Integration", author="Lena Hoffmann; Marc Weber"))
    extracted = extract(path)
    assert extracted.page_count == 2
    assert "Erste Seite" in extracted.pages[0] and "Übergänge" in extracted.pages[1]
    assert extracted.title == "Integration"
    assert extracted.authors == ["Lena Hoffmann", "Marc Weber"]


def test_pdf_encrypted_with_password_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_bytes([FRENCH_AI], encrypt="secret"))
    with pytest.raises(EncryptedFileError, match="password"):
        extract(path)


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    source = tmp_path / "plain.pdf"
    source.write_bytes(pdf_bytes([FRENCH_AI]))
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    locked = tmp_path / "restricted.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    assert "intelligence artificielle" in extract(locked).pages[0]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("corrupt.pdf", b"%PDF-1.4\ngarbage", CorruptFileError),
        ("empty.pdf", b"", NoTextError),
        ("scan.pdf", image_only_pdf(), NoTextError),
        ("broken.docx", b"PK\x03\x04 not a zip", CorruptFileError),
        ("broken.pptx", b"nothing", CorruptFileError),
        ("binary.txt", bytes(range(256)) * 4, ExtractionError),
    ],
)
def test_bad_files_raise_a_clear_extraction_error(tmp_path: Path, name: str, content: bytes,
                                                  error: type[Exception]) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        extract(path)
    assert str(caught.value)


def test_docx_text_heading_and_core_properties(tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    write_docx(path, title="Rapport", heading="Introduction", paragraphs=[GERMAN_INTEGRATION], author="Ana Silva")
    extracted = extract(path)
    assert extracted.title == "Rapport" and extracted.heading == "Introduction"
    assert extracted.authors == ["Ana Silva"]
    assert "Aufnahmeklassen" in extracted.pages[0]


def test_pptx_one_page_per_slide(tmp_path: Path) -> None:
    path = tmp_path / "s.pptx"
    write_pptx(path, slides=[("Eins", "erste Folie"), ("Zwei", "zweite Folie")])
    extracted = extract(path)
    assert extracted.page_count == 2
    assert "erste Folie" in extracted.pages[0] and "zweite Folie" in extracted.pages[1]
    assert extracted.heading == "Eins"


def test_html_drops_scripts_and_reads_head(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text('<html lang="fr-LU"><head><title>T</title><meta name="author" content="Jo Kieffer">'
                    "<style>p{}</style></head><body><h1>Titre</h1><p>Texte utile.</p>"
                    "<script>alert(1)</script></body></html>", encoding="utf-8")
    extracted = extract(path)
    assert extracted.title == "T" and extracted.language == "fr" and extracted.authors == ["Jo Kieffer"]
    assert "Texte utile." in extracted.pages[0]
    assert "alert" not in extracted.pages[0] and "p{}" not in extracted.pages[0]


def test_markdown_heading_and_markup_removed(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("# Mon titre\n\nDu **gras** et du texte.\n", encoding="utf-8")
    extracted = extract(path)
    assert extracted.heading == "Mon titre"
    assert extracted.pages[0] == "Mon titre\n\nDu gras et du texte."


def test_text_in_latin1_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Les enfants ont été accueillis à l'école élémentaire près de chez eux.".encode("cp1252"))
    assert "été accueillis à l'école" in extract(path).pages[0]


def test_clean_text_collapses_spaces_and_drops_controls() -> None:
    assert clean_text("a\x00b  \t c\r\n  d ") == "a b c\nd"


def _scanned_pdf(tmp_path: Path, text: str) -> Path:
    """A PDF whose only page is a picture of ``text``: no text layer, like a scan."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (1700, 400), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=56)
    draw.text((60, 150), text, fill=0, font=font)
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(850, 200), invariant=1)
    pdf.drawImage(ImageReader(image), 0, 0, width=850, height=200)
    pdf.showPage()
    pdf.save()
    return path


@pytest.mark.skipif(not ocr_available(), reason="Tesseract is not installed (.ci/run installs it)")
def test_scanned_pages_are_read_by_ocr(tmp_path: Path) -> None:
    path = _scanned_pdf(tmp_path, "Integration der Kinder in der Schule")
    with pytest.raises(NoTextError):
        extract(path)  # without OCR: no text layer
    extracted = extract(path, ocr=True)
    assert extracted.ocr_pages == 1
    assert "Integration" in extracted.pages[0] and "Schule" in extracted.pages[0]


FRANCAIS = SHARED / "data" / "pdf" / "ocrmypdf-resources" / "tests" / \
    "resources" / "francais.pdf"


@pytest.mark.skipif(not ocr_available() or not FRANCAIS.exists(), reason="needs Tesseract and ../shared")
def test_french_scan_is_read_with_its_accents() -> None:
    text = extract(FRANCAIS, ocr=True).pages[0]
    assert len(text) > 200
    assert any(word in text for word in ("é", "è", "à"))


@pytest.mark.parametrize("name", ["broken.docx", "broken.pptx"])
def test_a_damaged_office_file_is_reported_without_the_servers_path(tmp_path: Path, name: str) -> None:
    broken = tmp_path / "deep" / "folder" / name
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"this is not a zip package")
    with pytest.raises(CorruptFileError) as raised:
        extract(broken)
    assert "damaged or not a" in str(raised.value) and str(tmp_path) not in str(raised.value)


def test_ocr_is_not_used_without_the_corpus_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract with English data only would misread French and German scans: OCR is then off, and says why."""
    import subprocess

    from indexer.ingest import extract as module

    module.ocr_missing.cache_clear()
    monkeypatch.setattr(module.shutil, "which", lambda name: "/usr/bin/tesseract")
    monkeypatch.setattr(module.subprocess, "run", lambda *args, **kwargs: subprocess.CompletedProcess(
        args, 0, stdout="List of available languages (2):\neng\nosd\n"))
    try:
        assert not module.ocr_available()
        assert "fra, deu, ltz" in (module.ocr_missing() or "")
    finally:
        module.ocr_missing.cache_clear()
