"""One log line per event: JSON with PASSERELLE_LOG_FORMAT=json, readable text otherwise; never a query."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import httpx
import pytest

from indexer import FakeEmbedder, Settings, index_corpus
from service.runtime.logs import JsonFormatter, TextFormatter
from tests.support.processes import serve, stop, wait_healthy
from tests.support.servers import free_port

ADMIN = "a-long-enough-admin-token-for-tests"
SECRET_QUERY = "confidential-question-about-someone"

def _record(message: str, *, exc: BaseException | None = None, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("service.runtime.live", logging.ERROR if exc else logging.INFO, __file__, 1, message,
                               None, (type(exc), exc, exc.__traceback__) if exc else None)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_the_event_its_fields_and_an_errors_class() -> None:
    line = json.loads(JsonFormatter().format(_record("now serving g2", event="index_swap", generation="g2")))
    assert line["event"] == "index_swap" and line["generation"] == "g2" and line["message"] == "now serving g2"
    assert line["level"] == "info" and line["logger"] == "service.runtime.live" and line["time"].endswith("+00:00")
    try:
        raise OSError("disk full")
    except OSError as exc:
        formatted = JsonFormatter().format(_record("re-index failed", exc=exc, event="reindex_failed"))
    assert "\n" not in formatted  # the traceback too stays on its one line
    failed = json.loads(formatted)
    assert failed["error"] == "OSError" and "disk full" in failed["traceback"] and failed["event"] == "reindex_failed"


def test_text_lines_read_as_before_with_the_fields_appended() -> None:
    text = TextFormatter().format(_record("now serving g2", event="index_swap", generation="g2", note="two words"))
    assert " INFO service.runtime.live: now serving g2 event=index_swap generation=g2 note=\"two words\"" in text
    assert TextFormatter().format(_record("plain")).endswith("service.runtime.live: plain")


def _run_a_day(settings: Settings, log_format: str) -> str:
    """Start, search, re-index (a new generation is swapped in), stop; the process's stderr."""
    port = free_port()
    server = serve(settings, port, PASSERELLE_LOG_FORMAT=log_format, PASSERELLE_ADMIN_TOKEN=ADMIN,
                   PASSERELLE_RELOAD_INTERVAL="0.2", PASSERELLE_OCR="false")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            wait_healthy(server, client)
            deadline = time.monotonic() + 60
            served = client.get("/health").json()["generation"]
            assert client.get("/search", params={"q": SECRET_QUERY}).status_code == 200
            auth = {"Authorization": f"Bearer {ADMIN}"}
            assert client.post("/admin/reindex", params={"full": True}, headers=auth).status_code == 202
            while client.get("/health").json()["generation"] == served:
                assert time.monotonic() < deadline + 60, "the new generation was not served"
                time.sleep(0.1)
    finally:
        errors = stop(server)
    return errors


@pytest.fixture
def served_settings(tmp_path: Path, small_corpus: Path, fake_embedder: FakeEmbedder) -> Settings:
    shutil.copytree(small_corpus, tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", ocr=False)
    index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    return settings


@pytest.mark.slow
def test_passerelle_serve_writes_json_lines(served_settings: Settings) -> None:
    output = _run_a_day(served_settings, "json")
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is one JSON object
    events = {line["event"]: line for line in lines}
    assert events["start"]["documents"] > 0 and events["start"]["generation"]
    assert events["reindex"]["passages"] > 0 and events["reindex"]["generation"]
    assert events["index_swap"]["generation"] == events["reindex"]["generation"]
    assert any("Finished server process" in line["message"] for line in lines)  # uvicorn's lines too
    assert SECRET_QUERY not in output  # no access log by default


@pytest.mark.slow
def test_passerelle_serve_writes_readable_text(served_settings: Settings) -> None:
    output = _run_a_day(served_settings, "text")
    assert " INFO service.app: serving " in output and "event=start" in output
    assert " INFO service.runtime.live: now serving " in output and "event=index_swap" in output
    assert "re-index done event=reindex" in output
    assert SECRET_QUERY not in output
    with pytest.raises(json.JSONDecodeError):
        json.loads(output.splitlines()[0])


def test_no_value_can_split_a_log_line() -> None:
    from service.runtime.logs import JsonFormatter, TextFormatter

    forged = "report\u2028{\"level\": \"info\"}\u0085.pdf"
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(_record("removed %s", path=forged))
        assert len(line.splitlines()) == 1 and "\\u2028" in line
