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
