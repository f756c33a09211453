"""The figures behind the app's views, computed from a Report: frames, plotly charts and an HTML export.

Nothing here imports Streamlit. Every number the app shows (verdicts, shares, monthly and per-segment
alignment, prominence, the strongest quotes, the dataset overview) is computed in this module or in the
library stages, so the CLI, notebooks and the app agree. Colours are blue (supports) against orange
(contradicts), never red against green, and every coloured mark also carries a symbol or a label.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from alignment.match import matched_under
from alignment.quantities import describe_comparison, find_bounds
from alignment.ratings import OFF_SCALE_RATING, rating_bounds
from alignment.records import ClaimResult, Judgement, Review, wording_key
from alignment.score import alignment_interval, score_claim, verdict

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from alignment.ingest import ReviewSet
    from alignment.report import Report
    from alignment.workspace import RunInfo

SUPPORT_COLOUR = "#0072B2"  # Okabe-Ito blue
CONTRADICT_COLOUR = "#D55E00"  # Okabe-Ito vermillion (reads as orange)
NEUTRAL_COLOUR = "#B4B4B4"
GRID_COLOUR = "#E5E5E5"
TEXT_COLOUR = "#222222"
FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"
# Diverging scale for the alignment index: orange (-1) through near-white (0) to blue (+1).
ALIGNMENT_SCALE = [
    [0.0, CONTRADICT_COLOUR],
    [0.25, "#EDA77C"],
    [0.5, "#F4F4F4"],
    [0.75, "#7FB3D8"],
    [1.0, SUPPORT_COLOUR],
]

ALIGNMENT_HELP = (
    "Alignment runs from −1 (every stance-bearing review sentence contradicts the claim) through 0 "
    "(as much contradiction as support) to +1 (every one supports it): (supports − contradicts) / "
    "(supports + contradicts). Neutral mentions do not count."
)
INTERVAL_HELP = (
    "The interval is a 95% credible range for the alignment: with the evidence seen, the true value lies "
    "in it with 95% probability. Few mentions give a wide interval, many a narrow one."
)
PROMINENCE_HELP = (
    "Prominence (0–100) is how loudly the copy makes the claim: where it sits in its ad (the opening "
    "line counts most, 45%), how strong its wording is (guarantees, absolutes and superlatives over "
    "comparisons and soft qualities, 35%) and how often the copy repeats the same promise (20%)."
)


@dataclass(frozen=True, slots=True)
class VerdictStyle:
    """How a verdict is named, marked and coloured everywhere (app, HTML report, charts)."""

    label: str
    symbol: str
    colour: str
    tint: str
    meaning: str


VERDICTS: Mapping[str, VerdictStyle] = {
    "contradicted": VerdictStyle(
        "contradicted",
        "✖",
        CONTRADICT_COLOUR,
        "#FBE1CF",
        "customers clearly contradict it (the whole interval is below 0)",
    ),
    "mixed": VerdictStyle(
        "mixed",
        "◐",
        "#AA4499",
        "#F3DDEE",
        "customers are split, or support it only weakly (the interval reaches 0.2 or below)",
    ),
    "unproven": VerdictStyle(
        "unproven", "?", "#6E6E6E", "#E9E9E9", "too little stance-bearing evidence to judge (fewer than the minimum)"
    ),
    "supported": VerdictStyle(
        "supported", "✔", SUPPORT_COLOUR, "#D8E9F6", "customers clearly back it up (the interval is above 0.2)"
    ),
}
VERDICT_ORDER: tuple[str, ...] = ("contradicted", "mixed", "unproven", "supported")
AT_RISK: frozenset[str] = frozenset({"contradicted", "mixed"})
_EMPHASIS = {
    "guarantee": 1.0,
    "absolute": 1.0,
    "superlative": 0.9,
    "quantitative": 0.8,
    "comparative": 0.7,
    "qualitative": 0.4,
}


def _lowered(report: Report) -> str:
    """ ", lower for N claims (see the notes)" when relative matching matched some claims under
    min_similarity in the report's evidence, else "". N counts the claims the relative-matching note of
    :func:`check_notes` names, from the same evidence, so the header and that note agree under a filter."""
    lowered = len(_lowered_claims(report))
    return f", lower for {lowered} claim{'s' if lowered != 1 else ''} (see the notes)" if lowered else ""


def _lowered_claims(report: Report) -> list[ClaimResult]:
    """The claims (one per wording) with evidence matched under min_similarity by relative matching, as
    alignment.pipeline.relative_match_note names them."""
    from alignment.pipeline import distinct_claims

    if not report.config.relative_match:
        return []
    return [
        result
        for result in distinct_claims(report.claims)
        if matched_under(result.judgements, report.config.min_similarity)[0]
    ]


RELATIVE_MATCH_NOTE = "Matched under min_similarity "  # how alignment.pipeline.relative_match_note begins
FILTER_NOTE = "Filtered: "  # how filter_report's note begins
WHOLE_DATASET_NOTE = (
    "The claims' counts, verdicts and charts are of the filtered evidence only; the dataset's counts (rows, "
    "reviews, sentences) and the other notes on the check are of the whole dataset."
)


def check_notes(report: Report) -> tuple[str, ...]:
    """The report's notes, with the one on relative matching (alignment.pipeline.relative_match_note) worked
    out again from the report's own evidence.

    The check writes that note on the whole dataset: under a filter (:func:`filter_report`) it would name
    claims, and sentence counts, that the filtered evidence no longer holds, beside charts and a report
    header that count the filtered evidence. Worked out again, it names what the filtered report holds (and
    is left out when nothing there was matched under min_similarity). The other notes stay as the check
    wrote them, the filter's own note after them, and then WHOLE_DATASET_NOTE, which says they are the
    whole dataset's.
    """
    from alignment.pipeline import relative_match_note

    lowered = relative_match_note(report.claims, report.config)
    checked = [note for note in report.notes if not note.startswith(FILTER_NOTE) and note != WHOLE_DATASET_NOTE]
    filters = [note for note in report.notes if note.startswith(FILTER_NOTE)]
    notes: list[str] = []
    for note in checked:
        if note.startswith(RELATIVE_MATCH_NOTE):
            if lowered:
                notes.append(lowered)
                lowered = None
        else:
            notes.append(note)
    if lowered:  # a report built without the check's notes: the header's "see the notes" must find it
        notes.append(lowered)
    # The check wrote its other notes on the whole dataset, and the report's dataset block counts it whole:
    # under a filter, say so, beside figures that count the filtered evidence.
    return (*notes, *filters, *([WHOLE_DATASET_NOTE] if filters else []))


def verdict_label(name: str) -> str:
    """The verdict with its symbol, e.g. "✖ contradicted"."""
    style = VERDICTS[name]
    return f"{style.symbol} {style.label}"


def format_alignment(value: float | None) -> str:
    """An alignment index with an explicit sign and a real minus sign ("+0.74", "−0.27"), or "n/a"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:+.2f}"
    return text.replace("-", "−")


def format_interval(interval: tuple[float, float] | None) -> str:
    """A 95% interval as "−0.44 to −0.09", or "n/a"."""
    if interval is None:
        return "n/a"
    return f"{format_alignment(interval[0])} to {format_alignment(interval[1])}"


GAP_LABEL_LINE = 26  # characters per line of a gap chart's claim label
TREND_COLUMNS = 2  # panels a row in the trend chart
TREND_TITLE_LINE = 24  # characters a line of a trend panel's title
SEGMENT_VALUES_SHOWN = 20  # columns of a segment heatmap at most: the values with the most evidence
SEGMENT_LABEL_LINE = 24  # characters a line of a segment heatmap's claim label (two lines at most)
SEGMENT_HEADER_CHARS = 22  # characters of a segment heatmap's value header
SEGMENT_TEXT_COLUMNS = 8  # a heatmap of more columns colours its cells without writing in them
THIN_CELL_COLOUR = "#DDDDDD"  # a heatmap cell with too little evidence to colour


def short_text(text: str, width: int = 48) -> str:
    """Cut a claim to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _two_lines(label: str, width: int = GAP_LABEL_LINE) -> str:
    """A chart label escaped and broken onto two lines (plotly's ``<br>``): one line of 48 characters takes a
    third of a chart in a narrow window (a laptop with the sidebar open) and squeezes the bars to slivers."""
    import textwrap

    lines = textwrap.wrap(label, width, break_long_words=False) or [label]
    if len(lines) > 2:
        lines = [lines[0], short_text(" ".join(lines[1:]), width)]
    return "<br>".join(_escape(line) for line in lines)


def _escape(text: str) -> str:
    """Escape text shown inside a plotly label (plotly reads a subset of HTML in its strings)."""
    return html.escape(text, quote=False)


CUT_LABELS = "cut_labels"  # the key in a figure's layout.meta of its claim labels cut short: [[shown, full], ...]


def _plain(label: str) -> str:
    """A plotly label as the text it shows: tags dropped, lines joined with a space (without one after a line
    that broke a word at its hyphen: "money-" + "back" is "money-back"), entities read."""
    lines = [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in label.split("<br>")]
    text = ""
    for line in lines:
        text += line if not text or text.endswith("-") else f" {line}"
    return text.strip()


def _keep_cut_labels(figure: go.Figure, shown: Sequence[str], full: Sequence[str]) -> None:
    """Note in ``figure``'s layout.meta which of its labels (``shown``, as plotly strings) cut a claim (``full``)
    short, so that an export can give them in full (:func:`cut_labels`): a picture has no hover."""
    cut = {}
    for label, text in zip(shown, full, strict=True):
        plain, whole = _plain(label), " ".join(text.split())
        if plain.endswith("…") and plain != whole:
            cut[plain] = whole
    if cut:
        meta = dict(figure.layout.meta) if isinstance(figure.layout.meta, dict) else {}
        meta[CUT_LABELS] = [[plain, whole] for plain, whole in cut.items()]
        figure.update_layout(meta=meta)


def cut_labels(figure: go.Figure) -> list[tuple[str, str]]:
    """The claim labels a chart cut short, each as (the label as shown, the whole claim), in drawing order."""
    meta = figure.layout.meta
    if not isinstance(meta, dict):
        return []
    return [(str(shown), str(full)) for shown, full in meta.get(CUT_LABELS, [])]


# --------------------------------------------------------------------------------------------- filtering


BLANK = "(blank)"  # how an empty segment value is shown and chosen (filters, heatmaps, drill-downs)


def filter_report(
    report: Report,
    start: date | None = None,
    end: date | None = None,
    segments: Mapping[str, Collection[str]] | None = None,
) -> Report:
    """Keep only the evidence from reviews dated within [start, end] and with the given segment values.

    Scores are recomputed from the kept evidence with the report's own min_evidence and interval level.
    With a date bound, reviews without a date are left out. An empty collection for a segment column
    means "every value". The report's notes say which filter was applied.
    """
    wanted = {name: set(values) for name, values in (segments or {}).items() if values}
    if start is None and end is None and not wanted:
        return report
    start_text = start.isoformat() if start else None
    end_text = end.isoformat() if end else None

    def keep(review: Review) -> bool:
        if start_text or end_text:
            if review.date is None:
                return False
            if start_text and review.date < start_text:
                return False
            if end_text and review.date > end_text:
                return False
        # An empty value is offered, and chosen, as BLANK.
        return all((review.segments.get(name, "") or BLANK) in values for name, values in wanted.items())

    kept_reviews = [keep(review) for review in report.reviews]
    config = report.config
    results = []
    for result in report.claims:
        judgements = tuple(
            j for j in result.judgements if kept_reviews[report.sentences[j.sentence_index].review_index]
        )
        results.append(
            ClaimResult(result.claim, score_claim(judgements, config.min_evidence, config.interval_level), judgements)
        )
    parts = []
    if start_text or end_text:
        parts.append(f"reviews dated {start_text or 'any time'} to {end_text or 'now'}")
    for name, values in wanted.items():
        parts.append(f"{name} in {', '.join(sorted(values))}")
    note = "Filtered: " + "; ".join(parts) + "."
    return dataclasses.replace(report, claims=tuple(results), notes=(*report.notes, note))


def review_count(report: Report) -> int:
    """How many distinct reviews the report's evidence comes from."""
    return len({report.sentences[j.sentence_index].review_index for r in report.claims for j in r.judgements})


# ----------------------------------------------------------------------------------------- quotes


@dataclass(frozen=True, slots=True)
class Quote:
    """A review sentence quoted as evidence, with its review and how sure the stance judge was.

    ``before`` and ``after`` are the sentences either side of it in the same review ("" at an edge): the
    stance judge reads the sentence with them (alignment.stance.read_in_context), so a reader sees them too.
    ``amount`` is what its amounts say against the claim's promised bound ("75 minutes against at most 30
    minutes", alignment.quantities), which gave its side; "" when none was compared.
    """

    text: str
    stance: str
    probability: float
    similarity: float
    review: Review
    repeats: int
    before: str = ""
    after: str = ""
    amount: str = ""


# English function words: they name nothing a customer went through. Negations ("no", "not", "never") and
# degree words ("always", "again", "too") are left out on purpose: "Never on time." says a great deal.
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "all", "both"}
    | {"i", "me", "my", "mine", "you", "your", "yours", "we", "us", "our", "ours", "they", "them", "their"}
    | {"he", "him", "his", "she", "her", "it", "its", "who", "whom", "which", "what", "whose"}
    | {"in", "on", "at", "to", "from", "of", "for", "with", "by", "about", "into", "onto", "over", "under"}
    | {"up", "down", "out", "off", "through", "via", "per", "as", "and", "or", "but", "so", "if", "than", "then"}
    | {"there", "here", "hi", "hello", "hey", "dear", "re", "rt"}
)
# A sentence with a verb of its own states something, even in the claim's words ("The 5G here is blazing fast."
# confirms "Blazing-fast 5G"): only a verbless mention ("Fast 5G?", "Flight 746.") names without saying.
_AUXILIARIES = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had"}
    | {"will", "would", "can", "could", "shall", "should", "may", "might", "must"}
)
_QUOTE_TOKEN = re.compile(r"(?:https?://|www\.)\S+|[@#]?[^\W_]+(?:'[^\W_]+)?")


def says_more_than_claim(sentence: str, claim: str) -> bool:
    """Whether ``sentence`` holds a word that is neither the claim's own nor an English function word, or a
    verb of its own (an auxiliary: a sentence in the claim's words that says it holds, or not, says something).

    "Customer service?", "The delivery." or "Flight 746." beside "Friendly, helpful customer service",
    "Fast, free delivery" or "A comfortable flight" only name what the claim is about, and the stance model
    reads such a bare mention as a confident complaint (README, Known limits), so it must not stand as the
    reason a claim is at risk while a quote that says what went wrong waits below it. Numbers, handles
    (@brand) and web addresses name nothing either; a plural counts as its singular.
    """
    return _says_more(sentence, _claim_words(claim))


def _claim_words(claim: str) -> frozenset[str]:
    return frozenset(_singular(word) for word in _quote_words(claim))


def _says_more(sentence: str, claim_words: frozenset[str]) -> bool:
    return any(
        word in _AUXILIARIES or (word not in _FUNCTION_WORDS and _singular(word) not in claim_words)
        for word in _quote_words(sentence)
    )


def _quote_words(text: str) -> list[str]:
    return [
        token.lstrip("#").removesuffix("'s")
        for token in _QUOTE_TOKEN.findall(text.lower())
        if not token.startswith(("@", "http", "www.")) and not token.lstrip("#").isdigit()
    ]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def top_quotes(report: Report, result: ClaimResult, stance: str, k: int = 3) -> list[Quote]:
    """The ``k`` strongest quotes of one stance: most confident first, then most similar; repeats merged.

    A sentence that says no more than the claim (:func:`says_more_than_claim`) comes after every one that
    does, so it fills a place only when nothing better is there; so does a sentence that other reviews say
    word for word on the opposite side (read with their own neighbours and stars), which would otherwise
    stand among the strongest quotes of both sides.
    """
    chosen = [j for j in result.judgements if j.stance == stance]
    opposite = {"supports": "contradicts", "contradicts": "supports"}.get(stance)
    contested = {
        " ".join(report.sentences[j.sentence_index].text.lower().split())
        for j in result.judgements
        if j.stance == opposite
    }
    compares = report.config.quantities and bool(find_bounds(result.claim.text))
    chosen.sort(key=lambda j: (_probability(j, stance), j.similarity), reverse=True)
    # Read in order of strength, so the word test runs only until k quotes that say more are found.
    claim_words = _claim_words(result.claim.text)
    saying: dict[str, Judgement] = {}
    bare: dict[str, Judgement] = {}
    repeats: dict[str, int] = {}
    for judgement in chosen:
        key = " ".join(report.sentences[judgement.sentence_index].text.lower().split())
        if key in saying or key in bare:
            repeats[key] = repeats.get(key, 0) + 1
        elif len(saying) < k:
            if key not in contested and _says_more(key, claim_words):
                saying[key] = judgement
            elif len(bare) < k:
                bare[key] = judgement
    quotes = []
    for key, judgement in [*saying.items(), *bare.items()][:k]:
        sentence = report.sentences[judgement.sentence_index]
        quotes.append(
            Quote(
                text=sentence.text,
                stance=stance,
                probability=_probability(judgement, stance),
                similarity=judgement.similarity,
                review=report.reviews[sentence.review_index],
                repeats=repeats.get(key, 0),
                before=_neighbour_text(report, judgement.sentence_index, -1),
                after=_neighbour_text(report, judgement.sentence_index, 1),
                amount=describe_comparison(result.claim.text, sentence.text) if compares else "",
            )
        )
    return quotes


def _neighbour_text(report: Report, index: int, step: int) -> str:
    """The text of the sentence ``step`` away from sentence ``index`` when it is in the same review, else ""."""
    other = index + step
    if not 0 <= other < len(report.sentences):
        return ""
    neighbour = report.sentences[other]
    return neighbour.text if neighbour.review_index == report.sentences[index].review_index else ""


def _probability(judgement: Judgement, stance: str) -> float:
    return {"supports": judgement.p_supports, "contradicts": judgement.p_contradicts}.get(stance, judgement.p_neutral)


# ----------------------------------------------------------------------------------------- frames


def claims_overview(report: Report) -> pd.DataFrame:
    """One row per claim with its verdict and shares (%), in report order."""
    frame = report.claims_frame()
    frame["verdict"] = [verdict(result.score) for result in report.claims]
    decided = frame["supports"] + frame["contradicts"]
    frame["decided"] = decided
    safe = decided.where(decided > 0)
    frame["support_share"] = (100 * frame["supports"] / safe).fillna(0.0)
    frame["contradict_share"] = (100 * frame["contradicts"] / safe).fillna(0.0)
    return frame


def gap_frame(report: Report) -> pd.DataFrame:
    """Claims sorted by gap (support share − contradict share, in percentage points), worst first."""
    frame = claims_overview(report)
    frame["gap"] = frame["support_share"] - frame["contradict_share"]
    frame["label"] = _unique_labels(frame["text"].tolist(), frame["claim_id"].tolist())
    # Claims without stance-bearing evidence go last: their gap of 0 means "unknown", not "balanced".
    frame["_known"] = frame["decided"] > 0
    return frame.sort_values(["_known", "gap"], ascending=[False, True], kind="stable").drop(columns="_known")


# The counts and alignment columns every per-claim breakdown (by month, by segment value) carries.
_STANCE_COLUMNS = (
    "supports",
    "contradicts",
    "neutral",
    "mentions",
    "alignment",
    "interval_low",
    "interval_high",
    "enough",
)


def trend_frame(report: Report) -> pd.DataFrame:
    """Per claim and calendar month: counts, alignment and its interval (months without evidence omitted)."""
    columns = ["claim_id", "claim", "month", *_STANCE_COLUMNS]
    matches = report.matches_frame()
    matches = matches[matches["date"].notna()]
    if matches.empty:
        return pd.DataFrame(columns=columns)
    matches = matches.assign(month=matches["date"].dt.to_period("M").dt.to_timestamp())
    frame = _stance_counts(matches, ["claim_id", "claim", "month"])
    frame = _with_alignment(frame, report.config.min_evidence, report.config.interval_level)
    order = {result.claim.claim_id: i for i, result in enumerate(report.claims)}
    frame = frame.sort_values(["claim_id", "month"], key=lambda s: s.map(order) if s.name == "claim_id" else s)
    return frame[columns].reset_index(drop=True)


def segment_columns(report: Report) -> list[str]:
    """The segment columns of the report's dataset (e.g. channel, region)."""
    return [str(name) for name in (report.dataset.columns.get("segments") or [])]  # type: ignore[attr-defined]


def segment_frame(report: Report, column: str) -> pd.DataFrame:
    """Per claim and value of one segment column: counts, alignment and its interval.

    Every claim × value pair appears (zero counts where there is no evidence); values are ordered by how
    much evidence they hold, and blank values are shown as "(blank)".
    """
    columns = ["claim_id", "claim", "value", *_STANCE_COLUMNS]
    if column not in segment_columns(report):
        raise KeyError(f"{column!r} is not a segment column of this report; they are {segment_columns(report)}.")
    matches = report.matches_frame()
    matches = matches.assign(value=matches[column].replace("", BLANK).fillna(BLANK))
    counts = _stance_counts(matches, ["claim_id", "value"])
    claims = [(r.claim.claim_id, r.claim.text) for r in report.claims]
    values = (
        counts.groupby("value")["mentions"].sum().sort_values(ascending=False, kind="stable").index.tolist()
        if not counts.empty
        else []
    )
    grid = pd.DataFrame(
        [(cid, text, value) for cid, text in claims for value in values], columns=["claim_id", "claim", "value"]
    )
    frame = grid.merge(counts, on=["claim_id", "value"], how="left")
    for name in ("supports", "contradicts", "neutral", "mentions"):
        frame[name] = frame[name].fillna(0).astype(int)
    frame = _with_alignment(frame, report.config.min_evidence, report.config.interval_level)
    return frame[columns]


def prominence_frame(report: Report, ads: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per claim: prominence in the copy (0–100, see PROMINENCE_HELP) against alignment and evidence.

    ``ads`` maps ad ids to their text; without it (or for claims added by hand) a claim's position counts
    as the middle of its ad.
    """
    overview = claims_overview(report)
    aspects = [_aspect_key(result.claim.aspect or result.claim.text) for result in report.claims]
    rows = []
    for result, aspect in zip(report.claims, aspects, strict=True):
        claim = result.claim
        ad_text = (ads or {}).get(claim.ad_id)
        position = 1.0 - claim.start / max(len(ad_text), 1) if ad_text else 0.5
        emphasis = _EMPHASIS.get(claim.type, 0.5)
        same = sum(1 for other in aspects if _same_aspect(aspect, other))
        repetition = min(1.0, (same - 1) / 2)
        prominence = 100 * (0.45 * max(0.0, min(1.0, position)) + 0.35 * emphasis + 0.20 * repetition)
        rows.append(
            {
                "claim_id": claim.claim_id,
                "position": position,
                "emphasis": emphasis,
                "repeats": same - 1,
                "prominence": round(prominence, 1),
            }
        )
    frame = overview.merge(pd.DataFrame(rows), on="claim_id")
    frame["label"] = _unique_labels(frame["text"].tolist(), frame["claim_id"].tolist())
    return frame


def _aspect_key(text: str) -> set[str]:
    return {_stem(word) for word in re.findall(r"[a-z0-9]+", text.lower()) if len(word) > 2}


def _same_aspect(a: set[str], b: set[str]) -> bool:
    return bool(a & b)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stance_counts(matches: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    counted = matches.assign(
        supports=(matches["stance"] == "supports").astype(int),
        contradicts=(matches["stance"] == "contradicts").astype(int),
        neutral=(matches["stance"] == "neutral").astype(int),
        mentions=1,
    )
    return counted.groupby(keys, as_index=False, sort=False)[["supports", "contradicts", "neutral", "mentions"]].sum()


def _with_alignment(frame: pd.DataFrame, min_evidence: int, level: float) -> pd.DataFrame:
    frame = frame.copy()
    decided = frame["supports"] + frame["contradicts"]
    safe = decided.where(decided > 0)
    frame["alignment"] = (frame["supports"] - frame["contradicts"]) / safe
    bounds = [
        alignment_interval(int(s), int(c), level) if s + c > 0 else (float("nan"), float("nan"))
        for s, c in zip(frame["supports"], frame["contradicts"], strict=True)
    ]
    frame["interval_low"] = [b[0] for b in bounds]
    frame["interval_high"] = [b[1] for b in bounds]
    frame["enough"] = decided >= min_evidence
    return frame


def _unique_labels(texts: Sequence[str], ids: Sequence[str], width: int = 48) -> list[str]:
    labels = [short_text(text, width) for text in texts]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return [f"{label} ({cid})" if counts[label] > 1 else label for label, cid in zip(labels, ids, strict=True)]


# ----------------------------------------------------------------------------------------- charts


TITLE_LINE = 30  # characters a line of a chart's title: 17 px bold, it fits a chart on a phone (about 350 px)
TITLE_LINE_PX = 22  # pixels a further line of a chart's title takes: added on top, the plot keeps its height


def _title_lines(title: str, width: int = TITLE_LINE) -> list[str]:
    """A chart title (escaped, as plotly reads it) broken into lines of at most ``width`` characters as shown
    (plotly draws SVG text, which does not wrap: one long line ran past a phone's edge, under the toolbar)."""
    import textwrap

    shown = html.unescape(title)  # measured as shown: "&lt;b&gt;" is three characters, not nine
    return [_escape(line) for line in textwrap.wrap(shown, width, break_long_words=False)] or [title]


def _layout(figure: go.Figure, title: str, height: int, **extra: Any) -> go.Figure:
    lines = _title_lines(title)
    # Each further line of title makes the figure taller and pushes down what sits under it (the legend, the
    # plot), so the plot keeps its size and the title meets nothing.
    shift = TITLE_LINE_PX * (len(lines) - 1)
    if shift:
        margin = dict(extra.get("margin") or {})
        margin["t"] = int(margin.get("t", 100)) + shift
        extra["margin"] = margin
        legend = extra.get("legend")
        if isinstance(legend, dict) and legend.get("yref") == "container" and "y" in legend:
            below_top = (1 - float(legend["y"])) * height + shift
            extra["legend"] = {**legend, "y": 1 - below_top / (height + shift)}
        height += shift
    figure.update_layout(
        template="plotly_white",
        # The title at the figure's top edge, whatever the margins: a legend placed under it
        # (:func:`_legend_under_title`) never meets it.
        title={
            "text": "<br>".join(f"<b>{line}</b>" for line in lines),
            "x": 0,
            "xanchor": "left",
            "pad": {"l": 12},  # clear of the image's edge when exported, as the page's own margin leaves it
            "y": 1 - 12 / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 17},
        },
        font={"family": FONT, "size": 13, "color": TEXT_COLOUR},
        height=height,
        hoverlabel={"font": {"family": FONT, "size": 13}, "align": "left"},
        **extra,
    )
    return figure


def has_evidence(report: Report) -> bool:
    """Whether any review sentence speaks to any of the report's claims (after its filters, if any)."""
    return any(result.judgements for result in report.claims)


def active_filters(report: Report) -> str:
    """The filters a report was cut by (:func:`filter_report`), as its note words them without "Filtered: ",
    or "" when it holds every review's evidence."""
    return " ".join(note.removeprefix(FILTER_NOTE).rstrip(".") for note in report.notes if note.startswith(FILTER_NOTE))


def no_evidence_message(report: Report) -> str:
    """What an empty chart says: that the filters leave no evidence (which is not the same as a dataset with
    nothing to say, or without dates), so every chart says it the same way."""
    filters = active_filters(report)
    if filters:
        return f"No evidence in the selected filters ({filters}). Widen the date range or clear a filter."
    return "No review sentence in this dataset speaks to these claims."


def is_empty_chart(figure: go.Figure) -> bool:
    """Whether a figure is one of this module's empty states (a message, no data): such a figure is not worth
    exporting as an image. Every chart with data has at least one trace; an empty state has none."""
    return not figure.data


EMPTY_MESSAGE_LINE = 48  # characters a line of an empty chart's message: it fits a chart 470 px wide


def _empty_chart(title: str, message: str, height: int = 260) -> go.Figure:
    """A chart's empty state: its title and a centred message saying why there is nothing to draw, no axes
    (an empty grid, or a grey box, reads as data that is missing by mistake). The message is escaped (it can
    name segment values) and broken into lines that fit a narrow window."""
    import textwrap

    import plotly.graph_objects as go

    lines = textwrap.wrap(message, EMPTY_MESSAGE_LINE, break_long_words=False) or [message]
    figure = go.Figure()
    figure.add_annotation(
        text="<br>".join(_escape(line) for line in lines),
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 14, "color": "#555555"},
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title, height, margin={"l": 10, "r": 10, "t": 60, "b": 20})


GAP_TITLE = "Promise vs reality: how customers take each claim"
TREND_TITLE = "Alignment per month, over the volume of evidence"
QUADRANT_TITLE = "Prominence in the copy vs customer experience"


# ----------------------------------------------------------------------------------------- text alternatives

SUMMARY = "summary"  # the key in a figure's layout.meta of its one-line text summary (:func:`chart_summary`)
SUMMARY_CLAIM_CHARS = 60  # characters of a claim named in a chart's summary


def chart_summary(figure: go.Figure) -> str:
    """A chart's gist in one line of text, for a screen reader and for anyone who cannot read the picture
    (shown under the chart in the app and in the HTML report); "" for a chart without one."""
    meta = figure.layout.meta
    return str(meta.get(SUMMARY, "")) if isinstance(meta, dict) else ""


def _keep_summary(figure: go.Figure, summary: str) -> None:
    meta = dict(figure.layout.meta) if isinstance(figure.layout.meta, dict) else {}
    meta[SUMMARY] = summary
    figure.update_layout(meta=meta)


def _quoted(text: str) -> str:
    return f"“{short_text(text, SUMMARY_CLAIM_CHARS)}”"


def gap_summary(frame: pd.DataFrame) -> str:
    """The gap chart in a line, from the frame it draws (:func:`gap_frame`): how many claims have each
    verdict, and the most contradicted claim."""
    counts = frame["verdict"].value_counts()
    parts = [f"{int(counts.get(name, 0))} {VERDICTS[name].label}" for name in VERDICT_ORDER if counts.get(name, 0)]
    line = f"Chart summary: of {len(frame)} claim{'s' if len(frame) != 1 else ''}, {', '.join(parts)}."
    decided = frame[frame["decided"] > 0]
    if not decided.empty:
        worst = decided.sort_values("contradict_share", ascending=False, kind="stable").iloc[0]
        line += (
            f" Most contradicted: {_quoted(worst['text'])}, {worst['contradict_share']:.0f}% of "
            f"{int(worst['decided'])} mentions that take a side contradict it."
        )
    return line


def trend_summary(frame: pd.DataFrame) -> str:
    """The trend chart in a line, from the frame it draws (:func:`trend_frame`): the months it covers and the
    claims whose alignment fell or rose most from their first to their last month with enough evidence."""
    note = trend_note(frame)
    if note:
        return "Chart summary: " + note
    if frame.empty:
        return ""
    first, last = frame["month"].min(), frame["month"].max()
    line = f"Chart summary: alignment per month from {first:%b %Y} to {last:%b %Y}."
    enough = frame[frame["enough"].astype(bool)]
    changes = []
    for _, part in enough.groupby("claim_id", sort=False):
        if len(part) >= 2:
            start, end = part.iloc[0], part.iloc[-1]
            changes.append((end["alignment"] - start["alignment"], start, end))
    if changes:
        change, start, end = min(changes, key=lambda item: item[0])
        if change < 0:
            line += (
                f" Biggest fall: {_quoted(start['claim'])}, {format_alignment(start['alignment'])} in "
                f"{start['month']:%b %Y} to {format_alignment(end['alignment'])} in {end['month']:%b %Y}."
            )
        else:
            line += " No claim's alignment fell from its first month with enough evidence to its last."
    return line


def segments_summary(frame: pd.DataFrame, column: str) -> str:
    """The heatmap in a line, from the frame it draws (:func:`segment_frame` of ``column``): the claim and
    value with the lowest alignment, and with the highest, among the cells with enough evidence."""
    cells = frame[frame["enough"].astype(bool) & frame["alignment"].notna()]
    if cells.empty:
        return f"Chart summary: no claim has enough evidence in any {column} value to judge."
    low = cells.sort_values("alignment", kind="stable").iloc[0]
    high = cells.sort_values("alignment", ascending=False, kind="stable").iloc[0]
    return (
        f"Chart summary: lowest alignment {format_alignment(low['alignment'])} for {_quoted(low['claim'])} in "
        f"{column} {low['value']} (n={int(low['supports'] + low['contradicts'])}); highest "
        f"{format_alignment(high['alignment'])} for {_quoted(high['claim'])} in {column} {high['value']} "
        f"(n={int(high['supports'] + high['contradicts'])})."
    )


def quadrant_summary(frame: pd.DataFrame) -> str:
    """The prominence chart in a line, from the frame it draws: the claims in each verdict band, loud ones
    (prominence 50 or more) named for the proven strengths and the ones to fix first."""
    loud = frame["prominence"] >= 50

    def named(mask: pd.Series) -> str:
        texts = frame.loc[mask, "text"].tolist()
        return "; ".join(_quoted(text) for text in texts) if texts else "none"

    middle = int(frame["verdict"].isin(["mixed", "unproven"]).sum())
    strengths = named(loud & (frame["verdict"] == "supported"))
    to_fix = named(loud & (frame["verdict"] == "contradicted"))
    return (
        f"Chart summary: proven strengths to lead with (supported, loud): {strengths}. "
        f"Fix first (contradicted, loud): {to_fix}. "
        f"{middle} mixed or unproven claim{'s' if middle != 1 else ''}, not to lead with."
    )


def plot_gap(report: Report) -> go.Figure:
    """Promise against reality: per claim, the supporting and contradicting share of its stance-bearing
    evidence as a diverging bar, sorted by gap (worst at the top).

    Each claim's axis label is its text on at most two short lines (:data:`GAP_LABEL_LINE` characters) over
    its verdict, and its evidence count ("n=…") stands beside its bar, so the labels and counts take bounded
    margins and the bars keep most of a narrow chart (a laptop window of 800 px with the sidebar open leaves
    the chart about 470 px); the hover holds the claim's whole text. Trace 0 holds the contradicting shares
    (negative %), trace 1 the supporting ones; each point's customdata starts with the claim id and the
    stance, so a click can be traced back to the evidence, and ends with the claim's whole text.
    """
    import plotly.graph_objects as go

    if not has_evidence(report):
        return _empty_chart(GAP_TITLE, no_evidence_message(report))
    frame = gap_frame(report)
    labels = [_claim_tick(label, name) for label, name in zip(frame["label"], frame["verdict"], strict=True)]
    cut_from = ([_two_lines(label) for label in frame["label"]], frame["text"].tolist())
    # Cut to two lines, two long claims can read the same: their ids keep their rows apart.
    repeated = {label for label in labels if labels.count(label) > 1}
    labels = [
        f"{label} · {_escape(claim_id)}" if label in repeated else label
        for label, claim_id in zip(labels, frame["claim_id"], strict=True)
    ]
    # Faded: every claim the verdict leaves unproven, too little evidence taking a side or none of it close
    # enough to the claim (score.ON_TOPIC_SIMILARITY): at full strength its bars read as a mixed claim's.
    thin = [
        bool(decided < report.config.min_evidence or name == "unproven")
        for decided, name in zip(frame["decided"], frame["verdict"], strict=True)
    ]
    opacity = [0.4 if t else 1.0 for t in thin]
    verdicts = [verdict_label(v) for v in frame["verdict"]]
    hover_texts = [_hover_text(text) for text in frame["text"]]
    common = {
        "y": labels,
        "orientation": "h",
        "textposition": "inside",
        "insidetextanchor": "middle",
        "textfont": {"color": "white", "size": 12},
        "cliponaxis": False,
        # Explicit selected/unselected styles: without a textfont here, plotly.js fails on a click on a bar
        # that carries text, and the click never reaches Streamlit.
        "selected": {"marker": {"opacity": 1.0}, "textfont": {"color": "white"}},
        "unselected": {"marker": {"opacity": 0.35}, "textfont": {"color": "white"}},
    }
    figure = go.Figure()
    # Trace 0: contradicting shares drawn to the left; trace 1: supporting shares to the right.
    for stance, share, sign, colour, verb in (
        ("contradicts", "contradict_share", -1, CONTRADICT_COLOUR, "contradict"),
        ("supports", "support_share", 1, SUPPORT_COLOUR, "support"),
    ):
        figure.add_bar(
            x=(sign * frame[share]).round(1).tolist(),
            name=f"{'contradicting' if sign < 0 else 'supporting'} evidence",
            marker={"color": colour, "opacity": opacity, "pattern": {"shape": ""}},
            text=[f"{v:.0f}%" if v >= 1 else "" for v in frame[share]],
            textangle=0,  # a share too wide for its bar is hidden (uniformtext), never turned on its side
            customdata=list(
                zip(
                    frame["claim_id"],
                    [stance] * len(frame),
                    frame[stance],
                    frame["decided"],
                    verdicts,
                    frame["mentions"],
                    hover_texts,
                    strict=True,
                )
            ),
            hovertemplate=(
                f"<b>%{{customdata[6]}}</b><br>%{{customdata[2]}} of %{{customdata[3]}} stance-bearing mentions "
                f"{verb} it (%{{x:.0f}}%); %{{customdata[5]}} review sentences mention it<br>"
                "verdict: %{customdata[4]}<br><i>click to see the quotes</i><extra></extra>"
            ),
            **common,
        )
    for label, mentions, decided in zip(labels, frame["mentions"], frame["decided"], strict=True):
        figure.add_annotation(
            x=1.0,
            xref="paper",
            y=label,
            text=f"n={mentions}",
            showarrow=False,
            xanchor="left",
            xshift=6,
            font={"size": 12, "color": TEXT_COLOUR},
            hovertext=f"{mentions} review sentences mention it; {decided} take a side",
        )
    counts_width = 7 * len(f"n={frame['mentions'].max() if len(frame) else 0}")
    ticks = [-100, -50, 0, 50, 100]
    height = max(320, GAP_ROW_HEIGHT * len(labels) + 170)
    _layout(
        figure,
        GAP_TITLE,
        height,
        barmode="relative",
        bargap=0.3,
        xaxis={
            "title": {
                "text": "% of the mentions that take a side<br>← contradict  |  support →",
                "font": {"size": 12},
            },
            "range": [-100, 100],
            "tickvals": ticks,
            "ticktext": [f"{abs(t)}%" for t in ticks],
            "zeroline": True,
            "zerolinecolor": "#555555",
            "zerolinewidth": 1.5,
            "gridcolor": GRID_COLOUR,
            "fixedrange": True,
        },
        yaxis={"title": "", "autorange": "reversed", "automargin": True, "fixedrange": True},
        legend=_legend_under_title(height, traceorder="normal"),
        margin={"l": 10, "r": 14 + counts_width, "t": 100, "b": 70},
        uniformtext={"minsize": 10, "mode": "hide"},
        clickmode="event+select",
    )
    _keep_cut_labels(figure, *cut_from)
    _keep_summary(figure, gap_summary(frame))
    return figure


GAP_ROW_HEIGHT = 58  # pixels per claim in the gap chart: three lines of label (two of claim, one of verdict)


def _claim_tick(label: str, verdict_name: str) -> str:
    """A gap chart's axis label: the claim on at most two short lines, then its verdict in a smaller line in
    its colour."""
    style = VERDICTS[verdict_name]
    return (
        f"{_two_lines(label)}<br><span style='font-size:11px;color:{style.colour}'>{style.symbol} {style.label}</span>"
    )


def _hover_text(text: str, width: int = 60) -> str:
    """A claim's whole text for a hover box: escaped and broken into lines of ``width`` characters."""
    import textwrap

    return "<br>".join(_escape(line) for line in textwrap.wrap(" ".join(text.split()), width)) or _escape(text)


def _legend_under_title(height: int, **extra: Any) -> dict[str, Any]:
    """A horizontal legend just under the chart's title, both placed against the whole figure (its container):
    placed against the plot area, a legend that wraps onto a second row in a narrow chart grows up into the
    title."""
    return {
        "orientation": "h",
        "x": 0,
        "xref": "container",
        "y": 1 - 40 / height,
        "yref": "container",
        "yanchor": "top",
        "font": {"size": 12},
        **extra,
    }


def plot_trend(report: Report, claim_ids: Sequence[str] | None = None, columns: int = TREND_COLUMNS) -> go.Figure:
    """Each claim's alignment per month (line, with its 95% interval as a band) over the volume of
    stance-bearing evidence (grey bars, right axis), one small panel per claim on a shared time axis.

    Two panels a row by default, so that a panel keeps about 170 px in a laptop window of 800 px with the
    sidebar open; each panel's title is its claim on at most two lines of :data:`TREND_TITLE_LINE`
    characters, which fit over it at that width, and the hover of a point holds the claim's whole text.
    Months with fewer mentions than min_evidence are drawn as hollow points. Each point's customdata
    starts with the claim id and the month (YYYY-MM).
    """
    from plotly.subplots import make_subplots

    frame = trend_frame(report)
    results = [r for r in report.claims if claim_ids is None or r.claim.claim_id in set(claim_ids)]
    if not results or frame.empty:
        if not has_evidence(report):
            message = no_evidence_message(report)
        elif report.dataset.columns.get("date"):
            # With a date column mapped, what is missing is dated evidence (undated reviews), not the mapping.
            message = "No dated evidence here: no matched sentence's review has a date (widen the filters, if any)."
        else:
            message = "No dated evidence: map a date column on the Datasets page to see trends."
        return _empty_chart("Alignment per month", message)
    columns = max(1, min(columns, len(results)))
    rows = math.ceil(len(results) / columns)
    titles = [_two_lines(short_text(r.claim.text, 2 * TREND_TITLE_LINE), TREND_TITLE_LINE) for r in results]
    # Heights in pixels: the head (title, a legend of up to three rows, the first row's panel titles), each
    # row's panel and the gap between rows (the month labels of one row and the panel titles of the next).
    head, foot, panel, gap = 170, 45, 170, 95
    height = head + foot + rows * panel + (rows - 1) * gap
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        specs=[[{"secondary_y": True} for _ in range(columns)] for _ in range(rows)],
        shared_xaxes="all",
        horizontal_spacing=0.14 if columns > 1 else 0.0,
        vertical_spacing=gap / (height - head - foot) if rows > 1 else 0.0,
    )
    # Every calendar month from the first to the last, those without evidence included: the line and the band
    # break there, so a month with nothing to say reads as a gap rather than as a slope across it.
    months = list(pd.date_range(frame["month"].min(), frame["month"].max(), freq="MS"))
    volume_max = max(1, int((frame["supports"] + frame["contradicts"]).max()))
    for index, result in enumerate(results):
        row, col = index // columns + 1, index % columns + 1
        part = frame[frame["claim_id"] == result.claim.claim_id]
        decided = part["supports"] + part["contradicts"]
        month_text = [m.strftime("%b %Y") for m in part["month"]]
        # Volume on the primary axis (drawn first, underneath), alignment on the overlaid one.
        figure.add_bar(
            x=part["month"],
            y=decided,
            # An explicit width, most of a month: left to plotly, a lone month's bar on a date axis is a
            # hairline nobody sees.
            width=[TREND_BAR_MS] * len(part),
            marker={"color": "#CFCFCF"},
            name="mentions that take a side, per month (right axis)",
            legendgroup="volume",
            showlegend=index == 0,
            hovertemplate="%{x|%b %Y}: %{y} stance-bearing mentions<extra></extra>",
            row=row,
            col=col,
            secondary_y=False,
        )
        full = pd.DataFrame({"month": months}).merge(part, on="month", how="left")
        band_x, band_y = interval_band(
            full["month"].tolist(), full["interval_low"].tolist(), full["interval_high"].tolist()
        )
        figure.add_scatter(
            x=band_x,
            y=band_y,
            fill="toself",
            mode="lines",
            fillcolor="rgba(0,114,178,0.13)",
            line={"width": 0},
            hoverinfo="skip",
            name="95% interval",
            legendgroup="interval",
            showlegend=index == 0,
            row=row,
            col=col,
            secondary_y=True,
        )
        lone = _lone_months(full)
        if lone:
            # A month with no neighbour in the band has a band of no width: its interval is drawn as an error bar.
            single = full[full["month"].isin(lone)]
            figure.add_scatter(
                x=single["month"],
                y=single["alignment"],
                mode="markers",
                marker={"size": 1, "opacity": 0},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (single["interval_high"] - single["alignment"]).tolist(),
                    "arrayminus": (single["alignment"] - single["interval_low"]).tolist(),
                    "color": "rgba(0,114,178,0.45)",
                    "thickness": 6,
                    "width": 0,
                },
                hoverinfo="skip",
                name="95% interval",
                legendgroup="interval",
                showlegend=False,
                row=row,
                col=col,
                secondary_y=True,
            )
        enough = part["enough"].tolist()
        # The line joins only consecutive months with enough evidence; thin months and empty ones leave a gap.
        solid = full["alignment"].where(full["enough"].fillna(False).astype(bool))
        figure.add_scatter(
            x=full["month"],
            y=solid,
            mode="lines",
            connectgaps=False,
            line={"color": SUPPORT_COLOUR, "width": 2},
            hoverinfo="skip",
            showlegend=False,
            row=row,
            col=col,
            secondary_y=True,
        )
        figure.add_scatter(
            x=part["month"],
            y=part["alignment"],
            mode="markers",
            marker={
                "size": 7,
                "color": [SUPPORT_COLOUR if e else "white" for e in enough],
                "line": {"color": SUPPORT_COLOUR, "width": 1.5},
            },
            # Short enough for one row of a phone-wide legend: the caption under the chart says the rest.
            name="alignment, −1 to +1"
            # one mention is enough for a month's point at min_evidence 1: none is hollow, so none is explained
            + (f" (hollow: under {report.config.min_evidence} mentions)" if report.config.min_evidence > 1 else ""),
            legendgroup="alignment",
            showlegend=index == 0,
            customdata=list(
                zip(
                    [result.claim.claim_id] * len(part),
                    [m.strftime("%Y-%m") for m in part["month"]],
                    part["supports"],
                    part["contradicts"],
                    [
                        format_interval((lo, hi)) if d else "n/a"
                        for lo, hi, d in zip(part["interval_low"], part["interval_high"], decided, strict=True)
                    ],
                    month_text,
                    [_hover_text(result.claim.text)] * len(part),
                    strict=True,
                )
            ),
            hovertemplate=(
                "<b>%{customdata[6]}</b><br>%{customdata[5]}: alignment %{y:+.2f}<br>95% interval "
                "%{customdata[4]}<br>%{customdata[2]} support, %{customdata[3]} contradict<extra></extra>"
            ),
            row=row,
            col=col,
            secondary_y=True,
        )
        figure.update_yaxes(
            range=[-1.05, 1.05],
            tickvals=[-1, 0, 1],
            ticktext=["−1", "0", "+1"],
            zeroline=True,
            zerolinecolor="#888888",
            gridcolor=GRID_COLOUR,
            side="left",
            row=row,
            col=col,
            secondary_y=True,
        )
        figure.update_yaxes(
            range=[0, volume_max * 2.2],
            showgrid=False,
            side="right",
            tickfont={"color": "#8A8A8A", "size": 10},
            nticks=3,
            row=row,
            col=col,
            secondary_y=False,
        )
    if len(months) == 1:
        # One month: its own tick, named in full. Left to plotly, the ±20 days round it got ticks named "Feb"
        # either side of a March point.
        ticks: dict[str, Any] = {"tickvals": months, "ticktext": [months[0].strftime("%b %Y")]}
    else:
        ticks = {"tickformat": "%b\n%Y", "nticks": 5}  # a narrow panel gets a label every few months
    figure.update_xaxes(
        range=[months[0] - pd.Timedelta(days=20), months[-1] + pd.Timedelta(days=20)],
        gridcolor=GRID_COLOUR,
        showticklabels=True,
        **ticks,
    )
    for annotation in figure.layout.annotations:
        annotation.font = {"size": 12, "color": TEXT_COLOUR}
    _keep_cut_labels(figure, titles, [r.claim.text for r in results])
    _keep_summary(figure, trend_summary(frame))
    return _layout(
        figure,
        TREND_TITLE,
        height,
        legend=_legend_under_title(height),
        margin={"l": 40, "r": 40, "t": head, "b": foot},
        bargap=0.35,
        clickmode="event+select",
    )


TREND_BAR_MS = 0.65 * 30.4 * 24 * 3600 * 1000  # a trend bar's width: about two thirds of a month, in ms


def _lone_months(full: pd.DataFrame) -> list[Any]:
    """The months of a claim's trend (every calendar month, in order) with an interval whose months either
    side have none: the interval band cannot show them."""
    bounds = zip(full["interval_low"], full["interval_high"], strict=True)
    has = [not (_missing(lo) or _missing(hi)) for lo, hi in bounds]
    return [
        month
        for i, month in enumerate(full["month"])
        if has[i] and not (i > 0 and has[i - 1]) and not (i + 1 < len(has) and has[i + 1])
    ]


def trend_note(frame: pd.DataFrame) -> str | None:
    """A line to say with the trend when its dated evidence (:func:`trend_frame`) covers one month only (no
    trend to read yet), else None."""
    if frame.empty or frame["month"].nunique() != 1:
        return None
    month = frame["month"].iloc[0].strftime("%B %Y")
    return f"Only one month of dated evidence ({month}): no trend yet, each panel shows that month's alignment."


def interval_band(months: Sequence[Any], lows: Sequence[float], highs: Sequence[float]) -> tuple[list[Any], list[Any]]:
    """The x and y of an interval band drawn with ``fill="toself"``: one closed shape per run of consecutive
    months with an interval (along the highs, back along the lows), runs kept apart by ``None``, so the band
    breaks where a month has no evidence instead of bridging it. A month whose bounds are missing (None or
    NaN) ends a run."""
    xs: list[Any] = []
    ys: list[Any] = []
    run: list[tuple[Any, float, float]] = []

    def close() -> None:
        if run:
            if xs:
                xs.append(None)
                ys.append(None)
            xs.extend([m for m, _, _ in run] + [m for m, _, _ in reversed(run)])
            ys.extend([hi for _, _, hi in run] + [lo for _, lo, _ in reversed(run)])
            run.clear()

    for month, low, high in zip(months, lows, highs, strict=True):
        if _missing(low) or _missing(high):
            close()
        else:
            run.append((month, float(low), float(high)))
    close()
    return xs, ys


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def plot_segments(report: Report, column: str, top: int = SEGMENT_VALUES_SHOWN) -> go.Figure:
    """A heatmap of alignment per claim (rows) and value of one segment column (columns).

    Only the ``top`` values with the most evidence get a column (a store column of 133 values would leave
    each a sliver); the subtitle then says how many of how many are shown. Claim labels take at most two
    lines of :data:`SEGMENT_LABEL_LINE` characters, value headers :data:`SEGMENT_HEADER_CHARS` characters
    turned to fit, and the scale sits under the grid, so the cells keep most of a narrow chart; the hover
    holds the claim's whole text and the value's whole name. A cell shows its alignment and count when there
    are at most :data:`SEGMENT_TEXT_COLUMNS` columns (more would not fit their cells), else its colour only.

    Cells with fewer stance-bearing mentions than min_evidence are grey (a layer of their own, with their
    counts). A scatter layer of invisible
    squares over the cells makes each cell clickable; its customdata is (claim id, value index), the index
    into the values ordered by evidence (:func:`segment_frame`), of which the shown ones come first.
    """
    import plotly.graph_objects as go

    if not has_evidence(report):
        segment_frame(report, column)  # an unknown column fails as it does with evidence
        return _empty_chart(f"Alignment by {_escape(column)}", no_evidence_message(report))
    frame = segment_frame(report, column)
    claims = [r.claim.claim_id for r in report.claims]
    texts = {r.claim.claim_id: r.claim.text for r in report.claims}
    labels = _unique_labels([texts[c] for c in claims], claims, width=2 * SEGMENT_LABEL_LINE)
    label_of = dict(zip(claims, (_two_lines(label, SEGMENT_LABEL_LINE) for label in labels), strict=True))
    every_value = list(dict.fromkeys(frame["value"]))
    values = every_value[: max(1, top)]
    value_labels = [_escape(short_text(str(v), SEGMENT_HEADER_CHARS)) for v in values]
    with_text = len(values) <= SEGMENT_TEXT_COLUMNS
    z: list[list[float | None]] = []
    thin: list[list[float | None]] = []  # 0 where a cell has too little evidence to colour, else None
    text: list[list[str]] = []
    thin_text: list[list[str]] = []
    hover: list[list[str]] = []
    for claim_id in claims:
        part = frame[frame["claim_id"] == claim_id].set_index("value")
        z_row: list[float | None] = []
        thin_row: list[float | None] = []
        text_row: list[str] = []
        thin_text_row: list[str] = []
        hover_row: list[str] = []
        for value in values:
            cell = part.loc[value]
            decided = int(cell["supports"] + cell["contradicts"])
            if cell["enough"]:
                z_row.append(float(cell["alignment"]))
                thin_row.append(None)
                text_row.append(f"{format_alignment(float(cell['alignment']))}<br><sub>n={decided}</sub>")
                thin_text_row.append("")
            else:
                z_row.append(None)
                thin_row.append(0.0)
                text_row.append("")
                thin_text_row.append(f"<sub>n={decided}</sub>")
            hover_row.append(
                f"<b>{_hover_text(texts[claim_id])}</b><br>{_escape(column)} = {_escape(str(value))}<br>"
                + (
                    f"alignment {format_alignment(float(cell['alignment']))} "
                    f"(95% interval {format_interval((cell['interval_low'], cell['interval_high']))})<br>"
                    if decided
                    else ""
                )
                + f"{int(cell['supports'])} support, {int(cell['contradicts'])} contradict, "
                f"{int(cell['neutral'])} neutral"
                + ("" if cell["enough"] else "<br><i>too little evidence to colour</i>")
            )
        z.append(z_row)
        thin.append(thin_row)
        text.append(text_row)
        thin_text.append(thin_text_row)
        hover.append(hover_row)
    y = [label_of[c] for c in claims]
    # Columns by position (0, 1, ...), named by their ticks: two values cut to the same header stay apart.
    x = list(range(len(values)))
    figure = go.Figure()
    figure.add_heatmap(
        z=z,
        x=x,
        y=y,
        zmin=-1,
        zmax=1,
        colorscale=ALIGNMENT_SCALE,
        xgap=3,
        ygap=3,
        text=text if with_text else None,
        texttemplate="%{text}" if with_text else None,
        textfont={"size": 12},
        hoverinfo="skip",
        colorbar={
            "orientation": "h",
            "title": {"text": "alignment: −1 contradicts … +1 supports", "side": "top", "font": {"size": 12}},
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
            "thickness": 12,
            "len": 1.0,
            "lenmode": "fraction",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "top",
            "ypad": 12,
        },
    )
    # A heatmap draws neither a cell nor its text where z is None, so the cells too thin to colour are a
    # layer of their own, in one grey: else a dataset with little evidence shows one grey block, no counts.
    figure.add_heatmap(
        z=thin,
        x=x,
        y=y,
        zmin=0,
        zmax=1,
        colorscale=[[0.0, THIN_CELL_COLOUR], [1.0, THIN_CELL_COLOUR]],
        showscale=False,
        xgap=3,
        ygap=3,
        text=thin_text if with_text else None,
        texttemplate="%{text}" if with_text else None,
        textfont={"size": 12, "color": "#333333"},
        hoverinfo="skip",
        name="too little evidence",
    )
    figure.add_scatter(
        x=[i for _ in claims for i in x],
        y=[label_of[c] for c in claims for _ in values],
        mode="markers",
        marker={"symbol": "square", "size": 38 if with_text else 14, "color": "rgba(0,0,0,0)"},
        customdata=[[c, i] for c in claims for i in range(len(values))],
        hovertext=[h for row in hover for h in row],
        hovertemplate="%{hovertext}<br><i>click to see the quotes</i><extra></extra>",
        showlegend=False,
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
    )
    # Value headers turned a quarter (many columns) or an eighth of a turn (a few), so they never meet;
    # the top margin holds the title, the subtitle and the turned headers at about 6.5 px a character.
    angle = -90 if len(values) > SEGMENT_TEXT_COLUMNS else -45 if len(values) > 3 else 0
    longest = max((len(str(v)) for v in values), default=0)
    reach = min(longest, SEGMENT_HEADER_CHARS) * 6.5 * {-90: 1.0, -45: 0.72, 0: 0.0}[angle]
    top_margin = (70 if len(values) < len(every_value) else 50) + 24 + int(reach)
    last_reach = min(len(str(values[-1])), SEGMENT_HEADER_CHARS) * 6.5 * 0.72 if angle == -45 and values else 0.0
    height = max(320, 46 * len(claims) + top_margin + 90)
    shown = "" if len(values) == len(every_value) else f"top {len(values)} of {len(every_value)} values by evidence"
    _layout(
        figure,
        f"Alignment by {_escape(column)}",
        height,
        xaxis={
            "side": "top",
            "title": "",
            "showgrid": False,
            "fixedrange": True,
            "tickmode": "array",
            "tickvals": x,
            "ticktext": value_labels,
            "tickangle": angle,
            "tickfont": {"size": 12},
            "automargin": True,
            "zeroline": False,
            "range": [-0.5, len(values) - 0.5],
        },
        # Ranges fixed to the cells: left to autorange, the clickable squares' size pads a grey band round them.
        yaxis={
            "range": [len(claims) - 0.5, -0.5],
            "automargin": True,
            "showgrid": False,
            "fixedrange": True,
        },
        plot_bgcolor="#FFFFFF",  # the gaps between cells
        # The last header, turned an eighth, reaches right past its column.
        margin={"l": 10, "r": 10 + int(last_reach), "t": top_margin, "b": 80},
        clickmode="event+select",
    )
    if shown:
        figure.update_layout(title={"subtitle": {"text": shown, "font": {"size": 13, "color": "#555555"}}})
    _keep_cut_labels(figure, [label_of[c] for c in claims], [texts[c] for c in claims])
    _keep_summary(figure, segments_summary(frame, column))
    return figure


def plot_quadrant(report: Report, ads: Mapping[str, str] | None = None) -> go.Figure:
    """How prominently the copy makes each claim (x, 0–100) against how customers experience it (y), bubble
    area by evidence; quadrants name what to do. customdata[0] is the claim id.

    The y axis is split into three bands by verdict (:data:`_QUADRANT_BANDS`): supported claims on top,
    mixed and unproven ones in the middle, contradicted ones at the bottom, each placed in its band by its
    alignment (:func:`quadrant_y`). So "Proven strengths, lead with these" only ever holds supported claims.

    Each point's label is its claim on at most two lines of :data:`QUADRANT_LABEL_LINE` characters, placed
    beside its marker where it meets the fewest other labels and markers in a plot as narrow as a laptop
    window of 800 px leaves it (:func:`_place_labels`); the hover holds the claim's whole text.
    """
    import plotly.graph_objects as go

    frame = prominence_frame(report, ads)
    # A claim without evidence that takes a side has no alignment: drawn at 0 it would read as "balanced", so it
    # is left out (:func:`claims_without_alignment` names them for a caption).
    frame = frame[frame["decided"] > 0].reset_index(drop=True)
    if frame.empty:
        message = (
            no_evidence_message(report)
            if not has_evidence(report)
            else "No claim has evidence that takes a side"
            + (f" in the selected filters ({active_filters(report)})" if active_filters(report) else "")
            + ": nothing to place on the alignment axis."
        )
        return _empty_chart(QUADRANT_TITLE, message)
    figure = go.Figure()
    low, high = _QUADRANT_Y
    for shape in (
        {"x0": 50, "x1": 100, "y0": 1, "y1": high, "fillcolor": "rgba(0,114,178,0.07)"},
        {"x0": 0, "x1": 100, "y0": -1, "y1": 1, "fillcolor": "rgba(120,120,120,0.06)"},
        {"x0": 50, "x1": 100, "y0": low, "y1": -1, "fillcolor": "rgba(213,94,0,0.08)"},
    ):
        figure.add_shape(type="rect", line={"width": 0}, layer="below", **shape)
    # The bands' edges, solid; alignment 0 inside each band, dotted.
    for edge in (-1, 1):
        figure.add_hline(y=edge, line={"color": "#777777", "width": 1})
    for _, (y_low, y_high), (a_low, a_high) in _QUADRANT_BANDS:
        if a_low < 0 < a_high:
            zero = _band_y(0.0, (y_low, y_high), (a_low, a_high))
            figure.add_hline(y=zero, line={"color": "#AAAAAA", "width": 1, "dash": "dot"})
    figure.add_vline(x=50, line={"color": "#777777", "width": 1, "dash": "dot"})
    for x, y, text, anchor, vertical in _QUADRANT_NOTES:
        figure.add_annotation(
            x=x,
            y=y,
            text=text,
            showarrow=False,
            xanchor=anchor,
            yanchor=vertical,
            align=anchor,
            font={"size": 12, "color": "#555555"},
        )
    mentions_max = max(1, int(frame["mentions"].max())) if len(frame) else 1
    frame["size"] = [12 + 30 * math.sqrt(m / mentions_max) for m in frame["mentions"]]
    # Each claim drawn in its verdict's band (:data:`_QUADRANT_BANDS`), placed in it by its alignment: a claim
    # that is mixed or unproven never lands under "lead with these", however far above 0 its alignment is.
    frame["y"] = [quadrant_y(v, a) for v, a in zip(frame["verdict"], frame["alignment"], strict=True)]
    shown = [_two_lines(label, QUADRANT_LABEL_LINE) for label in frame["label"]]
    _keep_cut_labels(figure, shown, frame["text"].tolist())
    _keep_summary(figure, quadrant_summary(frame))
    offsets = _place_labels(frame["prominence"].tolist(), frame["y"].tolist(), shown, frame["size"].tolist())
    # Labels as annotations, each drawn off its point by the offset chosen for it, a thin line back to the
    # point when it had to move further than beside it; the hover of a label holds the whole claim.
    for x, y, label, text, size, (dx, dy) in zip(
        frame["prominence"], frame["y"], shown, frame["text"], frame["size"], offsets, strict=True
    ):
        figure.add_annotation(
            x=x,
            y=y,
            ax=dx,
            ay=dy,
            text=label,
            showarrow=True,
            arrowhead=0,
            arrowwidth=1,
            arrowcolor="#9A9A9A",
            standoff=size / 2,
            font={"size": 12, "color": TEXT_COLOUR},
            bgcolor="rgba(255,255,255,0.6)",
            borderpad=1,
            hovertext=_hover_text(text),
        )
    for name in VERDICT_ORDER:
        part = frame[(frame["verdict"] == name)]
        if part.empty:
            continue
        style = VERDICTS[name]
        figure.add_scatter(
            x=part["prominence"],
            y=part["y"],
            mode="markers",
            name=f"{style.symbol} {style.label}",
            selected={"marker": {"opacity": 1.0}},
            unselected={"marker": {"opacity": 0.35}},
            marker={
                "size": part["size"].tolist(),
                "color": style.colour,
                "opacity": 0.85,
                "symbol": {"supported": "circle", "contradicted": "x", "mixed": "diamond", "unproven": "circle-open"}[
                    name
                ],
                "line": {"color": "white", "width": 1},
            },
            customdata=list(
                zip(
                    part["claim_id"],
                    part["mentions"],
                    [
                        format_alignment(a) if d else "n/a"
                        for a, d in zip(part["alignment"], part["decided"], strict=True)
                    ],
                    [
                        format_interval((lo, hi)) if d else "n/a"
                        for lo, hi, d in zip(part["interval_low"], part["interval_high"], part["decided"], strict=True)
                    ],
                    [_hover_text(text) for text in part["text"]],
                    strict=True,
                )
            ),
            hovertemplate=(
                "<b>%{customdata[4]}</b><br>prominence %{x:.0f} / 100<br>alignment %{customdata[2]} "
                "(95% interval %{customdata[3]})<br>%{customdata[1]} mentions<extra></extra>"
            ),
        )
    return _layout(
        figure,
        QUADRANT_TITLE,
        QUADRANT_HEIGHT,
        xaxis={
            "title": {
                "text": "prominence in the copy<br>(0 = in passing, 100 = headline promise)",
                "font": {"size": 12},
            },
            "range": [0, 100],
            "gridcolor": GRID_COLOUR,
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis={
            "title": {"text": "alignment (−1 … +1) within each verdict's band", "font": {"size": 12}},
            "range": list(_QUADRANT_Y),
            "tickvals": [
                quadrant_y(names[0], a) for names, _, (lo, hi) in _QUADRANT_BANDS for a in _band_ticks(lo, hi)
            ],
            "ticktext": [
                "0" if a == 0 else f"{a:+g}".replace("-", "−")
                for _, _, (lo, hi) in _QUADRANT_BANDS
                for a in _band_ticks(lo, hi)
            ],
            "gridcolor": GRID_COLOUR,
            "zeroline": False,
            "fixedrange": True,
        },
        legend=_legend_under_title(QUADRANT_HEIGHT),
        margin={"l": 10, "r": 20, "t": _QUADRANT_TOP, "b": _QUADRANT_BOTTOM},
        clickmode="event+select",
    )


def claims_without_alignment(report: Report) -> list[str]:
    """The texts of the claims with no review sentence taking a side on them (so no alignment), in report
    order: the prominence chart leaves them out rather than draw them at 0."""
    return [result.claim.text for result in report.claims if result.score.supports + result.score.contradicts == 0]


HISTORY_CLAIMS = 12  # claims drawn in the run history chart (the most often checked ones)
HISTORY_LEGEND_CHARS = 20  # characters of a claim's name in the run history's legend
HISTORY_LEGEND_ENTRY = 130  # pixels of a legend entry's name (its line comes first): 20 characters of 12 px
HISTORY_TICK_LINE = 16  # characters a line of a run's axis label (two lines at most)
# Okabe-Ito's colour-blind-safe palette (the source of the app's blue and orange), one colour a claim, then
# again dashed with open diamonds: twelve lines stay apart without the verdict colours, which mean a verdict,
# not a claim.
_LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933")


def run_label(run: RunInfo) -> str:
    """A run's name on a chart axis: its id and label, e.g. "#3 spring campaign" ("#3" without a label)."""
    return f"#{run.run_id} {run.label}".strip() if run.label else f"#{run.run_id}"


def plot_run_history(runs: Sequence[RunInfo]) -> go.Figure | None:
    """Per claim (paired by wording, as "Compare two runs" pairs them), the contradicting share of its
    stance-taking sentences in each saved run, one line a claim over the runs in the order they were saved.

    The x axis is categorical, one place a run named by :func:`run_label` ("#3 spring campaign"), so two runs
    saved seconds apart, or under one label, stay apart; a run in which a claim has no evidence that takes a
    side leaves a gap in its line. The legend (one short name a claim, at most :data:`HISTORY_CLAIMS` claims,
    the most often checked) sits under the title, as the other charts' do, so the plot keeps the width of a
    narrow window. None when fewer than two runs have a claim with evidence.
    """
    import plotly.graph_objects as go

    ordered = sorted(runs, key=lambda run: (run.finished_at, run.run_id))
    points = [
        (run, claim)
        for run in ordered
        for claim in run.claims
        if claim.supports + claim.contradicts  # no side taken: no share to draw
    ]
    if len({run.run_id for run, _ in points}) < 2:
        return None
    labels = [run_label(run) for run in ordered]
    ticks = [_two_lines(label, HISTORY_TICK_LINE) for label in labels]
    counts: dict[str, int] = {}
    for _, claim in points:
        counts[wording_key(claim.text)] = counts.get(wording_key(claim.text), 0) + 1
    shown = sorted(counts, key=lambda key: -counts[key])[:HISTORY_CLAIMS]  # stable: first seen first on ties
    figure = go.Figure()
    legend_names: list[tuple[str, str]] = []
    for index, key in enumerate(shown):
        by_run = {run.run_id: claim for run, claim in points if wording_key(claim.text) == key}
        found = [by_run.get(run.run_id) for run in ordered]
        latest = next(claim for claim in reversed(found) if claim is not None)  # named by its latest wording
        legend_names.append((_escape(short_text(latest.text, HISTORY_LEGEND_CHARS)), latest.text))
        figure.add_scatter(
            x=ticks,
            # None where the run has no share for the claim: the line breaks there rather than bridge the run.
            y=[None if c is None else c.contradicts / (c.supports + c.contradicts) for c in found],
            mode="lines+markers",
            connectgaps=False,
            name=_escape(short_text(latest.text, HISTORY_LEGEND_CHARS)),
            line={
                "color": _LINE_COLOURS[index % len(_LINE_COLOURS)],
                "width": 2,
                "dash": "solid" if index < len(_LINE_COLOURS) else "dash",
            },
            # The second round of colours also has its own marker: a dash is hard to see in a legend's swatch.
            marker={"size": 8, "symbol": "circle" if index < len(_LINE_COLOURS) else "diamond-open"},
            customdata=[
                (
                    _hover_text(latest.text),
                    label,
                    f"{run.finished_at:%Y-%m-%d %H:%M}",
                    0 if c is None else c.supports + c.contradicts,
                    "" if c is None else verdict_label(verdict(c.score)),
                )
                for run, label, c in zip(ordered, labels, found, strict=True)
            ],
            hovertemplate="<b>%{customdata[0]}</b><br>run %{customdata[1]}, saved %{customdata[2]} UTC<br>"
            "%{y:.0%} of %{customdata[3]} sentences that take a side contradict it<br>verdict: %{customdata[4]}"
            "<extra></extra>",
        )
    # The legend wraps to about two names a row in a chart 470 px wide (a window of 800 px with the sidebar
    # open): the top margin keeps that many rows clear of the plot.
    _keep_cut_labels(figure, [name for name, _ in legend_names], [text for _, text in legend_names])
    legend_rows = math.ceil(len(shown) / 2)
    top = 60 + 22 * legend_rows
    height = 300 + top
    return _layout(
        figure,
        "Contradiction share per claim across saved runs",
        height,
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": ticks,
            "title": {"text": "saved run (in the order saved)", "font": {"size": 12}},
            "gridcolor": GRID_COLOUR,
            "automargin": True,
            "fixedrange": True,
        },
        yaxis={
            "title": {"text": "contradicting share", "font": {"size": 12}},
            "tickformat": ".0%",
            "range": [0, 1.02],
            "gridcolor": GRID_COLOUR,
            "fixedrange": True,
        },
        # Entries of one width, two of which fit a row of a narrow plot (plotly wraps a legend at the plot
        # area's width, about 380 px of a chart 470 px wide): left to plotly, the entries took one row each.
        legend=_legend_under_title(height, entrywidth=HISTORY_LEGEND_ENTRY, entrywidthmode="pixels"),
        margin={"l": 10, "r": 20, "t": top, "b": 40},
    )


QUADRANT_HEIGHT = 640
QUADRANT_LABEL_LINE = 18  # characters a line of a prominence chart's point label (two lines at most)
_QUADRANT_TOP, _QUADRANT_BOTTOM = 100, 75  # margins, pixels
_QUADRANT_Y = (-2.0, 2.0)  # the plot's y range: three bands, one a verdict group
# The prominence chart's y axis is split by verdict, not by the sign of alignment (a mixed claim at +0.03 is
# not a proven strength): (the verdicts drawn in a band, the plot y its alignments span, those alignments).
# Supported claims go in the top band, contradicted ones in the bottom one, mixed and unproven ones, whose
# alignment can take either sign, in the taller middle band; the corners left free hold the bands' names.
_QUADRANT_BANDS: tuple[tuple[tuple[str, ...], tuple[float, float], tuple[float, float]], ...] = (
    (("supported",), (1.12, 1.62), (0.0, 1.0)),
    (("mixed", "unproven"), (-0.85, 0.6), (-1.0, 1.0)),
    (("contradicted",), (-1.62, -1.12), (-1.0, 0.0)),
)
# The bands' names, each in a corner on two short lines: (x, y, text, x anchor, y anchor).
_QUADRANT_NOTES = (
    (99, 1.97, "<b>✔ Proven strengths</b><br>lead with these", "right", "top"),
    (1, 1.97, "<b>✔ Hidden strengths</b><br>say them louder", "left", "top"),
    (99, 0.97, "<b>◐ Mixed / ? unproven</b><br>don't lead with these yet", "right", "top"),
    (99, -1.97, "<b>✖ Fix first</b><br>loud promise, poor experience", "right", "bottom"),
    (1, -1.97, "<b>✖ Quiet problems</b><br>reword or drop", "left", "bottom"),
)


def _band_y(alignment: float, span: tuple[float, float], alignments: tuple[float, float]) -> float:
    """Where an alignment sits in a band: ``alignments`` mapped linearly onto ``span`` (clipped to it)."""
    low, high = alignments
    share = (min(max(alignment, low), high) - low) / (high - low)
    return span[0] + share * (span[1] - span[0])


def _band_ticks(low: float, high: float) -> list[float]:
    """The alignments a band's axis ticks name: its ends and its middle."""
    return [low, (low + high) / 2, high]


def quadrant_y(verdict_name: str, alignment: float) -> float:
    """The y at which the prominence chart draws a claim: in its verdict's band, placed by its alignment."""
    for names, span, alignments in _QUADRANT_BANDS:
        if verdict_name in names:
            return _band_y(alignment, span, alignments)
    raise KeyError(verdict_name)


# The plot areas the labels are placed for: about what windows of 800 px (with the sidebar open: a chart of
# 470 px), 1000 px and 1300 px or more leave.
_PLACE_WIDTHS = (380.0, 560.0, 760.0)
_Box = tuple[float, float, float, float]  # left, top, right, bottom, in pixels
_CHAR_PX, _LINE_PX, _LABEL_PAD = 6.6, 16.0, 3.0  # a label's estimated size: pixels a character (12 px text), a
# line, and the room kept round it
# Where a label may go round its point: directions (right, down) in order of preference, and how far past
# the marker's edge (pixels); a label further off is joined to its point by a thin line.
_LABEL_DIRECTIONS: tuple[tuple[float, float], ...] = (
    (0, -1),
    (0, 1),
    (1, 0),
    (-1, 0),
    (1, -1),
    (-1, -1),
    (1, 1),
    (-1, 1),
    (0.5, -1),
    (-0.5, -1),
    (0.5, 1),
    (-0.5, 1),
)
_LABEL_GAPS = (3.0, 14.0, 28.0, 45.0, 65.0, 90.0)


def _text_size(label: str) -> tuple[float, float]:
    """A plotly label's estimated width and height in pixels (lines split at <br>, entities read as one)."""
    lines = [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in label.split("<br>")]
    return _CHAR_PX * max((len(line) for line in lines), default=0) + 2 * _LABEL_PAD, _LINE_PX * len(
        lines
    ) + 2 * _LABEL_PAD


def _place_labels(
    xs: Sequence[float],
    ys: Sequence[float],
    labels: Sequence[str],
    sizes: Sequence[float],
    widths: Sequence[float] = _PLACE_WIDTHS,
    height: float = QUADRANT_HEIGHT - _QUADRANT_TOP - _QUADRANT_BOTTOM,
) -> list[tuple[float, float]]:
    """Choose where each point's label goes, as the offset in pixels (right, down) of the label's centre from
    its point, so that labels overlap each other, the markers and the quadrants' names as little as
    possible, stay inside the plot, and sit as close to their point as that allows, in a plot area of each
    of ``widths`` pixels (the chart takes its container's width, unknown here; an offset is in pixels, so a
    label kept clear of the others in a narrow plot can land on another point in a wide one).

    Candidates lie in eight directions round the point, beside its marker or further off; a greedy pass in
    estimated pixels over the quadrant's axis ranges (biggest markers first) is followed by two passes that
    move each label against all the others.
    """
    # A marker's reach from its centre: plotly draws a diamond 1.3 times the size it is given.
    radii = [1.3 * size / 2 for size in sizes]
    texts = [_text_size(label) for label in labels]
    layouts = []  # per width: the points in pixels, and the boxes no label may cover (markers, quadrant names)
    for width in widths:

        def to_px(x: float, y: float, width: float = width) -> tuple[float, float]:
            top, bottom = _QUADRANT_Y[1], _QUADRANT_Y[0]
            return x / 100 * width, (top - y) / (top - bottom) * height

        points = [to_px(x, y) for x, y in zip(xs, ys, strict=True)]
        fixed: list[_Box] = [(px - r, py - r, px + r, py + r) for (px, py), r in zip(points, radii, strict=True)]
        for x, y, text, anchor, vertical in _QUADRANT_NOTES:
            note_w, note_h = _text_size(text)
            px, py = to_px(x, y)
            left = px - note_w if anchor == "right" else px
            top = py if vertical == "top" else py - note_h
            fixed.append((left, top, left + note_w, top + note_h))
        layouts.append((width, points, fixed))

    def offsets(index: int) -> list[tuple[float, tuple[float, float]]]:
        """(how far off, offset) of each place a label may take round its point."""
        text_w, text_h = texts[index]
        found = []
        for gap in _LABEL_GAPS:
            for right, down in _LABEL_DIRECTIONS:
                reach = radii[index] + gap if not (right and down) else (radii[index] + gap) * 0.75
                found.append((gap * text_h * 0.6, (right * (reach + text_w / 2), down * (reach + text_h / 2))))
        return found

    def box_at(index: int, offset: tuple[float, float], point: tuple[float, float]) -> _Box:
        text_w, text_h = texts[index]
        cx, cy = point[0] + offset[0], point[1] + offset[1]
        return (cx - text_w / 2, cy - text_h / 2, cx + text_w / 2, cy + text_h / 2)

    def cost(index: int, offset: tuple[float, float], chosen: Mapping[int, tuple[float, float]]) -> float:
        total = 0.0
        for width, points, fixed in layouts:
            box = box_at(index, offset, points[index])
            total += sum((_overlap(box, other) for j, other in enumerate(fixed) if j != index), 0.0)
            total += sum((_overlap(box, box_at(j, other, points[j])) for j, other in chosen.items() if j != index), 0.0)
            outside = max(0.0, -box[0]) + max(0.0, box[2] - width)
            outside_v = max(0.0, -box[1]) + max(0.0, box[3] - height)
            total += 4 * outside * (box[3] - box[1]) + 4 * outside_v * (box[2] - box[0])
        return total

    chosen: dict[int, tuple[float, float]] = {}
    order = sorted(range(len(xs)), key=lambda i: -sizes[i])
    for _ in range(3):
        for index in order:
            chosen[index] = min(offsets(index), key=lambda item: item[0] + cost(index, item[1], chosen))[1]
    return [chosen[i] for i in range(len(xs))]


def _overlap(a: _Box, b: _Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


# ----------------------------------------------------------------------------------------- datasets


@dataclass(frozen=True, slots=True)
class DatasetOverview:
    """What a validated dataset holds: counts, skipped rows by reason, date range, rating scale, segments."""

    source: str
    rows: int
    reviews: int
    sentences: int
    skipped: Mapping[str, int]
    invalid_values: Mapping[str, int]
    columns: Mapping[str, object]
    first_date: str | None
    last_date: str | None
    dated: int
    rating_min: float | None
    rating_max: float | None
    rating_mean: float | None
    rated: int
    rating_scale: str
    scale_max: float | None
    segments: Mapping[str, Mapping[str, int]]


def dataset_overview(review_set: ReviewSet) -> DatasetOverview:
    """Summarise a validated ReviewSet for the validation panel."""
    summary = review_set.summary
    dates = sorted(r.date for r in review_set.reviews if r.date)
    ratings = [r.rating for r in review_set.reviews if r.rating is not None]
    segments: dict[str, dict[str, int]] = {}
    for name in review_set.mapping.segments:
        counts: dict[str, int] = {}
        for review in review_set.reviews:
            value = review.segments.get(name, "") or BLANK
            counts[value] = counts.get(value, 0) + 1
        segments[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    columns = dict(summary.columns)
    invalid = dict(columns.pop("invalid_values", {}) or {})  # type: ignore[call-overload]
    bounds = rating_bounds(ratings)
    on_scale = [rating for rating in ratings if bounds is None or rating <= bounds[1]]
    if len(on_scale) < len(ratings):  # typos off the file's scale (off_scale)
        # Ingest counts them too (RowValidator.invalid_values), but a dataset saved to a workspace before it
        # did has a summary without them: counted here from the ratings, the same count either way.
        invalid[OFF_SCALE_RATING] = len(ratings) - len(on_scale)
    return DatasetOverview(
        source=summary.source,
        rows=summary.rows,
        reviews=summary.reviews,
        sentences=summary.sentences,
        skipped=dict(summary.skipped),
        invalid_values=invalid,
        columns=columns,
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        dated=len(dates),
        rating_min=min(ratings) if ratings else None,
        rating_max=max(ratings) if ratings else None,
        rating_mean=sum(on_scale) / len(on_scale) if on_scale else None,
        rated=len(ratings),
        rating_scale=scale_name(bounds),
        scale_max=None if bounds is None else bounds[1],
        segments=segments,
    )


def rating_scale(ratings: Sequence[float]) -> str:
    """Name the rating scale the values fit: "1–5", "0–10", "0–100" or their observed range."""
    return scale_name(rating_bounds(ratings))


def scale_name(bounds: tuple[float, float] | None) -> str:
    """A scale's name ("1–5"), or "no ratings" for None."""
    return "no ratings" if bounds is None else f"{bounds[0]:g}–{bounds[1]:g}"


# ----------------------------------------------------------------------------------------- exports


def png_export_status() -> tuple[bool, str]:
    """Whether charts can be saved as PNG on this server (kaleido plus a Chrome/Chromium), and why not."""
    try:
        import kaleido  # noqa: F401
        from choreographer.browsers.chromium import Chromium
    except ImportError:
        return False, "PNG export needs the kaleido package, which is not installed."
    try:
        path = Chromium.find_browser(skip_local=False)
    except Exception:  # the finder probes the file system; any failure means "not found"
        path = None
    if not path:
        return False, "PNG export needs Chrome or Chromium on the server (e.g. apt-get install chromium)."
    return True, f"PNG export uses kaleido with {path}."


def figure_png(figure: go.Figure, width: int = 1200, scale: float = 2.0, caption: str = "") -> bytes:
    """Render a figure to PNG bytes with kaleido (a headless Chromium, offline), with ``caption`` (what
    :func:`export_caption` says: the dataset and the filters) written under it when given, and under the
    chart the claims whose labels it cut short, in full (:func:`cut_labels`): a picture has no hover."""
    if caption or cut_labels(figure):
        figure = caption_figure(figure, caption, width)
    height = int(figure.layout.height or 500)
    return bytes(figure.to_image(format="png", width=width, height=height, scale=scale))


EXPORT_CAPTION_HEIGHT = 36  # pixels added under an exported chart for its caption


def export_caption(report: Report, dataset_name: str) -> str:
    """The line an exported chart carries, so that an image passed on can be told from another campaign's:
    the dataset (its name and source file), the filters (or that there are none) and the day it was made."""
    source = report.dataset.source
    named = dataset_name if not source or source == dataset_name else f"{dataset_name} ({source})"
    filters = active_filters(report)
    return (
        f"Dataset: {named} · {('Filters: ' + filters) if filters else 'All reviews, no filters'} · "
        f"Exported {datetime.now(UTC):%Y-%m-%d}"
    )


EXPORT_KEY_LINE = 18  # pixels a line of an exported chart's key of claims cut short


def export_key(figure: go.Figure, width: int = 1200) -> list[str]:
    """The lines (plotly strings) of the key written under an exported chart: each claim whose label the chart
    cut short, as shown then in full, wrapped to a chart ``width`` pixels wide; none when no label was cut."""
    import textwrap

    found = cut_labels(figure)
    if not found:
        return []
    # About 7 px a character of 12 px text, in the plot area's width (the key starts at its left edge, which
    # the gap chart's labels push right).
    chars = max(40, int((width - 260) / 7))
    lines = ["<b>Claims cut short above, in full:</b>"]
    for shown, full in found:
        wrapped = textwrap.wrap(f"“{shown}” = {full}", chars, subsequent_indent="    ")
        lines.extend(_escape(line) for line in wrapped)
    return lines


def caption_figure(figure: go.Figure, caption: str, width: int = 1200) -> go.Figure:
    """A copy of ``figure``, taller by :data:`EXPORT_CAPTION_HEIGHT` pixels, with ``caption`` written in that
    room at its bottom left (the page's figure is left as it is); above the caption, the key of the claims whose
    labels the chart cut short (:func:`export_key`), on rows of :data:`EXPORT_KEY_LINE` pixels added for it."""
    import plotly.graph_objects as go

    captioned = go.Figure(figure)
    key = export_key(figure, width)
    extra = EXPORT_CAPTION_HEIGHT + EXPORT_KEY_LINE * len(key) + (10 if key else 0)
    height = int(figure.layout.height or 500)
    bottom = int(figure.layout.margin.b if figure.layout.margin.b is not None else 80) + extra
    captioned.update_layout(height=height + extra, margin={"b": bottom})
    if key:
        _add_footer(captioned, "<br>".join(key), -bottom + EXPORT_CAPTION_HEIGHT, TEXT_COLOUR)
    if caption:
        _add_footer(captioned, _escape(caption), -bottom + 6, "#555555")
    return captioned


def _add_footer(figure: go.Figure, text: str, shift: int, colour: str) -> None:
    """Write ``text`` at the left, ``shift`` pixels below the plot area's bottom: annotations cannot be placed
    against the figure, so one shifted down by the whole bottom margin sits on the figure's bottom edge."""
    figure.add_annotation(
        text=text,
        x=0,
        xref="paper",
        xanchor="left",
        y=0,
        yref="paper",
        yanchor="bottom",
        yshift=shift,
        showarrow=False,
        align="left",
        font={"size": 12, "color": colour},
    )


def report_html(
    report: Report,
    figures: Sequence[go.Figure] = (),
    *,
    title: str = "Claim alignment report",
    quotes_per_claim: int = 3,
    wording: Callable[[str], str] | None = None,
) -> str:
    """A self-contained HTML report: summary, the claims table, the charts (plotly.js inlined once, so it
    opens offline) and the strongest quotes per claim. All review text and ad copy is HTML-escaped.

    ``wording`` rewords each note as its readers' tool names the settings (the app's
    :func:`alignment.ui.notes.app_note`); it is applied to the notes :func:`check_notes` gives, as a note
    reworded before would no longer be known to it (the relative-matching note was said twice)."""
    esc = html.escape
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data = report.dataset
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<style>{_REPORT_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='meta'>Dataset <b>{esc(data.source)}</b>: {data.reviews:,} reviews, {data.sentences:,} sentences "
        f"({data.rows:,} rows read). Generated {generated}. Minimum evidence {report.config.min_evidence} "
        f"mentions; similarity threshold {report.config.min_similarity:.2f}{_lowered(report)}.</p>",
    ]
    for note in check_notes(report):
        parts.append(f"<p class='note'>{esc(note if wording is None else wording(note))}</p>")
    parts.append(f"<p class='help'><b>Alignment.</b> {esc(ALIGNMENT_HELP)} <b>Interval.</b> {esc(INTERVAL_HELP)}</p>")
    parts.append(
        # In a box of its own that scrolls sideways on a phone, rather than widen the whole page past its edge.
        "<div class='table'><table><thead><tr><th>Verdict</th><th>Claim</th><th>Mentions</th><th>Support</th>"
        "<th>Contradict</th>"
        "<th>Neutral</th><th>Alignment</th><th>95% interval</th></tr></thead><tbody>"
    )
    for result in report.claims:
        style = VERDICTS[verdict(result.score)]
        score = result.score
        parts.append(
            f"<tr><td style='color:{style.colour}'><b>{style.symbol} {style.label}</b></td>"
            f"<td>{esc(result.claim.text)}</td><td>{score.mentions}</td><td>{score.supports}</td>"
            f"<td>{score.contradicts}</td><td>{score.neutral}</td><td>{format_alignment(score.alignment)}</td>"
            f"<td>{format_interval(score.interval)}</td></tr>"
        )
    parts.append("</tbody></table></div>")
    for index, figure in enumerate(figures):
        summary = chart_summary(figure)
        # The chart's gist as its accessible name and as text under it: a screen reader otherwise reads the
        # SVG's loose tick labels ("49% 38% 16%…") in an order that means nothing.
        label = f" role='figure' aria-label='{esc(summary, quote=True)}'" if summary else ""
        parts.append(f"<div class='chart'{label}>")
        parts.append(
            figure.to_html(
                full_html=False,
                include_plotlyjs=index == 0,
                config={"displaylogo": False, "responsive": True},
            )
        )
        if summary:
            parts.append(f"<p class='summary'>{esc(summary)}</p>")
        found = cut_labels(figure)
        if found:
            # The chart's labels cut long claims short: a reader of a printed or forwarded report gets them whole.
            items = "".join(f"<li>“{esc(shown)}” = {esc(full)}</li>" for shown, full in found)
            parts.append(f"<div class='key'><b>Claims cut short in this chart, in full:</b><ul>{items}</ul></div>")
        parts.append("</div>")
    parts.append("<h2>Evidence</h2>")
    for result in report.claims:
        style = VERDICTS[verdict(result.score)]
        parts.append(
            f"<section><h3><span style='color:{style.colour}'>{style.symbol} {style.label}</span> · "
            f"{esc(result.claim.text)}</h3>"
        )
        for stance, heading in (("contradicts", "Strongest contradicting"), ("supports", "Strongest supporting")):
            quotes = top_quotes(report, result, stance, quotes_per_claim)
            if not quotes:
                continue
            parts.append(f"<h4>{heading}</h4><ul>")
            for quote in quotes:
                before = f"<span class='ctx'>{esc(quote.before)}</span> " if quote.before else ""
                after = f" <span class='ctx'>{esc(quote.after)}</span>" if quote.after else ""
                meta = f"<span class='meta'>{esc(quote_meta(quote))}</span>"
                parts.append(f"<li>{before}<q>{esc(quote.text)}</q>{after} {meta}</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def sure_percent(probability: float) -> str:
    """A model's probability as a whole percentage from 1% to 99%: a rounded "100%" (or "0%") would claim a
    certainty the stance judge never has."""
    return f"{min(99, max(1, round(probability * 100)))}%"


def quote_meta(quote: Quote, scale_max: float | None = None) -> str:
    """The line under a quote: date, rating, segment values, review id and the judge's confidence."""
    review = quote.review
    bits = [review.date or "undated"]
    if review.rating is not None:
        bits.append(f"★ {review.rating:g}" + (f"/{scale_max:g}" if scale_max else ""))
    bits.extend(value for value in review.segments.values() if value)
    bits.append(f"review {review.review_id}")
    bits.append(f"{sure_percent(quote.probability)} sure it {quote.stance}")
    if quote.amount:
        bits.append(f"reports {quote.amount}")
    if quote.repeats:
        bits.append(f"said in {quote.repeats} more review{'s' if quote.repeats > 1 else ''}")
    return " · ".join(bits)


_REPORT_CSS = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:1100px;margin:2em auto;padding:0 1em}
h1{margin-bottom:.2em} .meta{color:#555;font-size:.9em} .note{background:#fff4e5;padding:.4em .6em}
.help{font-size:.9em;color:#333;background:#f4f6f8;padding:.6em .8em;border-radius:6px}
table{border-collapse:collapse;width:100%;margin:1em 0;font-size:.92em}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f6f8} .chart{margin:1.5em 0} q{font-style:italic} li{margin:.3em 0}
section{border-top:1px solid #eee;padding-top:.4em} .ctx{color:#777;font-size:.92em}
.key,.summary{font-size:.9em;color:#333} .key ul{margin:.2em 0} .table{overflow-x:auto}
"""
