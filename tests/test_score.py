"""Scoring: counts, the alignment index, its interval and the risk levels."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from alignment.records import STANCES, Judgement, Judgements
from alignment.score import score_claim


def _judgements(supports: int, contradicts: int, neutral: int = 0) -> list[Judgement]:
    stances = ["supports"] * supports + ["contradicts"] * contradicts + ["neutral"] * neutral
    return [Judgement(i, 0.5, s, 0.3, 0.3, 0.4) for i, s in enumerate(stances)]  # type: ignore[arg-type]


def test_score_counts_and_alignment_index():
    score = score_claim(_judgements(6, 2, 3), min_evidence=5)
    assert (score.mentions, score.supports, score.contradicts, score.neutral) == (11, 6, 2, 3)
    assert score.alignment == 0.5
    assert score.interval is not None and score.interval[0] < 0.5 < score.interval[1]


def test_score_three_mentions_are_less_sure_than_three_hundred():
    few = score_claim(_judgements(2, 1), min_evidence=1)
    many = score_claim(_judgements(200, 100), min_evidence=1)
    assert few.alignment == many.alignment
    assert few.interval and many.interval
    assert (few.interval[1] - few.interval[0]) > 4 * (many.interval[1] - many.interval[0])


def test_score_below_min_evidence_is_insufficient():
    assert score_claim(_judgements(3, 0), min_evidence=5).risk == "insufficient evidence"
    assert score_claim(_judgements(0, 0, 9), min_evidence=5).alignment is None


def test_a_claim_no_sentence_clearly_speaks_to_is_unproven_whatever_its_counts():
    brushing = [Judgement(i, 0.36, "contradicts", 0.1, 0.8, 0.1) for i in range(40)]
    score = score_claim(brushing, min_evidence=5)
    assert score.risk == "insufficient evidence"
    assert score.contradicts == 40  # the counts stay, for whoever wants to read them
    one_close = [*brushing, Judgement(40, 0.41, "contradicts", 0.1, 0.8, 0.1)]
    assert score_claim(one_close, min_evidence=5).risk == "high"
    assert score_claim(Judgements.from_records(brushing), min_evidence=5).risk == "insufficient evidence"


def test_score_risk_levels_follow_the_interval():
    assert score_claim(_judgements(5, 40), min_evidence=5).risk == "high"
    assert score_claim(_judgements(40, 5), min_evidence=5).risk == "low"
    assert score_claim(_judgements(20, 18), min_evidence=5).risk == "medium"


@pytest.mark.parametrize(("supports", "contradicts"), [(2, 0), (4, 0), (0, 1), (0, 2)])
def test_evidence_all_on_one_side_too_thin_to_decide_is_unproven_not_mixed(supports, contradicts):
    # with a minimum evidence of 1 the interval still reaches across zero: nothing pulls the other way,
    # so the claim is neither at risk ("mixed") nor yet supported
    score = score_claim(_judgements(supports, contradicts), min_evidence=1)
    assert score.interval is not None and score.interval[0] <= 0.2 and score.interval[1] >= 0
    assert score.risk == "insufficient evidence"
    assert score_claim(_judgements(supports + 1, contradicts + 1), min_evidence=1).risk == "medium"
    assert score_claim(_judgements(6, 0), min_evidence=1).risk == "low"  # enough on one side decides
    assert score_claim(_judgements(0, 6), min_evidence=1).risk == "high"


def _arrays(records: list[Judgement]) -> Judgements:
    return Judgements(
        sentence_index=np.array([j.sentence_index for j in records]),
        similarity=np.array([j.similarity for j in records], dtype=np.float32),
        p_supports=np.array([j.p_supports for j in records], dtype=np.float32),
        p_contradicts=np.array([j.p_contradicts for j in records], dtype=np.float32),
        p_neutral=np.array([j.p_neutral for j in records], dtype=np.float32),
        label=np.array([STANCES.index(j.stance) for j in records], dtype=np.uint8),
    )


@pytest.mark.parametrize("counts", [(6, 2, 3), (0, 0, 0), (0, 0, 9), (40, 5, 0), (3, 0, 1)])
def test_score_of_judgement_arrays_equals_the_score_of_their_records(counts):
    records = _judgements(*counts)
    random.Random(sum(counts)).shuffle(records)
    arrays = Judgements.from_records(records)
    assert list(arrays) == records
    for min_evidence in (1, 5):
        assert score_claim(arrays, min_evidence) == score_claim(records, min_evidence)
        assert score_claim(arrays, min_evidence) == score_claim(tuple(arrays), min_evidence)


def test_judgement_arrays_read_as_a_sequence_of_judgement_records():
    records = [
        Judgement(4, 0.75, "supports", 0.75, 0.125, 0.125),
        Judgement(1, 0.5, "neutral", 0.25, 0.25, 0.5),
        Judgement(9, 0.375, "contradicts", 0.125, 0.75, 0.125),
    ]
    arrays = _arrays(records)  # float32 values that are exact in binary, so the records compare equal
    assert len(arrays) == 3 and arrays[0] == records[0] and arrays[-1] == records[-1]
    assert list(arrays) == records and arrays == tuple(records) and arrays == records
    assert arrays[1:] == records[1:] and isinstance(arrays[1:], Judgements)
    assert records[2] in arrays and arrays.index(records[1]) == 1
    assert all(type(j.sentence_index) is int and type(j.similarity) is float for j in arrays)
    assert hash(arrays) == hash(tuple(records))
    assert arrays.stance_counts() == (1, 1, 1)
    assert not arrays.label.flags.writeable
    assert arrays.records() is arrays.records()  # built once, then kept
    copied = pickle.loads(pickle.dumps(arrays))
    assert copied._records is None and copied == arrays  # only the arrays travel
    with pytest.raises(IndexError):
        arrays[3]
    with pytest.raises(ValueError, match="differ in length"):
        Judgements(np.arange(2), np.ones(3), np.ones(3), np.ones(3), np.ones(3), np.zeros(3, dtype=np.uint8))


def test_the_check_names_each_claim_no_sentence_clearly_speaks_to_and_how_close_it_came():
    from alignment.config import Config
    from alignment.pipeline import check_notes
    from alignment.records import Claim, ClaimResult

    def result(text: str, similarities: list[float]) -> ClaimResult:
        found = [Judgement(i, sim, "contradicts", 0.1, 0.8, 0.1) for i, sim in enumerate(similarities)]
        claim = Claim("c", "ad", text, 0, len(text), text.split()[-1].lower(), "qualitative")
        return ClaimResult(claim, score_claim(found, min_evidence=5), found)

    loose = result("Open late on Fridays", [0.39, 0.33, 0.31, 0.31, 0.30, 0.30])
    close = result("Fewer dropped calls", [0.98, 0.5, 0.4, 0.35, 0.33, 0.31])
    unmatched = result("Free parking", [])
    at_the_line = result("Approve your loan in 24 hours", [0.3996, 0.33, 0.31, 0.31, 0.30, 0.30])
    notes = check_notes([loose, close, unmatched, loose, at_the_line], sentences=500, config=Config())
    (note,) = [note for note in notes if "speaks clearly" in note]
    assert note.count("Open late on Fridays") == 1  # a promise the copy repeats is named once
    assert "“Open late on Fridays” (closest 0.39)" in note
    assert "(closest 0.39)" in note.split("Approve your loan")[1]  # 0.3996 is not "within 0.40"
    assert "Fewer dropped calls" not in note and "Free parking" not in note
    assert loose.score.risk == "insufficient evidence" and close.score.risk == "high"
