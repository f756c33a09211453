"""check(): ad copy and reviews in, a judged Report out; each stage is one call into its module."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alignment.claims import claims_from_lines, read_copy
from alignment.config import Config
from alignment.embed import Embedder, FastEmbedder, MiniLMEmbedder, TextEncoder, check_vectors
from alignment.errors import InputError
from alignment.ingest import (
    ReviewSet,
    coerce_ads,
    count_language_words,
    english_share,
    load_reviews,
    read_language,
    table_with_text_names,
)
from alignment.match import claim_thresholds, match_claims, matched_under
from alignment.progress import Progress, SilentProgress
from alignment.quantities import quantity_note, weigh_by_quantities
from alignment.ratings import RatingPrior, rating_bands, rating_prior_note, read_by_ratings, weigh_by_ratings
from alignment.records import Ad, Claim, ClaimResult, Judgements, PossibleClaim, wording_key
from alignment.report import Report
from alignment.score import ON_TOPIC_SIMILARITY, closest_similarity, score_claim
from alignment.stance import (
    BreachQueryModel,
    EmbedderAwareStanceModel,
    EmbeddingStanceModel,
    StanceModel,
    judge_matches,
    select_stance_model,
)

if TYPE_CHECKING:
    from spacy.language import Language


NO_CLAIMS_NOTE = "No checkable claims were found in the ad copy."
MAX_CLAIM_CHARS = 400  # the longest claim wording typed in the app or given in a --claims file


@functools.cache
def default_embedder() -> MiniLMEmbedder:
    """The bundled MiniLM embedder, created once per process and loaded on first use."""
    return MiniLMEmbedder()


def check(
    ads: str | Sequence[str] | Sequence[Ad] | pd.DataFrame | None = None,
    reviews: pd.DataFrame | str | Path | ReviewSet | None = None,
    config: Config | None = None,
    *,
    claims: Sequence[str] | Sequence[Claim] | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    rating_column: str | None = None,
    segment_columns: Sequence[str] | str | None = None,
    sheet: str | int | None = None,
    embedder: Embedder | TextEncoder | str | None = None,
    stance_model: StanceModel | str | None = None,
    nlp: Language | None = None,
    progress: Progress | None = None,
    day_first: bool | None = None,
) -> Report:
    """Extract the claims from ``ads`` and judge them against ``reviews``.

    Args:
        ads: ad copy: a string (ads separated by blank lines), a list of strings, or a DataFrame with a
            ``text`` column (and optionally ``id``). Leave it out when giving ``claims``.
        reviews: a DataFrame, a path to a CSV/TSV/Excel/JSON/JSONL/Parquet file, or a loaded ReviewSet
            (required). A DataFrame's column names are read as strings (``read_csv(header=None)`` gives
            0, 1, ...: name the text column "1"); they must be unique.
        config: settings; ``Config()`` when omitted.
        claims: claims to use verbatim instead of extracting them from ``ads``.
        text_column, id_column, date_column, rating_column, segment_columns: column names; detected
            when omitted. ``segment_columns`` is a list of names, or one name.
        sheet: which sheet of an Excel file (a name, or a 0-based number); default the first with a table.
        day_first: how the date column writes numeric dates (True: "03/04/2025" is 3 April); by default
            the dates settle it, as :func:`alignment.load_reviews` says.
        embedder: "exact" or "fast" (:func:`alignment.embed.select_embedder`), or anything with
            ``encode(texts)`` returning L2-normalised float32 vectors, one row per text (a ``model_id``
            names its vectors in caches; ``encode`` may take ``progress=``).
        stance_model: "bundled" or "lexicon", or anything with ``predict_proba``.
        nlp: a loaded spaCy pipeline.
        progress: a :class:`alignment.progress.Progress`; receives stage progress (embedding is the long one).

    Returns:
        A Report with every claim in input order and all of its relevant evidence.

    Raises:
        InputError: bad ads, unreadable or empty reviews, or missing columns.
    """
    config, embedder, stance_model, progress = check_parts(config, embedder, stance_model, nlp, progress)
    if (ads is None) == (claims is None):
        raise InputError("Give either ad copy (ads) or a list of claims, not both and not neither.")
    if reviews is None:
        raise InputError("Give the reviews: check(ads, reviews) or check(claims=[...], reviews=...).")
    review_set = (
        reviews
        if isinstance(reviews, ReviewSet)
        else load_reviews(
            reviews,
            text_column,
            id_column,
            date_column,
            rating_column,
            segment_columns,
            sheet=sheet,
            day_first=day_first,
        )
    )
    if claims is not None and not isinstance(claims, Sequence) and isinstance(claims, Iterable):
        claims = list(claims)  # a generator or a map() is read once, here: _resolve_claims and the note below
    claim_list, possible, ad_list = _resolve_claims(ads, claims, config, nlp)
    embedder = embedder or default_embedder()
    results, prior = judge_and_weigh(claim_list, review_set, config, embedder, stance_model, progress)
    truncated = claims is None and len(claim_list) >= config.max_claims
    report = build_report(results, review_set, config, prior, truncated=truncated, ads=ad_list, possible=possible)
    blank = None if claims is None else blank_claims_note(claims)
    notes = report.notes if blank is None else (blank, *report.notes)
    return dataclasses.replace(report, notes=notes, embedder=embedder.model_id)


def blank_claims_note(claims: Sequence[object]) -> str | None:
    """A note naming the blank strings in a given claims list, which are skipped (so the claims checked are
    numbered c1, c2, ... without them); None when there are none."""
    blank = [position for position, item in enumerate(claims, 1) if isinstance(item, str) and not item.strip()]
    if not blank:
        return None
    where = ", ".join(map(str, blank[:10])) + (", ..." if len(blank) > 10 else "")
    plural = "s" if len(blank) > 1 else ""
    return (
        f"Skipped {len(blank)} blank claim{plural} in claims (position{plural} {where}, counting from 1); "
        f"the {len(claims) - len(blank)} others were checked."
    )


def check_parts(
    config: object, embedder: object, stance_model: object, nlp: object, progress: object
) -> tuple[Config, Embedder | None, StanceModel | None, Progress]:
    """The swappable parts of a check, each checked for what it must offer (a wrong one is an
    :class:`InputError` that says what to give, not an AttributeError deep in the check): the config, the
    embedder (a kind's name, or any object with ``encode``), the stance model (a name, or any object with
    ``predict_proba``), the spaCy pipeline and the progress."""
    from alignment.embed import select_embedder

    if config is None:
        config = Config()
    elif not isinstance(config, Config):
        hint = " Build one from a dict with Config(**settings)." if isinstance(config, dict) else ""
        raise InputError(
            f"config must be an alignment.Config, such as Config(min_evidence=5), not {_kind(config)}.{hint}"
        )
    if isinstance(embedder, str):
        embedder = select_embedder(embedder)
    elif embedder is not None:
        if not callable(getattr(embedder, "encode", None)):
            raise InputError(
                f"embedder must have an encode(texts) method returning one vector per text, not {_kind(embedder)}; "
                "or name one: 'exact' or 'fast'."
            )
        embedder = as_embedder(embedder)
    if isinstance(stance_model, str):
        # the report's config names the judge that read the evidence, as the CLI's --stance-model does
        config = dataclasses.replace(config, stance_model=stance_model)
        stance_model = select_stance_model(stance_model)
    elif stance_model is not None:
        if not callable(getattr(stance_model, "predict_proba", None)):
            raise InputError(
                f"stance_model must have a predict_proba method, not {_kind(stance_model)}; or name one: 'bundled' "
                "or 'lexicon'."
            )
        config = dataclasses.replace(config, stance_model=_model_name(stance_model))
    if nlp is not None and not callable(getattr(nlp, "pipe", None)):
        raise InputError(f"nlp must be a loaded spaCy pipeline (spacy.load(...)), not {_kind(nlp)}.")
    if progress is None:
        progress = SilentProgress()
    elif not all(callable(getattr(progress, method, None)) for method in ("start", "advance", "finish")):
        raise InputError(
            f"progress must have start, advance and finish methods (an alignment.progress.Progress, such as "
            f"terminal_progress()), not {_kind(progress)}."
        )
    return config, embedder, stance_model, progress  # type: ignore[return-value]


def _model_name(model: object) -> str:
    """How a stance model of the user's own is named in a report's config: its ``name``, or its class."""
    kind = type(model)
    return str(getattr(model, "name", None) or f"{kind.__module__}.{kind.__qualname__}")


def _kind(value: object) -> str:
    """How a wrong argument is named in a message: its type, and a short value ("str 'fast'")."""
    shown = repr(value)
    return type(value).__name__ + (
        f" {shown}" if len(shown) <= 40 and isinstance(value, (str, int, float, bool)) else ""
    )


class _CheckedEmbedder:
    """A user's embedder offered as an :class:`Embedder`: its vectors checked and scaled to unit length
    (:func:`alignment.embed.check_vectors`), of one width in every call, a ``model_id`` from its class when it
    has none, and ``progress`` reported after each call when its ``encode`` does not take it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        kind = type(inner)
        self.model_id = str(getattr(inner, "model_id", None) or f"{kind.__module__}.{kind.__qualname__}")
        self.name = kind.__qualname__
        self._takes_progress = _takes_keyword(inner.encode, "progress")
        self._width: int | None = None  # of the first vectors given: claims and sentences must share it

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """The inner embedder's vectors, as a float32 matrix of one unit-length row per text.

        Raises:
            InputError: the vectors are not one row of finite numbers per text, or not as wide as before.
        """
        encode = self.inner.encode
        vectors = encode(texts, progress=progress) if self._takes_progress else encode(list(texts))
        matrix = check_vectors(vectors, len(texts), self.name)
        if len(texts):
            if self._width is None:
                self._width = matrix.shape[1]
            elif matrix.shape[1] != self._width:
                raise InputError(
                    f"The embedder {self.name} gave {matrix.shape[1]}-dimensional vectors after "
                    f"{self._width}-dimensional ones; it must give vectors of one dimension for every text."
                )
        if progress is not None and not self._takes_progress:
            progress(len(texts))
        return matrix


def as_embedder(embedder: Any) -> Embedder:
    """``embedder`` as an :class:`Embedder`: the bundled ones as they are, anything else wrapped so that its
    vectors are checked (and scaled to unit length) where they are first used, and it has a ``model_id``
    and takes ``progress``."""
    if isinstance(embedder, (MiniLMEmbedder, FastEmbedder)):
        return embedder
    return _CheckedEmbedder(embedder)


def _takes_keyword(function: object, name: str) -> bool:
    """Whether ``function`` accepts the keyword argument ``name`` (or any keyword)."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True  # a builtin or C function: assume it follows the protocol
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def build_report(
    results: Sequence[ClaimResult],
    review_set: ReviewSet,
    config: Config,
    rating_prior: RatingPrior | None,
    *,
    truncated: bool = False,
    ads: Sequence[Ad] | None = None,
    possible: Sequence[PossibleClaim] | None = None,
) -> Report:
    """The report of claims judged against ``review_set`` (:func:`judge_and_weigh`), with what it says about
    the check (:func:`check_notes`): what :func:`check` returns, and what the app builds from its cached
    steps."""
    return Report(
        claims=tuple(results),
        dataset=review_set.summary,
        config=config,
        reviews=review_set.reviews,
        sentences=review_set.sentences,
        notes=check_notes(
            results,
            review_set.summary.sentences,
            config,
            truncated=truncated,
            rating_prior=rating_prior,
            sentence_texts=[sentence.text for sentence in review_set.sentences],
            review_texts=[review.text for review in review_set.reviews],
            ads=ads,
        ),
        possible_claims=None if possible is None else tuple(possible),
        rating_prior=rating_prior,
        ads=None if ads is None else tuple(ads),
    )


def check_notes(
    results: Sequence[ClaimResult],
    sentences: int,
    config: Config,
    *,
    truncated: bool = False,
    rating_prior: RatingPrior | None = None,
    sentence_texts: Sequence[str] | None = None,
    review_texts: Sequence[str] | None = None,
    ads: Sequence[Ad] | None = None,
) -> tuple[str, ...]:
    """What a report says about the check itself: ad copy (given ``ads``: :func:`copy_language_note`) or
    reviews (given ``review_texts``: :func:`language_note`) that do not read as English, no claim found, or
    only the first max_claims checked (``truncated``), no claim matched at all (:func:`unmatched_note`),
    the claims matched too broadly
    (:func:`broad_match_note`) or only loosely (:func:`off_topic_note`), which claims' promised amounts were
    read against reported ones (with ``config.quantities`` and the review ``sentence_texts``), and how the
    ratings weighed the stance (``rating_prior``)."""
    copy_language = None if ads is None else copy_language_note(ads)
    language = None if review_texts is None else language_note(review_texts)
    notes = [note for note in (copy_language, language) if note]
    if not results:
        notes.append(NO_CLAIMS_NOTE)
    elif truncated:
        notes.append(f"Only the first {config.max_claims} claims were checked (max_claims).")
    unmatched = unmatched_note(results, sentences, config)
    if unmatched:
        notes.append(unmatched)
    broad = broad_match_note(results, sentences, config)
    if broad:
        notes.append(broad)
    off_topic = off_topic_note(results)
    if off_topic:
        notes.append(off_topic)
    lowered = relative_match_note(results, config)
    if lowered:
        notes.append(lowered)
    if config.quantities and sentence_texts is not None:
        judged = [Judgements.from_records(r.judgements) for r in results]
        amounts = quantity_note([r.claim.text for r in results], judged, sentence_texts)
        if amounts:
            notes.append(amounts)
    if rating_prior is not None:
        notes.append(rating_prior_note(rating_prior))
    return tuple(notes)


def claim_key(result: ClaimResult) -> str:
    """A claim's wording (:func:`alignment.records.wording_key`): the same promise in two ads has the same key
    (and, checked against the same reviews, the same evidence)."""
    return wording_key(result.claim.text)


def distinct_claims(results: Sequence[ClaimResult]) -> list[ClaimResult]:
    """The results with one per claim wording (:func:`claim_key`): copy that repeats a promise in five ads
    has five identical results, and a note names the promise once."""
    seen: set[str] = set()
    kept = []
    for result in results:
        key = claim_key(result)
        if key not in seen:
            seen.add(key)
            kept.append(result)
    return kept


def unmatched_note(results: Sequence[ClaimResult], sentences: int, config: Config) -> str | None:
    """A note when not one review sentence matched any claim, with what to change, or None: every claim is
    then unproven, and nothing else in the report says why."""
    if not results or not sentences or any(len(r.judgements) for r in results):
        return None
    return (
        f"No review sentence matched any claim: none of the {sentences:,} sentences reads within the relevance "
        f"threshold (min_similarity {config.min_similarity:.2f}) of a claim, so every claim is unproven. Lower "
        "it (--min-similarity; the app's Check settings) or check that the reviews are about the product or "
        "service the copy promises."
    )


def off_topic_note(results: Sequence[ClaimResult]) -> str | None:
    """A note naming the claims that matched sentences but none within ON_TOPIC_SIMILARITY, so are left
    unproven (:func:`alignment.score.on_topic`), or None. Mostly copy checked against reviews of another
    product or business: a bank's "Open late on Fridays" against a telecom's reviews."""
    loose = [
        (r.claim.text, closest)
        for r in distinct_claims(results)
        if (closest := closest_similarity(r.judgements)) is not None and closest < ON_TOPIC_SIMILARITY
    ]
    if not loose:
        return None
    # Rounded down, so that a claim at 0.3996 is never said to come within 0.40 of it.
    named = ", ".join(f"“{text}” (closest {math.floor(closest * 100) / 100:.2f})" for text, closest in loose)
    return (
        f"No review sentence speaks clearly to {named}: none reads within similarity {ON_TOPIC_SIMILARITY:.2f} "
        "of the claim, so it is left unproven whatever its counts. Check that the reviews are about the "
        "product or service the copy promises."
    )


# A dataset is said not to read as English when fewer than this share of its texts do: every
# English dataset at hand reads 0.99 or more (alignment.ingest.english_share), and text in another
# language about 0, so a third of it in another language is worth a word. Under ENGLISH_MIN_TEXTS long
# enough to tell, nothing is said (UX bounds, not fitted).
ENGLISH_SHARE = 0.7
ENGLISH_MIN_TEXTS = 5


def language_note(review_texts: Sequence[str]) -> str | None:
    """A note when a third or more of the reviews do not read as English (:func:`alignment.ingest.english_share`),
    with what to do, or None. Ad copy is not read this way: its telegraphic English ("Free shipping. 30-day
    returns.") holds such words in only two ads of three."""
    share, read = english_share(review_texts)
    if read < ENGLISH_MIN_TEXTS or share >= ENGLISH_SHARE:
        return None
    read_as = "None" if share == 0 else f"Only {share:.0%}"
    return (
        f"{read_as} of the reviews read as English (of {read:,} reviews of four words or more read). alignment "
        "reads English only: its matches and stances in another language are unreliable. Check the English "
        "reviews apart, or translate the others first."
    )


def copy_language_note(ads: Sequence[Ad]) -> str | None:
    """A note when the ad copy, or some of its ads, do not read as English (:func:`alignment.ingest.read_language`,
    strict: short English copy holds few of the common words the rule counts), naming those ads, or None."""
    other = [read_language(ad.text, strict=True) is False for ad in ads]
    named = [ad.ad_id for ad, is_other in zip(ads, other, strict=True) if is_other]
    # The other ads, each maybe too short to tell on its own ("Livraison gratuite dès 30 €."), read as one text;
    # and copy no ad of which reads as English, read whole.
    rest = " ".join(ad.text for ad, is_other in zip(ads, other, strict=True) if not is_other)
    rest_other = not rest or read_language(rest, strict=True) is False
    if named and rest and not rest_other:
        # beside ads that read as another language, the rest need not make the case alone: words of another
        # language and none of English's say it is in that language too ("Le meilleur prix garanti.")
        foreign, english = count_language_words(rest)
        rest_other = foreign > 0 and english == 0
    if not named and not rest_other:
        return None
    if rest_other:
        return (
            "The ad copy does not read as English. alignment reads English only: the claims it finds in it and "
            "their matches are unreliable. Check the English version of the copy, or translate it first."
        )
    which = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
    one = len(named) == 1
    return (
        f"{len(named)} of {len(ads)} ads {'does' if one else 'do'} not read as English ({which}). alignment reads "
        f"English only: the claims it finds in {'that ad' if one else 'those ads'} and their matches are "
        f"unreliable. Check {'it' if one else 'them'} in English, or translate {'it' if one else 'them'} first."
    )


# A claim that matches more than this share of a dataset's sentences is likely matching the dataset's topic
# (every review of a dress mentions the dress), not its promise; below BROAD_MATCH_MIN_SENTENCES a share
# says little. UX bounds, not fitted: the demo's busiest claim matches 21% of its sentences.
BROAD_MATCH_SHARE = 0.25
BROAD_MATCH_MIN_SENTENCES = 500


def relative_match_note(results: Sequence[ClaimResult], config: Config) -> str | None:
    """A note naming the claims that matched sentences under min_similarity (relative matching,
    :func:`alignment.match.claim_thresholds`), each with its lowest similarity, or None."""
    if not config.relative_match:
        return None
    lowered = []
    for result in distinct_claims(results):
        added, lowest = matched_under(result.judgements, config.min_similarity)
        if added and lowest is not None:
            lowered.append(
                # Rounded down: a similarity of 0.2996 is under 0.30, and "down to 0.30" would read as not.
                f"“{result.claim.text}” ({added:,} sentence{'s' if added != 1 else ''}, down to "
                f"{math.floor(lowest * 100 + 1e-6) / 100:.2f})"
            )
    if not lowered:
        return None
    claims = "claim sits" if len(lowered) == 1 else "claims sit"
    return (
        f"Matched under min_similarity {config.min_similarity:.2f}, as the {claims} far from every sentence of "
        f"this dataset: {'; '.join(lowered)}. Only sentences that stand well above the claim's usual similarity "
        "here were added. Turn relative matching off (--no-relative-match, or in the app's settings) to match "
        f"at {config.min_similarity:.2f} alone."
    )


def broad_match_note(results: Sequence[ClaimResult], sentences: int, config: Config) -> str | None:
    """A note naming the claims that match over a quarter of the dataset's sentences, with what to do, or
    None. On a dataset about one product, a claim that names the product ("Our dresses are true to size")
    matches what customers say about the product in general, and each such sentence takes a side."""
    if sentences < BROAD_MATCH_MIN_SENTENCES:
        return None
    broad = [r for r in distinct_claims(results) if r.score.mentions > BROAD_MATCH_SHARE * sentences]
    if not broad:
        return None
    named = ", ".join(f"“{r.claim.text}” ({r.score.mentions / sentences:.0%})" for r in broad)
    return (
        f"Matched by over {BROAD_MATCH_SHARE:.0%} of all review sentences: {named}. Such a claim is likely "
        "matching the product or topic every review talks about, not its promise: raise the similarity "
        f"threshold (now {config.min_similarity:.2f}; 0.45–0.50 suits a dataset about one product) or word "
        "the claim without the product's name for stricter evidence."
    )


def _resolve_claims(
    ads: str | Sequence[str] | Sequence[Ad] | pd.DataFrame | None,
    claims: Sequence[str] | Sequence[Claim] | None,
    config: Config,
    nlp: Language | None,
) -> tuple[list[Claim], list[PossibleClaim] | None, list[Ad] | None]:
    """The claims to check, the copy's possible claims and its ads (both None when the claims are given: no
    copy read)."""
    if claims is not None:
        if isinstance(claims, str):
            raise InputError("claims must be a list of strings, one claim each, not a single string.")
        if not isinstance(claims, Iterable):
            raise InputError(f"claims must be a list of strings, one claim each, not {type(claims).__name__}.")
        given: list[Any] = list(claims)  # a generator or a map() is read once, here, not used up below
        odd = [item for item in given if not isinstance(item, (str, Claim))][:1]
        if odd:
            raise InputError(f"claims must be a list of strings or of Claim records, not of {_kind(odd[0])}.")
        if not all(isinstance(item, str) for item in given) and not all(isinstance(item, Claim) for item in given):
            raise InputError("claims must be a list of strings or of Claim records, not a mix of the two.")
        if not any(isinstance(item, Claim) or item.strip() for item in given):
            raise InputError("claims is empty: give at least one claim, such as claims=['No hidden fees'].")
        if all(isinstance(item, Claim) for item in given):
            return given, None, None
        return claims_from_lines(given, nlp), None, None
    assert ads is not None  # guarded by check(); narrows the type only
    ad_list = coerce_ads(table_with_text_names(ads, "ads") if isinstance(ads, pd.DataFrame) else ads)
    if not ad_list:
        raise InputError("The ad copy is empty. Give at least one ad with some text.")
    found, possible = read_copy(ad_list, nlp, limit=config.max_claims)
    return found, possible, ad_list


def judge_claims(
    claims: Sequence[Claim],
    review_set: ReviewSet,
    config: Config,
    embedder: Embedder | None = None,
    stance_model: StanceModel | None = None,
    progress: Progress | None = None,
) -> list[ClaimResult]:
    """Embed, match, judge and score claims against already-loaded reviews (:func:`judge_and_weigh`, whose
    second value, the rating prior it fitted, this leaves out)."""
    return judge_and_weigh(claims, review_set, config, embedder, stance_model, progress)[0]


def judge_and_weigh(
    claims: Sequence[Claim],
    review_set: ReviewSet,
    config: Config,
    embedder: Embedder | None = None,
    stance_model: StanceModel | None = None,
    progress: Progress | None = None,
) -> tuple[list[ClaimResult], RatingPrior | None]:
    """Embed, match, judge and score claims against already-loaded reviews. With ``config.quantities``, a
    sentence that reports an amount against a claim's promised bound ("took 75 minutes" against "in 30
    minutes or less") takes its side from the comparison (:func:`alignment.quantities.weigh_by_quantities`);
    with ``config.rating_prior`` and rated reviews, each stance is then weighed by its review's rating
    (:func:`alignment.ratings.weigh_by_ratings`). Returns the results and the prior fitted, or None."""
    if not claims:
        return [], None
    progress = progress or SilentProgress()
    embedder = embedder or default_embedder()
    model = stance_model or select_stance_model(config.stance_model)
    # The bundled model reads each embedder's vectors with the offset `make train` measured for it.
    if isinstance(model, EmbedderAwareStanceModel):
        model = model.for_embedder(embedder.model_id)
    sentence_texts = [sentence.text for sentence in review_set.sentences]
    progress.start("embedding review sentences", len(sentence_texts))
    sentence_vectors = embedder.encode(sentence_texts, progress=progress.advance)
    progress.finish()
    claim_texts = [claim.text for claim in claims]
    claim_vectors = embedder.encode(claim_texts)
    _refuse_mismatched_widths(embedder, model, claim_vectors, sentence_vectors)
    # The bundled model also matches each claim by what its complaints sound like (breach_queries); a
    # model without that matches by the claim alone.
    breach_vectors = model.breach_queries(claim_vectors) if isinstance(model, BreachQueryModel) else None
    thresholds = (
        claim_thresholds(claim_vectors, sentence_vectors, config.min_similarity, breach_vectors)
        if config.relative_match
        else config.min_similarity
    )
    matches = match_claims(
        claim_vectors, sentence_vectors, thresholds, config.max_matches, breach_vectors=breach_vectors
    )
    sentence_reviews = np.fromiter(
        (sentence.review_index for sentence in review_set.sentences), dtype=np.int64, count=len(sentence_texts)
    )
    judgements = judge_matches(
        claim_texts, matches, sentence_texts, claim_vectors, sentence_vectors, model, sentence_reviews
    )
    if config.quantities:
        # Before the ratings: the comparison is part of reading the words, which the prior then weighs.
        judgements, _ = weigh_by_quantities(claim_texts, judgements, sentence_texts)
    prior = None
    if config.rating_prior and any(review.rating is not None for review in review_set.reviews):
        sentence_bands = rating_bands([review.rating for review in review_set.reviews])[sentence_reviews]
        reader = read_by_ratings(sentence_vectors, sentence_bands, sentence_reviews) if config.rating_reader else None
        judgements, prior = weigh_by_ratings(judgements, sentence_bands, reader)
    # The judgements stay as arrays (Judgements): counting and scoring read them without a record per match.
    results = [
        ClaimResult(claim=claim, score=score_claim(found, config.min_evidence, config.interval_level), judgements=found)
        for claim, found in zip(claims, judgements, strict=True)
    ]
    return results, prior


def _refuse_mismatched_widths(
    embedder: Embedder, model: StanceModel, claim_vectors: np.ndarray, sentence_vectors: np.ndarray
) -> None:
    """Raise an InputError when the claims' and sentences' vectors differ in width, or differ from the width
    the bundled stance model reads: said in a line, not as a numpy error from deep in matching."""
    if not len(claim_vectors) or not len(sentence_vectors):
        return  # nothing to match, so no width to agree on
    name = getattr(embedder, "name", None) or embedder.model_id  # a user's embedder by its class's name
    claim_width, sentence_width = claim_vectors.shape[1], sentence_vectors.shape[1]
    if claim_width != sentence_width:
        raise InputError(
            f"The embedder {name} gave the claims {claim_width}-dimensional vectors and the review "
            f"sentences {sentence_width}-dimensional ones; it must give vectors of one dimension for every text."
        )
    if isinstance(model, EmbeddingStanceModel) and sentence_width != model.width:
        raise InputError(
            f"The embedder {name} gives {sentence_width}-dimensional vectors, but the bundled stance "
            f"model reads {model.width}-dimensional ones (all-MiniLM-L6-v2's). Use that model's vectors, or "
            "pass stance_model='lexicon' or a stance model of your own."
        )
