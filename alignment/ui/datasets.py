"""Datasets: upload review tables, map their columns, read the validation summary, choose the active one."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from alignment.charts import DatasetOverview, dataset_overview
from alignment.errors import AlignmentError, InputError
from alignment.ingest import (
    AMBIGUOUS_DATE,
    DATE_AGAINST_ORDER,
    HEADERLESS,
    LONG_REVIEW,
    MALFORMED_ROW,
    MISSING_ID,
    NO_WORDS,
    NOT_TEXT,
    REPEATED_SENTENCE,
    RESCALED_RATING,
    ROWS_RUN_TOGETHER,
    TITLE_ROW,
    ColumnMapping,
    detect_columns,
    source_column,
)
from alignment.pipeline import language_note
from alignment.ratings import OFF_SCALE_RATING
from alignment.ui import common, state, workspace_view
from alignment.ui.notes import app_message
from alignment.ui.text import md
from alignment.ui.uploads import DATASET_TYPES, Dataset, UploadedTable, build_dataset, read_dataset_upload

STAGED = "aln_staged_upload"
STAGED_FROM = "aln_staged_upload_from"  # upload_key of the upload the staged table was read from
UPLOAD_GENERATION = "aln_upload_generation"  # bumped after a validation, so the uploader starts empty
REMAP = "aln_remap"  # (key of the session dataset being mapped again, its mapping) while its upload is staged
NONE = "(none)"
SKIP_REASONS = {
    "blank text": "the text column was empty",
    NO_WORDS: "the text held no letters (only numbers, emoji or punctuation), so no sentence of it can be read",
    "duplicate row": "an exact copy of an earlier row (the same text, id, date, rating and segments; without an id "
    "column, every cell the same)",
    "unreadable line": "a JSON Lines line that is not valid JSON",
    MALFORMED_ROW: "a row with more fields than the header has",
    NOT_TEXT: "the text cell held a list, a nested object or true/false, not text; map a column that holds the review",
    TITLE_ROW: "a title line above the header row of the sheet",
}
INVALID_REASONS = {
    HEADERLESS: "the file has no header row: its first line holds data where column names would be (an id, a "
    "date, a rating, a sentence), so it was kept as a review and the columns are named column_1, column_2 …; "
    "add a header row to the file to name them",
    "unparseable date": "a date that could not be read; the review is kept without a date",
    "non-numeric rating": "a rating that is not a number; the review is kept without a rating",
    "rating out of range": "a rating under 0 or over 100; the review is kept without a rating",
    OFF_SCALE_RATING: "a rating above the scale the others fit (such as 50 among 1–5 stars, or a lone 6 among "
    "hundreds: likely a typo); the "
    "review is kept, its rating left out of the mean and never read as the review's side",
    RESCALED_RATING: "a rating written as a fraction of another scale than the column's own (8/10 among "
    "ratings out of 5), read on the column's scale (4)",
    "duplicate id": "an id used by an earlier review; both reviews are kept",
    MISSING_ID: "a blank id cell; the review is kept and known by its row number (the review of data row 12 "
    "as 'row 12')",
    ROWS_RUN_TOGETHER: "a row holding lines that read as rows of the file: a quote left open in it ran the "
    "rows after it into this row, up to the next quote; close that quote in the file and upload it again",
    AMBIGUOUS_DATE: "a date like 03/04/2025 in a column where no date settles whether the day or the month "
    "comes first; it is read month first (March 4th). If the file writes the day first, map the columns again and "
    "choose “Day first” under “Numeric dates are written”",
    DATE_AGAINST_ORDER: "a date like 13/06/2025 that can only be read in the other day/month order than the rest "
    "of its column (as you chose it, or as most of its dates read); it is read that way. Check the order chosen",
    "date out of range": "a date before 1900 or in the future, a placeholder or a typo; the review is kept "
    "without a date",
    REPEATED_SENTENCE: "a sentence a review says again word for word; it counts once as evidence",
    LONG_REVIEW: "a review of hundreds of sentences (a pasted document, or a file read with the wrong "
    "separator?); each of its sentences counts as evidence",
}


def upload_limit_mb() -> int:
    """The upload size limit set in .streamlit/config.toml (server.maxUploadSize), in MB."""
    return int(st.get_option("server.maxUploadSize"))


def render() -> None:
    """Draw the Datasets page."""
    common.page_setup()
    st.title("Datasets")
    limit = upload_limit_mb()
    st.caption(
        f"Reviews, complaints or survey answers to check claims against. Upload CSV, TSV, XLSX, JSON, JSONL or "
        f"Parquet files up to **{limit} MB** each. Uploads stay in your session only, which a reload of the page "
        "ends, and nobody else sees them, unless you save them to the workspace: saved datasets are kept on this "
        "machine and shared by everyone who uses this app server or its workspace folder."
    )
    state.show_message()
    _choose_active()
    st.divider()
    workspace_view.render_saved_datasets()
    st.divider()
    _add_dataset(limit)


# ----------------------------------------------------------------------------------------- active


def _choose_active() -> None:
    st.subheader("Active dataset")
    found = state.datasets()
    keys = list(found)
    active = state.active_dataset()
    choice = st.radio(
        "Check claims against",
        keys,
        index=keys.index(active.key),
        format_func=lambda key: (
            f"{found[key].name} · {found[key].review_set.summary.reviews:,} reviews ({found[key].origin})"
        ),
        key=f"active_choice_{len(keys)}_{active.key}",
    )
    if choice != active.key:
        st.session_state[state.ACTIVE] = choice
        st.rerun()
    if active.origin != "bundled demo":
        remove_col, remap_col, _ = st.columns([1.6, 1.6, 2])
        remove_col.button(
            "Remove this dataset" if active.workspace_name is None else "Remove from my session (stays saved)",
            key=f"remove_{active.key}",
            on_click=lambda: state.remove_dataset(active.key),
        )
        if (
            active.data is not None
            and active.workspace_name is None
            and remap_col.button(
                "Change column mapping",
                key=f"remap_{active.key}",
                help="Map the columns of this upload again; validating replaces it in your session.",
            )
        ):
            _stage_again(active)
    workspace_view.render_save_form(active)
    show_validation(active)


def _mapped_twice(roles: dict[str, str | None]) -> str | None:
    """A one-line message when one column is given two roles (the review text also as the date), else None:
    a column holds one kind of value, so every row would fail one of them."""
    seen: dict[str, str] = {}
    for role, column in roles.items():
        if column is None:
            continue
        if column in seen:
            return (
                f"Column {md(column)} is mapped as both the {seen[column]} and the {role}: choose another column "
                f"for the {role}, or (none)."
            )
        seen[column] = role
    return None


def show_validation(dataset: Dataset) -> None:
    """The validation summary of a dataset: counts, skipped rows by reason, dates, ratings, segments."""
    overview = dataset_overview(dataset.review_set)
    skipped = sum(overview.skipped.values())
    cols = st.columns(5)
    cols[0].metric("Rows read", f"{overview.rows:,}")
    cols[1].metric("Reviews kept", f"{overview.reviews:,}")
    cols[2].metric("Skipped rows", f"{skipped:,}", help="Rows left out; the reasons are listed below.")
    cols[3].metric("Sentences", f"{overview.sentences:,}", help="Review sentences that claims are matched against.")
    cols[4].metric("Rating scale", overview.rating_scale, help=_rating_help(overview))
    language = language_note([review.text for review in dataset.review_set.reviews])
    if language:  # before any check is run on it: the models read English only
        st.warning(language)
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Rows skipped and values to check**")
        st.markdown(_issues_markdown(overview))
        st.markdown("**Dates**")
        if overview.first_date:
            st.markdown(
                f"{overview.first_date} to {overview.last_date} · {overview.dated:,} of {overview.reviews:,} "
                "reviews dated"
            )
        elif overview.columns.get("date"):
            st.markdown(
                f"No value of column {md(str(overview.columns['date']))} reads as a date: map the column that "
                "holds the review dates, or none."
            )
        else:
            st.markdown("No dates: map a date column to see trends and filter by period.")
        st.markdown("**Ratings**")
        if overview.rated:
            st.markdown(f"{rating_range(overview)} · {overview.rated:,} of {overview.reviews:,} reviews rated")
        elif overview.columns.get("rating"):
            st.markdown(
                f"No value of column {md(str(overview.columns['rating']))} reads as a rating: map the column that "
                "holds the star ratings or scores, or none."
            )
        else:
            st.markdown("No ratings mapped.")
    with right:
        st.markdown("**Column mapping**")
        columns = overview.columns
        segment_names = [str(name) for name in columns.get("segments") or []]  # type: ignore[attr-defined]
        mapping = pd.DataFrame(
            [
                ("review text", columns.get("text") or NONE),
                ("review id", columns.get("id") or "(row number)"),
                ("date", columns.get("date") or NONE),
                ("rating", columns.get("rating") or NONE),
                ("segments", ", ".join(segment_names) or NONE),
            ],
            columns=["role", "column"],
        )
        st.dataframe(mapping, hide_index=True, width="stretch")
        renamed = segment_rename_note(segment_names)
        if renamed:
            st.caption(md(renamed))
        if overview.segments:
            st.markdown("**Segment values** (reviews per value)")
            for name, counts in overview.segments.items():
                top = ", ".join(f"{value} {count:,}" for value, count in list(counts.items())[:8])
                more = f" and {len(counts) - 8} more" if len(counts) > 8 else ""
                st.markdown(f"*{_md(name)}* ({len(counts)} values): {_md(top)}{more}")
    with st.expander(f"Preview of the reviews in {dataset.name}"):
        st.dataframe(_reviews_preview(dataset), hide_index=True, width="stretch")


def segment_rename_note(segments: Sequence[str]) -> str | None:
    """The line that says why a segment column is shown under another name than the file's: ingest keeps a
    segment named like a column of the evidence table under :func:`alignment.ingest.segment_name` ("claim" as
    "claim (segment)"), so that neither overwrites the other. None when no segment was renamed."""
    renamed = [(source_column(name), name) for name in segments if source_column(name) != name]
    if not renamed:
        return None
    columns = _and([f"'{column}'" for column, _ in renamed])
    shown = _and([f"'{name}'" for _, name in renamed])
    if len(renamed) == 1:
        return f"Segment {columns} is shown as {shown}, because {columns} names a column of the evidence table."
    return f"Segments {columns} are shown as {shown}, because {columns} name columns of the evidence table."


def rating_range(overview: DatasetOverview) -> str:
    """The ratings' range, scale and mean in a line, a typo above the scale said apart, as it is left
    out of the mean: "1 to 5 on a 1–5 scale, and 1 rating above it (55), left out as a typo · mean 3.47"."""
    off = overview.invalid_values.get(OFF_SCALE_RATING, 0)
    if not off or overview.scale_max is None:
        span = f"{overview.rating_min:g} to {overview.rating_max:g} on a {overview.rating_scale} scale"
    else:
        typos = "a typo" if off == 1 else "typos"
        above = f"{off:,} rating{'' if off == 1 else 's'} above it (up to {overview.rating_max:g})"
        scale = f"{overview.rating_min:g} to {overview.scale_max:g} on a {overview.rating_scale} scale"
        span = f"{scale}, and {above}, left out as {typos}"
    return f"{span} · mean {overview.rating_mean:.2f}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _rating_help(overview: DatasetOverview) -> str:
    if not overview.rated:
        return "No rating column is mapped."
    return f"Ratings run {overview.rating_min:g} to {overview.rating_max:g}; read as a {overview.rating_scale} scale."


def _issues_markdown(overview: DatasetOverview) -> str:
    lines = [
        f"- **{count:,} {'row' if count == 1 else 'rows'} skipped: {_md(reason)}**, "
        f"{_md(SKIP_REASONS.get(reason, reason))}"
        for reason, count in overview.skipped.items()
    ]
    lines += [
        f"- **{count:,} {'value' if count == 1 else 'values'} to check: {_md(reason)}**, "
        f"{_md(INVALID_REASONS.get(reason, reason))}"
        for reason, count in overview.invalid_values.items()
    ]
    return "\n".join(lines) if lines else "None: every row was read and every value understood."


def _reviews_preview(dataset: Dataset, limit: int = 200) -> pd.DataFrame:
    records = []
    for review in dataset.review_set.reviews[:limit]:
        records.append(
            {
                "review_id": review.review_id,
                "date": review.date,
                "rating": review.rating,
                **review.segments,
                "text": review.text,
            }
        )
    return pd.DataFrame.from_records(records)


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB" if size >= 1e3 else f"{size} bytes"


def _md(text: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_{}[]#+!|~$":
        out = out.replace(char, "\\" + char)
    return out


# ----------------------------------------------------------------------------------------- upload


def stage_upload(data: bytes, filename: str, sheet: str | None = None) -> UploadedTable:
    """Read an uploaded file (of a workbook, ``sheet``, else its first table) and keep it in this session for
    column mapping.

    Raises:
        InputError: the file type is not supported, or the file is too large, empty or unreadable.
    """
    table = read_dataset_upload(data, filename, max_bytes=upload_limit_mb() * 1024 * 1024, sheet=sheet)
    st.session_state[STAGED] = table
    return table


def _stage_again(dataset: Dataset) -> None:
    """Put an uploaded dataset's file back in the mapping form, its current mapping chosen."""
    assert dataset.data is not None
    try:
        stage_upload(dataset.data, dataset.name, sheet=dataset.sheet)
    except AlignmentError as exc:
        st.error(md(app_message(str(exc))))
        return
    st.session_state[REMAP] = (dataset.key, dataset.review_set.mapping)
    state.tell(f"The column mapping of {dataset.name} is open below, under Add a dataset.", "info")
    st.rerun()


def suggested_mapping(frame: pd.DataFrame) -> ColumnMapping | None:
    """The auto-detected column mapping, or None when no text column can be told."""
    try:
        return detect_columns(frame)
    except InputError:
        return None


def validate_staged(mapping: ColumnMapping) -> Dataset:
    """Validate the staged upload under ``mapping``, keep it in this session and make it active.

    Raises:
        InputError: a mapped column is missing, or no review text remains.
    """
    table: UploadedTable = st.session_state[STAGED]
    dataset = build_dataset(table, mapping)
    remapped = st.session_state.pop(REMAP, None)
    if remapped is not None and remapped[0] in state.datasets():
        state.replace_dataset(remapped[0], dataset)  # the same upload mapped again: one entry, not two
    state.add_dataset(dataset)
    st.session_state.pop(STAGED, None)
    st.session_state[UPLOAD_GENERATION] = st.session_state.get(UPLOAD_GENERATION, 0) + 1
    return dataset


def upload_key(uploaded: Any) -> str:
    """What tells one upload from another: the uploader's id for each file it receives, so a corrected file
    of the same name and size is read again (its name and size alone would say it is the same file)."""
    file_id = getattr(uploaded, "file_id", None)
    if file_id:
        return str(file_id)
    return hashlib.sha256(uploaded.getvalue()).hexdigest()


def _add_dataset(limit: int) -> None:
    st.subheader("Add a dataset")
    uploaded = st.file_uploader(
        f"Review file (CSV, TSV, XLSX, JSON, JSONL or Parquet; up to {limit} MB)",
        type=list(DATASET_TYPES),
        key=f"dataset_upload_{st.session_state.get(UPLOAD_GENERATION, 0)}",
        help="One review per row, with a column of review text. Dates, ratings, ids and segment columns "
        "(channel, region, product…) are optional and detected by name.",
    )
    staged: UploadedTable | None = st.session_state.get(STAGED)
    if uploaded is not None and (staged is None or upload_key(uploaded) != st.session_state.get(STAGED_FROM)):
        try:
            with st.spinner(f"Reading {uploaded.name}…"):
                staged = stage_upload(uploaded.getvalue(), uploaded.name)
            st.session_state[STAGED_FROM] = upload_key(uploaded)
            st.session_state.pop(REMAP, None)  # a new file, not the one being mapped again
        except AlignmentError as exc:
            st.error(md(app_message(str(exc))))
            return
    if staged is None:
        return
    _mapping_form(staged)


# How numeric dates are written, as the mapping form offers it: the dates decide unless the user says.
DATE_ORDERS = {
    "As the dates say (month first when none tells)": None,
    "Day first (03/04/2025 is 3 April)": True,
    "Month first (03/04/2025 is March 4)": False,
}


def _date_order(date_column: str | None, chosen: bool | None, key: str) -> bool | None:
    """The day/month order of the date column's numeric dates, chosen under the mapping (None: settled by the
    dates, where a day over 12 tells; where none does, they are read month first and counted as unclear)."""
    if date_column is None:
        return None
    labels = list(DATE_ORDERS)
    label = st.radio(
        "Numeric dates are written",
        labels,
        index=list(DATE_ORDERS.values()).index(chosen),
        horizontal=True,
        key=f"map_day_first_{key}",
        help="Say it when you know: dates like 03/04/2025 read either way, and where no day in the column is over "
        "12 the dates alone cannot tell.",
    )
    return DATE_ORDERS[label]


def _mapping_form(table: UploadedTable) -> None:
    frame = table.frame
    if len(table.sheets) > 1 and table.sheet is not None:
        chosen = st.selectbox(
            "Sheet",
            table.sheets,
            index=table.sheets.index(table.sheet),
            key=f"sheet_{table.fingerprint[:12]}",
            help="The workbook's sheets. The first with a table is read unless you choose another.",
        )
        if chosen != table.sheet:
            try:
                stage_upload(table.data, table.name, sheet=chosen)
            except AlignmentError as exc:
                st.error(md(app_message(str(exc))))
                return
            st.rerun()
    where = f" · sheet {_md(table.sheet)}" if table.sheet is not None else ""
    shape = f"{len(frame):,} row{'s' if len(frame) != 1 else ''} × {frame.shape[1]} column"
    # rows the reader could not split into fields are not in the preview; say so, as validation counts them
    unread = int(frame.attrs.get("malformed_rows", 0)) + int(frame.attrs.get("bad_lines", 0))
    unread_note = f" · {unread:,} more row{'s' if unread != 1 else ''} could not be read (malformed)" if unread else ""
    st.markdown(
        f"**{_md(table.name)}**{where} · {shape}{'s' if frame.shape[1] != 1 else ''} · {_size(table.size)}{unread_note}"
    )
    preview = frame.head(50)
    st.dataframe(preview, hide_index=True, width="stretch", height=min(320, 38 + 35 * len(preview)))
    columns = [str(c) for c in frame.columns]
    remapped = st.session_state.get(REMAP)
    if remapped is not None:  # a segment kept as "claim (segment)" was picked as the file's "claim"
        kept = remapped[1]
        remapped = (remapped[0], dataclasses.replace(kept, segments=tuple(map(source_column, kept.segments))))
    named = [] if remapped is None else [c for c in remapped[1].to_dict().values() if isinstance(c, str)]
    if remapped is not None and set(named) <= set(columns) and set(remapped[1].segments) <= set(columns):
        suggested: ColumnMapping | None = remapped[1]  # mapping an upload again starts from its mapping
    else:
        suggested = suggested_mapping(frame)
    if suggested is None:
        st.warning("Could not tell which column holds the review text. Choose it below.")
    elif suggested.date is None:
        st.info(
            "No date column was recognised, by its name or by its values. Choose one below to see trends and "
            "filter by period."
        )
    key = f"{table.fingerprint[:12]}_{table.sheet or ''}"  # another sheet has other columns
    st.markdown("**Column mapping** (detected automatically; change any of them)")
    first, second, third, fourth = st.columns(4)
    text = first.selectbox(
        "Review text",
        columns,
        index=columns.index(suggested.text) if suggested else 0,
        key=f"map_text_{key}",
        help="The column with the words customers wrote.",
    )
    optional = [NONE, *columns]

    def pick(where: st.delta_generator.DeltaGenerator, label: str, found: str | None, role: str) -> str | None:
        value = where.selectbox(label, optional, index=optional.index(found) if found else 0, key=f"map_{role}_{key}")
        return None if value == NONE else value

    identifier = pick(second, "Review id", suggested.id if suggested else None, "id")
    when = pick(third, "Date", suggested.date if suggested else None, "date")
    rating = pick(fourth, "Rating", suggested.rating if suggested else None, "rating")
    day_first = _date_order(when, suggested.day_first if suggested else None, key)
    segments = st.multiselect(
        "Segment columns (for the heatmap and filters)",
        [c for c in columns if c not in {text, identifier, when, rating}],
        default=[c for c in (suggested.segments if suggested else ()) if c not in {text, identifier, when, rating}],
        key=f"map_segments_{key}",
        help="Columns whose values split the reviews into groups, such as channel, region or product.",
    )
    if st.button("Validate and make active", type="primary", key=f"map_validate_{key}"):
        twice = _mapped_twice({"review text": text, "review id": identifier, "date": when, "rating": rating})
        if twice:
            st.error(twice)
            return
        mapping = ColumnMapping(
            text=text, id=identifier, date=when, rating=rating, segments=tuple(segments), day_first=day_first
        )
        try:
            with st.spinner("Validating the rows and splitting sentences…"):
                dataset = validate_staged(mapping)
        except AlignmentError as exc:
            st.error(md(app_message(str(exc))))
            return
        state.tell(
            f"{dataset.name} is now the active dataset: {dataset.review_set.summary.reviews:,} reviews. "
            "The Vet copy and Gap dashboard pages check against it.",
            "success",
        )
        st.rerun()
