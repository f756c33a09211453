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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from alignment.match import matched_under
from alignment.quantities import describe_comparison, find_bounds
from alignment.ratings import rating_bounds
from alignment.records import ClaimResult, ClaimScore, Judgement, Review
from alignment.score import alignment_interval, score_claim

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from alignment.ingest import ReviewSet
    from alignment.report import Report

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
_RISK_TO_VERDICT = {"high": "contradicted", "medium": "mixed", "insufficient evidence": "unproven", "low": "supported"}
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
    min_similarity, else ""."""
    lowered = sum(bool(matched_under(result.judgements, report.config.min_similarity)[0]) for result in report.claims)
    return f", lower for {lowered} claim{'s' if lowered != 1 else ''} (see the notes)" if lowered else ""


def verdict(score: ClaimScore) -> str:
    """The plain-words verdict of a claim from its risk: contradicted, mixed, unproven or supported."""
    return _RISK_TO_VERDICT[score.risk]


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
    frame["label"] = _unique_labels(frame["text"].tolist(), frame["claim_id"].tolist(), width=32)
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


def _layout(figure: go.Figure, title: str, height: int, **extra: Any) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        title={"text": f"<b>{title}</b>", "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13, "color": TEXT_COLOUR},
        height=height,
        hoverlabel={"font": {"family": FONT, "size": 13}, "align": "left"},
        **extra,
    )
    return figure


def plot_gap(report: Report) -> go.Figure:
    """Promise against reality: per claim, the supporting and contradicting share of its stance-bearing
    evidence as a diverging bar, sorted by gap (worst at the top), with the evidence count beside each bar.

    Trace 0 holds the contradicting shares (negative %), trace 1 the supporting ones; each point's
    customdata starts with the claim id and the stance, so a click can be traced back to the evidence.
    """
    import plotly.graph_objects as go

    frame = gap_frame(report)
    labels = [_two_lines(label) for label in frame["label"]]
    thin = [not v for v in (frame["decided"] >= report.config.min_evidence)]
    opacity = [0.4 if t else 1.0 for t in thin]
    verdicts = [verdict_label(v) for v in frame["verdict"]]
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
            customdata=list(
                zip(
                    frame["claim_id"],
                    [stance] * len(frame),
                    frame[stance],
                    frame["decided"],
                    verdicts,
                    strict=True,
                )
            ),
            hovertemplate=(
                f"<b>%{{y}}</b><br>%{{customdata[2]}} of %{{customdata[3]}} stance-bearing mentions {verb} it "
                "(%{x:.0f}%)<br>verdict: %{customdata[4]}<br><i>click to see the quotes</i><extra></extra>"
            ),
            **common,
        )
    for label, mentions, decided, verdict_name in zip(
        labels, frame["mentions"], frame["decided"], frame["verdict"], strict=True
    ):
        figure.add_annotation(
            x=1.0,
            xref="paper",
            y=label,
            text=f"n={mentions}",
            showarrow=False,
            xanchor="left",
            xshift=8,
            font={"size": 12, "color": TEXT_COLOUR},
            hovertext=f"{mentions} review sentences mention it; {decided} take a side",
        )
        style = VERDICTS[verdict_name]
        figure.add_annotation(
            x=1.0,
            xref="paper",
            y=label,
            text=f"{style.symbol} {style.label}",
            showarrow=False,
            xanchor="left",
            xshift=62,
            font={"size": 12, "color": style.colour},
        )
    ticks = [-100, -75, -50, -25, 0, 25, 50, 75, 100]
    _layout(
        figure,
        "Promise vs reality: how customers take each claim",
        max(320, 46 * len(labels) + 150),
        barmode="relative",
        bargap=0.28,
        xaxis={
            "title": {"text": "← % of stance-bearing mentions that contradict  |  that support →"},
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
        legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom", "traceorder": "normal"},
        margin={"l": 10, "r": 170, "t": 80, "b": 60},
        uniformtext={"minsize": 10, "mode": "hide"},
        clickmode="event+select",
    )
    return figure


def plot_trend(report: Report, claim_ids: Sequence[str] | None = None, columns: int = 3) -> go.Figure:
    """Each claim's alignment per month (line, with its 95% interval as a band) over the volume of
    stance-bearing evidence (grey bars, right axis), one small panel per claim on a shared time axis.

    Months with fewer mentions than min_evidence are drawn as hollow points. Each point's customdata
    starts with the claim id and the month (YYYY-MM).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    frame = trend_frame(report)
    results = [r for r in report.claims if claim_ids is None or r.claim.claim_id in set(claim_ids)]
    if not results or frame.empty:
        figure = go.Figure()
        figure.add_annotation(
            text="No dated evidence: map a date column on the Datasets page to see trends.",
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
        return _layout(figure, "Alignment per month", 260)
    columns = max(1, min(columns, len(results)))
    rows = math.ceil(len(results) / columns)
    titles = [_escape(short_text(r.claim.text, 44)) for r in results]
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        specs=[[{"secondary_y": True} for _ in range(columns)] for _ in range(rows)],
        shared_xaxes="all",
        horizontal_spacing=0.07,
        vertical_spacing=0.5 / rows if rows > 1 else 0.1,
    )
    months = sorted(frame["month"].unique())
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
            marker={"color": "#CFCFCF"},
            name="stance-bearing mentions per month (right axis)",
            legendgroup="volume",
            showlegend=index == 0,
            hovertemplate="%{x|%b %Y}: %{y} stance-bearing mentions<extra></extra>",
            row=row,
            col=col,
            secondary_y=False,
        )
        with_value = part[part["alignment"].notna()]
        figure.add_scatter(
            x=list(with_value["month"]) + list(with_value["month"])[::-1],
            y=list(with_value["interval_high"]) + list(with_value["interval_low"])[::-1],
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
        enough = part["enough"].tolist()
        # The line joins only consecutive months with enough evidence; thin months leave a gap.
        full = pd.DataFrame({"month": months}).merge(part, on="month", how="left")
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
            name=f"alignment (−1 to +1; hollow: fewer than {report.config.min_evidence} mentions that take a side)",
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
                    strict=True,
                )
            ),
            hovertemplate=(
                "%{customdata[5]}: alignment %{y:+.2f}<br>95% interval %{customdata[4]}<br>"
                "%{customdata[2]} support, %{customdata[3]} contradict<extra></extra>"
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
    figure.update_xaxes(
        range=[months[0] - pd.Timedelta(days=20), months[-1] + pd.Timedelta(days=20)],
        tickformat="%b\n%Y",
        dtick="M3",
        gridcolor=GRID_COLOUR,
        showticklabels=True,
    )
    for annotation in figure.layout.annotations:
        annotation.font = {"size": 13, "color": TEXT_COLOUR}
    height = 170 + 210 * rows
    _layout(
        figure,
        "Alignment per month, over the volume of evidence",
        height,
        legend={"orientation": "h", "y": 1 - 50 / height, "x": 0, "yanchor": "top", "yref": "container"},
        margin={"l": 40, "r": 40, "t": 130, "b": 40},
        bargap=0.35,
        clickmode="event+select",
    )
    figure.update_layout(title={"y": 1 - 18 / height, "yref": "container", "yanchor": "top"})
    return figure


def plot_segments(report: Report, column: str) -> go.Figure:
    """A heatmap of alignment per claim (rows) and value of one segment column (columns).

    Cells with fewer stance-bearing mentions than min_evidence stay grey. A scatter layer of invisible
    squares over the cells makes each cell clickable; its customdata is (claim id, value index).
    """
    import plotly.graph_objects as go

    frame = segment_frame(report, column)
    claims = [r.claim.claim_id for r in report.claims]
    texts = {r.claim.claim_id: r.claim.text for r in report.claims}
    labels = _unique_labels([texts[c] for c in claims], claims, width=40)
    label_of = dict(zip(claims, (_escape(label) for label in labels), strict=True))
    values = list(dict.fromkeys(frame["value"]))
    value_labels = [_escape(short_text(str(v), 22)) for v in values]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for claim_id in claims:
        part = frame[frame["claim_id"] == claim_id].set_index("value")
        z_row: list[float | None] = []
        text_row: list[str] = []
        hover_row: list[str] = []
        for value in values:
            cell = part.loc[value]
            decided = int(cell["supports"] + cell["contradicts"])
            if cell["enough"]:
                z_row.append(float(cell["alignment"]))
                text_row.append(f"{format_alignment(float(cell['alignment']))}<br><sub>n={decided}</sub>")
            else:
                z_row.append(None)
                text_row.append(f"<sub>n={decided}</sub>" if decided else "")
            hover_row.append(
                f"<b>{label_of[claim_id]}</b><br>{_escape(column)} = {_escape(str(value))}<br>"
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
        text.append(text_row)
        hover.append(hover_row)
    y = [label_of[c] for c in claims]
    figure = go.Figure()
    figure.add_heatmap(
        z=z,
        x=value_labels,
        y=y,
        zmin=-1,
        zmax=1,
        colorscale=ALIGNMENT_SCALE,
        xgap=3,
        ygap=3,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 12},
        hoverinfo="skip",
        colorbar={
            "title": {"text": "alignment", "side": "right"},
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["−1 contradicts", "−0.5", "0", "+0.5", "+1 supports"],
            "thickness": 14,
            "len": 0.9,
        },
    )
    figure.add_scatter(
        x=[label for _ in claims for label in value_labels],
        y=[label_of[c] for c in claims for _ in values],
        mode="markers",
        marker={"symbol": "square", "size": 38, "color": "rgba(0,0,0,0)"},
        customdata=[[c, i] for c in claims for i in range(len(values))],
        hovertext=[h for row in hover for h in row],
        hovertemplate="%{hovertext}<br><i>click to see the quotes</i><extra></extra>",
        showlegend=False,
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
    )
    return _layout(
        figure,
        f"Alignment by {_escape(column)}",
        max(300, 46 * len(claims) + 140),
        xaxis={"side": "top", "title": "", "showgrid": False, "fixedrange": True},
        yaxis={"autorange": "reversed", "automargin": True, "showgrid": False, "fixedrange": True},
        plot_bgcolor="#EDEDED",
        margin={"l": 10, "r": 10, "t": 90, "b": 20},
        clickmode="event+select",
    )


def plot_quadrant(report: Report, ads: Mapping[str, str] | None = None) -> go.Figure:
    """How prominently the copy makes each claim (x, 0–100) against how customers experience it
    (alignment, y), bubble area by evidence; quadrants name what to do. customdata[0] is the claim id."""
    import plotly.graph_objects as go

    frame = prominence_frame(report, ads)
    figure = go.Figure()
    for shape in (
        {"x0": 50, "x1": 100, "y0": -1.5, "y1": 0, "fillcolor": "rgba(213,94,0,0.07)"},
        {"x0": 50, "x1": 100, "y0": 0, "y1": 1.5, "fillcolor": "rgba(0,114,178,0.06)"},
    ):
        figure.add_shape(type="rect", line={"width": 0}, layer="below", **shape)
    figure.add_hline(y=0, line={"color": "#777777", "width": 1})
    figure.add_vline(x=50, line={"color": "#777777", "width": 1, "dash": "dot"})
    for x, y, text, anchor in (
        (99, 1.4, "<b>Proven strengths</b>: lead with these", "right"),
        (99, -1.4, "<b>Fix first</b>: loud promise, poor experience", "right"),
        (1, 1.4, "<b>Hidden strengths</b>: say them louder", "left"),
        (1, -1.4, "<b>Quiet problems</b>: reword or drop", "left"),
    ):
        figure.add_annotation(
            x=x, y=y, text=text, showarrow=False, xanchor=anchor, font={"size": 12, "color": "#555555"}
        )
    mentions_max = max(1, int(frame["mentions"].max())) if len(frame) else 1
    frame["size"] = [12 + 30 * math.sqrt(m / mentions_max) for m in frame["mentions"]]
    frame["y"] = frame["alignment"].fillna(0.0)
    frame["textposition"] = _place_labels(
        frame["prominence"].tolist(), frame["y"].tolist(), frame["label"].tolist(), frame["size"].tolist()
    )
    for name in VERDICT_ORDER:
        part = frame[(frame["verdict"] == name)]
        if part.empty:
            continue
        style = VERDICTS[name]
        figure.add_scatter(
            x=part["prominence"],
            y=part["y"],
            mode="markers+text",
            name=f"{style.symbol} {style.label}",
            text=[_escape(label) for label in part["label"]],
            textposition=part["textposition"].tolist(),
            textfont={"size": 12, "color": TEXT_COLOUR},
            selected={"marker": {"opacity": 1.0}, "textfont": {"color": TEXT_COLOUR}},
            unselected={"marker": {"opacity": 0.35}, "textfont": {"color": "#888888"}},
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
                    strict=True,
                )
            ),
            hovertemplate=(
                "<b>%{text}</b><br>prominence %{x:.0f} / 100<br>alignment %{customdata[2]} "
                "(95% interval %{customdata[3]})<br>%{customdata[1]} mentions<extra></extra>"
            ),
        )
    return _layout(
        figure,
        "Prominence in the copy vs customer experience",
        QUADRANT_HEIGHT,
        xaxis={
            "title": {"text": "prominence in the copy (0 = in passing, 100 = headline promise)"},
            "range": [0, 100],
            "gridcolor": GRID_COLOUR,
            "zeroline": False,
        },
        yaxis={
            "title": {"text": "alignment (−1 contradicted … +1 supported)"},
            "range": [-1.5, 1.5],
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
            "gridcolor": GRID_COLOUR,
            "zeroline": False,
        },
        legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom"},
        margin={"l": 10, "r": 20, "t": 90, "b": 50},
        clickmode="event+select",
    )


QUADRANT_HEIGHT = 560
_LABEL_POSITIONS = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)


def _place_labels(
    xs: Sequence[float],
    ys: Sequence[float],
    labels: Sequence[str],
    sizes: Sequence[float],
    width: float = 900.0,
    height: float = QUADRANT_HEIGHT - 160.0,
) -> list[str]:
    """Choose a text position per point so labels overlap each other and the markers as little as possible
    (a greedy pass in estimated pixels over the quadrant's axis ranges, biggest markers first)."""

    def to_px(x: float, y: float) -> tuple[float, float]:
        return x / 100 * width, (1.5 - y) / 3.0 * height

    points = [to_px(x, y) for x, y in zip(xs, ys, strict=True)]
    boxes: list[tuple[float, float, float, float]] = [
        (px - s / 2, py - s / 2, px + s / 2, py + s / 2) for (px, py), s in zip(points, sizes, strict=True)
    ]
    chosen = ["top center"] * len(points)
    for index in sorted(range(len(points)), key=lambda i: -sizes[i]):
        px, py = points[index]
        half = sizes[index] / 2 + 3
        text_w, text_h = 6.6 * len(labels[index]), 15.0
        best: tuple[float, str, tuple[float, float, float, float]] | None = None
        for position in _LABEL_POSITIONS:
            vertical, horizontal = position.split()
            top = {"top": py - half - text_h, "bottom": py + half, "middle": py - text_h / 2}[vertical]
            left = {"center": px - text_w / 2, "right": px + half, "left": px - half - text_w}[horizontal]
            if vertical != "middle" and horizontal != "center":
                left = px + (2 if horizontal == "right" else -text_w - 2)
            box = (left, top, left + text_w, top + text_h)
            overlap = sum(_overlap(box, other) for j, other in enumerate(boxes) if j != index)
            overlap += 4 * (max(0.0, -box[0]) + max(0.0, box[2] - width)) * text_h
            if best is None or overlap < best[0] - 1e-6:
                best = (overlap, position, box)
            if overlap == 0:
                break
        assert best is not None
        chosen[index] = best[1]
        boxes.append(best[2])
    return chosen


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
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
        invalid["rating off the file's scale"] = len(ratings) - len(on_scale)
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


def figure_png(figure: go.Figure, width: int = 1200, scale: float = 2.0) -> bytes:
    """Render a figure to PNG bytes with kaleido (a headless Chromium, offline)."""
    height = int(figure.layout.height or 500)
    return bytes(figure.to_image(format="png", width=width, height=height, scale=scale))


def report_html(
    report: Report,
    figures: Sequence[go.Figure] = (),
    *,
    title: str = "Claim alignment report",
    quotes_per_claim: int = 3,
) -> str:
    """A self-contained HTML report: summary, the claims table, the charts (plotly.js inlined once, so it
    opens offline) and the strongest quotes per claim. All review text and ad copy is HTML-escaped."""
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
    for note in report.notes:
        parts.append(f"<p class='note'>{esc(note)}</p>")
    parts.append(f"<p class='help'><b>Alignment.</b> {esc(ALIGNMENT_HELP)} <b>Interval.</b> {esc(INTERVAL_HELP)}</p>")
    parts.append(
        "<table><thead><tr><th>Verdict</th><th>Claim</th><th>Mentions</th><th>Support</th><th>Contradict</th>"
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
    parts.append("</tbody></table>")
    for index, figure in enumerate(figures):
        parts.append("<div class='chart'>")
        parts.append(
            figure.to_html(
                full_html=False,
                include_plotlyjs=index == 0,
                config={"displaylogo": False, "responsive": True},
            )
        )
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
"""
