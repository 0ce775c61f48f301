from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.errors import IndexCorruptError, IndexNotFoundError, ModelMismatchError
from indexer.store import MANIFEST, STORE, DocumentRecord, Index, IndexWriter, current_generation


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
