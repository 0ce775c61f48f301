"""Language detection (py3langid, whose model ships in the package and knows Luxembourgish)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotation only: py3langid is imported on first use, in _identifier
    from py3langid.langid import LanguageIdentifier

# Under this many letters a guess is noise; the caller falls back to the document's language.
MIN_LETTERS = 40


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def detect_language(text: str, *, languages: Sequence[str], min_letters: int = MIN_LETTERS) -> str | None:
    """The most likely language of ``text`` among ``languages``, or ``None`` when the text is too short."""
    if sum(ch.isalpha() for ch in text) < min_letters:
        return None
    language, _probability = _identifier(tuple(languages)).classify(text)
    return str(language)


@lru_cache(maxsize=4096)
def language_probabilities(text: str, *, languages: tuple[str, ...]) -> dict[str, float]:
    """How likely ``text`` is in each of ``languages`` (summing to 1), however short: a query of two words
    gets a spread-out guess rather than none. Cached: the service asks it once per query, repeats included."""
    return {str(language): float(probability) for language, probability in _identifier(languages).rank(text)}
