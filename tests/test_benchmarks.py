"""The scoring rules behind the README's quality figures (benchmarks/quality.py), on small hand-made cases.

The benchmark itself needs ../shared; these rules do not, and every figure in the README rests on them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from quality import average_precision, calibration_error, precision_at, score_claim_texts


def test_a_claim_counts_right_against_either_annotator_and_recall_is_over_the_claims_both_marked():
    extracted = ["free delivery on every order", "made in small batches", "open late"]
    either = ["Free delivery on every order", "made in small batches by hand"]  # "open late" was marked by neither
    both = ["Free delivery on every order", "30-day returns"]
    scores = score_claim_texts([(extracted, either, both)])
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(1 / 2)  # "30-day returns" was not found
    assert scores["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert (scores["predicted"], scores["gold"]) == (3, 2)


def test_the_exact_share_counts_only_claims_with_the_very_words_of_a_marked_one():
    marked = ["Trusted by 12,000 growing teams"]
    cut_short = score_claim_texts([(["by 12,000 growing teams"], marked, marked)])
    assert cut_short["precision"] == 1.0  # the guideline's Jaccard rule forgives a missing word
    assert cut_short["exact"] == 0.0
    assert score_claim_texts([(["trusted by 12,000 growing teams"], marked, marked)])["exact"] == 1.0  # case aside
    assert score_claim_texts([([], marked, marked)])["exact"] == 0.0  # nothing extracted: no division by zero


def test_average_precision_ranks_by_score_with_ties_in_file_order():
    relevant = np.array([True, False, True, False])
    assert average_precision(np.array([0.9, 0.1, 0.8, 0.2]), relevant) == pytest.approx(1.0)
    # the second relevant item comes last: (1/1 + 2/4) / 2
    assert average_precision(np.array([0.9, 0.5, 0.1, 0.2]), relevant) == pytest.approx((1 + 2 / 4) / 2)
    # unmatched items (-1) rank last, in the order of the file
    assert average_precision(np.array([-1.0, 0.5, -1.0, -1.0]), relevant) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert np.isnan(average_precision(np.array([0.5, 0.1]), np.array([False, False])))


def test_the_first_quotes_are_the_highest_scored_matched_items_only():
    relevant = np.array([True, False, True, True])
    scores = np.array([0.9, 0.8, -1.0, -1.0])  # two matched, two not
    assert precision_at(scores, relevant, k=10) == pytest.approx(1 / 2)
    assert np.isnan(precision_at(np.full(4, -1.0), relevant))


def test_calibration_error_is_zero_when_confidence_matches_accuracy_and_grows_with_overconfidence():
    # ten readings at P(contradicts) 0.8, eight of them right: 0.8 confident, 0.8 accurate
    calibrated = calibration_error([0.8] * 10, [True] * 8 + [False] * 2)
    assert calibrated == pytest.approx(0.0)
    overconfident = calibration_error([0.95] * 10, [True] * 5 + [False] * 5)
    assert overconfident == pytest.approx(0.45)
    # the side taken counts: 0.2 is 0.8 confident in "supports"
    assert calibration_error([0.2] * 10, [False] * 8 + [True] * 2) == pytest.approx(0.0)
