"""Re-indexing after each edition: only what changed is embedded, nothing is lost, crashes are harmless.

With the fake embedder: which passages are embedded again, and when, does not depend on what the vectors mean."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import FakeEmbedder, Index, Settings, index_corpus
from tests.documents import ENGLISH_HOUSING, FRENCH_AI


@pytest.fixture
def corpus(tmp_path: Path, small_corpus: Path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(small_corpus, copy)
    shutil.rmtree(copy / "2024-archive" / "bad")  # failures are covered elsewhere
    return copy


# A full run in another process whose passages take a model's time to encode (here, longer than the test waits):
# killed while it writes, not after.
_INDEXER_AT_A_MODELS_PACE = """
import sys
import time
from pathlib import Path

from indexer import FakeEmbedder, Settings, index_corpus


class SlowEmbedder(FakeEmbedder):
    def encode_document(self, passages):
        time.sleep(60)
        return super().encode_document(passages)


if __name__ == "__main__":
    corpus, index_dir = map(Path, sys.argv[1:])
    index_corpus(corpus, index_dir=index_dir, embedder=SlowEmbedder(), settings=Settings(), full=True)
"""


def _paths(index_dir: Path) -> dict[str, str]:
    return dict(Index.open(index_dir).query("SELECT path, title FROM documents"))


def test_add_change_move_delete_duplicate_and_catalogue_cycles(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"

    def run():
        return index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)

    first = run()
    assert len(first.added) == 6 and first.embedded_passages == first.passages

    again = run()
    assert (again.new_generation, again.embedded_passages, again.unchanged) == (False, 0, 6)

    (corpus / "2024-archive" / "new.md").write_text(f"# Neu\n\n{ENGLISH_HOUSING}", encoding="utf-8")
    added = run()
    assert added.added == ["2024-archive/new.md"] and 0 < added.embedded_passages <= 2

    (corpus / "2024-archive" / "notes.txt").write_text(FRENCH_AI + " Une phrase ajoutée.", encoding="utf-8")
    changed = run()
    assert changed.changed == ["2024-archive/notes.txt"] and changed.added == []
    assert Index.open(index_dir).manifest.documents == 7

    (corpus / "2024-archive" / "moved").mkdir()
    (corpus / "2024-archive" / "page.html").rename(corpus / "2024-archive" / "moved" / "page.html")
    moved = run()
    assert moved.moved == ["2024-archive/page.html → 2024-archive/moved/page.html"]
    assert moved.embedded_passages == 0
    assert "2024-archive/moved/page.html" in _paths(index_dir) and "2024-archive/page.html" not in _paths(index_dir)

    shutil.copy(corpus / "2025-demo" / "eeler-leit.md", corpus / "2024-archive" / "eeler-leit-copy.md")
    duplicated = run()
    assert [d.path for d in duplicated.duplicates] == ["2025-demo/eeler-leit.md"] or \
        [d.path for d in duplicated.duplicates] == ["2024-archive/eeler-leit-copy.md"]
    assert duplicated.documents == 7  # indexed once

    (corpus / "2024-archive" / "new.md").unlink()
    removed = run()
    assert removed.removed == ["2024-archive/new.md"] and removed.embedded_passages == 0

    catalogue = corpus / "2025-demo" / "catalogue.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(
        "Schulische Integration von Kindern mit Migrationshintergrund", "Schulische Integration (korrigiert)"),
        encoding="utf-8")
    corrected = run()
    assert corrected.metadata_updated == ["2025-demo/theses/integration.pdf"] and corrected.embedded_passages == 0
    assert _paths(index_dir)["2025-demo/theses/integration.pdf"] == "Schulische Integration (korrigiert)"

    full = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings, full=True)
    assert full.embedded_passages == full.passages == corrected.passages


def test_a_killed_indexer_leaves_the_previous_index_and_the_next_run_recovers(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    before = Index.open(index_dir)
    process = subprocess.Popen([sys.executable, "-c", _INDEXER_AT_A_MODELS_PACE, str(corpus), str(index_dir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(index_dir.glob(".tmp-gen-*/store.sqlite")):
        assert process.poll() is None and time.monotonic() < deadline, "the indexer ended before writing"
        time.sleep(0.05)
    time.sleep(0.5)  # in the middle of writing
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = Index.open(index_dir)  # verified: manifest, checksums, counts
    assert after.path == before.path and after.manifest == before.manifest
    assert list(index_dir.glob(".tmp-gen-*"))  # the leftovers are there…
    report = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings, full=True)
    assert not list(index_dir.glob(".tmp-gen-*"))  # …and the next run removes them
    assert Index.open(index_dir).manifest.passages == report.passages


def test_a_damaged_current_index_falls_back_to_the_last_good_one(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    good = Index.open(index_dir).path
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings, full=True)
    damaged = Index.open(index_dir).path
    (damaged / "vectors.faiss").write_bytes(b"\0" * 64)
    index, problem = Index.open_last_good(index_dir, expected_model=fake_embedder.name)
    assert index.path == good and problem and "vectors.faiss" in problem


def test_an_unchanged_run_removes_the_leftovers_of_a_killed_one(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    half_written = index_dir / ".tmp-gen-20200101T000000000000-dead00"
    half_written.mkdir()
    (half_written / "store.sqlite").write_bytes(b"half")
    report = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    assert not report.new_generation and report.embedded_passages == 0
    assert not half_written.exists()


def test_a_dangling_current_pointer_is_repaired_by_the_next_run(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    intact = Index.open(index_dir).path
    (index_dir / "CURRENT").write_text("gen-missing\n")
    report = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    assert report.embedded_passages == 0  # built on the intact generation, nothing to embed again
    assert Index.open(index_dir).path == intact


def _ids(index_dir: Path) -> dict[str, str]:
    return dict(Index.open(index_dir).query("SELECT path, id FROM documents"))


def test_a_document_keeps_its_id_when_its_file_moves_or_changes(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"

    def run() -> None:
        index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)

    run()
    before = _ids(index_dir)
    folder = corpus / "2024-archive"
    (folder / "moved").mkdir()
    (folder / "page.html").rename(folder / "moved" / "page.html")
    run()
    after = _ids(index_dir)
    assert after["2024-archive/moved/page.html"] == before["2024-archive/page.html"]
    assert Index.open(index_dir).passages_of(before["2024-archive/page.html"])  # its passages follow it

    # A new file where the moved one was gets an id of its own; a changed file keeps the one it had.
    (folder / "page.html").write_text("<h1>Neu</h1><p>" + ENGLISH_HOUSING + "</p>", encoding="utf-8")
    (folder / "moved" / "page.html").write_text("<h1>Autre</h1><p>" + FRENCH_AI + "</p>", encoding="utf-8")
    run()
    final = _ids(index_dir)
    assert final["2024-archive/moved/page.html"] == before["2024-archive/page.html"]
    assert final["2024-archive/page.html"] != before["2024-archive/page.html"]
    assert len(set(final.values())) == len(final)
    # A rebuild (--full, a new format or model) gives every document the id it had.
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings, full=True)
    assert _ids(index_dir) == final
    (folder / "notes.txt").rename(folder / "notes-moved.txt")
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings, full=True)
    assert _ids(index_dir)["2024-archive/notes-moved.txt"] == final["2024-archive/notes.txt"]


def test_edition_titles_are_stored_from_the_catalogues(
        corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder, fake_settings: Settings) -> None:
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=fake_settings)
    editions = Index.open(index_dir).editions()
    assert editions and all(edition.title and edition.title != edition.id for edition in editions.values())
