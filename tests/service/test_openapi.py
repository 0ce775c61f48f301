"""The published OpenAPI schema: the limits the service enforces are the ones it documents."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.search import MAX_FILTER_VALUE_CHARS, MAX_FILTER_VALUES, MAX_YEAR, MIN_YEAR
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


def test_filters_publish_their_limits(schema: dict[str, Any]) -> None:
    parameters = _parameters(schema, "/search")
    for name in ("edition", "type", "language", "year", "author"):
        assert parameters[name]["maxItems"] == MAX_FILTER_VALUES
    for name in ("edition", "type", "language", "author"):
        assert parameters[name]["items"]["maxLength"] == MAX_FILTER_VALUE_CHARS
    assert parameters["mode"]["enum"] == ["hybrid", "dense", "keyword"]


def test_the_query_publishes_its_length_limit_from_the_settings(schema: dict[str, Any]) -> None:
    q = _parameters(schema, "/search")["q"]
    assert (q["minLength"], q["maxLength"]) == (1, 321)


EXPECTED_ERRORS = {
    ("get", "/search"): {422, 500, 503},
    ("get", "/documents/{document_id}"): {404, 422, 500, 503},
    ("get", "/documents/{document_id}/similar"): {404, 422, 500, 503},
    ("get", "/documents/{document_id}/file"): {404, 410, 422, 500, 503},
    ("get", "/health"): {500},
    ("get", "/stats"): {500, 503},
    ("post", "/admin/reindex"): {401, 403, 409, 422, 500},
    ("get", "/admin/status"): {401, 403, 500},
    ("post", "/admin/reload"): {401, 403, 500, 503},
}


def test_every_error_a_route_can_answer_is_documented_with_the_error_body(schema: dict[str, Any]) -> None:
    operations = {(method, path): operation for path, item in schema["paths"].items()
                  for method, operation in item.items()}
    assert set(operations) == set(EXPECTED_ERRORS)
    for key, operation in operations.items():
        errors = {int(status) for status in operation["responses"] if int(status) >= 400}
        assert errors == EXPECTED_ERRORS[key], key
        for status in errors:
            body = operation["responses"][str(status)]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorBody"}, (key, status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's list-shaped default
    error_body = schema["components"]["schemas"]["ErrorBody"]
    assert error_body["required"] == ["detail"] and error_body["properties"]["detail"]["type"] == "string"


def test_the_file_route_documents_what_it_serves(schema: dict[str, Any]) -> None:
    served = schema["paths"]["/documents/{document_id}/file"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "text/plain", "text/markdown", "text/html", "application/octet-stream"} <= set(served)
