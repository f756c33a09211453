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
# A claim whose closest review sentence reads under this cosine has no evidence that clearly speaks to it:
# what it matched (near the threshold, or through relative matching) only brushes its topic, as when copy
# for a bank is checked against a telecom's reviews. Chosen on the project's own dataset-shaped sets
# (data/dataset_*.jsonl and the demo): every one of their 30 claims has a sentence at 0.45 or more among its
# own company's reviews, while about half of the claims set against another company's reviews have none at 0.40.
ON_TOPIC_SIMILARITY = 0.40


def score_claim(judgements: Sequence[Judgement], min_evidence: int, level: float = 0.95) -> ClaimScore:
    """Count stances and compute the alignment index, its interval and the risk.

    Args:
        judgements: every judged match of one claim (records, or the arrays of :class:`Judgements`, which
            are counted without building a record per match).
        min_evidence: supports + contradicts below this gives "insufficient evidence"; so does evidence all on
            one side whose interval still reaches across zero (below 5 with the defaults).
        level: coverage of the credible interval.

    A claim none of whose evidence reads within ON_TOPIC_SIMILARITY of it (:func:`on_topic`) is also
    "insufficient evidence": its counts are kept, but no verdict is drawn from sentences that only brush it.
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
    if decided < min_evidence or not on_topic(judgements):
        risk = "insufficient evidence"
    elif high < 0:
        risk = "high"
    elif low > LOW_RISK_FLOOR:
        risk = "low"
    elif supports and contradicts:
        risk = "medium"
    else:
        # Evidence all on one side, too little to decide (2 supporting, none against, with min_evidence 1) is
        # unproven, not mixed: nothing pulls the other way, so the claim is not at risk, nor yet supported.
        risk = "insufficient evidence"
    return ClaimScore(len(judgements), supports, contradicts, neutral, alignment, (low, high), risk)


def closest_similarity(judgements: Sequence[Judgement]) -> float | None:
    """The cosine of a claim's closest matched sentence, or None when it matched none."""
    if isinstance(judgements, Judgements):
        return float(judgements.similarity.max()) if len(judgements) else None
    return max((j.similarity for j in judgements), default=None)


def on_topic(judgements: Sequence[Judgement]) -> bool:
    """True when some matched sentence reads within ON_TOPIC_SIMILARITY of the claim (or none matched)."""
    closest = closest_similarity(judgements)
    return closest is None or closest >= ON_TOPIC_SIMILARITY


def alignment_interval(supports: int, contradicts: int, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed credible interval of 2p - 1, where p ~ Beta(supports + 1/2, contradicts + 1/2)."""
    from scipy.special import betaincinv  # the Beta quantile, without importing all of scipy.stats

    tail = (1.0 - level) / 2.0
    low = betaincinv(supports + PRIOR, contradicts + PRIOR, tail)
    high = betaincinv(supports + PRIOR, contradicts + PRIOR, 1.0 - tail)
    return float(2 * low - 1), float(2 * high - 1)


# The plain words every view gives a claim's risk: the app's cards and charts, the reports, the run history.
RISK_TO_VERDICT: dict[str, str] = {
    "high": "contradicted",
    "medium": "mixed",
    "insufficient evidence": "unproven",
    "low": "supported",
}


def verdict(score: ClaimScore) -> str:
    """The plain-words verdict of a claim from its risk: contradicted, mixed, unproven or supported."""
    return RISK_TO_VERDICT[score.risk]
