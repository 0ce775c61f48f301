"""Reading real documents as a person does: page furniture, broken words, paragraphs, columns, sections and
kinds of passage (issue 15). Documents are generated small, as their authors' tools lay them out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer import FakeEmbedder, Index, Settings, index_corpus
from indexer.core.generations import FORMAT_VERSION
from indexer.ingest.extract import extract
from indexer.ingest.kinds import Sections, passage_kind
from indexer.ingest.layout import find_furniture, join_lines, normalise, read_pages, strip_furniture
from indexer.search.filters import Filters
from indexer.search.searcher import Searcher
from tests.documents import (
    THESIS_BIBLIOGRAPHY,
    THESIS_HEADER,
    paged_pdf,
    thesis_pdf,
    write_docx_with_footer,
    write_pptx_with_footer,
)


def _thesis(tmp_path: Path, *, columns: int = 1) -> list[str]:
    path = tmp_path / "thesis.pdf"
    path.write_bytes(thesis_pdf(columns=columns))
    return extract(path).pages


# -- furniture ---------------------------------------------------------------------------------------------


def test_running_header_and_page_numbers_are_not_passage_text(tmp_path: Path) -> None:
    pages = _thesis(tmp_path)
    assert len(pages) == 6
    assert not any("Tim Kayser —" in page for page in pages)
    assert not any(re.search(r"(^|\n)\d+\s*($|\n)", page) for page in pages)  # no page number left on a line
    assert pages[2].startswith("1. Einleitung")
    assert pages[4].endswith("Begleitung im Alltag statt einmaliger Kurse.")


def test_without_layout_the_header_is_there(tmp_path: Path) -> None:
    """The rule is what removes it (the test above can fail)."""
    path = tmp_path / "thesis.pdf"
    path.write_bytes(thesis_pdf())
    assert THESIS_HEADER in extract(path, layout=False).pages[2]


def test_page_numbers_and_dates_are_compared_with_digits_normalised() -> None:
    assert normalise("Tim Kayser — Digitale Kompetenzen  8") == normalise("tim kayser — digitale kompetenzen 12")
    assert normalise("Stand: 12.03.2025") == normalise("Stand: 1.4.2024")
    assert normalise("xiv") == normalise("7") == "#"


def test_a_line_repeated_in_the_middle_of_pages_is_content() -> None:
    words = ["Wohnen", "Arbeit", "Schule", "Familie", "Gesundheit", "Alter"]
    pages = [["Header", f"{word} ist Thema.", "Siehe Tabelle 1.", f"Mehr über {word}.", f"{word} bleibt.",
              f"Ende: {word}.", str(n)] for n, word in enumerate(words, start=1)]
    cleaned = read_pages(["\n".join(page) for page in pages])
    assert all("Siehe Tabelle 1." in page for page in cleaned)  # repeated, but not at an edge
    assert not any(page.startswith("Header") or page.endswith(("6", "5")) for page in cleaned)


def test_a_table_header_repeated_over_some_pages_is_kept_where_the_table_starts() -> None:
    """Decision: a line repeated at the top of a run of pages that starts after page 2 (a long table's header,
    a chapter's running title) is furniture on the following pages, but its first occurrence is content."""
    pages = [[f"Chapter text {n}.", "Body."] for n in range(1, 4)]
    rows = ["Esch-sur-Alzette | 36 000 | 5 %", "Differdange | 29 000 | 4 %", "Dudelange | 21 000 | 3 %",
            "Ettelbruck | 9 000 | 1 %"]
    pages += [["Gemeinde | Einwohner | Anteil", row] for row in rows]
    furniture = find_furniture(pages)
    kept = [strip_furniture(lines, number, furniture) for number, lines in enumerate(pages)]
    with_header = [number for number, lines in enumerate(kept) if "Gemeinde | Einwohner | Anteil" in lines]
    assert with_header == [3]
    assert all(row in kept[3 + n] for n, row in enumerate(rows))


def test_two_pages_lose_their_header_but_not_the_text_they_share() -> None:
    """In two pages, a header is a line or two at the edge of both; pages that end alike over three lines or more
    (a text repeated with a change, a letter and its copy) share text, which stays."""
    two = read_pages(["Journée 2024 : Inclusion\nUn.\n1", "Journée 2024 : Inclusion\nDeux.\n2"])
    assert two == ["Un.", "Deux."]
    ending = ["Die Zusammenarbeit mit den Eltern", "und interkulturelle Mediatoren", "verbessern den Schulerfolg."]
    two = read_pages(["\n".join(["Kapitel 1.", "Viele Kinder lernen.", *ending]),
                      "\n".join(["Kapitel 2.", "Viele Jugendliche lernen.", *ending])])
    assert all(page.endswith("interkulturelle Mediatoren verbessern den Schulerfolg.") for page in two)
    assert read_pages(["Rapport annuel\n1\nUn."])[0].split() == ["Rapport", "annuel", "1", "Un."]
    three = read_pages([f"Rapport annuel\nTexte {word}.\n{n}" for n, word in enumerate(["un", "deux", "trois"], 1)])
    assert three == ["Texte un.", "Texte deux.", "Texte trois."]


# -- broken words and paragraphs -----------------------------------------------------------------------------


def test_words_broken_at_line_ends_are_joined_but_suspended_compounds_stay(tmp_path: Path) -> None:
    page = _thesis(tmp_path)[2]
    assert "verändert die Sozialarbeit in Luxemburg" in page
    assert "Fachkräfte der Kinder- und Jugendhilfe" in page
    assert "Sozial-" not in page


@pytest.mark.parametrize(("lines", "expected"), [
    (["Die Sozial-", "arbeit hilft."], "Die Sozialarbeit hilft."),
    (["Kinder-", "und Jugendhilfe."], "Kinder- und Jugendhilfe."),
    (["l'aide socio-", "éducative."], "l'aide socioéducative."),
    (["des Jugend-", "Hilfegesetzes."], "des Jugend- Hilfegesetzes."),  # a capital: the writer's own hyphen
    (["travail social et", "d'aide à domicile."], "travail social et d'aide à domicile."),
])
def test_hyphen_rule(lines: list[str], expected: str) -> None:
    assert join_lines(lines) == expected


def test_a_word_the_document_writes_with_its_hyphen_keeps_it_at_a_line_end() -> None:
    pages = ["L'accompagnement socio-éducatif des jeunes est au cœur du projet.",
             "Les équipes socio-\néducatives rencontrent les familles, et les Sozial-\narbeiter aussi."]
    assert read_pages(pages)[1] == ("Les équipes socio-éducatives rencontrent les familles, et les Sozialarbeiter "
                                    "aussi.")


def test_lines_of_a_paragraph_become_running_text_and_paragraphs_stay_apart() -> None:
    text = join_lines([
        "1.2 Fragestellung",
        "Diese Arbeit fragt, welche digitalen Kompetenzen Fachkräfte der sozialen Arbeit in",
        "Luxemburg brauchen und wie Träger sie dabei unterstützen können, sie zu erwerben.",
        "Sie stützt sich auf Interviews.",
        "• Erste Unterfrage zur Praxis",
        "• Zweite Unterfrage zur Fortbildung",
    ])
    assert text.split("\n\n") == [
        "1.2 Fragestellung",
        "Diese Arbeit fragt, welche digitalen Kompetenzen Fachkräfte der sozialen Arbeit in Luxemburg brauchen "
        "und wie Träger sie dabei unterstützen können, sie zu erwerben. Sie stützt sich auf Interviews.",
        "• Erste Unterfrage zur Praxis",
        "• Zweite Unterfrage zur Fortbildung",
    ]


def test_two_column_page_comes_out_in_reading_order(tmp_path: Path) -> None:
    sentences = [f"Satz {word} der zweispaltigen Seite über Schulsozialarbeit und Elternarbeit."
                 for word in ("eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
                              "elf", "zwölf")]
    path = tmp_path / "two-columns.pdf"
    path.write_bytes(paged_pdf([[" ".join(sentences)]], columns=2, page_numbers=False))
    page = extract(path).pages[0]
    positions = [page.find(sentence) for sentence in sentences]
    assert -1 not in positions, page  # each sentence whole: lines joined across the column's line breaks
    assert positions == sorted(positions)


def test_two_column_thesis_reads_as_the_one_column_one(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = _thesis(tmp_path / "one")
    two = _thesis(tmp_path / "two", columns=2)
    assert not any("Tim Kayser —" in page for page in two)
    for page_one, page_two in zip(one[2:5], two[2:5], strict=True):
        assert page_one.split() == page_two.split()


def test_numbered_subsections_of_a_pdf_are_sections_too(tmp_path: Path) -> None:
    path = tmp_path / "memoire.pdf"
    path.write_bytes(paged_pdf([
        ["Introduction"],
        ["3. Méthodologie", "3.1 Terrain", "Nous avons rencontré douze familles à Esch-sur-Alzette.",
         "3.2 Entretiens", "Les entretiens ont duré une heure.", "1. Une question posée à chacun",
         "2. Une autre question"],
    ], outline=[(0, "Introduction"), (1, "3. Méthodologie")], page_numbers=False))
    extracted = extract(path)
    sections = Sections(extracted.headings)
    page = extracted.pages[1]
    assert [title for _, _, title in extracted.headings] == ["Introduction", "3. Méthodologie", "3.1 Terrain",
                                                           "3.2 Entretiens"]
    assert sections.at(1, page.index("Nous avons")) == "3.1 Terrain"
    assert sections.at(1, page.index("Une autre question")) == "3.2 Entretiens"  # a list item is no heading


# -- other formats ----------------------------------------------------------------------------------------


def test_docx_header_and_footer_are_not_text_and_headings_are_sections(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    write_docx_with_footer(path, header="Rapport annuel 2025 — Caritas", footer="Page 1 — confidentiel",
                           sections=[("Introduction", ["Le rapport présente l'année."]),
                                     ("Méthodologie", ["Nous avons interrogé vingt familles."])])
    extracted = extract(path)
    text = extracted.pages[0]
    assert "confidentiel" not in text and "Caritas" not in text
    assert [title for _, _, title in extracted.headings] == ["Introduction", "Méthodologie"]
    sections = Sections(extracted.headings)
    assert sections.at(0, text.index("Nous avons")) == "Méthodologie"
    assert sections.at(0, text.index("Le rapport")) == "Introduction"


def test_slide_footers_are_not_text_and_slide_titles_are_sections(tmp_path: Path) -> None:
    path = tmp_path / "deck.pptx"
    slides = [(f"Titre {n}", f"Contenu propre à la diapositive {n}") for n in range(1, 5)]
    write_pptx_with_footer(path, slides=slides, footer="Journée du secteur social 2025 | Luxembourg")
    extracted = extract(path)
    assert not any("Journée du secteur social" in page for page in extracted.pages)
    assert all(f"Contenu propre à la diapositive {n}" in extracted.pages[n - 1] for n in range(1, 5))
    assert [(page, title) for page, _, title in extracted.headings] == [(n, f"Titre {n + 1}") for n in range(4)]


def test_markdown_and_html_headings_are_sections(tmp_path: Path) -> None:
    markdown = tmp_path / "note.md"
    markdown.write_text("# Accueil\n\nTexte.\n\n## Les **familles**\n\nAutre texte.\n", encoding="utf-8")
    extracted = extract(markdown)
    assert [title for _, _, title in extracted.headings] == ["Accueil", "Les familles"]
    assert Sections(extracted.headings).at(0, extracted.pages[0].index("Autre")) == "Les familles"
    html = tmp_path / "page.html"
    html.write_text("<html><body><h1>Logement</h1><p>Un.</p><h2>Housing First</h2><p>Deux.</p></body></html>",
                    encoding="utf-8")
    extracted = extract(html)
    assert Sections(extracted.headings).at(0, extracted.pages[0].index("Deux")) == "Housing First"


# -- kinds and sections -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "page", "section", "kind"), [
    ("Braun, V. (2006). Thematic analysis. Qualitative Research, 3(2), 77–101.", 9, "Bibliographie",
     "bibliography"),
    (" ".join(THESIS_BIBLIOGRAPHY), 9, None, "bibliography"),  # a list of references under no known heading
    ("Inhaltsverzeichnis 1. Einleitung 3 2. Methodik 4 3. Ergebnisse 5", 2, None, "contents"),
    ("1. Introduction 3 2. Méthodologie 5 3. Résultats 8 4. Discussion 11 5. Conclusion 14", 2, None, "contents"),
    ("BACHELORARBEIT Digitale Kompetenzen vorgelegt von Tim Kayser", 1, None, "front_matter"),
    ("Je remercie ma directrice de mémoire pour son soutien.", 3, "Remerciements", "front_matter"),
    ("Die Befragten (2021) nutzen Messenger-Dienste, sagt Steiner (2021).", 5, "3. Ergebnisse", "content"),
    ("Dans les années 1990, puis en 2005, le secteur a changé.", 5, "2. Histoire", "content"),
    ("Une thèse est un travail long. Ce rapport la résume en détail pour les lecteurs.", 1, None, "content"),
])
def test_passage_kinds(text: str, page: int, section: str | None, kind: str) -> None:
    assert passage_kind(text, page=page, page_count=10, section=section) == kind


def test_a_one_page_text_is_judged_by_its_headings_only() -> None:
    assert passage_kind(" ".join(THESIS_BIBLIOGRAPHY), page=1, page_count=1, section=None) == "content"
    assert passage_kind(" ".join(THESIS_BIBLIOGRAPHY), page=1, page_count=1, section="References") == "bibliography"


@pytest.fixture(scope="module")
def thesis_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Index, FakeEmbedder]:
    root = tmp_path_factory.mktemp("thesis")
    corpus = root / "corpus" / "2025" / "theses"
    corpus.mkdir(parents=True)
    (corpus / "kayser.pdf").write_bytes(thesis_pdf())
    (corpus / "other.md").write_text("# Wohnen\n\nWohnungslosenhilfe in Luxemburg: Housing First und Notschlafstellen.",
                                     encoding="utf-8")
    embedder = FakeEmbedder()
    settings = Settings(index_dir=root / "index")
    index_corpus(root / "corpus", index_dir=settings.index_dir, embedder=embedder, settings=settings)
    return Index.open(settings.index_dir), embedder


def test_passages_know_their_kind_and_section(thesis_index: tuple[Index, FakeEmbedder]) -> None:
    index, _ = thesis_index
    (thesis,) = [d for d in index.all_documents() if d.path.endswith("kayser.pdf")]
    passages = index.passages_of(thesis.id)
    by_page = {p.page: (p.kind, p.section) for p in passages}
    assert by_page == {
        1: ("front_matter", None),
        2: ("contents", None),
        3: ("content", "1. Einleitung"),
        4: ("content", "2. Methodik"),
        5: ("content", "3. Ergebnisse"),
        6: ("bibliography", "Literaturverzeichnis"),
    }
    assert not any("Tim Kayser —" in p.text for p in passages)
    assert index.manifest.format_version == FORMAT_VERSION == 6


def test_an_aside_is_never_the_best_passage_when_content_matches(thesis_index: tuple[Index, FakeEmbedder]) -> None:
    index, embedder = thesis_index
    searcher = Searcher(index, embedder)
    # The bibliography holds every word of the query ("Kutscher & Siller: Digitalisierung und Soziale Arbeit");
    # chapter 1 most of them.
    for mode in ("hybrid", "keyword", "dense"):
        result = searcher.search("Digitalisierung und Soziale Arbeit", k=5, mode=mode)
        top = result.hits[0]
        assert top.document.path.endswith("kayser.pdf")
        assert top.passage.kind == "content", mode
        assert "bibliography" in {p.kind for p in top.others}, mode  # still found, as another passage


def test_an_aside_is_found_when_nothing_else_of_its_document_matches(thesis_index: tuple[Index, FakeEmbedder]) -> None:
    index, embedder = thesis_index
    result = Searcher(index, embedder).search("Mayring Inhaltsanalyse Grundlagen Techniken", k=5, mode="keyword",
                                              filters=Filters())
    assert result.hits and result.hits[0].passage.kind == "bibliography"
    assert result.hits[0].passage.section == "Literaturverzeichnis"


def test_an_old_index_is_rebuilt_once_and_the_run_says_why(tmp_path: Path) -> None:
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Titre\n\nUn texte.", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index")
    embedder = FakeEmbedder()
    first = index_corpus(corpus, index_dir=settings.index_dir, embedder=embedder, settings=settings)
    assert first.rebuilt == ""
    manifest_path = Index.open(settings.index_dir).path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["format_version"] = 3
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    again = index_corpus(corpus, index_dir=settings.index_dir, embedder=embedder, settings=settings)
    assert "format 3" in again.rebuilt and again.added == ["a.md"]
    third = index_corpus(corpus, index_dir=settings.index_dir, embedder=embedder, settings=settings)
    assert third.rebuilt == "" and not third.new_generation


def test_passages_cut_at_chapters_and_kinds_but_run_on_across_numbered_subsections() -> None:
    sections = Sections([(0, 0, "1. Einleitung"), (0, 40, "1.1 Kontext"), (0, 90, "1.2 Frage"), (0, 150, "2. Methodik"),
                         (1, 0, "2.1 Interviews"), (1, 80, "Literaturverzeichnis")])
    assert sections.cuts(0) == [150]
    assert sections.cuts(1) == [80]
    assert sections.at(0, 60) == "1.1 Kontext" and sections.at(1, 10) == "2.1 Interviews"
