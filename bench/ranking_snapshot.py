"""Ranking snapshot: the results of many query × mode × filter × k cases over the bundled corpus.

A change that should not change behaviour (a refactoring, a speed-up) must give the same snapshot: write one
before, change the code, and compare::

    .venv/bin/python bench/ranking_snapshot.py --write /tmp/before.json
    # … change the code …
    .venv/bin/python bench/ranking_snapshot.py --compare /tmp/before.json

Each case records the documents in order, each with its best passage and other passages (ids) and its score
rounded to 5 decimals, and the facets; "more like this" is recorded for every document. Model arithmetic
differs between machines (bf16 where the CPU has it), so compare snapshots taken on the same machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from indexer import Embedder, Settings, index_corpus
from indexer.search.filters import MODES, Filters
from indexer.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "logement social", "Wohnungslosigkeit junger Erwachsener", "santé mentale des jeunes",
    "digital skills of social workers",
    "Eeler Leit doheem", "intelligence artificielle et protection des données", "Traumasensible Arbeit",
    "peer support", "inclusion scolaire des enfants migrants", "burnout", "RGPD", "Kinder- und Jugendhilfe",
    "how do social workers use AI for case notes?", "Wéi hëllefe mir eeler Leit?", "Luxembourg 2025",
]
K_VALUES = (1, 5, 10)


def _filters(searcher: Searcher) -> list[tuple[str, Filters]]:
    vocabulary = searcher.index.vocabulary()
    cases = [("none", Filters())]
    if vocabulary["type"]:
        cases.append((f"type={vocabulary['type'][0]}", Filters(type=(vocabulary["type"][0],))))
    if "thesis" in vocabulary["type"]:
        cases.append(("type=thesis", Filters(type=("thesis",))))
    if vocabulary["language"]:
        cases.append((f"language={vocabulary['language'][0]}", Filters(language=(vocabulary["language"][0],))))
    if vocabulary["edition"]:
        cases.append((f"edition={vocabulary['edition'][-1]}", Filters(edition=(vocabulary["edition"][-1],))))
    if vocabulary["year"]:
        cases.append((f"year_from={vocabulary['year'][-1]}", Filters(year_from=vocabulary["year"][-1])))
    cases.append(("author=a", Filters(author=("a",))))
    return cases


def _hits(hits: list[Any]) -> list[dict[str, Any]]:
    return [{"document": hit.document.path, "score": round(hit.score, 5), "passage": hit.passage.id,
             "others": [other.id for other in hit.others]} for hit in hits]


def snapshot(searcher: Searcher) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for query, mode, (name, filters), k in itertools.product(QUERIES, MODES, _filters(searcher), K_VALUES):
        result = searcher.search(query, k=k, filters=filters, mode=mode)
        cases[f"{query} | {mode} | {name} | k={k}"] = {
            "hits": _hits(result.hits),
            "facets": {field: [[str(v), c] for v, c in values] for field, values in result.facets.items()},
        }
    for record in sorted(searcher.index.all_documents(), key=lambda r: r.path):
        cases[f"similar | {record.path}"] = {"hits": _hits(searcher.similar(record.id, k=5))}
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, help="write the snapshot to this file")
    action.add_argument("--compare", type=Path, help="compare with the snapshot in this file")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    arguments = parser.parse_args()
    settings = Settings()
    embedder = Embedder.from_settings(settings).load()
    with tempfile.TemporaryDirectory(prefix="passerelle-snapshot-") as scratch:
        index_dir = Path(scratch) / "index"
        index_corpus(arguments.corpus, index_dir=index_dir, embedder=embedder, settings=settings)
        searcher = Searcher.open(settings.model_copy(update={"index_dir": index_dir}), embedder)
        cases = snapshot(searcher)
    if arguments.write:
        arguments.write.write_text(json.dumps(cases, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"{len(cases)} cases written to {arguments.write}")
        return
    before = json.loads(arguments.compare.read_text(encoding="utf-8"))
    different = [name for name in before.keys() | cases.keys() if before.get(name) != cases.get(name)]
    for name in sorted(different)[:10]:
        print(f"differs: {name}\n  before: {before.get(name)}\n  now:    {cases.get(name)}")
    print(f"{len(cases)} cases, {len(different)} different from {arguments.compare}")
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
