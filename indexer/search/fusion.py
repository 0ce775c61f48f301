"""Hybrid scores: how keyword matches add to meaning, with its weights (chosen on the four evaluation sets;
figures and the variants tried in the README)."""

from __future__ import annotations

import numpy as np

KEYWORD_WEIGHT = 0.15  # most a keyword match can add to a cosine
SEMANTIC_GATE = 0.10  # keyword credit fades out for passages this far below the best cosine
KEYWORD_POWER = 2.0  # a passage's credit grows with the square of its keyword score relative to the best one


def fuse(dense: np.ndarray, keyword_score: np.ndarray, *, best_dense: float, best_keyword: float,
         evidence: float) -> np.ndarray:
    """Hybrid scores of passages (aligned arrays): their cosine, plus keyword credit where the words really
    support it.

    Plain reciprocal-rank fusion gives a keyword hit on a couple of shared words (names, numbers) the same
    credit as a strong match, which wrecks cross-lingual queries. Here the cosine stays the base and the
    keyword score, relative to the query's best one and squared, adds at most ``KEYWORD_WEIGHT × evidence``:

    - ``evidence`` is the IDF-weighted share of the query's words that the best keyword passage contains —
      near 1 for a question in the documents' language, low across languages, where only names match;
    - the credit fades to nothing for passages more than ``SEMANTIC_GATE`` below the best cosine, so words
      re-order the semantically plausible candidates but never lift an off-topic passage over them
      (without the gate, a German query pushed the relevant English paragraph below German ones);
    - squared, the relative score leaves a passage that shares one common word with the question ("famille",
      "Luxembourg") little credit, while one that holds the question's words keeps it: with the linear share,
      such passages lifted French documents on other topics over the German thesis answering a French
      question (bench/RESULTS-language.md).
    """
    if best_keyword <= 0:
        return dense
    gate = np.clip((dense - (best_dense - SEMANTIC_GATE)) / SEMANTIC_GATE, 0.0, 1.0)
    share = np.maximum(keyword_score, 0.0) / best_keyword
    return dense + KEYWORD_WEIGHT * evidence * share**KEYWORD_POWER * gate
