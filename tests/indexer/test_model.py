from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer import Embedder
from indexer.model import ensure_default_model

pytestmark = pytest.mark.slow


def test_default_model_is_built_once_and_declares_e5_prompts(embedder: Embedder, models_dir: Path) -> None:
    assert embedder.name == "multilingual-e5-small"
    assert embedder.dimension == 384
    assert (embedder.query_prompt, embedder.document_prompt) == ("query: ", "passage: ")
    folder = ensure_default_model(models_dir)
    stamp = (folder / "model.safetensors").stat().st_mtime
    assert ensure_default_model(models_dir) == folder
    assert (folder / "model.safetensors").stat().st_mtime == stamp  # reused, not rebuilt


def test_prompts_are_really_applied(embedder: Embedder) -> None:
    text = "Les jeunes en foyer d'accueil et leur santé mentale."
    raw = embedder._model.encode(["passage: " + text, "query: " + text, text], normalize_embeddings=True)
    assert np.allclose(embedder.encode_document([text])[0], raw[0], atol=1e-5)
    assert np.allclose(embedder.encode_query([text])[0], raw[1], atol=1e-5)
    assert not np.allclose(embedder.encode_document([text])[0], raw[2], atol=1e-3)


def test_vectors_are_normalised_and_cross_lingual(embedder: Embedder) -> None:
    query = embedder.encode_query(["Comment intégrer les enfants immigrés à l'école ?"])
    documents = embedder.encode_document([
        "Schulische Integration von Kindern mit Migrationshintergrund in der Grundschule.",
        "Rezept für einen Apfelkuchen mit Zimt.",
    ])
    assert np.allclose(np.linalg.norm(documents, axis=1), 1, atol=1e-4)
    scores = query @ documents.T
    assert scores[0, 0] > scores[0, 1] + 0.05


def test_any_sentence_transformers_folder_works(embedder: Embedder, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "my-model"
    shutil.copytree(embedder.location, folder)
    other = Embedder(str(folder), models_dir=tmp_path / "unused")
    assert other.name == "my-model"  # recorded by name, not by absolute path
    assert other.query_prompt == "query: " and other.dimension == 384


def test_a_model_that_cannot_be_loaded_is_a_clear_error(tmp_path: Path) -> None:
    from indexer.errors import ModelError

    (tmp_path / "empty-model").mkdir()
    with pytest.raises(ModelError, match="cannot load embedding model"):
        _ = Embedder(str(tmp_path / "empty-model"), models_dir=tmp_path).dimension
