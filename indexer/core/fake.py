"""A deterministic stand-in for the embedding model, for tests and quick experiments.

:class:`FakeEmbedder` maps a text to a vector without any model: each word, folded to lower case without
accents, and its first five letters are hashed to a few dimensions with a sign, summed and normalised.
Texts that share words (or word beginnings: "logement" and "logements") get close vectors; nothing is
known across languages. It loads in no time, so search, store, API and web behaviour can be tested in
seconds; what only a real model does (a French question finding a German passage) is tested with it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

import numpy as np

from indexer.core.model import Embedder

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FakeEmbedder(Embedder):
    """Same interface as :class:`~indexer.core.model.Embedder`; vectors from hashed words instead of a model.

    Its relevance calibration follows from its construction: texts that share no word have cosines within about
    ±0.1 of each other, a shared word lifts one by 0.2 or more. A result is a match when its cosine stands 0.1
    above the query's background, or when it holds a third of the query's words.
    """

    relevance_calibration = ((50.0, 0.0, 17.0, 0.0, 0.0, 0.0), -5.0)

    def __init__(self, *, dimension: int = 256, name: str = "fake-embedder") -> None:  # no model to build
        self.name = name
        self.location = "(no model: hashed words)"
        self.batch_size = 32
        self.threads = 0
        self.precision: Literal["fp32", "bf16"] = "fp32"
        self._dimension = dimension
        self.calls = 0  # encode calls, so tests can tell whether the "model" was used

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return 512

    @property
    def query_prompt(self) -> str:
        return "query: "

    @property
    def document_prompt(self) -> str:
        return "passage: "

    def load(self) -> FakeEmbedder:
        return self

    def configure_thread(self) -> None:
        pass

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_TOKEN.findall(text)) for text in texts]

    def encode_query(self, queries: Sequence[str]) -> np.ndarray:
        return self._vectors(queries)

    def encode_document(self, passages: Sequence[str]) -> np.ndarray:
        return self._vectors(passages)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in map(_fold, _WORD.findall(text)):
                for feature, weight in ((word, 1.0), (word[:5], 0.5)):
                    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                    slot = int.from_bytes(digest[:4], "little") % self._dimension
                    vectors[row, slot] += weight if digest[4] & 1 else -weight
            if not vectors[row].any():
                vectors[row, 0] = 1.0  # no words: one fixed direction, so every vector has unit length
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors
