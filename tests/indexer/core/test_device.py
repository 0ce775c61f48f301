"""PASSERELLE_DEVICE: where the model runs. Tested on CPU machines only: a GPU is pretended, never used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import indexer.core.model as model_module
from indexer import Embedder, Settings
from indexer.core.errors import ModelError


class _Loaded:
    """Stands for a loaded SentenceTransformer: the embedder only wraps its preprocess."""

    def preprocess(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    devices: list[str] = []

    def load(location: str, device: str = "cpu") -> _Loaded:
        devices.append(device)
        return _Loaded()

    monkeypatch.setattr(model_module, "_load", load)
    return devices


def _embedder(tmp_path: Path, device: str) -> Embedder:
    # A folder that is not the default model: nothing is built, and _load above stands for the loading.
    settings = Settings(model=str(tmp_path), device=device, precision="fp32")
    return Embedder.from_settings(settings)


@pytest.mark.parametrize(("available", "expected"), [(False, "cpu"), (True, "cuda")])
def test_auto_runs_on_the_gpu_torch_sees_else_on_the_cpu(tmp_path: Path, loads: list[str],
                                                           monkeypatch: pytest.MonkeyPatch, available: bool,
                                                           expected: str) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    embedder = _embedder(tmp_path, "auto")
    assert embedder.device == expected
    embedder.load()
    assert loads == [expected]


def test_cpu_is_cpu_even_with_a_gpu(tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    _embedder(tmp_path, "cpu").load()
    assert loads == ["cpu"]


def test_cuda_without_a_gpu_is_a_clear_error_before_anything_loads(tmp_path: Path, loads: list[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelError, match=r"PASSERELLE_DEVICE=cuda, but .*PASSERELLE_DEVICE=auto or cpu"):
        _embedder(tmp_path, "cuda")
    assert loads == []


def test_cuda_with_a_gpu_is_passed_to_the_model(tmp_path: Path, loads: list[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    _embedder(tmp_path, "cuda").load()
    assert loads == ["cuda"]


def test_an_unknown_device_is_refused() -> None:
    with pytest.raises(ValueError, match="device"):
        Settings(device="tpu")  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_real_model_runs_on_the_cpu_here(embedder: Embedder) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: auto would choose it")
    assert embedder.device == "cpu" and embedder._model.device.type == "cpu"
