"""Links in the corpus folder: none leads out of it, none makes the walk loop."""

from __future__ import annotations

from pathlib import Path

from indexer import FakeEmbedder, Index, Settings, index_corpus
from indexer.ingest.pipeline import corpus_fingerprint
from indexer.ingest.sources import walk_corpus
from tests.documents import FRENCH_AI

SECRET = "Le code de la porte du bureau est 4711, la clé est sous le paillasson."


def _linked_corpus(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "folder" / "more.md").write_text(f"# Dossier\n\n{SECRET}\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    edition = corpus / "2025-demo"
    edition.mkdir(parents=True)
    (edition / "notes.md").write_text(f"# Notes\n\n{FRENCH_AI}\n", encoding="utf-8")
    (edition / "leak.txt").symlink_to(outside / "secret.txt")
    (edition / "relative-leak.txt").symlink_to(Path("..", "..", "outside", "secret.txt"))
    (edition / "linked-folder").symlink_to(outside / "folder", target_is_directory=True)
    (edition / "loop").symlink_to(edition, target_is_directory=True)
    (edition / "self.md").symlink_to(edition / "self.md")
    (edition / "dangling.md").symlink_to(edition / "gone.md")
    (edition / "alias.md").symlink_to("notes.md")
    return corpus, outside


def test_links_out_of_the_corpus_are_skipped_without_saying_where_they_lead(tmp_path: Path) -> None:
    corpus, outside = _linked_corpus(tmp_path)

    walked = {path.relative_to(corpus).as_posix(): skip for path, skip in walk_corpus(corpus)}

    assert set(walked) == {f"2025-demo/{name}" for name in ("notes.md", "alias.md", "leak.txt", "relative-leak.txt",
                                                            "linked-folder", "loop", "self.md", "dangling.md")}
    assert walked["2025-demo/notes.md"] is None and walked["2025-demo/alias.md"] is None  # inside: followed
    reasons = {name: skip.reason for name, skip in walked.items() if skip is not None}
    assert reasons == {"2025-demo/leak.txt": "outside the corpus", "2025-demo/relative-leak.txt": "outside the corpus",
                       "2025-demo/linked-folder": "outside the corpus", "2025-demo/loop": "link",
                       "2025-demo/self.md": "broken link", "2025-demo/dangling.md": "broken link"}
    for skip in walked.values():
        if skip is not None:
            assert str(outside) not in skip.message and "secret" not in skip.message and "folder/" not in skip.message
    assert "outside the corpus folder" in walked["2025-demo/leak.txt"].message
    # Links come after the files they may duplicate, so the file, not the link, is the one indexed.
    assert [path.name for path, _ in walk_corpus(corpus)].index("notes.md") < \
        [path.name for path, _ in walk_corpus(corpus)].index("alias.md")


def test_the_fingerprint_reads_nothing_outside_the_corpus(tmp_path: Path) -> None:
    corpus, outside = _linked_corpus(tmp_path)
    before = corpus_fingerprint(corpus)
    (outside / "secret.txt").write_text(SECRET + " Changé.", encoding="utf-8")
    (outside / "folder" / "more.md").write_text("# Autre\n\nAutre chose.", encoding="utf-8")
    assert corpus_fingerprint(corpus) == before
    (corpus / "2025-demo" / "notes.md").write_text("# Notes\n\nAutre chose.", encoding="utf-8")
    assert corpus_fingerprint(corpus) != before


def test_text_behind_a_link_out_of_the_corpus_is_never_indexed(tmp_path: Path,
                                                                 fake_embedder: FakeEmbedder) -> None:
    corpus, _ = _linked_corpus(tmp_path)
    index_dir = tmp_path / "index"

    report = index_corpus(corpus, index_dir=index_dir, embedder=fake_embedder, settings=Settings())

    index = Index.open(index_dir)
    assert [row[0] for row in index.query("SELECT path FROM documents")] == ["2025-demo/notes.md"]
    assert not index.query("SELECT 1 FROM passages WHERE text LIKE '%4711%'")
    assert {issue.path: issue.reason for issue in report.skipped} == {
        "2025-demo/leak.txt": "outside the corpus", "2025-demo/relative-leak.txt": "outside the corpus",
        "2025-demo/linked-folder": "outside the corpus", "2025-demo/loop": "link",
        "2025-demo/self.md": "broken link", "2025-demo/dangling.md": "broken link"}
    assert [(issue.path, issue.message) for issue in report.duplicates] == [
        ("2025-demo/alias.md", "same content as 2025-demo/notes.md")]


def test_a_catalogue_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    from indexer.ingest.catalogue import read_catalogues

    corpus, outside = _linked_corpus(tmp_path)
    (outside / "catalogue.toml").write_text('[[documents]]\nfile = "notes.md"\ntitle = "Pas ce titre"\n',
                                            encoding="utf-8")
    (corpus / "2025-demo" / "catalogue.toml").symlink_to(outside / "catalogue.toml")
    assert read_catalogues(corpus) == {}
