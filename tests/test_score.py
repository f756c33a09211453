"""Scoring: counts, the alignment index, its interval and the risk levels."""

from __future__ import annotations

from alignment.records import Judgement
from alignment.score import score_claim


def _judgements(supports: int, contradicts: int, neutral: int = 0) -> list[Judgement]:
    stances = ["supports"] * supports + ["contradicts"] * contradicts + ["neutral"] * neutral
    return [Judgement(i, 0.5, s, 0.3, 0.3, 0.4) for i, s in enumerate(stances)]  # type: ignore[arg-type]


def test_score_counts_and_alignment_index():
    score = score_claim(_judgements(6, 2, 3), min_evidence=5)
    assert (score.mentions, score.supports, score.contradicts, score.neutral) == (11, 6, 2, 3)
    assert score.alignment == 0.5
    assert score.interval is not None and score.interval[0] < 0.5 < score.interval[1]


def test_score_three_mentions_are_less_sure_than_three_hundred():
    few = score_claim(_judgements(2, 1), min_evidence=1)
    many = score_claim(_judgements(200, 100), min_evidence=1)
    assert few.alignment == many.alignment
    assert few.interval and many.interval
    assert (few.interval[1] - few.interval[0]) > 4 * (many.interval[1] - many.interval[0])


def test_score_below_min_evidence_is_insufficient():
    assert score_claim(_judgements(3, 0), min_evidence=5).risk == "insufficient evidence"
    assert score_claim(_judgements(0, 0, 9), min_evidence=5).alignment is None


def test_score_risk_levels_follow_the_interval():
    assert score_claim(_judgements(5, 40), min_evidence=5).risk == "high"
    assert score_claim(_judgements(40, 5), min_evidence=5).risk == "low"
    assert score_claim(_judgements(20, 18), min_evidence=5).risk == "medium"
