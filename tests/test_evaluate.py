"""alignment.evaluate: the scoring rules behind the README's quality figures (benchmarks/quality.py uses
them) on small hand-made cases, and the evaluation of a user's own labelled ads and reviews."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pytest

from alignment.cli import main
from alignment.config import Config, SettingError
from alignment.errors import InputError, MissingColumnError, UnreadableFileError
from alignment.evaluate import (
    MarkedAd,
    MarkedClaim,
    average_precision,
    calibration_error,
    evaluate_claims,
    evaluate_evidence,
    evaluate_evidence_sweep,
    precision_at,
    read_marked_ads,
    read_sides,
    score_claim_texts,
)
from alignment.workspace import Workspace

# which claim each review of conftest's telecom table is about: by number or by its text, case aside
ABOUT = ["1", "1", "Fewer dropped calls", "2", "no hidden fees", "", "", ""]


@pytest.fixture
def labelled(reviews_frame: pd.DataFrame) -> pd.DataFrame:
    """The telecom reviews, labelled by their star rating, with the claim each one is about."""
    return reviews_frame.assign(about=ABOUT)


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


def test_labels_are_read_as_words_as_minus_one_zero_one_or_as_star_ratings():
    sides, unread = read_sides(["Negative", "positive", "neutral", "", "complaint", "praise", "meh", None])
    assert sides == ["contradicts", "supports", None, None, "contradicts", "supports", None, None]
    assert unread == {"label not recognised": 1}  # "meh"; blanks and "neutral" simply take no side
    assert read_sides(["-1", "0", "1"])[0] == ["contradicts", None, "supports"]
    assert read_sides(["0", "1", "1"])[0] == ["contradicts", "supports", "supports"]  # a yes / no label
    # 1-5 stars: 1-2 contradict, 3 takes no side, 4-5 support (as the app's "rating disagrees" flag reads them)
    assert read_sides(["1", "2", "3", "4", "5"])[0] == ["contradicts", "contradicts", None, "supports", "supports"]
    assert read_sides(["10", "55", "90"])[0] == ["contradicts", None, "supports"]  # a 0-100 score
    # 1-5, "x" unread; the blank is a review nobody rated, counted apart from the 3s that take no side
    assert read_sides(["4", "x", ""]) == (["supports", None, None], {"label not recognised": 1, "blank label": 1})
    # a typo far above a large file's 1-5 scale takes no side and is counted; the 5s still support
    sides, unread = read_sides(["5", "1"] * 100 + ["50"])
    assert sides[:2] == ["supports", "contradicts"] and sides[-1] is None
    assert unread == {"rating off the file's scale": 1}
    with pytest.raises(InputError, match="neither -1/0/1 nor a rating"):
        read_sides(["569587686496825344", "569587371693355008"])  # an id column named by mistake


def test_annotated_ads_are_read_with_one_claim_list_per_annotator(tmp_path):
    path = tmp_path / "ads.jsonl"
    lines = [
        {
            "id": "a1",
            "text": "Free delivery. Open late.",
            "claims_a": [{"text": "Free delivery", "type": "absolute", "aspect": "delivery"}],
            "claims_b": [],
        },
        {"text": "Hand-made in Leeds.", "claims_a": ["Hand-made in Leeds"], "claims_b": ["Hand-made"]},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    ads = read_marked_ads(path)
    assert [ad.ad_id for ad in ads] == ["a1", "2"]  # an ad without an id is named by its line
    assert ads[0].marked == ((MarkedClaim("Free delivery", "absolute", "delivery"),), ())
    assert ads[1].marked == ((MarkedClaim("Hand-made in Leeds"),), (MarkedClaim("Hand-made"),))


@pytest.mark.parametrize(
    ("content", "error", "fragment"),
    [
        ('{"text": "Free delivery."}\n', InputError, "no marked claims"),
        ('{"claims": []}\n', InputError, 'no "text"'),
        ('{"text": "x", "claims": [}\n', UnreadableFileError, "not valid JSON"),
        ('{"text": "x", "claims": "Free"}\n', InputError, "must be a list"),
        ('{"text": "a", "claims_a": []}\n{"text": "b", "claims_a": [], "claims_b": []}\n', InputError, "same"),
        ("\n", InputError, "has no ads"),
    ],
)
def test_annotated_ads_that_cannot_be_scored_fail_with_what_to_fix(tmp_path, content, error, fragment):
    path = tmp_path / "ads.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=fragment):
        read_marked_ads(path)


@pytest.mark.models
def test_claims_are_scored_against_the_marked_ones_and_the_errors_listed(tmp_path, nlp):
    path = tmp_path / "ads.jsonl"
    ads = [
        {
            "id": "a1",
            "text": "Free shipping on every order. Our blankets are woven in Portugal.",
            "claims": [
                {"text": "Free shipping on every order", "type": "absolute", "aspect": "shipping"},
                {"text": "woven in Portugal", "type": "superlative", "aspect": "origin"},
                "a lifetime guarantee",
            ],
        },
        {"id": "a2", "text": "Call us today!", "claims": []},
    ]
    path.write_text("\n".join(json.dumps(ad) for ad in ads), encoding="utf-8")
    # a repeated id (a file refuses it; ads built in Python may have one): still its own ad, its claim not
    # counted against the first a2
    repeated = MarkedAd("a2", "Free returns for 60 days.", ((MarkedClaim("Free returns for 60 days"),),))
    result = evaluate_claims([*read_marked_ads(path), repeated], nlp=nlp)
    assert result.ads == 3 and result.annotators == 1 and result.marked == 4
    assert ("a1", "a lifetime guarantee") in result.missed  # nothing in the copy says it
    assert ("a1", "Free shipping on every order") not in result.missed
    assert ("a2", "Free returns for 60 days") not in result.missed + result.wrong
    # types and aspects are read from the marked spans and compared where the annotator gave them: "free"
    # is an absolute, but nothing makes "woven in Portugal" a superlative
    assert result.type_agreement == (pytest.approx(0.5),)
    assert result.aspect_agreement == (pytest.approx(0.5),)  # "shipping" named; "origin" is not a word of it
    # the baselines on the same ads: each of the four sentences taken as a claim finds three of the four
    # marked claims; one type given to both typed claims; "shipping" is the head of its claim, "woven" is not
    # a word of "origin"
    assert result.sentence_baseline["precision"] == pytest.approx(3 / 4)
    assert result.sentence_baseline["recall"] == pytest.approx(3 / 4)
    assert result.type_baseline == (pytest.approx(0.5),)
    assert result.aspect_baseline == (pytest.approx(0.5),)
    assert result.precision == pytest.approx(1 - len(result.wrong) / result.extracted)
    assert result.recall == pytest.approx(1 - len(result.missed) / result.marked)
    assert all(ad == "a1" for ad, _ in result.wrong)  # a call to action is not a claim
    # recall by type counts only the typed claims, each found or missed as the missed list says
    woven = int(("a1", "woven in Portugal") not in result.missed)
    assert result.recall_by_type == {"absolute": (1, 1), "superlative": (woven, 1)}


@pytest.mark.models
def test_cli_evaluate_claims_prints_the_figures_and_the_recall_by_type(tmp_path, capsys):
    path, out = tmp_path / "ads.jsonl", tmp_path / "claims_eval.json"
    ads = [
        {
            "id": "a1",
            "text": "Free shipping on every order.",
            "claims": [{"text": "Free shipping on every order", "type": "absolute"}],
        },
        {
            "id": "a2",
            "text": "The softest sheets you will ever own.",
            "claims": [{"text": "The softest sheets", "type": "superlative"}],
        },
    ]
    path.write_text("\n".join(json.dumps(ad) for ad in ads), encoding="utf-8")
    assert main(["evaluate", "claims", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Claims in 2 ads (right when it matches a marked claim" in printed
    assert "Recall by the marked claim's type (as marked):" in printed
    assert ["absolute", "1", "1", "1.000"] in [line.split() for line in printed.splitlines()]  # free shipping
    assert json.loads(out.read_text(encoding="utf-8"))["recall_by_type"]["absolute"] == [1, 1]


@pytest.mark.models
def test_evidence_is_scored_against_the_labels_beside_the_baselines(embedder, labelled):
    result = evaluate_evidence(
        ["Fewer dropped calls", "No hidden fees"], labelled, "rating", "about", embedder=embedder
    )
    assert result.reviews == 7 and result.skipped == {"blank text": 1}  # skipped rows are counted too
    assert result.sides == {"contradicts": 3, "supports": 3, "none": 1}  # 3 stars takes no side
    assert result.matched_reviews == 6  # the SIM card order speaks to neither claim
    calls, fees = result.claims
    assert calls.contradicting_about == 3 and fees.contradicting_about == 0
    # the three complaints about calls are the calls claim's most contradicting reviews
    assert calls.average_precision["alignment"] == pytest.approx(1.0)
    assert fees.average_precision == {}  # nothing contradicts it, so there is nothing to rank
    alignment = result.judges["alignment"]
    assert alignment.pairs == 6 and alignment.accuracy == pytest.approx(1.0)
    assert result.judges["lexicon"].pairs > 0 and result.judges["cosine"].accuracy is None
    json.dumps(result.to_dict())  # JSON-ready, NaN as null
    assert result.weighed_by is None  # the ratings are the labels: they cannot also weigh the stance


@pytest.mark.models
def test_an_evaluation_says_when_the_ratings_beside_the_labels_weighed_the_stance(embedder):
    complaints = [f"My calls dropped {n} times this week." for n in range(2, 62)]
    praise = [f"Not one dropped call in {n} days, great signal." for n in range(2, 62)]
    frame = pd.DataFrame(
        {
            "text": complaints + praise,
            "stars": [1] * len(complaints) + [5] * len(praise),
            "sentiment": ["negative"] * len(complaints) + ["positive"] * len(praise),
        }
    )
    weighed = evaluate_evidence(["Fewer dropped calls"], frame, "sentiment", embedder=embedder)
    assert weighed.weighed_by == "stars" and weighed.to_dict()["weighed_by"] == "stars"
    alone = evaluate_evidence(
        ["Fewer dropped calls"], frame, "sentiment", config=Config(rating_prior=False), embedder=embedder
    )
    assert alone.weighed_by is None


@pytest.mark.models
def test_unreadable_labels_and_about_values_are_counted_not_dropped_silently(embedder, labelled):
    frame = labelled.assign(rating=["1", "2", "awful", "5", "4", "5", "3", "3"], about=["1", "1", "claim 9"] + [""] * 5)
    result = evaluate_evidence(["Fewer dropped calls", "No hidden fees"], frame, "rating", "about", embedder=embedder)
    assert result.unread == {"label not recognised": 1, "about names no claim": 1}
    assert result.sides["contradicts"] == 2


# One review that keeps one promise and breaks the other, labelled once per claim (the long format),
# beside plain reviews, a review labelled both ways on one claim, and an id given two texts.
MIXED = "No dropped calls in months, but my bill had a hidden fee I was never told about."
LONG = pd.DataFrame(
    [
        ("m1", MIXED, "1", "positive"),
        ("m1", MIXED, "No hidden fees", "negative"),
        ("r1", "My calls drop every single day. Called support twice.", "1", "negative"),
        ("r4", "The bill was exactly what they quoted, no hidden fees at all.", "2", "positive"),
        ("r2", "Dropped calls all the time since the tower upgrade.", "1", "negative"),
        ("r2", "Dropped calls all the time since the tower upgrade.", "1", "positive"),
        ("r7", "Ordered a new SIM card on Monday.", "", ""),
        ("r7", "Ordered two new SIM cards on Monday.", "", ""),
    ],
    columns=["review_id", "text", "about", "label"],
)


@pytest.mark.models
def test_labels_per_claim_score_each_label_against_its_own_claim_and_rank_each_review_once(embedder):
    result = evaluate_evidence(
        ["Fewer dropped calls", "No hidden fees"], LONG, "label", "about", embedder=embedder, labels_per_claim=True
    )
    assert result.reviews == 5  # m1, r1, r4, r2 and r7, each embedded and ranked once
    assert result.unread == {"opposite labels of one review on one claim": 1, "row of an id with another text": 1}
    calls, fees = result.claims
    # r2 is labelled both ways on calls, so only r1 is a complaint about it; m1 is the one about fees
    assert (calls.contradicting_about, fees.contradicting_about) == (1, 1)
    # each label is judged against its own claim: four labels on a claim, r2's left out
    assert result.judges["alignment"].pairs == calls.pairs + fees.pairs <= 4
    # the mixed review reads for the calls claim and against the fees claim, as labelled
    assert calls.accuracy == pytest.approx(1.0) and fees.accuracy == pytest.approx(1.0)
    assert result.to_dict()["labels_per_claim"] is True


def test_match_recall_counts_the_marked_pairs_matched_and_precision_the_matches_marked():
    from alignment.evaluate import _Tally

    # two claims over four reviews: claim 1 is marked on reviews 0 and 1, claim 2 on review 2
    about = [np.array([True, True, False, False]), np.array([False, False, True, False])]
    matched = [np.array([True, False, False, True]), np.array([False, False, True, False])]
    complete = _Tally(2, precision=True)
    complete.add_matching(matched, about)
    complete.add_matching(matched, None)  # a group without marks counts nothing
    scores = complete.scores()
    assert scores.match_recall == pytest.approx(2 / 3)  # review 1 was marked about claim 1 and missed
    assert scores.match_precision == pytest.approx(2 / 3)  # review 3 matched claim 1 unmarked
    pooled = _Tally(2, precision=True)
    pooled.extend(complete)
    pooled.extend(complete)
    assert pooled.scores().match_recall == pytest.approx(2 / 3)
    # one about value per review marks one claim only, so an unmarked match is not known to be wrong
    partial = _Tally(2)
    partial.add_matching(matched, about)
    assert partial.scores().match_recall == pytest.approx(2 / 3) and partial.scores().match_precision is None
    assert _Tally(2).scores().match_recall is None  # nothing marked, nothing to measure


@pytest.mark.models
def test_labels_per_claim_report_how_much_of_what_is_marked_the_matching_finds(embedder):
    result = evaluate_evidence(
        ["Fewer dropped calls", "No hidden fees"], LONG, "label", "about", embedder=embedder, labels_per_claim=True
    )
    calls, fees = result.claims
    assert (calls.about, fees.about) == (3, 2)  # m1, r1 and r2 speak to calls (r2 twice, one pair); m1 and r4 to fees
    assert calls.about_matched is not None and fees.about_matched is not None
    alignment, cosine = result.judges["alignment"], result.judges["cosine"]
    assert alignment.match_recall == pytest.approx((calls.about_matched + fees.about_matched) / 5)
    assert alignment.match_recall is not None and cosine.match_recall is not None
    assert alignment.match_recall >= cosine.match_recall  # the breach query matches more of what is marked
    assert alignment.match_precision is not None and 0 < alignment.match_precision <= 1
    # the SIM card order is marked about no claim: a claim matching it lowers precision, not recall
    one_label = evaluate_evidence(["Fewer dropped calls", "No hidden fees"], LONG, "label", "about", embedder=embedder)
    assert one_label.judges["alignment"].match_precision is None


@pytest.mark.models
def test_one_label_per_review_is_scored_against_every_claim_that_matches_it(embedder):
    # the same mixed review with one review-level label ("negative"): right for fees, wrong for calls
    frame = pd.DataFrame({"text": [MIXED, "My calls drop every single day."], "label": ["negative", "negative"]})
    result = evaluate_evidence(["Fewer dropped calls", "No hidden fees"], frame, "label", embedder=embedder)
    calls, fees = result.claims
    assert calls.accuracy == pytest.approx(0.5) and fees.accuracy == pytest.approx(1.0)
    # the one pair read against its label is listed with the sentence that was read
    (misread,) = result.misread
    assert (misread.claim, misread.label, misread.read) == ("Fewer dropped calls", "contradicts", "supports")
    assert misread.sentence.startswith("No dropped calls in months") and misread.p_contradicts < 0.5


@pytest.mark.models
def test_cli_evaluate_evidence_lists_the_pairs_it_read_otherwise(tmp_path, capsys):
    reviews, claims = tmp_path / "one_label.csv", tmp_path / "claims.txt"
    pd.DataFrame(
        {"id": ["m1", "r1"], "text": [MIXED, "My calls drop every single day."], "label": ["neg", "neg"]}
    ).to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    argv = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "label"]
    assert main([*argv, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "1 labelled pair read otherwise, the most confident first:" in printed
    assert "m1      Fewer dropped calls  contradicts  supports" in printed


@pytest.mark.models
def test_groups_are_checked_apart_and_their_figures_pooled(embedder, labelled):
    # two brands: two of the three complaints about calls are brand A's, the third brand B's
    branded = labelled.assign(brand=["A", "A", "B", "B", "A", "B", "A", "B"])
    claims = ["Fewer dropped calls", "No hidden fees"]
    whole = evaluate_evidence(claims, labelled, "rating", "about", embedder=embedder)
    apart = evaluate_evidence(claims, branded, "rating", "about", embedder=embedder, group_column="brand")
    assert apart.groups == 2 and apart.reviews == whole.reviews == 7
    # a sentence is matched and read on its own, so the pooled stance is the stance of the whole file
    assert apart.judges["alignment"].pairs == whole.judges["alignment"].pairs == 6
    assert apart.judges["alignment"].accuracy == whole.judges["alignment"].accuracy
    # calls is ranked in each brand (fees has no complaint to rank): two rankings averaged
    assert apart.judges["alignment"].ranked == 2 and apart.claims[0].contradicting_about == 3
    # each brand's own reading, in order of first appearance; together they are the pooled figures
    assert [group.group for group in apart.by_group] == ["A", "B"]
    assert sum(group.reviews for group in apart.by_group) == 7
    assert sum(group.alignment.pairs for group in apart.by_group) == 6
    assert whole.by_group == ()  # no group column, no breakdown
    strict = evaluate_evidence(
        claims, branded, "rating", "about", embedder=embedder, group_column="brand", min_relevant=2
    )
    assert strict.judges["alignment"].ranked == 1  # brand B has one complaint about calls: not ranked
    # a brand whose only review is blank is skipped and counted, not an error
    lone = labelled.assign(brand=["A", "A", "B", "B", "A", "B", "A", "C"])
    skipping = evaluate_evidence(claims, lone, "rating", embedder=embedder, group_column="brand")
    assert skipping.groups == 2 and skipping.skipped == {"row of a group with no review text": 1}
    with pytest.raises(MissingColumnError, match="'market'"):
        evaluate_evidence(claims, branded, "rating", group_column="market")
    with pytest.raises(InputError, match="min_relevant must be at least 1 contradicting review, got 0"):
        evaluate_evidence(claims, branded, "rating", min_relevant=0)


class _Counting:
    """The real embedder, noting every text it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.model_id = inner, inner.model_id
        self.texts: list[str] = []

    def encode(self, texts, progress=None):
        self.texts += list(texts)
        return self.inner.encode(texts, progress)


@pytest.mark.models
def test_a_workspace_dataset_is_evaluated_as_its_file_is_and_its_sentences_embedded_once(tmp_path, embedder, labelled):
    claims = ["Fewer dropped calls", "No hidden fees"]
    branded = labelled.assign(brand=["A", "A", "B", "B", "A", "B", "A", "B"])
    from_file = evaluate_evidence(claims, branded, "rating", "about", embedder=embedder, group_column="brand")
    with Workspace.open(tmp_path / "workspace") as workspace:
        # the labels are the dataset's rating column; the about and group columns are kept as segments
        workspace.ingest(branded, "telecom", segment_columns=["about", "brand"])
        first, again = _Counting(embedder), _Counting(embedder)
        stored = workspace.evaluate_evidence(claims, "telecom", "rating", "about", embedder=first, group_column="brand")
        workspace.evaluate_evidence(claims, "telecom", "rating", "about", embedder=again, group_column="brand")
        with pytest.raises(MissingColumnError, match=r"'region' is not stored in dataset 'telecom'.*--segment-column"):
            workspace.evaluate_evidence(claims, "telecom", "rating", group_column="region")
    assert stored.reviews == from_file.reviews == 7
    assert stored.skipped == from_file.skipped != {}  # the blank review, skipped at ingest, is still counted
    ours, theirs = stored.judges["alignment"], from_file.judges["alignment"]
    assert (ours.pairs, ours.ranked) == (theirs.pairs, theirs.ranked)
    assert ours.accuracy == pytest.approx(theirs.accuracy)  # stored vectors are float16: a reading moves little
    assert [group.group for group in stored.by_group] == ["A", "B"]
    review_sentences = {"My calls drop every single day.", "No surprise charges on my bill in a year."}
    assert review_sentences <= set(first.texts)
    assert not set(again.texts) - set(claims)  # the second evaluation embeds no review sentence


def test_labels_per_claim_without_the_about_column_fail_in_one_line(labelled):
    with pytest.raises(InputError, match="need the about column"):
        evaluate_evidence(["Fewer dropped calls"], labelled, "rating", labels_per_claim=True)


def test_evidence_without_its_label_column_or_any_side_fails_before_any_model_loads(labelled):
    with pytest.raises(MissingColumnError, match=r"'label'.*its columns are"):
        evaluate_evidence(["Fewer dropped calls"], labelled, "label")
    with pytest.raises(InputError, match="labelled with a side"):
        evaluate_evidence(["Fewer dropped calls"], labelled.assign(rating="n/a"), "rating")
    with pytest.raises(InputError, match="names a claim"):
        evaluate_evidence(["Fewer dropped calls"], labelled.assign(about="claim 9"), "rating", "about")


@pytest.mark.models
def test_cli_evaluate_evidence_prints_the_table_and_writes_the_json(tmp_path, capsys, labelled):
    reviews, claims, out = tmp_path / "labelled.csv", tmp_path / "claims.txt", tmp_path / "evaluation.json"
    labelled.to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    argv = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "rating"]
    code = main([*argv, "--about-column", "about", "--quiet", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "stance accuracy" in printed and "mean AP of contradicting reviews about it (1 claim)" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["judges"]["alignment"]["pairs"] == 6


@pytest.mark.models
def test_cli_evaluate_evidence_compares_several_min_similarities_side_by_side(
    tmp_path, capsys, labelled, embedder, monkeypatch
):
    counting = _Counting(embedder)
    monkeypatch.setattr("alignment.cli._embedder", lambda kind: counting)
    reviews, claims, out = tmp_path / "labelled.csv", tmp_path / "claims.txt", tmp_path / "sweep.json"
    labelled.to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    argv = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "rating"]
    code = main([*argv, "--about-column", "about", "--min-similarity", "0.1", "0.5", "0.1", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "read at 2 settings of min_similarity" in captured.out  # a repeated value is read once
    assert "min_similarity  matched reviews  pairs" in captured.out and "mean AP" in captured.out
    # the reviews are embedded once for both settings and both judges
    assert counting.texts.count("My calls drop every single day.") == 1
    loose, strict = json.loads(out.read_text(encoding="utf-8"))["sweep"]
    assert (loose["min_similarity"], strict["min_similarity"]) == (0.1, 0.5)
    assert loose["matched_reviews"] > strict["matched_reviews"]
    assert loose["judges"]["alignment"]["pairs"] > strict["judges"]["alignment"]["pairs"]


@pytest.mark.models
def test_a_sweep_splits_the_reviews_once_and_reads_each_setting_as_its_own_evaluation(embedder, labelled, monkeypatch):
    import alignment.evaluate as evaluate

    splits: list[int] = []
    real_load = evaluate._load_groups

    def counted_load(*args: Any) -> Any:
        splits.append(1)
        return real_load(*args)

    monkeypatch.setattr(evaluate, "_load_groups", counted_load)
    claims = ["Fewer dropped calls", "No hidden fees"]
    settings = [Config(min_similarity=0.1), Config(min_similarity=0.5)]
    swept = evaluate_evidence_sweep(claims, labelled, "rating", "about", settings, embedder=embedder)
    assert len(splits) == 1  # the table is read into reviews and sentences once for both settings
    for config, result in zip(settings, swept, strict=True):
        alone = evaluate_evidence(claims, labelled, "rating", "about", config, embedder=embedder)
        assert result.to_dict() == alone.to_dict()
    assert swept[0].matched_reviews > swept[1].matched_reviews
    with pytest.raises(InputError, match="at least one config"):
        evaluate_evidence_sweep(claims, labelled, "rating", "about", [], embedder=embedder)


@pytest.mark.models
def test_cli_evaluate_evidence_checks_groups_apart(tmp_path, capsys, labelled):
    reviews, claims = tmp_path / "branded.csv", tmp_path / "claims.txt"
    labelled.assign(brand=["A", "A", "B", "B", "A", "B", "A", "B"]).to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    argv = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "rating"]
    code = main([*argv, "--about-column", "about", "--group-column", "brand", "--min-relevant", "2", "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Evidence in 7 reviews in 2 groups checked apart" in printed
    assert "mean AP of contradicting reviews about it (1 group × claim pair)" in printed
    assert "group  reviews  matched  pairs  accuracy" in printed


@pytest.mark.models
def test_cli_evaluate_evidence_reads_labels_per_claim(tmp_path, capsys):
    reviews, claims = tmp_path / "long.csv", tmp_path / "claims.txt"
    LONG.to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    argv = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "label"]
    code = main([*argv, "--about-column", "about", "--id-column", "review_id", "--labels-per-claim", "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Evidence in 5 reviews (labels of a review on a claim: 3 contradicting" in printed
    assert "1 opposite labels of one review on one claim" in printed
    assert "first ten quotes labelled contradicting" not in printed  # the same as "first ten quotes right"
    assert "match recall (pairs marked about a claim, matched)" in printed
    assert "match precision (matches marked about their claim)" in printed
    assert "about it, matched" in printed


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["evaluate", "claims", "missing.jsonl"], "not found"),
        (["evaluate", "evidence", "--claims", "CLAIMS", "--reviews", "REVIEWS", "--label-column", "nope"], "'nope'"),
        (
            ["evaluate", "evidence", "--claims", "missing.txt", "--reviews", "REVIEWS", "--label-column", "rating"],
            "not found",
        ),
    ],
)
def test_cli_evaluate_reports_bad_input_in_one_line(tmp_path, capsys, labelled, argv, fragment):
    reviews, claims = tmp_path / "labelled.csv", tmp_path / "claims.txt"
    labelled.to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\n", encoding="utf-8")
    paths = {"CLAIMS": str(claims), "REVIEWS": str(reviews)}
    code = main([paths.get(arg, arg) for arg in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_star_ratings_written_as_check_reads_them_are_read_as_ratings():
    written = ["1 star", "5 stars", "★★", "★★★★", "1/5", "2 out of 5", "3", "five"]
    sides, unread = read_sides(written)
    assert sides == [
        "contradicts",
        "supports",
        "contradicts",
        "supports",
        "contradicts",
        "contradicts",
        None,
        "supports",
    ]
    assert unread == {}
    # written as ratings, 0 and 1 of 5 are low ratings, not a yes / no label's "no" and "yes"
    assert read_sides(["0/5", "1/5", "1/5"])[0] == ["contradicts"] * 3
    # a column that writes two scales is read on one, as a check reads a rating column: 8/10 is 4 of 5
    assert read_sides(["4/5", "1/5", "8/10", "2/10"] * 5)[0][:4] == [
        "supports",
        "contradicts",
        "supports",
        "contradicts",
    ]


def test_an_about_column_of_whole_floats_names_its_claims_by_number():
    from alignment.evaluate import _read_about

    unread: Counter[str] = Counter()
    claims = ["Fewer dropped calls", "No hidden fees"]
    # pandas reads whole numbers beside a blank cell (a CSV, a JSON null) as floats: 1.0, NaN
    assert _read_about([1.0, float("nan"), 2.0, "2.0", "1", np.float64(2.0)], claims, unread) == [0, None, 1, 1, 0, 1]
    assert _read_about(["2.5", "-1", "3.0", "1"], claims, unread) == [None, None, None, 0]
    assert unread == {"about names no claim": 3}


def test_an_about_column_names_a_claim_whatever_its_end_punctuation_or_quotes():
    from alignment.evaluate import _read_about

    unread: Counter[str] = Counter()
    claims = ["Fewer dropped calls", "No hidden fees"]
    named = ["Fewer dropped calls.", " fewer  DROPPED calls ", '"No hidden fees"', "No hidden fees!", "Fast setup"]
    assert _read_about(named, claims, unread) == [0, 0, 1, 1, None]
    assert unread == {"about names no claim": 1}


@pytest.mark.models
def test_an_about_column_read_by_pandas_as_floats_names_the_same_claims(embedder, labelled):
    # a blank about cell makes pd.read_csv (or a JSON null) read the column as float64: 1.0, NaN
    floats = labelled.assign(about=[1.0, 1.0, 1.0, 2.0, 2.0, np.nan, np.nan, np.nan])
    claims = ["Fewer dropped calls", "No hidden fees"]
    result = evaluate_evidence(claims, floats, "rating", "about", embedder=embedder)
    assert result.unread == {}
    assert [(claim.about, claim.contradicting_about) for claim in result.claims] == [(3, 3), (2, 0)]


def test_no_labelled_side_names_the_values_the_label_column_holds(labelled):
    with pytest.raises(InputError, match=r"it holds 'bad', 'good'\)"):
        evaluate_evidence(["Fewer dropped calls"], labelled.assign(rating=["bad", "good"] * 4), "rating")
    with pytest.raises(InputError, match="every cell is blank"):
        evaluate_evidence(["Fewer dropped calls"], labelled.assign(rating=""), "rating")


@pytest.mark.models
def test_an_unrecognised_label_is_counted_as_unread_and_not_also_as_no_side(embedder, labelled):
    frame = labelled.assign(rating=["1", "2", "awful", "5", "4", "5", "3", "3"])
    result = evaluate_evidence(["Fewer dropped calls", "No hidden fees"], frame, "rating", embedder=embedder)
    assert result.unread == {"label not recognised": 1}
    # seven reviews read: 2 contradicting, 3 supporting, 1 three-star review of no side, 1 unread
    assert result.sides == {"contradicts": 2, "supports": 3, "none": 1}
    assert sum(result.sides.values()) + sum(result.unread.values()) == result.reviews


@pytest.mark.models
def test_labels_per_claim_keep_reviews_of_different_groups_that_share_an_id_apart(embedder):
    # two brands each number their reviews from 1: brand A's review 1 has two rows, one per claim
    frame = pd.DataFrame(
        [
            ("1", "Calls drop every day on this network.", "1", "negative", "A"),
            ("1", "Calls drop every day on this network.", "2", "", "A"),
            ("2", "No hidden fees, the bill is exactly as quoted.", "2", "positive", "A"),
            ("1", "Hidden fees on every bill, outrageous.", "2", "negative", "B"),
            ("2", "Never had a dropped call with them.", "1", "positive", "B"),
            ("3", "Surprise charges again this month.", "2", "negative", "B"),
        ],
        columns=["id", "text", "about", "label", "brand"],
    )
    result = evaluate_evidence(
        ["Fewer dropped calls", "No hidden fees"],
        frame,
        "label",
        "about",
        id_column="id",
        embedder=embedder,
        labels_per_claim=True,
        group_column="brand",
    )
    assert result.reviews == 5 and result.unread == {}  # not "row of an id with another text"
    assert [(group.group, group.reviews) for group in result.by_group] == [("A", 2), ("B", 3)]
    assert result.sides == {"contradicts": 3, "supports": 2, "none": 1}
    assert [claim.contradicting_about for claim in result.claims] == [1, 2]


@pytest.mark.models
def test_a_malformed_row_is_counted_once_whatever_the_groups(tmp_path, embedder):
    path = tmp_path / "skips.csv"
    path.write_text(
        "id,text,label,brand\n"
        'r1,"My calls drop all the time, terrible.",negative,A\n'
        'r2,"No dropped calls in months, great network.",positive,A\n'
        'r3,"They charged me a hidden activation fee.",negative,B\n'
        'r4,"extra,field",negative,B,oops\n'
        "r5,Calls never drop for me.,positive,C\n"
        "r6,,negative,D\n",
        encoding="utf-8",
    )
    claims = ["Fewer dropped calls", "No hidden fees"]
    result = evaluate_evidence(claims, path, "label", embedder=embedder, group_column="brand")
    assert result.skipped == {"malformed row": 1, "row of a group with no review text": 1}
    assert result.reviews + sum(result.skipped.values()) == 6  # every row of the file, once
    whole = evaluate_evidence(claims, path, "label", embedder=embedder)
    assert whole.skipped == {"malformed row": 1, "blank text": 1}


@pytest.mark.models
def test_cli_evaluate_evidence_says_why_there_is_no_ap_when_min_relevant_ranks_nothing(tmp_path, capsys, labelled):
    reviews, claims = tmp_path / "labelled.csv", tmp_path / "claims.txt"
    labelled.to_csv(reviews, index=False)
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    argv = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "rating"]
    assert main([*argv, "--about-column", "about", "--min-relevant", "50", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "mean AP" not in printed
    assert (
        "No claim has the 50 contradicting reviews about it that --min-relevant asks for (the most: 3), so AP "
        "was not computed; lower --min-relevant to 3 or less." in printed
    )
    assert main([*argv, "--quiet"]) == 0  # without the about column there is no AP to explain
    assert "AP was not computed" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"id": "a1", "text": "x", "claims": []}\n\n{"id": "a7", "text": "Free delivery."}\n',
            "ads.jsonl, line 3 (ad 'a7'): no marked claims.",
        ),
        ('{"id": "a1", "text": "x", "claims": []}\n{"claims": []}\n', 'ads.jsonl, line 2: no "text".'),
        (
            '{"id": "a1", "text": "x", "claims": []}\n{"id": "a2", "text": "y", "claims_a": [], "claims_b": []}\n',
            "ads.jsonl, line 2 (ad 'a2') has 2 lists of marked claims, where line 1 has one list: every ad needs",
        ),
        ('{"id": 0, "text": "x", "claims": "Free"}\n', "ads.jsonl, line 1 (ad '0'): 'claims' must be a list"),
        (
            '[{"id": "a1", "text": "x", "claims": []}, {"id": "a2", "text": "y", "claims": [""]}]',
            "ads.json, item 2 (ad 'a2'): every claim in 'claims' must be text",
        ),
    ],
)
def test_annotated_ad_that_cannot_be_read_is_named_by_its_line_and_its_id(tmp_path, content, message):
    path = tmp_path / ("ads.json" if content.startswith("[") else "ads.jsonl")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_marked_ads(path)
    assert str(raised.value).startswith(message), raised.value


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"id": "a1", "text": "x", "claims": []}\n\n{"id": "a2", "text": "y", "claims": []}\n'
            '{"id": "a1", "text": "x", "claims": []}\n',
            "ads.jsonl, line 4 (ad 'a1') has the same id as line 1: both are scored",
        ),
        (  # an ad without an id is named by its line, which another's id may repeat
            '{"text": "x", "claims": []}\n{"id": 1, "text": "y", "claims": []}\n',
            "ads.jsonl, line 2 (ad '1') has the same id as line 1 (line 1 has no id and is named by its number):",
        ),
        (
            '[{"id": "a1", "text": "x", "claims": []}, {"id": "a1", "text": "y", "claims": []}]',
            "ads.json, item 2 (ad 'a1') has the same id as item 1:",
        ),
    ],
)
def test_annotated_ads_that_share_an_id_are_both_scored_and_a_note_names_both_lines(tmp_path, content, message):
    path = tmp_path / ("ads.json" if content.startswith("[") else "ads.jsonl")
    path.write_text(content, encoding="utf-8")
    notes: list[str] = []
    ads = read_marked_ads(path, notes)
    assert len(ads) == content.count('"text"')  # every ad is read, the repeat too: a benchmark must not stop
    assert len(notes) == 1 and notes[0].startswith(message), notes
    assert "both are scored, each on its own" in notes[0]
    assert read_marked_ads(path) == ads  # without a list for the notes, read alike


def test_min_relevant_under_one_is_refused_by_its_python_name_before_the_file_is_read(tmp_path):
    missing = tmp_path / "not-there.csv"  # read only after the arguments are checked
    with pytest.raises(SettingError, match=r"^min_relevant must be at least 1 contradicting review, got 0\.$"):
        evaluate_evidence_sweep(["No hidden fees"], missing, "rating", None, [Config()], min_relevant=0)
    with pytest.raises(InputError, match=r"^min_relevant must be a whole number, got '2' \(str\)"):
        evaluate_evidence_sweep(["No hidden fees"], missing, "rating", None, [Config()], min_relevant="2")  # type: ignore[arg-type]


def test_annotated_ads_with_a_bad_line_name_it_and_a_table_is_refused_as_not_json_lines(tmp_path):
    lines = tmp_path / "ads.jsonl"
    lines.write_text('{"text": "a", "claims": []}\n\n{"text": "b", "claims": [}\n', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"not valid JSON at line 3 \("):
        read_marked_ads(lines)
    table = tmp_path / "ads.csv"
    table.write_text("id,text,claims\na1,Free delivery.,Free delivery\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"ads.csv is a CSV file, not JSON Lines\. Give .* \(\.jsonl\)"):
        read_marked_ads(table)
