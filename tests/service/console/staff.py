"""What the staff console's tests share: its credentials, signing in, the CSRF token of a page, waiting for a
re-index, the corpus's files and the audit log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from indexer import Settings
from tests.support.servers import wait_for_reindex

TOKEN = "staff-test-token-0123456789"
PASSWORD = "a long staff password"
NEW_WORDS = "Gemeinschaftsgarten Quartiersarbeit Nachbarschaftshilfe"


def _wait_for_reindex(url: str) -> dict[str, object]:
    return wait_for_reindex(url, TOKEN)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(http: httpx.Client, secret: str, name: str = "") -> httpx.Response:
    page = http.get("/admin/sign-in")
    return http.post("/admin/sign-in", data={"csrf": _csrf(page.text), "secret": secret, "name": name})


def snapshot(corpus: Path) -> dict[str, tuple[int, int]]:
    """Every file under the corpus, hidden ones included, with its size and modification time."""
    return {str(p.relative_to(corpus)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in corpus.rglob("*") if p.is_file()}


def audit(settings: Settings) -> list[dict[str, object]]:
    path = settings.index_dir / "audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
