"""Across languages: does a question find its document as well in another language as in its own?

On the project's development set (``bench/data/honest/``: questions in FR/DE/EN/LB, each with the bundled
corpus's document that answers it, and off-topic questions), for dense and hybrid search:

- top-1 / top-3: the share of questions whose document ranks first / in the first three, for same-language and
  cross-lingual questions, and for each direction (query language → document language);
- the judgement: the share of questions whose document is among the results and marked a match, and the share
  of off-topic questions that get no match, on the ``dev`` and ``test`` halves;
- the headline question of the issue (a French question answered by a German thesis).

With ``--cost``: what the change costs — the centring of a query (its language detected afresh), and in a full
build of the bundled corpus, the seconds spent finding repeated text and measuring the language means.

With ``--longpdf``, the same over long real PDFs (``bench/data/longpdf``: French, English and German questions
on documents in another language, read from ``../shared/data/pdf``, among the bundled corpus's documents), where
a document is found when it ranks in the top 3, and its page when one of its shown passages is on the answering
pages.

Written against the public library only (``indexer``), so that the same script measures an earlier version::

    .venv/bin/python bench/bench_language.py [--work /tmp/passerelle-language] [--longpdf] [--cost] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from indexer import Embedder, Index, Searcher, Settings, index_corpus
from indexer.ingest.sources import document_id

ROOT = Path(__file__).resolve().parents[1]
HONEST = ROOT / "bench" / "data" / "honest"
LONGPDF = ROOT / "bench" / "data" / "longpdf"
SHARED_PDF = ROOT.parent / "shared" / "data" / "pdf"
HEADLINE = ("comment accompagner une famille monoparentale sans logement",
            "2026-intelligence-artificielle/theses/wohnungsnot-alleinerziehende.pdf")
DEPTH = 50


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _index(corpus: Path, index_dir: Path, embedder: Embedder, settings: Settings) -> Index:
    index_corpus(corpus, index_dir=index_dir, embedder=embedder, settings=settings)
    return Index.open(index_dir, expected_model=embedder.name)


def _searcher(index: Index, embedder: Embedder, settings: Settings) -> Searcher:
    return Searcher(index, embedder, max_query_chars=settings.max_query_chars, max_k=100,
                    languages=tuple(settings.languages))


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _run(searcher: Searcher, queries: list[dict[str, Any]], offtopic: list[dict[str, Any]], language_of: dict[str, str],
         mode: str) -> dict[str, Any]:
    by_group: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    started = time.perf_counter()
    for query in queries:
        result = searcher.search(query["query"], k=DEPTH, mode=mode)  # type: ignore[arg-type]
        ranked = [hit.document.id for hit in result.hits]
        rank = ranked.index(query["document"]) if query["document"] in ranked else None
        marked = rank is not None and result.hits[rank].match
        target = language_of.get(query["document"], "?")
        kind = "same" if target == query["language"] else "cross"
        for group in (kind, f"{query['language']}->{target}", "all"):
            by_group[group]["top1"].append(rank == 0)
            by_group[group]["top3"].append(rank is not None and rank < 3)
        by_group[f"judgement-{query.get('split', 'all')}"]["marked"].append(marked)
        by_group["judgement-all"]["marked"].append(marked)
    for query in offtopic:
        result = searcher.search(query["query"], k=10, mode=mode)  # type: ignore[arg-type]
        by_group[f"judgement-{query.get('split', 'all')}"]["offtopic_without_match"].append(result.matches == 0)
        by_group["judgement-all"]["offtopic_without_match"].append(result.matches == 0)
    elapsed = time.perf_counter() - started
    figures: dict[str, Any] = {group: {name: _share(values) for name, values in measures.items()} | {
        "n": len(next(iter(measures.values())))} for group, measures in sorted(by_group.items())}
    figures["ms_per_query"] = round(1000 * elapsed / max(1, len(queries) + len(offtopic)), 1)
    return figures


def _headline(searcher: Searcher) -> dict[str, Any]:
    question, path = HEADLINE
    result = searcher.search(question, k=15)
    ranked = [hit.document.id for hit in result.hits]
    wanted = document_id(path)
    rank = ranked.index(wanted) + 1 if wanted in ranked else None
    return {"question": question, "rank": rank, "match": bool(rank and result.hits[rank - 1].match)}


def longpdf_corpus(work: Path) -> tuple[Path, dict[str, str]]:
    """The long PDFs' corpus under ``work``: the bundled corpus (44 social-sector documents in FR/DE/EN/LB, so that
    the long PDFs are found among others, as in a real archive) and the PDFs of ``bench/data/longpdf`` at its root
    (copied: a link out of the corpus is not read). Returns it and the document id of each PDF by its set id."""
    corpus = work / "longpdf-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(ROOT / "corpus", corpus)
    ids: dict[str, str] = {}
    for document in _jsonl(LONGPDF / "documents.jsonl"):
        name = f"{document['id']}-{Path(document['path']).name}"
        shutil.copyfile(SHARED_PDF / document["path"], corpus / name)
        ids[document["id"]] = document_id(name)
    return corpus, ids


def _longpdf(work: Path, embedder: Embedder, settings: Settings) -> dict[str, Any]:
    corpus, ids = longpdf_corpus(work)
    index = _index(corpus, work / "longpdf-index", embedder, settings)
    missing = set(ids.values()) - {record.id for record in index.all_documents()}
    if missing:
        raise SystemExit(f"{len(missing)} of the long PDFs were not indexed")
    searcher = _searcher(index, embedder, settings)
    found: dict[str, list[bool]] = defaultdict(list)
    for question in _jsonl(LONGPDF / "questions.jsonl"):
        result = searcher.search(question["query"], k=10)
        ranked = [hit.document.id for hit in result.hits]
        wanted = ids[question["document"]]
        rank = ranked.index(wanted) if wanted in ranked else None
        first, last = question["pages"]
        hit = result.hits[rank] if rank is not None else None
        pages = [p.page for p in ([hit.passage, *hit.others] if hit else [])]
        split = question.get("split", "all")
        for group in ("all", split):
            found[f"{group}:top3"].append(rank is not None and rank < 3)
            found[f"{group}:marked"].append(bool(hit and hit.match))
            found[f"{group}:page"].append(any(first <= p <= last for p in pages))
    for question in _jsonl(LONGPDF / "offtopic.jsonl"):
        result = searcher.search(question["query"], k=10)
        for group in ("all", question.get("split", "all")):
            found[f"{group}:offtopic_without_match"].append(result.matches == 0)
    return {name: _share(values) for name, values in sorted(found.items())} | {
        "questions": len(_jsonl(LONGPDF / "questions.jsonl"))}


def _cost(work: Path, index: Index, embedder: Embedder, settings: Settings, queries: list[str]) -> dict[str, Any]:
    from indexer.core.language import language_probabilities
    from indexer.core.store import IndexWriter
    from indexer.ingest import boilerplate

    vectors = embedder.encode_query(queries)
    language_probabilities.cache_clear()
    means, languages, timings = index.language_means, tuple(settings.languages), []
    for text, vector in zip(queries, vectors, strict=True):
        started = time.perf_counter()
        means.center_query(vector, text, languages=languages)
        timings.append((time.perf_counter() - started) * 1e6)
    spent = {"repeated_text": 0.0, "language_means": 0.0}
    mark, centre = boilerplate.mark, IndexWriter.centre

    def timed_mark(writer: IndexWriter) -> int:
        started = time.perf_counter()
        try:
            return mark(writer)
        finally:
            spent["repeated_text"] += time.perf_counter() - started

    def timed_centre(writer: IndexWriter, encode_queries: Any) -> None:
        started = time.perf_counter()
        try:
            centre(writer, encode_queries)
        finally:
            spent["language_means"] += time.perf_counter() - started

    boilerplate.mark, IndexWriter.centre = timed_mark, timed_centre  # type: ignore[assignment,method-assign]
    try:
        shutil.rmtree(work / "cost-index", ignore_errors=True)
        started = time.perf_counter()
        report = index_corpus(ROOT / "corpus", index_dir=work / "cost-index", embedder=embedder, settings=settings)
        build = time.perf_counter() - started
    finally:
        boilerplate.mark, IndexWriter.centre = mark, centre  # type: ignore[method-assign]
    ordered = sorted(timings)
    return {"centre_query_us_p50": round(ordered[len(ordered) // 2], 1), "centre_query_us_max": round(ordered[-1], 1),
            "full_build_seconds": round(build, 2), "passages": report.passages,
            "repeated_text_seconds": round(spent["repeated_text"], 3),
            "language_means_seconds": round(spent["language_means"], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/passerelle-language"))
    parser.add_argument("--longpdf", action="store_true", help="also the long real PDFs of bench/data/longpdf")
    parser.add_argument("--cost", action="store_true", help="also what the centring and repeated text cost")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    settings = Settings()
    embedder = Embedder.from_settings(settings).load()
    index = _index(ROOT / "corpus", args.work / "corpus-index", embedder, settings)
    searcher = _searcher(index, embedder, settings)
    language_of = {record.id: record.language or "?" for record in index.all_documents()}
    queries, offtopic = _jsonl(HONEST / "answerable.jsonl"), _jsonl(HONEST / "offtopic.jsonl")
    figures: dict[str, Any] = {"headline": _headline(searcher)}
    for mode in ("dense", "hybrid"):
        figures[mode] = _run(searcher, queries, offtopic, language_of, mode)
    if args.longpdf:
        figures["longpdf"] = _longpdf(args.work, embedder, settings)
    if args.cost:
        figures["cost"] = _cost(args.work, index, embedder, settings, [q["query"] for q in queries])
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
