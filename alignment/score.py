"""Per-claim counts, the alignment index with a credible interval, and the risk level."""

from __future__ import annotations

from collections.abc import Sequence

from alignment.records import ClaimScore, Judgement, Judgements, Risk

# A Jeffreys prior Beta(1/2, 1/2) on the share of stance-bearing evidence that supports the claim:
# it adds little to large samples but keeps 3 mentions from looking as sure as 300.
PRIOR = 0.5
# Risk thresholds on the interval of the alignment index (-1..1): "high" when even the upper end is
# below zero (contradiction is the better-supported reading), "low" when the lower end is above
# LOW_RISK_FLOOR (clearly more support than contradiction), "medium" otherwise.
LOW_RISK_FLOOR = 0.2


def score_claim(judgements: Sequence[Judgement], min_evidence: int, level: float = 0.95) -> ClaimScore:
    """Count stances and compute the alignment index, its interval and the risk.

    Args:
        judgements: every judged match of one claim (records, or the arrays of :class:`Judgements`, which
            are counted without building a record per match).
        min_evidence: supports + contradicts below this gives "insufficient evidence".
        level: coverage of the credible interval.
    """
    if isinstance(judgements, Judgements):
        supports, contradicts, neutral = judgements.stance_counts()
    else:
        supports = sum(1 for j in judgements if j.stance == "supports")
        contradicts = sum(1 for j in judgements if j.stance == "contradicts")
        neutral = len(judgements) - supports - contradicts
    decided = supports + contradicts
    if decided == 0:
        return ClaimScore(len(judgements), supports, contradicts, neutral, None, None, "insufficient evidence")
    alignment = (supports - contradicts) / decided
    low, high = alignment_interval(supports, contradicts, level)
    risk: Risk
    if decided < min_evidence:
        risk = "insufficient evidence"
    elif high < 0:
        risk = "high"
    elif low > LOW_RISK_FLOOR:
        risk = "low"
    else:
        risk = "medium"
    return ClaimScore(len(judgements), supports, contradicts, neutral, alignment, (low, high), risk)


def alignment_interval(supports: int, contradicts: int, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed credible interval of 2p - 1, where p ~ Beta(supports + 1/2, contradicts + 1/2)."""
    from scipy.special import betaincinv  # the Beta quantile, without importing all of scipy.stats

    tail = (1.0 - level) / 2.0
    low = betaincinv(supports + PRIOR, contradicts + PRIOR, tail)
    high = betaincinv(supports + PRIOR, contradicts + PRIOR, 1.0 - tail)
    return float(2 * low - 1), float(2 * high - 1)
