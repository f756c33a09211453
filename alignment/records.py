"""Typed records that flow between the stages: frozen, slotted dataclasses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, overload

import numpy as np

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
# The columns of the evidence table (Report.matches_frame), before the dataset's segment columns.
# Curly quotes and apostrophes read as straight ones: copy pasted from a word processor and the same copy typed
# make one claim.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201f": '"'})
_END_PUNCTUATION = ".!?\u2026,;:"


def wording_key(text: str) -> str:
    """A claim's wording with case, spacing, curly or straight quotes and end punctuation set aside: two claims
    with one key are the same promise. Every place that asks whether a claim repeats another uses it (a
    --claims file, the app's reworded or added claims, the notes of a report, two runs compared)."""
    key = re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().rstrip(_END_PUNCTUATION).strip()
    while len(key) > 1 and key[0] == key[-1] and key[0] in "\"'" and key[0] not in key[1:-1]:
        # a claim quoted whole ("No hidden fees") is the claim
        key = key[1:-1].strip().rstrip(_END_PUNCTUATION).strip()
    return key.casefold()


MATCH_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "claim",
    "review_id",
    "sentence",
    "similarity",
    "stance",
    "p_supports",
    "p_contradicts",
    "p_neutral",
    "amount",
    "date",
    "rating",
)
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
class PossibleClaim:
    """A phrase of the copy that the claim classifier scored under its bar but not far under: offered to the
    marketer to check by hand, not checked by itself. ``text == ad.text[start:end]``."""

    ad_id: str
    text: str
    start: int
    end: int
    aspect: str
    type: ClaimType
    probability: float  # the classifier's P(an annotator would mark it), under its threshold


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


def _frozen(values: np.ndarray) -> np.ndarray:
    """A read-only 1-D view of ``values`` (the caller's own array stays writable)."""
    array = np.asarray(values).view()
    if array.ndim != 1:
        raise ValueError(f"expected a 1-D array, got shape {array.shape}")
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True, eq=False)
class Matches(Sequence[Match]):
    """The matches of one claim as parallel arrays: a read-only sequence of Match, built on access.

    A claim can match tens of thousands of sentences; keeping them as arrays lets the stance stage read
    them without a Python object per match.
    """

    sentence_index: np.ndarray  # (n,) integer positions in the review set's sentences
    similarity: np.ndarray  # (n,) cosine, as the matcher computed it

    def __post_init__(self) -> None:
        object.__setattr__(self, "sentence_index", _frozen(self.sentence_index))
        object.__setattr__(self, "similarity", _frozen(self.similarity))
        if len(self.sentence_index) != len(self.similarity):
            raise ValueError("sentence_index and similarity differ in length")

    def __len__(self) -> int:
        return len(self.sentence_index)

    @overload
    def __getitem__(self, index: int) -> Match: ...

    @overload
    def __getitem__(self, index: slice) -> Matches: ...

    def __getitem__(self, index: int | slice) -> Match | Matches:
        if isinstance(index, slice):
            return Matches(self.sentence_index[index], self.similarity[index])
        return Match(self.sentence_index[index].item(), self.similarity[index].item())

    def __iter__(self) -> Iterator[Match]:
        # .tolist() gives plain ints and floats, the values a Match built one by one would hold
        for sentence, similarity in zip(self.sentence_index.tolist(), self.similarity.tolist(), strict=True):
            yield Match(sentence, similarity)

    def __eq__(self, other: object) -> bool:
        # Equal to a tuple, list or array-backed sequence with equal items in the same order.
        if not isinstance(other, tuple | list | Matches | Judgements):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __reduce__(self) -> tuple[type[Matches], tuple[np.ndarray, np.ndarray]]:
        return Matches, (self.sentence_index, self.similarity)

    def __repr__(self) -> str:
        return f"Matches({len(self)} sentences)"


@dataclass(frozen=True, slots=True, eq=False)
class Judgements(Sequence[Judgement]):
    """The judged matches of one claim as parallel arrays: a read-only sequence of Judgement.

    A re-check can judge hundreds of thousands of matches. Scoring, counting and saving a run read the
    arrays; a Judgement record is built only when a consumer asks for one (on the first iteration, all of
    them are built once and kept). Item ``i`` equals the Judgement of ``sentence_index[i]``, with
    ``stance == STANCES[label[i]]``.
    """

    sentence_index: np.ndarray  # (n,) integer positions in the review set's sentences
    similarity: np.ndarray  # (n,) cosine, as the matcher computed it
    p_supports: np.ndarray  # (n,) probabilities as the stance model returned them
    p_contradicts: np.ndarray
    p_neutral: np.ndarray
    label: np.ndarray  # (n,) index into STANCES
    _records: tuple[Judgement, ...] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("sentence_index", "similarity", "p_supports", "p_contradicts", "p_neutral", "label"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        n = len(self.sentence_index)
        if any(
            len(column) != n
            for column in (self.similarity, self.p_supports, self.p_contradicts, self.p_neutral, self.label)
        ):
            raise ValueError("the judgement arrays differ in length")

    @classmethod
    def from_records(cls, judgements: Iterable[Judgement]) -> Judgements:
        """The arrays of a sequence of Judgement records (values kept exactly: int64 and float64)."""
        if isinstance(judgements, Judgements):
            return judgements
        items = tuple(judgements)
        codes = {stance: code for code, stance in enumerate(STANCES)}
        return cls(
            sentence_index=np.array([j.sentence_index for j in items], dtype=np.int64),
            similarity=np.array([j.similarity for j in items], dtype=np.float64),
            p_supports=np.array([j.p_supports for j in items], dtype=np.float64),
            p_contradicts=np.array([j.p_contradicts for j in items], dtype=np.float64),
            p_neutral=np.array([j.p_neutral for j in items], dtype=np.float64),
            label=np.array([codes[j.stance] for j in items], dtype=np.uint8),
        )

    def sides(self) -> np.ndarray:
        """P(contradicts | the sentence speaks to the claim) of each match (0.5 where the relevance is 0)."""
        supports = np.asarray(self.p_supports, dtype=np.float64)
        contradicts = np.asarray(self.p_contradicts, dtype=np.float64)
        relevance = supports + contradicts
        return np.divide(contradicts, relevance, out=np.full(len(self), 0.5), where=relevance > 0)

    def with_sides(self, sides: np.ndarray) -> Judgements:
        """The same matches with P(contradicts | speaks to the claim) set to ``sides``: the relevance
        (1 - p_neutral) is kept and each stance is again the most probable label. How a later stage (star
        ratings, amounts against a promised bound) re-reads the side without touching the match."""
        relevance = np.asarray(self.p_supports, dtype=np.float64) + np.asarray(self.p_contradicts, dtype=np.float64)
        sides = np.asarray(sides, dtype=np.float64)
        dtype = np.result_type(self.p_supports)
        probabilities = np.stack([relevance * (1.0 - sides), relevance * sides, np.asarray(self.p_neutral)], axis=1)
        return Judgements(
            sentence_index=self.sentence_index,
            similarity=self.similarity,
            p_supports=probabilities[:, 0].astype(dtype),
            p_contradicts=probabilities[:, 1].astype(dtype),
            p_neutral=self.p_neutral,
            label=probabilities.argmax(axis=1).astype(np.uint8),
        )

    def stance_counts(self) -> tuple[int, int, int]:
        """How many matches were judged (supports, contradicts, neutral)."""
        counts = np.bincount(self.label, minlength=len(STANCES))
        return int(counts[0]), int(counts[1]), len(self) - int(counts[0]) - int(counts[1])

    def records(self) -> tuple[Judgement, ...]:
        """Every match as a Judgement record, built on the first call and kept."""
        if self._records is None:
            # .tolist() gives plain ints and floats, the values a Judgement built one by one would hold
            records = tuple(
                Judgement(sentence, similarity, STANCES[label], p_supports, p_contradicts, p_neutral)  # type: ignore[arg-type]
                for sentence, similarity, label, p_supports, p_contradicts, p_neutral in zip(
                    self.sentence_index.tolist(),
                    self.similarity.tolist(),
                    self.label.tolist(),
                    self.p_supports.tolist(),
                    self.p_contradicts.tolist(),
                    self.p_neutral.tolist(),
                    strict=True,
                )
            )
            object.__setattr__(self, "_records", records)
            return records
        return self._records

    def __len__(self) -> int:
        return len(self.sentence_index)

    @overload
    def __getitem__(self, index: int) -> Judgement: ...

    @overload
    def __getitem__(self, index: slice) -> Judgements: ...

    def __getitem__(self, index: int | slice) -> Judgement | Judgements:
        if isinstance(index, slice):
            return Judgements(
                self.sentence_index[index],
                self.similarity[index],
                self.p_supports[index],
                self.p_contradicts[index],
                self.p_neutral[index],
                self.label[index],
            )
        if self._records is not None:
            return self._records[index]
        return Judgement(
            self.sentence_index[index].item(),
            self.similarity[index].item(),
            STANCES[self.label[index]],  # type: ignore[arg-type]
            self.p_supports[index].item(),
            self.p_contradicts[index].item(),
            self.p_neutral[index].item(),
        )

    def __iter__(self) -> Iterator[Judgement]:
        return iter(self.records())

    def __eq__(self, other: object) -> bool:
        # Equal to a tuple, list or array-backed sequence with equal items in the same order.
        if not isinstance(other, tuple | list | Matches | Judgements):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(self.records())

    def __reduce__(self) -> tuple[type[Judgements], tuple[np.ndarray, ...]]:
        # Pickle (and copy) the arrays only, not the records built from them.
        return Judgements, (
            self.sentence_index,
            self.similarity,
            self.p_supports,
            self.p_contradicts,
            self.p_neutral,
            self.label,
        )

    def __repr__(self) -> str:
        return f"Judgements({len(self)} matches)"


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
    """A claim with its score and every judged match (a tuple of records, or the arrays of Judgements)."""

    claim: Claim
    score: ClaimScore
    judgements: Sequence[Judgement]


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """What was read from a review dataset and what was skipped, with a reason for each kind."""

    source: str
    rows: int
    reviews: int
    sentences: int
    skipped: Mapping[str, int]
    columns: Mapping[str, object]
