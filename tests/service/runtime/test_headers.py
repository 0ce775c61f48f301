"""What every answer tells the browser: no MIME sniffing, and a content security policy under which only the
service's own files run; corpus files a browser would execute are downloaded, sandboxed."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import httpx
import pytest

STRICT = {"default-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"}


def _policy(response: httpx.Response) -> set[str]:
    return {directive.strip() for directive in response.headers["content-security-policy"].split(";")}


@pytest.mark.parametrize("path", ["/", "/?q=logement", "/search?q=logement", "/health", "/stats", "/openapi.json",
                                  "/static/search.js", "/static/style.css", "/nowhere", "/documents/nope",
                                  "/search?q=ok&k=0", "/d/nope"])
def test_every_answer_has_a_strict_policy_and_no_sniffing(fake_client: httpx.Client, path: str) -> None:
    response = fake_client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert _policy(response) == STRICT


def _document(client: httpx.Client, path: str) -> dict[str, Any]:
    for hit in client.get("/search", params={"q": "housing logement Wohnung", "k": 10}).json()["results"]:
        if hit["document"]["path"] == path:
            return hit["document"]
    raise AssertionError(f"{path} not found")


def test_corpus_html_is_downloaded_in_a_sandbox_never_run_from_the_service(fake_client: httpx.Client) -> None:
    document = _document(fake_client, "2024-archive/page.html")
    response = fake_client.get(document["url"])
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in _policy(response) and "default-src 'none'" in _policy(response)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_text_files_open_in_a_sandbox(fake_client: httpx.Client) -> None:
    document = _document(fake_client, "2025-demo/eeler-leit.md")
    response = fake_client.get(document["url"])
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.headers["content-disposition"].startswith("inline")
    assert "sandbox" in _policy(response)


def test_pdfs_still_open_inline_at_their_page(fake_client: httpx.Client) -> None:
    hit = fake_client.get("/search", params={"q": "Bachelorarbeit Integration", "type": "thesis"}).json()["results"][0]
    response = fake_client.get(hit["document"]["url"])
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert _policy(response) == STRICT  # a sandbox would stop the browser's PDF viewer


def _hashes(page: str, tag: str) -> set[str]:
    inline = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)
    return {"'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'" for code in inline}


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_documentation_pages_may_load_their_viewer_and_nothing_else(fake_client: httpx.Client,
                                                                             path: str) -> None:
    response = fake_client.get(path)
    assert response.status_code == 200
    policy = {d.split()[0]: set(d.split()[1:]) for d in response.headers["content-security-policy"].split("; ")}
    sources = set(re.findall(r'<(?:script|link)[^>]* (?:src|href)="(https://[^/"]+)', response.text))
    assert sources and sources <= policy["script-src"] | policy["style-src"] | policy["img-src"]  # the icon
    # Their inline script is allowed by its hash, not by allowing inline scripts.
    assert _hashes(response.text, "script") <= policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == {"'none'"} and policy["base-uri"] == {"'none'"}
    assert response.headers["x-content-type-options"] == "nosniff"
