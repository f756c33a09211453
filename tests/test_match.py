"""Matching: thresholded similarity search checked against brute force on random vectors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from alignment.match import match_claims, top_k
from alignment.records import Match, Matches


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


def _match_one_by_one(claim_vectors, sentence_vectors, min_similarity, max_matches=None, chunk_size=100_000):
    """The per-record matching the arrays replaced: a Match built for every sentence above the threshold."""
    found_index: list[list[np.ndarray]] = [[] for _ in range(len(claim_vectors))]
    found_score: list[list[np.ndarray]] = [[] for _ in range(len(claim_vectors))]
    for begin in range(0, len(sentence_vectors), chunk_size):
        scores = claim_vectors @ sentence_vectors[begin : begin + chunk_size].T
        rows, cols = np.nonzero(scores >= min_similarity)
        for claim in np.unique(rows):
            selected = cols[rows == claim]
            found_index[claim].append(selected + begin)
            found_score[claim].append(scores[claim, selected])
    result: list[list[Match]] = []
    for claim in range(len(claim_vectors)):
        if not found_index[claim]:
            result.append([])
            continue
        indices, values = np.concatenate(found_index[claim]), np.concatenate(found_score[claim])
        order = np.lexsort((indices, -values))[:max_matches]
        result.append([Match(sentence_index=int(indices[i]), similarity=float(values[i])) for i in order])
    return result


def test_match_arrays_hold_exactly_the_matches_of_the_per_record_loop():
    claims, sentences = _unit(6, 16, 7), _unit(900, 16, 8)
    sentences[10] = sentences[11]  # a tie: the lower sentence index comes first
    for chunk_size, max_matches in ((100_000, None), (128, None), (128, 25)):
        found = match_claims(claims, sentences, 0.2, max_matches=max_matches, chunk_size=chunk_size)
        expected = _match_one_by_one(claims, sentences, 0.2, max_matches, chunk_size)
        assert all(isinstance(matches, Matches) for matches in found)
        assert [list(matches) for matches in found] == expected
        assert found == expected
        for matches in found:  # plain Python values, as a Match built one by one holds
            assert all(type(m.sentence_index) is int and type(m.similarity) is float for m in matches)


def test_match_arrays_read_as_a_sequence_of_match_records():
    claims, sentences = _unit(1, 8, 9), _unit(50, 8, 10)
    (matches,) = match_claims(claims, sentences, -1.0)
    records = list(matches)
    assert len(matches) == 50 and matches[0] == records[0] and matches[-1] == records[-1]
    assert list(matches[2:5]) == records[2:5] and isinstance(matches[2:5], Matches)
    assert matches.sentence_index.dtype.kind == "i" and not matches.sentence_index.flags.writeable
    assert pickle.loads(pickle.dumps(matches)) == matches
    with pytest.raises(IndexError):
        matches[50]


def test_match_claims_also_matches_by_the_breach_vector_with_the_higher_similarity():
    claims = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
    breaches = np.array([[0.0, 1.0, 0.0]], dtype=np.float32)
    sentences = np.array([[0.8, 0.6, 0.0], [0.0, 0.9, 0.436], [0.0, 0.0, 1.0]], dtype=np.float32)
    alone = match_claims(claims, sentences, 0.5)[0]
    both = match_claims(claims, sentences, 0.5, breach_vectors=breaches, chunk_size=2)[0]
    assert alone.sentence_index.tolist() == [0]
    assert both.sentence_index.tolist() == [1, 0]  # sentence 1 speaks only to the breach; ranked by 0.9
    assert both.similarity.tolist() == pytest.approx([0.9, 0.8])


def _spread_around(claim: np.ndarray, cosines: np.ndarray, seed: int) -> np.ndarray:
    """Unit sentences at exactly the given cosines to a unit ``claim``."""
    noise = _unit(len(cosines), len(claim), seed)
    noise -= (noise @ claim)[:, None] * claim[None, :]
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    return (cosines[:, None] * claim[None, :] + np.sqrt(1 - cosines[:, None] ** 2) * noise).astype(np.float32)


def test_an_abstract_claim_matches_the_sentences_that_stand_out_from_its_usual_similarity():
    from alignment.match import RELATIVE_DROP, claim_thresholds

    claim = _unit(1, 64, 7)[0]
    # 400 sentences near 0.05 from the claim, and 20 standing out at 0.24, under the 0.30 bar
    cosines = np.concatenate([np.random.default_rng(8).normal(0.05, 0.03, 400), np.full(20, 0.24)])
    sentences = _spread_around(claim, np.clip(cosines, -0.9, 0.9), 9)
    (bar,) = claim_thresholds(claim[None, :], sentences, 0.30)
    assert 0.30 - RELATIVE_DROP <= bar < 0.24  # lowered, so the standouts match, but no lower than the drop
    (found,) = match_claims(claim[None, :], sentences, np.array([bar]))
    assert set(np.asarray(found.sentence_index).tolist()) >= set(range(400, 420))
    assert len(found) < 40  # the crowd near 0.05 stays out
    (plain,) = match_claims(claim[None, :], sentences, 0.30)
    assert len(plain) == 0
    # a threshold raised above the default asks for stricter evidence: it is held as given, never lowered
    assert claim_thresholds(claim[None, :], sentences, 0.45).tolist() == [pytest.approx(0.45)]
    assert claim_thresholds(claim[None, :], sentences, 0.25)[0] < 0.25  # at or under the default, it may fall


def test_a_concrete_claim_keeps_min_similarity_and_small_datasets_are_not_read_relatively():
    from alignment.match import RELATIVE_MIN_SENTENCES, claim_thresholds

    claim = _unit(1, 64, 10)[0]
    # a claim whose dataset is about it: most sentences sit at 0.35, well above the bar already
    sentences = _spread_around(claim, np.clip(np.random.default_rng(11).normal(0.35, 0.08, 500), -0.9, 0.9), 12)
    assert claim_thresholds(claim[None, :], sentences, 0.30).tolist() == [pytest.approx(0.30)]
    few = sentences[: RELATIVE_MIN_SENTENCES - 1] * 0.1
    assert claim_thresholds(claim[None, :], few, 0.30).tolist() == [pytest.approx(0.30)]


def test_match_claims_takes_one_threshold_per_claim():
    claims, sentences = _unit(3, 16, 13), _unit(500, 16, 14)
    bars = np.array([0.2, 0.4, 0.6], dtype=np.float32)
    for claim, found in enumerate(match_claims(claims, sentences, bars, chunk_size=123)):
        (alone,) = match_claims(claims[claim : claim + 1], sentences, float(bars[claim]))
        assert np.array_equal(found.sentence_index, alone.sentence_index) and len(found) > 0


def test_relative_matching_is_held_to_the_default_threshold_it_was_made_for():
    from alignment.config import Config
    from alignment.match import RELATIVE_MAX_SIMILARITY

    assert Config().min_similarity == RELATIVE_MAX_SIMILARITY
