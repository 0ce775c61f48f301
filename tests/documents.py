"""Builders of small real documents for tests: every format the indexer reads, and broken files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

GERMAN_INTEGRATION = (
    "Schulische Integration von Kindern mit Migrationshintergrund. "
    "Viele Kinder, die nach Luxemburg einwandern, lernen in der Grundschule gleichzeitig Luxemburgisch, "
    "Deutsch und Französisch. Aufnahmeklassen und Sprachkurse helfen ihnen, dem Unterricht zu folgen. "
    "Die Zusammenarbeit mit den Eltern und interkulturelle Mediatoren verbessern den Schulerfolg deutlich."
)
ENGLISH_HOUSING = (
    "Housing First in Luxembourg City. Homeless people receive a flat without preconditions, then social "
    "workers support them with health, income and neighbourhood relations. After two years most tenants "
    "kept their home."
)
FRENCH_AI = (
    "L'intelligence artificielle au service du travail social. Des outils aident à rédiger les comptes rendus "
    "d'entretien et à remplir les formulaires administratifs, mais la relation d'aide reste humaine. "
    "Les données personnelles des bénéficiaires doivent être protégées selon le RGPD."
)
LUXEMBOURGISH_ELDERLY = (
    "Eeler Leit doheem. Vill eeler Leit wunnen eleng an hunn Angscht virun der Eesamkeet. D'Gemengen an "
    "d'Fleegedéngschter organiséieren Besuchsdéngschter, Iessen op Rieder an Aktivitéiten am Quartier, "
    "fir datt d'Leit esou laang wéi méiglech doheem bleiwe kënnen."
)


def pdf_bytes(pages: list[str], *, title: str | None = None, author: str | None = None,
              encrypt: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    if author:
        pdf.setAuthor(author)
    for text in pages:
        block = pdf.beginText(50, 780)
        block.setFont("Helvetica", 10)
        line = ""
        for word in text.split():
            if len(line) + len(word) > 90:
                block.textLine(line)
                line = ""
            line += word + " "
        block.textLine(line)
        pdf.drawText(block)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """A page with drawings and no text layer, like a scan."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.circle(300, 600, 50, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_docx(path: Path, *, title: str, heading: str, paragraphs: list[str], author: str = "") -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))


def write_pptx(path: Path, *, slides: list[tuple[str, str]], title: str = "") -> None:
    from pptx import Presentation

    presentation = Presentation()
    presentation.core_properties.title = title
    for heading, body in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = body
    presentation.save(str(path))


def zip_bomb_docx(path: Path, *, megabytes: int, paragraph: bytes = b"<w:p/>") -> None:
    """A valid DOCX whose document.xml holds ``megabytes`` MB of one repeated paragraph: it compresses about
    650:1 (40 MB in 60 KB), and python-docx needs gigabytes and minutes to read it."""
    write_docx(path, title="Rapport annuel", heading="Rapport annuel", paragraphs=["Introduction."])
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in parts:
            if name == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + paragraph * (megabytes * 2**20 // len(paragraph)), 1)
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def write_small_corpus(root: Path) -> Path:
    """Two editions in four languages and five formats, plus the bad files an indexer meets."""
    edition = root / "2025-demo"
    (edition / "theses").mkdir(parents=True)
    (edition / "theses" / "integration.pdf").write_bytes(pdf_bytes(
        ["Bachelorarbeit. " + GERMAN_INTEGRATION, "Kapitel 2. " + GERMAN_INTEGRATION.replace("Kinder", "Jugendliche")],
        title="Schulische Integration", author="Lena Hoffmann"))
    write_docx(edition / "housing-report.docx", title="Housing First report", heading="Housing First",
               paragraphs=[ENGLISH_HOUSING], author="Sam Taylor")
    write_pptx(edition / "ia-slides.pptx", title="IA et travail social",
               slides=[("L'IA au quotidien", FRENCH_AI), ("Protection des données", "RGPD, consentement, "
                                                                             "transparence envers les usagers.")])
    # Bold the indexer strips (its text is unchanged) and the document page renders.
    elderly = LUXEMBOURGISH_ELDERLY.replace("Eesamkeet", "**Eesamkeet**")
    (edition / "eeler-leit.md").write_text(f"# Eeler Leit doheem\n\n{elderly}\n", encoding="utf-8")
    (edition / "catalogue.toml").write_text(
        '[edition]\nid = "2025-demo"\ntitle = "Journée 2025"\nyear = 2025\n\n'
        '[[documents]]\nfile = "theses/integration.pdf"\ntitle = "Schulische Integration von Kindern mit '
        'Migrationshintergrund"\nauthors = ["Lena Hoffmann"]\nyear = 2025\ntype = "thesis"\nlanguage = "de"\n'
        'supervisor = "Prof. Dr. Claude Weis"\nkeywords = ["Integration", "Schule"]\n'
        'prize = "Prix du meilleur mémoire 2025"\n\n'
        '[[documents]]\nfile = "ia-slides.pptx"\ntype = "slides"\nlanguage = "fr"\n\n'
        # The thesis's author again, written surname first: the same person.
        '[[documents]]\nfile = "housing-report.docx"\nauthors = ["Sam Taylor", "Hoffmann, Lena"]\n',
        encoding="utf-8")
    older = root / "2024-archive"
    older.mkdir()
    (older / "page.html").write_text(
        '<!doctype html><html lang="en"><head><title>Housing and homelessness</title>'
        '<meta name="author" content="Alex Martin"></head><body><nav>Menu</nav><h1>Housing</h1>'
        f"<p>{ENGLISH_HOUSING}</p><script>var x = 1;</script></body></html>", encoding="utf-8")
    (older / "notes.txt").write_text(FRENCH_AI, encoding="utf-8")
    bad = root / "2024-archive" / "bad"
    bad.mkdir()
    (bad / "encrypted.pdf").write_bytes(pdf_bytes([FRENCH_AI], encrypt="secret"))
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "scan.pdf").write_bytes(image_only_pdf())
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (bad / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "README.md").write_text("This corpus is for tests.", encoding="utf-8")
    (root / "_build").mkdir()
    (root / "_build" / "source.md").write_text("# Not a document", encoding="utf-8")
    return root


def _lines(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` characters, between words (a word ending "-" is kept so)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def paged_pdf(pages: list[list[str]], *, header: str | None = None, page_numbers: bool = True,
              columns: int = 1, outline: list[tuple[int, str]] | None = None, title: str | None = None,
              width: int = 90) -> bytes:
    """A PDF whose pages are paragraphs (each a string; "\\n" inside forces a line break where the writer put it,
    e.g. after "Sozial-"), laid out as a word processor would: a running ``header`` and a page number on every
    page but the first, one or two columns (drawn column after column, as LaTeX and Word do), bookmarks
    (``outline``: page index, title)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    if title:
        pdf.setTitle(title)
    column_width = width if columns == 1 else width // 2 - 4
    for number, paragraphs in enumerate(pages):
        if number > 0 and header:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(50, 810, f"{header}")
        if number > 0 and page_numbers:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(290, 30, str(number + 1))
        lines: list[str] = []
        for paragraph in paragraphs:
            for piece in paragraph.split("\n"):
                lines.extend(_lines(piece, column_width))
            lines.append("")
        per_column = -(-len(lines) // columns)
        for column in range(columns):
            block = pdf.beginText(50 + column * 260, 780)
            block.setFont("Helvetica", 10 if columns == 1 else 9)
            for line in lines[column * per_column:(column + 1) * per_column]:
                block.textLine(line)
            pdf.drawText(block)
        if outline:
            for index, (page, heading) in enumerate(outline):
                if page == number:
                    pdf.bookmarkPage(f"b{index}")
                    pdf.addOutlineEntry(heading, f"b{index}", level=0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


THESIS_TITLE = "Digitale Kompetenzen von Sozialarbeitenden in Luxemburg"
THESIS_HEADER = f"Tim Kayser — {THESIS_TITLE}"
THESIS_CHAPTERS = [
    ("1. Einleitung", [
        "Die Digitalisierung verändert die Sozial-\narbeit in Luxemburg grundlegend. Beratungsstellen führen "
        "Gespräche per Video, Anträge werden online gestellt und Akten elektronisch geführt.",
        "Fachkräfte der Kinder-\nund Jugendhilfe berichten, dass ihnen für diese Aufgaben oft Schulungen fehlen. "
        "Diese Arbeit untersucht, welche digitalen Kompetenzen sie brauchen und wie sie diese erwerben."]),
    ("2. Methodik", [
        "Es wurden zwölf leitfadengestützte Interviews mit Sozialarbeitenden aus Beratungsstellen, Jugendhäusern "
        "und der Wohnungslosenhilfe geführt und inhaltsanalytisch ausgewertet.",
        "Die Auswahl der Befragten folgte dem Prinzip der maximalen Variation nach Arbeitsfeld, Alter und "
        "Berufserfahrung."]),
    ("3. Ergebnisse", [
        "Die Befragten nutzen Messenger-Dienste für kurze Absprachen mit Klientinnen und Klienten, sorgen sich "
        "aber um den Datenschutz. Fortbildungen zu Videoberatung werden als besonders hilfreich beschrieben.",
        "Ältere Fachkräfte wünschen sich Begleitung im Alltag statt einmaliger Kurse."]),
]
THESIS_BIBLIOGRAPHY = [
    "Helsper, E. & Eynon, R. (2010). Digital natives: where is the evidence? British Educational Research "
    "Journal, 36(3), 503–520.",
    "Kutscher, N. & Siller, F. (2020). Digitalisierung und Soziale Arbeit. Weinheim: Beltz Juventa.",
    "Mayring, P. (2015). Qualitative Inhaltsanalyse. Grundlagen und Techniken (12. Aufl.). Weinheim: Beltz.",
    "Steiner, O. (2021). Social Work in the Digital Age. Zürich: Seismo, S. 45–67.",
]


def thesis_pdf(*, columns: int = 1) -> bytes:
    """A small German thesis as a student writes it: title page, table of contents, three chapters under a
    running header with page numbers, a bibliography, and bookmarks for each part."""
    chapters = [[heading, *paragraphs] for heading, paragraphs in THESIS_CHAPTERS]
    pages = [
        ["Universität Luxemburg", "BACHELORARBEIT", THESIS_TITLE, "vorgelegt von Tim Kayser",
         "Betreut von Prof. Dr. Anne Weber", "2025"],
        ["Inhaltsverzeichnis", "1. Einleitung 3", "2. Methodik 4", "3. Ergebnisse 5", "Literaturverzeichnis 6"],
        *chapters,
        ["Literaturverzeichnis", *THESIS_BIBLIOGRAPHY],
    ]
    outline = [(2 + n, heading) for n, (heading, _) in enumerate(THESIS_CHAPTERS)] + [(5, "Literaturverzeichnis")]
    return paged_pdf(pages, header=THESIS_HEADER, columns=columns, outline=outline, title=THESIS_TITLE)


def write_docx_with_footer(path: Path, *, footer: str, header: str, sections: list[tuple[str, list[str]]]) -> None:
    """A Word document with a page header and footer, and Heading 1 sections."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    document.sections[0].footer.paragraphs[0].text = footer
    for heading, paragraphs in sections:
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))


def write_pptx_with_footer(path: Path, *, slides: list[tuple[str, str]], footer: str) -> None:
    """Slides with a footer text box repeated on each, as a template puts it."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    presentation = Presentation()
    for heading, body in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text = body
        box = slide.shapes.add_textbox(Inches(0.5), Inches(7.0), Inches(6), Inches(0.4))
        box.text_frame.text = footer
        box.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    presentation.save(str(path))
