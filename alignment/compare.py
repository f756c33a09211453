"""Compare two saved runs claim by claim: which claims are newly at risk, which recovered, by how much.

A brand manager saves a run per campaign or per month; this stage pairs the claims of two runs by their
wording (the claim ids of two checks mean nothing to each other) and says, for each, how its verdict and
alignment moved. It reads only the runs' stored scores: no model is loaded.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from alignment.charts import AT_RISK, VERDICTS, verdict
from alignment.embed import embedder_name
from alignment.errors import InputError
from alignment.records import wording_key
from alignment.workspace import RunClaim, RunInfo

# What happened to a claim between the earlier run and the later one, most urgent first.
NOW_AT_RISK = "now at risk"
NOW_CONTRADICTED = "now contradicted"  # at risk before too, but mixed then: customers have turned against it
STILL_AT_RISK = "still at risk"
VERDICT_CHANGED = "verdict changed"
UNCHANGED = "unchanged"
NO_LONGER_AT_RISK = "no longer at risk"
NEW_CLAIM = "new claim"
DROPPED_CLAIM = "not in the later run"
CHANGE_ORDER: tuple[str, ...] = (
    NOW_AT_RISK,
    NOW_CONTRADICTED,
    STILL_AT_RISK,
    NEW_CLAIM,
    VERDICT_CHANGED,
    UNCHANGED,
    NO_LONGER_AT_RISK,
    DROPPED_CLAIM,
)
# The settings that change what a check finds (Config), named as a run's config stores them.
_SETTINGS = frozenset(
    {
        "min_similarity",
        "max_matches",
        "min_evidence",
        "interval_level",
        "stance_model",
        "rating_prior",
        "rating_reader",
        "quantities",
        "relative_match",
    }
)
_COUNT_COLUMNS = ("supporting before", "supporting after", "contradicting before", "contradicting after")


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One claim's result in the earlier run (``before``) and the later one (``after``); None where that run
    did not check it."""

    text: str
    before: RunClaim | None
    after: RunClaim | None

    @property
    def verdict_before(self) -> str | None:
        """The earlier run's verdict (contradicted, mixed, unproven, supported), or None."""
        return None if self.before is None else run_claim_verdict(self.before)

    @property
    def verdict_after(self) -> str | None:
        """The later run's verdict, or None."""
        return None if self.after is None else run_claim_verdict(self.after)

    @property
    def change(self) -> str:
        """What happened to the claim: one of :data:`CHANGE_ORDER`."""
        before, after = self.verdict_before, self.verdict_after
        if before is None:
            return NEW_CLAIM
        if after is None:
            return DROPPED_CLAIM
        if after in AT_RISK:
            if before not in AT_RISK:
                return NOW_AT_RISK
            # Mixed to contradicted is a fall, not more of the same: said apart from a claim that stayed put.
            return NOW_CONTRADICTED if (before, after) == ("mixed", "contradicted") else STILL_AT_RISK
        if before in AT_RISK:
            # Unproven is not recovered: the claim lost the evidence to judge it, not its critics.
            return NO_LONGER_AT_RISK if after == "supported" else VERDICT_CHANGED
        return UNCHANGED if before == after else VERDICT_CHANGED

    @property
    def alignment_change(self) -> float | None:
        """The later alignment minus the earlier (−2..2; below 0, customers agree less), or None."""
        if self.before is None or self.after is None:
            return None
        if self.before.alignment is None or self.after.alignment is None:
            return None
        return self.after.alignment - self.before.alignment


@dataclass(frozen=True, slots=True)
class RunComparison:
    """Two saved runs and their claims paired by wording, most urgent change first."""

    before: RunInfo
    after: RunInfo
    changes: tuple[ClaimChange, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        """What to keep in mind before reading the changes as the customers': runs of different datasets or
        settings, runs given in the wrong order, a later run that checked nothing."""
        before, after = self.before, self.after
        notes = []
        if before.dataset != after.dataset:
            notes.append(
                f"The runs are of different datasets ({before.dataset or '-'} and {after.dataset or '-'}): a change "
                "may come from the reviews read, not from what customers say over time."
            )
        elif before.dataset_sha256 and after.dataset_sha256 and before.dataset_sha256 != after.dataset_sha256:
            notes.append(
                f"The runs are of different files of dataset {after.dataset!r} (it was replaced between them): a "
                "change may come from the reviews read, not from what customers say over time."
            )
        if before.embedder and after.embedder and before.embedder != after.embedder:
            notes.append(
                f"The runs embedded the reviews with different embedders ({embedder_name(before.embedder)} → "
                f"{embedder_name(after.embedder)}): they match and read sentences a little differently, so a change, "
                "even of verdict, may come from them rather than from the customers."
            )
        differing = [
            name
            for name in sorted(set(before.config) | set(after.config))
            if name in _SETTINGS and before.config.get(name) != after.config.get(name)
        ]
        if differing:
            settings = ", ".join(
                f"{name} {before.config.get(name, '-')} → {after.config.get(name, '-')}" for name in differing
            )
            notes.append(f"The runs were checked with different settings ({settings}): a change may come from them.")
        if (after.finished_at, after.run_id) < (before.finished_at, before.run_id):
            notes.append(f"Run {after.run_id}, given as the later run, was saved before run {before.run_id}.")
        for run in (before, after):
            counts = Counter(claim_key(claim.text) for claim in run.claims)
            repeated = [claim.text for claim in run.claims if counts.pop(claim_key(claim.text), 1) > 1]
            if repeated:
                shown = ", ".join(f"“{text}”" for text in repeated[:3]) + (" …" if len(repeated) > 3 else "")
                notes.append(
                    f"Run {run.run_id} checked {len(repeated)} promise{'s' if len(repeated) > 1 else ''} made in more "
                    f"than one ad ({shown}): the copies pair with the other run's in order, and a copy left "
                    "without a pair is not listed."
                )
        weighed = before.config.get("rating_prior", False) or after.config.get("rating_prior", False)
        earlier = {claim_key(claim.text) for claim in before.claims}
        later = {claim_key(claim.text) for claim in after.claims}
        if weighed and earlier & later and earlier != later:
            notes.append(RATINGS_WEIGHED_NOTE)
        if before.claims and not after.claims:
            notes.append(f"Run {after.run_id} checked no claims: every claim of run {before.run_id} is left out.")
        return tuple(notes)

    def count(self, change: str) -> int:
        """How many claims had ``change`` (one of :data:`CHANGE_ORDER`)."""
        return sum(1 for item in self.changes if item.change == change)

    def to_frame(self, symbols: bool = True) -> pd.DataFrame:
        """One row per claim: verdicts, alignments and counts in each run, and what changed. Each verdict is
        led by its symbol ("◐ mixed"), as a table on screen shows it, unless ``symbols`` is False (for a CSV
        that other tools read: "mixed").

        The counts are whole numbers (pandas' nullable ``Int64``), empty where that run did not check the claim:
        a claim one run left out would otherwise turn its column to floats (235.0 in the CSV)."""
        frame = pd.DataFrame(
            [_row(item, symbols) for item in self.changes],
            columns=[
                "change",
                "claim",
                "verdict before",
                "verdict after",
                "alignment before",
                "alignment after",
                "alignment change",
                "supporting before",
                "supporting after",
                "contradicting before",
                "contradicting after",
            ],
        )
        return frame.astype({name: "Int64" for name in _COUNT_COLUMNS})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description: the two runs (without their claims) and each claim's change."""
        return {
            "before": _run_summary(self.before),
            "after": _run_summary(self.after),
            "summary": {change: self.count(change) for change in CHANGE_ORDER},
            "notes": list(self.notes),
            "claims": [
                {
                    "claim": item.text,
                    "change": item.change,
                    "before": None if item.before is None else item.before.to_dict(),
                    "after": None if item.after is None else item.after.to_dict(),
                    "verdict_before": item.verdict_before,
                    "verdict_after": item.verdict_after,
                    "alignment_change": item.alignment_change,
                }
                for item in self.changes
            ],
        }


def run_claim_verdict(claim: RunClaim) -> str:
    """The plain-words verdict of a saved claim, as the dashboard gives it."""
    return verdict(claim.score)


def claim_key(text: str) -> str:
    """The wording two runs' claims are paired by (:func:`alignment.records.wording_key`)."""
    return wording_key(text)


def compare_runs(before: RunInfo, after: RunInfo) -> RunComparison:
    """Pair the claims of ``before`` and ``after`` by wording and say how each moved.

    A wording a run checked twice (two ads making one promise) pairs with the other run's in order; a copy
    left over is neither a new claim nor one the later run left out, as the other run has the promise.

    Claims newly at risk come first, then those now contradicted (mixed before), those still at risk, new
    claims, other verdict changes, unchanged ones, recovered ones and those the later run left out; within
    each, the biggest fall in alignment first.

    Raises:
        InputError: ``before`` and ``after`` are the same run.
    """
    if before.run_id == after.run_id:
        raise InputError(f"Give two different runs to compare, not run {before.run_id} twice.")
    waiting: defaultdict[str, deque[RunClaim]] = defaultdict(deque)
    for claim in before.claims:
        waiting[claim_key(claim.text)].append(claim)
    earlier_keys = set(waiting)
    later_keys = {claim_key(claim.text) for claim in after.claims}
    changes = []
    for claim in after.claims:
        key = claim_key(claim.text)
        earlier = waiting[key]
        if earlier:
            changes.append(ClaimChange(claim.text, earlier.popleft(), claim))
        elif key not in earlier_keys:
            changes.append(ClaimChange(claim.text, None, claim))
        # else: one more ad's copy of a promise already paired, not a new claim (RunComparison.notes says so)
    changes += [
        ClaimChange(claim.text, claim, None) for key, left in waiting.items() if key not in later_keys for claim in left
    ]
    changes.sort(key=_urgency)
    return RunComparison(before=before, after=after, changes=tuple(changes))


def _urgency(item: ClaimChange) -> tuple[int, float]:
    moved = item.alignment_change
    return CHANGE_ORDER.index(item.change), 0.0 if moved is None else moved


def rounded_alignments(frame: pd.DataFrame, decimals: int) -> pd.DataFrame:
    """The comparison (:meth:`RunComparison.to_frame`) with its alignments rounded to ``decimals``: a CSV that
    says −0.26136363636363635 where the page says −0.26 reads as another number."""
    alignments = [name for name in ("alignment before", "alignment after", "alignment change") if name in frame]
    # Cell by cell: a claim one run did not check has None there, which stays an empty field.

    def rounded(value: float | None) -> float | None:
        # + 0.0 turns the -0.0 a tiny loss rounds to into 0.0: "-0.00" reads as a change.
        return None if value is None or pd.isna(value) else round(float(value), decimals) + 0.0

    return frame.assign(**{name: frame[name].map(rounded) for name in alignments})


RATINGS_WEIGHED_NOTE = (
    "The runs checked different sets of claims: where star ratings weighed the stance, the weighing is fitted on "
    "all of a check's claims together, so a claim both runs checked can move a little with the others alone "
    "(--no-rating-prior on both compares the words alone)."
)


def _row(item: ClaimChange, symbols: bool = True) -> dict[str, object]:
    def label(name: str | None) -> str:
        if name is None:
            return ""
        return f"{VERDICTS[name].symbol} {VERDICTS[name].label}" if symbols else VERDICTS[name].label

    def value(claim: RunClaim | None, field: str) -> object:
        return None if claim is None else getattr(claim, field)

    return {
        "change": item.change,
        "claim": item.text,
        "verdict before": label(item.verdict_before),
        "verdict after": label(item.verdict_after),
        "alignment before": value(item.before, "alignment"),
        "alignment after": value(item.after, "alignment"),
        "alignment change": item.alignment_change,
        "supporting before": value(item.before, "supports"),
        "supporting after": value(item.after, "supports"),
        "contradicting before": value(item.before, "contradicts"),
        "contradicting after": value(item.after, "contradicts"),
    }


def _run_summary(run: RunInfo) -> dict[str, Any]:
    described = run.to_dict()
    described.pop("claims", None)
    described["claims_checked"] = len(run.claims)
    return described


def summarize(comparison: RunComparison, changes: Sequence[str] = CHANGE_ORDER) -> str:
    """ "2 now at risk, 1 no longer at risk, 5 unchanged": the counts of the changes that occur."""
    parts = []
    for change in changes:
        count = comparison.count(change)
        if count:
            parts.append(f"{count} {change if count == 1 else _PLURALS.get(change, change)}")
    return ", ".join(parts) or "no claims in either run"


_PLURALS = {NEW_CLAIM: "new claims", VERDICT_CHANGED: "verdicts changed"}
