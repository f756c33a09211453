"""What a review's star rating says: its scale, the side it takes, and how it weighs the stance read from
the review's sentences (the rating prior).

A sentence's text is read by the stance model alone; a rating is the customer's own verdict on the whole
review. Where the text leaves the side open ("The rural coverage is the reason I switched", sarcasm, a
complaint in calm words), the rating settles much of it. How much a rating says is not assumed: it is
fitted on each check's own readings (:func:`fit_rating_prior`), so a dataset whose ratings track its
customers' words closely weighs them strongly, and one whose ratings say little barely moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alignment.records import Judgements

Side = str  # "contradicts" or "supports"

RATING_SCALES = ((1.0, 5.0), (0.0, 5.0), (1.0, 10.0), (0.0, 10.0), (0.0, 100.0))
# A typo in a large export ("50" for "5") must not turn a 1-5 file into a 0-100 one, under which every 5 stars
# would read as a complaint. So a scale may leave out up to this share of the ratings, each more than twice
# its top (a slip of the keyboard, not a rating on a longer scale: a 1-10 file's 6-10 stay a 1-10 scale). A
# UX bound, not fitted: a file of under 100 ratings must fit its scale whole.
RATING_OFF_SCALE_SHARE = 0.01
# A rating reads as a side the way the app's "rating disagrees" flag reads it: at most 40% of the scale's
# top contradicts (1-2 of 5 stars), at least 80% supports (4-5 of 5); between is no side.
RATING_CONTRADICTS_AT_MOST = 0.4
RATING_SUPPORTS_AT_LEAST = 0.8

# The rating bands a sentence's review falls in, as indices of RatingPrior.likelihood_ratio; UNRATED (no
# rating, or a typo off the file's scale) weighs nothing.
LOW, MIDDLE, HIGH, UNRATED = 0, 1, 2, -1
BAND_NAMES = ("low", "middle", "high")
_BAND_SIDES: dict[int, Side] = {LOW: "contradicts", HIGH: "supports"}
# Below this many rated, stance-bearing readings (summed relevance) the fitted ratios would be noise, so
# the ratings are not used. With a pseudo-count of one reading per band and side (Laplace), a band seen
# rarely stays near "says nothing". UX bounds, not fitted.
RATING_PRIOR_MIN_READINGS = 50.0
RATING_PRIOR_PSEUDO_COUNT = 1.0
_ROUNDS = 200
_TOLERANCE = 1e-5
# The fit's histogram: log-odds from -12 to 12 (P 6e-6 to 1 - 6e-6) in 480 bins of 0.05.
_BINS = 480
_LOGIT_SPAN = 12.0
_EDGE = 1e-6  # keeps a reading of exactly 0 or 1 finite in odds


def rating_bounds(ratings: Sequence[float]) -> tuple[float, float] | None:
    """The rating scale the values fit: (1, 5), (0, 5), (1, 10), (0, 10), (0, 100) or their observed range.
    A scale fits when every rating lies on it, or all but a few far above it (:func:`off_scale`)."""
    if not len(ratings):
        return None
    values = np.asarray(ratings, dtype=np.float64)
    low = float(values.min())
    allowed = int(len(values) * RATING_OFF_SCALE_SHARE)
    for scale_low, scale_high in RATING_SCALES:
        if low < scale_low:
            continue
        beyond = values[values > scale_high]
        if len(beyond) <= allowed and bool((beyond > 2 * scale_high).all()):
            return scale_low, scale_high
    return low, float(values.max())


def off_scale(ratings: Sequence[float], bounds: tuple[float, float] | None) -> int:
    """How many ratings lie above the scale :func:`rating_bounds` chose: typos to check, left out of the
    mean and never read as a side."""
    return 0 if bounds is None else int((np.asarray(ratings, dtype=np.float64) > bounds[1]).sum())


def rating_side(rating: float, scale_max: float) -> Side | None:
    """The side a rating takes: "contradicts" at most 40% of the scale's top, "supports" at least 80%; none
    above the top (a typo off the file's scale, :func:`off_scale`)."""
    return band_side(int(_bands_on_scale(np.array([rating], dtype=np.float64), scale_max)[0]))


def band_side(band: int) -> Side | None:
    """The side a band takes: LOW "contradicts", HIGH "supports", any other none."""
    return _BAND_SIDES.get(band)


def rating_bands(ratings: Sequence[float | None]) -> np.ndarray:
    """Each rating's band on the scale the ratings fit (:func:`rating_bounds`): LOW (the side "contradicts"),
    MIDDLE (no side), HIGH ("supports"), or UNRATED for a missing rating or one off the scale (a typo)."""
    values = np.array([np.nan if r is None else r for r in ratings], dtype=np.float64)
    bounds = rating_bounds(values[~np.isnan(values)].tolist())
    return _bands_on_scale(values, 0.0 if bounds is None else bounds[1])


def _bands_on_scale(values: np.ndarray, top: float) -> np.ndarray:
    """The band of each value (NaN: no rating) on a scale whose top is ``top``: the one rule behind
    :func:`rating_side` and :func:`rating_bands`. No top (no scale) leaves every value unrated."""
    bands = np.full(len(values), UNRATED, dtype=np.int8)
    if not top:
        return bands
    on_scale = ~np.isnan(values) & (values <= top)
    share = values / top
    bands[on_scale] = MIDDLE
    bands[on_scale & (share <= RATING_CONTRADICTS_AT_MOST)] = LOW
    bands[on_scale & (share >= RATING_SUPPORTS_AT_LEAST)] = HIGH
    return bands


@dataclass(frozen=True, slots=True)
class RatingPrior:
    """How a check's ratings weighed its stance: for each band (low, middle, high), how many times likelier
    a review in that band is to hold a sentence contradicting a claim than one supporting it,
    P(band | contradicts) / P(band | supports), fitted on ``readings`` rated, stance-bearing readings."""

    likelihood_ratio: tuple[float, float, float]
    readings: int

    def to_dict(self) -> dict[str, object]:
        """The prior as a JSON-ready dict."""
        ratios = zip(BAND_NAMES, self.likelihood_ratio, strict=True)
        return {"readings": self.readings, "likelihood_ratio": {name: round(ratio, 4) for name, ratio in ratios}}


def fit_rating_prior(q: np.ndarray, bands: np.ndarray, weights: np.ndarray) -> RatingPrior | None:
    """Fit P(band | side) by expectation-maximisation, or None when too few readings are rated.

    ``q`` is each reading's P(contradicts | it speaks to the claim) from the text, ``bands`` its review's
    rating band, ``weights`` how surely it speaks to the claim (its relevance). The side of each reading is
    unknown; the model reads it as ``q`` from the text and the rating as a second, independent witness.
    Each round the readings' posterior sides re-estimate how the bands fall on each side, until they
    settle. The fit deconvolves the text model's own errors: a band where confident readings of both sides
    mix says little, one where they separate says much.

    A re-check weighs hundreds of thousands of readings within its second, so the rounds run over a
    histogram of the readings' log-odds per band (_BINS bins), not over each reading.
    """
    rated = bands >= 0
    w = np.asarray(weights, dtype=np.float64)[rated]
    if w.sum() < RATING_PRIOR_MIN_READINGS:
        return None
    # float32 is ample for choosing a bin of width 0.05 in log-odds, and half the work of float64
    log_odds = np.clip(_logit(np.asarray(q, dtype=np.float32)[rated]), -_LOGIT_SPAN, _LOGIT_SPAN)
    bins = np.minimum(((log_odds + _LOGIT_SPAN) * (_BINS / (2 * _LOGIT_SPAN))).astype(np.int64), _BINS - 1)
    band = np.asarray(bands[rated], dtype=np.int64)
    bands_count = len(BAND_NAMES)
    mass = np.bincount(band * _BINS + bins, weights=w, minlength=bands_count * _BINS).reshape(bands_count, _BINS)
    centres = 1.0 / (1.0 + np.exp(-((np.arange(_BINS) + 0.5) / _BINS * 2 * _LOGIT_SPAN - _LOGIT_SPAN)))
    text = np.broadcast_to(centres, mass.shape)
    posterior = text
    ratio = np.ones(bands_count)
    pseudo = RATING_PRIOR_PSEUDO_COUNT
    for _ in range(_ROUNDS):
        contradicting = (mass * posterior).sum(axis=1) + pseudo
        supporting = (mass * (1.0 - posterior)).sum(axis=1) + pseudo
        ratio = (contradicting / contradicting.sum()) / (supporting / supporting.sum())
        updated = _weigh(text, ratio[:, None])
        settled = float(np.abs(updated - posterior).max()) < _TOLERANCE
        posterior = updated
        if settled:
            break
    return RatingPrior(
        likelihood_ratio=(float(ratio[0]), float(ratio[1]), float(ratio[2])), readings=round(float(w.sum()))
    )


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EDGE, 1.0 - _EDGE)
    return np.asarray(np.log(clipped) - np.log1p(-clipped))


def _weigh(q: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """P(contradicts) from the text's ``q`` and the rating's likelihood ratio (Bayes, in odds)."""
    odds = q / (1.0 - q) * ratio
    return np.asarray(odds / (1.0 + odds))


def weigh_by_ratings(
    judged: Sequence[Judgements], sentence_bands: np.ndarray
) -> tuple[list[Judgements], RatingPrior | None]:
    """Every claim's judgements with the side re-read in the light of each sentence's review rating.

    ``sentence_bands`` holds each review sentence's band (:func:`rating_bands` of its review). The prior is
    fitted on all the claims' readings together, then each reading's P(contradicts | on aspect) is weighed
    by its band's likelihood ratio; its relevance (1 - p_neutral) is unchanged, and the stance is again the
    most probable label. Unrated reviews keep their reading. Returns the judgements unchanged and None
    when too few readings are rated for a fit.
    """
    pieces = [_reading(found, sentence_bands) for found in judged]
    if not pieces:
        return list(judged), None
    q, bands, relevance = (np.concatenate([piece[i] for piece in pieces]) for i in range(3))
    prior = fit_rating_prior(q, bands, relevance)
    if prior is None:
        return list(judged), None
    ratios = np.append(np.asarray(prior.likelihood_ratio), 1.0)  # UNRATED (-1) reads the last: no weight
    weighed = []
    for found, (text, band, on_aspect) in zip(judged, pieces, strict=True):
        if len(found) == 0:
            weighed.append(found)
            continue
        contradicts = _weigh(np.clip(text, _EDGE, 1.0 - _EDGE), ratios[band])
        dtype = np.result_type(found.p_supports)
        probabilities = np.stack([on_aspect * (1.0 - contradicts), on_aspect * contradicts, found.p_neutral], axis=1)
        weighed.append(
            Judgements(
                sentence_index=found.sentence_index,
                similarity=found.similarity,
                p_supports=probabilities[:, 0].astype(dtype),
                p_contradicts=probabilities[:, 1].astype(dtype),
                p_neutral=found.p_neutral,
                label=probabilities.argmax(axis=1).astype(np.uint8),
            )
        )
    return weighed, prior


def _reading(found: Judgements, sentence_bands: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A claim's readings: q = P(contradicts | on aspect), each sentence's band, and the relevance."""
    supports = np.asarray(found.p_supports, dtype=np.float64)
    contradicts = np.asarray(found.p_contradicts, dtype=np.float64)
    relevance = supports + contradicts
    q = np.divide(contradicts, relevance, out=np.full(len(found), 0.5), where=relevance > 0)
    bands = np.asarray(sentence_bands, dtype=np.int64)[np.asarray(found.sentence_index, dtype=np.int64)]
    return q, bands, relevance


def rating_prior_note(prior: RatingPrior) -> str:
    """The report's note on how the ratings weighed the stance, with how to turn it off."""
    low, middle, high = prior.likelihood_ratio
    return (
        f"Each sentence's stance is weighed by its review's star rating, as strongly as this dataset's ratings "
        f"agree with its sentences ({prior.readings:,} rated readings): the odds that a sentence contradicts "
        f"a claim are multiplied by {low:.2g} in a low-rated review, {middle:.2g} in a middle one and "
        f"{high:.2g} in a high-rated one. To judge the words alone, turn off “Weigh stance by star ratings” "
        "in the app's Check settings (--no-rating-prior; Config(rating_prior=False))."
    )
