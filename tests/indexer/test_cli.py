from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indexer import IndexReport, Settings
from indexer.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {"PASSERELLE_MODELS_DIR": str(settings.models_dir), "PASSERELLE_INDEX_DIR": str(settings.index_dir)}


def test_model_command_prints_name_location_dimension(settings: Settings) -> None:
    result = runner.invoke(app, ["model"], env=_env(settings))
    assert result.exit_code == 0, result.output
    assert "multilingual-e5-small" in result.output and "384" in result.output
    assert "'query: '" in result.output and "'passage: '" in result.output


def test_search_command_uses_the_same_search(settings: Settings, indexed: IndexReport) -> None:
    result = runner.invoke(app, ["search", "Wohnungslosigkeit und Wohnungen", "-k", "2", "--json"],
                           env=_env(settings))
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout[result.stdout.index("{"):])
    assert body["results"][0]["document"]["language"] == "en"


def test_index_command_prints_summary_with_failures(settings: Settings, tmp_path: Path) -> None:
    env = _env(settings) | {"PASSERELLE_INDEX_DIR": str(tmp_path / "idx")}
    result = runner.invoke(app, ["index", str(settings.corpus_dir)], env=env)
    assert result.exit_code == 0, result.output
    assert "Indexing summary" in result.output
    assert "encrypted.pdf" in result.output and "password" in result.output
    assert "picture.png" in result.output and "unsupported format .png" in result.output
