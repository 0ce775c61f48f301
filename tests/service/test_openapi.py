"""The published OpenAPI schema: the limits the service enforces are the ones it documents."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.search import MAX_YEAR, MIN_YEAR
from indexer.settings import Settings
from service import create_app


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # Building the schema loads neither the model nor the index (that happens at start-up).
    return create_app(Settings(max_k=42, max_query_chars=321)).openapi()


def _parameters(schema: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize("path", ["/search", "/documents/{document_id}/similar"])
def test_integer_parameters_publish_their_range(schema: dict[str, Any], path: str) -> None:
    parameters = _parameters(schema, path)
    assert (parameters["k"]["minimum"], parameters["k"]["maximum"]) == (1, 42)  # max_k, from the settings
    assert (parameters["year"]["items"]["minimum"], parameters["year"]["items"]["maximum"]) == (MIN_YEAR, MAX_YEAR)
    for name in ("year_from", "year_to"):
        number = next(option for option in parameters[name]["anyOf"] if option["type"] == "integer")
        assert (number["minimum"], number["maximum"]) == (MIN_YEAR, MAX_YEAR)
