"""Comparing two saved runs claim by claim (alignment.compare): pairing by wording, what changed, in which order."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import datetime

import pandas as pd
import pytest

from alignment.compare import (
    DROPPED_CLAIM,
    NEW_CLAIM,
    NO_LONGER_AT_RISK,
    NOW_AT_RISK,
    NOW_CONTRADICTED,
    STILL_AT_RISK,
    UNCHANGED,
    VERDICT_CHANGED,
    claim_key,
    compare_runs,
    summarize,
)
from alignment.errors import InputError
from alignment.report import to_safe_csv
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
        ("Friendly staff", NOW_CONTRADICTED),  # mixed, then contradicted
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
    assert summarize(comparison).startswith("1 now at risk, 1 now contradicted, 1 new claim, 1 verdict changed")


def test_a_claim_that_fell_from_mixed_to_contradicted_is_now_contradicted_not_still_at_risk():
    before = _run(1, _claim("No hidden fees", "medium", 7, 3), _claim("Fewer dropped calls", "high", 1, 9))
    after = _run(2, _claim("No hidden fees", "high", 1, 9), _claim("Fewer dropped calls", "high", 1, 9))
    comparison = compare_runs(before, after)
    assert [(item.text, item.verdict_before, item.verdict_after, item.change) for item in comparison.changes] == [
        ("No hidden fees", "mixed", "contradicted", NOW_CONTRADICTED),
        ("Fewer dropped calls", "contradicted", "contradicted", STILL_AT_RISK),
    ]
    assert summarize(comparison) == "1 now contradicted, 1 still at risk"
    # Back from contradicted to mixed is still at risk: better, but not out of it.
    [back] = compare_runs(after, _run(3, _claim("No hidden fees", "medium", 7, 3))).changes[:1]
    assert back.change == STILL_AT_RISK


def test_a_wording_checked_twice_pairs_in_order_and_the_extra_copy_is_noted_not_called_dropped():
    before = _run(1, _claim("Free returns", "low", 5, 0, "a"), _claim("Free returns", "high", 0, 5, "b"))
    after = _run(2, _claim("Free returns", "high", 0, 6, "x"))
    comparison = compare_runs(before, after)
    assert [(item.change, item.before and item.before.claim_id) for item in comparison.changes] == [(NOW_AT_RISK, "a")]
    assert any("made in more than one ad (“Free returns”)" in note for note in comparison.notes)


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


def test_the_counts_stay_whole_numbers_when_a_run_left_a_claim_out():
    before = _run(1, _claim("Fewer dropped calls", "high", 1, 9), _claim("Open late", "low", 5, 0))
    after = _run(2, _claim("Fewer dropped calls", "low", 9, 1), _claim("No hidden fees", "low", 4, 0))
    frame = compare_runs(before, after).to_frame()
    counts = ["supporting before", "supporting after", "contradicting before", "contradicting after"]
    assert all(pd.api.types.is_integer_dtype(frame[name]) for name in counts)
    rows = list(csv.DictReader(io.StringIO(to_safe_csv(frame))))
    assert [[row[name] for name in counts] for row in rows] == [
        ["", "4", "", "0"],
        ["1", "9", "9", "1"],
        ["5", "", "0", ""],
    ]


def test_the_summary_counts_read_as_english():
    before = _run(
        1, _claim("Open late", "low", 5, 0), _claim("Free parking", "low", 5, 0), _claim("Quiet", "low", 3, 0)
    )
    after = _run(2, _claim("Open late", "medium", 5, 5), _claim("Free parking", "insufficient evidence", 1, 0))
    after = _run(2, *after.claims, _claim("No hidden fees", "low", 4, 0), _claim("Fast 5G", "low", 4, 0))
    assert summarize(compare_runs(before, after)) == (
        "1 now at risk, 2 new claims, 1 verdict changed, 1 not in the later run"
    )


def test_curly_and_straight_quotes_and_any_end_punctuation_pair_the_same_claim():
    # Copy pasted from a word processor has curly apostrophes; the same copy typed has straight ones.
    assert claim_key("We don’t charge activation fees") == claim_key("We don't charge activation fees")
    assert claim_key("No hidden fees…") == claim_key("No hidden fees?") == claim_key("No hidden fees")
    # a claim quoted whole is the claim; quotes inside it are its words
    assert claim_key('"No hidden fees"') == claim_key("“No hidden fees.”") == claim_key("No hidden fees")
    assert claim_key('"No" fees "ever"') != claim_key("No fees ever")
    before = _run(1, _claim("Calls that don’t drop.", "high", 1, 9))
    after = _run(2, _claim("Calls that don't drop", "low", 9, 1))
    assert [item.change for item in compare_runs(before, after).changes] == [NO_LONGER_AT_RISK]


def test_a_claim_at_risk_that_lost_its_evidence_is_not_called_recovered():
    before = _run(1, _claim("Roaming included", "medium", 5, 5), _claim("No hidden fees", "high", 1, 9))
    after = _run(2, _claim("Roaming included", "insufficient evidence"), _claim("No hidden fees", "low", 9, 1))
    changes = {item.text: item.change for item in compare_runs(before, after).changes}
    assert changes == {"Roaming included": VERDICT_CHANGED, "No hidden fees": NO_LONGER_AT_RISK}


def test_the_comparison_notes_other_datasets_other_settings_a_reversed_order_and_an_empty_later_run():
    first = _run(1, _claim("No hidden fees", "low", 9, 1))
    assert compare_runs(first, _run(2, _claim("No hidden fees", "low", 9, 1))).notes == ()
    other = RunInfo(
        3, "orders", None, None, None, None, datetime(2025, 4, 1), {"min_evidence": 1}, (_claim("Fast", "low", 3, 0),)
    )
    notes = compare_runs(first, other).notes
    assert notes[0].startswith("The runs are of different datasets (tweets and orders)")
    assert "different settings (min_evidence - → 1)" in notes[1]
    assert notes[2] == "Run 3, given as the later run, was saved before run 1."
    assert compare_runs(first, _run(4)).notes == ("Run 4 checked no claims: every claim of run 1 is left out.",)
    assert compare_runs(first, other).to_dict()["notes"] == list(notes)


def test_a_run_compared_with_itself_is_refused():
    with pytest.raises(InputError, match="two different runs"):
        compare_runs(_run(1), _run(1))


def test_the_comparison_notes_a_dataset_replaced_between_the_runs_and_another_embedder():
    before = dataclasses.replace(_run(1, _claim("No hidden fees", "low", 9, 1)), dataset_sha256="aa", embedder="exact")
    after = dataclasses.replace(_run(2, _claim("No hidden fees", "high", 1, 9)), dataset_sha256="bb", embedder="fast")
    notes = compare_runs(before, after).notes
    assert notes[0].startswith("The runs are of different files of dataset 'tweets' (it was replaced between them)")
    assert notes[1].startswith("The runs embedded the reviews with different embedders (exact → fast)")
    from alignment.embed import FAST_MODEL_ID, MODEL_ID

    named = compare_runs(
        dataclasses.replace(before, embedder=MODEL_ID), dataclasses.replace(after, embedder=FAST_MODEL_ID)
    )
    assert any("(exact → fast)" in note for note in named.notes)  # as `alignment runs` names them
    same = dataclasses.replace(after, dataset_sha256="aa", embedder="exact")
    assert compare_runs(before, same).notes == ()


def test_a_promise_made_in_two_ads_is_neither_left_out_nor_new_where_the_other_run_has_it():
    twice = _run(1, _claim("No hidden fees", "medium", 5, 5), _claim("Fast setup", "low", 9, 1))
    twice = dataclasses.replace(twice, claims=(*twice.claims, _claim("No hidden fees.", "medium", 5, 5)))
    once = _run(2, _claim("No hidden fees", "high", 1, 9))
    forward = compare_runs(twice, once)
    changes = [(item.text, item.change) for item in forward.changes]
    assert [text for text, _ in changes].count("No hidden fees") == 1
    assert [text for text, change in changes if change == DROPPED_CLAIM] == ["Fast setup"]
    assert any("Run 1 checked 1 promise made in more than one ad (“No hidden fees”)" in note for note in forward.notes)
    backward = compare_runs(once, twice)
    assert [item.change for item in backward.changes].count(NEW_CLAIM) == 1  # "Fast setup" only


def test_the_comparison_notes_that_rating_weighing_moves_a_claim_with_the_others_when_the_claim_sets_differ():
    weighed = {"rating_prior": True}
    before = dataclasses.replace(_run(1, _claim("No hidden fees", "low", 9, 1)), config=weighed)
    after = dataclasses.replace(
        _run(2, _claim("No hidden fees", "low", 8, 2), _claim("Fast setup", "low", 5, 0)), config=weighed
    )
    assert any("checked different sets of claims" in note for note in compare_runs(before, after).notes)
    same = dataclasses.replace(_run(3, _claim("No hidden fees", "low", 9, 1)), config=weighed)
    assert not any("different sets" in note for note in compare_runs(before, same).notes)
    alone = dataclasses.replace(after, config={"rating_prior": False})
    unweighed = dataclasses.replace(before, config={"rating_prior": False})
    assert not any("different sets" in note for note in compare_runs(unweighed, alone).notes)
