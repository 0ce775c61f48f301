from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from indexer import Embedder
from indexer.core.model import ensure_default_model

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
    # One text per call, as below: the same computation (in bf16, padding in a batch changes the last digits).
    raw = np.array([embedder._model.encode([prompt + text])[0] for prompt in ("passage: ", "query: ", "")],
                   dtype=np.float32)
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
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
    from indexer.core.errors import ModelError

    (tmp_path / "empty-model").mkdir()
    with pytest.raises(ModelError, match="cannot load embedding model"):
        _ = Embedder(str(tmp_path / "empty-model"), models_dir=tmp_path).dimension


def _same_directions(vectors: np.ndarray, expected: np.ndarray) -> bool:
    # bf16 arithmetic rounds differently with the batch's shape, so vectors agree in direction, not to 1e-4;
    # another of these texts has a cosine of at most 0.994 with it, the same text 0.99999.
    return bool(np.all(np.sum(vectors * expected, axis=1) > 0.9995))


def test_threads_can_share_one_model(embedder: Embedder) -> None:
    """The service encodes queries while a re-index encodes passages and counts tokens, on other threads
    (an unguarded tokenizer cut counts at 512 tokens, or raises "RuntimeError: Already borrowed")."""
    from concurrent.futures import ThreadPoolExecutor

    queries = [f"Wohnungsnot und soziale Arbeit {n}" for n in range(8)]
    passages = [f"Le travail social face à la crise du logement, cas numéro {n}. " * 6 for n in range(8)]
    expected_queries = embedder.encode_query(queries)
    expected_passages = embedder.encode_document(passages)
    long_texts = [" ".join(passages * 4)] * 4  # longer than the model's 512 tokens: counted in full
    expected_counts = embedder.count_tokens(long_texts)
    assert min(expected_counts) > embedder.max_tokens

    def work(round_: int) -> None:
        for n in range(8):
            if (n + round_) % 3 == 0:
                assert _same_directions(embedder.encode_query([queries[n]]), expected_queries[n:n + 1])
            elif (n + round_) % 3 == 1:
                assert _same_directions(embedder.encode_document(passages[n:n + 2]), expected_passages[n:n + 2])
            else:
                assert embedder.count_tokens(long_texts) == expected_counts

    with ThreadPoolExecutor(max_workers=6) as pool:
        for future in [pool.submit(work, round_) for round_ in range(12)]:
            future.result()


def test_precision_bf16_gives_the_same_directions_as_fp32(models_dir: Path) -> None:
    import torch

    text = ["Wohnungsnot bei Alleinerziehenden in Luxemburg"]
    fp32 = Embedder(models_dir=models_dir, precision="fp32")
    bf16 = Embedder(models_dir=models_dir, precision="bf16")
    assert next(fp32._model.parameters()).dtype == torch.float32
    assert next(bf16._model.parameters()).dtype == torch.bfloat16
    a, b = fp32.encode_document(text), bf16.encode_document(text)
    assert a.dtype == b.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1, atol=1e-5)
    assert float(a[0] @ b[0]) > 0.99
    with pytest.raises(ValueError, match="precision"):
        Embedder(models_dir=models_dir, precision="int4")  # type: ignore[arg-type]


def test_each_thread_gets_the_configured_threads(embedder: Embedder) -> None:
    import threading

    import torch

    torch.set_num_threads(1)  # what any other thread may have set last (loading the model does)
    seen: list[int] = []

    def work() -> None:
        embedder.configure_thread()
        seen.append(torch.get_num_threads())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    embedder.configure_thread()
    expected = embedder.threads or len(os.sched_getaffinity(0))
    assert seen == [expected] and torch.get_num_threads() == expected
