"""Comparing two saved runs claim by claim (alignment.compare): pairing by wording, what changed, in which order."""

from __future__ import annotations

import json
from datetime import datetime

from alignment.compare import (
    DROPPED_CLAIM,
    NEW_CLAIM,
    NO_LONGER_AT_RISK,
    NOW_AT_RISK,
    STILL_AT_RISK,
    UNCHANGED,
    VERDICT_CHANGED,
    claim_key,
    compare_runs,
    summarize,
)
from alignment.workspace import RunClaim, RunInfo


def _claim(text: str, risk: str, supports: int = 0, contradicts: int = 0, claim_id: str = "c") -> RunClaim:
    sided = supports + contradicts
    alignment = (supports - contradicts) / sided if sided else None
    return RunClaim(claim_id, "ad1", text, "", "absolute", sided, supports, contradicts, 0, alignment, None, risk)


def _run(run_id: int, *claims: RunClaim) -> RunInfo:
    return RunInfo(run_id, "tweets", None, f"campaign {run_id}", None, None, datetime(2025, 5, run_id), {}, claims)


def test_claims_are_paired_by_wording_whatever_their_case_spacing_or_end_punctuation():
    assert claim_key("No  hidden fees.") == claim_key("no hidden fees") == claim_key(" NO HIDDEN FEES! ")
    assert claim_key("No hidden fees") != claim_key("No hidden charges")
    before = _run(1, _claim("No hidden fees.", "low", 8, 1, claim_id="c1"))
    after = _run(2, _claim("no hidden fees", "low", 9, 1, claim_id="c7"))  # ids of two checks differ
    [change] = compare_runs(before, after).changes
    assert change.before is before.claims[0] and change.after is after.claims[0]
    assert change.change == UNCHANGED


def test_each_claim_says_whether_it_is_newly_at_risk_recovered_new_or_dropped_most_urgent_first():
    before = _run(
        1,
        _claim("On time, every time", "low", 9, 1),
        _claim("Fewer dropped calls", "high", 1, 9),
        _claim("Friendly staff", "medium", 5, 5),
        _claim("Free shipping", "low", 4, 0),
        _claim("Fast refunds", "insufficient evidence"),
        _claim("24/7 support", "low", 6, 1),
    )
    after = _run(
        2,
        _claim("Fewer dropped calls", "low", 9, 1),
        _claim("On time, every time", "high", 2, 8),
        _claim("Friendly staff", "high", 2, 8),
        _claim("Free shipping", "low", 5, 0),
        _claim("Fast refunds", "low", 3, 0),
        _claim("No hidden fees", "medium", 3, 3),
    )
    comparison = compare_runs(before, after)
    assert [(item.text, item.change) for item in comparison.changes] == [
        ("On time, every time", NOW_AT_RISK),
        ("Friendly staff", STILL_AT_RISK),
        ("No hidden fees", NEW_CLAIM),
        ("Fast refunds", VERDICT_CHANGED),  # unproven, then supported
        ("Free shipping", UNCHANGED),
        ("Fewer dropped calls", NO_LONGER_AT_RISK),
        ("24/7 support", DROPPED_CLAIM),
    ]
    on_time = comparison.changes[0]
    assert (on_time.verdict_before, on_time.verdict_after) == ("supported", "contradicted")
    assert on_time.alignment_change is not None and round(on_time.alignment_change, 2) == -1.4
    assert comparison.changes[2].alignment_change is None  # nothing to compare a new claim with
    assert summarize(comparison).startswith("1 now at risk, 1 still at risk, 1 new claim, 1 verdict changed")


def test_a_wording_checked_twice_pairs_in_order_and_the_extra_one_is_reported_dropped():
    before = _run(1, _claim("Free returns", "low", 5, 0, "a"), _claim("Free returns", "high", 0, 5, "b"))
    after = _run(2, _claim("Free returns", "high", 0, 6, "x"))
    changes = compare_runs(before, after).changes
    assert [(item.change, item.before and item.before.claim_id) for item in changes] == [
        (NOW_AT_RISK, "a"),
        (DROPPED_CLAIM, "b"),
    ]


def test_the_comparison_table_and_json_carry_both_runs_numbers_for_every_claim():
    before = _run(1, _claim("Fewer dropped calls", "high", 1, 9))
    after = _run(2, _claim("Fewer dropped calls", "low", 9, 1), _claim("No hidden fees", "low", 4, 0))
    comparison = compare_runs(before, after)
    frame = comparison.to_frame()
    assert list(frame["claim"]) == ["No hidden fees", "Fewer dropped calls"]
    row = frame.iloc[1]
    assert (row["contradicting before"], row["contradicting after"], round(row["alignment change"], 2)) == (9, 1, 1.6)
    assert row["verdict before"].endswith("contradicted") and row["verdict after"].endswith("supported")
    described = json.loads(json.dumps(comparison.to_dict()))
    assert described["before"]["label"] == "campaign 1" and described["after"]["claims_checked"] == 2
    assert described["summary"][NEW_CLAIM] == 1 and described["summary"][NO_LONGER_AT_RISK] == 1
    assert described["claims"][0]["before"] is None
