"""Vet copy: paste or upload draft ad copy, see each claim's verdict inline and on a card, edit and re-check."""

from __future__ import annotations

import contextlib
import functools
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from alignment.charts import AT_RISK, INTERVAL_HELP, VERDICT_ORDER, VERDICTS, dataset_overview, top_quotes, verdict
from alignment.errors import AlignmentError, InputError
from alignment.pipeline import NO_CLAIMS_NOTE, claim_key, copy_language_note, distinct_claims
from alignment.records import ClaimResult, ClaimScore, PossibleClaim
from alignment.report import Report
from alignment.ui import common, edits, resources, state
from alignment.ui.text import (
    card_head,
    counts_line,
    esc,
    highlight_copy,
    interval_bar,
    legend,
    md,
    quotes_html,
    third_party_note,
)
from alignment.ui.uploads import COPY_TYPES, read_copy_upload

COPY_INPUT = "vet_copy_input"
PENDING = "aln_pending_copy"
FRESH = "aln_pending_fresh"  # the copy queued is the example: its claims start fresh, without the edits made so far
EMPTY_CHECK = "aln_empty_check"  # "Check copy" was pressed on an empty box: say so by the button
# (file name, why it was not read) of the copy file in the uploader that could not be used (empty, not text):
# said by the uploader until another file replaces it or it is removed.
UPLOAD_PROBLEM = "aln_upload_problem"
QUOTES = 3
POSSIBLE_SHOWN = 8  # possible claims listed at most, the most probable first


def render() -> None:
    """Draw the Vet copy page."""
    common.page_setup()
    st.title("Vet copy")
    dataset = state.active_dataset()
    st.caption(
        "Paste draft ad copy (separate ads with a blank line) or upload a .txt, .md, .html or .docx file. Each "
        f"claim is checked against what customers say in {common.dataset_caption(dataset)}."
    )
    state.show_message()
    _extract_pending()
    _draft_lines()
    language = copy_language_note(state.ads())
    if language:
        st.warning(md(language))
    try:
        report, seconds = state.current_report()
    except AlignmentError as exc:
        st.error(md(str(exc)))
        report, seconds = None, None
    # Results shown under a copy file that could not be read are not that file's: marked as the last copy's.
    stale = copy_changed() or UPLOAD_PROBLEM in st.session_state
    if report is not None:
        _risk_summary(report, seconds, stale)
    left, right = st.columns([2, 3], gap="large")
    with left:
        _copy_input()
    with right:
        _highlighted_copy(report, stale)
    if report is None:
        return
    _claim_cards(report)
    _possible_claims()
    _add_and_dropped()


# ------------------------------------------------------------------------------------------ input


def _copy_input() -> None:
    st.subheader("Your copy")
    state_ = st.session_state
    if COPY_INPUT not in state_:
        state_[COPY_INPUT] = state_.get(state.COPY, "")
    st.text_area(
        "Ad copy",
        key=COPY_INPUT,
        height=260,
        on_change=_remember_copy,
        placeholder="Paste your draft here. Separate ads with a blank line.",
        label_visibility="collapsed",
    )
    st.file_uploader(
        "…or upload the copy (.txt, .md, .html, .docx)",
        type=list(COPY_TYPES),
        key="vet_upload",
        on_change=_load_uploaded_copy,
        help="A Word file is read paragraph by paragraph; each paragraph is one ad.",
    )
    problem = state_.get(UPLOAD_PROBLEM)
    if problem:
        # By the uploader that still lists the file, for as long as it does: a line at the top of the page,
        # gone on the next rerun, left the old results looking like the file's.
        st.error(md(problem[1]))
    first, second = st.columns(2)
    first.button("Check copy", type="primary", on_click=_request_check, width="stretch", key="vet_check")
    second.button("Load the example copy", on_click=_load_example, width="stretch", key="vet_example")
    # Said here, under the button that was pressed, not at the top of the page where it is out of view.
    if state_.pop(EMPTY_CHECK, False):
        st.warning(
            "The copy is empty: nothing was checked. Paste some ad copy or upload a file, then press **Check copy**."
        )
    elif copy_changed():
        st.info("The copy has changed since the last check. Press **Check copy** to find and check its claims.")
    not_carried = state_.get(state.NOT_CARRIED)
    if not_carried:
        # Said by the button that checked the copy: the user's edits were carried over, except these.
        st.caption(md(f"Your edits were carried over to this check, except: {not_carried}"))


def copy_changed() -> bool:
    """Whether the text in the copy box differs from the copy whose results are shown."""
    return _text_in_box().strip() != (st.session_state.get(state.CHECKED_COPY) or "").strip()


def _text_in_box() -> str:
    """The text in the copy box. Before the box is drawn on a run (back from another page, Streamlit has
    forgotten the widget's value), it is the mirror the box is filled from."""
    state_ = st.session_state
    return state_.get(COPY_INPUT, state_.get(state.COPY)) or ""


def _remember_copy() -> None:
    st.session_state[state.COPY] = st.session_state[COPY_INPUT]


def _request_check() -> None:
    text = (st.session_state.get(COPY_INPUT) or "").strip()
    if not text:
        st.session_state[EMPTY_CHECK] = True
        return
    st.session_state[state.COPY] = text
    st.session_state[PENDING] = text


def _load_example() -> None:
    # The example is a start afresh, not a new draft of the copy under review: the edits made so far go.
    text = resources.demo_ads_text()
    st.session_state[COPY_INPUT] = text
    st.session_state[state.COPY] = text
    st.session_state[PENDING] = text
    st.session_state[FRESH] = True


def _start_from_the_example() -> None:
    # A new draft, not the restored one overwritten: the old one stays reachable by the address it was opened at.
    state.start_new_draft()
    _load_example()


def _load_uploaded_copy() -> None:
    uploaded = st.session_state.get("vet_upload")
    take_upload(None if uploaded is None else uploaded.getvalue(), None if uploaded is None else uploaded.name)


def take_upload(data: bytes | None, filename: str | None) -> None:
    """Load a copy file put in the uploader (None: the file was removed), or remember why it could not be
    (empty, not text, another type) to say by the uploader; the copy in the box is then left as it was."""
    st.session_state.pop(UPLOAD_PROBLEM, None)
    if data is None or filename is None:
        return
    try:
        load_copy_file(data, filename)
    except AlignmentError as exc:
        st.session_state[UPLOAD_PROBLEM] = (filename, str(exc))


def load_copy_file(data: bytes, filename: str) -> str:
    """Put an uploaded file's copy in the copy box and queue a check; returns the text.

    Raises:
        InputError: the file is of another type, damaged or empty.
    """
    text = read_copy_upload(data, filename)
    st.session_state[COPY_INPUT] = text
    st.session_state[state.COPY] = text
    st.session_state[PENDING] = text
    return text


def _extract_pending() -> None:
    text = st.session_state.pop(PENDING, None)
    fresh = st.session_state.pop(FRESH, False)
    if text is None:
        return
    max_claims = state.config().max_claims
    with st.spinner("Finding the claims in your copy…"):
        try:
            claims = resources.extract(text, max_claims)
            left_out, exact = resources.claims_left_out(text, max_claims) if len(claims) >= max_claims else (0, True)
        except AlignmentError as exc:
            st.error(md(str(exc)))
            return
    # A draft checked again (typed, pasted or uploaded) keeps the edits made to the claims shown so far.
    state.set_copy(text, claims, carry_edits=not fresh)
    if left_out:
        st.session_state[state.LEFT_OUT] = left_out_line(max_claims, left_out, exact, claims[-1].ad_id)
    state.save_draft()


def _draft_lines() -> None:
    """Say, in a line each, that the page opened on the draft kept under its address (with a way to start
    afresh from the example), that the kept draft could not be read back, or that this one cannot be kept."""
    state_ = st.session_state
    unreadable = state_.pop(state.DRAFT_UNREADABLE, None)
    if unreadable:
        st.warning(md(unreadable))
    restored: state.Restored | None = state_.get(state.RESTORED)
    if restored is not None:
        if restored.dataset_note:
            st.warning(md(restored.dataset_note))
        # The button under the line, not beside it: at 800 px a column beside it would cut the label short.
        st.caption(
            f"Restored your draft from this page's address, last checked at {checked_at_text(restored.saved_at)}; "
            "bookmark the address to come back to it."
        )
        st.button("Start from the example", on_click=_start_from_the_example, key="vet_draft_example")
    not_kept = state_.get(state.DRAFT_NOT_KEPT)
    if not_kept:
        st.caption(md(not_kept))


def checked_at_text(saved_at: datetime, timezone: str | None = None) -> str:
    """When a draft was saved (UTC, naive), as the reader's clock shows it: "14:05 on 3 Dec 2026" in the
    browser's time zone when it is known, else in UTC, said so."""
    if timezone is None:
        timezone = st.context.timezone
    moment = saved_at.replace(tzinfo=UTC)
    zone = "UTC"
    # A zone this machine does not know leaves the time in UTC, said so.
    with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
        if timezone:
            moment, zone = moment.astimezone(ZoneInfo(timezone)), ""
    text = f"{moment:%H:%M} on {moment.day} {moment:%b %Y}"
    return f"{text} {zone}".rstrip()


def nothing_checked_line(rows: list[edits.ClaimRow]) -> str:
    """Why a check of the copy holds no claim, and what to do: said on every run while it is so, not only on
    the run that read the copy."""
    dropped = sum(1 for row in rows if not row.keep)
    if dropped:
        claims = "claim of this copy is" if dropped == 1 else f"{dropped} claims of this copy are"
        return (
            f"Nothing was checked: the {claims} dropped. Restore one under **Dropped claims**, or add a claim "
            "by hand below."
        )
    return (
        "No checkable claims were found in this copy (calls to action, prices and slogans are skipped). "
        "Add a claim by hand below to check it anyway."
    )


def left_out_line(max_claims: int, left_out: int, exact: bool, last_ad_id: str) -> str:
    """The one line that says the claim cap cut the copy: how many claims were left out, and from which ad."""
    count = f"{left_out:,}" if exact else f"at least {left_out:,}"
    ad = f"Ad {last_ad_id[2:]}" if last_ad_id.startswith("ad") and last_ad_id[2:].isdigit() else last_ad_id
    claims = "claim was" if left_out == 1 else "claims were"
    return (
        f"Only the first {max_claims:,} claims of this copy were checked (the most one check takes): {count} more "
        f"{claims} left out, from {ad} on. Check the rest as a copy of its own."
    )


# ------------------------------------------------------------------------------------------ summary


def _risk_summary(report: Report, seconds: float | None, stale: bool) -> None:
    counts = common.verdict_counts(report)
    risky = [r for r in report.claims if verdict(r.score) in AT_RISK]
    with st.container(border=True):
        st.subheader("Claims at risk")
        problem = st.session_state.get(UPLOAD_PROBLEM)
        if stale and problem and not copy_changed():
            st.warning(
                "These results are for the copy checked last (shown under **Claims in the copy checked last**), "
                f"not for {md(problem[0])}: nothing in that file was checked."
            )
        elif stale and not _text_in_box().strip():
            # The box emptied: there is nothing to press Check copy for (the button says so by itself).
            st.warning(
                "These results are for the copy checked last (shown under **Claims in the copy checked last**); "
                "the copy box is now empty."
            )
        elif stale:
            st.warning(
                "These results are for the copy checked last (shown under **Claims in the copy checked last**), "
                "not for the text in the box now. Press **Check copy** to check that."
            )
        left_out = st.session_state.get(state.LEFT_OUT)
        if left_out:
            st.warning(left_out)
        columns = st.columns(5)
        columns[0].metric(
            "At risk", f"{len(risky)} of {len(report.claims)}", help="Claims customers contradict or are split on."
        )
        for column, name in zip(columns[1:], VERDICT_ORDER, strict=True):
            style = VERDICTS[name]
            column.metric(f"{style.symbol} {style.label.capitalize()}", counts.get(name, 0), help=style.meaning)
        if risky:
            risky.sort(key=lambda r: (VERDICT_ORDER.index(verdict(r.score)), r.score.alignment or 0.0))
            # The same promise repeated across ads has the same evidence: one line, saying how often it recurs.
            repeated = Counter(claim_key(r) for r in risky)
            lines = []
            for result in distinct_claims(risky):
                key = claim_key(result)
                style = VERDICTS[verdict(result.score)]
                score = result.score
                times = f" (×{repeated[key]} in the copy)" if repeated[key] > 1 else ""
                lines.append(
                    f'<div class="aln-risk-line"><b style="color:{style.colour}">{style.symbol} {style.label}</b> · '
                    f"“{esc(result.claim.text)}”{times} · {score.contradicts} of {score.supports + score.contradicts} "
                    f"mentions that take a side contradict it ({_share(score.contradicts, score)})</div>"
                )
            st.html("".join(lines))
        elif report.claims and not counts.get("supported", 0):
            # Nothing at risk because nothing could be judged is no all-clear: said neutrally, not in green.
            unproven = len(report.claims)
            them = "it" if unproven == 1 else "them"
            st.info(f"No claim could be judged: the reviews say too little about {them} ({unproven} unproven).")
        elif report.claims and copy_language_note(state.ads()):
            # The claims of copy in another language are unreliable (said above): no green all-clear for them.
            st.info("No claim is contradicted or disputed, but the copy does not read as English (above).")
        elif report.claims:
            st.success("No claim is contradicted or disputed by the reviews.")
        else:
            st.warning(nothing_checked_line(state.rows()))
        timing = "from the cache" if seconds is None else f"in {seconds:.1f} s"
        st.caption(
            f"{len(report.claims)} claim{'s' if len(report.claims) != 1 else ''} checked against "
            f"{report.dataset.sentences:,} review sentences ({timing})."
        )
        # The page has said so above, with what to do about it.
        common.show_notes([note for note in report.notes if note != NO_CLAIMS_NOTE])


def _share(part: int, score: ClaimScore) -> str:
    decided = score.supports + score.contradicts
    return f"{part / decided:.0%}" if decided else "n/a"


def _highlighted_copy(report: Report | None, stale: bool) -> None:
    st.subheader("Claims in the copy checked last" if stale else "Claims in the copy")
    rows = state.rows()
    if report is None:
        st.info("The claims will show here once the check works.")
        return
    results = {r.claim.claim_id: r for r in report.claims}
    counts = common.verdict_counts(report)
    st.html(legend(counts))
    st.html(highlight_copy(state.ads(), rows, results))
    added = [row for row in rows if row.origin == "added" and row.keep and row.claim.claim_id in results]
    if added:
        items = "".join(
            f'<li><mark class="aln-claim aln-v-{VERDICTS[verdict(results[r.claim.claim_id].score)].label}" '
            f'style="background:{VERDICTS[verdict(results[r.claim.claim_id].score)].tint}">{esc(r.claim.text)}</mark> '
            f"{VERDICTS[verdict(results[r.claim.claim_id].score)].symbol} "
            f"{VERDICTS[verdict(results[r.claim.claim_id].score)].label}</li>"
            for r in added
        )
        st.html(f'<div class="aln-copy"><div class="aln-ad-label">Added by hand</div><ul>{items}</ul></div>')
    st.caption("Hover a highlighted claim for its numbers. Edit the wording on its card below.")


# ------------------------------------------------------------------------------------------ cards


def _claim_cards(report: Report) -> None:
    if not report.claims:
        return
    st.subheader("Evidence per claim")
    order = st.radio(
        "Order",
        ["Most at risk first", "As in the copy"],
        horizontal=True,
        key="vet_order",
        label_visibility="collapsed",
    )
    results = list(report.claims)
    if order == "Most at risk first":
        results.sort(key=lambda r: (VERDICT_ORDER.index(verdict(r.score)), r.score.alignment or 0.0))
    rows = {row.claim.claim_id: row for row in state.rows()}
    rating_max = dataset_overview(state.active_dataset().review_set).scale_max
    generation = st.session_state.get(state.GENERATION, 0)
    for result in results:
        _card(report, result, rows.get(result.claim.claim_id), rating_max, generation)


def _card(report: Report, result: ClaimResult, row: edits.ClaimRow | None, rating_max: float | None, gen: int) -> None:
    claim_id = result.claim.claim_id
    with st.container(border=True, key=f"card_{claim_id}"):
        award = third_party_note(result.claim.text)
        note = f'<div class="aln-reason">{esc(award)}</div>' if award else ""
        st.html(card_head(result, row) + note + interval_bar(result, report.config.min_evidence) + counts_line(result))
        against, backing = st.columns(2, gap="medium")
        with against:
            st.markdown("**Strongest contradicting quotes**")
            st.html(
                quotes_html(
                    result.claim.text, top_quotes(report, result, "contradicts", QUOTES), "contradicts", rating_max
                )
            )
        with backing:
            st.markdown("**Strongest supporting quotes**")
            st.html(
                quotes_html(result.claim.text, top_quotes(report, result, "supports", QUOTES), "supports", rating_max)
            )
        # A form, so that Enter in the box re-checks, as the box's own hint ("Press Enter to submit form") says:
        # Enter presses its first button, the re-check.
        with st.expander("✎ Reword or drop this claim"), st.form(f"reword_form_{gen}_{claim_id}", border=False):
            key = f"reword_{gen}_{claim_id}"
            if key not in st.session_state:
                st.session_state[key] = result.claim.text
            st.text_input(
                "Wording",
                key=key,
                help="Rewording a claim from the copy rewrites it in the copy too, and the copy is checked again. "
                "While star ratings weigh the stance (Check settings), that weighting is fitted on every checked "
                "claim's evidence together, so another claim's counts can move by a sentence or two.",
            )
            first, second = st.columns(2)
            with first:
                st.form_submit_button(
                    "Re-check with this wording",
                    key=f"recheck_{gen}_{claim_id}",
                    on_click=state.guarded(lambda: reword_claim(claim_id, st.session_state[key])),
                    type="primary",
                    width="stretch",
                )
            with second:
                st.form_submit_button(
                    "Drop this claim",
                    key=f"drop_{gen}_{claim_id}",
                    on_click=state.guarded(lambda: drop_claim(claim_id)),
                    width="stretch",
                )


def reword_claim(claim_id: str, text: str) -> None:
    """Give a claim new wording and re-check (the copy is rewritten where the claim came from it).

    Raises:
        InputError: empty or too long wording, or an unknown claim.
    """
    # Text typed in the box since the last check is the marketer's draft: the rewording rewrites the checked
    # copy, and must not throw the draft away (it is rewritten too where it holds the old wording once).
    draft = _text_in_box() if copy_changed() else None
    old = next((row.claim.text for row in state.rows() if row.claim.claim_id == claim_id), None)
    new_ads, new_rows = edits.reword(state.ads(), state.rows(), claim_id, text, resources.infer_claim)
    state.set_rows(new_ads, new_rows)
    if draft is not None:
        new = next(row.claim.text for row in new_rows if row.claim.claim_id == claim_id)
        if old and draft.count(old) == 1:
            draft = draft.replace(old, new)
        st.session_state[COPY_INPUT] = draft
        st.session_state[state.COPY] = draft
    state.save_draft()


def drop_claim(claim_id: str) -> None:
    """Leave a claim out of the check."""
    state.set_rows(state.ads(), edits.set_kept(state.rows(), claim_id, keep=False))
    state.save_draft()


def restore_claim(claim_id: str) -> None:
    """Put a dropped claim back into the check."""
    state.set_rows(state.ads(), edits.set_kept(state.rows(), claim_id, keep=True))
    state.save_draft()


def add_claim(text: str) -> None:
    """Check a claim typed by hand.

    Raises:
        InputError: empty, too long or already checked.
    """
    state.set_rows(state.ads(), edits.add(state.rows(), text, resources.infer_claim))
    state.save_draft()


def _possible_claims() -> None:
    """The phrases the extraction scored just under its bar, each one click from being checked: extraction
    misses plain qualitative promises most ("Open late", "Clinically proven")."""
    copy = st.session_state.get(state.CHECKED_COPY) or ""
    if not copy.strip():
        return
    try:
        offered = resources.possible_claims(copy, state.config().max_claims)
    except AlignmentError:
        return  # the check above already said what is wrong with the copy
    rows = state.rows()
    checked = [row.claim for row in rows if row.keep]
    checked_texts = {claim.text.lower() for claim in checked}
    shown = [
        found
        for found in offered
        if not any(
            claim.ad_id == found.ad_id and claim.start < found.end and found.start < claim.end for claim in checked
        )
        and found.text.lower() not in checked_texts
    ][:POSSIBLE_SHOWN]
    if not shown:
        return
    labels = {ad.ad_id: f"Ad {index}" for index, ad in enumerate(state.ads(), 1)}
    generation = st.session_state.get(state.GENERATION, 0)
    with st.container(border=True, key="vet_possible"):
        st.subheader(f"Possible claims the check passed over ({len(shown)})")
        st.caption(
            "Phrases of your copy that read a little like promises but scored under the bar for a claim. A quarter "
            "to a third of such phrases are promises a careful reader would mark (measured on annotated ads), so "
            "check the ones that are: a promise that is not checked cannot be found at risk."
        )
        for index, found in enumerate(shown):
            first, second = st.columns([5, 1], vertical_alignment="center")
            with first:
                st.html(
                    f'<span class="aln-possible">“{esc(found.text)}”</span> '
                    f'<span class="aln-muted">{esc(labels.get(found.ad_id, found.ad_id))} · {esc(found.type)}</span>'
                )
            second.button(
                "Check it",
                key=f"possible_{generation}_{index}",
                on_click=state.guarded(functools.partial(include_possible, found)),
                width="stretch",
            )


def include_possible(found: PossibleClaim) -> None:
    """Check a possible claim where it stands in the copy.

    Raises:
        InputError: the copy changed, or the phrase overlaps a claim already checked.
    """
    state.set_rows(state.ads(), edits.include(state.ads(), state.rows(), found))
    state.save_draft()


def _add_and_dropped() -> None:
    with st.container(border=True):
        st.subheader("Add a claim by hand")
        st.caption("Check a promise as you would word it, e.g. a line you are thinking of adding.")
        with st.form("vet_add_form", clear_on_submit=True, border=False):
            text = st.text_input("Claim", placeholder="e.g. Free roaming in 40 countries", key="vet_add_text")
            if st.form_submit_button("Add and check", type="primary"):
                try:
                    add_claim(text)
                except InputError as exc:
                    st.error(md(str(exc)))
                else:
                    st.rerun()
    dropped = [row for row in state.rows() if not row.keep]
    if dropped:
        with st.container(border=True):
            st.subheader(f"Dropped claims ({len(dropped)})")
            for row in dropped:
                first, second = st.columns([5, 1], vertical_alignment="center")
                with first:
                    st.html(f'<span class="aln-dropped">{esc(row.claim.text)}</span>')
                second.button(
                    "Restore",
                    key=f"restore_{row.claim.claim_id}",
                    on_click=lambda cid=row.claim.claim_id: restore_claim(cid),
                )
    st.caption(INTERVAL_HELP)
