"""Matching: thresholded similarity search checked against brute force on random vectors."""

from __future__ import annotations

import numpy as np

from alignment.match import match_claims, top_k


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_match_returns_every_sentence_above_threshold_sorted_best_first():
    claims, sentences = _unit(5, 16, 1), _unit(400, 16, 2)
    found = match_claims(claims, sentences, min_similarity=0.3)
    scores = claims @ sentences.T
    for claim, matches in enumerate(found):
        expected = set(np.nonzero(scores[claim] >= 0.3)[0].tolist())
        assert {m.sentence_index for m in matches} == expected
        sims = [m.similarity for m in matches]
        assert sims == sorted(sims, reverse=True)


def test_match_chunking_gives_the_same_result_as_one_block():
    claims, sentences = _unit(3, 8, 3), _unit(1000, 8, 4)
    assert match_claims(claims, sentences, 0.5, chunk_size=77) == match_claims(claims, sentences, 0.5)


def test_match_max_matches_keeps_the_top_ones_like_brute_force_top_k():
    claims, sentences = _unit(4, 32, 5), _unit(300, 32, 6)
    found = match_claims(claims, sentences, min_similarity=-1.0, max_matches=10)
    expected = top_k(claims, sentences, 10)
    for claim in range(4):
        assert [m.sentence_index for m in found[claim]] == expected[claim].tolist()


def test_match_handles_no_claims_and_no_sentences():
    assert match_claims(np.zeros((0, 8), np.float32), _unit(5, 8, 1), 0.1) == []
    assert match_claims(_unit(2, 8, 1), np.zeros((0, 8), np.float32), 0.1) == [[], []]
