"""The staff console's server over its own copy of the small corpus (module-scoped: each test module gets its own)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from indexer import FakeEmbedder, Settings, index_corpus
from tests.service.console.staff import PASSWORD, TOKEN, _csrf, _wait_for_reindex, sign_in
from tests.support.servers import run_server


@pytest.fixture(scope="module")
def staff_settings(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path,
                   fake_embedder: FakeEmbedder) -> Settings:
    root = tmp_path_factory.mktemp("staff")
    corpus = root / "corpus"
    shutil.copytree(small_corpus, corpus)
    # No OCR: the scan in bad/ would be read again on each run; small upload limits keep the files small.
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", admin_token=TOKEN, ocr=False,
                        staff_password_hash=PasswordHasher().hash(PASSWORD), max_upload_file_mb=1,
                        max_upload_request_mb=3)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    return settings


@pytest.fixture(scope="module")
def staff_server(staff_settings: Settings, fake_embedder: FakeEmbedder) -> Iterator[str]:
    with run_server(staff_settings, fake_embedder) as url:
        yield url
        _wait_for_reindex(url)  # a model thread still running at exit aborts the interpreter


@pytest.fixture
def anonymous(staff_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=staff_server, timeout=30, follow_redirects=False) as http:
        yield http


@pytest.fixture
def staff(anonymous: httpx.Client) -> tuple[httpx.Client, str]:
    """A signed-in client and its session's CSRF token."""
    answer = sign_in(anonymous, TOKEN, name="Test Staff")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"
    return anonymous, _csrf(anonymous.get("/admin").text)
