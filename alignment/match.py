"""Find the review sentences that speak to each claim: pure numpy over normalised vectors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from alignment.config import Config
from alignment.records import Judgement, Judgements, Matches

DEFAULT_CHUNK = 100_000
# Relative matching (claim_thresholds). A claim worded abstractly ("Real people on the phone, day or night")
# sits far from every sentence of a dataset, the ones about it too, so a fixed threshold misses most of its
# evidence while a concrete claim's is found. A claim's threshold may fall to min_similarity - RELATIVE_DROP
# for the sentences that stand RELATIVE_SPREAD robust standard deviations above the claim's median
# similarity in the dataset. Both were chosen on the project's dataset-shaped development sets
# (benchmarks/dataset_sets.py --dev; 1.5 traded stance for recall, 2.5 changed little) and then measured
# once on its test sets and the public data (README, Quality; NOTES, "Relative matching").
RELATIVE_SPREAD = 2.0
RELATIVE_DROP = 0.10
# The median and spread are read from at most this many sentences, evenly spaced, so the cost stays flat on
# millions of sentences; under RELATIVE_MIN_SENTENCES they say too little, and min_similarity holds (UX
# bounds, not fitted).
RELATIVE_SAMPLE = 20_000
RELATIVE_MIN_SENTENCES = 100
# A threshold raised above the default is a wish for stricter evidence ("raise it to 0.45 on a one-product
# dataset"): it is held as given, never lowered. The rule above was made for the default.
RELATIVE_MAX_SIMILARITY = Config().min_similarity
_MAD_TO_SD = 1.4826  # the median absolute deviation of a normal distribution, in standard deviations


def claim_thresholds(
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    min_similarity: float,
    breach_vectors: np.ndarray | None = None,
    spread: float = RELATIVE_SPREAD,
    drop: float = RELATIVE_DROP,
) -> np.ndarray:
    """Each claim's matching threshold in this dataset: ``min_similarity``, or lower, down to ``min_similarity
    - drop``, for a claim whose sentences sit far from it overall, to where a sentence stands ``spread``
    robust standard deviations (the median absolute deviation, scaled) above the claim's median similarity.

    Similarity is read as :func:`match_claims` reads it (the higher of the claim's and its breach query's
    cosine). A concrete claim's threshold stays at ``min_similarity``: what stands out from its sentences
    is already above it. So does every claim's when ``min_similarity`` is raised above
    RELATIVE_MAX_SIMILARITY, the default: stricter evidence was asked for.
    """
    n_claims, n_sentences = int(claim_vectors.shape[0]), int(sentence_vectors.shape[0])
    thresholds = np.full(n_claims, float(min_similarity))
    if n_claims == 0 or n_sentences < RELATIVE_MIN_SENTENCES or min_similarity > RELATIVE_MAX_SIMILARITY + 1e-9:
        return thresholds
    step = -(-n_sentences // RELATIVE_SAMPLE)  # evenly spaced: sequential reads of a memory-mapped matrix
    sample = np.asarray(sentence_vectors[::step], dtype=np.float32)
    scores = np.ascontiguousarray(claim_vectors, dtype=np.float32) @ sample.T
    if breach_vectors is not None:
        np.maximum(scores, np.ascontiguousarray(breach_vectors, dtype=np.float32) @ sample.T, out=scores)
    median = np.median(scores, axis=1)
    deviation = np.median(np.abs(scores - median[:, None]), axis=1) * _MAD_TO_SD
    return np.clip(median + spread * deviation, min_similarity - drop, min_similarity)


def match_claims(
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    min_similarity: float | np.ndarray,
    max_matches: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    breach_vectors: np.ndarray | None = None,
) -> list[Matches]:
    """Return, for each claim, every sentence with cosine similarity >= ``min_similarity`` (one threshold
    for every claim, or one per claim, as :func:`claim_thresholds` gives them).

    With ``breach_vectors`` (one per claim: what its complaints sound like, from the stance model's
    ``breach_queries``) a sentence's similarity is the higher of its cosine to the claim and to its breach.

    Vectors must be L2-normalised, so the dot product is the cosine. Each claim's matches are sorted by
    similarity, highest first, ties by sentence index; ``max_matches`` keeps only the top ones. The
    sentence matrix is processed in chunks so memory stays bounded for millions of sentences. Each claim's
    matches come back as arrays (a :class:`Matches`, which reads as a sequence of Match records).
    """
    n_claims = int(claim_vectors.shape[0])
    if n_claims == 0 or sentence_vectors.shape[0] == 0:
        return [_no_matches() for _ in range(n_claims)]
    found_index: list[list[np.ndarray]] = [[] for _ in range(n_claims)]
    found_score: list[list[np.ndarray]] = [[] for _ in range(n_claims)]
    claims = np.ascontiguousarray(claim_vectors, dtype=np.float32)
    bars = np.broadcast_to(np.asarray(min_similarity, dtype=np.float32), (n_claims,))[:, None]
    breaches = None if breach_vectors is None else np.ascontiguousarray(breach_vectors, dtype=np.float32)
    for begin in range(0, int(sentence_vectors.shape[0]), chunk_size):
        block = np.asarray(sentence_vectors[begin : begin + chunk_size], dtype=np.float32)
        scores = claims @ block.T
        if breaches is not None:
            np.maximum(scores, breaches @ block.T, out=scores)
        rows, cols = np.nonzero(scores >= bars)
        # nonzero walks the matrix row by row, so each claim's hits are one run of ``rows``.
        bounds = np.searchsorted(rows, np.arange(n_claims + 1)).tolist()
        for claim in range(n_claims):
            if bounds[claim] == bounds[claim + 1]:
                continue
            selected = cols[bounds[claim] : bounds[claim + 1]]
            found_index[claim].append(selected + begin)
            found_score[claim].append(scores[claim, selected])
    result: list[Matches] = []
    for claim in range(n_claims):
        if not found_index[claim]:
            result.append(_no_matches())
            continue
        indices = np.concatenate(found_index[claim])
        values = np.concatenate(found_score[claim])
        order = np.lexsort((indices, -values))
        if max_matches is not None:
            order = order[:max_matches]
        result.append(Matches(sentence_index=indices[order], similarity=values[order]))
    return result


def _no_matches() -> Matches:
    return Matches(sentence_index=np.zeros(0, dtype=np.int64), similarity=np.zeros(0, dtype=np.float32))


def top_k(claim_vectors: np.ndarray, sentence_vectors: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k most similar sentences per claim, best first (brute force)."""
    scores = claim_vectors @ sentence_vectors.T
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    ranked = np.take_along_axis(scores, part, axis=1)
    return np.take_along_axis(part, np.argsort(-ranked, axis=1, kind="stable"), axis=1)


def matched_under(judgements: Sequence[Judgement], min_similarity: float) -> tuple[int, float | None]:
    """How many of a claim's matches sit under ``min_similarity`` (relative matching), and the lowest
    similarity among them (None when none does)."""
    similarity = np.asarray(Judgements.from_records(judgements).similarity, dtype=np.float64)
    under = similarity[similarity < min_similarity - 1e-6]  # float32 similarities: a hair under is still at it
    return len(under), (float(under.min()) if len(under) else None)
