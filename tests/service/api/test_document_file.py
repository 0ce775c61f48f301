"""``GET /documents/{id}/file`` serves only files inside the corpus folder, even when one becomes a link."""

from __future__ import annotations

from pathlib import Path

import httpx

from indexer import FakeEmbedder, Index, Settings, index_corpus
from tests.documents import ENGLISH_HOUSING, FRENCH_AI
from tests.support.servers import run_server

SECRET = "Le code de la porte du bureau est 4711."


def test_a_file_replaced_by_a_link_out_of_the_corpus_is_not_served(tmp_path: Path,
                                                                    fake_embedder: FakeEmbedder) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text(f"# Secret\n\n{SECRET}\n", encoding="utf-8")
    edition = tmp_path / "corpus" / "2025-demo"
    edition.mkdir(parents=True)
    (edition / "notes.md").write_text(f"# Notes\n\n{FRENCH_AI}\n", encoding="utf-8")
    (edition / "housing.md").write_text(f"# Housing\n\n{ENGLISH_HOUSING}\n", encoding="utf-8")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    ids = dict(Index.open(settings.index_dir).query("SELECT path, id FROM documents"))

    # After indexing, one file becomes a link out of the corpus, the other a link to a file inside it.
    (edition / "notes.md").unlink()
    (edition / "notes.md").symlink_to(tmp_path / "outside" / "secret.md")
    (edition / "housing.md").rename(edition / "housing-moved.md")
    (edition / "housing.md").symlink_to("housing-moved.md")

    with run_server(settings, fake_embedder) as url, httpx.Client(base_url=url, timeout=30) as client:
        leaked = client.get(f"/documents/{ids['2025-demo/notes.md']}/file")
        assert leaked.status_code == 410 and "4711" not in leaked.text and "outside" not in leaked.text
        inside = client.get(f"/documents/{ids['2025-demo/housing.md']}/file")
        assert inside.status_code == 200 and inside.text.startswith("# Housing")
