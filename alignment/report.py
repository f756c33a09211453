"""The Report of a check: JSON, DataFrames and plotly charts (no Streamlit here)."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alignment.config import Config
from alignment.quantities import describe_comparison, find_bounds
from alignment.ratings import RatingPrior
from alignment.records import (
    MATCH_COLUMNS,
    STANCES,
    Ad,
    ClaimResult,
    DatasetSummary,
    Judgement,
    Judgements,
    PossibleClaim,
    Review,
    Sentence,
)
from alignment.score import verdict

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = "alignment.report/1"


@dataclass(frozen=True, slots=True)
class Report:
    """Every claim with its evidence, verdict and score, plus the dataset summary and the config."""

    claims: tuple[ClaimResult, ...]
    dataset: DatasetSummary
    config: Config
    reviews: tuple[Review, ...] = field(repr=False)
    sentences: tuple[Sentence, ...] = field(repr=False)
    notes: tuple[str, ...] = ()
    # Phrases of the ad copy scored just under the claim bar and not checked (claims.read_copy), most probable
    # first; None when no copy was read for them (claims given verbatim, or chosen in the app).
    possible_claims: tuple[PossibleClaim, ...] | None = None
    # How the reviews' star ratings weighed the stance (alignment.ratings); None when they did not (no
    # ratings, too few rated readings, or Config.rating_prior off).
    rating_prior: RatingPrior | None = None
    # The ads the claims were read from, as read (stripped, split at blank lines, HTML as the text a browser
    # shows, character references decoded): a claim's start and end index its ad's text here (a claim added
    # by hand in the app has ad_id "added" and indexes no ad). None when no copy was read (claims given
    # verbatim).
    ads: tuple[Ad, ...] | None = None
    # The model id of the embedder that read the reviews (check() sets it), which Workspace.save_run records
    # when it is not told; None when not known.
    embedder: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as the JSON-ready dict of schema alignment.report/1 (``possible_claims`` and ``ads`` only
        when the check read ad copy, ``rating_prior`` only when ratings weighed the stance, ``embedder`` (the
        model id of the embedder that read the reviews) when known)."""
        possible = (
            {}
            if self.possible_claims is None
            else {"possible_claims": [dataclasses.asdict(found) for found in self.possible_claims]}
        )
        ads = {} if self.ads is None else {"ads": [{"ad_id": ad.ad_id, "text": ad.text} for ad in self.ads]}
        return {
            "schema": SCHEMA,
            "claims": [self._claim_dict(result) for result in self.claims],
            **possible,
            **ads,
            "dataset": {
                "source": self.dataset.source,
                "rows": self.dataset.rows,
                "reviews": self.dataset.reviews,
                "sentences": self.dataset.sentences,
                "skipped": dict(self.dataset.skipped),
                "columns": dict(self.dataset.columns),
            },
            "config": self.config.to_dict(),
            **({} if self.embedder is None else {"embedder": self.embedder}),
            **({} if self.rating_prior is None else {"rating_prior": self.rating_prior.to_dict()}),
            "notes": list(self.notes),
        }

    def _claim_dict(self, result: ClaimResult) -> dict[str, Any]:
        claim, score = result.claim, result.score
        return {
            "claim_id": claim.claim_id,
            "text": claim.text,
            "aspect": claim.aspect,
            "type": claim.type,
            "ad_id": claim.ad_id,
            "start": claim.start,
            "end": claim.end,
            "mentions": score.mentions,
            "supports": score.supports,
            "contradicts": score.contradicts,
            "neutral": score.neutral,
            "alignment": None if score.alignment is None else round(score.alignment, 4),
            "interval": None if score.interval is None else [round(v, 4) for v in score.interval],
            "risk": score.risk,
            "verdict": verdict(score),
            "matches": [
                {
                    "review_id": (review := self.reviews[self.sentences[sentence].review_index]).review_id,
                    "sentence": self.sentences[sentence].text,
                    "similarity": round(similarity, 4),
                    "stance": stance,
                    "p_supports": round(p_supports, 4),
                    "p_contradicts": round(p_contradicts, 4),
                    **self._amount_field(result, sentence),
                    **_review_fields(review),
                }
                for sentence, similarity, stance, p_supports, p_contradicts, _ in _judgement_rows(result.judgements)
            ],
        }

    def _amount_field(self, result: ClaimResult, sentence: int) -> dict[str, str]:
        """{"amount": "75 minutes against at most 30 minutes"} for a match whose side came from comparing the
        amounts it reports with the claim's promised bound (alignment.quantities); {} for every other."""
        if not self.config.quantities or not find_bounds(result.claim.text):
            return {}
        amount = describe_comparison(result.claim.text, self.sentences[sentence].text)
        return {"amount": amount} if amount else {}

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def claims_frame(self) -> pd.DataFrame:
        """One row per claim: text, aspect, type, counts, alignment, interval and risk."""
        import pandas as pd

        rows = []
        for result in self.claims:
            claim, score = result.claim, result.score
            rows.append(
                {
                    "claim_id": claim.claim_id,
                    "ad_id": claim.ad_id,
                    "text": claim.text,
                    "aspect": claim.aspect,
                    "type": claim.type,
                    "mentions": score.mentions,
                    "supports": score.supports,
                    "contradicts": score.contradicts,
                    "neutral": score.neutral,
                    "alignment": score.alignment,
                    "interval_low": None if score.interval is None else score.interval[0],
                    "interval_high": None if score.interval is None else score.interval[1],
                    "risk": score.risk,
                    "verdict": verdict(score),
                }
            )
        columns = [
            "claim_id",
            "ad_id",
            "text",
            "aspect",
            "type",
            "mentions",
            "supports",
            "contradicts",
            "neutral",
            "alignment",
            "interval_low",
            "interval_high",
            "risk",
            "verdict",
        ]
        return pd.DataFrame(rows, columns=columns)

    def matches_frame(self) -> pd.DataFrame:
        """One row per (claim, matched sentence), with the review's date, rating and segment values."""
        import pandas as pd

        segment_names = list(self.dataset.columns.get("segments", []) or [])  # type: ignore[call-overload]
        rows = []
        for result in self.claims:
            for index, similarity, stance, p_supports, p_contradicts, p_neutral in _judgement_rows(result.judgements):
                sentence = self.sentences[index]
                review = self.reviews[sentence.review_index]
                row: dict[str, Any] = {
                    "claim_id": result.claim.claim_id,
                    "claim": result.claim.text,
                    "review_id": review.review_id,
                    "sentence": sentence.text,
                    "similarity": similarity,
                    "stance": stance,
                    "p_supports": p_supports,
                    "p_contradicts": p_contradicts,
                    "p_neutral": p_neutral,
                    "amount": self._amount_field(result, index).get("amount", ""),
                    "date": review.date,
                    "rating": review.rating,
                }
                for name in segment_names:
                    row[name] = review.segments.get(name, "")
                rows.append(row)
        columns = [*MATCH_COLUMNS, *segment_names]
        frame = pd.DataFrame(rows, columns=columns)
        frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
        return frame


def _judgement_rows(judgements: Sequence[Judgement]) -> Iterator[tuple[int, float, str, float, float, float]]:
    """(sentence index, similarity, stance, p_supports, p_contradicts, p_neutral) per judged match.

    Read column by column from the arrays of :class:`Judgements`, so a report of a large re-check is written
    without first building a Judgement record per match; the values are those the records would hold.
    """
    if not isinstance(judgements, Judgements):
        return (
            (j.sentence_index, j.similarity, j.stance, j.p_supports, j.p_contradicts, j.p_neutral) for j in judgements
        )
    stances = [STANCES[label] for label in judgements.label.tolist()]
    return zip(
        judgements.sentence_index.tolist(),
        judgements.similarity.tolist(),
        stances,
        judgements.p_supports.tolist(),
        judgements.p_contradicts.tolist(),
        judgements.p_neutral.tolist(),
        strict=True,
    )


RISK_ORDER: Sequence[str] = ("high", "medium", "low", "insufficient evidence")

# The charts live in alignment.charts; plot_gap stays importable from here.
from alignment.charts import CONTRADICT_COLOUR, SUPPORT_COLOUR, plot_gap  # noqa: E402

__all__ = ["CONTRADICT_COLOUR", "RISK_ORDER", "SCHEMA", "SUPPORT_COLOUR", "Report", "plot_gap"]


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a text cell that a spreadsheet would read as a formula with a single quote (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _review_fields(review: Review) -> dict[str, object]:
    """What a match's review holds besides its text, for a reader of the JSON to break the evidence down by
    date, rating or segment: each only where the dataset has it."""
    fields: dict[str, object] = {}
    if review.date is not None:
        fields["date"] = review.date
    if review.rating is not None:
        fields["rating"] = review.rating
    if review.segments:
        fields["segments"] = dict(review.segments)
    return fields


def to_safe_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame with every formula-like text cell neutralised, for downloads opened in Excel, led
    by a byte-order mark: Excel reads a CSV without one in the machine's code page, so "◐ mixed" and a
    review's curly quotes would show as "â—� mixed"."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        kind = safe[column].dtype
        if not (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind)):
            safe[column] = safe[column].map(neutralise_formula)
    safe.columns = [str(neutralise_formula(str(column))) for column in safe.columns]
    # Quote every text cell: a carriage return inside an unquoted cell would split the row.
    return "\ufeff" + str(safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC))
