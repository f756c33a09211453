"""Typed records that flow between the stages: frozen, slotted dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ClaimType = Literal["comparative", "superlative", "quantitative", "guarantee", "absolute", "qualitative"]
CLAIM_TYPES: tuple[str, ...] = (
    "comparative",
    "superlative",
    "quantitative",
    "guarantee",
    "absolute",
    "qualitative",
)
Stance = Literal["supports", "contradicts", "neutral"]
STANCES: tuple[str, ...] = ("supports", "contradicts", "neutral")
Risk = Literal["high", "medium", "low", "insufficient evidence"]


@dataclass(frozen=True, slots=True)
class Ad:
    """One piece of ad copy."""

    ad_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Claim:
    """A checkable promise found in (or given as) ad copy; ``text == ad.text[start:end]``."""

    claim_id: str
    ad_id: str
    text: str
    start: int
    end: int
    aspect: str
    type: ClaimType


@dataclass(frozen=True, slots=True)
class Review:
    """One customer review or complaint that passed validation."""

    review_id: str
    text: str
    row: int
    date: str | None = None
    rating: float | None = None
    segments: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a review; ``text == reviews[review_index].text[start:end]``."""

    review_index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Match:
    """A review sentence judged relevant to a claim by similarity."""

    sentence_index: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Judgement:
    """The stance of one matched sentence towards a claim, with probabilities."""

    sentence_index: int
    similarity: float
    stance: Stance
    p_supports: float
    p_contradicts: float
    p_neutral: float


@dataclass(frozen=True, slots=True)
class ClaimScore:
    """Counts and the alignment index for one claim.

    ``alignment`` is (supports - contradicts) / (supports + contradicts), in -1..1, and ``interval`` is a
    credible interval for it that widens when the evidence is thin.
    """

    mentions: int
    supports: int
    contradicts: int
    neutral: int
    alignment: float | None
    interval: tuple[float, float] | None
    risk: Risk


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """A claim with its score and every judged match."""

    claim: Claim
    score: ClaimScore
    judgements: tuple[Judgement, ...]


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """What was read from a review dataset and what was skipped, with a reason for each kind."""

    source: str
    rows: int
    reviews: int
    sentences: int
    skipped: Mapping[str, int]
    columns: Mapping[str, object]
