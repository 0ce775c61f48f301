"""Text analysis shared by indexing and searching: words, accent folding, Snowball stemming.

A passage is stored in the keyword index as its analysed terms: each word lower-cased, stemmed with the
Snowball stemmer of the passage's language (PyStemmer), then folded (accents and umlauts removed, ß → ss), so
"Integration"/"integrierten" or "santé"/"sante" meet at the same term. :data:`WORD` is the one definition of
a word, for the keyword index and for highlighting alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# Snowball stemmers for the languages Passerelle meets; Luxembourgish is closest to German.
STEMMERS = {"fr": "french", "de": "german", "en": "english", "lb": "german", "pt": "portuguese",
            "it": "italian", "es": "spanish", "nl": "dutch", "ar": "arabic"}
WORD = re.compile(r"\w+", re.UNICODE)

@lru_cache(maxsize=16)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = STEMMERS.get(language)
    return Stemmer.Stemmer(name) if name else None


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case, strip accents and umlauts: "Übergänge" → "ubergange", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=20_000)
def name_key(name: str) -> str:
    """A person's name (or a keyword) as compared, not shown: folded, "Dupont, Léa" as "Léa Dupont", and its
    words sorted so that either order is the same person ("Léa Dupont" = "DUPONT Lea" → "dupont lea")."""
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    return " ".join(sorted(WORD.findall(fold(name))))


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=200_000)
def term(word: str, language: str | None) -> str:
    """The indexed form of ``word`` in a passage of ``language``."""
    lowered = word.lower()
    stemmer = _stemmer(language) if language else None
    return fold(stemmer.stemWord(lowered) if stemmer else lowered)


def analyse(text: str, language: str | None) -> str:
    """The FTS5 document for a passage: its terms, space separated."""
    return " ".join(term(word, language) for word in words(text))


def forms(word: str, languages: tuple[str, ...]) -> frozenset[str]:
    """Every indexed form ``word`` may have in a passage of one of ``languages``."""
    return frozenset({term(word, language) for language in languages} | {term(word, None)})
