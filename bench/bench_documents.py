"""Reading real documents (issue 15): running headers and footers left in passages, text lost, asides shown as
best passages, extraction throughput, and the effect of embedding passages with their title and section.

The headers and footers are counted by this script's own rule, which shares no code with the remover
(:mod:`indexer.ingest.layout`): a line among the first or last three lines of a page of the plain pypdf
extraction (or of the slides' plain text) that repeats there on at least half of a document's pages, digits
replaced by 0, with at least four letters (a bare page number cannot be told apart from a number in the text),
is a header or footer; a passage carries it when its text, digits replaced alike and spacing collapsed,
contains it. ``--anywhere`` counts lines repeated anywhere on the page instead (it also counts a paragraph
that a document repeats on every page, as LaTeX's blindtext does).

Run (from the repository root)::

    PYTHONPATH=. .venv/bin/python bench/bench_documents.py corpus   # bundled corpus: headers, snippets, speed
    PYTHONPATH=. .venv/bin/python bench/bench_documents.py pdfs     # ../shared/data/pdf: headers, words kept
    PYTHONPATH=. .venv/bin/python bench/bench_documents.py columns  # reading order of two-column pages
    PYTHONPATH=. .venv/bin/python bench/bench_documents.py eval SET --context off|on

Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from queries import QUERIES  # noqa: E402

from indexer import Embedder, Index, Settings, index_corpus  # noqa: E402
from indexer.ingest import pipeline  # noqa: E402
from indexer.ingest.chunking import chunk_page  # noqa: E402
from indexer.ingest.extract import extract, is_supported  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402

_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_LETTERS = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[^\W_]+")


def _key(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("0", text)).strip().lower()


ANYWHERE = False  # --anywhere


def repeated_lines(pages: Sequence[str]) -> set[str]:
    """Lines at the top or bottom of at least half of the pages (of two or more), digits as 0, with four
    letters or more."""
    if len(pages) < 2:
        return set()
    counts: dict[str, int] = {}
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        if not ANYWHERE:
            lines = lines[:3] + lines[-3:]
        for line in {_key(line) for line in lines}:
            if len(_LETTERS.findall(line)) >= 4:
                counts[line] = counts.get(line, 0) + 1
    return {line for line, count in counts.items() if count >= 2 and 2 * count >= len(pages)}


def carrying(passages: Sequence[str], lines: set[str]) -> int:
    """Passages whose text contains one of ``lines``."""
    if not lines:
        return 0
    return sum(1 for text in passages if any(line in _key(text) for line in lines))


def raw_pages(path: Path) -> list[str]:
    """The plain extraction: pypdf's text per page, or the slides' text as python-pptx gives it."""
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(path, strict=False)
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text() or "")
            except Exception:  # as the indexer: one broken page does not lose the others
                pages.append("")
        return pages
    return extract(path, layout=False).pages


def passages_of(pages: Sequence[str], count: Callable[[Sequence[str]], list[int]]) -> list[str]:
    return [chunk.text for number, page in enumerate(pages, start=1)
            for chunk in chunk_page(page, page=number, count_tokens=count, max_tokens=192, overlap_tokens=32)]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and is_supported(p) and not p.name.startswith("README")
                  and not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts))


def bench_corpus(args: argparse.Namespace) -> None:
    settings = Settings()
    embedder = Embedder.from_settings(settings)
    files = _files(args.corpus)
    print(f"Bundled corpus: {len(files)} files in {args.corpus}")

    # Throughput: extraction with the layout rules off (as before) and on, alternately, rounds times.
    timings: dict[bool, list[float]] = {False: [], True: []}
    for round_number in range(args.rounds):
        for layout in ((False, True) if round_number % 2 == 0 else (True, False)):
            started = time.perf_counter()
            for path in files:
                extract(path, layout=layout)
            timings[layout].append(time.perf_counter() - started)
    before, after = statistics.median(timings[False]), statistics.median(timings[True])
    print(f"Extraction, median of {args.rounds} rounds: without layout rules {before:.2f} s, with {after:.2f} s: "
          f"throughput ratio {before / after:.3f} (target ≥ 0.9)")

    # Headers and footers in passages of multi-page documents, before (plain text) and after (the index).
    index_dir = Path(args.index_dir)
    report = index_corpus(args.corpus, index_dir=index_dir, embedder=embedder, settings=settings.model_copy(
        update={"index_dir": index_dir}))
    print(f"Indexed: {report.documents} documents, {report.passages} passages, {report.seconds:.0f} s"
          + (f" (rebuilt: {report.rebuilt})" if report.rebuilt else ""))
    index = Index.open(index_dir)
    by_path = {record.path: record for record in index.all_documents()}
    totals = {"before": [0, 0], "after": [0, 0]}
    documents_with = 0
    for path in files:
        raw = raw_pages(path)
        lines = repeated_lines(raw)
        record = by_path.get(path.relative_to(args.corpus).as_posix())
        if len(raw) < 2 or record is None:
            continue
        documents_with += bool(lines)
        old = passages_of([_clean(page) for page in raw], embedder.count_tokens)
        new = [p.text for p in index.passages_of(record.id)]
        for name, passages in (("before", old), ("after", new)):
            totals[name][0] += carrying(passages, lines)
            totals[name][1] += len(passages)
    for name, (carried, total) in totals.items():
        print(f"Passages of multi-page documents carrying a running header or footer, {name}: {carried} / {total} "
              f"= {100 * carried / max(total, 1):.1f} %")
    print(f"  ({documents_with} documents have such lines)")

    # Snippets: the kind of each result's best passage for the benchmark queries.
    searcher = Searcher(index, embedder)
    asides = 0
    shown = 0
    for query in QUERIES:
        for hit in searcher.search(query, k=10).hits:
            shown += 1
            if hit.passage.kind != "content":
                asides += 1
                print(f"  aside shown: {query!r} → {hit.document.path} p. {hit.passage.page} ({hit.passage.kind})")
    kinds = dict(index.query("SELECT kind, count(*) FROM passages GROUP BY kind"))
    print(f"Best passages shown for {len(QUERIES)} queries × 10 results: {shown}, of which not content: {asides}")
    # The same index, its kinds hidden from the searcher: what the rule changes.
    index.asides = lambda ids: np.zeros(len(ids), dtype=bool)  # type: ignore[method-assign]
    unruled = sum(1 for query in QUERIES for hit in searcher.search(query, k=10).hits if hit.passage.kind != "content")
    print(f"  with kinds ignored by the searcher, not content: {unruled}")
    print(f"Passages by kind: {kinds}; with a section: "
          f"{index.query_one('SELECT count(*) FROM passages WHERE section IS NOT NULL')[0]}")


def _clean(page: str) -> str:
    from indexer.ingest.extract import clean_text

    return clean_text(page)


def bench_pdfs(args: argparse.Namespace) -> None:
    settings = Settings()
    embedder = Embedder.from_settings(settings)
    files = sorted(args.pdfs.rglob("*.pdf"))
    carried_after = carried_before = total_after = total_before = documents = with_lines = 0
    kept = counted = 0
    unreadable = 0
    carriers: list[str] = []
    lost_examples: list[str] = []
    for path in files:
        try:
            raw = raw_pages(path)
            cleaned = extract(path).pages
        except Exception:  # encrypted, damaged, scans: nothing to compare
            unreadable += 1
            continue
        if not any(page.strip() for page in raw):
            unreadable += 1
            continue
        documents += 1
        lines = repeated_lines(raw)
        new = passages_of(cleaned, embedder.count_tokens)
        if len(raw) >= 2:
            with_lines += bool(lines)
            old = passages_of([_clean(page) for page in raw], embedder.count_tokens)
            carried_before += carrying(old, lines)
            total_before += len(old)
            carried_after += carrying(new, lines)
            total_after += len(new)
            if carrying(new, lines):
                carriers.append(f"{path.relative_to(args.pdfs)}: {carrying(new, lines)} / {len(new)} passages, "
                                f"e.g. {sorted(lines, key=len)[0][:70]!r}")
        # Words kept: every word of the plain text outside the repeated lines, found in some passage.
        text = " ".join(new).lower()
        words = set(_WORDS.findall(text))
        squeezed = text.replace(" ", "")
        for page in raw:
            for line in page.split("\n"):
                if _key(line) in lines:
                    continue
                for word in _WORDS.findall(line.lower()):
                    if word.isdigit():
                        continue
                    counted += 1
                    if word in words or word in squeezed:  # a word broken at a line end is found joined
                        kept += 1
                    elif len(lost_examples) < 12:
                        lost_examples.append(f"{path.name}: {word!r}")
    print(f"Shared PDFs: {len(files)} files, {documents} with a text layer ({unreadable} unreadable or no text)")
    print(f"  multi-page with repeated lines: {with_lines}")
    print(f"  passages carrying a running header or footer, before: {carried_before} / {total_before} = "
          f"{100 * carried_before / max(total_before, 1):.2f} %; after: {carried_after} / {total_after} = "
          f"{100 * carried_after / max(total_after, 1):.2f} %")
    for carrier in carriers:
        print(f"    still carrying: {carrier}")
    print(f"  words of the plain extraction (outside repeated lines, numbers aside) found in a passage: {kept} / "
          f"{counted} = {100 * kept / max(counted, 1):.3f} %")
    for example in lost_examples:
        print(f"    not found: {example}")


# The first paragraphs of LaTeX's lipsum text, in its order: how 026-latex-multicolumn's two columns must read.
_LIPSUM = ["Lorem ipsum dolor sit amet", "Nam dui ligula", "Nulla malesuada porttitor", "Quisque ullamcorper"]


def _extractors() -> dict[str, Callable[[Path], list[str]]]:
    def pypdf_plain(path: Path) -> list[str]:
        from pypdf import PdfReader

        return [page.extract_text() or "" for page in PdfReader(path).pages]

    def pypdf_layout(path: Path) -> list[str]:
        from pypdf import PdfReader

        return [page.extract_text(extraction_mode="layout") or "" for page in PdfReader(path).pages]

    def pdfium(path: Path) -> list[str]:
        import pypdfium2

        document = pypdfium2.PdfDocument(str(path))
        try:
            return [document[n].get_textpage().get_text_range() for n in range(len(document))]
        finally:
            document.close()

    return {"pypdf (plain)": pypdf_plain, "pypdf (layout)": pypdf_layout, "pypdfium2 (text page)": pdfium}


def _in_order(text: str, sentences: Sequence[str]) -> tuple[int, bool]:
    """How many of ``sentences`` are found whole (spacing and line breaks aside), and whether in order."""
    flat = _SPACES.sub(" ", text)
    positions = [flat.find(sentence) for sentence in sentences]
    found = [p for p in positions if p >= 0]
    return len(found), found == sorted(found)


def bench_columns(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.documents import paged_pdf

    scratch = Path(tempfile.mkdtemp(prefix="columns-"))
    sentences = [f"Satz {n} der zweispaltigen Seite." for n in range(1, 41)]
    generated = scratch / "two-columns.pdf"
    generated.write_bytes(paged_pdf([[" ".join(sentences)]], columns=2, page_numbers=False))
    multicolumn = SHARED / "data" / "pdf" / "py-pdf-sample-files" / "026-latex-multicolumn" / "multicolumn.pdf"
    for name, extractor in _extractors().items():
        started = time.perf_counter()
        found, ordered = _in_order(" ".join(extractor(generated)), sentences)
        latex_found, latex_ordered = _in_order(" ".join(extractor(multicolumn)), _LIPSUM)
        print(f"{name}: generated two-column page: {found}/{len(sentences)} sentences whole, in order: {ordered}; "
              f"026-latex-multicolumn: {latex_found}/{len(_LIPSUM)} paragraph starts, in order: {latex_ordered} "
              f"({time.perf_counter() - started:.2f} s)")


def bench_eval(args: argparse.Namespace) -> None:
    from indexer.evaluation import evaluate

    pipeline.PASSAGE_CONTEXT = args.context == "on"
    settings = Settings()
    embedder = Embedder.from_settings(settings)
    dataset = SHARED / "data" / "eval" / args.set
    index_dir = Path(args.index_dir or tempfile.mkdtemp(prefix=f"evalidx-{args.set}-{args.context}-"))
    started = time.perf_counter()
    result = evaluate(dataset, embedder=embedder, settings=settings, index_dir=index_dir)
    print(f"{args.set} context={args.context}: nDCG@10 {result.ndcg_at_10:.3f}, recall@10 {result.recall_at_10:.3f}, "
          f"MRR@10 {result.mrr_at_10:.3f} ({time.perf_counter() - started:.0f} s, index {index_dir})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    corpus = commands.add_parser("corpus")
    corpus.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    corpus.add_argument("--index-dir", default="/tmp/benchdocs-idx")
    corpus.add_argument("--rounds", type=int, default=3)
    pdfs = commands.add_parser("pdfs")
    pdfs.add_argument("--pdfs", type=Path, default=SHARED / "data" / "pdf")
    for command in (corpus, pdfs):
        command.add_argument("--anywhere", action="store_true", help="count lines repeated anywhere on pages")
    commands.add_parser("columns")
    evaluation = commands.add_parser("eval")
    evaluation.add_argument("set")
    evaluation.add_argument("--context", choices=("on", "off"), default="on")
    evaluation.add_argument("--index-dir")
    args = parser.parse_args()
    global ANYWHERE
    ANYWHERE = bool(getattr(args, "anywhere", False))
    {"corpus": bench_corpus, "pdfs": bench_pdfs, "columns": bench_columns, "eval": bench_eval}[args.command](args)


if __name__ == "__main__":
    main()
