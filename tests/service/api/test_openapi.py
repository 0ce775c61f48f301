"""The published OpenAPI schema: the limits the service enforces are the ones it documents."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.core.settings import Settings
from indexer.search.filters import MAX_FILTER_VALUE_CHARS, MAX_FILTER_VALUES, MAX_YEAR, MIN_YEAR
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
    ("get", "/documents"): {422, 500, 503},
    ("get", "/documents/{document_id}"): {404, 422, 500, 503},
    ("get", "/documents/{document_id}/similar"): {404, 422, 500, 503},
    ("get", "/documents/{document_id}/file"): {404, 410, 422, 500, 503},
    ("get", "/documents/{document_id}/cite"): {404, 422, 500, 503},
    ("get", "/health"): {500, 503},
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
            # A health check that finds the index gone still answers its own shape (status "unavailable").
            expected = "Health" if key == ("get", "/health") and status == 503 else "ErrorBody"
            assert body == {"$ref": f"#/components/schemas/{expected}"}, (key, status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's list-shaped default
    error_body = schema["components"]["schemas"]["ErrorBody"]
    assert error_body["required"] == ["detail"] and error_body["properties"]["detail"]["type"] == "string"


def test_the_file_route_documents_what_it_serves(schema: dict[str, Any]) -> None:
    served = schema["paths"]["/documents/{document_id}/file"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "text/plain", "text/markdown", "text/html", "application/octet-stream"} <= set(served)


REQUEST_LINE = 65_536  # what uvicorn's HTTP parser (httptools) accepts: a longer request line gets its 400
WORST_CHAR = len("%F4%8F%BF%BF")  # a character outside the BMP, percent-encoded


def _worst(value: dict[str, Any]) -> int:
    """The longest a parameter value allowed by its schema can be, percent-encoded."""
    if "anyOf" in value:
        return max(_worst(option) for option in value["anyOf"])
    if "enum" in value:
        return max(len(str(option)) for option in value["enum"])
    kind = value.get("type")
    if kind == "integer":
        return max(len(str(value["minimum"])), len(str(value["maximum"])))
    if kind == "boolean":
        return len("false")
    if kind == "null":
        return 0
    assert kind == "string" and "maxLength" in value, f"unbounded: {value}"
    return value["maxLength"] * WORST_CHAR


def test_every_request_the_schema_allows_fits_in_the_servers_request_line() -> None:
    default = create_app(Settings(max_query_chars=Settings.model_fields["max_query_chars"].default)).openapi()
    for path, item in default["paths"].items():
        for method, operation in item.items():
            size = len(f"{method.upper()} {path}? HTTP/1.1")  # path parameters are document ids, 12 characters
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    value = parameter["schema"]
                    one = len(parameter["name"]) + 2 + _worst(value.get("items", value))
                    size += one * value.get("maxItems", 1)
            assert size < REQUEST_LINE, (method, path, size)
