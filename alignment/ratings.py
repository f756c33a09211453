"""What a review's star rating says: its scale, the side it takes, and how it weighs the stance read from
the review's sentences (the rating prior).

A sentence's text is read by the stance model alone; a rating is the customer's own verdict on the whole
review. Where the text leaves the side open ("The rural coverage is the reason I switched", sarcasm, a
complaint in calm words), the rating settles much of it. How much a rating says is not assumed: it is
fitted on each check's own readings (:func:`fit_rating_prior`), so a dataset whose ratings track its
customers' words closely weighs them strongly, and one whose ratings say little barely moves.

The ratings also teach a second reading of the words (:func:`read_by_ratings`): a logistic regression over
the dataset's own sentence vectors that tells a low-rated review's sentences from a high-rated one's. The
stance model was trained on the project's writing; this reader learns how *these* customers write when
they are unhappy ("runs small", "the material is stretchy" in a sweater's reviews), and each sentence is
read by a reader fitted without its own review, so its own rating never reaches its reading.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from alignment.records import Judgements

Side = str  # "contradicts" or "supports"

RATING_SCALES = ((1.0, 5.0), (0.0, 5.0), (1.0, 10.0), (0.0, 10.0), (0.0, 100.0))
# A typo in an export ("50" for "5") must not turn a 1-5 file into a 0-100 one, under which every 5 stars
# would read as a complaint. So a scale may leave out up to this share of the ratings, whatever their value:
# a lone "6" or three "10"s among thousands of 1-5 stars made the file 1-10, and every 4 stars a complaint
# (a 1-10 file has far more than 1% of its ratings over 5: its 6-10 stay a 1-10 scale). And one rating more
# than twice the top in any file of RATING_TYPO_MIN_RATINGS or more: one typo among 95 ratings flipped every 5
# stars into a complaint when a file of under 100 had to fit its scale whole (a "7" among a few dozen 1-5
# stars may be a rating on a longer scale, so there only a slip of the keyboard is left out). UX bounds, not
# fitted; a file of fewer ratings than that must fit whole (two ratings, 5 and 55, say nothing of which is
# the slip).
RATING_OFF_SCALE_SHARE = 0.01
# How such a rating is counted among a dataset's unread values.
OFF_SCALE_RATING = "rating off the file's scale"
RATING_TYPO_MIN_RATINGS = 10
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

# The rating reader (read_by_ratings). Each sentence is read by a reader fitted on the other folds' reviews
# (cross-fitting), so no sentence's own rating reaches its reading. Design bounds, not fitted: five folds;
# at most 20,000 training sentences per fold, so a fit stays a few seconds on millions of sentences (on the
# 18,500 rated clothing sentences of benchmarks/rating_prior.py, 5,000 read as well once joined to the
# model); the L2 penalty of scikit-learn's default (C = 1); and no reader with fewer than 200 sentences on
# either side, below which a fold's fit over 384 dimensions is mostly noise (the calibration would shrink
# it towards nothing anyway).
RATING_READER_FOLDS = 5
RATING_READER_SAMPLE = 20_000
RATING_READER_PENALTY = 1.0
RATING_READER_MIN_SENTENCES = 200
_READER_SEED = 20261201
_READER_BLOCK = 100_000  # sentences scored at a time, so a memory-mapped matrix is read in bounded pieces
_NEWTON_ROUNDS = 50


def rating_bounds(ratings: Sequence[float]) -> tuple[float, float] | None:
    """The rating scale the values fit: (1, 5), (0, 5), (1, 10), (0, 10), (0, 100) or their observed range.
    A scale fits when every rating lies on it, or all but a few above it (:func:`off_scale`)."""
    if not len(ratings):
        return None
    values = np.asarray(ratings, dtype=np.float64)
    low = float(values.min())
    share = int(len(values) * RATING_OFF_SCALE_SHARE)
    slips = max(share, int(len(values) >= RATING_TYPO_MIN_RATINGS))
    for scale_low, scale_high in RATING_SCALES:
        if low < scale_low:
            continue
        beyond = values[values > scale_high]
        if len(beyond) <= share or (len(beyond) <= slips and bool((beyond > 2 * scale_high).all())):
            return scale_low, scale_high
    return low, float(values.max())


def off_scale(ratings: Sequence[float], bounds: tuple[float, float] | None) -> int:
    """How many ratings lie above the scale :func:`rating_bounds` chose: typos to check, left out of the
    mean and never read as a side."""
    return 0 if bounds is None else int((np.asarray(ratings, dtype=np.float64) > bounds[1]).sum())


def off_scale_counted(counts: Mapping[float, int]) -> int:
    """:func:`off_scale` for ratings given as counts of each value ({5.0: 812, 1.0: 97, 50.0: 1}), as a
    column streamed in chunks or a database keeps them: the scale is read from every rating all the same."""
    if not counts:
        return 0
    values = np.fromiter(counts.keys(), dtype=np.float64, count=len(counts))
    times = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    bounds = rating_bounds(np.repeat(values, times))  # type: ignore[arg-type]
    return 0 if bounds is None else int(times[values > bounds[1]].sum())


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
    # The rating reader (read_by_ratings) joined to the text's reading: the rated sentences it was fitted
    # on (0: no reader) and how well it tells low- from high-rated reviews' sentences it never saw (AUC).
    reader_sentences: int = 0
    reader_auc: float | None = None

    def to_dict(self) -> dict[str, object]:
        """The prior as a JSON-ready dict."""
        ratios = zip(BAND_NAMES, self.likelihood_ratio, strict=True)
        result: dict[str, object] = {
            "readings": self.readings,
            "likelihood_ratio": {name: round(ratio, 4) for name, ratio in ratios},
        }
        if self.reader_sentences:
            result["reader"] = {"sentences": self.reader_sentences, "auc": _rounded(self.reader_auc)}
        return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True, slots=True)
class RatingReader:
    """A reading of every sentence learned from the dataset's own ratings (:func:`read_by_ratings`).

    ``log_ratio`` holds, per sentence, log P(words | low-rated review) / P(words | high-rated review), from a
    reader fitted without the sentence's own review and calibrated on the readers' held-out scores;
    ``sentences`` is how many rated sentences the readers were fitted on, ``auc`` how well the held-out
    scores tell low-rated reviews' sentences from high-rated ones' (0.5: not at all).
    """

    log_ratio: np.ndarray
    sentences: int
    auc: float


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
        ratio = _ordered_ratios(contradicting / contradicting.sum(), supporting / supporting.sum())
        updated = _weigh(text, ratio[:, None])
        settled = float(np.abs(updated - posterior).max()) < _TOLERANCE
        posterior = updated
        if settled:
            break
    return RatingPrior(
        likelihood_ratio=(float(ratio[0]), float(ratio[1]), float(ratio[2])), readings=round(float(w.sum()))
    )


def _ordered_ratios(contradicting: np.ndarray, supporting: np.ndarray) -> np.ndarray:
    """Each band's likelihood ratio P(band | contradicts) / P(band | supports), ordered as ratings are: a
    lower band never makes contradiction less likely than a higher one. Where the fit says otherwise (a few
    middle ratings that happen to be gloomier than the low ones), the bands out of order are pooled into
    one ratio (pool adjacent violators), so no note tells a marketer that a 3★ review weighs more against a
    claim than a 1★ one."""
    blocks = [[float(c), float(s), [band]] for band, (c, s) in enumerate(zip(contradicting, supporting, strict=True))]
    merged: list[list] = []  # [contradicting, supporting, bands], ratios falling from low to high
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][0] / merged[-2][1] < merged[-1][0] / merged[-1][1]:
            last = merged.pop()
            merged[-1] = [merged[-1][0] + last[0], merged[-1][1] + last[1], merged[-1][2] + last[2]]
    ratio = np.empty(len(blocks))
    for c, s, bands in merged:
        ratio[bands] = c / s
    return ratio


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EDGE, 1.0 - _EDGE)
    return np.asarray(np.log(clipped) - np.log1p(-clipped))


def _weigh(q: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """P(contradicts) from the text's ``q`` and the rating's likelihood ratio (Bayes, in odds)."""
    odds = q / (1.0 - q) * ratio
    return np.asarray(odds / (1.0 + odds))


def weigh_by_ratings(
    judged: Sequence[Judgements], sentence_bands: np.ndarray, reader: RatingReader | None = None
) -> tuple[list[Judgements], RatingPrior | None]:
    """Every claim's judgements with the side re-read in the light of each sentence's review rating.

    ``sentence_bands`` holds each review sentence's band (:func:`rating_bands` of its review). With a
    ``reader`` (:func:`read_by_ratings`), each reading's P(contradicts | on aspect) is first joined to the
    reader's in log-odds (a product of two readers of the same words, the model's and the dataset's). The
    prior is then fitted on all the claims' readings together, and each reading is weighed by its band's
    likelihood ratio; its relevance (1 - p_neutral) is unchanged, and the stance is again the most probable
    label. Unrated reviews keep their reading, joined to the reader's. Returns the judgements unchanged and
    None when too few readings are rated for a fit.
    """
    pieces = [_reading(found, sentence_bands) for found in judged]
    if not pieces:
        return list(judged), None
    q, bands, relevance = (np.concatenate([piece[i] for piece in pieces]) for i in range(3))
    if reader is not None and not _low_ratings_contradict(q, bands, relevance):
        reader = None
    if reader is not None:
        pieces = [
            (_joined(text, reader.log_ratio[np.asarray(found.sentence_index, dtype=np.int64)]), band, on_aspect)
            for found, (text, band, on_aspect) in zip(judged, pieces, strict=True)
        ]
        q = np.concatenate([piece[0] for piece in pieces])
    prior = fit_rating_prior(q, bands, relevance)
    if prior is None:
        return list(judged), None
    if reader is not None:
        prior = RatingPrior(prior.likelihood_ratio, prior.readings, reader.sentences, reader.auc)
    ratios = np.append(np.asarray(prior.likelihood_ratio), 1.0)  # UNRATED (-1) reads the last: no weight
    weighed = []
    for found, (text, band, _) in zip(judged, pieces, strict=True):
        if len(found) == 0:
            weighed.append(found)
            continue
        weighed.append(found.with_sides(_weigh(np.clip(text, _EDGE, 1.0 - _EDGE), ratios[band])))
    return weighed, prior


def _reading(found: Judgements, sentence_bands: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A claim's readings: q = P(contradicts | on aspect), each sentence's band, and the relevance."""
    relevance = np.asarray(found.p_supports, dtype=np.float64) + np.asarray(found.p_contradicts, dtype=np.float64)
    bands = np.asarray(sentence_bands, dtype=np.int64)[np.asarray(found.sentence_index, dtype=np.int64)]
    return found.sides(), bands, relevance


def _low_ratings_contradict(q: np.ndarray, bands: np.ndarray, relevance: np.ndarray) -> bool:
    """Whether the text's own readings find contradiction likelier in low-rated reviews than in high-rated
    ones. The reader learns what low-rated reviews say and pushes it towards contradiction; on a scale
    where 1 is best it would push praise there, so it is joined only where the text agrees."""
    prior = fit_rating_prior(q, bands, relevance)
    return prior is not None and prior.likelihood_ratio[LOW] > prior.likelihood_ratio[HIGH]


def _joined(q: np.ndarray, log_ratio: np.ndarray) -> np.ndarray:
    """q joined to the reader's log-likelihood ratio in log-odds."""
    odds = np.clip(_logit(q) + log_ratio, -_LOGIT_SPAN * 4, _LOGIT_SPAN * 4)
    return np.asarray(1.0 / (1.0 + np.exp(-odds)))


def read_by_ratings(
    sentence_vectors: np.ndarray, sentence_bands: np.ndarray, sentence_reviews: np.ndarray
) -> RatingReader | None:
    """Every sentence read by a reader fitted on the dataset's own ratings, or None with too few of them.

    The reader is a logistic regression over the sentence vectors, fitted to tell the sentences of
    low-rated reviews from those of high-rated ones (each side weighted equally). Reviews are dealt into
    RATING_READER_FOLDS folds; each fold's sentences are scored by a reader fitted on the other folds
    (at most RATING_READER_SAMPLE sentences of them, drawn with a fixed seed, so the result is
    deterministic), and the held-out scores are calibrated by a one-feature logistic regression into a
    log-likelihood ratio. A dataset whose ratings do not follow its words gets a ratio near zero.

    The last reader fitted is kept for the next check of the same dataset (a fit takes about 1.6 s for
    100,000 sentences; the app's vet-copy loop re-checks the same reviews on every edit): a matrix the
    workspace serves read-only is known by identity, as the context reading's is, any other by its bytes.
    """
    bands = np.asarray(sentence_bands)
    reviews = np.asarray(sentence_reviews, dtype=np.int64)
    is_low, is_high = bands == LOW, bands == HIGH
    if int(is_low.sum()) < RATING_READER_MIN_SENTENCES or int(is_high.sum()) < RATING_READER_MIN_SENTENCES:
        return None
    global _kept_reader
    served = isinstance(sentence_vectors, np.ndarray) and not sentence_vectors.flags.writeable
    key = _reader_key(sentence_vectors, bands, reviews, served)
    entry = _kept_reader
    if entry is not None and entry[0] == key and (entry[1] is None or entry[1]() is sentence_vectors):
        return entry[2]
    reader = _fit_reader(sentence_vectors, is_low, is_high, reviews)
    _kept_reader = (key, weakref.ref(sentence_vectors, _forget_reader) if served else None, reader)
    return reader


def _fit_reader(vectors: np.ndarray, is_low: np.ndarray, is_high: np.ndarray, reviews: np.ndarray) -> RatingReader:
    rng = np.random.default_rng(_READER_SEED)
    fold_of_review = rng.permutation(int(reviews.max()) + 1) % RATING_READER_FOLDS
    fold = fold_of_review[reviews]
    eligible = np.flatnonzero(is_low | is_high)
    scores = np.zeros(len(vectors), dtype=np.float64)
    trained = 0
    for k in range(RATING_READER_FOLDS):
        train = eligible[fold[eligible] != k]
        if len(train) > RATING_READER_SAMPLE:
            train = np.sort(rng.choice(train, RATING_READER_SAMPLE, replace=False))
        trained = max(trained, len(train))
        weights = _fit_logistic(np.asarray(vectors[train], dtype=np.float64), is_low[train], RATING_READER_PENALTY)
        rows = np.flatnonzero(fold == k)
        for begin in range(0, len(rows), _READER_BLOCK):
            block = rows[begin : begin + _READER_BLOCK]
            scores[block] = np.asarray(vectors[block], dtype=np.float64) @ weights[:-1] + weights[-1]
    held = scores[eligible]
    slope, intercept = _fit_logistic(held[:, None], is_low[eligible], 0.0)
    log_ratio = (slope * scores + intercept).astype(np.float32)
    log_ratio.flags.writeable = False
    return RatingReader(log_ratio=log_ratio, sentences=trained, auc=_auc(held, is_low[eligible]))


def _fit_logistic(features: np.ndarray, positive: np.ndarray, penalty: float) -> np.ndarray:
    """Weights (then the intercept) of an L2-penalised logistic regression, each class weighted equally,
    by Newton's method: deterministic, and exact to the tolerance in a few rounds for 385 weights."""
    n, width = features.shape
    target = positive.astype(np.float64)
    share = float(target.mean())
    sample = np.where(positive, 0.5 / share, 0.5 / (1.0 - share)) / n
    design = np.hstack([features, np.ones((n, 1))])
    # The curvature only steers the steps; the gradient, in float64, sets where they stop. So it is summed
    # in float32, the bulk of a round's work, at half the cost.
    design_32 = design.astype(np.float32)
    ridge = np.full(width + 1, penalty / n)
    ridge[-1] = 0.0  # the intercept is not penalised
    weights = np.zeros(width + 1)
    for _ in range(_NEWTON_ROUNDS):
        p = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (sample * (p - target)) + ridge * weights
        spread = (sample * p * (1.0 - p)).astype(np.float32)
        curvature = (design_32 * spread[:, None]).T @ design_32 + np.diag(ridge + 1e-12)
        step = np.linalg.solve(curvature.astype(np.float64), gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-7:
            break
    return weights


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """The probability that a positive's score exceeds a negative's (ties count half)."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    # ties share their mean rank
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]
    n_pos = int(positive.sum())
    n_neg = len(scores) - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# The one kept reader (read_by_ratings): (the key of what it was fitted on, a weak reference to its matrix when
# the matrix is known by identity, the reader). Replaced whole, never edited, as stance's kept context
# reading is, so a check in another thread reads either the old entry or the new one.
_kept_reader: tuple[str, weakref.ReferenceType[np.ndarray] | None, RatingReader] | None = None


def _reader_key(vectors: np.ndarray, bands: np.ndarray, reviews: np.ndarray, served: bool) -> str:
    """What a reader depends on: the ratings, the reviews, and the matrix's bytes unless it is ``served``
    read-only (hashing a workspace's 150 MB per 100,000 sentences on every re-check would cost a tenth of
    a fit; its identity says the same)."""
    digest = hashlib.blake2b(np.ascontiguousarray(bands).tobytes(), digest_size=16)
    digest.update(np.ascontiguousarray(reviews).tobytes())
    if not served:
        digest.update(np.ascontiguousarray(vectors).tobytes())
    return digest.hexdigest()


def _forget_reader(reference: weakref.ReferenceType[np.ndarray]) -> None:
    """Drop the kept reader when its read-only matrix is gone (the workspace closed the dataset)."""
    global _kept_reader
    entry = _kept_reader
    if entry is not None and entry[1] is reference:
        _kept_reader = None


def rating_prior_note(prior: RatingPrior) -> str:
    """The report's note on how the ratings weighed the stance, with how to turn it off."""
    low, middle, high = prior.likelihood_ratio
    return (
        f"Each sentence's stance is weighed by its review's star rating, as strongly as this dataset's ratings "
        f"agree with its sentences ({prior.readings:,} rated readings): the odds that a sentence contradicts "
        f"a claim are multiplied by {_factor(low)} in a low-rated review, {_factor(middle)} in a middle one and "
        f"{_factor(high)} in a high-rated one.{_reader_note(prior)} The weighing is fitted on all of the check's "
        "claims together, so rewording, adding or dropping one can move the others' counts a little. To judge "
        "the words alone, check with "
        "--no-rating-prior (Config(rating_prior=False); in the app, “Weigh stance by star ratings” off)."
    )


def _factor(ratio: float) -> str:
    """A factor as a person reads it: "0.86", "34,000", and a small one as a fraction, "1/40,000", where
    ``.2g`` would write "3.4e+04" and "2.5e-05"."""
    if ratio >= 100:
        return f"{float(f'{ratio:.2g}'):,.0f}"
    if ratio >= 0.01 or ratio <= 0:
        return f"{ratio:.2g}"
    return f"1/{float(f'{1 / ratio:.2g}'):,.0f}"


def _reader_note(prior: RatingPrior) -> str:
    if not prior.reader_sentences:
        return ""
    auc = prior.reader_auc
    told = "" if auc is None else f", which tells low- from high-rated reviews' sentences apart at AUC {auc:.2f}"
    return (
        f" The words are also read by a reader fitted on {prior.reader_sentences:,} of this dataset's rated "
        f"sentences{told}; a sentence is never read by a reader that saw its own review's rating."
    )
