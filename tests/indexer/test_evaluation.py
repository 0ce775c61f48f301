from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import Embedder, FakeEmbedder, Settings
from indexer.evaluation import evaluate, mrr_at, ndcg_at, read_queries, recall_at


def test_metrics_on_a_hand_computed_ranking() -> None:
    relevant = {"a": 1, "b": 1}
    ranked = ["x", "a", "y", "b"]
    assert recall_at(ranked, relevant, 2) == 0.5
    assert recall_at(ranked, relevant, 10) == 1.0
    assert mrr_at(ranked, relevant, 10) == 0.5
    ideal = 1 + 1 / 1.5849625007211562
    assert ndcg_at(ranked, relevant, 10) == pytest.approx((1 / 1.5849625007211562 + 1 / 2.321928094887362) / ideal)
    assert ndcg_at(["a", "b"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at(["x"], relevant, 10) == 0.0


def _beir(root: Path) -> Path:
    docs = [("d-de", "Kinder mit Migrationshintergrund lernen in Aufnahmeklassen Deutsch und Französisch."),
            ("d-en", "Housing First gives homeless people a flat without preconditions."),
            ("d-fr", "Les personnes âgées isolées reçoivent des repas à domicile.")]
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": i, "title": "", "text": t}) for i, t in docs))
    queries = [("q1", "intégration des enfants immigrés à l'école", "d-de"),
               ("q2", "logement pour les sans-abri", "d-en"), ("q3", "Senioren Essen nach Hause", "d-fr")]
    (root / "queries.jsonl").write_text("\n".join(json.dumps({"_id": q, "text": t}) for q, t, _ in queries))
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n"
                                             + "".join(f"{q}\t{d}\t1\n" for q, _, d in queries))
    return root


@pytest.mark.slow
def test_cross_lingual_set_is_solved_and_the_index_is_reused(tmp_path: Path, embedder: Embedder,
                                                            settings: Settings) -> None:
    dataset = _beir(tmp_path / "set")
    index_dir = tmp_path / "index"
    result = evaluate(dataset, embedder=embedder, settings=settings, index_dir=index_dir)
    assert (result.ndcg_at_10, result.recall_at_10, result.queries, result.documents) == (1.0, 1.0, 3, 3)
    assert set(result.as_json()) == {"ndcg@10", "recall@10", "recall@100", "mrr@10", "latency_ms_p50",
                                     "latency_ms_p95", "queries", "refused_queries", "documents",
                                     "relevant_marked_match", "offtopic_queries", "offtopic_without_match"}
    generation = (index_dir / "CURRENT").read_text()
    evaluate(dataset, embedder=embedder, settings=settings, index_dir=index_dir)
    assert (index_dir / "CURRENT").read_text() == generation  # unchanged corpus and model: reused


def test_the_judgement_is_measured_on_the_sets_queries_and_on_off_topic_ones(tmp_path: Path) -> None:
    """With the fake embedder, a query is answered by the document that shares its words."""
    root = tmp_path / "set"
    docs = [("d-housing", "Housing First gives homeless people a flat without preconditions."),
            ("d-school", "Kinder mit Migrationshintergrund lernen in Aufnahmeklassen Deutsch."),
            ("d-elderly", "Les personnes âgées isolées reçoivent des repas à domicile.")]
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": i, "title": "", "text": t}) for i, t in docs))
    queries = [("q1", "Housing First homeless flat", "d-housing"), ("q2", "Kinder Aufnahmeklassen", "d-school"),
               ("q3", "Senioren Mahlzeiten", "d-elderly")]  # cross-lingual: the fake knows no meaning, not marked
    (root / "queries.jsonl").write_text("\n".join(json.dumps({"_id": q, "text": t}) for q, t, _ in queries))
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n"
                                             + "".join(f"{q}\t{d}\t1\n" for q, _, d in queries))
    offtopic = tmp_path / "offtopic.txt"
    offtopic.write_text("# everyday\nquantum chromodynamics\n\n{\"query\": \"football results tonight\"}\n"
                        "Housing First homeless\n")
    assert read_queries(offtopic) == ["quantum chromodynamics", "football results tonight", "Housing First homeless"]
    settings = Settings(index_dir=tmp_path / "index")
    result = evaluate(root, embedder=FakeEmbedder(), settings=settings, index_dir=tmp_path / "index",
                      offtopic=read_queries(offtopic))
    assert result.relevant_marked_match == pytest.approx(2 / 3, abs=1e-4)
    assert result.offtopic_queries == 3 and result.offtopic_without_match == pytest.approx(2 / 3, abs=1e-4)
