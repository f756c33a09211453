"""Find the review sentences that speak to each claim: pure numpy over normalised vectors."""

from __future__ import annotations

import numpy as np

from alignment.records import Matches

DEFAULT_CHUNK = 100_000


def match_claims(
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    min_similarity: float,
    max_matches: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    breach_vectors: np.ndarray | None = None,
) -> list[Matches]:
    """Return, for each claim, every sentence with cosine similarity >= ``min_similarity``.

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
    breaches = None if breach_vectors is None else np.ascontiguousarray(breach_vectors, dtype=np.float32)
    for begin in range(0, int(sentence_vectors.shape[0]), chunk_size):
        block = np.asarray(sentence_vectors[begin : begin + chunk_size], dtype=np.float32)
        scores = claims @ block.T
        if breaches is not None:
            np.maximum(scores, breaches @ block.T, out=scores)
        rows, cols = np.nonzero(scores >= min_similarity)
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
