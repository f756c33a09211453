"""Measure the judgement on your own labelled data: extracted claims against marked ones, and evidence
(stance, ranking, calibration) against labelled reviews, by the rules behind the README's quality figures.
"""

from __future__ import annotations

import json
import numbers
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from alignment.config import Config, SettingError
from alignment.errors import (
    EmptyDatasetError,
    InputError,
    MissingColumnError,
    MissingFileError,
    UnreadableFileError,
)
from alignment.ingest import (
    RATING_RANGE,
    RatingScale,
    ReviewSet,
    clean_cell,
    decode_bytes,
    detect_columns,
    list_columns,
    load_reviews,
    parse_ratings,
    rating_number,
    read_table,
)
from alignment.ratings import OFF_SCALE_RATING, Side, band_side, off_scale, rating_bands, rating_bounds
from alignment.records import wording_key

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from alignment.embed import Embedder
    from alignment.progress import Progress
    from alignment.report import Report
    from alignment.stance import StanceModel

CLAIM_MATCH_JACCARD = 0.4  # the guideline's matching rule: word-set overlap of a span with a marked claim
_CONTRADICTS_WORDS = frozenset(
    {"negative", "neg", "contradicts", "contradict", "contradicted", "contradicting", "complaint", "breach"}
)
_SUPPORTS_WORDS = frozenset({"positive", "pos", "supports", "support", "supported", "supporting", "praise"})
# "conflict" is SemEval's word for a sentence that praises and faults the same aspect.
_NO_SIDE_WORDS = frozenset({"neutral", "mixed", "conflict", "none", "n/a", "na", "unknown"})
_WORDS_HINT = "negative/contradicts/complaint, positive/supports/praise or neutral"
# Review and ad tables that `evaluate claims` is sometimes given in place of its JSON Lines, by suffix.
_TABLE_SUFFIXES = {".csv": "a CSV", ".tsv": "a TSV", ".xlsx": "an Excel", ".xls": "an Excel", ".parquet": "a Parquet"}
_WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0*)?")  # 2, or 2.0 as a float column writes it


def word_jaccard(a: str, b: str) -> float:
    """Jaccard overlap of the lower-cased word sets of two texts."""
    x, y = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(x & y) / len(x | y) if x | y else 0.0


def claims_match(a: str, b: str) -> bool:
    """Whether two claim texts are the same claim by the guideline's rule (word-set Jaccard >= 0.4)."""
    return word_jaccard(a, b) >= CLAIM_MATCH_JACCARD


def score_claim_texts(ads: Iterable[tuple[Sequence[str], Sequence[str], Sequence[str]]]) -> dict[str, float]:
    """Precision, recall and F1 of extracted claim texts, ad by ad: each ad's (extracted, the marked claims
    an extracted one may match to count as right, the marked claims recall is over). ``exact`` is the share
    of extracted claims with the very words of a marked one (word-set Jaccard 1): how often a marketer reads
    the claim as an annotator cut it, which the 0.4 rule does not see."""
    correct = total = found = wanted = exact = 0
    for extracted, right_if_matching, to_find in ads:
        total += len(extracted)
        correct += sum(1 for p in extracted if any(claims_match(p, g) for g in right_if_matching))
        exact += sum(1 for p in extracted if any(word_jaccard(p, g) == 1.0 for g in right_if_matching))
        wanted += len(to_find)
        found += sum(1 for g in to_find if any(claims_match(p, g) for p in extracted))
    precision = correct / total if total else 0.0
    recall = found / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "exact": exact / total if total else 0.0,
        "predicted": total,
        "gold": wanted,
    }


def score_possible_claims(
    ads: Iterable[tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[str]]],
) -> dict[str, float]:
    """How the possible claims offered beside the extracted ones would serve a marketer, ad by ad: each ad's
    (extracted, offered, the marked claims an offered one may match to count as right, the marked claims
    recall is over). ``offered`` and ``offered_right`` count the offered phrases and those matching a marked
    claim; ``missed`` the marked claims no extracted claim matches, ``recovered`` those an offered one does."""
    offered = right = missed = recovered = ads_read = 0
    for extracted, possible, right_if_matching, to_find in ads:
        ads_read += 1
        offered += len(possible)
        right += sum(1 for p in possible if any(claims_match(p, g) for g in right_if_matching))
        lost = [g for g in to_find if not any(claims_match(p, g) for p in extracted)]
        missed += len(lost)
        recovered += sum(1 for g in lost if any(claims_match(p, g) for p in possible))
    return {
        "ads": ads_read,
        "offered": offered,
        "offered_per_ad": offered / ads_read if ads_read else 0.0,
        "offered_right": right,
        "share_right": right / offered if offered else 0.0,
        "missed": missed,
        "recovered": recovered,
    }


def average_precision(scores: np.ndarray, relevant: np.ndarray) -> float:
    """AP of items ranked by score, highest first (ties broken by position)."""
    order = np.argsort(-scores, kind="stable")
    hits = relevant[order].astype(float)
    if hits.sum() == 0:
        return float("nan")
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / hits.sum())


def precision_at(scores: np.ndarray, relevant: np.ndarray, k: int = 10) -> float:
    """Share of relevant items among the k highest-scored matched ones (score >= 0): the first quotes a
    marketer reads as a claim's contradicting evidence. NaN when nothing matched."""
    order = np.argsort(-scores, kind="stable")[:k]
    order = order[scores[order] >= 0]
    return float(relevant[order].mean()) if len(order) else float("nan")


def calibration_error(predicted: Sequence[float], outcomes: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error of P(contradicts | the sentence takes a side) against the gold
    negative/positive label: the confidence of the chosen side against its accuracy, in equal-width bins."""
    q = np.asarray(predicted, dtype=float)
    truth = np.asarray(outcomes, dtype=bool)
    if len(q) == 0:
        return float("nan")
    confidence = np.maximum(q, 1 - q)
    correct = (q >= 0.5) == truth
    which = np.minimum(((confidence - 0.5) * 2 * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            error += members.mean() * abs(confidence[members].mean() - correct[members].mean())
    return float(error)


class ReviewReading(NamedTuple):
    """How a claim reads one matched review: the stance of its sentence most similar to the claim, with
    P(contradicts | the sentence takes a side), and that sentence's index in the report."""

    stance: str
    q: float
    sentence: int


def review_scores(
    report: Report, claim_index: int, n_reviews: int
) -> tuple[np.ndarray, np.ndarray, dict[int, ReviewReading]]:
    """Per review: max p_contradicts and max similarity over its matched sentences (-1 when unmatched),
    and how its most similar matched sentence reads (:class:`ReviewReading`), by review row."""
    contra = np.full(n_reviews, -1.0)
    similar = np.full(n_reviews, -1.0)
    best: dict[int, tuple[float, ReviewReading]] = {}
    for judgement in report.claims[claim_index].judgements:
        row = report.sentences[judgement.sentence_index].review_index
        contra[row] = max(contra[row], judgement.p_contradicts)
        similar[row] = max(similar[row], judgement.similarity)
        if row not in best or judgement.similarity > best[row][0]:
            sided = judgement.p_supports + judgement.p_contradicts
            q = judgement.p_contradicts / sided if sided else 0.5
            best[row] = (judgement.similarity, ReviewReading(judgement.stance, q, judgement.sentence_index))
    return contra, similar, {row: reading for row, (_, reading) in best.items()}


BLANK_LABEL = "blank label"  # counted among the unread labels of a column of numbers (read_sides)


def read_sides(values: Sequence[object]) -> tuple[list[Side | None], Counter[str]]:
    """Each label as "contradicts", "supports" or None (no side), with counts of the labels left unread.

    Words: negative, contradicts, complaint (and their forms) contradict; positive, supports, praise
    support; neutral, mixed, none and a blank take no side. A column of numbers (no label word in it, a
    value that is not a number, or a blank, left unread): -1 / 0 / 1 (or 0 / 1) read as contradicts / no side / supports
    (0 contradicts when the labels are only 0 and 1); anything else is a rating on the scale its values fit
    (1-5, 0-10, 0-100): 40% of the top or less contradicts, 80% or more supports; a rating above the
    scale the rest fit (a typo, :func:`alignment.ratings.rating_bounds`) takes no side and is counted unread.
    Ratings may be written as a check reads them ("1 star", "★★★★", "4/5", "2 out of 5"); a column with one
    so written is a column of ratings, never of -1/0/1 labels.
    """
    texts = [clean_cell(value) for value in values]
    # A rating written as a check reads one ("4/5", "5 stars", "★★★★", "four") is a number too.
    readings = {text: rating_number(text) for text in set(texts)}
    numbers = pd.to_numeric(pd.Series([readings[text] or None for text in texts], dtype=object), errors="coerce")
    unread: Counter[str] = Counter()
    known = _CONTRADICTS_WORDS | _SUPPORTS_WORDS | _NO_SIDE_WORDS
    if numbers.notna().any() and not any(text.lower() in known for text in texts):
        # A column of numbers: a value that is not one is unread, not a side.
        not_numbers = sum(1 for text, n in zip(texts, numbers, strict=True) if text and pd.isna(n))
        if not_numbers:
            unread["label not recognised"] += not_numbers
        # A blank among ratings or -1/0/1 labels is a review nobody labelled, not one labelled as taking no side.
        blanks = sum(1 for text in texts if not text)
        if blanks:
            unread[BLANK_LABEL] += blanks
        plain = [None if pd.isna(n) else float(n) for n in numbers]
        rated = None
        if any(readings[text] != text for text in texts):
            # Written as a rating, it is one (never a -1/0/1 label), read as a check reads a rating column:
            # on one scale where the column writes two ("8/10" beside "4/5" is 4 of 5).
            rated = parse_ratings(pd.Series(texts, dtype=object), Counter(), RatingScale())
        numeric, typos = _numeric_sides(plain, rated)
        if typos:
            unread[OFF_SCALE_RATING] += typos
        return numeric, unread
    sides: list[Side | None] = []
    for text in texts:
        word = text.lower()
        if word in _CONTRADICTS_WORDS:
            sides.append("contradicts")
        elif word in _SUPPORTS_WORDS:
            sides.append("supports")
        else:
            if word and word not in _NO_SIDE_WORDS:
                unread["label not recognised"] += 1
            sides.append(None)
    return sides, unread


def _numeric_sides(
    values: Sequence[float | None], rated: Sequence[float | None] | None = None
) -> tuple[list[Side | None], int]:
    """Each number as a side (-1/0/1, 0/1, or a rating on the scale the column fits), and how many ratings
    lie off that scale (a typo, :func:`alignment.ratings.off_scale`): those take no side. ``rated`` is the
    column read as ratings where some of it is written as one ("4/5", "★★"): then every value is a rating,
    read from ``rated`` (fractions of another scale rescaled), and ``values`` gives only its range."""
    distinct = {v for v in values if v is not None}
    if rated is None and distinct <= {-1.0, 0.0, 1.0}:
        low = -1.0 if -1.0 in distinct else 0.0  # 0 / 1 alone is a yes / no label: 0 is the complaint
        named = {low: "contradicts", 1.0: "supports"}
        return [None if v is None else named.get(v) for v in values], 0
    if min(distinct) < RATING_RANGE[0] or max(distinct) > RATING_RANGE[1]:  # the scales ingest reads
        raise InputError(
            f"The labels run from {min(distinct):g} to {max(distinct):g}: neither -1/0/1 nor a rating (1-5, 0-10, "
            f"0-100). Name the column that holds each review's side, as {_WORDS_HINT}, -1/0/1 or a star rating."
        )
    if rated is not None:
        values = rated
    ratings = [v for v in values if v is not None]
    sides = [band_side(int(band)) for band in rating_bands(values)]
    return sides, off_scale(ratings, rating_bounds(ratings))


# ------------------------------------------------------------------------------------------- claims


@dataclass(frozen=True, slots=True)
class MarkedClaim:
    """A claim an annotator marked: its text, and the type and aspect they gave it ("" when not given)."""

    text: str
    type: str = ""
    aspect: str = ""


@dataclass(frozen=True, slots=True)
class MarkedAd:
    """An ad and the claims each annotator marked in it (one tuple per annotator)."""

    ad_id: str
    text: str
    marked: tuple[tuple[MarkedClaim, ...], ...]


@dataclass(frozen=True, slots=True)
class ClaimEvaluation:
    """Extraction against marked claims. With several annotators a claim counts as right when it matches
    any annotator's, and recall is over the claims every annotator marked (the guideline's rule)."""

    ads: int
    annotators: int
    extracted: int
    marked: int
    precision: float
    recall: float
    f1: float
    exact: float
    wrong: tuple[tuple[str, str], ...]  # (ad id, extracted claim) matching no marked claim
    missed: tuple[tuple[str, str], ...]  # (ad id, marked claim) no extracted claim matches
    # Per annotator, read from each marked span itself (apart from where extraction cuts): the share of
    # their claims typed as they typed them, and whose aspect shares a word with theirs; None when the
    # annotator gave no types (aspects).
    type_agreement: tuple[float | None, ...] = ()
    aspect_agreement: tuple[float | None, ...] = ()
    # Baselines on the same ads: every sentence taken as a claim (precision, recall, f1, exact); each
    # annotator's most common type given to all their claims; a marked claim's head word as its aspect.
    sentence_baseline: Mapping[str, float] = field(default_factory=dict)
    type_baseline: tuple[float | None, ...] = ()
    aspect_baseline: tuple[float | None, ...] = ()
    # Recall by the type the first annotator gave each claim all annotators marked: type -> (found, marked),
    # most marked first; empty when the claims carry no type. Where extraction misses, by kind of promise.
    recall_by_type: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # The possible claims offered beside the extracted ones (score_possible_claims), and every one of them.
    possible: Mapping[str, float] = field(default_factory=dict)
    offered: tuple[tuple[str, str], ...] = ()  # (ad id, possible claim)

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as a JSON-ready dict."""
        payload = asdict(self)
        payload["wrong"] = [{"ad_id": a, "claim": c} for a, c in self.wrong]
        payload["missed"] = [{"ad_id": a, "claim": c} for a, c in self.missed]
        payload["offered"] = [{"ad_id": a, "claim": c} for a, c in self.offered]
        return payload


def read_marked_ads(path: str | Path, notes: list[str] | None = None) -> list[MarkedAd]:
    """Read annotated ads from JSON Lines (one ad per line) or a JSON list.

    Each ad has ``text``, an optional ``id`` (without one, an ad is named by its line, or in a JSON list by
    its place from 1), and its marked claims under ``claims`` or one key per annotator (``claims_a``,
    ``claims_b``, ...): lists of strings or of objects with a ``text``. A message about one ad names its line
    (its item in a JSON list) and its id.

    Raises:
        InputError: the file is missing or unreadable, or an ad lacks its text or its claims.

    Two ads that share an id are both read and scored, each on its own (an annotated file from elsewhere may
    repeat one, and a benchmark must not stop at it); when ``notes`` is a list, a line naming both places is
    added to it for the caller to show, since the lists of wrong and missed claims cannot tell them apart.
    """
    source = Path(path)
    if not source.is_file():
        raise MissingFileError(f"Annotated ads file not found: {source}. Check the path and try again.")
    suffix = source.suffix.lower()
    if suffix in _TABLE_SUFFIXES:
        raise UnreadableFileError(
            f"{source.name} is {_TABLE_SUFFIXES[suffix]} file, not JSON Lines. Give the annotated ads as JSON "
            f'Lines (.jsonl), one ad per line: {{"id": "ad1", "text": "...", "claims": ["Free returns", ...]}}.'
        )
    text = decode_bytes(source.read_bytes())
    if suffix == ".json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnreadableFileError(
                f"{source.name} is not valid JSON at line {exc.lineno} ({exc.msg}). Give a JSON list of ads, or "
                "JSON Lines (.jsonl): one ad object per line."
            ) from exc
        if not isinstance(items, list):
            raise InputError(f"{source.name} must hold a JSON list of ads, one object per ad.")
        numbered = list(enumerate(items, start=1))
        place = "item"
    else:
        place = "line"
        numbered = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                numbered.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                # The decoder's line is the line's own (1): the file's line is the one to fix.
                raise UnreadableFileError(
                    f"{source.name} is not valid JSON at line {number} ({exc.msg}). Give JSON Lines: one ad "
                    "object per line."
                ) from exc
    ads: list[MarkedAd] = []
    first_of: dict[str, tuple[int, bool]] = {}  # each id's first ad: its number, and whether it gave the id
    for number, item in numbered:
        where = f"{source.name}, {place} {number:,}"
        ad = _marked_ad(item, where, str(number))
        if ads and len(ad.marked) != len(ads[0].marked):
            raise InputError(
                f"{where} (ad {ad.ad_id!r}) has {_lists(len(ad.marked))} of marked claims, where {place} "
                f"{numbered[0][0]:,} has {_lists(len(ads[0].marked))}: every ad needs the same annotators' lists "
                '(one "claims" list, or one "claims_a", "claims_b", ... per annotator).'
            )
        given = _given_id(item) is not None
        if ad.ad_id in first_of:
            if notes is not None:
                notes.append(_repeated_id(source.name, place, ad.ad_id, (number, given), first_of[ad.ad_id]))
        else:
            first_of[ad.ad_id] = (number, given)
        ads.append(ad)
    if not ads:
        raise InputError(f"{source.name} has no ads. Give one JSON object per line with its text and claims.")
    return ads


def _lists(count: int) -> str:
    return "one list" if count == 1 else f"{count} lists"


def _marked_ad(item: object, where: str, default_id: str) -> MarkedAd:
    """The ad one JSON object gives; ``where`` names its place in the file ("ads.jsonl, line 3") and, with its
    id, begins each message; ``default_id`` is its id when it gives none."""
    given = _given_id(item)
    if given is not None:
        where = f"{where} (ad {given!r})"
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise InputError(f'{where}: no "text". Give each ad as an object with a text and its claims.')
    keys = sorted(key for key in item if key == "claims" or key.startswith("claims_"))
    if not keys:
        raise InputError(
            f'{where}: no marked claims. Add "claims": [...] (an empty list when it has none), '
            'or one "claims_a", "claims_b", ... list per annotator.'
        )
    marked = []
    for key in keys:
        claims = item[key]
        if not isinstance(claims, list):
            raise InputError(f"{where}: {key!r} must be a list of claims.")
        read = [_marked_claim(claim) for claim in claims]
        if not all(read):
            raise InputError(f"{where}: every claim in {key!r} must be text (or an object with a text).")
        marked.append(tuple(claim for claim in read if claim is not None))
    return MarkedAd(default_id if given is None else given, item["text"], tuple(marked))


def _given_id(item: object) -> str | None:
    """The id an ad's object gives, as text, or None when it gives none (no "id", null or blank). An id of 0
    is an id."""
    raw = item.get("id") if isinstance(item, dict) else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return str(raw)


def _repeated_id(name: str, place: str, ad_id: str, later: tuple[int, bool], earlier: tuple[int, bool]) -> str:
    """The note on the ad at ``later`` (its number in file ``name``, a ``place``: line or item; whether it gave
    its id): it has the id of the one at ``earlier``. The wrong and missed claims are listed by ad id, where
    two ads of one id cannot be told apart (and a repeated id is often the same ad pasted twice). An ad
    without an id is named by its number, which another's given id may repeat: the note says so."""
    unnamed = [f"{place} {number:,}" for number, given in (earlier, later) if not given]
    how = f" ({unnamed[0]} has no id and is named by its number)" if unnamed else ""
    return (
        f"{name}, {place} {later[0]:,} (ad {ad_id!r}) has the same id as {place} {earlier[0]:,}{how}: both are "
        "scored, each on its own. Give each ad its own id to tell them apart in the lists of claims (or remove "
        "the repeated ad)."
    )


def _marked_claim(claim: object) -> MarkedClaim | None:
    """A marked claim given as a string or an object with a text (and maybe a type and an aspect)."""
    if isinstance(claim, dict):
        text, kind, aspect = claim.get("text"), claim.get("type") or "", claim.get("aspect") or ""
    else:
        text, kind, aspect = claim, "", ""
    if not isinstance(text, str) or not text.strip():
        return None
    return MarkedClaim(text, str(kind), str(aspect))


def evaluate_claims(ads: Sequence[MarkedAd], nlp: Language | None = None) -> ClaimEvaluation:
    """Extract the claims of ``ads`` and score them against the marked ones (word-set Jaccard >= 0.4), and
    the type and aspect read from each marked claim against the annotator's, where they gave them."""
    from alignment.claims import POSSIBLE_KEY, SPAN_KEY, load_claim_pipeline, text_to_parse

    pipeline = nlp or load_claim_pipeline()
    # One parse per ad: its claims and its possible claims are read from the same Doc, as extract_claims
    # and find_possible_claims read them.
    docs = list(pipeline.pipe(text_to_parse(ad.text) for ad in ads))
    rows, baseline_rows, possible_rows, wrong, missed, offered = [], [], [], [], [], []
    by_type: dict[str, list[bool]] = {}
    for ad, doc in zip(ads, docs, strict=True):
        # From the copy, not the Doc: a line in capitals is parsed in sentence case (text_to_parse).
        mine = [ad.text[span.start_char : span.end_char] for span in doc.spans.get(SPAN_KEY, [])]
        possible = [ad.text[span.start_char : span.end_char] for span in doc.spans.get(POSSIBLE_KEY, [])]
        offered += [(ad.ad_id, text) for text in possible]
        anyone = [claim.text for annotator in ad.marked for claim in annotator]
        agreed_claims = [
            c for c in ad.marked[0] if all(any(claims_match(c.text, o.text) for o in other) for other in ad.marked[1:])
        ]
        agreed = [c.text for c in agreed_claims]
        rows.append((mine, anyone, agreed))
        possible_rows.append((mine, possible, anyone, agreed))
        baseline_rows.append(([s.text.strip() for s in doc.sents if s.text.strip()], anyone, agreed))
        wrong += [(ad.ad_id, c) for c in mine if not any(claims_match(c, g) for g in anyone)]
        for marked in agreed_claims:
            found = any(claims_match(c, marked.text) for c in mine)
            if not found:
                missed.append((ad.ad_id, marked.text))
            if marked.type:
                by_type.setdefault(marked.type, []).append(found)
    scores = score_claim_texts(rows)
    baseline = score_claim_texts(baseline_rows)
    annotators = len(ads[0].marked) if ads else 0
    labels = [marked_claim_labels(zip(docs, [ad.marked[who] for ad in ads], strict=True)) for who in range(annotators)]
    return ClaimEvaluation(
        ads=len(ads),
        annotators=annotators,
        extracted=int(scores["predicted"]),
        marked=int(scores["gold"]),
        precision=scores["precision"],
        recall=scores["recall"],
        f1=scores["f1"],
        exact=scores["exact"],
        wrong=tuple(wrong),
        missed=tuple(missed),
        type_agreement=tuple(label["type"] for label in labels),
        aspect_agreement=tuple(label["aspect"] for label in labels),
        sentence_baseline={key: baseline[key] for key in ("precision", "recall", "f1", "exact")},
        type_baseline=tuple(label["type_baseline"] for label in labels),
        aspect_baseline=tuple(label["aspect_baseline"] for label in labels),
        recall_by_type={
            kind: (sum(found), len(found)) for kind, found in sorted(by_type.items(), key=lambda item: -len(item[1]))
        },
        possible=score_possible_claims(possible_rows),
        offered=tuple(offered),
    )


def marked_claim_labels(ads: Iterable[tuple[Doc, Sequence[MarkedClaim]]]) -> dict[str, float | None]:
    """How ``classify_claim`` and ``find_aspect`` label the marked claims, read from each marked span itself
    (apart from where extraction cuts the claim), against the annotator: ``type``, the share typed as the
    annotator typed it; ``aspect``, the share whose aspect shares a word with the annotator's (plurals and
    hyphens aside; annotators often name the aspect in other words, "punctuality" for "on time"). Each is
    over the marked claims found in their ad's text that carry that label; None when there are none.
    Baselines on the same claims: ``type_baseline``, the share of the annotator's most common type;
    ``aspect_baseline``, the share whose head word (the span's syntactic root) is a word of their aspect."""
    from alignment.claims import classify_claim, find_aspect

    typed, named, types, heads = [], [], [], []
    for doc, marked in ads:
        for claim in marked:
            start = doc.text.find(claim.text)
            span = doc.char_span(start, start + len(claim.text), alignment_mode="expand") if start >= 0 else None
            if span is None:
                continue
            if claim.type:
                typed.append(classify_claim(span) == claim.type)
                types.append(claim.type)
            if claim.aspect:
                named.append(bool(_aspect_words(find_aspect(span)) & _aspect_words(claim.aspect)))
                heads.append(bool(_aspect_words(span.root.text) & _aspect_words(claim.aspect)))
    commonest = Counter(types).most_common(1)[0][1] if types else 0
    return {
        "type": sum(typed) / len(typed) if typed else None,
        "aspect": sum(named) / len(named) if named else None,
        "type_baseline": commonest / len(types) if types else None,
        "aspect_baseline": sum(heads) / len(heads) if heads else None,
    }


def _aspect_words(aspect: str) -> set[str]:
    return {word.rstrip("s") for word in aspect.lower().replace("-", " ").split()} - {"the", "a", "an", "of", "and"}


# ----------------------------------------------------------------------------------------- evidence


@dataclass(frozen=True, slots=True)
class JudgeScores:
    """How one judge (alignment, the lexicon baseline or plain cosine) reads the labelled reviews.

    ``accuracy`` is over every (claim, matched review) pair labelled with a side (the review's label, or
    with labels per claim the label of that review on that claim): the stance of its sentence most
    similar to the claim against the label (no side counts as wrong).
    ``mean_ap`` and ``first_ten`` need the about column: each claim's contradicting reviews about it,
    ranked by their highest P(contradicts) (cosine: similarity), unmatched last; None without it.
    """

    pairs: int
    accuracy: float | None
    on_contradicting: float | None  # accuracy on the pairs labelled contradicts
    on_supporting: float | None
    calibration_error: float | None
    mean_ap: float | None
    first_ten: float | None
    # each claim's first ten quotes labelled contradicting, whatever they are about (with the about column,
    # over the claims ranked; without it, over those with min_relevant contradicting labels)
    first_ten_contradicting: float | None = None
    ranked: int = 0  # the (group, claim) rankings that mean_ap and first_ten average
    # Matching, with the about column: the share of the (review, claim) pairs marked about the claim that
    # the judge matched at all (what AP is bounded by); with labels per claim, where a review's rows name
    # every claim it speaks to, also the share of its matched pairs that are marked about their claim. The
    # lexicon matches by the claim's cosine, so its figures are the cosine's.
    match_recall: float | None = None
    match_precision: float | None = None


@dataclass(frozen=True, slots=True)
class ClaimEvidence:
    """One claim's share of the evaluation (alignment's reading; AP also for the baselines)."""

    claim: str
    matched_reviews: int
    pairs: int
    accuracy: float | None
    contradicting_about: int | None  # reviews about this claim labelled contradicts (the about column)
    average_precision: Mapping[str, float | None]
    about: int | None = None  # reviews marked about this claim (the about column)
    about_matched: int | None = None  # of those, the ones alignment matched


@dataclass(frozen=True, slots=True)
class MisreadReview:
    """A labelled (review, claim) pair that alignment read otherwise: the sentence it read, the side it
    took ("neutral" when it took none) and its P(contradicts | a side)."""

    review_id: str
    claim: str
    label: str
    read: str
    p_contradicts: float
    sentence: str


@dataclass(frozen=True, slots=True)
class GroupEvidence:
    """One group's share of an evaluation with a group column: alignment's reading of its reviews."""

    group: str
    reviews: int
    matched_reviews: int
    alignment: JudgeScores


@dataclass(frozen=True, slots=True)
class EvidenceEvaluation:
    """alignment's judgement of labelled reviews, beside the lexicon and cosine baselines."""

    reviews: int
    sides: Mapping[str, int]  # label rows by side: contradicts, supports, none
    skipped: Mapping[str, int]  # rows not read as reviews, by reason
    unread: Mapping[str, int]  # labels and about values that could not be read, by reason
    matched_reviews: int  # reviews matched by at least one claim
    min_similarity: float
    judges: Mapping[str, JudgeScores]
    claims: tuple[ClaimEvidence, ...] = field(default=())
    labels_per_claim: bool = False  # each row labels one review on the claim in its about column
    # every pair alignment read against its label, the most confident reading first
    misread: tuple[MisreadReview, ...] = field(default=())
    groups: int = 1  # groups of reviews checked apart (the group column), pooled
    min_relevant: int = 1  # contradicting reviews a (group, claim) needs to be ranked
    by_group: tuple[GroupEvidence, ...] = field(default=())  # with a group column, in order of first appearance
    # With the about column, the most contradicting reviews about one (group, claim): a min_relevant above
    # it ranks nothing, so there is no AP. None without the about column.
    most_relevant: int | None = None
    # The rating column whose star ratings weighed the stance of both judges, as in a check (labels that are
    # not the ratings, with ratings beside them); None when the words alone were read.
    weighed_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as a JSON-ready dict (NaN as null)."""
        return _without_nan(asdict(self))


def evaluate_evidence(
    claims: Sequence[str],
    reviews: pd.DataFrame | str | Path,
    label_column: str,
    about_column: str | None = None,
    config: Config | None = None,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    sheet: str | int | None = None,
    embedder: Embedder | None = None,
    stance_model: StanceModel | None = None,
    progress: Progress | None = None,
    labels_per_claim: bool = False,
    group_column: str | None = None,
    min_relevant: int = 1,
) -> EvidenceEvaluation:
    """Check ``claims`` against labelled ``reviews`` and score the judgement against the labels: one
    setting of :func:`evaluate_evidence_sweep`, whose arguments it takes, ``config`` (``Config()`` when
    omitted) in place of ``configs``."""
    (result,) = evaluate_evidence_sweep(
        claims,
        reviews,
        label_column,
        about_column,
        [config or Config()],
        text_column=text_column,
        id_column=id_column,
        sheet=sheet,
        embedder=embedder,
        stance_model=stance_model,
        progress=progress,
        labels_per_claim=labels_per_claim,
        group_column=group_column,
        min_relevant=min_relevant,
    )
    return result


def require_min_relevant(min_relevant: int) -> None:
    """Fail in one line unless ``min_relevant`` (the contradicting reviews a claim needs to be ranked, see
    :func:`evaluate_evidence_sweep`) is a whole number of at least 1.

    Raises:
        SettingError: it is under 1 (its ``setting`` is "min_relevant", for a caller to name its own option).
        InputError: it is not a whole number.
    """
    if isinstance(min_relevant, bool) or not isinstance(min_relevant, numbers.Integral):
        raise InputError(
            f"min_relevant must be a whole number, got {min_relevant!r} ({type(min_relevant).__name__}); pass one, "
            "such as min_relevant=1."
        )
    if min_relevant < 1:
        raise SettingError("min_relevant", "at least 1 contradicting review", min_relevant)


def evaluate_evidence_sweep(
    claims: Sequence[str],
    reviews: pd.DataFrame | str | Path,
    label_column: str,
    about_column: str | None,
    configs: Sequence[Config],
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    sheet: str | int | None = None,
    embedder: Embedder | None = None,
    stance_model: StanceModel | None = None,
    progress: Progress | None = None,
    labels_per_claim: bool = False,
    group_column: str | None = None,
    min_relevant: int = 1,
) -> list[EvidenceEvaluation]:
    """Check ``claims`` against labelled ``reviews`` at each of ``configs`` and score each judgement against
    the labels, one evaluation per config in their order. The table is read, split into sentences and
    labelled once, and one embedding cache serves every setting, so comparing min_similarity values
    embeds each review sentence once.

    Args:
        claims: the claims, verbatim.
        reviews: a DataFrame or a review file (any format ``check`` reads).
        label_column: each review's side (see :func:`read_sides`: words, -1/0/1, or a star rating).
        about_column: optional; which claim a review is about, by its number (from 1) or its text. With
            it, each claim's contradicting reviews about it are ranked (AP, first ten), as the README's
            airline and restaurant measures rank theirs.
        configs: the settings to evaluate at (``min_similarity`` above all), at least one.
        text_column, id_column, sheet: as for :func:`alignment.load_reviews`.
        embedder, stance_model, progress: as for :func:`alignment.check`.
        labels_per_claim: each row's label is the review's side on the about column's claim only, as
            aspect-level labels are (SemEval's per-category polarity). A review may have one row per claim
            (the long format): rows that share an id, or without an id column a text, are one review.
            Without it, a review's one label is scored against every claim that matches it.
        group_column: optional; each group of reviews (a brand, a product, a market) is checked on its
            own, as the README's airline measure checks each airline's tweets, and the figures are pooled:
            stance and calibration over every pair, AP and the first ten over every (group, claim) ranked.
        min_relevant: a (group, claim) is ranked only with at least this many contradicting reviews (about
            it, for AP and the first ten; labelled so, for the first ten that are complaints at all). The
            airline measure takes 10.

    When the label column is the reviews' rating column (detected or named), the checks read the text
    alone (``rating_prior`` off in every config): the ratings cannot both weigh the stance and score it.
    Labelled another way, with ratings beside them, the checks weigh by the ratings as a user's would.

    Raises:
        InputError: no claims, no configs, a missing column, no labelled review, labels per claim without
            the about column, min_relevant under 1, or an unreadable file.
    """
    from alignment.embed import CachedEmbedder, MemoryCache
    from alignment.pipeline import default_embedder

    require_min_relevant(min_relevant)  # before the file is read: it may take a while
    claim_texts = [c.strip() for c in claims if c.strip()]
    if not claim_texts:
        raise InputError("No claims to evaluate. Give at least one claim.")
    if not configs:
        raise InputError("No settings to evaluate at. Give at least one config.")
    frame = reviews if isinstance(reviews, pd.DataFrame) else read_table(reviews, sheet=sheet)
    for option, column in (
        ("label column", label_column),
        ("about column", about_column),
        ("group column", group_column),
    ):
        if column is not None and column not in frame.columns:
            raise MissingColumnError(
                f"The {option} {column!r} is not in the table; its columns are {list_columns(list(frame.columns))}."
            )
    if labels_per_claim and about_column is None:
        raise InputError(
            "Labels per claim need the about column: name the column that says which claim each row's label "
            "is on (--about-column)."
        )
    unread: Counter[str] = Counter()
    # The text and id columns are chosen once, over the whole file: a group read alone could detect another.
    mapping = detect_columns(frame, text_column, id_column)
    # The frame's rows behind each review: one each, or with labels per claim every row of the review
    # (within its group: two brands that both number their reviews from 1 have two reviews 1).
    review_frame, rows_of = (
        _one_row_per_review(frame, mapping.text, mapping.id, group_column, unread)
        if labels_per_claim
        else (frame, None)
    )
    loaded, skipped = _load_groups(review_frame, rows_of, group_column, mapping.text, mapping.id)
    rows = [row for _, _, source_rows in loaded for review_rows in source_rows for row in review_rows]
    # Labels are read over the whole file at once, so that a column of ratings is read on one scale.
    label_cells = frame[label_column].iloc[rows].tolist()
    row_sides, unread_labels = read_sides(label_cells)
    unread.update(unread_labels)
    if not any(row_sides):
        raise InputError(
            f"No review in column {label_column!r} is labelled with a side ({_found_values(label_cells)}). Label "
            "complaints negative, contradicts or complaint and praise positive, supports or praise (or -1/0/1, or "
            "star ratings), or name the column that holds the sides."
        )
    row_about = None
    if about_column:
        about_cells = frame[about_column].iloc[rows].tolist()
        row_about = _read_about(about_cells, claim_texts, unread)
        if labels_per_claim:
            unread.update(
                "label with a blank about"
                for side, cell in zip(row_sides, about_cells, strict=True)
                if side is not None and not clean_cell(cell)
            )
    # Each group's labels by claim, read once for every setting.
    labels: list[tuple[list[list[Side | None]], list[np.ndarray] | None]] = []
    start = 0
    for _, _, source_rows in loaded:
        count = sum(len(review_rows) for review_rows in source_rows)
        part_about = None if row_about is None else row_about[start : start + count]
        labels.append(
            _labels_by_claim(
                source_rows, row_sides[start : start + count], part_about, len(claim_texts), labels_per_claim, unread
            )
        )
        start += count
    # Both judges, at every setting, read the same vectors: only the first check embeds.
    shared = embedder or CachedEmbedder(default_embedder(), MemoryCache())
    table = _LabelledTable(
        claim_texts,
        loaded,
        labels,
        # A label left unread takes no side too, but is counted as unread, not as a label of no side.
        {side: row_sides.count(side) for side in ("contradicts", "supports")}
        | {"none": row_sides.count(None) - sum(unread_labels.values())},
        dict(skipped),
        dict(unread),
        row_about is not None,
        labels_per_claim,
        group_column is not None,
        min_relevant,
        # Star ratings as the labels must not also weigh the stance they score (alignment.ratings).
        ratings_are_labels=label_column == mapping.rating,
    )
    return [_evaluate_at(table, config, shared, stance_model, progress) for config in configs]


@dataclass(frozen=True, slots=True)
class _LabelledTable:
    """What every setting of :func:`evaluate_evidence_sweep` reads: the claims, the reviews by group (name,
    ReviewSet, source rows), each group's labels by claim (sides, about), and how the table was read."""

    claims: list[str]
    groups: list[tuple[str | None, ReviewSet, list[list[int]]]]
    labels: list[tuple[list[list[Side | None]], list[np.ndarray] | None]]
    sides: dict[str, int]
    skipped: dict[str, int]
    unread: dict[str, int]
    about: bool
    labels_per_claim: bool
    grouped: bool
    min_relevant: int
    ratings_are_labels: bool = False


def _evaluate_at(
    table: _LabelledTable,
    config: Config,
    shared: Embedder,
    stance_model: StanceModel | None,
    progress: Progress | None,
) -> EvidenceEvaluation:
    """One setting of :func:`evaluate_evidence_sweep`: check every group with alignment's judge and the
    lexicon's, and score both (and the cosine) against the labels."""
    from alignment.pipeline import check

    if table.ratings_are_labels:
        config = config.replace(rating_prior=False)
    claim_texts, min_relevant = table.claims, table.min_relevant
    # Match precision needs every claim a review speaks to marked, as the long format of labels per claim
    # marks them; one about value per review names one claim only.
    tallies = {name: _Tally(len(claim_texts), table.labels_per_claim) for name in ("alignment", "lexicon", "cosine")}
    matched_reviews = np.zeros(len(claim_texts), dtype=np.int64)
    contradicting_about = np.zeros(len(claim_texts), dtype=np.int64)
    misread: list[tuple[float, MisreadReview]] = []
    weighed_by: str | None = None
    matched_total = 0
    most_relevant = 0
    by_group: list[GroupEvidence] = []
    for (group, review_set, _), (sides, about) in zip(table.groups, table.labels, strict=True):
        reports = {
            name: check(
                None,
                review_set,
                config.replace(stance_model=name),
                claims=claim_texts,
                embedder=shared,
                stance_model=stance_model if name == "bundled" else None,
                progress=progress,
            )
            for name in ("bundled", "lexicon")
        }
        n = len(review_set.reviews)
        if reports["bundled"].rating_prior is not None:
            weighed_by = review_set.mapping.rating
        read = {
            name: [review_scores(report, i, n) for i in range(len(claim_texts))] for name, report in reports.items()
        }
        labelled = [np.array([side == "contradicts" for side in sides[i]]) for i in range(len(claim_texts))]
        relevant = None if about is None else [about[i] & labelled[i] for i in range(len(claim_texts))]
        if relevant is not None:
            most_relevant = max(most_relevant, *(int(found.sum()) for found in relevant))
        # The group's own figures (alignment's reading: how it reads one brand against another), then the
        # pooled ones. The lexicon run matches by the claim alone, so its similarities are the plain cosine.
        own = _Tally(len(claim_texts), table.labels_per_claim)
        own.add(read["bundled"], sides, [contra for contra, _, _ in read["bundled"]], relevant, labelled, min_relevant)
        own.add_matching([contra >= 0 for contra, _, _ in read["bundled"]], about)
        tallies["alignment"].extend(own)
        for name, readings, scores in (
            ("lexicon", read["lexicon"], [contra for contra, _, _ in read["lexicon"]]),
            ("cosine", None, [similar for _, similar, _ in read["lexicon"]]),
        ):
            tallies[name].add(readings, sides, scores, relevant, labelled, min_relevant)
            tallies[name].add_matching([contra >= 0 for contra, _, _ in read["lexicon"]], about)
        matched = np.zeros(n, dtype=bool)
        for i, (contra, _, stance) in enumerate(read["bundled"]):
            matched |= contra >= 0
            matched_reviews[i] += int((contra >= 0).sum())
            if relevant is not None:
                contradicting_about[i] += int(relevant[i].sum())
            misread += _misread(review_set, reports["bundled"], claim_texts[i], stance, sides[i])
        matched_total += int(matched.sum())
        by_group.append(GroupEvidence(group or "", n, int(matched.sum()), own.scores()))
    alignment = tallies["alignment"]
    per_claim = tuple(
        ClaimEvidence(
            claim=text,
            matched_reviews=int(matched_reviews[i]),
            pairs=len(alignment.claim_hits[i]),
            accuracy=float(np.mean(alignment.claim_hits[i])) if alignment.claim_hits[i] else None,
            contradicting_about=int(contradicting_about[i]) if table.about else None,
            average_precision={
                name: float(np.mean([ap for ap, _ in tally.ranked[i]]))
                for name, tally in tallies.items()
                if tally.ranked[i]
            },
            about=int(alignment.about_pairs[i]) if table.about else None,
            about_matched=int(alignment.matched_about[i]) if table.about else None,
        )
        for i, text in enumerate(claim_texts)
    )
    return EvidenceEvaluation(
        reviews=sum(len(review_set.reviews) for _, review_set, _ in table.groups),
        sides=dict(table.sides),
        skipped=dict(table.skipped),
        unread=dict(table.unread),
        matched_reviews=matched_total,
        min_similarity=config.min_similarity,
        judges={name: tally.scores() for name, tally in tallies.items()},
        claims=per_claim,
        labels_per_claim=table.labels_per_claim,
        misread=tuple(found for _, found in sorted(misread, key=lambda item: -item[0])),
        groups=len(table.groups),
        by_group=tuple(by_group) if table.grouped else (),
        min_relevant=min_relevant,
        most_relevant=most_relevant if table.about else None,
        weighed_by=weighed_by,
    )


def _load_groups(
    frame: pd.DataFrame,
    rows_of: Sequence[list[int]] | None,
    group_column: str | None,
    text_column: str,
    id_column: str | None,
) -> tuple[list[tuple[str | None, ReviewSet, list[list[int]]]], Counter[str]]:
    """Each group's reviews (one group without a group column) with the source rows behind each review
    (``rows_of[row]`` for the long format, else the row itself), and the rows skipped, by reason. A group
    with no review text is skipped and counted; a file with none fails.

    Raises:
        EmptyDatasetError: no review text in the file (in any group).
    """
    loaded: list[tuple[str | None, ReviewSet, list[list[int]]]] = []
    skipped: Counter[str] = Counter()
    # The rows the reader dropped from the file (malformed, unreadable, title rows) are in its attrs, which
    # every slice of it inherits: they go with the first group read only, so that each is counted once.
    pending = dict(frame.attrs)
    for group, positions in _groups(frame, group_column):
        part = frame.iloc[positions]
        part.attrs = pending
        try:
            review_set = load_reviews(part, text_column=text_column, id_column=id_column)
        except EmptyDatasetError:
            if group_column is None:
                raise
            skipped["row of a group with no review text"] += len(positions)
            continue
        pending = {}
        skipped.update(review_set.summary.skipped)
        kept = [positions[review.row - 1] for review in review_set.reviews]
        loaded.append((group, review_set, [[row] if rows_of is None else rows_of[row] for row in kept]))
    if not loaded:
        raise EmptyDatasetError(f"No group of column {group_column!r} has review text to check.")
    return loaded, skipped


def _groups(frame: pd.DataFrame, column: str | None) -> list[tuple[str | None, list[int]]]:
    """The frame's rows (positions) of each group, in order of first appearance; one group without a
    column. A blank group value is a group of its own."""
    if column is None:
        return [(None, list(range(len(frame))))]
    groups: dict[str, list[int]] = {}
    for row, value in enumerate(frame[column].tolist()):
        groups.setdefault(clean_cell(value), []).append(row)
    return list(groups.items())


def _misread(
    review_set: ReviewSet, report: Report, claim: str, stance: Mapping[int, ReviewReading], sides: Sequence[Side | None]
) -> list[tuple[float, MisreadReview]]:
    """The labelled pairs of one claim read otherwise, each with the confidence of the side it took (a
    neutral reading took none)."""
    found = []
    for row, side in _labelled(stance, sides):
        reading = stance[row]
        if reading.stance != side:
            sure = 0.0 if reading.stance == "neutral" else abs(reading.q - 0.5)
            pair = MisreadReview(
                review_id=review_set.reviews[row].review_id,
                claim=claim,
                label=side,
                read=reading.stance,
                p_contradicts=round(reading.q, 4),
                sentence=report.sentences[reading.sentence].text,
            )
            found.append((sure, pair))
    return found


def _one_row_per_review(
    frame: pd.DataFrame, text_column: str, id_column: str | None, group_column: str | None, unread: Counter[str]
) -> tuple[pd.DataFrame, list[list[int]]]:
    """The long format's first row of each review, and the frame's rows of each kept row: rows of one group
    (the group column's value; every row without one) that share an id (without an id column, a text) are
    one review. A blank key is a review of its own; an id whose rows differ in text is read with its first
    text, and its other texts are counted."""
    ids = [clean_cell(value) for value in frame[id_column or text_column].tolist()]
    owners = [clean_cell(value) for value in frame[group_column].tolist()] if group_column else [""] * len(ids)
    keys = [(owner, key) if key else None for owner, key in zip(owners, ids, strict=True)]
    texts = [clean_cell(value) for value in frame[text_column].tolist()]
    rows_of: list[list[int]] = []
    review_of: dict[tuple[str, str], int] = {}
    for row, key in enumerate(keys):
        if key is None:
            rows_of.append([row])
        elif key in review_of:
            if texts[row] != texts[rows_of[review_of[key]][0]]:
                unread["row of an id with another text"] += 1
            rows_of[review_of[key]].append(row)
        else:
            review_of[key] = len(rows_of)
            rows_of.append([row])
    return frame.iloc[[rows[0] for rows in rows_of]].reset_index(drop=True), rows_of


def _labels_by_claim(
    source_rows: Sequence[Sequence[int]],
    row_sides: Sequence[Side | None],
    row_about: Sequence[int | None] | None,
    n_claims: int,
    per_claim: bool,
    unread: Counter[str],
) -> tuple[list[list[Side | None]], list[np.ndarray] | None]:
    """Each claim's label of each review, and (with the about column) which reviews are about each claim.

    ``row_sides`` and ``row_about`` follow ``source_rows`` flattened. Without labels per claim a review has
    one row, and its label stands for every claim. With them a label stands for its row's claim only;
    two rows that give one review opposite sides on one claim leave it unlabelled there, counted.
    """
    n = len(source_rows)
    about = None if row_about is None else [np.zeros(n, dtype=bool) for _ in range(n_claims)]
    if not per_claim:
        if about is not None and row_about is not None:
            for review, claim in enumerate(row_about):
                if claim is not None:
                    about[claim][review] = True
        return [list(row_sides)] * n_claims, about
    assert about is not None and row_about is not None  # labels per claim require the about column
    sides: list[list[Side | None]] = [[None] * n for _ in range(n_claims)]
    conflicted: set[tuple[int, int]] = set()
    position = 0
    for review, group in enumerate(source_rows):
        for _ in group:
            side, claim = row_sides[position], row_about[position]
            position += 1
            if claim is None:
                continue
            about[claim][review] = True
            if side is None or (claim, review) in conflicted:
                continue
            if sides[claim][review] not in (None, side):
                unread["opposite labels of one review on one claim"] += 1
                conflicted.add((claim, review))
                sides[claim][review] = None
            else:
                sides[claim][review] = side
    return sides, about


def _labelled(stance: Mapping[int, ReviewReading], sides: Sequence[Side | None]) -> list[tuple[int, Side]]:
    """The matched reviews (by row) that are labelled with a side, with that side."""
    return [(row, side) for row in sorted(stance) if (side := sides[row]) is not None]


class _Tally:
    """One judge's readings and rankings, pooled over claims and groups (:meth:`scores`)."""

    def __init__(self, claims: int, precision: bool = False) -> None:
        self.hits: dict[Side, list[bool]] = {"contradicts": [], "supports": []}
        self.claim_hits: list[list[bool]] = [[] for _ in range(claims)]
        self.predicted: list[float] = []
        self.outcomes: list[bool] = []
        self.ranked: list[list[tuple[float, float]]] = [[] for _ in range(claims)]  # per claim: (AP, first ten)
        self.first_contradicting: list[float] = []
        self.precision = precision  # whether the about marks are complete enough for match precision
        # per claim: the (review, claim) pairs marked about it, its matches, and the matches marked about it
        self.about_pairs = np.zeros(claims, dtype=np.int64)
        self.matched_pairs = np.zeros(claims, dtype=np.int64)
        self.matched_about = np.zeros(claims, dtype=np.int64)

    def add_matching(self, matched: Sequence[np.ndarray], about: Sequence[np.ndarray] | None) -> None:
        """One group's matching against the about marks: ``matched[i]`` and ``about[i]`` say, per review,
        whether claim i matched it and whether it is marked about claim i (nothing to count without marks)."""
        if about is None:
            return
        for i, (hit, marked) in enumerate(zip(matched, about, strict=True)):
            self.about_pairs[i] += int(marked.sum())
            self.matched_pairs[i] += int(hit.sum())
            self.matched_about[i] += int((hit & marked).sum())

    def add(
        self,
        read: Sequence[tuple[np.ndarray, np.ndarray, dict[int, ReviewReading]]] | None,
        sides: Sequence[Sequence[Side | None]],
        scores: Sequence[np.ndarray],
        relevant: Sequence[np.ndarray] | None,
        labelled: Sequence[np.ndarray],
        min_relevant: int,
    ) -> None:
        """One group's readings (None for plain cosine, which takes no side) against the labels, and each
        claim's ranking by ``scores``: AP and the first ten of its contradicting reviews about it, and the
        share of its first ten labelled contradicting at all."""
        for i, ((_, _, stance), claim_sides) in enumerate(zip(read, sides, strict=True) if read is not None else ()):
            for row, side in _labelled(stance, claim_sides):
                hit = stance[row].stance == side
                self.hits[side].append(hit)
                self.claim_hits[i].append(hit)
                self.predicted.append(stance[row].q)
                self.outcomes.append(side == "contradicts")
        for i, ranking in enumerate(scores):
            if relevant is not None and relevant[i].sum() >= min_relevant:
                self.ranked[i].append((average_precision(ranking, relevant[i]), precision_at(ranking, relevant[i])))
            if labelled[i].sum() >= min_relevant and (relevant is None or relevant[i].sum() >= min_relevant):
                self.first_contradicting.append(precision_at(ranking, labelled[i]))

    def extend(self, other: _Tally) -> None:
        """Pool another tally (a group's) into this one."""
        for side, hits in other.hits.items():
            self.hits[side] += hits
        for mine, theirs in zip(self.claim_hits, other.claim_hits, strict=True):
            mine += theirs
        for mine_ranked, theirs_ranked in zip(self.ranked, other.ranked, strict=True):
            mine_ranked += theirs_ranked
        self.predicted += other.predicted
        self.outcomes += other.outcomes
        self.first_contradicting += other.first_contradicting
        self.about_pairs += other.about_pairs
        self.matched_pairs += other.matched_pairs
        self.matched_about += other.matched_about

    def scores(self) -> JudgeScores:
        """The pooled scores: stance over every labelled pair, AP and the first ten averaged over every
        (group, claim) ranked."""
        every = self.hits["contradicts"] + self.hits["supports"]
        marked_matched = int(self.matched_about.sum())
        ranked = [found for claim in self.ranked for found in claim]
        firsts = [first for _, first in ranked]
        return JudgeScores(
            pairs=len(every),
            accuracy=float(np.mean(every)) if every else None,
            on_contradicting=float(np.mean(self.hits["contradicts"])) if self.hits["contradicts"] else None,
            on_supporting=float(np.mean(self.hits["supports"])) if self.hits["supports"] else None,
            calibration_error=calibration_error(self.predicted, self.outcomes) if self.predicted else None,
            mean_ap=float(np.mean([ap for ap, _ in ranked])) if ranked else None,
            first_ten=_nan_mean(firsts),
            first_ten_contradicting=_nan_mean(self.first_contradicting),
            ranked=len(ranked),
            match_recall=marked_matched / marked if (marked := int(self.about_pairs.sum())) else None,
            match_precision=marked_matched / matches
            if self.precision and (matches := int(self.matched_pairs.sum()))
            else None,
        )


def _nan_mean(values: Sequence[float]) -> float | None:
    """The mean of the values that are numbers (a claim with no quote has no first ten), None if none is."""
    return float(np.nanmean(values)) if values and not np.isnan(values).all() else None


def _read_about(values: Sequence[object], claims: Sequence[str], unread: Counter[str]) -> list[int | None]:
    """Each review's claim, by number (from 1) or by text (case, spacing, quotes and end punctuation aside, as
    :func:`alignment.records.wording_key` reads a repeated claim); None when blank. A number may be written
    as a whole float ("2.0"): a column of numbers beside a blank cell is read as floats (a JSON file, pandas'
    read_csv), as ingest reads such an id."""
    by_text = {wording_key(c): i for i, c in enumerate(claims)}
    about: list[int | None] = []
    for value in values:
        text = clean_cell(value)
        number = _whole_number(text)
        if not text:
            about.append(None)
        elif number is not None and 1 <= number <= len(claims):
            about.append(number - 1)
        elif (key := wording_key(text)) in by_text:
            about.append(by_text[key])
        else:
            unread["about names no claim"] += 1
            about.append(None)
    if values and all(a is None for a in about) and unread["about names no claim"]:
        raise InputError(
            "No value of the about column names a claim. Give each review's claim by its number (1 for the "
            "first claim) or its exact text."
        )
    return about


def _found_values(cells: Sequence[object], shown: int = 5) -> str:
    """What a column holds, for an error: its most common values, or that it is blank."""
    counts = Counter(text for cell in cells if (text := clean_cell(cell)))
    if not counts:
        return "every cell is blank"
    values = ", ".join(repr(value if len(value) <= 30 else value[:29] + "…") for value, _ in counts.most_common(shown))
    more = f" and {len(counts) - shown:,} other values" if len(counts) > shown else ""
    return f"it holds {values}{more}"


def _whole_number(text: str) -> int | None:
    """The whole number a cell writes ("2", "2.0", "02"), else None ("2.5", "-1", "two", "nan")."""
    found = _WHOLE_NUMBER.fullmatch(text)
    return int(found.group(1)) if found else None


def _without_nan(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nan(item) for item in value]
    return value
