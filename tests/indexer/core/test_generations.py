"""The generation lifecycle: what clean-up keeps, what a reader falls back to (no model needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.core.errors import IndexCorruptError, IndexNotFoundError
from indexer.core.store import MANIFEST, STORE, VECTORS, DocumentRecord, Index, IndexWriter, current_generation


def _write(index_dir: Path, *, title: str = "A") -> Path:
    writer = IndexWriter(index_dir, model="m", dimension=4)
    writer.add_document(DocumentRecord("d1", "a.txt", title, [], 2024, "e", "report", "fr", 1, "text", "h", {}))
    writer.add_passages([("d1", i, 1, 0, 1, "fr", f"p{i}") for i in range(3)], np.eye(4, dtype=np.float32)[:3])
    return writer.commit(corpus_root=index_dir, corpus_fingerprint="f", report={})


def _damage(generation: Path) -> None:
    (generation / VECTORS).write_bytes(b"\0" * 64)


def test_clean_up_never_removes_a_generation_a_reader_holds(tmp_path: Path) -> None:
    first = _write(tmp_path, title="first")
    reader = Index.open(tmp_path)  # a service that does not reload (PASSERELLE_RELOAD_INTERVAL=0)
    for n in range(3):
        _write(tmp_path, title=f"later {n}")
    assert first.exists()
    assert reader.document("d1").title == "first"
    assert [p.text for p in reader.passages_of("d1")] == ["p0", "p1", "p2"]


def test_a_generation_is_removed_once_its_last_reader_is_gone(tmp_path: Path) -> None:
    first = _write(tmp_path)
    reader = Index.open(tmp_path)
    _write(tmp_path)
    _write(tmp_path)
    assert first.exists()
    del reader
    _write(tmp_path)
    assert not first.exists()


def test_the_kept_fallback_is_never_a_generation_known_to_be_bad(tmp_path: Path) -> None:
    good = _write(tmp_path, title="good")
    bad = _write(tmp_path, title="bad")
    _damage(bad)
    served, problem = Index.open_last_good(tmp_path, expected_model="m")
    assert served.path == good and problem
    newest = _write(tmp_path, title="newest")  # the next build, while the fallback is served
    assert current_generation(tmp_path) == newest
    assert good.exists() and not bad.exists()
    del served
    _write(tmp_path, title="after")
    # The good generation is now the previous-but-one; the previous one (newest) is the kept fallback.
    assert newest.exists() and not bad.exists()


def test_clean_up_keeps_the_newest_intact_generation_as_fallback_not_a_damaged_newer_one(tmp_path: Path) -> None:
    good = _write(tmp_path, title="good")
    damaged = _write(tmp_path, title="damaged")
    _damage(damaged)
    (tmp_path / "CURRENT").write_text(good.name + "\n")  # an operator pointed back to the good one
    current = _write(tmp_path, title="current")
    assert good.exists() and not damaged.exists()
    _damage(current)
    index, problem = Index.open_last_good(tmp_path, expected_model="m")
    assert index.path == good and problem


@pytest.mark.parametrize("break_current", ["dangling", "missing", "empty", "no manifest"])
def test_a_broken_current_pointer_falls_back_to_the_newest_intact_generation(tmp_path: Path,
                                                                              break_current: str) -> None:
    _write(tmp_path, title="older")
    newest = _write(tmp_path, title="newest")
    pointer = tmp_path / "CURRENT"
    if break_current == "dangling":
        pointer.write_text("gen-missing\n")
    elif break_current == "missing":
        pointer.unlink()
    elif break_current == "empty":
        pointer.write_text("")
    else:
        shutil.copytree(newest, tmp_path / "gen-99991231T000000000000-aaaaaa")
        (tmp_path / "gen-99991231T000000000000-aaaaaa" / MANIFEST).unlink()
        pointer.write_text("gen-99991231T000000000000-aaaaaa\n")
    index, problem = Index.open_last_good(tmp_path, expected_model="m")
    assert index.path == newest
    assert problem and newest.name in problem


def test_no_generation_at_all_is_reported_with_the_command_to_build_one(tmp_path: Path) -> None:
    (tmp_path / "CURRENT").write_text("gen-missing\n")
    with pytest.raises(IndexNotFoundError, match="passerelle index"):
        Index.open_last_good(tmp_path)


def test_only_damaged_generations_are_refused_with_the_reason(tmp_path: Path) -> None:
    only = _write(tmp_path)
    with (only / STORE).open("ab") as handle:
        handle.write(b"garbage")
    with pytest.raises(IndexCorruptError, match="checksum"):
        Index.open_last_good(tmp_path)


def test_a_generation_removed_under_a_reader_is_seen_as_gone(tmp_path: Path) -> None:
    generation = _write(tmp_path)
    index = Index.open(tmp_path)
    assert index.is_available()
    shutil.rmtree(generation)  # by hand: clean-up would not
    assert not index.is_available()
