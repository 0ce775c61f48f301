"""Cut a page into passages sized for the embedding model.

A passage never crosses a page (nor, with :func:`chunk_sections`, a section heading). It is made of whole
sentences while they fit in ``max_tokens``; a sentence longer than that is cut between words. Consecutive
passages share up to ``overlap_tokens`` of trailing sentences, so a statement that straddles a cut is still
found whole in one of them. Each passage keeps its character offsets in the page text (``page[start:end]``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TokenCounter = Callable[[Sequence[str]], list[int]]

# A sentence ends at . ! ? … (and closing quotes/brackets) followed by whitespace, or at a blank line.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”)\]]*\s+|\n\s*\n")
_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """One passage of a page: ``text`` is ``page[start:end]`` with whitespace collapsed."""

    page: int
    start: int
    end: int
    text: str


def _spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans, stripped of surrounding whitespace."""
    spans = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    result = []
    for start, end in spans:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            result.append((start + lead, start + len(piece.rstrip())))
    return result


def _split_long(text: str, start: int, end: int, tokens: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence between words into pieces of about ``max_tokens``."""
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
    pieces = -(-tokens // max_tokens)  # ceil
    per_piece = max(1, -(-len(words) // pieces))
    return [(words[i][0], words[min(i + per_piece, len(words)) - 1][1]) for i in range(0, len(words), per_piece)]


def chunk_page(text: str, *, page: int, count_tokens: TokenCounter, max_tokens: int,
               overlap_tokens: int) -> list[Chunk]:
    """Cut one page's text into passages of at most about ``max_tokens`` tokens."""
    spans = _spans(text)
    if not spans:
        return []
    counts = count_tokens([text[s:e] for s, e in spans])
    units: list[tuple[int, int, int]] = []
    for (start, end), tokens in zip(spans, counts, strict=True):
        if tokens <= max_tokens:
            units.append((start, end, tokens))
        else:
            pieces = _split_long(text, start, end, tokens, max_tokens)
            piece_counts = count_tokens([text[s:e] for s, e in pieces])
            units.extend((s, e, n) for (s, e), n in zip(pieces, piece_counts, strict=True))

    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, total = first, units[first][2]
        while last + 1 < len(units) and total + units[last + 1][2] <= max_tokens:
            last += 1
            total += units[last][2]
        start, end = units[first][0], units[last][1]
        chunks.append(Chunk(page=page, start=start, end=end, text=_SPACE.sub(" ", text[start:end])))
        if last + 1 >= len(units):
            break
        # Step back over trailing sentences that fit in the overlap, but always move forward.
        next_first, carried = last + 1, 0
        while next_first - 1 > first and carried + units[next_first - 1][2] <= overlap_tokens:
            next_first -= 1
            carried += units[next_first][2]
        first = next_first
    return chunks


def chunk_sections(text: str, *, page: int, cuts: Sequence[int], count_tokens: TokenCounter, max_tokens: int,
                   overlap_tokens: int) -> list[Chunk]:
    """:func:`chunk_page` for each part of the page between ``cuts`` (where sections start): a passage then
    belongs to one section, and one heading's kind (a bibliography) does not spill over another's text."""
    bounds = [0, *sorted(cut for cut in set(cuts) if 0 < cut < len(text)), len(text)]
    chunks: list[Chunk] = []
    for start, end in itertools.pairwise(bounds):
        for chunk in chunk_page(text[start:end], page=page, count_tokens=count_tokens, max_tokens=max_tokens,
                                overlap_tokens=overlap_tokens):
            chunks.append(Chunk(page=page, start=chunk.start + start, end=chunk.end + start, text=chunk.text))
    return chunks
