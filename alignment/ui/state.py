"""Per-session state: the datasets a user loaded, the active one, the copy under review and the settings.

Everything a user brings lives in ``st.session_state`` only, so one session never sees another's data,
until the user saves a dataset to the workspace (shared; see alignment.ui.workspace_store).
Widget values that must survive a switch of page are mirrored into plain keys (Streamlit forgets the value
of a widget that a page run did not draw).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from alignment.config import Config
from alignment.errors import AlignmentError
from alignment.ingest import parse_ads_text
from alignment.records import Ad
from alignment.report import Report
from alignment.ui import resources
from alignment.ui.edits import ClaimRow, carry_over, kept_claims, not_carried_line, rows_from_claims
from alignment.ui.text import md
from alignment.ui.uploads import Dataset

DATASETS = "aln_datasets"
ACTIVE = "aln_active_dataset"
COPY = "aln_copy"  # the text in the copy box (mirrors the widget)
CHECKED_COPY = "aln_checked_copy"  # the copy whose claims are shown
ADS = "aln_ads"
ROWS = "aln_rows"
GENERATION = "aln_generation"  # bumped on every extraction, so per-claim widgets start fresh
LAST_SECONDS = "aln_last_seconds"
MESSAGE = "aln_message"  # an error or notice from a callback, shown on the next run
LEFT_OUT = "aln_left_out"  # the line saying how many claims of the checked copy were past the cap
NOT_CARRIED = "aln_not_carried"  # the line saying which edits could not be carried over to the checked copy
DEFAULTS: dict[str, Any] = {
    "min_similarity": Config().min_similarity,
    "min_evidence": Config().min_evidence,
    "rating_prior": Config().rating_prior,
    "quantities": Config().quantities,
    "relative_match": Config().relative_match,
}
STANCE_MODELS = ("bundled", "lexicon")


def init() -> None:
    """Give a new session the bundled demo dataset (active) and the demo copy with its claims."""
    state = st.session_state
    if DATASETS not in state:
        demo = resources.demo_dataset()
        state[DATASETS] = {demo.key: demo}
        state[ACTIVE] = demo.key
    if ROWS not in state:
        copy = resources.demo_ads_text()
        set_copy(copy, resources.extract(copy, config().max_claims))
        state[COPY] = copy


def set_copy(copy: str, claims: list[Any], carry_edits: bool = False) -> None:
    """Make ``copy`` the checked copy with these freshly extracted claims.

    With ``carry_edits`` (the copy checked again), the edits made to the claims shown so far carry over to the
    new ones (:func:`alignment.ui.edits.carry_over`): checking an edited draft must not silently undo a claim
    added by hand, dropped, reworded or checked from the possible claims. The edits that could not be carried
    over are said in one line (``NOT_CARRIED``) while this copy's claims are shown.
    """
    state = st.session_state
    state[CHECKED_COPY] = copy
    state.pop(LEFT_OUT, None)  # the caller says anew when this copy's claims were cut
    state.pop(NOT_CARRIED, None)
    ads = parse_ads_text(copy)
    state[ADS] = ads
    previous = state.get(ROWS) if carry_edits else None
    if previous:
        carried = carry_over(previous, ads, claims)
        state[ROWS] = carried.rows
        line = not_carried_line(carried.not_carried)
        if line:
            state[NOT_CARRIED] = line
    else:
        state[ROWS] = rows_from_claims(claims)
    state[GENERATION] = state.get(GENERATION, 0) + 1


def datasets() -> dict[str, Dataset]:
    """This session's datasets by key (the demo first)."""
    return st.session_state[DATASETS]  # type: ignore[no-any-return]


def active_dataset() -> Dataset:
    """The dataset every page checks against."""
    found = datasets().get(st.session_state.get(ACTIVE, ""))
    if found is None:  # the active one was removed: fall back to the first
        found = next(iter(datasets().values()))
        st.session_state[ACTIVE] = found.key
    return found


def add_dataset(dataset: Dataset, activate: bool = True) -> None:
    """Keep a validated dataset in this session, and make it active."""
    datasets()[dataset.key] = dataset
    if activate:
        st.session_state[ACTIVE] = dataset.key


def remove_dataset(key: str) -> None:
    """Forget an uploaded dataset (the demo cannot be removed)."""
    if len(datasets()) > 1 and datasets()[key].origin != "bundled demo":
        del datasets()[key]


def replace_dataset(old_key: str, dataset: Dataset) -> None:
    """Put ``dataset`` in place of the session's dataset ``old_key`` (e.g. an upload now saved to the
    workspace), keeping it active if the old one was."""
    found = datasets()
    was_active = st.session_state.get(ACTIVE) == old_key
    found[dataset.key] = dataset
    if old_key != dataset.key:
        found.pop(old_key, None)
    if was_active:
        st.session_state[ACTIVE] = dataset.key


def forget_workspace_dataset(name: str) -> None:
    """Drop from this session the datasets loaded from the workspace under ``name`` (it was deleted there)."""
    found = datasets()
    for key in [key for key, dataset in found.items() if dataset.workspace_name == name]:
        del found[key]


def ads() -> list[Ad]:
    """The ads of the checked copy."""
    return st.session_state[ADS]  # type: ignore[no-any-return]


def rows() -> list[ClaimRow]:
    """The claims of the checked copy, with the user's edits."""
    return st.session_state[ROWS]  # type: ignore[no-any-return]


def set_rows(new_ads: list[Ad], new_rows: list[ClaimRow]) -> None:
    """Store edited claims (and the copy rewritten by a rewording)."""
    from alignment.ui.edits import copy_text

    state = st.session_state
    state[ADS] = new_ads
    state[ROWS] = new_rows
    text = copy_text(new_ads)
    if text != state.get(CHECKED_COPY):
        state[CHECKED_COPY] = text
        state[COPY] = text
        state.pop("vet_copy_input", None)


def config() -> Config:
    """The settings chosen in the sidebar (defaults until changed)."""
    state = st.session_state
    return Config(
        min_similarity=float(state.get("aln_keep_set_min_similarity", DEFAULTS["min_similarity"])),
        min_evidence=int(state.get("aln_keep_set_min_evidence", DEFAULTS["min_evidence"])),
        stance_model=str(state.get("aln_keep_set_stance_model", "bundled")),
        rating_prior=bool(state.get("aln_keep_set_rating_prior", DEFAULTS["rating_prior"])),
        quantities=bool(state.get("aln_keep_set_quantities", DEFAULTS["quantities"])),
        relative_match=bool(state.get("aln_keep_set_relative_match", DEFAULTS["relative_match"])),
    )


def current_report() -> tuple[Report, float | None]:
    """The report of this session's claims on its active dataset under its settings, carrying the checked
    copy as read (``Report.ads``), as a report of :func:`alignment.check` does.

    Raises:
        AlignmentError: the check failed on the input.
    """
    return resources.get_report(kept_claims(rows()), active_dataset(), config(), ads())


def current_report_key() -> str:
    """The result-cache key of :func:`current_report` (the same claims, dataset and settings give the same key)."""
    return resources.report_key(kept_claims(rows()), active_dataset().key, config())


def keep(key: str, default: Any) -> Callable[[], None]:
    """Seed a widget's key from its mirror (or ``default``); return the on_change that updates the mirror."""
    mirror = f"aln_keep_{key}"
    state = st.session_state
    if key not in state:
        state[key] = state.get(mirror, default)

    def remember() -> None:
        st.session_state[mirror] = st.session_state[key]

    return remember


def remembered(key: str, default: Any) -> tuple[Any, Callable[[], None]]:
    """For a widget given its value by argument rather than through its key: the value it last had (its
    mirror, or ``default``) and the on_change that updates the mirror.

    A range ``st.select_slider`` must be drawn this way: Streamlit learns that it is a range from its ``value``
    argument only, and without one reads every move of the user's back as a single value (so the range
    snapped back to its default).
    """
    mirror = f"aln_keep_{key}"

    def remember() -> None:
        st.session_state[mirror] = st.session_state[key]

    return st.session_state.get(mirror, default), remember


def tell(message: str, kind: str = "error") -> None:
    """Leave a message for the next run (callbacks cannot draw where the page expects)."""
    st.session_state[MESSAGE] = (kind, message)


def show_message() -> None:
    """Show and clear the message a callback left."""
    found = st.session_state.pop(MESSAGE, None)
    if found:
        kind, message = found
        # Messages are plain text that may hold a file name or a claim: shown literally, never as Markdown.
        {"error": st.error, "warning": st.warning, "success": st.success}.get(kind, st.info)(md(message))


def guarded(action: Callable[[], None]) -> Callable[[], None]:
    """Wrap a callback so an AlignmentError becomes a message instead of a traceback."""

    def run() -> None:
        try:
            action()
        except AlignmentError as exc:
            tell(str(exc))

    return run
