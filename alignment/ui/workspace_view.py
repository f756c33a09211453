"""The workspace in the app: save an upload, list, load and delete saved datasets (Datasets page); save a check as
a run, list a dataset's runs, chart them and open one (Gap dashboard).

Every action opens the workspace briefly through alignment.ui.workspace_store and shows what went wrong as
one line (st.error), so a busy or damaged workspace never breaks the session.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pandas as pd
import streamlit as st

from alignment.charts import (
    ALIGNMENT_HELP,
    AT_RISK,
    INTERVAL_HELP,
    VERDICT_ORDER,
    VERDICTS,
    cut_labels,
    plot_run_history,
    verdict_label,
)
from alignment.compare import (
    NO_LONGER_AT_RISK,
    NOW_AT_RISK,
    NOW_CONTRADICTED,
    compare_runs,
    rounded_alignments,
    run_claim_verdict,
    summarize,
)
from alignment.errors import AlignmentError
from alignment.report import Report, to_safe_csv
from alignment.ui import resources, state, workspace_store
from alignment.ui.notes import app_note
from alignment.ui.progress import StreamlitProgress
from alignment.ui.text import md
from alignment.ui.uploads import Dataset
from alignment.workspace import (
    DatasetInfo,
    RunInfo,
    UnknownDatasetError,
    UnknownRunError,
    WorkspaceBusyError,
)

CONFIRM_DELETE = "aln_ws_confirm_delete"  # the dataset name awaiting "Yes, delete it"
CONFIRM_DELETE_RUN = "aln_ws_confirm_delete_run"  # the run id awaiting "Yes, delete it"
LABEL_USED = "aln_ws_run_label_used"  # the run label box names a run already saved: emptied on the next run
SAVED_RUNS = "aln_ws_saved_runs"  # report cache key -> run id, so one check is not saved twice by accident
OPEN_RUN = "aln_ws_open_run"  # (RunInfo, report dict) of the run opened in the history
PICK = "ws_pick"
PICK_RUN = "ws_pick_run"
COMPARE_BEFORE = "ws_compare_before"  # the earlier run of "Compare two runs"
COMPARE_AFTER = "ws_compare_after"
# Streamlit wraps a cell's text only in rows taller than 4rem (64 px): a wrapped row holds three lines at least.
LINE_HEIGHT = 18  # one wrapped line of a table cell, in pixels
ROW_PADDING = 12  # a table row's padding above and below its lines
WRAPPED_LINES = (3, 5)  # the fewest lines a wrapped row holds, and the most (a longer text is cut)
TABLE_HEADER_HEIGHT = 38  # the header row and the frame's borders, in pixels
TABLE_ROWS_SHOWN = 10  # the rows a table of wrapped rows shows before it scrolls, as Streamlit's default does


class Rows(NamedTuple):
    """How a table draws its rows: ``st.dataframe``'s ``row_height`` and ``height`` arguments."""

    row_height: int | None = None
    height: int | Literal["auto"] = "auto"


def wrapped_rows(texts: pd.Series, chars_a_line: int) -> Rows:
    """The rows of a table whose text column holds about ``chars_a_line`` characters a line: tall enough for
    the longest text to wrap onto (three to five lines), or Streamlit's default (one line a row) when every
    text fits on one.

    A column narrow enough for a table of many columns to fit at 1400 px cuts a long claim short on one line;
    wrapped, the whole claim shows. The height is given too: Streamlit's default fits ten rows of one line.
    """
    longest = int(texts.fillna("").astype(str).str.len().max()) if len(texts) else 0
    if longest <= chars_a_line:
        return Rows()
    fewest, most = WRAPPED_LINES
    lines = min(max(math.ceil(longest / chars_a_line), fewest), most)
    row_height = ROW_PADDING + LINE_HEIGHT * lines
    return Rows(row_height, TABLE_HEADER_HEIGHT + row_height * min(len(texts), TABLE_ROWS_SHOWN))


def show_error(exc: AlignmentError, *, busy_as_warning: bool = False) -> None:
    """Show a workspace failure in one line; a busy workspace is said plainly (a warning when only reading)."""
    if isinstance(exc, WorkspaceBusyError):
        message = (
            f"The workspace is busy: another program, such as `alignment check --dataset` on the command line, "
            f"has {workspace_store.database_path()} open. Try again when it has finished."
        )
        (st.warning if busy_as_warning else st.error)(message)
    else:
        st.error(str(exc))


def read_only_notice() -> str | None:
    """The line that says the workspace can only be read and what still works, or None when it can be written."""
    reason = workspace_store.read_only_reason()
    if reason is None:
        return None
    return (
        f"This workspace can only be read: {reason}. You can load its datasets, check them and open their runs, "
        "but not save, replace or delete anything. Whoever runs this app can point ALIGN_WORKSPACE at a folder "
        "it can write to."
    )


def sharing_note() -> str:
    """Where saved datasets go and who sees them, in one sentence."""
    return (
        f"Saved datasets go to the workspace on this machine (`{workspace_store.location()}`), shared by everyone "
        "who uses this app server or that folder (including the `alignment` command line)."
    )


# ----------------------------------------------------------------------------------- Datasets page


def render_save_form(dataset: Dataset) -> None:
    """ "Save to workspace" for a session dataset that is not in the workspace yet (an upload, or the demo)."""
    source_file = resources.DEMO_REVIEWS if dataset.origin == "bundled demo" else None
    if dataset.workspace_name is not None or (dataset.data is None and source_file is None):
        return
    with st.container(border=True):
        st.markdown("**Save to workspace**")
        st.caption(
            f"Until you save it, {'this upload' if source_file is None else 'this dataset'} stays in your session "
            f"only. {sharing_note()} A saved dataset is kept after your session ends, its sentences are embedded "
            "once for every later check, and the Gap dashboard can save and compare runs of it."
        )
        name_col, replace_col, button_col = st.columns([3, 2, 1.4], vertical_alignment="bottom")
        default = workspace_store.suggest_name(
            source_file.name if source_file is not None else dataset.review_set.summary.source or dataset.name
        )
        name = name_col.text_input(
            "Name in the workspace",
            value=default,
            max_chars=64,
            key=f"ws_save_name_{dataset.key}",
            help="1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. The command line "
            "uses it too: `alignment check --dataset NAME`.",
        )
        replace = replace_col.checkbox(
            "Replace if the name is taken",
            key=f"ws_save_replace_{dataset.key}",
            help="Off: a name already in the workspace is refused. On: the saved dataset of that name is replaced "
            "for everyone; its runs keep their counts but no longer show their quotes.",
        )
        notice = read_only_notice()
        if notice:
            st.caption(notice)
        if button_col.button(
            "Save to workspace", key=f"ws_save_{dataset.key}", width="stretch", disabled=notice is not None
        ):
            _save_dataset(dataset, name, replace, source_file)


def _save_dataset(dataset: Dataset, name: str, replace: bool, source_file: Path | None) -> None:
    bars = st.empty()  # holds nothing until a bar is drawn
    try:
        name = workspace_store.check_name(name)  # a bad name fails before any progress bar appears
        progress = StreamlitProgress(bars.container())
        with st.spinner(f"Saving {name} to the workspace…"):
            saved = workspace_store.save_dataset(
                dataset, name, source_file=source_file, replace=replace, progress=progress
            )
    except AlignmentError as exc:
        bars.empty()  # a bar left beside the error would say the save went through
        show_error(exc)
        return
    state.forget_workspace_dataset(saved.name)  # a copy this session loaded before a replace is out of date
    if dataset.origin != "bundled demo":  # the demo stays in the session; an upload becomes its saved copy
        state.replace_dataset(dataset.key, saved)
    state.add_dataset(saved)
    state.tell(
        f"Saved {name} to the workspace ({saved.review_set.summary.reviews:,} reviews). It is the active dataset; "
        "checks on it reuse its stored sentence vectors, and the Gap dashboard can save runs of it.",
        "success",
    )
    st.rerun()


def render_saved_datasets() -> None:
    """The workspace's datasets: a table, and a choice to load one (make it active) or delete it."""
    st.subheader("Saved in the workspace")
    st.caption(
        f"{sharing_note()} Loading one makes it the active dataset in your session; deleting one removes it for "
        "everyone."
    )
    try:
        items = workspace_store.list_datasets()
    except AlignmentError as exc:
        show_error(exc, busy_as_warning=True)
        return
    if not items:
        st.info(
            "No datasets saved yet. Validate an upload below and press **Save to workspace**, or run "
            "`alignment ingest FILE --name NAME` on this machine."
        )
        _runs_of_deleted_datasets()
        return
    notice = read_only_notice()
    if notice:
        st.info(notice)
    st.dataframe(_datasets_frame(items), hide_index=True, width="stretch")
    by_name = {info.name: info for info in items}
    asked = st.session_state.get(CONFIRM_DELETE)
    if asked is not None and asked not in by_name:
        # Deleted by someone else while the question was open: drop it, or a dataset saved later under that
        # name would open with the question already asked.
        del st.session_state[CONFIRM_DELETE]
        st.info(md(f"{asked} was deleted from the workspace meanwhile, by another session or command."))
    if st.session_state.get(PICK) not in by_name:  # deleted meanwhile (maybe by someone else)
        active = state.active_dataset().workspace_name
        st.session_state[PICK] = active if active in by_name else items[0].name
    pick_col, load_col, delete_col = st.columns([3, 1.4, 1.4], vertical_alignment="bottom")
    name = pick_col.selectbox(
        "Saved dataset",
        list(by_name),
        key=PICK,
        format_func=lambda found: f"{found} · {by_name[found].reviews:,} reviews ({by_name[found].source})",
    )
    if load_col.button("Load and make active", key="ws_load", type="primary", width="stretch"):
        _load_dataset(by_name[name])
    if delete_col.button(
        "Delete…", key="ws_delete", width="stretch", help="Asks for confirmation first.", disabled=notice is not None
    ):
        st.session_state[CONFIRM_DELETE] = name
    if st.session_state.get(CONFIRM_DELETE) == name:
        _confirm_delete(by_name[name])
    _runs_of_deleted_datasets()


def _runs_of_deleted_datasets() -> None:
    """The saved runs of datasets since deleted: still there to open, compare and download."""
    try:
        runs = workspace_store.runs_of_deleted_datasets()
    except AlignmentError as exc:
        show_error(exc, busy_as_warning=True)
        return
    if not runs:
        return
    names = list(dict.fromkeys(run.dataset or "(no name)" for run in runs))
    with st.expander(f"Runs of deleted datasets ({len(runs)})"):
        st.caption("A deleted dataset's runs keep their claims, counts and verdicts; they can be opened here.")
        name = names[0] if len(names) == 1 else st.selectbox("Deleted dataset", names, key="deleted_runs_pick")
        _run_history(name, [run for run in runs if (run.dataset or "(no name)") == name])


def _datasets_frame(items: Sequence[DatasetInfo]) -> pd.DataFrame:
    here = {d.workspace_id: d.key for d in state.datasets().values() if d.workspace_id is not None}
    active = state.active_dataset().key
    return pd.DataFrame(
        [
            {
                "name": info.name,
                "reviews": info.reviews,
                "rows": info.rows,
                "sentences": info.sentences,
                "source file": info.source,
                "ingested (UTC)": info.created_at.strftime("%Y-%m-%d %H:%M"),
                "in your session": (
                    "active" if here.get(info.dataset_id) == active else "loaded" if info.dataset_id in here else ""
                ),
            }
            for info in items
        ]
    )


def _load_dataset(info: DatasetInfo) -> None:
    loaded = next((d for d in state.datasets().values() if d.workspace_id == info.dataset_id), None)
    if loaded is None:
        try:
            with st.spinner(f"Loading {info.name} from the workspace…"):
                loaded = workspace_store.load_dataset(info.name)
        except AlignmentError as exc:
            show_error(exc)
            return
        # An older copy of the same name (replaced in the workspace since) is dropped from the session.
        state.forget_workspace_dataset(info.name)
    state.add_dataset(loaded)
    state.tell(f"{info.name} is now the active dataset: {info.reviews:,} reviews from the workspace.", "success")
    st.rerun()


def _confirm_delete(info: DatasetInfo) -> None:
    with st.container(border=True):
        st.warning(
            f"Delete `{info.name}` ({info.reviews:,} reviews) from the workspace? Everyone using this workspace "
            "loses it. Its saved runs keep their counts and verdicts but no longer show their quotes."
        )
        yes, no, _ = st.columns([1.4, 1, 3])
        if yes.button("Yes, delete it", key="ws_delete_confirm", type="primary", width="stretch"):
            try:
                workspace_store.delete_dataset(info.name)
            except UnknownDatasetError:
                # Deleted meanwhile (by someone else): nothing left to confirm.
                st.session_state.pop(CONFIRM_DELETE, None)
                state.forget_workspace_dataset(info.name)
                state.tell(f"{info.name} was already deleted from the workspace.", "info")
                st.rerun()
            except AlignmentError as exc:
                show_error(exc)  # the confirmation stays open, to try again once the workspace is free
                return
            st.session_state.pop(CONFIRM_DELETE, None)
            state.forget_workspace_dataset(info.name)
            state.tell(f"Deleted {info.name} from the workspace.", "success")
            st.rerun()
        if no.button("Cancel", key="ws_delete_cancel", width="stretch"):
            st.session_state.pop(CONFIRM_DELETE, None)
            st.rerun()


# ----------------------------------------------------------------------------------- Gap dashboard


def render_runs(report: Report | None) -> None:
    """Save the current check as a run, and the run history of the active workspace dataset."""
    dataset = state.active_dataset()
    st.subheader("Saved runs")
    if dataset.workspace_name is None:
        st.info(
            "Runs are kept for datasets saved in the workspace. Save this dataset with **Save to workspace** on "
            "the Datasets page (or load a saved one there) to save checks and compare them over time."
        )
        return
    notice = read_only_notice()
    if notice:
        st.info(notice)
    if report is not None and report.claims and notice is None:
        _save_run(dataset, report)
    try:
        runs = workspace_store.list_runs(dataset.workspace_name)
    except AlignmentError as exc:
        show_error(exc, busy_as_warning=True)
        return
    _run_history(dataset.workspace_name, runs, writable=notice is None)


def _save_run(dataset: Dataset, report: Report) -> None:
    saved: dict[str, int] = st.session_state.setdefault(SAVED_RUNS, {})
    key = state.current_report_key()
    if st.session_state.pop(LABEL_USED, False):
        # The label named the run just saved: a later run starts with an empty box, not with that run's name.
        st.session_state["run_label"] = ""
    label_col, button_col = st.columns([4, 1.2], vertical_alignment="bottom")
    label = label_col.text_input(
        "Run label (optional)", key="run_label", max_chars=120, placeholder="e.g. headline v2, spring campaign"
    )
    clicked = button_col.button(
        "Save run",
        key="run_save",
        type="primary",
        width="stretch",
        disabled=key in saved,
        help="Keep these claims and their results on the whole dataset (the filters above do not apply).",
    )
    if clicked:
        try:
            run = workspace_store.save_run(
                dataset, report, label=label.strip() or None, embedder=resources.load_models().embedder.model_id
            )
        except AlignmentError as exc:
            show_error(exc)
            return
        saved[key] = run.run_id
        st.session_state[LABEL_USED] = True
        st.session_state[PICK_RUN] = run.run_id  # the history below offers the run just saved
        st.success(f"Saved as run {run.run_id} in the workspace (`alignment runs show {run.run_id}` shows it too).")
    elif key in saved:
        st.caption(f"This check is saved as run {saved[key]}. Change the claims or the settings to save another.")


def _run_history(name: str, runs: Sequence[RunInfo], writable: bool = True) -> None:
    st.markdown(f"**Run history of `{name}`**")
    if not runs:
        st.caption("No runs saved on this dataset yet.")
        return
    st.dataframe(
        _runs_frame(runs),
        hide_index=True,
        width="stretch",
        column_config={
            "at risk": st.column_config.NumberColumn(
                "at risk", help=f"{VERDICTS['contradicted'].symbol} contradicted or {VERDICTS['mixed'].symbol} mixed."
            )
        },
    )
    figure = contradiction_history(runs)
    if figure is not None:
        st.plotly_chart(figure, key="chart_run_history", theme=None, config={"displaylogo": False})
        st.caption(
            "Share of the sentences taking a side on each claim that contradict it, in each saved run, the runs "
            "named by their number and label in the order they were saved (claims are matched across runs by "
            "their wording). A gap in a line: that run did not check the claim, or found no sentence taking a side."
        )
        cut = cut_labels(figure)
        if cut:
            # The legend's names are short; a picture of the chart, or a phone without hover, needs them whole.
            st.caption(md("Legend names in full: " + "; ".join(f"“{shown}” = {full}" for shown, full in cut)))
    by_id = {run.run_id: run for run in runs}
    if len(runs) >= 2:
        _compare_two_runs(by_id)
    asked = st.session_state.get(CONFIRM_DELETE_RUN)
    if asked is not None and asked not in by_id:  # deleted by someone else while the question was open
        del st.session_state[CONFIRM_DELETE_RUN]
        st.info(f"Run {asked} was deleted from the workspace meanwhile, by another session or command.")
    if st.session_state.get(PICK_RUN) not in by_id:
        st.session_state[PICK_RUN] = runs[0].run_id
    pick_col, open_col, delete_col = st.columns([3, 1.2, 1.2], vertical_alignment="bottom")
    run_id = pick_col.selectbox("Saved run", list(by_id), key=PICK_RUN, format_func=lambda i: _run_title(by_id[i]))
    if open_col.button("Open run", key="run_open", width="stretch"):
        try:
            st.session_state[OPEN_RUN] = workspace_store.open_run(run_id)
        except AlignmentError as exc:
            show_error(exc)
    if delete_col.button(
        "Delete run…", key="run_delete", width="stretch", help="Asks for confirmation first.", disabled=not writable
    ):
        st.session_state[CONFIRM_DELETE_RUN] = run_id
    if st.session_state.get(CONFIRM_DELETE_RUN) == run_id:
        _confirm_delete_run(by_id[run_id])
    opened: tuple[RunInfo, Report] | None = st.session_state.get(OPEN_RUN)
    if opened is not None and opened[0].run_id in by_id:
        _show_run(*opened)


def _compare_two_runs(by_id: dict[int, RunInfo]) -> None:
    """Two saved runs side by side, claim by claim: what is newly at risk, what recovered."""
    ids = list(by_id)  # newest first
    for key, default in ((COMPARE_BEFORE, ids[1]), (COMPARE_AFTER, ids[0])):
        if st.session_state.get(key) not in by_id:
            st.session_state[key] = default
    with st.expander("Compare two runs", expanded=False):
        before_col, after_col = st.columns(2)
        before_id = before_col.selectbox(
            "Earlier run", ids, key=COMPARE_BEFORE, format_func=lambda i: _run_title(by_id[i])
        )
        after_id = after_col.selectbox("Later run", ids, key=COMPARE_AFTER, format_func=lambda i: _run_title(by_id[i]))
        if before_id == after_id:
            st.info("Pick two different runs to compare.")
            return
        comparison = compare_runs(by_id[before_id], by_id[after_id])
        st.markdown(f"**{summarize(comparison)}**")
        for note in comparison.notes:
            st.caption(f"⚠ {md(app_note(note))}")
        st.caption(
            "Claims are paired by their wording. At risk means contradicted or mixed. Alignment before and after "
            "(−1 to +1), and Δ: the later run's alignment minus the earlier one's (below 0: customers agree with "
            f"the claim less). {VERDICTS['supported'].symbol} and {VERDICTS['contradicted'].symbol}: the review "
            "sentences that support and contradict it in each run. Point at a header for its meaning."
        )
        frame = rounded_comparison(comparison.to_frame())  # as shown: a change of -0.001 is "+0.00", not "-0.00"
        rows = wrapped_rows(frame["claim"], COMPARE_CLAIM_CHARS)
        st.dataframe(
            frame.style.apply(_change_colours, axis=1),
            hide_index=True,
            width="stretch",
            # A claim one run did not check has no alignment or counts there: an empty cell says so, where
            # Streamlit draws "None" by default. The browser draws that word over any Styler na_rep, so it is
            # set here; the cells stay missing numbers, and the CSV below empty fields, as before.
            placeholder="",
            column_config=compare_columns(),
            row_height=rows.row_height,
            height=rows.height,
        )
        st.download_button(
            "⬇ Comparison (CSV)",
            data=to_safe_csv(rounded_comparison(comparison.to_frame(symbols=False))),
            file_name=f"alignment-runs-{before_id}-vs-{after_id}.csv",
            mime="text/csv",
            on_click="ignore",
            key="run_compare_csv",
        )


COMPARE_DECIMALS = 2  # the alignments' precision in the comparison table (format "%+.2f"), and so in its CSV


def rounded_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison with its alignments rounded to the precision the table shows them at."""
    return rounded_alignments(frame, COMPARE_DECIMALS)


# The Claims table's eleven columns fit the 940 px the page leaves at 1400 px with the sidebar open, as the
# comparison's do (below): fixed widths, counts under their stance's symbol, the claim wrapped.
CLAIM_CHARS = 30  # what one line of the claim column holds, words wrapped whole
COUNTS_NOTE = (
    f"{VERDICTS['supported'].symbol}, {VERDICTS['contradicted'].symbol} and –: the review sentences that support the "
    "claim, contradict it and mention it without taking a side."
)


def claims_columns(claim: str = "claim") -> dict[str, Any]:
    """The column configuration of a table of claims (the Gap dashboard's Claims table, an opened run's):
    widths, short labels, help and formats, for those of its columns the table has; ``claim`` names the
    column of the claim's text."""
    column = st.column_config
    symbols = {name: VERDICTS[name].symbol for name in ("supported", "contradicted")}
    return {
        "verdict": column.TextColumn("verdict", width=104),
        claim: column.TextColumn("claim", width=220),
        "aspect": column.TextColumn("aspect", width=110, help="The words of the claim that reviews are matched on."),
        "type": column.TextColumn("type", width=88),
        "mentions": column.NumberColumn("mentions", width=70, help="Review sentences that speak to the claim."),
        "supports": column.NumberColumn(symbols["supported"], width=48, help="Sentences that support it."),
        "contradicts": column.NumberColumn(symbols["contradicted"], width=48, help="Sentences that contradict it."),
        "neutral": column.NumberColumn("–", width=48, help="Sentences that mention it without taking a side."),
        "alignment": column.NumberColumn("alignment", format="%+.2f", width=76, help=ALIGNMENT_HELP),
        "interval_low": column.NumberColumn(
            "low", format="%+.2f", width=56, help="The low end of the alignment's 95% interval. " + INTERVAL_HELP
        ),
        "interval_high": column.NumberColumn(
            "high", format="%+.2f", width=56, help="The high end of the alignment's 95% interval. " + INTERVAL_HELP
        ),
    }


# The comparison's eleven columns fit the 900 px an expander leaves at 1400 px with the sidebar open: fixed
# widths (their sum is that width; a wider window shares out the rest), numbers under short headers whose help
# names them in full, and the claim wrapped in its column rather than cut.
COMPARE_CLAIM_CHARS = 22  # what one line of the claim column holds, words wrapped whole


def compare_columns() -> dict[str, Any]:
    """The column configuration of the "Compare two runs" table: widths, short labels, help and formats."""
    supported, contradicted = VERDICTS["supported"].symbol, VERDICTS["contradicted"].symbol
    column = st.column_config
    alignment = {
        "alignment before": ("before", "The claim's alignment in the earlier run. " + ALIGNMENT_HELP),
        "alignment after": ("after", "The claim's alignment in the later run. " + ALIGNMENT_HELP),
        "alignment change": ("Δ", "Alignment change: the later run's alignment minus the earlier one's."),
    }
    counts = {
        "supporting before": (f"{supported} before", "Sentences that support the claim in the earlier run."),
        "supporting after": (f"{supported} after", "Sentences that support the claim in the later run."),
        "contradicting before": (f"{contradicted} before", "Sentences that contradict the claim in the earlier run."),
        "contradicting after": (f"{contradicted} after", "Sentences that contradict the claim in the later run."),
    }
    return {
        "change": column.TextColumn("change", width=92),
        "claim": column.TextColumn("claim", width=172),
        "verdict before": column.TextColumn("verdict before", width=108, help="The verdict in the earlier run."),
        "verdict after": column.TextColumn("verdict after", width=108, help="The verdict in the later run."),
        **{
            name: column.NumberColumn(label, format="%+.2f", width=56, help=meaning)
            for name, (label, meaning) in alignment.items()
        },
        **{
            name: column.NumberColumn(label, format="%d", width=64 if name.endswith("before") else 60, help=meaning)
            for name, (label, meaning) in counts.items()
        },
    }


_CHANGE_COLOURS = {NOW_AT_RISK: "#fde2e1", NOW_CONTRADICTED: "#fde2e1", NO_LONGER_AT_RISK: "#e3f4e6"}


def _change_colours(row: pd.Series) -> list[str]:
    colour = _CHANGE_COLOURS.get(str(row["change"]))
    return [f"background-color: {colour}" if colour else ""] * len(row)


def _run_title(run: RunInfo) -> str:
    label = f" · {run.label}" if run.label else ""
    return f"Run {run.run_id}{label} · {run.finished_at:%Y-%m-%d %H:%M} UTC · {len(run.claims)} claims"


def _runs_frame(runs: Sequence[RunInfo]) -> pd.DataFrame:
    rows = []
    for run in runs:
        verdicts = [run_claim_verdict(claim) for claim in run.claims]
        config = run.config
        rows.append(
            {
                "run": run.run_id,
                "saved (UTC)": run.finished_at.strftime("%Y-%m-%d %H:%M"),
                "label": run.label or "",
                "claims": len(run.claims),
                "at risk": sum(1 for name in verdicts if name in AT_RISK),
                **{VERDICTS[name].label: verdicts.count(name) for name in VERDICT_ORDER},
                "settings": f"relevance ≥ {config.get('min_similarity', '?')}, evidence ≥ "
                f"{config.get('min_evidence', '?')}, {config.get('stance_model', '?')} judge",
            }
        )
    return pd.DataFrame(rows)


# The chart lives with the others in alignment.charts; this name is kept for the callers (and tests) that
# import it from here.
contradiction_history = plot_run_history


def _confirm_delete_run(run: RunInfo) -> None:
    with st.container(border=True):
        st.warning(f"Delete {md(_run_title(run))} from the workspace? Everyone using this workspace loses it.")
        yes, no, _ = st.columns([1.4, 1, 3])
        if yes.button("Yes, delete it", key="run_delete_confirm", type="primary", width="stretch"):
            try:
                workspace_store.delete_run(run.run_id)
            except UnknownRunError:
                # Deleted meanwhile (by someone else): nothing left to confirm.
                st.session_state.pop(CONFIRM_DELETE_RUN, None)
                state.tell(f"Run {run.run_id} was already deleted from the workspace.", "info")
                st.rerun()
            except AlignmentError as exc:
                show_error(exc)  # the confirmation stays open, to try again once the workspace is free
                return
            st.session_state.pop(CONFIRM_DELETE_RUN, None)
            saved: dict[str, int] = st.session_state.get(SAVED_RUNS, {})
            for key in [key for key, run_id in saved.items() if run_id == run.run_id]:
                del saved[key]
            state.tell(f"Deleted run {run.run_id}.", "success")
            st.rerun()
        if no.button("Cancel", key="run_delete_cancel", width="stretch"):
            st.session_state.pop(CONFIRM_DELETE_RUN, None)
            st.rerun()


def _show_run(run: RunInfo, opened: Report) -> None:
    report = opened.to_dict()
    config = report.get("config", {})
    with st.container(border=True):
        head, close = st.columns([5, 1], vertical_alignment="top")
        head.markdown(f"**{md(_run_title(run))}**")
        head.caption(
            f"On `{run.dataset}` · relevance threshold {config.get('min_similarity')} · minimum evidence "
            f"{config.get('min_evidence')} · {config.get('stance_model')} stance judge"
            + (" · weighed by star ratings" if report.get("rating_prior") else "")
        )
        close.button("Close run", key="run_close", on_click=lambda: st.session_state.pop(OPEN_RUN, None))
        for note in report.get("notes", ()):
            st.caption(md(app_note(note)))
        claims = report.get("claims", [])
        table = pd.DataFrame(
            [
                {
                    "verdict": verdict_label(run_claim_verdict(stored)),
                    "claim": item["text"],
                    "mentions": item["mentions"],
                    "supports": item["supports"],
                    "contradicts": item["contradicts"],
                    "neutral": item["neutral"],
                    "alignment": item["alignment"],
                }
                for item, stored in zip(claims, run.claims, strict=True)
            ],
            columns=["verdict", "claim", "mentions", "supports", "contradicts", "neutral", "alignment"],
        )
        configured = claims_columns()
        rows = wrapped_rows(table["claim"], CLAIM_CHARS)
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={name: configured[name] for name in table.columns},
            row_height=rows.row_height,
            height=rows.height,
        )
        st.caption(COUNTS_NOTE + " Point at a header for its meaning.")
        # Every match with its review's date, rating and segments, as the dashboard's evidence download gives
        # them, so a past run can be cut by month or channel as the live one can.
        evidence = opened.matches_frame()
        shown = [
            name for name in ("claim", "stance", "sentence", "review_id", "similarity", "amount") if name in evidence
        ]
        with st.expander(f"Evidence of run {run.run_id} ({len(evidence):,} sentences)"):
            st.dataframe(
                evidence[shown].rename(columns={"sentence": "quote"}), hide_index=True, width="stretch", height=320
            )
        json_col, csv_col, _ = st.columns([1, 1, 2])
        json_col.download_button(
            "⬇ Run report (JSON)",
            data=json.dumps(report, indent=2, ensure_ascii=False),
            file_name=f"alignment-run-{run.run_id}.json",
            mime="application/json",
            on_click="ignore",
            key="run_download_json",
        )
        csv_col.download_button(
            "⬇ Run evidence (CSV)",
            data=to_safe_csv(evidence),
            file_name=f"alignment-run-{run.run_id}-evidence.csv",
            mime="text/csv",
            on_click="ignore",
            key="run_download_csv",
        )
