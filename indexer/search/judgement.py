"""Whether a result is a *match* for its query or only *related*: the relevance judgement.

A cosine is always some number, so the best result of an off-topic query looks like any other. What tells
them apart is how far a result stands above the query's score distribution over the whole corpus (an
off-topic query scores about the same against everything), whether the best results stand out from the next
ones (off-topic queries give flat distributions), how far below the best result it is, and whether it holds
the query's words. Each result is judged on six measures:

- ``gap``: its cosine minus the query's mean cosine over a fixed sample of the corpus's passages;
- ``z``: the same gap in standard deviations of those cosines (how unusual the result is for this query in this
  corpus: a corpus of long documents on one field gives every query a narrow distribution);
- ``words``: the keyword evidence the fusion uses — the IDF-weighted share of the query's words in the best
  keyword passage, scaled by this passage's keyword score relative to the best one (0 without shared words,
  as across languages, where meaning alone decides);
- ``absent``: how far the query's words are missing from a result they could be in: the probability that the
  result is in the query's language, times one minus ``words``. A document in another language shares no word
  with the question and is judged by meaning alone; one in the question's language that holds none of its words
  is a coincidence of meaning more often than an answer;
- ``spread``: for the whole query, the best result's cosine minus the 10th best's;
- ``drop``: the best result's cosine minus this one's: of a query that has matches, the results far below the
  best are only related.

A logistic model of the six, fitted on labelled queries (``bench/calibrate_judgement.py`` fits it on half of
them, sets the threshold where as many answerable queries lose their document as off-topic ones get a match,
and measures it on the other half: ``bench/RESULTS-judgement.md``), says *match* when its probability is at
least 0.5. The judgement never reorders results: it only labels them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FITTED = Path(__file__).with_name("judgement.json")
MEASURES = ("gap", "z", "words", "absent", "spread", "drop")


def load_fit(path: Path = FITTED) -> tuple[np.ndarray, float]:
    """The fitted weights (one per measure, in :data:`MEASURES` order) and bias that ``path`` holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["measures"]) != MEASURES:
        raise ValueError(f"{path.name} was fitted on {data['measures']}, the judgement measures {list(MEASURES)}")
    return np.asarray(data["weights"], dtype=np.float64), float(data["bias"])


# multilingual-e5-small's, written by bench/calibrate_judgement.py --fit --write (logistic regression on the six
# measures; the threshold is in BIAS). Another model brings its own (Embedder.relevance_calibration).
WEIGHTS, BIAS = load_fit()

Calibration = tuple[tuple[float, ...], float]
SPREAD_RANK = 10
# A keyword-only search has no cosine: a result matches when it holds at least this share of the query's words.
KEYWORD_ONLY_SHARE = 0.5
MIN_STD = 1e-3  # a corpus of a few near-identical passages: no division by nothing


@dataclass(frozen=True)
class Background:
    """A query's cosines over the corpus, their mean and standard deviation (measured on
    :meth:`~indexer.core.store.Index.vector_sample`)."""

    mean: float
    std: float = 0.05

    @classmethod
    def of(cls, vector: np.ndarray, sample: np.ndarray) -> Background:
        if not len(sample):
            return cls(0.0)
        cosines = sample @ np.asarray(vector, dtype=np.float32)
        return cls(float(cosines.mean()), float(cosines.std()))


def features(cosines: np.ndarray, words: np.ndarray, background: Background,
             same_language: np.ndarray | None = None) -> np.ndarray:
    """One row of measures per result (the query's results, all of them: spread and drop are taken over
    them): gap, z, words, absent, spread, drop. ``same_language``: for each result, the probability that it is
    in the query's language (none given: 0, meaning alone decides)."""
    cosines = np.asarray(cosines, dtype=np.float64)
    words = np.asarray(words, dtype=np.float64)
    same = np.zeros(len(cosines)) if same_language is None else np.asarray(same_language, dtype=np.float64)
    ordered = np.sort(cosines)[::-1]
    spread = ordered[0] - ordered[min(SPREAD_RANK, len(ordered)) - 1]
    gap = cosines - background.mean
    return np.column_stack([gap, gap / max(background.std, MIN_STD), words, same * (1.0 - np.minimum(words, 1.0)),
                            np.full(len(cosines), spread), ordered[0] - cosines])


def probability(cosines: np.ndarray, words: np.ndarray, background: Background,
                calibration: Calibration | None = None, same_language: np.ndarray | None = None) -> np.ndarray:
    """How likely each result is a match, by the fitted model (``calibration``: another model's fit)."""
    if not len(cosines):
        return np.empty(0)
    weights, bias = (np.asarray(calibration[0]), calibration[1]) if calibration else (WEIGHTS, BIAS)
    return 1.0 / (1.0 + np.exp(-(features(cosines, words, background, same_language) @ weights + bias)))


def judge(cosines: np.ndarray, words: np.ndarray, background: Background | None,
          calibration: Calibration | None = None, same_language: np.ndarray | None = None) -> np.ndarray:
    """Which results are matches (aligned with the arrays). Without a background (a keyword-only search)
    the words alone decide."""
    if background is None:
        return np.asarray(words, dtype=np.float64) >= KEYWORD_ONLY_SHARE
    return probability(cosines, words, background, calibration, same_language) >= 0.5
