"""Build every edition: write each document in the format of its extension, the catalogues and the README counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from tools.corpus_builder.catalogue import render_catalogue, update_readme_counts
from tools.corpus_builder.office import build_docx, build_pptx
from tools.corpus_builder.pdf import build_pdf
from tools.corpus_builder.sources import (
    CATALOGUE_NAME,
    CORPUS_DIR,
    SOURCE_ROOT,
    BuildError,
    Edition,
    Source,
    load_edition,
    load_sources,
)
from tools.corpus_builder.text import build_html, build_markdown, build_text

BUILDERS: Final[dict[str, Callable[[Source, Path], None]]] = {
    ".pdf": build_pdf,
    ".docx": build_docx,
    ".pptx": build_pptx,
    ".html": build_html,
    ".md": build_markdown,
    ".txt": build_text,
}


@dataclass
class BuildReport:
    """What a run wrote and removed, for the summary line."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def discover_editions(source_root: Path) -> list[Edition]:
    """Every folder under ``source_root`` is an edition."""
    if not source_root.is_dir():
        raise BuildError(f"no source folder {source_root}")
    return [load_edition(path) for path in sorted(source_root.iterdir()) if path.is_dir()]


def build_edition(edition: Edition, sources: Sequence[Source], *, corpus_dir: Path, report: BuildReport) -> None:
    """Write all documents and the catalogue of one edition, then remove files without a source."""
    out_dir = corpus_dir / edition.id
    expected = {out_dir / CATALOGUE_NAME}
    for source in sources:
        target = out_dir / source.file
        target.parent.mkdir(parents=True, exist_ok=True)
        BUILDERS[source.suffix](source, target)
        expected.add(target)
        report.written.append(target)
        print(f"wrote {_display(target, corpus_dir)}  ({source.doc_type}, {source.language})")
    catalogue = out_dir / CATALOGUE_NAME
    out_dir.mkdir(parents=True, exist_ok=True)
    catalogue.write_text(render_catalogue(edition, sources), encoding="utf-8")
    report.written.append(catalogue)
    print(f"wrote {_display(catalogue, corpus_dir)}  ({len(sources)} documents)")
    _remove_stale(out_dir, expected=expected, corpus_dir=corpus_dir, report=report)


def _remove_stale(out_dir: Path, *, expected: set[Path], corpus_dir: Path, report: BuildReport) -> None:
    # Dotfiles (.gitkeep, editor files) are not documents; everything else must come from a source.
    for path in sorted(out_dir.rglob("*"), reverse=True):
        if path.is_file() and path not in expected and not path.name.startswith("."):
            path.unlink()
            report.removed.append(path)
            print(f"removed {_display(path, corpus_dir)}  (no source any more)")
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _display(path: Path, corpus_dir: Path) -> str:
    try:
        return str(path.relative_to(corpus_dir.parent))
    except ValueError:
        return str(path)


def run(*, corpus_dir: Path = CORPUS_DIR, source_root: Path = SOURCE_ROOT, check_only: bool = False) -> BuildReport:
    """Validate all sources first (so a bad file changes nothing), then build every edition."""
    editions = discover_editions(source_root)
    loaded = [(edition, load_sources(edition)) for edition in editions]
    report = BuildReport()
    for edition, sources in loaded:
        if check_only:
            print(f"ok {edition.id}: {len(sources)} sources")
        else:
            build_edition(edition, sources, corpus_dir=corpus_dir, report=report)
    known = {edition.id for edition in editions}
    for folder in sorted(corpus_dir.iterdir()):
        if folder.is_dir() and folder.name not in known and (folder / CATALOGUE_NAME).exists():
            where = _display(source_root, corpus_dir)
            print(f"warning: {folder.name}/ has a catalogue but no sources in {where}; left untouched")
    if not check_only:
        readme = corpus_dir / "README.md"
        if update_readme_counts(readme, loaded):
            report.written.append(readme)
            print(f"updated {_display(readme, corpus_dir)}  (document counts)")
        total = sum(len(sources) for _, sources in loaded)
        print(f"built {total} documents in {len(loaded)} editions, removed {len(report.removed)} stale files")
    return report
