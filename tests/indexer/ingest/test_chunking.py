from __future__ import annotations

import itertools

from indexer.ingest.chunking import chunk_page


def words(texts):  # a token counter that counts words: easy to reason about
    return [len(t.split()) for t in texts]


def test_passages_respect_the_budget_and_offsets() -> None:
    page = " ".join(f"Satz {i} hat genau fünf Wörter." for i in range(40))
    chunks = chunk_page(page, page=3, count_tokens=words, max_tokens=20, overlap_tokens=5)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.page == 3
        assert len(chunk.text.split()) <= 20
        assert " ".join(page[chunk.start:chunk.end].split()) == chunk.text


def test_consecutive_passages_overlap_by_whole_sentences() -> None:
    page = " ".join(f"Sentence number {i} ends." for i in range(12))
    chunks = chunk_page(page, page=1, count_tokens=words, max_tokens=12, overlap_tokens=4)
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end  # the last sentence of one starts the next
        assert after.start > before.start  # and the cut always moves forward


def test_every_sentence_is_in_some_passage() -> None:
    sentences = [f"Idee {i} steht hier." for i in range(30)]
    page = "\n\n".join(sentences)
    chunks = chunk_page(page, page=1, count_tokens=words, max_tokens=10, overlap_tokens=3)
    assert all(any(s in c.text for c in chunks) for s in sentences)


def test_a_sentence_longer_than_the_budget_is_cut_between_words() -> None:
    page = " ".join(["mot"] * 95) + "."
    chunks = chunk_page(page, page=1, count_tokens=words, max_tokens=30, overlap_tokens=5)
    assert len(chunks) >= 4
    assert all(len(c.text.split()) <= 30 for c in chunks)
    assert sum(len(c.text.split()) for c in chunks) >= 95


def test_blank_page_gives_no_passage() -> None:
    assert chunk_page("  \n\n ", page=1, count_tokens=words, max_tokens=10, overlap_tokens=2) == []
