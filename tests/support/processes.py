"""`passerelle serve` as a separate process over the fake embedder: starts in a second, as the console script runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from indexer import Settings
from tests.support.servers import wait_ready

REPO = Path(__file__).resolve().parents[2]

# main() with its logging set-up and uvicorn, the model replaced by the fake one (the real model's serve is tested
# in tests/service/cli/test_cli.py).
_SERVE = """
import sys
from indexer import FakeEmbedder
from indexer.core.model import Embedder
Embedder.from_settings = classmethod(lambda cls, settings: FakeEmbedder())
from service.cli.commands import main
sys.argv = ["passerelle", "serve", "--port", sys.argv[1]]
main()
"""


def serve(settings: Settings, port: int, **environment: str) -> subprocess.Popen[str]:
    """Start ``passerelle serve`` on ``settings``' corpus and index; ``environment``: more PASSERELLE_ settings."""
    env = os.environ | {"PASSERELLE_INDEX_DIR": str(settings.index_dir),
                        "PASSERELLE_CORPUS_DIR": str(settings.corpus_dir), "PYTHONPATH": str(REPO)} | environment
    return subprocess.Popen([sys.executable, "-c", _SERVE, str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, cwd=REPO)


def wait_healthy(server: subprocess.Popen[str], client: httpx.Client, timeout: float = 60) -> None:
    """Until ``server`` answers at ``client``'s base URL."""
    wait_ready(str(client.base_url).rstrip("/"), server, timeout=timeout)


def stop(server: subprocess.Popen[str]) -> str:
    """Stop it as systemd would (SIGTERM), and return what it wrote on stderr."""
    if server.poll() is None:
        server.terminate()
    try:
        _, errors = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        _, errors = server.communicate()
    return errors
