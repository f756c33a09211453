"""Pieces every page shares: page setup, the sidebar (active dataset and settings) and small displays."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import streamlit as st

from alignment.charts import ALIGNMENT_HELP, AT_RISK, VERDICT_ORDER, VERDICTS, verdict
from alignment.report import Report
from alignment.ui import state
from alignment.ui.notes import app_note
from alignment.ui.text import CSS, md
from alignment.ui.uploads import Dataset

# Notes shown in full above the results; the rest fold into an expander. One: on the demo two notes alone
# (relative matching, star ratings) push the dashboard's filters down to the fold of a 900 px window.
NOTES_IN_FULL = 1


def page_setup() -> None:
    """Styles and session defaults; every page calls this first."""
    st.html(CSS)
    state.init()


def switch_keeping_address(page: Any) -> None:
    """Go to ``page`` with the query parameters of this address (every value of each): a link to a page
    that hands over to another (/dashboard to the dashboard) keeps the filters it carries."""
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    st.switch_page(page, query_params=params)


def render_sidebar(datasets_page: Any = None) -> None:
    """The active dataset (with a link to the Datasets page) and the check settings, on every page."""
    state.init()
    with st.sidebar:
        dataset = state.active_dataset()
        summary = dataset.review_set.summary
        st.markdown(
            f"**Active dataset**  \n{md(dataset.name)}  \n{summary.reviews:,} reviews · {summary.sentences:,} sentences"
        )
        if datasets_page is not None:
            st.page_link(datasets_page, label="Change or upload a dataset", icon=":material/table_view:")
        with st.expander("Check settings", expanded=False):
            st.slider(
                "Relevance threshold (cosine similarity)",
                min_value=0.25,
                max_value=0.75,
                step=0.01,
                key="set_min_similarity",
                on_change=state.keep("set_min_similarity", state.DEFAULTS["min_similarity"]),
                help="A review sentence counts as speaking to a claim when its meaning is at least this close "
                "(cosine similarity of sentence embeddings, 0 to 1). Higher: fewer, more on-topic quotes.",
            )
            st.number_input(
                "Minimum evidence (mentions that take a side)",
                min_value=1,
                max_value=100,
                step=1,
                key="set_min_evidence",
                on_change=state.keep("set_min_evidence", state.DEFAULTS["min_evidence"]),
                help="Below this many supporting plus contradicting sentences a claim is 'unproven'.",
            )
            st.selectbox(
                "Stance judge",
                state.STANCE_MODELS,
                key="set_stance_model",
                on_change=state.keep("set_stance_model", "bundled"),
                format_func=lambda name: {
                    "bundled": "bundled model (trained, recommended)",
                    "lexicon": "VADER lexicon (baseline)",
                }[name],
                help="How each matched sentence is judged as supporting, contradicting or neutral.",
            )
            st.checkbox(
                "Weigh stance by star ratings",
                key="set_rating_prior",
                on_change=state.keep("set_rating_prior", state.DEFAULTS["rating_prior"]),
                help="When the dataset has a rating column, a sentence whose text leaves its side unclear leans "
                "the way its review's rating does, as strongly as this dataset's ratings agree with its "
                "sentences (fitted on each check); and the words are also read the way this dataset's "
                "low- and high-rated reviews use them. Off: each sentence is read from its words alone.",
            )
            st.checkbox(
                "Read amounts against promised quantities",
                key="set_quantities",
                on_change=state.keep("set_quantities", state.DEFAULTS["quantities"]),
                help="When a claim binds an amount (“delivered in 30 minutes or less”, “lasts 40 hours”), a "
                "sentence that reports one of the same kind (“took 75 minutes”) takes its side from the "
                "comparison, whatever its tone. Off: the stance model reads every sentence.",
            )
            st.checkbox(
                "Match abstract claims relative to the dataset",
                key="set_relative_match",
                on_change=state.keep("set_relative_match", state.DEFAULTS["relative_match"]),
                help="A claim worded abstractly (“Real people on the phone, day or night”) sits far from every "
                "review sentence, the ones about it too. On: such a claim also matches, down to 0.10 under the "
                "relevance threshold, the sentences that stand well above its usual similarity in this "
                "dataset (the report's notes name it), while the threshold is at its default 0.30 or under: one "
                "raised for stricter evidence is held as given. Off: every claim matches at the threshold alone.",
            )
        st.caption(ALIGNMENT_HELP)


def verdict_counts(report: Report) -> Counter[str]:
    """How many claims have each verdict."""
    return Counter(verdict(result.score) for result in report.claims)


def at_risk_line(report: Report) -> str:
    """One sentence: how many claims are at risk and why."""
    counts = verdict_counts(report)
    risky = sum(counts[name] for name in AT_RISK)
    parts = [f"{counts[name]} {VERDICTS[name].label}" for name in VERDICT_ORDER if counts[name]]
    return f"{risky} of {len(report.claims)} claims at risk · " + " · ".join(parts)


def dataset_caption(dataset: Dataset) -> str:
    """The active dataset in one line, for page captions."""
    summary = dataset.review_set.summary
    dates = sorted(r.date for r in dataset.review_set.reviews if r.date)
    span = f", {dates[0]} to {dates[-1]}" if dates else ""
    return f"**{md(dataset.name)}** ({summary.reviews:,} reviews, {summary.sentences:,} sentences{span})"


def show_notes(notes: Sequence[str]) -> None:
    """The check's notes, worded for the app and shown literally: the first in full, the rest folded into an
    expander, so that the results are not pushed out of view."""
    worded = [md(app_note(note)) for note in notes]
    for note in worded[:NOTES_IN_FULL]:
        st.info(note)
    folded = worded[NOTES_IN_FULL:]
    if folded:
        with st.expander(f"{len(folded)} more note{'s' if len(folded) != 1 else ''} on this check"):
            for note in folded:
                st.info(note)
