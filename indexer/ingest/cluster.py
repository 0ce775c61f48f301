"""Embedding on a Dask cluster: ``passerelle index`` hands the passages to embed to ``PASSERELLE_CLUSTER``'s workers.

The model's work moves, and with ``PASSERELLE_CLUSTER_READS`` the reading of the files too (:class:`ClusterReader`:
the corpus must then be on storage the workers share, at the same path). Chunking and tokenising stay (the tokenizer
is the model's own, so the model loads here too) on the machine running ``passerelle index``, which writes the
generation and publishes it. :class:`ModelPlugin` loads the model once per worker, from the same model settings
as here; each buffer of passages is cut into batches, submitted with ``client.map`` and gathered in order. Dask
resubmits the batches of a worker that dies (up to its ``distributed.scheduler.allowed-failures``) and
:data:`RETRIES` times those whose task raised; past that, :class:`ClusterEncoder` raises
:class:`~indexer.core.errors.ClusterError`, the run aborts its staging generation, and the served index stays as it was.

This module needs the ``cluster`` extra (``pip install 'passerelle[cluster]'``); nothing else imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from distributed import Client, KilledWorker, WorkerPlugin, get_worker

from indexer.core.errors import ClusterError, ExtractionError, ReaderCrashedError
from indexer.core.model import Embedder
from indexer.core.settings import Device, Precision, Settings, _default_models_dir

log = logging.getLogger(__name__)

PLUGIN_NAME = "passerelle-model"
# Resubmissions of a batch whose task raised (a worker's out-of-memory, a model error on one machine).
RETRIES = 2
# Seconds to reach the scheduler before the run gives up.
CONNECT_SECONDS = 30


@dataclass(frozen=True)
class ModelSpec:
    """What a worker needs to load the same model as this machine: the model settings, no secrets."""

    model: str
    models_dir: Path | None  # None: the worker's own default (~/.cache/passerelle/models on that machine)
    threads: int
    batch_size: int
    precision: Precision
    device: Device

    @classmethod
    def of(cls, settings: Settings) -> ModelSpec:
        models_dir = settings.models_dir if "models_dir" in settings.model_fields_set else None
        return cls(settings.model, models_dir, settings.threads, settings.batch_size, settings.precision,
                   settings.device)

    def load(self) -> Embedder:
        return Embedder(self.model, models_dir=self.models_dir or _default_models_dir(), threads=self.threads,
                        batch_size=self.batch_size, precision=self.precision, device=self.device).load()


class ModelPlugin(WorkerPlugin):
    """Loads the model once per worker, when the worker joins (or when the plugin is registered)."""

    def __init__(self, load: Callable[[], Embedder]) -> None:
        self.load = load  # pickled to the workers: a ModelSpec's method, or a test's stand-in
        self.embedder: Embedder | None = None

    def setup(self, worker: Any) -> None:
        self.embedder = self.load()
        self.embedder.configure_thread()

    def teardown(self, worker: Any) -> None:
        self.embedder = None


def _worker_embedder(worker: Any = None) -> Embedder:
    plugin = (worker or get_worker()).plugins[PLUGIN_NAME]
    if not isinstance(plugin, ModelPlugin) or plugin.embedder is None:
        raise ClusterError("this worker has no Passerelle model loaded")
    return plugin.embedder


def _model_name(dask_worker: Any) -> tuple[str, int]:
    # client.run passes the worker by this name: outside a task, get_worker() finds none.
    embedder = _worker_embedder(dask_worker)
    return embedder.name, embedder.dimension


def _encode_batch(texts: list[str]) -> np.ndarray:
    embedder = _worker_embedder()
    embedder.configure_thread()  # each task may run on another of the worker's threads
    return embedder.encode_document(texts)


class ClusterEncoder:
    """Encodes passages on the cluster at ``address``; a callable for ``index_corpus(encode=…)``.

    Args:
        address: the scheduler's address (``tcp://scheduler:8786``), or a running ``LocalCluster``.
        load: what each worker calls once to load its model (``ModelSpec.of(settings).load``).
        expect: the model name and dimension of the index being written: every worker's model must match.
        batch: passages per task (a worker encodes one task in one model call).
    """

    def __init__(self, address: Any, load: Callable[[], Embedder], *, expect: tuple[str, int],
                 batch: int = 32) -> None:
        self.address = address
        self.batch = batch
        self.dimension = expect[1]
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the embedding cluster at {address}: {exc}") from exc
        try:
            # Workers may still be starting (or restarting after a crash): wait for one, not for ever.
            self.client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError as exc:
            self.client.close()
            raise ClusterError(f"no worker joined the cluster at {address} within {CONNECT_SECONDS} s") from exc
        try:
            self.client.register_plugin(ModelPlugin(load), name=PLUGIN_NAME)
            models = self.client.run(_model_name)
        except Exception as exc:
            self.client.close()
            raise ClusterError(f"the workers of {address} cannot load the model: {type(exc).__name__}: {exc}") \
                from exc
        wrong = {worker: model for worker, model in models.items() if tuple(model) != expect}
        if not models or wrong:
            self.client.close()
            raise ClusterError(f"the cluster at {address} has no worker" if not models else
                               f"workers of {address} load another model than {expect}: {wrong}")
        threads = sum(self.client.nthreads().values())
        # Two batches per worker thread in each buffer the pipeline hands over: none waits for the slowest.
        self.buffer_size = 2 * threads * batch
        log.info("embedding on %d workers (%d threads) of %s", len(models), threads, address,
                 extra={"event": "cluster", "workers": len(models), "threads": threads})

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        batches = [list(texts[start:start + self.batch]) for start in range(0, len(texts), self.batch)]
        if not batches:
            return np.zeros((0, self.dimension), dtype=np.float32)
        futures = self.client.map(_encode_batch, batches, retries=RETRIES, pure=False)
        try:
            vectors = self.client.gather(futures)
        except Exception as exc:  # a lost scheduler, a batch that killed its workers, a task failing past retries
            raise ClusterError(f"the embedding cluster at {self.address} failed: {type(exc).__name__}: {exc}") \
                from exc
        finally:
            self.client.cancel(futures)
        return np.concatenate(vectors).astype(np.float32, copy=False)

    def reader(self) -> ClusterReader:
        """Reading the files on the same workers (the corpus on shared storage)."""
        return ClusterReader(self.client)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ClusterEncoder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class ClusterReader:
    """Reads files on the cluster's workers: a callable like :meth:`indexer.ingest.worker.Worker.call`, for
    ``index_corpus(read=…)``, with ``threads`` files read at once (one per worker thread).

    A file that kills the worker reading it fails alone, as a crash (Dask restarts the worker; the file is not
    given to another to kill too); an extraction error is the file's, as in process. Anything else — the cluster
    lost — is a :class:`~indexer.core.errors.ClusterError`, and the run stops with the served index as it was.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.threads = max(1, sum(client.nthreads().values()))

    def __call__(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future = self.client.submit(function, *args, pure=False, retries=0, **kwargs)
        try:
            return future.result()
        except ExtractionError:
            raise
        except KilledWorker as exc:
            raise ReaderCrashedError("its reader on the cluster crashed (or ran out of memory) reading it") from exc
        except Exception as exc:
            raise ClusterError(f"reading on the cluster failed: {type(exc).__name__}: {exc}") from exc
        finally:
            future.release()
