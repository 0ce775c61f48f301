"""Retrieval evaluation on BEIR-layout sets, through the same indexing and search code as the service.

A set is a folder with ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
``text``) and ``qrels/<name>.tsv`` (``query-id``, ``corpus-id``, ``score``, with a header line). Each corpus
entry becomes one document (chunked like any other); each query is searched for its 100 best documents.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rich.progress import Progress

from indexer.core.errors import IndexCorruptError, IndexNotFoundError, PasserelleError, QueryError
from indexer.core.model import Embedder
from indexer.core.settings import Settings
from indexer.core.store import Index
from indexer.ingest.pipeline import index_documents
from indexer.ingest.sources import SourceDocument
from indexer.search.filters import Mode
from indexer.search.searcher import Searcher, SearchResult

DEPTH = 100  # documents retrieved per query: enough for Recall@100


@dataclass(frozen=True)
class EvaluationResult:
    ndcg_at_10: float
    recall_at_10: float
    recall_at_100: float
    mrr_at_10: float
    latency_ms_p50: float
    latency_ms_p95: float
    queries: int
    documents: int
    refused_queries: int = 0  # refused as the service would refuse them, counted as misses
    # The relevance judgement: share of queries whose relevant document is among the results and marked a
    # match, and (with off-topic queries) share of those that get no match at all.
    relevant_marked_match: float = 0.0
    offtopic_queries: int = 0
    offtopic_without_match: float | None = None

    def as_json(self) -> dict[str, float | int | None]:
        names = {"ndcg_at_10": "ndcg@10", "recall_at_10": "recall@10", "recall_at_100": "recall@100",
                 "mrr_at_10": "mrr@10"}
        return {names.get(key, key): value for key, value in asdict(self).items()}


def _read_jsonl(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise PasserelleError(f"{path}:{number}: not JSON: {exc}") from exc


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        next(handle, None)  # header
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and int(parts[2]) > 0:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    gains = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return gains / best if best else 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    return next((1.0 / (rank + 1) for rank, doc in enumerate(ranked[:k]) if doc in relevant), 0.0)


def _fingerprint(corpus_file: Path, settings: Settings) -> str:
    digest = hashlib.sha256(corpus_file.read_bytes())
    digest.update(f"{settings.passage_tokens}/{settings.overlap_tokens}".encode())
    return digest.hexdigest()


def _documents(corpus_file: Path) -> Iterator[SourceDocument]:
    for entry in _read_jsonl(corpus_file):
        title, text = (entry.get("title") or "").strip(), (entry.get("text") or "").strip()
        yield SourceDocument(path=str(entry["_id"]), pages=[f"{title}\n{text}" if title else text], format="text",
                             title=title or str(entry["_id"]), language=entry.get("language"))


def read_queries(path: Path) -> list[str]:
    """Queries from a file: one per line, or JSON lines with a ``query`` or ``text`` field."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            entry = json.loads(line)
            line = str(entry.get("query") or entry.get("text") or "").strip()
        if line:
            queries.append(line)
    return queries


def open_or_build(dataset: Path, *, embedder: Embedder, settings: Settings, index_dir: Path,
                  progress: Progress | None = None) -> Index:
    """The index of a BEIR set's corpus in ``index_dir``, built when missing or out of date."""
    corpus_file = dataset / "corpus.jsonl"
    if not corpus_file.exists():
        raise PasserelleError(f"{dataset} is not a BEIR set: {corpus_file.name} is missing")
    fingerprint = _fingerprint(corpus_file, settings)
    index = _reusable_index(index_dir, model=embedder.name, fingerprint=fingerprint)
    if index is None:
        total = sum(1 for _ in _read_jsonl(corpus_file))
        index_documents(_documents(corpus_file), index_dir=index_dir, embedder=embedder, settings=settings,
                        corpus_root=dataset, fingerprint=fingerprint, progress=progress, total=total)
        index = Index.open(index_dir, expected_model=embedder.name)
    return index


def evaluation_searcher(index: Index, embedder: Embedder) -> Searcher:
    return Searcher(index, embedder, max_query_chars=10_000, max_k=DEPTH)


def offtopic_without_match(searcher: Searcher, queries: Sequence[str], *, mode: Mode = "hybrid") -> float:
    """Share of ``queries`` (none of which the corpus answers) that get no match."""
    if not queries:
        return 0.0
    without = 0
    for query in queries:
        try:
            without += searcher.search(query, k=10, mode=mode).matches == 0
        except QueryError:  # refused: no result, so no match either
            without += 1
    return without / len(queries)


def evaluate(dataset: Path, *, embedder: Embedder, settings: Settings, index_dir: Path, qrels: str = "test",
             mode: Mode = "hybrid", progress: Progress | None = None,
             offtopic: Sequence[str] = ()) -> EvaluationResult:
    """Index ``dataset``'s corpus into ``index_dir`` (reused when unchanged) and score every query; with
    ``offtopic`` queries, also how many of them get no match."""
    queries_file, qrels_file = dataset / "queries.jsonl", dataset / "qrels" / f"{qrels}.tsv"
    for required in (queries_file, qrels_file):
        if not required.exists():
            raise PasserelleError(f"{dataset} is not a BEIR set: {required.name} is missing")
    index = open_or_build(dataset, embedder=embedder, settings=settings, index_dir=index_dir, progress=progress)
    searcher = evaluation_searcher(index, embedder)
    relevance = read_qrels(qrels_file)
    queries = [q for q in _read_jsonl(queries_file) if q["_id"] in relevance]
    task = progress.add_task("Searching", total=len(queries)) if progress is not None else None
    scores: dict[str, list[float]] = {"ndcg": [], "r10": [], "r100": [], "mrr": [], "marked": []}
    latencies = []
    refused = 0
    for query in queries:
        started = time.perf_counter()
        try:
            result = searcher.search(query["text"], k=DEPTH, mode=mode)
        except QueryError:  # a query the service refuses too (no word that can carry a meaning): a miss
            refused += 1
            result = SearchResult(query["text"], mode, [], {})
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [hit.document.path for hit in result.hits]
        relevant = relevance[query["_id"]]
        scores["ndcg"].append(ndcg_at(ranked, relevant, 10))
        scores["r10"].append(recall_at(ranked, relevant, 10))
        scores["r100"].append(recall_at(ranked, relevant, 100))
        scores["mrr"].append(mrr_at(ranked, relevant, 10))
        scores["marked"].append(float(any(hit.match and hit.document.path in relevant for hit in result.hits)))
        if progress is not None and task is not None:
            progress.advance(task)
    mean = {key: round(float(np.mean(values)), 4) if values else 0.0 for key, values in scores.items()}
    return EvaluationResult(
        ndcg_at_10=mean["ndcg"], recall_at_10=mean["r10"], recall_at_100=mean["r100"], mrr_at_10=mean["mrr"],
        latency_ms_p50=round(float(np.percentile(latencies, 50)), 2) if latencies else 0.0,
        latency_ms_p95=round(float(np.percentile(latencies, 95)), 2) if latencies else 0.0,
        queries=len(queries), refused_queries=refused, documents=index.manifest.documents,
        relevant_marked_match=mean["marked"],
        offtopic_queries=len(offtopic),
        offtopic_without_match=round(offtopic_without_match(searcher, offtopic, mode=mode), 4) if offtopic else None,
    )


def _reusable_index(index_dir: Path, *, model: str, fingerprint: str) -> Index | None:
    try:
        index = Index.open(index_dir)
    except (IndexNotFoundError, IndexCorruptError):
        return None
    if index.manifest.model != model or index.manifest.corpus_fingerprint != fingerprint:
        return None
    return index
