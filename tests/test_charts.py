"""The app's figures (alignment.charts), built from a hand-made Report: frames, charts, filters, HTML export."""

from __future__ import annotations

import dataclasses
import html
import json
import math
from datetime import date, datetime
from typing import cast

import plotly.graph_objects as go
import pytest

from alignment import charts, ratings
from alignment.config import Config
from alignment.ingest import load_reviews
from alignment.records import Claim, ClaimResult, DatasetSummary, Judgement, Review, Sentence
from alignment.report import Report
from alignment.score import score_claim
from alignment.workspace import RunClaim, RunInfo

XSS = "<script>alert('x')</script>"


def _report(min_evidence: int = 2) -> Report:
    """Two claims over three months and two regions; c1 breaks in Coastal, c2 has one mention only."""
    rows = [
        # (date, region, rating, text, stance for c1)
        ("2025-01-05", "North", 5.0, "Calls never drop.", "supports"),
        ("2025-01-20", "Coastal", 4.0, "Rock solid calls.", "supports"),
        ("2025-02-03", "North", 5.0, "No dropped calls at all.", "supports"),
        ("2025-02-14", "Coastal", 1.0, f"Calls drop daily {XSS}.", "contradicts"),
        ("2025-03-01", "Coastal", 1.0, "Dropped again mid call.", "contradicts"),
        ("2025-03-09", "Coastal", 2.0, "Calls drop daily <script>alert('x')</script>.", "contradicts"),
        (None, "North", 3.0, "Ordered a case.", "neutral"),
    ]
    reviews = tuple(
        Review(f"r{i + 1}", text, i + 1, day, rating, {"region": region})
        for i, (day, region, rating, text, _) in enumerate(rows)
    )
    sentences = tuple(Sentence(i, review.text, 0, len(review.text)) for i, review in enumerate(reviews))
    probabilities = {"supports": (0.9, 0.05, 0.05), "contradicts": (0.05, 0.9, 0.05), "neutral": (0.1, 0.1, 0.8)}
    first = tuple(
        Judgement(i, 0.6 + i / 100, stance, *probabilities[stance])  # type: ignore[arg-type]
        for i, (*_, stance) in enumerate(rows)
    )
    second = (Judgement(0, 0.5, "supports", 0.8, 0.1, 0.1),)
    claims = (
        Claim("c1", "ad1", "Fewer dropped calls", 0, 19, "dropped calls", "comparative"),
        Claim("c2", "ad1", XSS, 21, 21 + len(XSS), "script", "absolute"),
    )
    config = Config(min_evidence=min_evidence)
    results = tuple(
        ClaimResult(claim, score_claim(found, config.min_evidence, config.interval_level), found)
        for claim, found in zip(claims, (first, second), strict=True)
    )
    summary = DatasetSummary("demo.csv", 8, 7, 7, {"blank text": 1}, {"text": "text", "segments": ["region"]})
    return Report(results, summary, config, reviews, sentences)


def test_verdicts_follow_the_risk_levels_and_carry_symbols():
    report = _report()
    assert charts.verdict(report.claims[0].score) == "mixed"  # 3 support, 3 contradict
    assert charts.verdict(report.claims[1].score) == "unproven"  # 1 mention < min_evidence
    labels = {charts.verdict_label(name) for name in charts.VERDICT_ORDER}
    assert labels == {"✖ contradicted", "◐ mixed", "? unproven", "✔ supported"}
    colours = {style.colour.lower() for style in charts.VERDICTS.values()}
    assert len(colours) == 4 and "#00ff00" not in colours and "#ff0000" not in colours


def test_numbers_are_formatted_with_signs_and_units():
    assert charts.format_alignment(0.5) == "+0.50"
    assert charts.format_alignment(-0.27) == "−0.27"
    assert charts.format_alignment(None) == "n/a"
    assert charts.format_interval((-0.44, -0.09)) == "−0.44 to −0.09"


def test_filter_report_rescored_by_date_and_segment():
    report = _report()
    coastal = charts.filter_report(report, segments={"region": ["Coastal"]})
    score = coastal.claims[0].score
    assert (score.supports, score.contradicts) == (1, 3)
    assert charts.verdict(score) in {"contradicted", "mixed"}
    assert "region in Coastal" in coastal.notes[-1]
    january = charts.filter_report(report, start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert (january.claims[0].score.supports, january.claims[0].score.contradicts) == (2, 0)
    assert january.claims[0].score.mentions == 2  # the undated review drops out under a date filter
    assert charts.filter_report(report) is report
    assert charts.filter_report(report, segments={"region": []}) is report


def test_filter_report_keeps_reviews_with_no_segment_value_when_blank_is_chosen():
    report = _report()
    # North loses its value: the filter offers it as "(blank)", as the heatmap shows it
    blanked = tuple(
        dataclasses.replace(review, segments={"region": ""}) if review.segments["region"] == "North" else review
        for review in report.reviews
    )
    report = dataclasses.replace(report, reviews=blanked)
    blank = charts.filter_report(report, segments={"region": [charts.BLANK]})
    assert (blank.claims[0].score.supports, blank.claims[0].score.contradicts) == (2, 0)
    both = charts.filter_report(report, segments={"region": [charts.BLANK, "Coastal"]})
    assert both.claims[0].score.mentions == report.claims[0].score.mentions


def test_gap_bars_of_an_unproven_claim_are_faded_even_with_plenty_of_evidence():
    report = _report(min_evidence=2)
    # c1's six sentences all brush the claim only (under score.ON_TOPIC_SIMILARITY): unproven, whatever its counts
    first = report.claims[0]
    brushed = tuple(dataclasses.replace(j, similarity=0.35) for j in first.judgements)
    off_topic = dataclasses.replace(first, judgements=brushed, score=score_claim(brushed, 2))
    assert charts.verdict(off_topic.score) == "unproven" and off_topic.score.supports + off_topic.score.contradicts >= 2
    figure = charts.plot_gap(dataclasses.replace(report, claims=(off_topic, *report.claims[1:])))
    frame = charts.gap_frame(dataclasses.replace(report, claims=(off_topic, *report.claims[1:])))
    faded = dict(zip(frame["claim_id"], figure.data[0].marker.opacity, strict=True))
    assert faded == {"c1": 0.4, "c2": 0.4}  # c2 has one mention only
    whole = charts.plot_gap(report)  # on topic, c1 is mixed: full strength
    assert dict(zip(charts.gap_frame(report)["claim_id"], whole.data[0].marker.opacity, strict=True))["c1"] == 1.0


def test_gap_frame_sorts_worst_first_and_unknown_last():
    report = _report()
    frame = charts.gap_frame(report)
    assert list(frame["claim_id"]) == ["c1", "c2"]
    row = frame.iloc[0]
    assert row["support_share"] == pytest.approx(50.0) and row["contradict_share"] == pytest.approx(50.0)


def test_plot_gap_has_diverging_shares_counts_and_claim_ids_for_drill_down():
    figure = charts.plot_gap(_report())
    assert isinstance(figure, go.Figure)
    contradicting, supporting = figure.data
    assert contradicting.name == "contradicting evidence" and supporting.name == "supporting evidence"
    assert all(x <= 0 for x in contradicting.x) and all(x >= 0 for x in supporting.x)
    assert contradicting.customdata[0][0] == "c1" and contradicting.customdata[0][1] == "contradicts"
    texts = [a.text for a in figure.layout.annotations]
    assert "n=7" in texts and "n=1" in texts
    # Each claim's label carries its verdict (it no longer takes a column of its own right of the counts).
    labels = list(supporting.y)
    assert "◐ mixed" in labels[0] and "? unproven" in labels[1]
    # Clicking a bar with text needs explicit selected/unselected text styles (a plotly.js quirk).
    assert supporting.selected.textfont.color and supporting.unselected.textfont.color
    # Untrusted claim text is escaped in labels.
    assert all("<script>" not in str(label) for label in supporting.y)
    assert any("&lt;script&gt;" in str(label) for label in supporting.y)


def test_a_gap_chart_label_takes_two_short_lines_so_a_narrow_chart_keeps_its_bars():
    label = "Real people answer our support line around the clock, 24/7, every day of the year"
    lines = charts._two_lines(charts.short_text(label)).split("<br>")
    assert len(lines) == 2 and all(len(line) <= charts.GAP_LABEL_LINE for line in lines)
    assert lines[0] == "Real people answer our" and lines[1].endswith("…")
    assert charts._two_lines("No hidden fees") == "No hidden fees"
    assert (
        charts._two_lines("Fees <b>never</b> rise, whatever happens")
        == "Fees &lt;b&gt;never&lt;/b&gt; rise,<br>whatever happens"
    )


def test_trend_frame_counts_each_month_with_an_interval():
    frame = charts.trend_frame(_report())
    c1 = frame[frame["claim_id"] == "c1"].set_index(frame[frame["claim_id"] == "c1"]["month"].dt.strftime("%Y-%m"))
    assert list(c1.index) == ["2025-01", "2025-02", "2025-03"]
    assert c1.loc["2025-01", "alignment"] == pytest.approx(1.0)
    assert c1.loc["2025-03", "alignment"] == pytest.approx(-1.0)
    # one cell each: the interval's float bounds
    assert cast(float, c1.loc["2025-02", "interval_low"]) < 0 < cast(float, c1.loc["2025-02", "interval_high"])
    assert bool(c1.loc["2025-02", "enough"]) and not bool(frame[frame["claim_id"] == "c2"]["enough"].iloc[0])


def test_plot_trend_draws_one_panel_per_claim_with_volume_bars():
    figure = charts.plot_trend(_report())
    bars = [trace for trace in figure.data if trace.type == "bar"]
    points = [trace for trace in figure.data if trace.type == "scatter" and trace.customdata is not None]
    assert len(bars) == 2 and len(points) == 2
    assert points[0].customdata[0][0] == "c1" and points[0].customdata[0][1] == "2025-01"


def test_plot_trend_without_dates_explains_what_to_do():
    report = _report()
    undated = Report(
        report.claims,
        report.dataset,
        report.config,
        tuple(Review(r.review_id, r.text, r.row, None, r.rating, r.segments) for r in report.reviews),
        report.sentences,
    )
    unmapped = dataclasses.replace(undated, dataset=dataclasses.replace(report.dataset, columns={"date": None}))
    assert "map a date column" in charts.plot_trend(unmapped).layout.annotations[0].text
    # with a date column mapped, what is missing is dated evidence (filters, undated rows), not the mapping
    mapped = dataclasses.replace(undated, dataset=dataclasses.replace(report.dataset, columns={"date": "date"}))
    text = _message(charts.plot_trend(mapped))
    assert "no matched sentence's review has a date (widen the filters" in text and "map a date" not in text


def test_segment_frame_and_heatmap_are_clickable_per_cell():
    report = _report()
    frame = charts.segment_frame(report, "region")
    coastal = frame[(frame["claim_id"] == "c1") & (frame["value"] == "Coastal")].iloc[0]
    assert (coastal["supports"], coastal["contradicts"]) == (1, 3)
    assert len(frame) == 4  # every claim x value, zeros included
    figure = charts.plot_segments(report, "region")
    heatmap, _, overlay = figure.data
    assert heatmap.type == "heatmap" and heatmap.zmin == -1 and heatmap.zmax == 1
    assert overlay.type == "scatter" and list(overlay.customdata[0]) == ["c1", 0]
    with pytest.raises(KeyError):
        charts.segment_frame(report, "channel")


def test_heatmap_cells_too_thin_to_colour_are_drawn_grey_with_their_counts():
    # a heatmap draws no cell where z is None: every cell thin made one grey block with no counts
    figure = charts.plot_segments(_report(min_evidence=5), "region")
    heatmap, thin, _ = figure.data
    assert all(value is None for row in heatmap.z for value in row)
    assert [list(row) for row in thin.z] == [[0.0, 0.0], [0.0, 0.0]] and not thin.showscale
    assert [list(row) for row in thin.text] == [
        ["<sub>n=4</sub>", "<sub>n=2</sub>"],
        ["<sub>n=0</sub>", "<sub>n=1</sub>"],
    ]
    # a coloured cell is written by the alignment layer alone, so the two texts never overlap
    figure = charts.plot_segments(_report(min_evidence=2), "region")
    heatmap, thin, _ = figure.data
    assert list(heatmap.z[0]) == [-0.5, 1.0] and list(thin.z[0]) == [None, None] and list(thin.text[0]) == ["", ""]
    assert list(heatmap.text[1]) == ["", ""] and list(thin.text[1]) == ["<sub>n=0</sub>", "<sub>n=1</sub>"]


def test_trend_legend_explains_hollow_points_only_when_a_month_can_have_too_few_mentions():
    def legend(min_evidence: int) -> list[str]:
        figure = charts.plot_trend(_report(min_evidence=min_evidence))
        return [trace.name for trace in figure.data if trace.showlegend and trace.legendgroup == "alignment"]

    assert legend(2) == ["alignment, −1 to +1 (hollow: under 2 mentions)"]
    assert legend(1) == ["alignment, −1 to +1"]  # not "under 1 mentions": no month with a point has none


def test_prominence_ranks_headline_absolutes_above_late_soft_claims():
    report = _report()
    frame = charts.prominence_frame(report, {"ad1": "Fewer dropped calls. " + XSS})
    by_id = frame.set_index("claim_id")
    assert by_id["prominence"].min() >= 0 and by_id["prominence"].max() <= 100
    assert by_id.loc["c1", "position"] == pytest.approx(1.0)
    figure = charts.plot_quadrant(report, {"ad1": "Fewer dropped calls. " + XSS})
    ids = {row[0] for trace in figure.data for row in (trace.customdata if trace.customdata is not None else [])}
    assert ids == {"c1", "c2"}
    assert all("<script>" not in str(t) for trace in figure.data for t in (trace.text or []))


def test_the_prominence_chart_never_puts_a_mixed_or_unproven_claim_under_lead_with_these():
    # A mixed claim just above 0 (the tester's "Free returns, always", +0.03) and one well above it: both sit
    # in the middle band, below the supported band that "Proven strengths, lead with these" names.
    supported_floor = charts.quadrant_y("supported", 0.0)
    for alignment in (0.03, 0.25, 0.9, 1.0):
        assert charts.quadrant_y("mixed", alignment) < 1 < supported_floor
        assert charts.quadrant_y("unproven", alignment) < 1
    assert charts.quadrant_y("contradicted", 0.0) < -1 < charts.quadrant_y("mixed", -1.0)
    # Within a band, more alignment is higher.
    assert charts.quadrant_y("mixed", -0.5) < charts.quadrant_y("mixed", 0.03) < charts.quadrant_y("mixed", 0.5)
    report = _report()
    figure = charts.plot_quadrant(report)
    for trace in figure.data:
        verdict_name = next(name for name in charts.VERDICTS if trace.name.endswith(name))
        band = next(span for names, span, _ in charts._QUADRANT_BANDS if verdict_name in names)
        assert all(band[0] <= y <= band[1] for y in trace.y), verdict_name
    lead = next(note for note in charts._QUADRANT_NOTES if "lead with these" in note[2])
    assert lead[1] > 1  # the name sits in the supported band


def test_label_placement_keeps_close_labels_apart():
    offsets = charts._place_labels([50, 51], [0.5, 0.5], ["first long label", "second long label"], [20, 20])
    assert offsets[0] != offsets[1]


def test_top_quotes_are_the_most_confident_and_merge_repeats():
    report = _report()
    quotes = charts.top_quotes(report, report.claims[0], "contradicts", k=2)
    assert [q.review.review_id for q in quotes] == ["r6", "r5"]
    assert quotes[0].repeats == 1  # r4 says the same (case and spacing aside)
    meta = charts.quote_meta(quotes[0], scale_max=5)
    assert "2025-03-09" in meta and "★ 2/5" in meta and "Coastal" in meta and "r6" in meta


def test_a_quote_never_claims_the_judge_is_certain():
    review = Review("r1", "Calls drop daily.", 1)
    shown = {
        probability: charts.quote_meta(charts.Quote("Calls drop daily.", "contradicts", probability, 0.6, review, 0))
        for probability in (0.9999, 0.995, 0.994, 0.5, 0.004)
    }
    assert shown[0.9999].endswith("99% sure it contradicts")  # rounded, 100%: more than a model can know
    assert shown[0.995].endswith("99% sure it contradicts") and shown[0.994].endswith("99% sure it contradicts")
    assert shown[0.5].endswith("50% sure it contradicts")
    assert shown[0.004].endswith("1% sure it contradicts")
    assert [charts.sure_percent(p) for p in (1.0, 0.0, 0.42)] == ["99%", "1%", "42%"]


def test_html_report_is_self_contained_and_escapes_untrusted_text():
    report = _report()
    page = charts.report_html(report, [charts.plot_gap(report)])
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "plotly" in page.lower() and "Alignment." in page
    assert "cdn.plot.ly" not in page.split("<script", 2)[1][:200]  # plotly.js inlined, opens offline


def test_dataset_overview_reports_dates_ratings_skips_and_segments(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(
        "id,date,rating,channel,text\n1,2025-01-02,5,Store,Great calls.\n2,not a date,1,App,Calls drop.\n"
        "3,2025-03-04,3,App,\n4,2025-02-01,x,App,Fine.\n",
        encoding="utf-8",
    )
    overview = charts.dataset_overview(load_reviews(path))
    assert (overview.rows, overview.reviews) == (4, 3)
    assert overview.skipped == {"blank text": 1}
    assert overview.invalid_values == {"unparseable date": 1, "non-numeric rating": 1}
    assert (overview.first_date, overview.last_date, overview.dated) == ("2025-01-02", "2025-02-01", 2)
    assert overview.rating_scale == "1–5" and overview.scale_max == 5
    assert overview.segments["channel"] == {"App": 2, "Store": 1}


def test_rating_scale_names_common_scales():
    assert charts.rating_scale([1, 2, 5]) == "1–5"
    assert charts.rating_scale([0, 7, 10]) == "0–10"
    assert charts.rating_scale([]) == "no ratings"


def test_a_typo_far_above_the_scale_does_not_change_a_large_files_scale_but_a_longer_scale_is_kept():
    stars = [5.0, 4.0, 1.0, 2.0, 3.0] * 40  # 200 ratings on a 1-5 scale
    assert ratings.rating_bounds([*stars, 50.0]) == (1.0, 5.0)  # "50" for "5": one typo in 201
    assert ratings.off_scale([*stars, 50.0], (1.0, 5.0)) == 1
    assert ratings.rating_bounds([*stars, 50.0, 45.0, 55.0]) == (0.0, 100.0)  # three in 203: over 1%
    assert ratings.rating_bounds([*stars, 7.0]) == (1.0, 5.0)  # one 7 in 201: a slip, not a 1-10 file
    assert ratings.rating_bounds([*stars[:50], 7.0]) == (1.0, 10.0)  # in 51, 7 may be a rating on a 1-10 scale
    assert ratings.rating_bounds([1.0, 5.0, 50.0]) == (0.0, 100.0)  # a tiny file fits its scale whole
    assert ratings.off_scale([1.0, 5.0, 50.0], (0.0, 100.0)) == 0


def test_a_few_ratings_just_above_a_large_files_scale_are_typos_not_a_longer_scale():
    stars = [1.0, 2.0, 3.0, 4.0, 5.0] * 60  # 300 ratings on a 1-5 scale
    # a lone "6", or three "10"s among 2,900: a 1-10 scale would make every 4 stars a complaint
    assert ratings.rating_bounds([*stars[:-1], 6.0]) == (1.0, 5.0)
    assert ratings.off_scale([*stars[:-1], 6.0], (1.0, 5.0)) == 1
    assert ratings.rating_bounds([*stars * 10, 10.0, 10.0, 10.0]) == (1.0, 5.0)
    assert ratings.rating_side(4.0, 5.0) == "supports"
    # a 1-10 file has far more than 1% of its ratings over 5; a small file fits a longer scale as before
    assert ratings.rating_bounds([*stars, 6.0, 7.0, 8.0, 9.0, 10.0]) == (1.0, 10.0)
    assert ratings.rating_bounds([*stars[:95], 7.0]) == (1.0, 10.0)


def test_one_typo_among_a_few_dozen_ratings_does_not_turn_five_stars_into_a_complaint():
    stars = [5.0, 4.0, 1.0, 5.0, 3.0] * 19  # 95 ratings on a 1-5 scale, as a small export has
    assert ratings.rating_bounds([*stars[:-1], 55.0]) == (1.0, 5.0)  # one "55" for "5"
    bands = ratings.rating_bands([*stars[:-1], 55.0])
    assert bands[0] == ratings.HIGH and bands[-1] == ratings.UNRATED  # 5 stars still supports; the typo no side
    assert ratings.rating_bounds([5.0, 4.0, 1.0, 5.0, 3.0, 2.0, 5.0, 4.0, 4.0, 55.0]) == (1.0, 5.0)  # 1 in 10
    assert ratings.rating_bounds([*stars[:-2], 55.0, 60.0]) == (0.0, 100.0)  # two in 95: more than a slip
    assert ratings.rating_bounds([5.0, 4.0, 1.0, 5.0, 3.0, 2.0, 5.0, 4.0, 55.0]) == (0.0, 100.0)  # 9: whole


def test_the_dataset_overview_counts_ratings_off_the_scale_and_leaves_them_out_of_the_mean(tmp_path):
    rows = "".join(f"{i},review number {i} was fine,{5 if i % 2 else 3}\n" for i in range(200))
    path = tmp_path / "typo.csv"
    path.write_text(f"id,text,rating\n{rows}200,one more review,50\n", encoding="utf-8")
    overview = charts.dataset_overview(load_reviews(path))
    assert overview.rating_scale == "1–5" and overview.scale_max == 5
    assert overview.invalid_values == {"rating off the file's scale": 1}
    assert overview.rating_max == 50 and overview.rating_mean == 4.0  # the typo is shown, not averaged


def test_png_export_is_available_or_says_why():
    ok, reason = charts.png_export_status()
    assert reason
    if not ok:
        pytest.skip(reason)
    png = charts.figure_png(charts.plot_gap(_report()), width=600, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_json_still_matches_the_schema_after_filtering():
    data = json.loads(charts.filter_report(_report(), segments={"region": ["North"]}).to_json())
    assert data["schema"] == "alignment.report/1" and data["notes"][-1].startswith("Filtered:")


def test_quotes_carry_the_sentences_either_side_in_their_review_and_show_them_escaped():
    text = "Long time customer. Calls cut out every day. <b>Never again</b>."
    spans = [(0, 19), (20, 44), (45, len(text))]
    reviews = (Review("r1", text, 1), Review("r2", "Calls drop.", 2))
    sentences = (*(Sentence(0, text[a:b], a, b) for a, b in spans), Sentence(1, "Calls drop.", 0, 11))
    judgements = (Judgement(1, 0.6, "contradicts", 0.05, 0.9, 0.05), Judgement(3, 0.5, "contradicts", 0.1, 0.8, 0.1))
    claim = Claim("c1", "ad1", "Fewer dropped calls", 0, 19, "dropped calls", "comparative")
    config = Config(min_evidence=1)
    result = ClaimResult(claim, score_claim(judgements, 1, config.interval_level), judgements)
    summary = DatasetSummary("x.csv", 2, 2, 2, {}, {"text": "text"})
    report = Report((result,), summary, config, reviews, sentences)
    first, second = charts.top_quotes(report, result, "contradicts")
    assert (first.before, first.text, first.after) == ("Long time customer.", "Calls cut out every day.", text[45:])
    assert second.before == second.after == ""  # alone in its review, and never a sentence of another one
    page = charts.report_html(report, [])
    assert "<span class='ctx'>Long time customer.</span> <q>Calls cut out every day.</q>" in page
    assert "&lt;b&gt;Never again&lt;/b&gt;" in page and "<b>Never again</b>" not in page


def test_a_quote_that_only_names_the_claim_comes_after_one_that_says_what_went_wrong():
    texts = ["Customer service?", "@united Customer Service #2955", "The agent hung up on me twice."]
    reviews = tuple(Review(f"r{i}", text, i) for i, text in enumerate(texts))
    sentences = tuple(Sentence(i, text, 0, len(text)) for i, text in enumerate(texts))
    # the bare mentions are the more confident readings, as the stance model gives them (README, Known limits)
    judgements = tuple(Judgement(i, 0.6, "contradicts", 0.0, p, 1 - p) for i, p in enumerate((0.99, 0.98, 0.80)))
    claim = Claim("c1", "ad1", "Friendly, helpful customer service", 0, 34, "customer service", "qualitative")
    config = Config(min_evidence=1)
    result = ClaimResult(claim, score_claim(judgements, 1, config.interval_level), judgements)
    report = Report((result,), DatasetSummary("x.csv", 3, 3, 3, {}, {"text": "text"}), config, reviews, sentences)
    quotes = charts.top_quotes(report, result, "contradicts", k=2)
    # still shown when nothing better is there, but only after the quote that says something
    assert [q.text for q in quotes] == ["The agent hung up on me twice.", "Customer service?"]


def test_says_more_than_claim_reads_negations_and_new_words_not_handles_numbers_or_plurals():
    claim = "Our flights leave and arrive on time."
    assert not charts.says_more_than_claim("Flight 746.", claim)
    assert not charts.says_more_than_claim("@united flights #2955 http://t.co/x", claim)
    assert charts.says_more_than_claim("Never on time.", claim)  # a negation says a great deal
    assert charts.says_more_than_claim("Delayed again!", claim)
    # in the claim's own words, but a statement: it says the claim holds
    assert charts.says_more_than_claim("The 5G here is blazing fast.", "Blazing-fast 5G data speeds")
    assert not charts.says_more_than_claim("Fast 5G?", "Blazing-fast 5G data speeds")


def test_a_sentence_other_reviews_say_on_the_opposite_side_is_not_a_strongest_quote_of_either():
    texts = ["The store had a long line on Saturday.", "The store had a long line on Saturday.", "They open at 7am."]
    texts += ["Closed by 5pm every weekday."]
    reviews = tuple(Review(f"r{i}", text, i) for i, text in enumerate(texts))
    sentences = tuple(Sentence(i, text, 0, len(text)) for i, text in enumerate(texts))
    judgements = (
        Judgement(0, 0.5, "contradicts", 0.05, 0.95, 0.0),  # the same words, read against in one review
        Judgement(1, 0.5, "supports", 0.90, 0.10, 0.0),  # and for in another
        Judgement(2, 0.5, "supports", 0.80, 0.20, 0.0),
        Judgement(3, 0.5, "contradicts", 0.20, 0.80, 0.0),
    )
    claim = Claim("c1", "ad1", "Open late on Fridays", 0, 20, "fridays", "qualitative")
    config = Config(min_evidence=1)
    result = ClaimResult(claim, score_claim(judgements, 1, config.interval_level), judgements)
    report = Report((result,), DatasetSummary("x.csv", 4, 4, 4, {}, {"text": "text"}), config, reviews, sentences)
    assert [q.text for q in charts.top_quotes(report, result, "contradicts", k=1)] == ["Closed by 5pm every weekday."]
    assert [q.text for q in charts.top_quotes(report, result, "supports", k=1)] == ["They open at 7am."]
    # still shown when nothing else is there
    assert len(charts.top_quotes(report, result, "supports", k=2)) == 2


def _many_values_report(values: int = 30) -> Report:
    """One claim, one review per segment value: value i has ``values - i`` mentions, so the first ones hold the
    most evidence."""
    reviews: list[Review] = []
    sentences: list[Sentence] = []
    judgements: list[Judgement] = []
    for value in range(values):
        for _ in range(values - value):
            index = len(reviews)
            text = f"Calls drop, says review {index}."
            reviews.append(
                Review(
                    f"r{index}", text, index + 1, "2025-01-01", 2.0, {"store": f"Store #{value} – Airport Terminal B"}
                )
            )
            sentences.append(Sentence(index, text, 0, len(text)))
            judgements.append(Judgement(index, 0.6, "contradicts", 0.05, 0.9, 0.05))
    claim = Claim(
        "c1", "ad1", "Fewer dropped calls than any other network, anywhere you go", 0, 19, "calls", "comparative"
    )
    config = Config(min_evidence=2)
    result = ClaimResult(claim, score_claim(tuple(judgements), 2, config.interval_level), tuple(judgements))
    summary = DatasetSummary(
        "stores.csv", len(reviews), len(reviews), len(reviews), {}, {"text": "text", "segments": ["store"]}
    )
    return Report((result,), summary, config, tuple(reviews), tuple(sentences))


LONG_CLAIM = "Real people answer our support line around the clock, 24/7, every single day of the year"


def _long_claims_report() -> Report:
    """The hand-made report with long claims, as real copy has."""
    report = _report()
    long_texts = (LONG_CLAIM, "Blazing-fast 5G data speeds for streaming, gaming and everything in between")
    claims = tuple(
        ClaimResult(dataclasses.replace(result.claim, text=text), result.score, result.judgements)
        for result, text in zip(report.claims, long_texts, strict=True)
    )
    return dataclasses.replace(report, claims=claims)


def test_a_heatmap_of_many_segment_values_keeps_the_twenty_with_the_most_evidence_and_says_so():
    report = _many_values_report(30)
    figure = charts.plot_segments(report, "store")
    heatmap, _, overlay = figure.data
    assert len(heatmap.z[0]) == charts.SEGMENT_VALUES_SHOWN == 20
    headers = list(figure.layout.xaxis.ticktext)
    assert len(headers) == 20 and headers[0].startswith("Store #0 ") and headers[-1].startswith("Store #19 ")
    assert all(len(header) <= charts.SEGMENT_HEADER_CHARS for header in headers)
    assert figure.layout.title.subtitle.text == "top 20 of 30 values by evidence"
    # the clickable cells point at the values in evidence order, so a click still finds its value
    assert [row[1] for row in overlay.customdata] == list(range(20))
    # too many columns to write in: colour only (the hover keeps the numbers), headers upright to fit
    assert heatmap.text is None and figure.layout.xaxis.tickangle == -90
    assert "alignment" in overlay.hovertext[0] or "contradict" in overlay.hovertext[0]
    few = charts.plot_segments(report, "store", top=5)
    assert len(few.data[0].z[0]) == 5 and few.data[0].text is not None
    assert few.layout.title.subtitle.text == "top 5 of 30 values by evidence"
    whole = charts.plot_segments(_report(), "region")
    assert not whole.layout.title.subtitle.text  # every value shown: nothing to say


def test_a_heatmap_keeps_its_claim_labels_to_a_bounded_margin_and_its_scale_under_the_grid():
    report = _long_claims_report()
    figure = charts.plot_segments(report, "region")
    heatmap, _, overlay = figure.data
    for label in heatmap.y:
        lines = label.split("<br>")
        assert len(lines) <= 2 and all(len(line) <= charts.SEGMENT_LABEL_LINE for line in lines)
    assert heatmap.colorbar.orientation == "h"  # a colour bar at the side took a fifth of a narrow chart
    assert figure.layout.margin.r <= 40 and figure.layout.margin.l <= 10
    assert LONG_CLAIM.split(",")[0] in overlay.hovertext[0]  # the hover names the claim in full
    assert "every single day of the year" in overlay.hovertext[0]


def test_gap_chart_labels_take_a_bounded_margin_and_the_hover_keeps_the_whole_claim():
    report = _long_claims_report()
    figure = charts.plot_gap(report)
    supporting = figure.data[1]
    for label in supporting.y:
        *claim_lines, verdict_line = label.split("<br>")
        assert 1 <= len(claim_lines) <= 2 and all(len(line) <= charts.GAP_LABEL_LINE for line in claim_lines)
        assert "mixed" in verdict_line or "unproven" in verdict_line
    assert figure.layout.margin.r <= 60  # the counts only, right of the bars (verdicts were a column there too)
    assert len(figure.layout.xaxis.tickvals) <= 5  # ticks that do not pile up in a 300 px plot
    assert any("every single day of the year" in str(row[-1]) for row in supporting.customdata)
    assert "customdata[6]" in supporting.hovertemplate
    # two claims that read the same once cut to two lines keep a row each
    same = LONG_CLAIM + " and night"
    twins = dataclasses.replace(
        report,
        claims=tuple(dataclasses.replace(r, claim=dataclasses.replace(r.claim, text=same)) for r in report.claims),
    )
    rows = list(charts.plot_gap(twins).data[1].y)
    assert len(set(rows)) == 2


def test_chart_legends_sit_under_their_titles_against_the_whole_figure():
    report = _long_claims_report()
    for figure in (charts.plot_gap(report), charts.plot_trend(report), charts.plot_quadrant(report)):
        title, legend = figure.layout.title, figure.layout.legend
        assert title.yref == legend.yref == "container" and legend.xref == "container"
        assert title.y > legend.y and legend.yanchor == "top"  # a legend that wraps grows down, not into the title
        # the legend's top sits at least 40 px under the figure's top, the plot area under the legend's room
        height = figure.layout.height
        assert (1 - legend.y) * height >= 39.9 and figure.layout.margin.t >= 100


def test_trend_panel_titles_are_two_short_lines_two_panels_a_row():
    report = _long_claims_report()
    figure = charts.plot_trend(report)
    titles = [a.text for a in figure.layout.annotations]
    assert len(titles) == 2
    for title in titles:
        lines = title.split("<br>")
        assert len(lines) <= 2 and all(len(line) <= charts.TREND_TITLE_LINE for line in lines)
    assert titles[0].startswith("Real people answer our")
    # two panels side by side, each about 40% of the width (about 170 px at 800 px with the sidebar open)
    domains = sorted({tuple(figure.layout[name].domain) for name in figure.layout if name.startswith("xaxis")})
    assert len(domains) == 2 and all(0.35 <= end - start <= 0.5 for start, end in domains)
    points = [trace for trace in figure.data if trace.type == "scatter" and trace.customdata is not None]
    assert "every single day of the year" in points[0].customdata[0][6]  # the hover holds the whole claim
    # three claims: two rows, and room between them for the second row's two-line titles
    three = dataclasses.replace(report, claims=(*report.claims, report.claims[0]))
    tall = charts.plot_trend(three)
    rows = [tall.layout[name].domain for name in tall.layout if name.startswith("yaxis") and tall.layout[name].domain]
    tops, bottoms = sorted({round(row[1], 3) for row in rows}), sorted({round(row[0], 3) for row in rows})
    plot_height = tall.layout.height - tall.layout.margin.t - tall.layout.margin.b
    assert len(tops) == 2 and (bottoms[1] - tops[0]) * plot_height >= 80


def test_prominence_labels_are_two_short_lines_kept_clear_of_the_points_and_inside_a_narrow_plot():
    report = _long_claims_report()
    figure = charts.plot_quadrant(report)
    notes = {note[2] for note in charts._QUADRANT_NOTES}
    labels = [a for a in figure.layout.annotations if a.text not in notes]
    assert len(labels) == 2 and all(trace.mode == "markers" for trace in figure.data)
    for label in labels:
        lines = label.text.split("<br>")
        assert len(lines) <= 2 and all(len(line) <= charts.QUADRANT_LABEL_LINE for line in lines)
        assert label.showarrow and label.standoff > 0  # a label moved off its point keeps a line to it
    assert any("every single day of the year" in label.hovertext for label in labels)
    hovers = [row[4] for trace in figure.data for row in (trace.customdata if trace.customdata is not None else [])]
    assert any("every single day of the year" in hover for hover in hovers)
    # a point at either edge gets its label on the inward side, not cut by the plot's edge
    label = "Real people answer<br>our support line…"
    (left_dx, _), (right_dx, _) = charts._place_labels([1, 99], [0.0, 0.5], [label, label], [20, 20])
    assert left_dx >= 0 >= right_dx
    # three points in a row: no label lands on a marker at any of the widths the chart takes
    # (at the middle band's centre, clear of the names in its corners)
    xs, ys, sizes = [30, 50, 70], [-0.15, -0.15, -0.15], [40, 40, 40]
    offsets = charts._place_labels(xs, ys, [label] * 3, sizes)
    for width in charts._PLACE_WIDTHS:
        height = charts.QUADRANT_HEIGHT - charts._QUADRANT_TOP - charts._QUADRANT_BOTTOM
        low, high = charts._QUADRANT_Y
        points = [(x / 100 * width, (high - y) / (high - low) * height) for x, y in zip(xs, ys, strict=True)]
        text_w, text_h = charts._text_size(label)
        boxes = [
            (px + dx - text_w / 2, py + dy - text_h / 2, px + dx + text_w / 2, py + dy + text_h / 2)
            for (px, py), (dx, dy) in zip(points, offsets, strict=True)
        ]
        markers = [(px - 26, py - 26, px + 26, py + 26) for px, py in points]
        assert not any(charts._overlap(box, marker) for box in boxes for marker in markers), width


def _lowered_report() -> Report:
    """The hand-made report under a threshold of 0.62 with the check's own relative-matching note: c1's two
    least similar sentences (one North, one Coastal) and c2's only one (North) were matched under it."""
    from alignment.pipeline import relative_match_note

    report = _report()
    config = Config(min_evidence=2, min_similarity=0.62)
    note = relative_match_note(report.claims, config)
    assert note is not None
    return dataclasses.replace(report, config=config, notes=(note, "Another note of the check."))


def _header_and_notes(page: str) -> tuple[str, list[str]]:
    import re

    header = re.search(r"similarity threshold [^<]*</p>", page)
    assert header is not None
    return header.group(0), re.findall(r"<p class='note'>(.*?)</p>", page)


def test_the_html_reports_header_and_notes_count_the_same_claims_matched_under_the_threshold():
    whole = _lowered_report()
    header, notes = _header_and_notes(charts.report_html(whole))
    assert "lower for 2 claims (see the notes)" in header
    assert notes[0].startswith("Matched under min_similarity 0.62") and notes[0].count("“") == 2

    # Coastal keeps one of c1's sentences under the threshold and none of c2's: the note says so, as the header
    coastal = charts.filter_report(whole, segments={"region": ["Coastal"]})
    header, notes = _header_and_notes(charts.report_html(coastal))
    assert "lower for 1 claim (see the notes)" in header
    lowered = [note for note in notes if note.startswith("Matched under")]
    assert len(lowered) == 1 and lowered[0].count("“") == 1
    assert "Fewer dropped calls” (1 sentence, down to 0.61)" in lowered[0] and "script" not in lowered[0]
    assert notes[1] == "Another note of the check." and notes[-2].startswith("Filtered: region in Coastal")
    assert notes[-1] == html.escape(charts.WHOLE_DATASET_NOTE)  # the notes before the filter's: the whole dataset's

    # March holds no sentence under it: neither the header nor a note says it went lower
    march = charts.filter_report(whole, start=date(2025, 3, 1), end=date(2025, 3, 31))
    header, notes = _header_and_notes(charts.report_html(march))
    assert "lower for" not in header and not any(note.startswith("Matched under") for note in notes)
    assert charts.check_notes(march) == ("Another note of the check.", march.notes[-1], charts.WHOLE_DATASET_NOTE)
    rechecked = dataclasses.replace(march, notes=charts.check_notes(march))
    assert charts.check_notes(rechecked) == charts.check_notes(march)  # said once, however often it is read
    assert charts.WHOLE_DATASET_NOTE not in charts.check_notes(whole)  # no filter: nothing to say


def test_the_html_reports_notes_reworded_for_the_app_say_the_relative_matching_note_once():
    from alignment.ui.notes import app_note

    for report in (_lowered_report(), charts.filter_report(_lowered_report(), segments={"region": ["Coastal"]})):
        _, notes = _header_and_notes(charts.report_html(report, wording=app_note))
        lowered = [note for note in notes if note.startswith("Matched under")]
        assert len(lowered) == 1 and lowered[0].startswith("Matched under the relevance threshold 0.62"), notes
        assert not any("--no-relative-match" in note for note in notes)


def test_check_notes_leave_an_unfiltered_reports_notes_as_the_check_wrote_them():
    whole = _lowered_report()
    assert charts.check_notes(whole) == whole.notes
    plain = _report()
    assert charts.check_notes(plain) == ()


def test_the_lowest_similarity_under_the_threshold_is_rounded_down_so_it_never_reads_as_the_threshold():
    from alignment.pipeline import relative_match_note

    claim = Claim("c1", "ad1", "Switching is easy", 0, 17, "switching", "qualitative")
    found = (Judgement(0, 0.2996, "supports", 0.8, 0.1, 0.1), Judgement(1, 0.45, "supports", 0.8, 0.1, 0.1))
    result = ClaimResult(claim, score_claim(found, 1, 0.95), found)
    note = relative_match_note([result], Config(min_similarity=0.30))
    assert note is not None and "(1 sentence, down to 0.29)" in note


# ------------------------------------------------------------------------ empty filters, gaps, run history


def _message(figure: go.Figure) -> str:
    """An empty chart's message on one line (it is broken into short lines to fit a narrow chart)."""
    [note] = figure.layout.annotations
    return str(note.text).replace("<br>", " ")


def test_every_chart_says_the_same_when_the_filters_leave_no_evidence():
    report = _report()
    empty = charts.filter_report(report, start=date(2024, 6, 1), end=date(2024, 7, 31))
    figures = [
        charts.plot_gap(empty),
        charts.plot_trend(empty),
        charts.plot_segments(empty, "region"),
        charts.plot_quadrant(empty),
    ]
    messages = {_message(figure) for figure in figures}
    assert len(messages) == 1  # one wording on every chart
    [message] = messages
    assert message.startswith("No evidence in the selected filters (reviews dated 2024-06-01 to 2024-07-31)")
    # The reviews are dated, only outside the range: the trend must not say they have no date.
    assert "has a date" not in message
    assert all(charts.is_empty_chart(figure) for figure in figures)  # no data: nothing to export as PNG
    assert not any(figure.layout.xaxis.visible for figure in figures)  # no blank grid or grey box
    assert not charts.is_empty_chart(charts.plot_gap(report))
    # Unfiltered, a dataset with nothing to say about the claims says so, without naming filters.
    silent = dataclasses.replace(report, claims=tuple(dataclasses.replace(r, judgements=()) for r in report.claims))
    assert "filters" not in _message(charts.plot_gap(silent))


def test_an_empty_charts_message_is_escaped_and_broken_to_fit_a_narrow_chart():
    report = _report()
    empty = charts.filter_report(report, end=date(2024, 7, 1), segments={"region": ["<b>North</b>", "Coastal"]})
    text = charts.plot_segments(empty, "region").layout.annotations[0].text
    assert "&lt;b&gt;North&lt;/b&gt;" in text and "<b>" not in text
    assert all(len(line) <= charts.EMPTY_MESSAGE_LINE + 12 for line in text.split("<br>"))  # + escaping


def test_the_prominence_chart_leaves_out_claims_without_evidence_that_takes_a_side_rather_than_draw_them_at_0():
    report = _report()
    coastal = charts.filter_report(report, segments={"region": ["Coastal"]})  # c2's one mention is in North
    figure = charts.plot_quadrant(coastal)
    plotted = [row[0] for trace in figure.data for row in (trace.customdata if trace.customdata is not None else [])]
    assert plotted == ["c1"]
    assert charts.claims_without_alignment(coastal) == [XSS]
    assert len(figure.layout.annotations) == len(charts._QUADRANT_NOTES) + 1  # the bands' names and c1's label
    # Unfiltered, both claims have an alignment and both are drawn.
    assert charts.claims_without_alignment(report) == []


def _redated(report: Report, dates: dict[str, str]) -> Report:
    reviews = tuple(dataclasses.replace(r, date=dates.get(r.review_id, r.date)) for r in report.reviews)
    return dataclasses.replace(report, reviews=reviews)


def test_the_trend_breaks_its_line_and_band_at_months_without_evidence():
    # c1's February reviews moved to May: February, and April, have no evidence.
    report = _redated(_report(min_evidence=1), {"r3": "2025-05-03", "r4": "2025-05-14"})
    figure = charts.plot_trend(report, ["c1"])
    scatters = [trace for trace in figure.data if trace.type == "scatter"]
    band = next(trace for trace in scatters if trace.fill == "toself")
    line = next(trace for trace in scatters if trace.mode == "lines" and trace.fill != "toself")
    months = [str(x)[:7] for x in line.x]
    assert months == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    assert line.y[1] is None or math.isnan(line.y[1])  # no evidence in February: the line breaks there
    assert line.y[3] is None or math.isnan(line.y[3])
    # One closed shape per run of months with evidence (January, March, May), kept apart by None.
    assert list(band.x).count(None) == 2 and list(band.y).count(None) == 2


def test_a_single_month_trend_names_that_month_and_draws_its_bar_and_interval():
    dates = {f"r{i}": f"2025-03-{i:02d}" for i in range(1, 7)}  # every dated review in March 2025
    report = _redated(_report(min_evidence=1), dates)
    figure = charts.plot_trend(report, ["c1"])
    # The month's own tick, in full, and no other (no "Feb" either side of a March point).
    assert list(figure.layout.xaxis.ticktext) == ["Mar 2025"]
    assert [str(x)[:7] for x in figure.layout.xaxis.tickvals] == ["2025-03"]
    # The volume bar has a width of most of a month, not a hairline.
    (bar,) = [trace for trace in figure.data if trace.type == "bar"]
    assert min(bar.width) >= 15 * 24 * 3600 * 1000
    # The interval is drawn as an error bar round the one point.
    errors = [trace for trace in figure.data if trace.type == "scatter" and trace.error_y.array is not None]
    assert len(errors) == 1
    assert errors[0].error_y.array[0] > 0 and errors[0].error_y.arrayminus[0] > 0
    note = charts.trend_note(charts.trend_frame(report))
    assert note is not None and "March 2025" in note and "no trend yet" in note
    # Over several months the axis is left to plotly's month ticks and no note is given.
    several = charts.plot_trend(_report(min_evidence=1), ["c1"])
    assert several.layout.xaxis.ticktext is None and charts.trend_note(charts.trend_frame(_report())) is None


def test_an_interval_band_is_one_shape_per_run_of_consecutive_months():
    xs, ys = charts.interval_band([1, 2, 3, 4], [-0.5, float("nan"), -0.2, -0.1], [0.5, float("nan"), 0.2, 0.3])
    assert xs == [1, 1, None, 3, 4, 4, 3]
    assert ys == [0.5, -0.5, None, 0.2, 0.3, -0.1, -0.2]
    assert charts.interval_band([], [], []) == ([], [])


def _run(run_id: int, label: str | None, shares: dict[str, tuple[int, int]]) -> RunInfo:
    """A saved run of the claims in ``shares`` (text: (supports, contradicts)), all saved within one minute."""
    claims = tuple(
        RunClaim(f"c{i}", "ad1", text, "aspect", "absolute", s + c, s, c, 0, None, None, "low")
        for i, (text, (s, c)) in enumerate(shares.items())
    )
    return RunInfo(run_id, "shop", None, label, None, None, datetime(2026, 12, 3, 13, 6, run_id), {}, claims)


def test_the_run_history_keeps_the_whole_claims_its_legend_cuts_short():
    runs = [_run(i, None, {"Real people on support, day or night": (1, 3), "Open late": (2, 2)}) for i in (1, 2)]
    figure = charts.plot_run_history(runs)
    assert figure is not None
    assert charts.cut_labels(figure) == [("Real people on supp…", "Real people on support, day or night")]


def test_every_claim_of_the_run_history_has_its_own_colour_and_marker_pair():
    shares = {f"Claim number {n}": (n % 3, 2) for n in range(12)}
    figure = charts.plot_run_history([_run(i, None, shares) for i in (1, 2)])
    assert figure is not None and len(figure.data) == 12
    looks = {(trace.line.color, trace.line.dash, trace.marker.symbol) for trace in figure.data}
    assert len(looks) == 12
    # a colour that comes round again is told apart by its marker too, not by a dash alone
    assert len({(trace.line.color, trace.marker.symbol) for trace in figure.data}) == 12


def test_the_run_history_names_each_run_by_id_and_label_in_the_order_saved():
    runs = [
        _run(2, "spring campaign", {"No hidden fees": (1, 3), "Open late": (2, 2)}),
        _run(1, "spring campaign", {"No hidden fees": (3, 1), "Open late": (4, 0)}),
        _run(3, None, {"No hidden fees": (2, 2)}),
    ]
    figure = charts.plot_run_history(runs)
    assert figure is not None
    assert figure.layout.xaxis.type == "category"
    ticks = [tick.replace("<br>", " ") for tick in figure.layout.xaxis.categoryarray]
    assert ticks == ["#1 spring campaign", "#2 spring campaign", "#3"]  # two runs of one label stay apart
    fees, late = figure.data
    assert [tick.replace("<br>", " ") for tick in fees.x] == ticks
    assert list(fees.y) == [0.25, 0.75, 0.5]
    assert list(late.y) == [0.0, 0.5, None]  # run 3 did not check it: a gap, not a line across
    # The legend sits under the title, placed against the whole figure, as the other charts' legends do.
    legend = figure.layout.legend
    assert legend.orientation == "h" and legend.yref == "container" and figure.layout.title.y > legend.y
    assert figure.layout.margin.t >= 60 + 22  # room for the legend's rows above the plot
    assert charts.plot_run_history(runs[:1]) is None


def test_exports_give_the_claims_a_chart_cut_short_in_full_under_it():
    report = _long_claims_report()
    whole = "Blazing-fast 5G data speeds for streaming, gaming and everything in between"
    for figure in (
        charts.plot_gap(report),
        charts.plot_trend(report),
        charts.plot_segments(report, "region"),
        charts.plot_quadrant(report),
    ):
        found = dict((full, shown) for shown, full in charts.cut_labels(figure))
        assert whole in found and found[whole].endswith("…"), figure.layout.title.text
        # The exported picture carries the key: each cut label and its whole claim, above the caption.
        captioned = charts.caption_figure(figure, "Dataset: demo")
        key = [note.text for note in captioned.layout.annotations if note.text.startswith("<b>Claims cut short")]
        assert len(key) == 1 and html.escape(whole, quote=False) in key[0].replace("<br>    ", " ")
        assert captioned.layout.height > figure.layout.height + charts.EXPORT_CAPTION_HEIGHT
    # A chart whose labels are whole has no key, and its export only the caption.
    short = charts.plot_gap(_report())
    assert charts.cut_labels(short) == []
    assert charts.caption_figure(short, "x").layout.height == short.layout.height + charts.EXPORT_CAPTION_HEIGHT
    # The HTML report lists them under the chart, as text.
    page = charts.report_html(report, [charts.plot_quadrant(report)])
    assert "Claims cut short in this chart, in full:" in page and f"= {html.escape(whole)}</li>" in page


def test_chart_titles_wrap_to_fit_a_phone_and_push_the_legend_and_plot_down_rather_than_meet_them():
    report = _report()
    for figure in (
        charts.plot_gap(report),
        charts.plot_trend(report),
        charts.plot_segments(report, "region"),
        charts.plot_quadrant(report),
    ):
        lines = figure.layout.title.text.split("<br>")
        assert all(len(charts._plain(line)) <= charts.TITLE_LINE for line in lines), figure.layout.title.text
        if figure.layout.legend.y is not None and figure.layout.legend.yref == "container":
            # The legend's top sits under the last line of the title (title 12 px down, 22 px a line).
            legend_top = (1 - figure.layout.legend.y) * figure.layout.height
            assert legend_top >= 12 + charts.TITLE_LINE_PX * len(lines) - 4
    # Wrapping adds its lines on top: the quadrant's plot area keeps the height its labels were placed for.
    quadrant = charts.plot_quadrant(report)
    extra = charts.TITLE_LINE_PX * (len(quadrant.layout.title.text.split("<br>")) - 1)
    assert quadrant.layout.height == charts.QUADRANT_HEIGHT + extra
    assert quadrant.layout.margin.t == charts._QUADRANT_TOP + extra


def test_every_chart_carries_a_one_line_text_summary_and_the_html_report_names_each_chart_by_it():
    report = _report()
    gap = charts.plot_gap(report)
    summaries = {
        "gap": charts.chart_summary(gap),
        "trend": charts.chart_summary(charts.plot_trend(report)),
        "segments": charts.chart_summary(charts.plot_segments(report, "region")),
        "quadrant": charts.chart_summary(charts.plot_quadrant(report)),
    }
    assert all(text.startswith("Chart summary: ") and "\n" not in text for text in summaries.values())
    assert "of 2 claims, 1 mixed, 1 unproven" in summaries["gap"]
    assert "“Fewer dropped calls”, 50% of 6 mentions that take a side contradict it" in summaries["gap"]
    assert (
        "from Jan 2025 to Mar 2025" in summaries["trend"]
        and "Biggest fall: “Fewer dropped calls”" in summaries["trend"]
    )
    assert "lowest alignment −0.50 for “Fewer dropped calls” in region Coastal" in summaries["segments"]
    assert "2 mixed or unproven claims, not to lead with" in summaries["quadrant"]
    # Claim text in a summary is plain text: the HTML report escapes it, in its aria-label and under the chart.
    page = charts.report_html(report, [gap])
    assert f"role='figure' aria-label='{html.escape(summaries['gap'], quote=True)}'" in page
    assert f"<p class='summary'>{html.escape(summaries['gap'])}</p>" in page
    assert "<script>alert" not in page.split("<h2>Evidence</h2>")[0].split("<div class='chart'")[1][:2000]
    assert (
        charts.chart_summary(
            charts.plot_gap(charts.filter_report(report, start=date(2024, 6, 1), end=date(2024, 7, 1)))
        )
        == ""
    )


def test_an_exported_chart_names_the_dataset_and_the_filters():
    report = _report()
    filtered = charts.filter_report(report, start=date(2025, 2, 1), segments={"region": ["Coastal"]})
    caption = charts.export_caption(filtered, "telco-q1")
    assert "telco-q1 (demo.csv)" in caption
    assert "reviews dated 2025-02-01 to now; region in Coastal" in caption
    assert "no filters" in charts.export_caption(report, "demo.csv") and "(demo.csv)" not in caption.split("·")[1]
    figure = charts.plot_gap(filtered)
    captioned = charts.caption_figure(figure, caption)
    assert captioned.layout.height == figure.layout.height + charts.EXPORT_CAPTION_HEIGHT
    assert caption in [note.text for note in captioned.layout.annotations]
    assert caption not in [note.text for note in figure.layout.annotations]  # the page's chart is left alone


def test_a_label_broken_at_a_words_hyphen_reads_whole_again_in_an_exports_footnote():
    # "money-" at a line's end and "back" on the next read "money- back" under a PNG
    assert charts._plain("Our 30-day money-<br>back guarantee ha…") == "Our 30-day money-back guarantee ha…"
    assert charts._plain("No hidden<br>fees, <b>ever</b>") == "No hidden fees, ever"
