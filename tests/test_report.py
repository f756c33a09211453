"""The report: JSON schema, frames and charts, built from hand-made records."""

from __future__ import annotations

import io
import json

from alignment.config import Config
from alignment.records import Ad, Claim, ClaimResult, DatasetSummary, Judgement, Judgements, Review, Sentence
from alignment.report import SCHEMA, Report, plot_gap
from alignment.score import score_claim


def _report() -> Report:
    reviews = (
        Review("r1", "Calls drop daily. Support was kind.", 1, "2025-01-02", 1.0, {"region": "Coastal"}),
        Review("r2", "Never a dropped call.", 2, None, 5.0, {"region": "North"}),
    )
    sentences = (
        Sentence(0, "Calls drop daily.", 0, 17),
        Sentence(0, "Support was kind.", 18, 35),
        Sentence(1, "Never a dropped call.", 0, 21),
    )
    judgements = (
        Judgement(0, 0.71, "contradicts", 0.1, 0.85, 0.05),
        Judgement(2, 0.66, "supports", 0.9, 0.05, 0.05),
    )
    claim = Claim("c1", "ad1", "Fewer dropped calls", 0, 19, "dropped calls", "comparative")
    result = ClaimResult(claim, score_claim(judgements, min_evidence=1), judgements)
    summary = DatasetSummary("demo.csv", 3, 2, 3, {"blank text": 1}, {"text": "text", "segments": ["region"]})
    return Report((result,), summary, Config(), reviews, sentences)


def test_report_json_has_schema_claims_matches_dataset_and_config():
    data = json.loads(_report().to_json())
    assert data["schema"] == SCHEMA
    claim = data["claims"][0]
    for key in (
        "claim_id",
        "text",
        "aspect",
        "type",
        "ad_id",
        "mentions",
        "supports",
        "contradicts",
        "neutral",
        "alignment",
        "interval",
        "risk",
        "matches",
    ):
        assert key in claim
    assert claim["matches"][0] == {
        "review_id": "r1",
        "sentence": "Calls drop daily.",
        "similarity": 0.71,
        "stance": "contradicts",
        "p_supports": 0.1,
        "p_contradicts": 0.85,
        # the review's date, rating and segments, for the JSON alone to be broken down by them
        "date": "2025-01-02",
        "rating": 1.0,
        "segments": {"region": "Coastal"},
    }
    assert "date" not in claim["matches"][1] and claim["matches"][1]["rating"] == 5.0  # only what the review has
    assert data["dataset"]["rows"] == 3 and data["dataset"]["skipped"] == {"blank text": 1}
    assert data["config"]["min_evidence"] == Config().min_evidence


def test_report_json_lists_the_ads_its_claim_offsets_index_when_copy_was_read():
    import dataclasses

    assert "ads" not in _report().to_dict()  # claims given verbatim: no copy was read
    report = dataclasses.replace(_report(), ads=(Ad("ad1", "Fewer dropped calls than ever."), Ad("ad2", "Open late")))
    data = json.loads(report.to_json())
    assert data["schema"] == SCHEMA
    assert data["ads"] == [
        {"ad_id": "ad1", "text": "Fewer dropped calls than ever."},
        {"ad_id": "ad2", "text": "Open late"},
    ]
    ads = {ad["ad_id"]: ad["text"] for ad in data["ads"]}
    claim = data["claims"][0]
    assert ads[claim["ad_id"]][claim["start"] : claim["end"]] == claim["text"]


def test_report_json_and_claims_frame_give_each_claim_the_verdict_the_app_shows():
    from alignment.charts import verdict

    report = _report()
    shown = verdict(report.claims[0].score)
    assert json.loads(report.to_json())["claims"][0]["verdict"] == shown == "mixed"  # 1 support, 1 contradicts
    assert report.claims_frame().loc[0, "verdict"] == shown


def test_report_frames_carry_review_metadata_and_segments():
    report = _report()
    claims = report.claims_frame()
    assert claims.loc[0, "supports"] == 1 and claims.loc[0, "contradicts"] == 1
    matches = report.matches_frame()
    assert list(matches["region"]) == ["Coastal", "North"]
    assert matches["date"].isna().tolist() == [False, True]


def test_report_gap_chart_has_both_shares_and_evidence_counts():
    figure = plot_gap(_report()).to_dict()
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["contradicting evidence", "supporting evidence"]
    figure_object = plot_gap(_report())
    assert list(figure_object.data[0].x) == [-50.0] and list(figure_object.data[1].x) == [50.0]
    assert any(a["text"] == "n=2" for a in figure["layout"]["annotations"])


def test_report_csv_export_neutralises_formula_cells():
    import pandas as pd

    from alignment.report import to_safe_csv

    frame = pd.DataFrame(
        {
            "sentence": ['=HYPERLINK("http://x")', "+1 great", "-2 bad", "@SUM(A1)", "\tTab", "\rCR", "plain"],
            "rating": [1, 2, 3, 4, 5, 1, 2],
        }
    )
    text = to_safe_csv(frame)
    assert text.startswith("\ufeff")  # Excel reads a CSV without a byte-order mark in the machine's code page
    round_trip = pd.read_csv(io.StringIO(text))
    assert list(round_trip.columns) == ["sentence", "rating"]  # a reader of UTF-8 takes the mark off
    assert round_trip["sentence"].tolist()[:6] == ["'" + v for v in frame["sentence"].tolist()[:6]]
    assert round_trip["sentence"].tolist()[6] == "plain"
    assert round_trip["rating"].tolist() == [1, 2, 3, 4, 5, 1, 2]


def test_report_from_judgement_arrays_is_the_report_from_their_records():
    import dataclasses

    import numpy as np
    import pandas as pd

    report = _report()
    (result,) = report.claims
    arrays = Judgements(  # float32, as the stance stage gives them
        sentence_index=np.array([0, 2, 1]),
        similarity=np.array([0.71, 0.66, 0.52], dtype=np.float32),
        p_supports=np.array([0.1, 0.9, 0.3], dtype=np.float32),
        p_contradicts=np.array([0.85, 0.05, 0.3], dtype=np.float32),
        p_neutral=np.array([0.05, 0.05, 0.4], dtype=np.float32),
        label=np.array([1, 0, 2], dtype=np.uint8),
    )
    from_arrays = dataclasses.replace(report, claims=(dataclasses.replace(result, judgements=arrays),))
    from_records = dataclasses.replace(
        report, claims=(dataclasses.replace(result, judgements=tuple(arrays.records())),)
    )
    object.__setattr__(arrays, "_records", None)  # forget the records: the report must not need them
    assert from_arrays.to_dict() == from_records.to_dict()
    pd.testing.assert_frame_equal(from_arrays.matches_frame(), from_records.matches_frame())
    pd.testing.assert_frame_equal(from_arrays.claims_frame(), from_records.claims_frame())
    assert arrays._records is None
    assert from_arrays.to_dict()["claims"][0]["matches"][2]["stance"] == "neutral"
