"""Re-indexing benchmark: an unchanged re-index and adding one edition, against a full rebuild.

On a copy of the bundled corpus: index the two older editions, add the newest edition and re-index
(incremental), re-index again with nothing changed, and rebuild everything from scratch — all in one run,
so the ratios compare like with like. Run: ``.venv/bin/python bench/bench_reindex.py``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from indexer import Embedder, Settings, index_corpus

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    settings = Settings()
    embedder = Embedder.from_settings(settings).load()
    editions = sorted(p for p in (ROOT / "corpus").iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    with tempfile.TemporaryDirectory(prefix="passerelle-reindex-") as scratch:
        corpus, index_dir = Path(scratch) / "corpus", Path(scratch) / "index"
        corpus.mkdir()
        for edition in editions[:-1]:
            shutil.copytree(edition, corpus / edition.name)

        def timed(**options: bool) -> tuple[float, int]:
            started = time.perf_counter()
            report = index_corpus(corpus, index_dir=index_dir, embedder=embedder, settings=settings, **options)
            return time.perf_counter() - started, report.embedded_passages

        base, base_passages = timed()
        shutil.copytree(editions[-1], corpus / editions[-1].name)
        added, added_passages = timed()
        unchanged, unchanged_passages = timed()
        full, full_passages = timed(full=True)
    print(f"index of {len(editions) - 1} editions: {base:.1f} s ({base_passages} passages embedded)")
    print(f"add edition {editions[-1].name}: {added:.2f} s ({added_passages} passages embedded)")
    print(f"unchanged re-index: {unchanged:.2f} s ({unchanged_passages} passages embedded)")
    print(f"full rebuild of {len(editions)} editions: {full:.1f} s ({full_passages} passages embedded)")
    print(f"ratio add-one-edition / full rebuild = {added / full:.3f}")
    print(f"ratio unchanged / full rebuild = {unchanged / full:.4f}")


if __name__ == "__main__":
    main()
