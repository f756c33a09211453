"""The project's dataset-shaped test sets: well formed, never trained on, and read better than the baselines."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment import Config
from alignment.evaluate import evaluate_evidence
from alignment.training import DATASET_DEV, STANCE_CORPORA, load_dataset_tests, load_stance_pairs


def test_dataset_sets_have_four_claims_and_both_sides_of_each_set_labelled():
    sets = load_dataset_tests()
    assert len(sets) == 3
    for name, (claims, rows) in sets.items():
        assert len(claims) == 4, name
        assert len({row["review_id"] for row in rows}) == 300, name
        sides = pd.Series([row["label"] for row in rows]).value_counts()
        assert sides["negative"] >= 60 and sides["positive"] >= 60, name
        # a text that speaks to no claim is still a text of the dataset, with one blank row
        assert any(row["about"] == "" and row["label"] == "" for row in rows), name


def test_dataset_sets_share_no_text_with_the_stance_training_corpora_or_each_other():
    trained = {item.text for item in load_stance_pairs(STANCE_CORPORA)}
    texts = {row["text"] for _, rows in load_dataset_tests().values() for row in rows}
    dev = {row["text"] for _, rows in load_dataset_tests(DATASET_DEV).values() for row in rows}
    assert not texts & trained and not dev & trained
    assert not texts & dev  # the development sets choose settings; the test sets must stay unseen


def test_dataset_dev_sets_are_shaped_as_the_test_sets():
    sets = load_dataset_tests(DATASET_DEV)
    assert len(sets) == 3
    for name, (claims, rows) in sets.items():
        assert len(claims) == 4 and len({row["review_id"] for row in rows}) == 300, name
        sides = pd.Series([row["label"] for row in rows]).value_counts()
        assert sides["negative"] >= 60 and sides["positive"] >= 60, name


@pytest.mark.models
def test_check_reads_the_dataset_sets_better_than_the_lexicon_and_finds_and_ranks_complaints_better_than_cosine(
    embedder,
):
    hits = pairs = lexicon_hits = lexicon_pairs = 0
    ap: list[float] = []
    ap_cosine: list[float] = []
    marked = found = found_cosine = 0.0
    for claims, rows in load_dataset_tests().values():
        result = evaluate_evidence(
            claims,
            pd.DataFrame(rows),
            "label",
            "about",
            Config(),
            text_column="text",
            id_column="review_id",
            embedder=embedder,
            labels_per_claim=True,
        )
        ours, lexicon = result.judges["alignment"], result.judges["lexicon"]
        assert ours.accuracy is not None and lexicon.accuracy is not None
        hits += round(ours.accuracy * ours.pairs)
        lexicon_hits += round(lexicon.accuracy * lexicon.pairs)
        pairs += ours.pairs
        lexicon_pairs += lexicon.pairs
        cosine = result.judges["cosine"]
        assert ours.mean_ap is not None and cosine.mean_ap is not None
        ap.append(ours.mean_ap)
        ap_cosine.append(cosine.mean_ap)
        assert ours.match_recall is not None and cosine.match_recall is not None
        assert ours.match_precision is not None and ours.match_precision > 0.7  # the sets mark every claim spoken to
        pairs_marked = sum(claim.about or 0 for claim in result.claims)
        marked += pairs_marked
        found += ours.match_recall * pairs_marked
        found_cosine += cosine.match_recall * pairs_marked
    assert pairs >= 600  # most labelled (text, claim) pairs are matched
    assert hits / pairs > lexicon_hits / lexicon_pairs + 0.2
    assert sum(ap) / 3 > sum(ap_cosine) / 3 + 0.1
    # the breach queries find labelled pairs the claim's own cosine misses
    assert found / marked > found_cosine / marked + 0.08
