from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from indexer import IndexReport, Settings
from service.cli.commands import app
from tests.conftest import REPO
from tests.support.servers import free_port

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
    assert body["matches"] >= 1 and body["results"][0]["match"] is True
    # Without --json: each result marked a match (✓) or only related (~), with why it was found.
    text = runner.invoke(app, ["search", "Wohnungslosigkeit und Wohnungen", "-k", "3"], env=_env(settings)).output
    assert "matching document" in text and "✓ 1. " in text
    assert "· Journée 2025 ·" in text  # the edition by its catalogue title, not its folder name
    assert "contains: " in text or "found by meaning" in text
    refused = runner.invoke(app, ["search", "der die das"], env=_env(settings))  # main() turns it into exit 2
    assert refused.exit_code != 0 and "no word that can carry a meaning" in str(refused.exception)


def test_index_command_prints_summary_with_failures(settings: Settings, tmp_path: Path) -> None:
    env = _env(settings) | {"PASSERELLE_INDEX_DIR": str(tmp_path / "idx")}
    result = runner.invoke(app, ["index", str(settings.corpus_dir)], env=env)
    assert result.exit_code == 0, result.output
    assert "summary\tdocuments=" in result.output
    assert "encrypted.pdf" in result.output and "password" in result.output
    assert "picture.png" in result.output and "unsupported format .png" in result.output


def _serve(settings: Settings, index_dir: Path, port: int) -> subprocess.Popen[str]:
    env = os.environ | _env(settings) | {"PASSERELLE_INDEX_DIR": str(index_dir)}
    return subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=REPO)


def test_serve_answers_over_http_and_stops_on_sigterm(settings: Settings, indexed: IndexReport) -> None:
    port = free_port()
    server = _serve(settings, settings.index_dir, port)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()  # type: ignore[union-attr]
            time.sleep(0.2)
        answers = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "Wohnungslosigkeit", "k": 2},
                            timeout=30).json()
        assert answers["results"][0]["document"]["language"] == "en"
        server.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then ends by the signal it caught, as the convention for SIGTERM is.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        output = server.stdout.read()  # type: ignore[union-attr]
        assert "Finished server process" in output
        assert "Wohnungslosigkeit" not in output  # no access log by default: questions stay out of the logs
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_without_an_index_exits_with_the_reason(settings: Settings, tmp_path: Path) -> None:
    server = _serve(settings, tmp_path / "nothing-here", free_port())
    output, _ = server.communicate(timeout=120)
    assert server.returncode == 3
    assert "passerelle index" in output  # the message says how to build one


def test_serve_with_a_short_admin_token_says_why_without_echoing_it(settings: Settings, tmp_path: Path) -> None:
    secret = "Zq7-not-long-15"  # 15 characters: one short
    env = os.environ | _env(settings) | {"PASSERELLE_ADMIN_TOKEN": secret}
    done = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())], env=env,
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "PASSERELLE_ADMIN_TOKEN" in output and "at least 16 characters" in output
    assert secret not in output
    assert "Traceback" not in output and "╭" not in output  # a message, not a stack dump
