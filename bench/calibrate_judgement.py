"""Fit and measure the relevance judgement (:mod:`indexer.search.judgement`) on labelled queries.

Positives: each query's relevant document, where it is among the results — the four BEIR sets of
``../shared/data/eval`` on their own corpus, and ``bench/data/honest/answerable.jsonl`` on the bundled corpus.
Negatives: every result of queries the corpus does not answer — ``bench/data/honest/offtopic.jsonl`` and the
BEIR sets' queries on the bundled corpus and on another set's corpus (French questions on the German/English
one and the other way round); and, weighing less (``RELATED_WEIGHT``), the other results of the answerable
queries: related to the question, they do not answer it (a BEIR question has one relevant paragraph).

Every query is in the ``dev`` or the ``test`` half (the honest sets say which; BEIR queries by a hash of their
id). The model is fitted on ``dev``; the figures are printed for both halves::

    .venv/bin/python bench/calibrate_judgement.py --dump /tmp/measures.jsonl   # measure the weights in the code
    .venv/bin/python bench/calibrate_judgement.py --load /tmp/measures.jsonl --fit   # fit on dev, measure
    .venv/bin/python bench/calibrate_judgement.py --load /tmp/measures.jsonl --fit --write  # and keep the fit

The threshold is set where, on the dev half, the share of answerable queries whose document is not marked equals
the share of off-topic queries that get a match (each source weighing the same). Indexes are built once under
``--work`` (default ``/tmp/passerelle-judgement``) and reused; running every query takes some 20 minutes here,
so ``--dump`` keeps their measures and ``--load`` fits and measures again from them in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from bench_language import longpdf_corpus  # beside this script

from indexer import Embedder, Settings, index_corpus
from indexer.core.store import Index
from indexer.evaluation import evaluation_searcher, open_or_build, read_qrels
from indexer.search import judgement
from indexer.search.filters import Filters
from indexer.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "data" / "eval"
HONEST = ROOT / "bench" / "data" / "honest"
LONGPDF = ROOT / "bench" / "data" / "longpdf"
BEIR_SETS = ("piaf-fr", "xquad-mixed", "xquad-de2en", "xquad-en2de")
# Off-topic pairs: whose queries run against whose corpus (different languages and topics).
CROSS = (("piaf-fr", "xquad-mixed"), ("xquad-mixed", "piaf-fr"))
CROSS_PER_SET = 300  # off-topic queries taken from each foreign set
K = 50  # results judged per query: the depth the page's count and facets are taken over
RELATED_WEIGHT = 0.3  # of an answerable query's other results (up to 20), against its relevant one
RELATED_PER_QUERY = 20


@dataclass
class Query:
    source: str
    text: str
    split: str
    relevant: set[str] = field(default_factory=set)  # document ids (paths for BEIR); empty: off-topic
    # Filled by running it: each result's measures, and which results are relevant.
    cosines: np.ndarray = field(default_factory=lambda: np.empty(0))
    words: np.ndarray = field(default_factory=lambda: np.empty(0))
    background: judgement.Background | None = None
    same: np.ndarray = field(default_factory=lambda: np.empty(0))  # each result's chance to be in the query's language
    is_relevant: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    relevant_rank: int | None = None


def _split(key: str) -> str:
    return "dev" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "test"


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _beir_queries(name: str) -> list[Query]:
    relevance = read_qrels(EVAL / name / "qrels" / "test.tsv")
    return [Query(name, q["text"], _split(q["_id"]), set(relevance[q["_id"]]))
            for q in _jsonl(EVAL / name / "queries.jsonl") if q["_id"] in relevance]


def _foreign(name: str, target: str) -> list[Query]:
    queries = _jsonl(EVAL / name / "queries.jsonl")
    chosen = sorted(queries, key=lambda q: hashlib.sha1(q["_id"].encode()).hexdigest())[:CROSS_PER_SET]
    return [Query(f"{name}→{target}", q["text"], _split(q["_id"])) for q in chosen]


def _run(searcher: Searcher, queries: list[Query], *, key: str) -> None:
    for query in queries:
        result = searcher.search(query.text, k=K)
        assert result.measures is not None
        query.cosines, query.words, query.background, query.same = result.measures
        ids = [getattr(hit.document, key) for hit in result.hits]
        query.is_relevant = np.array([i in query.relevant for i in ids], dtype=bool)
        ranks = np.flatnonzero(query.is_relevant)
        query.relevant_rank = int(ranks[0]) + 1 if len(ranks) else None


def collect(embedder: Embedder, settings: Settings, work: Path) -> list[Query]:
    corpus_index = work / "corpus"
    index_corpus(ROOT / "corpus", index_dir=corpus_index, embedder=embedder, settings=settings)
    corpus = Searcher(Index.open(corpus_index).preload(), embedder, max_k=K)
    everything: list[Query] = []
    answerable = [Query("honest-answerable", q["query"], q["split"], {q["document"]})
                  for q in _jsonl(HONEST / "answerable.jsonl")]
    offtopic = [Query("honest-offtopic", q["query"], q["split"]) for q in _jsonl(HONEST / "offtopic.jsonl")]
    _run(corpus, answerable + offtopic, key="id")
    everything += answerable + offtopic
    everything += _longpdf(embedder, settings, work)
    searchers = {}
    for name in BEIR_SETS:
        index = open_or_build(EVAL / name, embedder=embedder, settings=settings, index_dir=work / name)
        searchers[name] = evaluation_searcher(index.preload(), embedder)
        queries = _beir_queries(name)
        _run(searchers[name], queries, key="path")
        everything += queries
        foreign = [Query(f"{name}→corpus", q.text, q.split) for q in queries[::4]]
        _run(corpus, foreign, key="id")
        everything += foreign
    for name, target in CROSS:
        foreign = _foreign(name, target)
        _run(searchers[target], foreign, key="path")
        everything += foreign
    return everything


def _longpdf(embedder: Embedder, settings: Settings, work: Path) -> list[Query]:
    """Questions on long real PDFs in another language (``bench/data/longpdf``, among the bundled corpus's
    documents), and off-topic ones."""
    corpus, ids = longpdf_corpus(work)
    index_corpus(corpus, index_dir=work / "longpdf", embedder=embedder, settings=settings)
    searcher = Searcher(Index.open(work / "longpdf").preload(), embedder, max_k=K)
    answerable = [Query("longpdf-answerable", q["query"], q["split"], {ids[q["document"]]})
                  for q in _jsonl(LONGPDF / "questions.jsonl")]
    offtopic = [Query("longpdf-offtopic", q["query"], q["split"]) for q in _jsonl(LONGPDF / "offtopic.jsonl")]
    _run(searcher, answerable + offtopic, key="id")
    return answerable + offtopic


def load(path: Path) -> list[Query]:
    queries = []
    for entry in _jsonl(path):
        background = entry["background"]
        queries.append(Query(
            str(entry["source"]), str(entry["query"]), str(entry["split"]), set(entry.get("relevant", [])),
            np.array(entry["cosines"]), np.array(entry["words"]),
            judgement.Background(*background) if background is not None else None,  # type: ignore[arg-type]
            np.array(entry.get("same", [0.0] * len(entry["cosines"]))),
            np.array(entry["is_relevant"], dtype=bool), entry["relevant_rank"]))  # type: ignore[arg-type]
    return queries


def fit(queries: list[Query]) -> tuple[np.ndarray, float]:
    """Logistic regression (Newton's method) on the dev half: each positive query's relevant result against
    every result of the off-topic queries, each source weighing the same in total."""
    rows, labels, weights = [], [], []
    by_source: dict[str, list[Query]] = defaultdict(list)
    for query in queries:
        if query.split == "dev" and query.background is not None and (query.is_relevant.any() or not query.relevant):
            by_source[query.source].append(query)
    for source_queries in by_source.values():
        for query in source_queries:
            assert query.background is not None
            measures = judgement.features(query.cosines, query.words, query.background, query.same)
            share = 1.0 / len(source_queries)
            if query.relevant:
                rows.append(measures[query.is_relevant][:1])
                labels.append(np.ones(1))
                weights.append(np.full(1, share))
                related = measures[~query.is_relevant][:RELATED_PER_QUERY]
                rows.append(related)
                labels.append(np.zeros(len(related)))
                weights.append(np.full(len(related), RELATED_WEIGHT * share / max(len(related), 1)))
            else:
                rows.append(measures)
                labels.append(np.zeros(len(measures)))
                weights.append(np.full(len(measures), share / len(measures)))
    x = np.vstack(rows)
    y = np.concatenate(labels)
    w = np.concatenate(weights)
    w = w / w.mean()
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.column_stack([(x - mean) / scale, np.ones(len(x))])
    beta = np.zeros(z.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ beta)))
        gradient = z.T @ (w * (y - p)) - 1e-3 * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + 1e-3 * np.eye(len(beta))
        beta += np.linalg.solve(hessian, gradient)
    weights_raw = beta[:-1] / scale
    bias = float(beta[-1] - (beta[:-1] * mean / scale).sum())
    return weights_raw, bias - _equal_error_logit(queries, weights_raw, bias)


def _equal_error_logit(queries: list[Query], weights: np.ndarray, bias: float) -> float:
    """The logit threshold where, on the dev half, answerable queries lose their document as often as
    off-topic ones get a match (source by source, then averaged)."""
    by_source: dict[str, list[tuple[bool, np.ndarray, np.ndarray]]] = defaultdict(list)
    for query in queries:
        if query.split == "dev" and query.background is not None and (query.is_relevant.any() or not query.relevant):
            logits = judgement.features(query.cosines, query.words, query.background, query.same) @ weights + bias
            by_source[query.source].append((bool(query.relevant), logits, query.is_relevant))

    def errors(threshold: float) -> tuple[float, float]:
        missed, accepted = [], []
        for members in by_source.values():
            if members[0][0]:
                missed.append(np.mean([not (logits[relevant] >= threshold).any() for _, logits, relevant in members]))
            else:
                accepted.append(np.mean([(logits >= threshold).any() for _, logits, _ in members]))
        return float(np.mean(missed)), float(np.mean(accepted))

    candidates = np.linspace(-4, 4, 801)
    return float(min(candidates, key=lambda t: abs(errors(t)[0] - errors(t)[1])))


def measure(queries: list[Query]) -> dict[str, dict[str, dict[str, float]]]:
    """Per source and half: for answerable queries, the share whose relevant document is marked a match (and
    for the honest set, also in the top 3); for off-topic ones, the share with no match among ``K`` results."""
    table: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    groups: dict[tuple[str, str], list[Query]] = defaultdict(list)
    for query in queries:
        groups[(query.source, query.split)].append(query)
    for (source, split), members in sorted(groups.items()):
        marks = [judgement.judge(q.cosines, q.words, q.background, same_language=q.same) for q in members]
        matches = float(np.median([m.sum() for m in marks]))
        if members[0].relevant:
            marked = [bool((m & q.is_relevant).any()) for m, q in zip(marks, members, strict=True)]
            top3 = [bool((m[:3] & q.is_relevant[:3]).any()) for m, q in zip(marks, members, strict=True)]
            table[source][split] = {"queries": len(members), "relevant_marked": float(np.mean(marked)),
                                    "relevant_marked_top3": float(np.mean(top3)),
                                    "relevant_found": float(np.mean([q.relevant_rank is not None for q in members])),
                                    "median_matches": matches}
        else:
            table[source][split] = {"queries": len(members),
                                    "no_match": float(np.mean([not m.any() for m in marks])),
                                    "median_matches": matches}
    return table


def cost(queries: list[Query], repeat: int = 20) -> float:
    """Microseconds the judgement of one query's ``K`` results takes (its inputs already at hand)."""
    chosen = [q for q in queries if q.background is not None][:200]
    started = time.perf_counter()
    for _ in range(repeat):
        for query in chosen:
            judgement.judge(query.cosines, query.words, query.background, same_language=query.same)
    return (time.perf_counter() - started) / (repeat * len(chosen)) * 1e6


def cost_in_search(embedder: Embedder, index: Index, texts: list[str], repeat: int = 5) -> tuple[float, float]:
    """Microseconds the whole judgement adds to a search of the bundled corpus, its inputs gathered too (the
    query's background over the corpus sample, each document's cosine and word share), and the search's own
    time for comparison: the median over ``texts``."""
    searcher = Searcher(index, embedder, max_k=K)
    added, whole = [], []
    for text in texts:
        vector = embedder.encode_query([text])[0]
        candidates = searcher._candidates(text, vector, depth=K, filters=Filters(), allowed=None, mode="hybrid")
        groups = searcher._group(candidates.ids, searcher._passage_scores(candidates, "hybrid"),
                                 exclude_document=None, limit=K)
        started = time.perf_counter()
        for _ in range(repeat):
            cosines, words = searcher._judged_measures(candidates, groups, "hybrid")
            background = judgement.Background.of(vector, index.vector_sample())
            same = searcher._same_language(text, groups)
            judgement.judge(cosines, words, background, embedder.relevance_calibration, same)
        added.append((time.perf_counter() - started) / repeat * 1e6)
        started = time.perf_counter()
        searcher.rank(text, vector, k=10, filters=Filters())
        whole.append((time.perf_counter() - started) * 1e6)
    return float(np.median(added)), float(np.median(whole))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", action="store_true", help="fit new weights on the dev half, then measure them")
    parser.add_argument("--work", type=Path, default=Path("/tmp/passerelle-judgement"))
    parser.add_argument("--dump", type=Path, help="write every query's measures here (JSON lines)")
    parser.add_argument("--load", type=Path, help="read the queries' measures from a --dump instead of searching")
    parser.add_argument("--write", action="store_true",
                        help="with --fit: write the new weights into indexer/search/judgement.json")
    arguments = parser.parse_args()
    settings = Settings()
    if arguments.load:
        queries, model = load(arguments.load), "(measures loaded from a dump)"
    else:
        embedder = Embedder.from_settings(settings).load()
        queries, model = collect(embedder, settings, arguments.work), embedder.name
    if arguments.dump:
        with arguments.dump.open("w", encoding="utf-8") as handle:
            for q in queries:
                handle.write(json.dumps({
                    "source": q.source, "split": q.split, "query": q.text, "relevant_rank": q.relevant_rank,
                    "cosines": q.cosines.round(5).tolist(), "words": q.words.round(4).tolist(),
                    "background": [q.background.mean, q.background.std] if q.background else None,
                    "relevant": sorted(q.relevant),
                    "is_relevant": q.is_relevant.tolist(), "same": q.same.round(3).tolist()}) + "\n")
    if arguments.fit:
        weights, bias = fit(queries)
        judgement.WEIGHTS = weights  # type: ignore[misc]
        judgement.BIAS = bias
        print(f"weights {[round(float(w), 4) for w in weights]}, bias {bias:.4f}")
        if arguments.write:
            fitted = json.loads(judgement.FITTED.read_text(encoding="utf-8"))
            fitted.update(weights=[round(float(w), 4) for w in weights], bias=round(bias, 4),
                          fitted=time.strftime("%Y-%m-%d"))
            judgement.FITTED.write_text(json.dumps(fitted, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"written to {judgement.FITTED.relative_to(ROOT)}")
    print(f"model {model}; {K} results judged per query; weights {judgement.WEIGHTS.round(4).tolist()}, "
          f"bias {judgement.BIAS:.4f}")
    table = measure(queries)
    print(f"{'source':28} {'half':5} {'queries':>7}  figures")
    for source, halves in table.items():
        for split, figures in sorted(halves.items()):
            shown = "  ".join(f"{name} {value:.3f}" if value % 1 else f"{name} {value:.0f}"
                              for name, value in figures.items() if name != "queries")
            print(f"{source:28} {split:5} {int(figures['queries']):7d}  {shown}")
    print(f"judgement cost: {cost(queries):.1f} µs per query ({K} results, measures at hand)")
    if not arguments.load:
        index = Index.open(arguments.work / "corpus").preload()
        added, whole = cost_in_search(embedder, index, [q.text for q in queries if q.source.startswith("honest")])
        print(f"judgement cost in a search of the bundled corpus, measures gathered too: {added:.0f} µs per "
              f"query (median; the ranking itself, without encoding: {whole:.0f} µs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
