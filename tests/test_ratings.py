"""The rating prior: star ratings as a second witness to each sentence's stance (alignment.ratings)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from alignment import Config, check
from alignment.cli import main
from alignment.errors import InputError
from alignment.ratings import (
    HIGH,
    LOW,
    MIDDLE,
    RATING_PRIOR_MIN_READINGS,
    RATING_READER_MIN_SENTENCES,
    UNRATED,
    RatingPrior,
    RatingReader,
    _fit_reader,
    fit_rating_prior,
    rating_bands,
    rating_prior_note,
    rating_side,
    read_by_ratings,
    weigh_by_ratings,
)
from alignment.records import Judgements


def _judgements(q: np.ndarray, relevance: np.ndarray, first: int = 0) -> Judgements:
    """Judgements of sentences first.. with P(contradicts | on aspect) = q and the given relevance."""
    n = len(q)
    probabilities = np.stack([relevance * (1 - q), relevance * q, 1 - relevance], axis=1)
    return Judgements(
        sentence_index=np.arange(first, first + n),
        similarity=np.full(n, 0.5),
        p_supports=probabilities[:, 0],
        p_contradicts=probabilities[:, 1],
        p_neutral=probabilities[:, 2],
        label=probabilities.argmax(axis=1).astype(np.uint8),
    )


def _simulated(
    n: int,
    low_given: tuple[float, float, float],
    seed: int = 0,
    supporting: tuple[float, float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Readings of n sentences, 40% contradicting, whose text reads them right with a calibrated but
    noisy q, and whose reviews' bands follow P(band | contradicts) = low_given and, for support,
    ``supporting`` (by default low_given's mirror)."""
    rng = np.random.default_rng(seed)
    contradicts = rng.random(n) < 0.4
    # the text's evidence z ~ N(+-1.5, 1.5), read as the exact posterior P(contradicts | z), so q is
    # calibrated (the fit assumes the stance model is); it reads about 4 in 5 right
    z = np.where(contradicts, 1.5, -1.5) + rng.normal(0, 1.5, n)
    q = 1 / (1 + np.exp(-(np.log(0.4 / 0.6) + 2 * 1.5 / 1.5**2 * z)))
    bands = np.where(
        contradicts,
        rng.choice([LOW, MIDDLE, HIGH], size=n, p=low_given),
        rng.choice([LOW, MIDDLE, HIGH], size=n, p=supporting or low_given[::-1]),
    )
    return q, bands


def test_rating_bands_read_each_rating_as_rating_side_does_on_the_scale_the_file_fits():
    ratings: list[float | None] = [1.0, 2.0, 3.0, 4.0, 5.0, None, 2.0, 5.0] * 30 + [50.0]  # one typo in 241
    bands = rating_bands(ratings)
    named = {"contradicts": LOW, "supports": HIGH, None: MIDDLE}
    for rating, band in zip(ratings[:8], bands[:8], strict=True):
        assert band == (UNRATED if rating is None else named[rating_side(rating, 5.0)])
    assert bands[-1] == UNRATED  # "50" among 1-5 stars is a typo, not a 50-star rating
    assert list(rating_bands([7.0, 9.0, 2.0, 10.0])) == [MIDDLE, HIGH, LOW, HIGH]  # a 1-10 scale
    assert list(rating_bands([None, None])) == [UNRATED, UNRATED]


def test_fit_recovers_how_strongly_the_ratings_follow_the_side():
    truth = (0.6, 0.25, 0.15)  # P(band | contradicts); support mirrors it
    q, bands = _simulated(20_000, truth)
    prior = fit_rating_prior(q, bands, np.ones(len(q)))
    assert prior is not None
    expected = np.array(truth) / np.array(truth[::-1])  # 4.0, 1.0, 0.25
    assert np.allclose(prior.likelihood_ratio, expected, rtol=0.15)
    assert prior.readings == 20_000


def test_fit_finds_that_ratings_unrelated_to_the_side_say_nothing():
    rng = np.random.default_rng(3)
    q, _ = _simulated(20_000, (0.6, 0.25, 0.15))
    bands = rng.choice([LOW, MIDDLE, HIGH], size=len(q))
    prior = fit_rating_prior(q, bands, np.ones(len(q)))
    assert prior is not None
    assert np.allclose(prior.likelihood_ratio, 1.0, atol=0.1)


def test_fit_never_weighs_a_middle_rating_more_against_a_claim_than_a_low_one():
    # contradicting readings fall in middle ratings more often than in low ones: gloomy 3-star reviews
    q, bands = _simulated(20_000, (0.3, 0.6, 0.1), supporting=(0.3, 0.2, 0.5))  # ratios 1, 3 and 0.2
    prior = fit_rating_prior(q, bands, np.ones(len(q)))
    assert prior is not None
    low, middle, high = prior.likelihood_ratio
    assert low >= middle > high  # pooled where out of order, as ratings are ordered
    assert low == pytest.approx(middle)


def test_fit_declines_when_too_few_readings_are_rated():
    q, bands = _simulated(400, (0.6, 0.25, 0.15))
    bands[: 400 - int(RATING_PRIOR_MIN_READINGS) + 1] = UNRATED
    assert fit_rating_prior(q, bands, np.ones(len(q))) is None


def test_weighing_moves_an_unclear_reading_the_way_its_rating_points_and_leaves_the_rest():
    q, bands = _simulated(3000, (0.7, 0.2, 0.1), seed=5)
    # three probes after the simulated readings: an unclear sentence in a 1-star review, the same in a
    # 5-star review, the same in an unrated one
    probes = np.array([0.45, 0.45, 0.45])
    relevance = np.concatenate([np.full(len(q), 0.9), [0.9, 0.9, 0.9]])
    sentence_bands = np.concatenate([bands, [LOW, HIGH, UNRATED]])
    judged = [_judgements(np.concatenate([q, probes]), relevance)]
    (weighed,), prior = weigh_by_ratings(judged, sentence_bands)
    assert prior is not None and prior.likelihood_ratio[0] > 3 > 0.3 > prior.likelihood_ratio[2]
    low, high, unrated = (weighed.p_contradicts[-3:] / (weighed.p_contradicts[-3:] + weighed.p_supports[-3:])).tolist()
    assert low > 0.7 and weighed.label[-3] == 1  # contradicts
    assert high < 0.2 and weighed.label[-2] == 0  # supports
    assert unrated == pytest.approx(0.45, abs=1e-6)
    # relevance is the text's: only the side moves
    assert np.allclose(weighed.p_neutral, judged[0].p_neutral)
    assert np.allclose(weighed.p_supports + weighed.p_contradicts, judged[0].p_supports + judged[0].p_contradicts)
    assert np.array_equal(
        weighed.label, np.stack([weighed.p_supports, weighed.p_contradicts, weighed.p_neutral]).argmax(0)
    )


def test_weighing_is_fitted_over_every_claim_together_and_skips_claims_with_no_matches():
    q, bands = _simulated(2000, (0.7, 0.2, 0.1), seed=9)
    first = _judgements(q[:1000], np.full(1000, 0.9))
    second = _judgements(q[1000:], np.full(1000, 0.9), first=1000)
    empty = Judgements.from_records(())
    weighed, prior = weigh_by_ratings([first, empty, second], bands)
    together = fit_rating_prior(q, bands, np.full(2000, 0.9))
    assert prior is not None and together is not None
    assert prior.readings == together.readings
    assert prior.likelihood_ratio == pytest.approx(together.likelihood_ratio, rel=1e-6)
    assert len(weighed) == 3 and len(weighed[1]) == 0


def _rated_reviews(n: int = 120) -> pd.DataFrame:
    """Reviews of a phone network whose ratings follow what they say, plus unclear ones in either band."""
    complaints = [
        "My calls drop every day.",
        "Dropped call again in the middle of a meeting.",
        "Calls cut out constantly.",
    ]
    praise = ["No dropped calls since I switched.", "Calls are crystal clear and never drop.", "Not one dropped call."]
    rows = []
    for i in range(n):
        complaint = i % 2 == 0
        rows.append(
            {
                "id": f"r{i}",
                "rating": 1 if complaint else 5,
                "text": (complaints if complaint else praise)[i % 3] + f" Customer for {i % 7 + 1} years.",
            }
        )
    return pd.DataFrame(rows)


def test_check_weighs_by_ratings_by_default_says_so_and_can_read_the_text_alone(embedder):
    frame = _rated_reviews()
    weighed = check(None, frame, Config(), claims=["Fewer dropped calls"], embedder=embedder)
    alone = check(None, frame, Config(rating_prior=False), claims=["Fewer dropped calls"], embedder=embedder)
    assert weighed.rating_prior is not None and alone.rating_prior is None
    assert weighed.rating_prior.likelihood_ratio[0] > 1 > weighed.rating_prior.likelihood_ratio[2]
    assert any("weighed by its review's star rating" in note for note in weighed.notes)
    assert not any("star rating" in note for note in alone.notes)
    payload = weighed.to_dict()
    assert payload["config"]["rating_prior"] is True
    assert set(payload["rating_prior"]["likelihood_ratio"]) == {"low", "middle", "high"}
    assert "rating_prior" not in alone.to_dict()
    # the same matches, each at least as sure of the side its rating takes
    a, b = alone.claims[0].judgements, weighed.claims[0].judgements
    assert [j.sentence_index for j in a] == [j.sentence_index for j in b]
    rated = [weighed.reviews[weighed.sentences[j.sentence_index].review_index].rating for j in b]
    for before, after, rating in zip(a, b, rated, strict=True):
        if rating == 1:
            assert after.p_contradicts >= before.p_contradicts - 1e-6
        else:
            assert after.p_supports >= before.p_supports - 1e-6


def test_check_without_ratings_reads_the_text_alone(embedder):
    frame = _rated_reviews().drop(columns=["rating"])
    report = check(None, frame, Config(), claims=["Fewer dropped calls"], embedder=embedder)
    assert report.rating_prior is None
    assert not any("star rating" in note for note in report.notes)


def test_cli_no_rating_prior_reads_the_text_alone(tmp_path, capsys):
    reviews = tmp_path / "reviews.csv"
    _rated_reviews().to_csv(reviews, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\n", encoding="utf-8")
    out = tmp_path / "report.json"
    assert main(["check", "--claims", str(claims), "--reviews", str(reviews), "--quiet", "--out", str(out)]) == 0
    assert "rating_prior" in json.loads(out.read_text(encoding="utf-8"))
    args = ["check", "--claims", str(claims), "--reviews", str(reviews), "--quiet", "--no-rating-prior"]
    assert main([*args, "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["config"]["rating_prior"] is False and "rating_prior" not in report


def test_rating_prior_is_read_from_the_environment_as_a_yes_or_no():
    assert Config.from_env({"ALIGN_RATING_PRIOR": "0"}).rating_prior is False
    assert Config.from_env({"ALIGN_RATING_PRIOR": "yes"}).rating_prior is True
    with pytest.raises(InputError, match="not true or false"):
        Config.from_env({"ALIGN_RATING_PRIOR": "maybe"})


def test_evaluation_against_star_ratings_never_lets_the_ratings_weigh_the_stance_they_score(embedder):
    from alignment.evaluate import evaluate_evidence

    frame = _rated_reviews()
    claims = ["Fewer dropped calls"]
    alone = Config(rating_prior=False)
    by_rating = evaluate_evidence(claims, frame, "rating", embedder=embedder).to_dict()
    assert by_rating == evaluate_evidence(claims, frame, "rating", config=alone, embedder=embedder).to_dict()
    # labelled in a column of its own, the ratings beside the labels weigh the stance as in a user's check
    labelled = frame.assign(label=frame["rating"])
    weighed = evaluate_evidence(claims, labelled, "label", embedder=embedder).to_dict()
    assert weighed != evaluate_evidence(claims, labelled, "label", config=alone, embedder=embedder).to_dict()


def test_a_saved_run_keeps_its_rating_prior_and_a_run_saved_before_it_existed_reads_as_text_alone(tmp_path, embedder):
    from alignment.workspace import Workspace

    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.ingest(_rated_reviews(500), "phones")
        report = workspace.check(None, "phones", Config(), claims=["Fewer dropped calls"], embedder=embedder)
        assert report.rating_prior is not None and report.rating_prior.reader_sentences > 0
        run = workspace.save_run(report, dataset="phones")
        assert workspace.run_report(run.run_id) == report.to_dict()
        assert workspace.run_report(run.run_id)["rating_prior"]["reader"]["sentences"] > 0
        older = {k: v for k, v in Config(rating_prior=False).to_dict().items() if not k.startswith("rating_")}
        workspace._con.execute("UPDATE runs SET config = ? WHERE run_id = ?", [json.dumps(older), run.run_id])
        saved = workspace.run_report(run.run_id)["config"]
        assert saved["rating_prior"] is False and saved["rating_reader"] is False


def test_cli_evaluate_evidence_can_read_the_text_alone_beside_the_ratings(tmp_path):
    reviews = tmp_path / "reviews.csv"
    frame = _rated_reviews()
    frame.assign(label=frame["rating"]).to_csv(reviews, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\n", encoding="utf-8")
    args = ["evaluate", "evidence", "--claims", str(claims), "--reviews", str(reviews), "--label-column", "label"]
    weighed, alone = tmp_path / "weighed.json", tmp_path / "alone.json"
    assert main([*args, "--quiet", "--out", str(weighed)]) == 0
    assert main([*args, "--quiet", "--no-rating-prior", "--out", str(alone)]) == 0
    by_rating, by_text = (json.loads(path.read_text(encoding="utf-8")) for path in (weighed, alone))
    assert by_rating["judges"]["alignment"] != by_text["judges"]["alignment"]


def test_the_hand_labelled_clothing_sentences_hold_labels_and_spans_but_no_review_text():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "labels" / "clothing_sentences.csv"
    labels = pd.read_csv(path)
    assert list(labels.columns) == ["row", "claim", "start", "end", "draw", "label_a", "label_b"]
    assert len(labels) == 720 and not labels.duplicated(["row", "claim"]).any()
    assert set(labels.label_a) | set(labels.label_b) <= {"supports", "contradicts", "neither"}
    assert (labels.end > labels.start).all() and set(labels.draw) == {1, 2}
    assert labels.row.between(5000, 8999).all()  # rows no other measure reads


def test_the_labelled_clothing_quotes_hold_labels_and_spans_but_no_review_text():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "labels" / "clothing_quotes.csv"
    labels = pd.read_csv(path)
    assert list(labels.columns) == ["row", "claim", "start", "end", "label_a", "label_b"]
    assert len(labels) == 95 and not labels.duplicated(["row", "claim", "start"]).any()
    assert set(labels.label_a) | set(labels.label_b) <= {"supports", "contradicts", "neither"}
    assert (labels.end > labels.start).all()
    assert labels.row.between(9000, 12999).all()  # rows no other measure reads


def test_ratings_that_are_all_the_same_leave_every_reading_where_the_text_put_it():
    q, _ = _simulated(5000, (0.6, 0.25, 0.15), seed=2)
    bands = np.full(len(q), HIGH)  # a dataset of five-star reviews only: the rating tells no side from another
    (weighed,), prior = weigh_by_ratings([_judgements(q, np.full(len(q), 0.9))], bands)
    assert prior is not None and prior.likelihood_ratio[HIGH] == pytest.approx(1.0, abs=0.01)
    text = weighed.p_contradicts / (weighed.p_contradicts + weighed.p_supports)
    assert np.allclose(text, q, atol=0.005)


def _worded(n_reviews: int, seed: int = 0, width: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit sentence vectors of n_reviews two-sentence reviews, their bands and reviews: the first dimension
    leans with the review's band (low +, high -), the rest is noise."""
    rng = np.random.default_rng(seed)
    bands = rng.choice([LOW, MIDDLE, HIGH], size=n_reviews, p=[0.4, 0.2, 0.4])
    reviews = np.repeat(np.arange(n_reviews), 2)
    lean = np.select([bands == LOW, bands == HIGH], [1.0, -1.0], 0.0)[reviews]
    vectors = rng.normal(0, 1, (len(reviews), width))
    vectors[:, 0] += 1.5 * lean
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), bands[reviews].astype(np.int8), reviews


def test_the_reader_learns_which_words_go_with_low_ratings():
    vectors, bands, reviews = _worded(1500)
    reader = read_by_ratings(vectors, bands, reviews)
    assert reader is not None and reader.auc > 0.85 and reader.sentences > 1000
    assert len(reader.log_ratio) == len(vectors)
    assert (reader.log_ratio[bands == LOW] > 0).mean() > 0.8 and (reader.log_ratio[bands == HIGH] < 0).mean() > 0.8
    again = _fit_reader(vectors.copy(), bands == LOW, bands == HIGH, reviews)  # fitted again, not kept
    assert np.array_equal(again.log_ratio, reader.log_ratio)


def test_no_sentence_is_read_by_a_reader_that_saw_its_own_reviews_rating():
    vectors, bands, reviews = _worded(1500, seed=3)
    # one review says something no other review says, in a direction of its own
    odd = np.flatnonzero(reviews == 7)
    vectors[odd] = 0.0
    vectors[odd, -1] = 1.0
    as_low = read_by_ratings(vectors, np.where(reviews == 7, LOW, bands).astype(np.int8), reviews)
    as_high = read_by_ratings(vectors, np.where(reviews == 7, HIGH, bands).astype(np.int8), reviews)
    assert as_low is not None and as_high is not None
    # only the shared calibration may move: a reader fitted on its own rating would read it with the rating
    assert np.abs(as_low.log_ratio[odd] - as_high.log_ratio[odd]).max() < 0.05


def test_ratings_unrelated_to_the_words_teach_the_reader_almost_nothing():
    vectors, bands, reviews = _worded(1500, seed=4)
    shuffled = np.random.default_rng(5).permutation(bands)
    reader = read_by_ratings(vectors, shuffled, reviews)
    assert reader is not None and abs(reader.auc - 0.5) < 0.05
    assert np.quantile(np.abs(reader.log_ratio), 0.95) < 0.3


def test_the_reader_declines_with_too_few_rated_sentences_on_either_side():
    vectors, bands, reviews = _worded(1500)
    few = bands.copy()
    few[np.flatnonzero(few == HIGH)[RATING_READER_MIN_SENTENCES - 1 :]] = MIDDLE
    assert read_by_ratings(vectors, few, reviews) is None


def test_the_reader_is_kept_for_the_same_dataset_until_its_ratings_or_vectors_change():
    vectors, bands, reviews = _worded(1000, seed=6)
    served = vectors.copy()
    served.flags.writeable = False
    first = read_by_ratings(served, bands, reviews)
    assert first is not None and read_by_ratings(served, bands, reviews) is first
    changed = bands.copy()
    changed[:2] = HIGH if changed[0] != HIGH else LOW
    assert read_by_ratings(served, changed, reviews) is not first
    # a writable matrix (a one-off check, the app's vet-copy loop) is known by its bytes
    kept = read_by_ratings(vectors, bands, reviews)
    assert kept is not None and read_by_ratings(vectors.copy(), bands, reviews) is kept
    edited = vectors.copy()
    edited[0, 1] += 0.5
    assert read_by_ratings(edited, bands, reviews) is not kept


def test_weighing_joins_the_reader_where_low_ratings_go_with_contradiction():
    q, bands = _simulated(4000, (0.6, 0.25, 0.15), seed=7)
    reader = RatingReader(log_ratio=np.where(np.arange(len(q)) % 2 == 0, 2.0, -2.0), sentences=3000, auc=0.8)
    found = _judgements(q, np.full(len(q), 0.9))
    (weighed,), prior = weigh_by_ratings([found], bands, reader)
    (alone,), _ = weigh_by_ratings([found], bands)
    assert prior is not None and prior.reader_sentences == 3000 and prior.reader_auc == 0.8
    gained = np.asarray(weighed.p_contradicts) - np.asarray(alone.p_contradicts)
    assert (gained[::2] > 0).all() and (gained[1::2] < 0).all()
    assert "reader fitted on 3,000" in rating_prior_note(prior) and "reader" in prior.to_dict()
    # on a scale where 1 is best (low ratings go with support), the reader's lean would point the wrong way
    flipped = np.select([bands == LOW, bands == HIGH], [HIGH, LOW], bands)
    (_,), inverted = weigh_by_ratings([found], flipped, reader)
    assert inverted is not None and inverted.reader_sentences == 0 and "reader" not in inverted.to_dict()


def test_check_reads_a_large_rated_dataset_with_its_own_reader_unless_turned_off(embedder):
    frame = _rated_reviews(500)
    read = check(None, frame, Config(), claims=["Fewer dropped calls"], embedder=embedder)
    weighed = check(None, frame, Config(rating_reader=False), claims=["Fewer dropped calls"], embedder=embedder)
    assert read.rating_prior is not None and read.rating_prior.reader_sentences > 0
    assert weighed.rating_prior is not None and weighed.rating_prior.reader_sentences == 0
    assert any("reader fitted on" in note for note in read.notes)
    assert not any("reader fitted on" in note for note in weighed.notes)
    assert Config.from_env({"ALIGN_RATING_READER": "off"}).rating_reader is False


def test_the_rating_note_writes_its_factors_as_a_person_reads_them_not_in_exponents():
    note = rating_prior_note(RatingPrior((34123.4, 0.86, 2.5e-05), 73639))
    assert "multiplied by 34,000 in a low-rated review, 0.86 in a middle one and 1/40,000 in a high-rated one" in note
    # a marketer who rewords one claim sees the others move: the note says why
    assert "fitted on all of the check's claims together, so rewording, adding or dropping one can move" in note
    # the command line's option first: the library's notes are read at the command line and in Python
    assert note.endswith(
        "To judge the words alone, check with --no-rating-prior (Config(rating_prior=False); in the "
        "app, “Weigh stance by star ratings” off)."
    )
    assert "e+" not in note and "e-0" not in note and "73,639 rated readings" in note
