from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from indexer.core.settings import Settings


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_MODEL", "my/model")
    monkeypatch.setenv("PASSERELLE_INDEX_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("PASSERELLE_LANGUAGES", '["fr", "DE"]')
    settings = Settings()
    assert settings.model == "my/model" and settings.index_dir == Path("/tmp/elsewhere")
    assert settings.languages == ["fr", "de"]
    assert Settings(model="other").model == "other"  # explicit values (CLI options) win


@pytest.mark.parametrize("values", [{"port": 0}, {"max_query_chars": 1}, {"passage_tokens": 600},
                                    {"passage_tokens": 64, "overlap_tokens": 40}, {"languages": ["french"]}])
def test_unsafe_values_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**values)


@pytest.mark.parametrize("via", ["argument", "environment"])
def test_a_short_admin_token_is_refused_without_echoing_it(via: str, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "Zq7-not-long-15"  # 15 characters: one short
    if via == "environment":
        monkeypatch.setenv("PASSERELLE_ADMIN_TOKEN", secret)
    with pytest.raises(ValidationError) as error:
        Settings(admin_token=secret) if via == "argument" else Settings()
    assert "admin_token must be at least 16 characters" in str(error.value)
    assert secret not in str(error.value) and secret not in repr(error.value)


@pytest.mark.parametrize(("given", "read"), [("true", "on"), ("TRUE", "on"), ("1", "on"), ("yes", "on"), ("on", "on"),
                                             ("false", "off"), ("0", "off"), ("no", "off"), ("off", "off")])
def test_a_switch_takes_the_usual_boolean_spellings(monkeypatch: pytest.MonkeyPatch, given: str, read: str) -> None:
    monkeypatch.setenv("PASSERELLE_METRICS", given)
    assert Settings().metrics == read


def test_a_switch_refuses_other_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_METRICS", "maybe")
    with pytest.raises(ValueError):
        Settings()
