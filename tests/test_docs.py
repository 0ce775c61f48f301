"""The documentation site builds strictly, its generated references hold every setting, command and option, and
the README's links lead to pages that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.core.settings import Settings
from indexer.search.filters import FILTERS
from tests.conftest import REPO


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                           cwd=REPO, capture_output=True, text=True, timeout=120,
                           env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert built.returncode == 0, built.stderr
    return folder


def test_the_settings_page_lists_every_setting_from_the_code(site: Path) -> None:
    page = (site / "settings" / "index.html").read_text(encoding="utf-8")
    listed = set(re.findall(r"<code>PASSERELLE_([A-Z_]+)</code>", page))
    assert listed >= {name.upper() for name in Settings.model_fields}
    described = Settings.model_fields["shutdown_grace_seconds"].description or ""
    assert " ".join(described.split()).replace("`passerelle serve`", "<code>passerelle serve</code>") in page


def test_the_cli_page_lists_every_command_and_filter_option(site: Path) -> None:
    from service.cli.commands import app

    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"passerelle {name}" in page, name
    for spec in FILTERS:
        assert f"--{spec.name.replace('_', '-')}" in page, spec.name


def test_every_page_of_the_site_is_in_its_navigation_and_the_readme_links_exist(site: Path) -> None:
    pages = {path.stem for path in (REPO / "docs").glob("*.md")}
    navigation = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert all(f"{page}.md" in navigation for page in pages)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/[^)#]*)", readme):
        assert (REPO / target).exists(), target
    assert len(readme.splitlines()) < 200  # a first day's reading; the reference is the site


_FIGURE = re.compile(r"\b\d+\.\d{2,}\b")
_SOURCE = re.compile(r"<!-- source: (\S+) -->")


def _tables(text: str) -> list[tuple[list[str], list[str]]]:
    """Each Markdown table of ``text``: its rows, and the three lines before it."""
    lines, tables, start = text.splitlines(), [], None
    for number, line in enumerate([*lines, ""]):
        if line.startswith("|") and start is None:
            start = number
        elif not line.startswith("|") and start is not None:
            tables.append((lines[start:number], lines[max(0, start - 3):start]))
            start = None
    return tables


def test_every_figure_in_a_table_of_the_docs_has_its_source() -> None:
    """A table of measured figures is generated from a results file (``<!-- figures: … -->``) or names the results
    file it comes from (``<!-- source: bench/RESULTS-….md -->``), which must hold every one of its figures."""
    missing = []
    for page in sorted((REPO / "docs").glob("*.md")):
        for rows, before in _tables(page.read_text(encoding="utf-8")):
            figures = {figure for row in rows for figure in _FIGURE.findall(row)}
            if not figures:
                continue
            cited = next((found.group(1) for line in before if (found := _SOURCE.search(line))), None)
            if cited is None:
                missing.append(f"{page.name}: a table of figures without its source ({rows[0][:60]}…)")
                continue
            source = (REPO / cited).read_text(encoding="utf-8")
            missing += [f"{page.name}: {figure} is not in {cited}"
                        for figure in sorted(figures) if figure not in source]
    assert missing == []


def test_the_evaluation_table_comes_from_its_run(site: Path) -> None:
    import json

    results = json.loads((REPO / "bench" / "results" / "eval.json").read_text(encoding="utf-8"))
    page = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert results["command"] in page and results["date"] in page
    for figures in results["sets"].values():
        assert f"{figures['hybrid']['ndcg@10']:.3f}" in page
