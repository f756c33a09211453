"""Per-session state: the datasets a user loaded, the active one, the copy under review and the settings.

Everything a user brings lives in ``st.session_state`` only, so one session never sees another's data,
until the user saves a dataset to the workspace (shared; see alignment.ui.workspace_store). The Vet copy draft
is kept there too, but under a random id that only this session's page address holds (``?draft=...``): each
check and claim edit keeps the copy, its claims and the active dataset's name (alignment.ui.drafts), and a
session opened at that address (a reload, a bookmark, the app restarted) opens on it, while a session opened
without it starts from the example, so no session opens on another's draft.
Widget values that must survive a switch of page are mirrored into plain keys (Streamlit forgets the value
of a widget that a page run did not draw).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

from alignment.config import Config
from alignment.errors import AlignmentError
from alignment.ingest import parse_ads_text
from alignment.records import Ad
from alignment.report import Report
from alignment.ui import resources, workspace_store
from alignment.ui.drafts import Draft, DraftDataset, is_draft_id, new_draft_id
from alignment.ui.edits import ClaimRow, carry_over, kept_claims, not_carried_line, rows_from_claims
from alignment.ui.text import md
from alignment.ui.uploads import Dataset
from alignment.workspace import UnknownDatasetError

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
RESTORED = "aln_restored"  # the draft this session opened on (a Restored), said on Vet copy until the next check
DRAFT_UNREADABLE = "aln_draft_unreadable"  # why the kept draft could not be read back (said once, on Vet copy)
DRAFT_NOT_KEPT = "aln_draft_not_kept"  # why the last check or edit could not be kept as the draft
DRAFT_ID = "aln_draft_id"  # the id this session keeps its draft under, and holds in the page's address
DRAFT_PARAM = "draft"  # the query parameter of the page's address that holds DRAFT_ID
DEMO_ORIGIN = "bundled demo"
DEFAULTS: dict[str, Any] = {
    "min_similarity": Config().min_similarity,
    "min_evidence": Config().min_evidence,
    "rating_prior": Config().rating_prior,
    "quantities": Config().quantities,
    "relative_match": Config().relative_match,
}
STANCE_MODELS = ("bundled", "lexicon")


@dataclass(frozen=True, slots=True)
class Restored:
    """The kept draft a new session opened on: when it was checked last (UTC, naive), and the line saying its
    dataset could not be had (an unsaved upload, a deleted workspace dataset), or None."""

    saved_at: datetime
    dataset_note: str | None = None


def init() -> None:
    """Give a new session the bundled demo dataset (active), then the draft kept under the id in the page's
    address when there is one (:func:`restore_draft`), else the demo copy with its claims; and, on every run,
    put this session's draft id in the page's address (:func:`keep_draft_address`)."""
    state = st.session_state
    if DATASETS not in state:
        demo = resources.demo_dataset()
        state[DATASETS] = {demo.key: demo}
        state[ACTIVE] = demo.key
    if DRAFT_ID not in state:
        given = st.query_params.get(DRAFT_PARAM)
        # An id of another shape (typed, cut short) or one with no draft kept under it just starts afresh;
        # a well-shaped one is kept, so a reload before the first check keeps the address the tab already had.
        state[DRAFT_ID] = given if is_draft_id(given) else new_draft_id()
        if ROWS not in state and is_draft_id(given):
            restore_draft(state[DRAFT_ID])
    if ROWS not in state:
        copy = resources.demo_ads_text()
        set_copy(copy, resources.extract(copy, config().max_claims))
        state[COPY] = copy
    keep_draft_address()


def keep_draft_address() -> None:
    """Put this session's draft id in the page's address, unless it is there already. Called on every run of
    every page: Streamlit drops the query parameters when the user moves to another page, and a reload there
    must still find the draft."""
    draft_id = _draft_id()
    if st.query_params.get(DRAFT_PARAM) != draft_id:
        st.query_params[DRAFT_PARAM] = draft_id


def start_new_draft() -> None:
    """Give this session a fresh draft id (said in the page's address on the next run): the draft kept so far
    stays in the workspace, reachable by its old address, and this session no longer writes over it."""
    st.session_state[DRAFT_ID] = new_draft_id()
    st.session_state.pop(RESTORED, None)


def _draft_id() -> str:
    """This session's draft id; made here for a session that never ran init() (a page drawn on its own)."""
    state = st.session_state
    if DRAFT_ID not in state:
        state[DRAFT_ID] = new_draft_id()
    return str(state[DRAFT_ID])


def restore_draft(draft_id: str) -> bool:
    """Open this (new) session on the draft kept in the workspace under ``draft_id``: its copy, its claims with
    their edits, and its dataset made active; True when there was one. The claims are restored as they were
    shown, and checked again on the page like any others (from the result cache when the server has them).

    A draft that cannot be read back is said in one line (``DRAFT_UNREADABLE``), and False returned so the
    session opens on the example copy; a dataset that cannot be had is said in one line and the demo used.
    """
    state = st.session_state
    try:
        saved = workspace_store.load_draft(draft_id)
    except AlignmentError as exc:
        state[DRAFT_UNREADABLE] = f"This page's draft could not be read back, so the example is shown: {_line(exc)}"
        return False
    if saved is None:
        return False
    draft = saved.draft
    note = _activate_draft_dataset(draft.dataset)
    state[CHECKED_COPY] = draft.checked
    state[ADS] = list(draft.ads)
    state[ROWS] = list(draft.rows)
    state[COPY] = draft.box
    if draft.left_out:
        state[LEFT_OUT] = draft.left_out
    state[GENERATION] = state.get(GENERATION, 0) + 1
    state[RESTORED] = Restored(saved_at=saved.saved_at, dataset_note=note)
    return True


def _activate_draft_dataset(dataset: DraftDataset) -> str | None:
    """Make the draft's dataset active when it can be had; else the line that says why the demo is used."""
    if dataset.kind == "demo":
        return None
    demo = active_dataset().name
    if dataset.kind == "upload":
        # An upload lives only in the session it was made in; that session is gone.
        return (
            f"The draft was checked against {dataset.name}, an upload that was not saved to the workspace, so it "
            f"is checked against {demo} now. Upload it again on Datasets to check it there."
        )
    try:
        add_dataset(workspace_store.load_dataset(dataset.name))
    except UnknownDatasetError:
        return (
            f"The draft was checked against the workspace dataset {dataset.name}, which is no longer in the "
            f"workspace, so it is checked against {demo} now."
        )
    except AlignmentError as exc:
        return (
            f"The draft was checked against the workspace dataset {dataset.name}, which could not be loaded "
            f"({_line(exc)}), so it is checked against {demo} now."
        )
    return None


def save_draft() -> None:
    """Keep this session's copy, claims (with their edits) and active dataset in the workspace as the draft of
    this session's id, in place of the one kept under it before. Called after each check and claim edit; when
    the workspace cannot be written, the page says so in one line and goes on."""
    state = st.session_state
    checked = state.get(CHECKED_COPY) or ""
    draft = Draft(
        box=state.get(COPY) or checked,
        checked=checked,
        ads=tuple(ads()),
        rows=tuple(rows()),
        # A session that never ran init() (a page drawn on its own) checks against the demo, as init would make it.
        dataset=_draft_dataset(active_dataset()) if state.get(DATASETS) else DraftDataset("demo", resources.DEMO_NAME),
        left_out=state.get(LEFT_OUT),
    )
    state.pop(RESTORED, None)  # the page now shows this session's own check, not the draft it opened on
    try:
        workspace_store.save_draft(_draft_id(), draft)
    except AlignmentError as exc:
        state[DRAFT_NOT_KEPT] = f"This draft is not kept for a reload of the page: {_line(exc)}"
        return
    state.pop(DRAFT_NOT_KEPT, None)


def _draft_dataset(dataset: Dataset) -> DraftDataset:
    if dataset.workspace_name is not None:
        return DraftDataset(kind="workspace", name=dataset.workspace_name)
    if dataset.origin == DEMO_ORIGIN:
        return DraftDataset(kind="demo", name=dataset.name)
    return DraftDataset(kind="upload", name=dataset.name)


def _line(exc: BaseException) -> str:
    """An error's message as one line (a notice on the page is one line)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
    if len(datasets()) > 1 and datasets()[key].origin != DEMO_ORIGIN:
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
