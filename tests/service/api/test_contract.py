"""The service against its own OpenAPI schema: schemathesis generates valid and invalid requests for every
operation and runs all of its checks on the answers (no 5xx, documented statuses, content types, headers and
bodies, invalid data refused, valid data accepted, auth enforced, 405 for undocumented methods…).

``PASSERELLE_CONTRACT_EXAMPLES=500 PASSERELLE_CONTRACT_RANDOM=1`` runs a longer, fresh exploration."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import missing_required_header

from indexer import FakeEmbedder, Settings, index_corpus
from service import create_app
from tests.support.servers import run_server

TOKEN = "a-long-enough-admin-token-for-contract-tests"
EXAMPLES = int(os.environ.get("PASSERELLE_CONTRACT_EXAMPLES", 100))  # per operation: the module takes ~10 s


def _config(**generation: Any) -> schemathesis.Config:
    # Valid and invalid data, the same examples on every run (a failure is reproducible); a schema-valid request
    # may still be refused with 422, for what a schema cannot say only (see the check below).
    return schemathesis.Config.from_dict({
        "generation": {"mode": "all", "deterministic": not os.environ.get("PASSERELLE_CONTRACT_RANDOM"),
                       **generation},
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}},
    })


# The schema is built here, as the app publishes it, for the settings of the servers below (the limits it publishes
# come from them): the tests are parametrized by operation when the module is collected, before any server runs.
# (schemathesis.pytest.from_fixture would load it from a running server, but its lazy loader fails on pytest 9.)
SCHEMA = create_app(Settings(max_query_chars=200)).openapi()
api = schemathesis.openapi.from_dict(SCHEMA, config=_config())
# With the token: the Authorization header is not generated (nor dropped or mangled by invalid cases, which the
# explicit header would undo); the auth check still sends each request without it and with a wrong one (401).
admin_api = schemathesis.openapi.from_dict(SCHEMA, config=_config(**{"with-security-parameters": False}))
FUZZ = hypothesis_settings(max_examples=EXAMPLES, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# What a schema cannot say: which filter values the index holds (they change with each re-index), that year_from
# that a query of white space alone is empty, and that one of function words alone (or single
# letters) cannot mean anything.
BEYOND_THE_SCHEMA = re.compile(r"^unknown (edition|type|language|year) "
                               r"|^the query is empty|^the query has no word that can carry a meaning")


def valid_data_is_refused_only_for_what_the_schema_cannot_say(ctx: schemathesis.CheckContext,
                                                               response: schemathesis.Response,
                                                               case: schemathesis.Case) -> bool | None:
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return None
    detail = response.json()["detail"]
    assert BEYOND_THE_SCHEMA.search(detail), f"a schema-valid request was refused: {detail}"
    return True


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path,
                 fake_embedder: FakeEmbedder) -> Iterator[str]:
    """A server with an admin token, over its own copy of the small corpus: the fuzzer's re-index runs (in full
    too) take seconds each, and leave the session's shared index alone."""
    root = tmp_path_factory.mktemp("contract")
    corpus = root / "corpus"
    shutil.copytree(small_corpus, corpus)
    # No OCR: each full run would read the scan in bad/ again, and OCR has its own tests (test_extract.py).
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", admin_token=TOKEN, max_query_chars=200,
                        ocr=False)
    index_corpus(corpus, index_dir=settings.index_dir, embedder=fake_embedder, settings=settings)
    with run_server(settings, fake_embedder) as url:
        yield url
        # A re-index the fuzzer started must end before the process does: a model thread still running at exit
        # aborts the interpreter (and the test run with it).
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
            deadline = time.monotonic() + 120
            while client.get("/admin/status").json()["reindex"]["running"]:
                assert time.monotonic() < deadline, "the last re-index did not finish"
                time.sleep(0.2)


def test_the_servers_publish_the_schema_being_fuzzed(fake_server: str, admin_server: str) -> None:
    for url in (fake_server, admin_server):
        assert httpx.get(f"{url}/openapi.json", timeout=30).json() == SCHEMA


@api.parametrize()
@FUZZ
def test_the_api_keeps_its_contract(case: schemathesis.Case, fake_server: str) -> None:
    """The session's server has no admin token: its admin endpoints answer 403, credentials or not. (The check
    that a request without the Authorization header gets 401 is for a server where admin is enabled, below.)"""
    disabled = [missing_required_header] if case.operation.path.startswith("/admin/") else []
    case.call_and_validate(base_url=fake_server, excluded_checks=disabled,
                           additional_checks=[valid_data_is_refused_only_for_what_the_schema_cannot_say])


@admin_api.include(tag="admin").parametrize()
@FUZZ
def test_the_admin_endpoints_keep_their_contract_with_the_token(case: schemathesis.Case, admin_server: str) -> None:
    case.call_and_validate(base_url=admin_server, headers={"Authorization": f"Bearer {TOKEN}"},
                           additional_checks=[valid_data_is_refused_only_for_what_the_schema_cannot_say])
