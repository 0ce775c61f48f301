"""Shared fixtures: a small multilingual corpus with bad files, indexed and served twice.

``fake_*`` fixtures (``fake_embedder``, ``fake_settings``, ``fake_indexed``, ``fake_server``, ``fake_client``) index
and serve it with :class:`~indexer.FakeEmbedder` (no model: documents are found by the words they share with the
query) in seconds; tests of search, API, web and building behaviour use them. The fixtures without the prefix use
the real default model, for the tests whose assertion is about meaning (those are marked ``slow``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer import Embedder, FakeEmbedder, IndexReport, Settings, index_corpus
from tests.support.servers import run_server

from .documents import write_small_corpus

# `passerelle index` run in this process (CliRunner) would lower the priority of the whole test run for good.
os.environ.setdefault("PASSERELLE_INDEX_NICENESS", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


# Fixtures that load the real model: a test using one (directly or through another fixture) is slow, whatever
# its own markers say.
REAL_MODEL_FIXTURES = frozenset({"embedder", "indexed", "server", "client"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# With PASSERELLE_NO_SKIPS set (.ci/run sets it), a skipped test fails the run, unless it was skipped for a GPU:
# a test that cannot run where the checks run is a test that never checks anything.
_SKIPPED: list[tuple[str, str]] = []


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _note_skip(report)  # a whole module skipped (pytest.importorskip)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _note_skip(report)


def _note_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if "GPU" not in reason:
            _SKIPPED.append((report.nodeid, reason))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("PASSERELLE_NO_SKIPS") and _SKIPPED and exitstatus in (0, 5):
        for nodeid, reason in _SKIPPED:
            print(f"\nskipped, which PASSERELLE_NO_SKIPS refuses: {nodeid}: {reason}")
        session.exitstatus = 1


@pytest.fixture(scope="session")
def models_dir() -> Path:
    # The default model is built once per machine and reused, as for a user.
    return Path(os.environ.get("PASSERELLE_MODELS_DIR", Path.home() / ".cache" / "passerelle" / "models"))


@pytest.fixture(scope="session")
def embedder(models_dir: Path) -> Embedder:
    return Embedder(models_dir=models_dir)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path, models_dir: Path) -> Settings:
    return Settings(corpus_dir=small_corpus, index_dir=tmp_path_factory.mktemp("index"), models_dir=models_dir,
                    max_query_chars=200)


@pytest.fixture(scope="session")
def indexed(settings: Settings, embedder: Embedder) -> IndexReport:
    return index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=embedder, settings=settings)


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def fake_settings(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path) -> Settings:
    return Settings(corpus_dir=small_corpus, index_dir=tmp_path_factory.mktemp("fake-index"), max_query_chars=200)


@pytest.fixture(scope="session")
def fake_indexed(fake_settings: Settings, fake_embedder: FakeEmbedder) -> IndexReport:
    return index_corpus(fake_settings.corpus_dir, index_dir=fake_settings.index_dir, embedder=fake_embedder,
                        settings=fake_settings)


@pytest.fixture(scope="session")
def server(settings: Settings, embedder: Embedder, indexed: IndexReport) -> Iterator[str]:
    """A real uvicorn server on loopback, serving the small corpus."""
    with run_server(settings, embedder) as url:
        yield url


@pytest.fixture(scope="session")
def fake_server(fake_settings: Settings, fake_embedder: FakeEmbedder, fake_indexed: IndexReport) -> Iterator[str]:
    """The same server over the fake embedder's index (the service must be given the embedder that built it)."""
    with run_server(fake_settings, fake_embedder) as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture
def fake_client(fake_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake_server, timeout=30) as http:
        yield http
