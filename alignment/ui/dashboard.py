"""Gap dashboard: promise against reality per claim, over time and by segment, with drill-down to the quotes."""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from alignment.charts import (
    ALIGNMENT_HELP,
    AT_RISK,
    BLANK,
    PROMINENCE_HELP,
    SEGMENT_TEXT_COLUMNS,
    SEGMENT_VALUES_SHOWN,
    VERDICTS,
    active_filters,
    chart_summary,
    check_notes,
    claims_overview,
    claims_without_alignment,
    export_caption,
    figure_png,
    filter_report,
    is_empty_chart,
    plot_gap,
    plot_quadrant,
    plot_segments,
    plot_trend,
    png_export_status,
    report_html,
    review_count,
    segment_columns,
    segment_frame,
    short_text,
    verdict_label,
)
from alignment.errors import AlignmentError
from alignment.report import Report, to_safe_csv
from alignment.ui import common, state, workspace_view
from alignment.ui.drill import Drill, apply_drill, drill_from_points, search
from alignment.ui.notes import app_note
from alignment.ui.text import md

DRILL = "aln_drill"
EVIDENCE_CLAIM = "evidence_claim"  # the claim chosen above the evidence table (None: every claim)
EVIDENCE_STANCE = "evidence_stance"  # the stances chosen above it ([]: every stance)
SEGMENT_VALUES = "aln_segment_values"
CHART_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def render() -> None:
    """Draw the Gap dashboard for this session's claims on its active dataset."""
    common.page_setup()
    st.title("Gap dashboard")
    dataset = state.active_dataset()
    st.caption(
        f"The claims of the copy on **Vet copy**, against {common.dataset_caption(dataset)}. "
        "Click a bar, a point or a cell to see the quotes behind it."
    )
    state.show_message()
    try:
        report, _ = state.current_report()
    except AlignmentError as exc:
        st.error(md(str(exc)))
        return
    summary = report.dataset
    if not report.claims:
        st.info("No claims to show. Paste copy on the Vet copy page, or add a claim by hand there.")
        workspace_view.render_runs(None)
        return
    left_out = st.session_state.get(state.LEFT_OUT)
    if left_out:
        st.warning(left_out)
    # What the check itself says, drawn above the filters but worked out after them: the note on claims
    # matched under the threshold counts the filtered evidence, as the charts, the HTML report's header and
    # the downloads do.
    notes = st.container()
    filtered = _filters(report)
    filter_notes = filtered.notes[len(report.notes) :]
    filtered = dataclasses.replace(filtered, notes=check_notes(filtered))
    with notes:
        common.show_notes([note for note in filtered.notes if note not in filter_notes])
        if filter_notes and not any(r.score.mentions for r in filtered.claims):
            st.info("No evidence matches these filters: widen the date range or clear a filter to see the charts.")
    _metrics(filtered, report)
    png_ok, png_reason = png_export_status()
    # Every exported PNG names the dataset and the filters, so an image passed on can be told from another's.
    caption = export_caption(filtered, dataset.name)
    png = _png_offer(png_ok, caption)
    gap = plot_gap(filtered)
    _chart("gap", gap, png)
    st.caption(
        "Each bar splits the review sentences that take a side on a claim into those that contradict it (orange, "
        "left) and those that support it (blue, right); n is every sentence that mentions it, neutral ones "
        "included. Faded bars are unproven claims: too little evidence takes a side, or none of it is close enough "
        "to the claim, to judge. " + ALIGNMENT_HELP
    )
    trend = _trend(filtered, png)
    segments = _segments(filtered, png)
    ads = {ad.ad_id: ad.text for ad in state.ads()}
    quadrant = plot_quadrant(filtered, ads)
    _chart("quadrant", quadrant, png)
    st.caption(
        PROMINENCE_HELP + " Bubble area: number of mentions. The chart is split by verdict: the top band holds "
        "supported claims (top right: loud promises customers confirm, lead with these), the middle band mixed "
        "and unproven ones (not proven yet, whatever their alignment), the bottom band contradicted ones "
        "(bottom right: loud promises customers contradict, the first to fix); within a band, higher means "
        "more alignment." + left_out_caption(filtered)
    )
    _evidence(filtered)
    _claims_table(filtered)
    figures = [f for f in (gap, trend, segments, quadrant) if f is not None]
    _downloads(filtered, figures, png_ok, png_reason, filter_notes)
    st.caption(f"Dataset {md(summary.source)}: {summary.rows:,} rows read, {summary.reviews:,} reviews kept.")
    workspace_view.render_runs(report)


# --------------------------------------------------------------------------------------- filters


def month_options(report: Report) -> list[pd.Period]:
    """Every calendar month from the first to the last dated review."""
    dates = sorted(r.date for r in report.reviews if r.date)
    if not dates:
        return []
    return list(pd.period_range(dates[0][:7], dates[-1][:7], freq="M"))


FILTERS_PER_ROW = 2  # a multiselect narrower than about 200 px scrolls its one chosen value out of sight


def _filters(report: Report) -> Report:
    """The date range and segment filters, two a row, in a box; no box when there is nothing to filter (no
    dates over more than one month, no segment column)."""
    dataset_key = state.active_dataset().key
    months = month_options(report)
    columns = segment_columns(report)
    start: date | None = None
    end: date | None = None
    chosen: dict[str, list[str]] = {}
    with_dates = len(months) > 1
    if not with_dates and not columns:
        return report
    # Two a row: Streamlit's multiselect keeps its chosen values on one line and scrolls them to show its
    # input, so in a column of a four-filter row (170 px at 1300 px, 120 px at 800 px) even "(blank)" was
    # cut to "lank)" or hidden.
    count = int(with_dates) + len(columns)
    link_notes: list[str] = []  # what a link's filters asked for and could not be applied
    with st.container(border=True):
        cells = [
            cell
            for row in range(0, count, FILTERS_PER_ROW)
            for cell in st.columns(FILTERS_PER_ROW)[: min(FILTERS_PER_ROW, count - row)]
        ]
        if with_dates:
            key = f"dash_months_{dataset_key}"
            labels = [m.strftime("%Y-%m") for m in months]
            full = (labels[0], labels[-1])
            # The range goes in as value=, never through the key: Streamlit reads a range only from value=.
            linked, unread = _linked_months(key, labels)
            if unread:
                link_notes.append(unread)
            kept, remember = state.remembered(key, linked or full)
            if not (isinstance(kept, (tuple, list)) and len(kept) == 2 and set(kept) <= set(labels)):
                kept = full
            with cells[0]:
                first, last = st.select_slider(
                    "Review dates",
                    options=labels,
                    value=(kept[0], kept[1]),
                    key=key,
                    on_change=remember,
                    format_func=lambda m: pd.Period(m, freq="M").strftime("%b %Y"),
                    help="Only evidence from reviews dated in these months counts; undated reviews drop out "
                    "when the range is narrowed.",
                )
            if (first, last) != full:
                start_period, end_period = pd.Period(first, freq="M"), pd.Period(last, freq="M")
                start = date(start_period.year, start_period.month, 1)
                end = date(end_period.year, end_period.month, calendar.monthrange(end_period.year, end_period.month)[1])
        values = _segment_values(report)
        for index, column in enumerate(columns):
            key = f"dash_seg_{dataset_key}_{column}"
            linked_values = _linked_values(key, column)
            absent = [value for value in linked_values if value not in values[column]]
            if absent:
                link_notes.append(f"{filter_label(column)} {_quoted_values(absent)} (not in this dataset)")
            remember = state.keep(key, linked_values)
            still_there = [v for v in st.session_state[key] if v in values[column]]
            if still_there != st.session_state[key]:  # write only to drop a value gone from the data
                st.session_state[key] = still_there
            with cells[index + int(with_dates)]:
                chosen[column] = st.multiselect(
                    filter_label(column),
                    values[column],
                    key=key,
                    on_change=remember,
                    placeholder=f"All {column} values",
                )
    if link_notes:
        st.info("The link's filters were applied, except: " + md("; ".join(link_notes)) + ".")
    _link_filters(None if start is None else (first, last), chosen, columns)
    return filter_report(report, start, end, chosen)


def _quoted_values(values: Sequence[str]) -> str:
    return ", ".join(f"“{value}”" for value in values)


# The filters in the page's address, so that a link to the dashboard opens it as filtered: "from" and "to"
# (months, 2025-04) and one "segment.<column>" per value chosen of a column.
MONTHS_PARAMS = ("from", "to")
SEGMENT_PARAM = "segment."


_LINKED_MONTH = re.compile(r"(\d{4}-\d{2})(?:-\d{2})?")


def _linked_months(key: str, months: Sequence[str]) -> tuple[tuple[str, str] | None, str | None]:
    """The month range a link gives ("from", "to", as 2025-04 or a day of it, 2025-04-15; either may be left
    out), within the dataset's ``months``, for a session that has not set its own yet; and, when the link's
    dates cannot be applied, why, in words (else None)."""
    if f"aln_keep_{key}" in st.session_state:
        return None, None
    first, last = (st.query_params.get(name) for name in MONTHS_PARAMS)
    if not first and not last:
        return None, None
    given = f"from={first or '…'}, to={last or '…'}"
    read = [_LINKED_MONTH.fullmatch(value.strip()) if value else None for value in (first, last)]
    if (first and read[0] is None) or (last and read[1] is None):
        return None, f"the dates ({given}): write them as months, from=2025-04&to=2025-06"
    start = read[0].group(1) if read[0] else months[0]
    end = read[1].group(1) if read[1] else months[-1]
    if first and last and start > end:
        return None, f"the dates ({given}): the first is after the last"
    start, end = max(start, months[0]), min(end, months[-1])
    if start > end:
        return None, f"the dates ({given}): this dataset's reviews are dated {months[0]} to {months[-1]}"
    return (start, end), None


def _linked_values(key: str, column: str) -> list[str]:
    """The values of a segment filter a link gives, for a session that has not set its own yet."""
    if f"aln_keep_{key}" in st.session_state:
        return []
    return [value for value in st.query_params.get_all(SEGMENT_PARAM + column) if value]


def _link_filters(months: tuple[str, str] | None, chosen: dict[str, list[str]], columns: Sequence[str]) -> None:
    """Say the filters in the page's address (and only those: a filter cleared leaves it), so the address a
    brand manager copies opens the dashboard as they see it. Written only where it changes."""
    wanted: dict[str, list[str]] = {}
    if months is not None:
        wanted.update({MONTHS_PARAMS[0]: [months[0]], MONTHS_PARAMS[1]: [months[1]]})
    for column in columns:
        if chosen.get(column):
            wanted[SEGMENT_PARAM + column] = list(chosen[column])
    params = st.query_params
    for name in list(params.keys()):
        if (name in MONTHS_PARAMS or name.startswith(SEGMENT_PARAM)) and name not in wanted:
            del params[name]
    for name, values in wanted.items():
        if params.get_all(name) != values:
            params[name] = values if len(values) > 1 else values[0]


def filter_label(column: str) -> str:
    """The label of a segment column's filter: the column's name as its file writes it ("SKU", "Store/Channel"),
    with a capital first letter only where the whole name is lower case ("region" is "Region")."""
    return column[:1].upper() + column[1:] if column.islower() else column


def _segment_values(report: Report) -> dict[str, list[str]]:
    values: dict[str, set[str]] = {name: set() for name in segment_columns(report)}
    for review in report.reviews:
        for name in values:
            values[name].add(review.segments.get(name, "") or BLANK)
    return {name: sorted(found) for name, found in values.items()}


def _metrics(filtered: Report, full: Report) -> None:
    counts = common.verdict_counts(filtered)
    risky = sum(counts[name] for name in AT_RISK)
    # distinct sentences: one that speaks to two claims is one sentence, and the count never exceeds the dataset's
    sentences = len({j.sentence_index for r in filtered.claims for j in r.judgements})
    cols = st.columns(5)
    cols[0].metric("Claims", len(filtered.claims), help="Claims checked (from Vet copy).")
    cols[1].metric(
        "At risk",
        f"{risky} of {len(filtered.claims)}",
        help=f"{VERDICTS['contradicted'].symbol} contradicted or {VERDICTS['mixed'].symbol} mixed claims.",
    )
    # "Sentences", not "Evidence sentences": a fifth of a page 450 px wide (800 px with the sidebar open) cut
    # that label to "Evidence se…"; the help says whose sentences they are.
    cols[2].metric(
        "Sentences",
        f"{sentences:,}",
        help="Evidence sentences: review sentences that speak to one claim or more, in the filtered period "
        "(a sentence that speaks to two claims counts once here, and once in each claim's mentions).",
    )
    cols[3].metric("Reviews", f"{review_count(filtered):,}", help="Distinct reviews the evidence comes from.")
    cols[4].metric(
        "Reviews in dataset", f"{full.dataset.reviews:,}", help=f"{full.dataset.sentences:,} sentences in all."
    )


# --------------------------------------------------------------------------------------- charts


def left_out_caption(report: Report) -> str:
    """The sentence that names the claims the prominence chart leaves out (no evidence that takes a side, so no
    alignment to place them at), or "" when every claim is on it."""
    missing = claims_without_alignment(report)
    if not missing or len(missing) == len(report.claims):  # none left out, or the chart says so itself
        return ""
    names = ", ".join(f"“{md(short_text(text))}”" for text in missing)
    return (
        f" Not plotted: {len(missing)} of {len(report.claims)} claims, with no review sentence taking a side on them"
        f"{' in the selected filters' if active_filters(report) else ''} ({names})."
    )


def _png_offer(png_ok: bool, caption: str) -> Callable[[go.Figure], Callable[[], bytes]] | None:
    """How a chart's PNG is made (with the caption naming the dataset and the filters), or None when this
    server cannot render PNGs."""
    if not png_ok:
        return None
    return lambda figure: lambda: figure_png(figure, caption=caption)


def _chart(name: str, figure: go.Figure, png: Callable[[go.Figure], Callable[[], bytes]] | None) -> None:
    st.plotly_chart(
        figure,
        key=f"chart_{name}",
        on_select=_on_select(name),
        selection_mode="points",
        config={**CHART_CONFIG, "toImageButtonOptions": {**CHART_CONFIG["toImageButtonOptions"], "filename": name}},
        theme=None,
    )
    summary = chart_summary(figure)
    if summary:
        # The chart's gist in words: a screen reader gets it (the SVG alone reads as loose tick labels), and so
        # does a phone user without hover.
        st.caption(md(summary))
    # An empty chart (a message, no data) is not worth an image of its own.
    if png is not None and not is_empty_chart(figure):
        st.download_button(
            "⬇ PNG",
            data=png(figure),
            file_name=f"alignment-{name}.png",
            mime="image/png",
            on_click="ignore",
            key=f"png_{name}",
            help="Render this chart as a PNG on the server (takes a few seconds).",
        )


def _on_select(chart: str) -> Callable[[], None]:
    def remember() -> None:
        event = st.session_state.get(f"chart_{chart}")
        points = list(event["selection"]["points"]) if event else []
        column, values = st.session_state.get(SEGMENT_VALUES, (None, []))
        drill = drill_from_points(chart, points, column, values)
        if drill is not None or points == []:
            show_drill(drill)

    return remember


def show_drill(drill: Drill | None) -> None:
    """Narrow the evidence table to ``drill`` (None: all of it). The Claim and Stance choices above the table
    show the claim and stance it narrows to, so the user sees them there and can change them there (a change
    takes them out of the drill: :func:`_leave_drill`)."""
    st.session_state[DRILL] = drill
    st.session_state[EVIDENCE_CLAIM] = None if drill is None else drill.claim_id
    st.session_state[EVIDENCE_STANCE] = [drill.stance] if drill is not None and drill.stance else []


def _leave_drill(field: str) -> Callable[[], None]:
    """On a change of the Claim or Stance choice: the drill no longer narrows by that field (the choice
    does), so the two never disagree; a drill left narrowing by nothing is cleared."""

    def leave() -> None:
        drill: Drill | None = st.session_state.get(DRILL)
        if drill is None:
            return
        drill = dataclasses.replace(drill, **{field: None})
        st.session_state[DRILL] = None if drill == Drill() else drill

    return leave


def _trend(report: Report, png: Callable[[go.Figure], Callable[[], bytes]] | None) -> go.Figure:
    figure = plot_trend(report)
    _chart("trend", figure, png)
    st.caption(
        "The line is the claim's alignment in each month (−1 to +1); the band is its 95% interval, wide where "
        "evidence is thin; hollow points have fewer than the minimum evidence and are not joined. Grey bars: "
        "how many review sentences took a side that month (right axis)."
    )
    return figure


def _segments(report: Report, png: Callable[[go.Figure], Callable[[], bytes]] | None) -> go.Figure | None:
    columns = segment_columns(report)
    if not columns:
        st.info("No segment columns in this dataset. Map one (channel, region, product…) on the Datasets page.")
        return None
    key = f"dash_segment_column_{state.active_dataset().key}"
    remember = state.keep(key, columns[0])
    if st.session_state[key] not in columns:
        st.session_state[key] = columns[0]
    column = st.columns([1, 3])[0].selectbox("Segment column", columns, key=key, on_change=remember)
    st.session_state[SEGMENT_VALUES] = (column, list(dict.fromkeys(segment_frame(report, column)["value"])))
    figure = plot_segments(report, column)
    _chart("segments", figure, png)
    total = len(st.session_state[SEGMENT_VALUES][1])
    st.caption(
        f"Alignment per claim and {column} value, −1 (orange, contradicted) to +1 (blue, supported); n is the "
        f"number of sentences that take a side. Grey cells have fewer than {report.config.min_evidence}."
        + (
            f" Only the {SEGMENT_VALUES_SHOWN} values with the most evidence have a column, of {total:,}: choose "
            f"others in the {filter_label(column)} filter above to see them."
            if total > SEGMENT_VALUES_SHOWN
            else ""
        )
        + (
            " The cells are too many to write in: point at one for its alignment and counts."
            if min(total, SEGMENT_VALUES_SHOWN) > SEGMENT_TEXT_COLUMNS
            else ""
        )
    )
    return figure


# --------------------------------------------------------------------------------------- evidence


def _evidence(report: Report) -> None:
    st.subheader("Evidence")
    drill: Drill | None = st.session_state.get(DRILL)
    texts = {r.claim.claim_id: r.claim.text for r in report.claims}
    if drill is not None and drill.claim_id is not None and drill.claim_id not in texts:
        drill = None
    evidence = report.matches_frame()
    head, clear = st.columns([5, 1], vertical_alignment="bottom")
    with head:
        if drill is None:
            st.markdown("**All evidence** — click a chart, or choose a claim and a stance below, to narrow it down.")
        else:
            st.markdown(f"**{md(drill.describe(texts))}**")
    if drill is not None:
        clear.button("Show all evidence", on_click=show_drill, args=(None,), key="drill_clear")
    search_col, claim_col, stance_col = st.columns([3, 2, 2])
    query = search_col.text_input(
        "Search the quotes", key="evidence_search", placeholder="words in the quote, claim, review id or segment"
    )
    # The charts' drill-down needs a pointer; this reaches the same slices from the keyboard (with the stance
    # and the search, which finds a segment's value too).
    options: list[str | None] = [None, *texts]
    if st.session_state.get(EVIDENCE_CLAIM) not in options:
        st.session_state.pop(EVIDENCE_CLAIM, None)  # a claim of an earlier check
    picked = claim_col.selectbox(
        "Claim",
        options,
        key=EVIDENCE_CLAIM,
        format_func=lambda claim_id: "Every claim" if claim_id is None else short_text(texts[claim_id], 60),
        on_change=_leave_drill("claim_id"),
    )
    stances = stance_col.multiselect(
        "Stance",
        ["contradicts", "supports", "neutral"],
        key=EVIDENCE_STANCE,
        placeholder="Every stance",
        on_change=_leave_drill("stance"),
    )
    drilled = apply_drill(evidence, drill)
    if drill is not None and drilled.empty and not evidence.empty:
        # A slice clicked before a filter left it out (a channel filtered away, a month outside the range)
        st.info("The filters above leave no evidence in this slice: press “Show all evidence”, or widen the filters.")
    shown = search(drilled, query)
    if picked is not None:
        shown = shown[shown["claim_id"] == picked]
    if stances:
        shown = shown[shown["stance"].isin(stances)]
    columns = evidence_columns(shown, segment_columns(report), drill)
    st.caption(f"{len(shown):,} of {len(evidence):,} evidence sentences. Click a column header to sort.")
    # The symbols and the confidence are for the page only: the download below keeps the plain stances and
    # the columns of the whole evidence's file (⬇ Evidence (CSV)), so the two files can be read together.
    table = shown.assign(
        # In whole percent, as the cards say "99% sure": "86.5%" beside "92.81%" claimed a precision it lacks.
        confidence=(100 * shown[["p_supports", "p_contradicts", "p_neutral"]].max(axis=1)).round(),
        stance=shown["stance"].map(STANCE_LABELS),
    )[columns]
    st.dataframe(
        table.sort_values("date", ascending=False, na_position="last") if "date" in columns else table,
        hide_index=True,
        width="stretch",
        height=380,
        column_config=EVIDENCE_COLUMN_CONFIG,
    )
    st.download_button(
        f"⬇ These {len(shown):,} rows (CSV)",
        data=to_safe_csv(shown[list(evidence.columns)]),
        file_name="alignment-evidence-selection.csv",
        mime="text/csv",
        on_click="ignore",
        key="download_selection",
        help="The rows shown, with the columns of ⬇ Evidence (CSV) below: plain stances and the judge's three "
        "probabilities.",
    )


STANCE_LABELS = {"supports": "✔ supports", "contradicts": "✖ contradicts", "neutral": "– neutral"}
# The quote, its stance, its claim and how close it is come first, in widths that show them whole at 1400 px
# with the sidebar open (the table is about 940 px wide); the date, rating, segments and review id follow, and
# scroll into view where they do not fit.
EVIDENCE_COLUMN_CONFIG: dict[str, Any] = {
    "stance": st.column_config.TextColumn("stance", width=104, help="How the sentence stands towards the claim."),
    "sentence": st.column_config.TextColumn("quote", width=380),
    "claim": st.column_config.TextColumn("claim", width=190),
    "similarity": st.column_config.NumberColumn(
        "similarity", format="%.2f", width=76, help="Cosine similarity of the sentence to the claim (0 to 1)."
    ),
    "confidence": st.column_config.NumberColumn(
        "confidence", format="%d%%", width=88, help="The stance judge's probability for the stance shown."
    ),
    "date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
    "rating": st.column_config.NumberColumn("rating", format="%.0f ★", help="The review's rating."),
    "review_id": st.column_config.TextColumn("review"),
}


def evidence_columns(shown: pd.DataFrame, segments: Sequence[str], drill: Drill | None) -> list[str]:
    """The evidence table's columns on the page, the quote, its stance and claim first: a column no row fills
    (a dataset without dates or ratings) is left out, and so is the claim when the heading names it (a drill
    into one claim). The table's download keeps every column of the whole evidence's file."""
    columns = ["stance", "sentence", "claim", "similarity", "confidence", "date", "rating", *segments, "review_id"]
    return [
        name
        for name in columns
        if (name not in ("date", "rating") or (name in shown and shown[name].notna().any()))
        and (name != "claim" or drill is None or drill.claim_id is None)
    ]


def _claims_table(report: Report) -> None:
    st.subheader("Claims")
    frame = claims_overview(report)
    frame["verdict"] = frame["verdict"].map(verdict_label)
    columns = [
        "verdict",
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
    ]
    rows = workspace_view.wrapped_rows(frame["text"], workspace_view.CLAIM_CHARS)
    st.dataframe(
        frame[columns],
        hide_index=True,
        width="stretch",
        column_config=workspace_view.claims_columns("text"),
        row_height=rows.row_height,
        height=rows.height,
    )
    st.caption(
        f"{workspace_view.COUNTS_NOTE} Low and high: the alignment's 95% interval. Point at a header for its meaning."
    )


def _downloads(
    report: Report, figures: list[go.Figure], png_ok: bool, png_reason: str, filter_notes: Sequence[str]
) -> None:
    st.subheader("Downloads")
    cols = st.columns(3)
    cols[0].download_button(
        "⬇ Report (JSON)",
        data=lambda: report.to_json(),
        file_name="alignment-report.json",
        mime="application/json",
        on_click="ignore",
        key="download_json",
        width="stretch",
        help="Every claim with its counts, alignment, interval, risk and matches (schema alignment.report/1).",
    )
    cols[1].download_button(
        "⬇ Evidence (CSV)",
        data=lambda: to_safe_csv(report.matches_frame()),
        file_name="alignment-evidence.csv",
        mime="text/csv",
        on_click="ignore",
        key="download_csv",
        width="stretch",
        help="Every matched review sentence with stance, probabilities, date, rating and segments.",
    )
    cols[2].download_button(
        "⬇ HTML report with charts",
        # Its notes as the page words them: the report goes to readers of the app, not of the command line.
        data=lambda: report_html(report, figures, wording=app_note).encode("utf-8"),
        file_name="alignment-report.html",
        mime="text/html",
        on_click="ignore",
        key="download_html",
        width="stretch",
        help="One self-contained file (it opens offline): summary, claims table, the charts and the top quotes.",
    )
    if filter_notes:
        st.caption("The downloads follow the filters: " + md(" ".join(filter_notes)))
    if png_ok:
        st.caption("Each chart has its own PNG button; the camera icon in a chart's toolbar also saves a PNG.")
    else:
        st.caption(
            f"{png_reason} The HTML report keeps every chart; the camera icon in a chart's toolbar saves a PNG "
            "from your browser."
        )
