"""Promised quantities against reported amounts (alignment/quantities.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment import Config, check
from alignment.quantities import (
    QUANTITY_LOG_ODDS,
    compare_quantities,
    describe_comparison,
    find_bounds,
    find_quantities,
    weigh_by_quantities,
)
from alignment.records import Judgements
from alignment.training import REPO_DATA, STANCE_TEST, load_stance_pairs


def _kinds_and_values(text: str) -> list[tuple[str, float]]:
    return [(q.kind, round(q.value, 3)) for q in find_quantities(text)]


def test_amounts_are_read_in_their_base_unit_from_digits_and_words():
    assert _kinds_and_values("took 75 minutes, then 2 hrs more") == [("time", 75.0), ("time", 120.0)]
    assert _kinds_and_values("arrived a couple of weeks later") == [("time", 14 * 1440.0)]
    assert _kinds_and_values("it weighs 1.35 kg, the charger another 300 g") == [("mass", 1350.0), ("mass", 300.0)]
    assert _kinds_and_values("waited half an hour") == [("time", 30.0)]
    assert _kinds_and_values("paid $1,250 for it") == [("money:$", 1250.0)]
    assert _kinds_and_values("2,5 hours of battery") == [("time", 150.0)]
    # A price per month is its amount, never cut short at the decimal point.
    assert _kinds_and_values("Unlimited data for just $39.99/mo") == [("money:$", 39.99)]
    assert _kinds_and_values("Plans from $25/month") == [("money:$", 25.0)]


def test_clock_times_dates_bare_numbers_and_round_the_clock_are_not_amounts():
    for text in (
        "arrived at 4:30pm",
        "Open 24/7",
        "I counted 997 pieces",
        "day 27 and counting",
        "a $5m fund",
        "5 stars",
    ):
        assert find_quantities(text) == [], text


def test_a_claim_binds_its_quantity_only_with_a_bound_word():
    at_most = [
        "Delivered in 30 minutes or less",
        "A technician at your door within 48 hours",
        "Weighs under 250 g",
        "Ready in 2 hours",
        "Your refund in as little as 3 days",
    ]
    for claim in at_most:
        bounds = find_bounds(claim)
        assert len(bounds) == 1 and bounds[0].at_most, claim
    # time promised in words binds at most a day, or an hour
    same_day = find_bounds("Same-day delivery on every order")
    assert len(same_day) == 1 and same_day[0].at_most and same_day[0].quantity.value == 1440.0
    assert same_day[0].said == "same-day"
    assert find_bounds("A plumber within the hour")[0].quantity.value == 60.0
    lasts = find_bounds("Controller battery lasts 40 hours per charge")
    assert len(lasts) == 1 and not lasts[0].at_most and lasts[0].quantity.value == 2400.0
    # a condition or a limit of use is not an experience to compare with; nor is a plain spec
    for claim in (
        "Fits dogs up to 30 kg",
        "Free shipping on orders over $50",
        "30+ minutes of flight",
        "Compensation when you're delayed 15 minutes or more",
        "A 30-day money-back guarantee",
        "Fewer dropped calls than any other network",
    ):
        assert find_bounds(claim) == [], claim


def test_a_reported_amount_keeps_or_breaks_the_promised_bound():
    bounds = find_bounds("Delivered in 30 minutes or less")
    assert compare_quantities(bounds, "The driver turned up after 75 minutes.") == "contradicts"
    assert compare_quantities(bounds, "We had it in 20 minutes, still hot.") == "supports"
    assert compare_quantities(bounds, "Came in 32 minutes.") == "supports"  # within the tolerance
    assert compare_quantities(bounds, "Came in 34 minutes.") == "contradicts"
    assert compare_quantities(bounds, "Cold pizza, rude driver.") is None
    assert compare_quantities(bounds, "It cost $40 for two pizzas.") is None  # another kind of amount
    # the promise quoted back is not a report of meeting it
    assert compare_quantities(bounds, '"30 minutes" they said. Never again.') is None
    # an amount far from the promised one is about something else
    assert compare_quantities(bounds, "A customer for 5 years, it came in 25 minutes again.") == "supports"
    assert compare_quantities(bounds, "A customer for 5 years.") is None
    # any amount that breaks the bound wins over one that keeps it
    assert compare_quantities(bounds, "First order came in 25 minutes, the second in 70 minutes.") == "contradicts"
    next_day = find_bounds("Next-day delivery, guaranteed")
    assert compare_quantities(next_day, "Took 3 days to arrive.") == "contradicts"
    assert compare_quantities(next_day, "It was here in 20 hours.") == "supports"
    assert describe_comparison("Next-day delivery, guaranteed", "Took 3 days to arrive.") == "3 days against next-day"
    lasts = find_bounds("Battery lasts 40 hours")
    assert compare_quantities(lasts, "Mine dies after 20 hours of play.") == "contradicts"
    assert compare_quantities(lasts, "Got 45 hours out of one charge.") == "supports"


def _judgements(q: list[float], relevance: float = 0.8) -> Judgements:
    q_array = np.array(q)
    return Judgements(
        sentence_index=np.arange(len(q), dtype=np.int64),
        similarity=np.full(len(q), 0.5),
        p_supports=relevance * (1 - q_array),
        p_contradicts=relevance * q_array,
        p_neutral=np.full(len(q), 1 - relevance),
        label=np.where(q_array > 0.5, 1, 0).astype(np.uint8),
    )


def test_the_verdict_gives_the_side_of_the_compared_readings_only_and_keeps_their_relevance():
    texts = ["It took 75 minutes.", "Arrived in 20 minutes.", "The driver was rude."]
    found = _judgements([0.3, 0.6, 0.5])
    untouched = _judgements([0.5, 0.5, 0.5])
    weighed, moved = weigh_by_quantities(
        ["Delivered in 30 minutes or less", "Friendly drivers"], [found, untouched], texts
    )
    assert moved == 2
    assert weighed[1] is untouched  # a claim with no bound is returned as it was
    q = np.asarray(weighed[0].p_contradicts) / (
        np.asarray(weighed[0].p_contradicts) + np.asarray(weighed[0].p_supports)
    )
    logit = np.log(q / (1 - q))
    assert logit == pytest.approx([QUANTITY_LOG_ODDS, -QUANTITY_LOG_ODDS, 0.0], abs=1e-6)
    assert np.asarray(weighed[0].p_neutral) == pytest.approx(np.asarray(found.p_neutral))
    assert list(weighed[0].label) == [1, 0, 0]  # the first now contradicts, the second supports


def test_a_check_reads_a_late_delivery_as_breaking_a_promised_delivery_time(embedder):
    frame = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(6)],
            "text": [
                "Our pizza delivery took 75 minutes tonight.",
                "The delivery driver turned up after an hour and a half.",
                "Delivery was 55 minutes, the pizza was lukewarm.",
                "Pizza was delivered in 20 minutes.",
                "Our delivery came in 25 minutes flat.",
                "The driver was friendly and the pizza tasted great.",
            ],
        }
    )
    claim = ["Pizza delivered in 30 minutes or less"]
    compared = check(None, frame, Config(), claims=claim, embedder=embedder)
    alone = check(None, frame, Config(quantities=False), claims=claim, embedder=embedder)
    sides = {compared.sentences[j.sentence_index].text: j.stance for j in compared.claims[0].judgements}
    assert sides["Our pizza delivery took 75 minutes tonight."] == "contradicts"
    assert sides["The delivery driver turned up after an hour and a half."] == "contradicts"
    assert sides["Pizza was delivered in 20 minutes."] == "supports"
    assert compared.claims[0].score.contradicts > alone.claims[0].score.contradicts or (
        compared.claims[0].score.supports != alone.claims[0].score.supports
    )
    assert compared.config.quantities is True and alone.config.quantities is False
    # the report says which claim's amount was read against which sentences, and how many broke it
    note = next(n for n in compared.notes if n.startswith("Amounts read against promised quantities"))
    assert (
        "“Pizza delivered in 30 minutes or less” (at most 30 minutes): 5 sentences report an amount, 3 break it" in note
    )
    assert not any(n.startswith("Amounts read") for n in alone.notes)


def test_the_verdict_reads_the_never_trained_on_pairs_better_than_the_model_where_it_applies(embedder):
    from alignment.stance import EmbeddingStanceModel

    pairs = [
        p
        for p in load_stance_pairs([STANCE_TEST, *sorted(REPO_DATA.glob("negation_cases_*.jsonl"))])
        if p.stance != "neutral"
    ]
    compared = []
    for pair in pairs:
        verdict = compare_quantities(find_bounds(pair.claim), pair.text)
        if verdict is not None:
            compared.append((pair, verdict))
    assert len(compared) >= 100
    claims, texts = [p.claim for p, _ in compared], [p.text for p, _ in compared]
    probabilities = EmbeddingStanceModel.load().predict_proba(
        claims, texts, embedder.encode(claims), embedder.encode(texts)
    )
    q = np.clip(probabilities[:, 1] / (probabilities[:, 0] + probabilities[:, 1]), 1e-6, 1 - 1e-6)
    truth = np.array([p.stance == "contradicts" for p, _ in compared])
    alone = ((q > 0.5) == truth).mean()
    verdicts = np.mean([(v == "contradicts") == t for (_, v), t in zip(compared, truth, strict=True)])
    assert verdicts > alone + 0.05, (alone, verdicts)


def test_the_comparison_is_a_setting_and_a_run_saved_before_it_reads_as_off(tmp_path, embedder):
    from alignment.workspace import Workspace

    assert Config.from_env({"ALIGN_QUANTITIES": "0"}).quantities is False
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Delivery took 75 minutes.", "Delivered in 20 minutes."]})
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace.ingest(frame, "orders")
        report = workspace.check(
            None, "orders", Config(), claims=["Delivered in 30 minutes or less"], embedder=embedder
        )
        run = workspace.save_run(report, dataset="orders")
        assert workspace.run_report(run.run_id)["config"]["quantities"] is True
        older = {k: v for k, v in Config().to_dict().items() if k != "quantities"}
        workspace._con.execute("UPDATE runs SET config = ? WHERE run_id = ?", [json.dumps(older), run.run_id])
        assert workspace.run_report(run.run_id)["config"]["quantities"] is False


def test_a_quote_says_which_amount_broke_the_promise_and_the_report_shows_it(embedder):
    from alignment.charts import quote_meta, report_html, top_quotes

    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": [
                "Our pizza delivery took 75 minutes tonight.",
                "Pizza was delivered in 20 minutes.",
                "The delivery driver was rude <b>again</b>.",
            ],
        }
    )
    claim = ["Pizza delivered in 30 minutes or less"]
    report = check(None, frame, Config(), claims=claim, embedder=embedder)
    late = top_quotes(report, report.claims[0], "contradicts", k=5)
    assert late[0].text == "Our pizza delivery took 75 minutes tonight."
    assert late[0].amount == "75 minutes against at most 30 minutes"
    assert quote_meta(late[0]).endswith("reports 75 minutes against at most 30 minutes")
    assert [q.amount for q in top_quotes(report, report.claims[0], "supports", k=5)] == [
        "20 minutes against at most 30 minutes"
    ]
    assert "reports 75 minutes against at most 30 minutes" in report_html(report)
    # the report's JSON and frame carry it for an analyst: only on the matches it decided
    matches = {m["sentence"]: m for m in report.to_dict()["claims"][0]["matches"]}
    assert matches["Our pizza delivery took 75 minutes tonight."]["amount"] == "75 minutes against at most 30 minutes"
    assert all("amount" not in m for text, m in matches.items() if "rude" in text)
    frame_amounts = dict(zip(report.matches_frame()["sentence"], report.matches_frame()["amount"], strict=True))
    assert frame_amounts["Pizza was delivered in 20 minutes."] == "20 minutes against at most 30 minutes"
    # a sentence with no amount, and a check with the comparison off, say nothing of amounts
    assert all(not q.amount for q in late if "rude" in q.text)
    off = check(None, frame, Config(quantities=False), claims=claim, embedder=embedder)
    assert not any(q.amount for stance in ("supports", "contradicts") for q in top_quotes(off, off.claims[0], stance))


_AMOUNT_WORDS = [
    "in",
    "within",
    "under",
    "or less",
    "lasts",
    "up to",
    "half an",
    "a couple of",
    "ten",
    "$",
    "£",
    "%",
    "minutes",
    "hours",
    "days",
    "kg",
    "g",
    "1,000",
    "2,5",
    "24/7",
    "4:30",
    "same-day",
    "ago",
    "+",
    "-",
]


@settings(max_examples=200, deadline=None)
@given(
    claim=st.lists(
        st.one_of(st.sampled_from(_AMOUNT_WORDS), st.integers(0, 10**6).map(str), st.text(max_size=6)), max_size=8
    ),
    text=st.lists(
        st.one_of(st.sampled_from(_AMOUNT_WORDS), st.integers(0, 10**6).map(str), st.text(max_size=6)), max_size=12
    ),
)
def test_any_claim_and_sentence_give_a_verdict_or_none_and_spans_inside_the_text(claim, text):
    claim_text, sentence = " ".join(claim), " ".join(text)
    for quantity in find_quantities(sentence):
        assert 0 <= quantity.start < quantity.end <= len(sentence) and quantity.value >= 0
    for bound in find_bounds(claim_text):
        assert 0 <= bound.quantity.start < bound.quantity.end <= len(claim_text) and bound.said
    assert compare_quantities(find_bounds(claim_text), sentence) in (None, "supports", "contradicts")
    described = describe_comparison(claim_text, sentence)
    assert (described == "") == (compare_quantities(find_bounds(claim_text), sentence) is None)


def test_cli_check_reads_amounts_by_default_and_not_with_no_amounts(tmp_path):
    from alignment.cli import main

    reviews = tmp_path / "orders.csv"
    pd.DataFrame(
        {"id": ["a", "b"], "text": ["Our delivery took 75 minutes.", "Our delivery came in 20 minutes."]}
    ).to_csv(reviews, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Delivered in 30 minutes or less\n", encoding="utf-8")
    out = tmp_path / "report.json"
    base = ["check", "--claims", str(claims), "--reviews", str(reviews), "--quiet", "--out", str(out)]
    assert main(base) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["config"]["quantities"] is True
    assert any(note.startswith("Amounts read against promised quantities") for note in report["notes"])
    amounts = {m["sentence"]: m.get("amount") for m in report["claims"][0]["matches"]}
    assert amounts["Our delivery took 75 minutes."] == "75 minutes against at most 30 minutes"
    assert main([*base, "--no-amounts"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["config"]["quantities"] is False
    assert not any(note.startswith("Amounts read") for note in report["notes"])
    assert all("amount" not in m for m in report["claims"][0]["matches"])
