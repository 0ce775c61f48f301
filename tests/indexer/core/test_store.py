from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.core.errors import IndexCorruptError, IndexNotFoundError, ModelMismatchError
from indexer.core.store import MANIFEST, STORE, DocumentRecord, Index, IndexWriter, current_generation


def _write(index_dir: Path, *, passages: int = 3, model: str = "m") -> Path:
    writer = IndexWriter(index_dir, model=model, dimension=4)
    writer.add_document(DocumentRecord("d1", "a.txt", "A", [], 2024, "e", "report", "fr", 1, "text", "h", {}))
    vectors = np.eye(4, dtype=np.float32)[:passages]
    writer.add_passages([("d1", i, 1, 0, 1, "fr", f"p{i}") for i in range(passages)], vectors)
    return writer.commit(corpus_root=index_dir, corpus_fingerprint="f", report={})


def test_commit_switches_current_and_keeps_one_previous(tmp_path: Path) -> None:
    first = _write(tmp_path)
    second = _write(tmp_path)
    third = _write(tmp_path)
    assert current_generation(tmp_path) == third
    assert not first.exists() and second.exists()
    index = Index.open(tmp_path, expected_model="m")
    assert index.manifest.passages == 3 and index.vectors.ntotal == 3
    assert [p.text for p in index.passages_of("d1")] == ["p0", "p1", "p2"]


def test_missing_index_is_reported_with_the_command_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="passerelle index"):
        Index.open(tmp_path)


def test_model_mismatch_names_both_models(tmp_path: Path) -> None:
    _write(tmp_path, model="multilingual-e5-small")
    with pytest.raises(ModelMismatchError, match=r"multilingual-e5-small.*other-model"):
        Index.open(tmp_path, expected_model="other-model")


def test_damaged_store_is_refused(tmp_path: Path) -> None:
    generation = _write(tmp_path)
    with (generation / STORE).open("ab") as handle:
        handle.write(b"garbage")
    with pytest.raises(IndexCorruptError, match="checksum"):
        Index.open(tmp_path)


def test_counts_that_disagree_are_refused(tmp_path: Path) -> None:
    generation = _write(tmp_path)
    manifest = json.loads((generation / MANIFEST).read_text())
    manifest["passages"] = 99
    (generation / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="disagree"):
        Index.open(tmp_path)


def test_a_generation_without_manifest_is_not_an_index(tmp_path: Path) -> None:
    generation = _write(tmp_path)
    shutil.copytree(generation, tmp_path / "gen-copy")
    (tmp_path / "gen-copy" / MANIFEST).unlink()
    (tmp_path / "CURRENT").write_text("gen-copy\n")
    with pytest.raises(IndexNotFoundError):
        Index.open(tmp_path)


@pytest.mark.parametrize("kind", ["ivf-sq8", "flat"])
def test_the_vector_index_kind_can_be_chosen_and_survives_incremental_changes(tmp_path: Path, kind: str) -> None:
    from indexer.core import ann

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    writer = IndexWriter(tmp_path, model="m", dimension=8, vector_index=kind)
    for number in range(3):
        writer.add_document(DocumentRecord(f"d{number}", f"{number}.txt", "T", [], None, None, "report", "fr", 1,
                                           "text", "h", {}))
        writer.add_passages([(f"d{number}", i, 1, 0, 1, "fr", "p") for i in range(200)],
                            vectors[number * 200:(number + 1) * 200])
    first = writer.commit(corpus_root=tmp_path, corpus_fingerprint="f", report={})
    assert ann.kind_of(Index.open(tmp_path).vectors) == kind
    writer = IndexWriter(tmp_path, model="m", dimension=8, base=first, vector_index=kind)
    assert writer.remove_document("d1") == 200
    writer.commit(corpus_root=tmp_path, corpus_fingerprint="f", report={})
    index = Index.open(tmp_path)
    assert ann.kind_of(index.vectors) == kind and index.vectors.ntotal == 400
    _, ids = ann.search(index.vectors, vectors[:1], 5)
    assert ids[0][0] == 0 and not set(ids[0]) & set(range(200, 400))
    # Removed and unknown passages have no owner; the others keep theirs.
    positions, documents = index.passage_owners([0, 199, 250, 400, 599, 9999])
    assert [documents[p] if p >= 0 else None for p in positions] == ["d0", "d0", None, "d2", "d2", None]
    assert len(index.passage_owners([])[0]) == 0
    assert index.document_count() == 2


def test_a_generation_keeps_its_keyword_index_in_one_segment(tmp_path: Path) -> None:
    first = _write(tmp_path)  # passages "p0" … "p2"
    writer = IndexWriter(tmp_path, model="m", dimension=4, base=first)  # an incremental run adds a segment
    writer.add_passages([("d1", 3, 1, 0, 1, "fr", "p3")], np.eye(4, dtype=np.float32)[3:])
    writer.commit(corpus_root=tmp_path, corpus_fingerprint="f", report={})
    index = Index.open(tmp_path)
    assert index.query("SELECT count(DISTINCT segid) FROM passages_fts_idx") == [(1,)]
    assert sorted(i for i, _ in index.keyword_search('"p0" OR "p3"', limit=10)) == [0, 3]


def test_document_ids_at_a_path(fake_indexed: object, fake_settings: object) -> None:
    from indexer.core.settings import Settings
    from indexer.core.store import Index

    assert isinstance(fake_settings, Settings)
    index = Index.open(fake_settings.index_dir)
    record = next(iter(index.all_documents()))
    assert index.document_ids_at(record.path) == [record.id]
    assert index.document_ids_at("no/such/file.pdf") == []
