"""The Gap dashboard's tables, downloads, metrics and filters, on a hand-made report (no models): the two
evidence CSVs share their columns and stance values, the Claims table fits the page at 1400 px, the evidence
shows the quote, its stance, claim and similarity first, and filters keep their columns' names."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from alignment.config import Config
from alignment.records import Claim, ClaimResult, DatasetSummary, Judgement, Review, Sentence
from alignment.report import Report, to_safe_csv
from alignment.score import score_claim
from alignment.ui import dashboard as dashboard_page
from alignment.ui import state
from alignment.ui.dashboard import evidence_columns, filter_label
from alignment.ui.drill import Drill
from alignment.ui.workspace_view import WRAPPED_LINES, rounded_comparison, wrapped_rows

TIMEOUT = 60
# What the page leaves a table at 1400 px with the sidebar open (measured in Chromium: 938 px inside its border).
PAGE_TABLE_WIDTH = 938
LONG_CLAIM = "Blazing-fast 5G data speeds for streaming, gaming and everything in between"
SEGMENTS = ["Store/Channel", "SKU", "region"]


def _report() -> Report:
    """Two claims over two months, with three segment columns named as a file might name them."""
    rows = [
        # (date, store, sku, region, rating, text, stance towards c1)
        ("2025-01-05", "Web", "A-1", "North", 5.0, "Streaming is fast everywhere.", "supports"),
        ("2025-01-20", "Store", "A-1", "South", 1.0, "Speeds crawl every evening.", "contradicts"),
        ("2025-02-03", "Web", "B-2", "North", 2.0, "Gaming lags all the time.", "contradicts"),
        ("2025-02-14", "Store", "B-2", "South", 3.0, "Bought a case.", "neutral"),
    ]
    reviews = tuple(
        Review(f"r{i + 1}", text, i + 1, day, rating, dict(zip(SEGMENTS, (store, sku, region), strict=True)))
        for i, (day, store, sku, region, rating, text, _) in enumerate(rows)
    )
    sentences = tuple(Sentence(i, review.text, 0, len(review.text)) for i, review in enumerate(reviews))
    probabilities = {"supports": (0.9, 0.05, 0.05), "contradicts": (0.1, 0.8, 0.1), "neutral": (0.1, 0.1, 0.8)}
    first = tuple(
        Judgement(i, 0.6 + i / 100, stance, *probabilities[stance])  # type: ignore[arg-type]
        for i, (*_, stance) in enumerate(rows)
    )
    second = (Judgement(0, 0.5, "supports", 0.8, 0.1, 0.1), Judgement(1, 0.45, "contradicts", 0.2, 0.7, 0.1))
    claims = (
        Claim("c1", "ad1", LONG_CLAIM, 0, len(LONG_CLAIM), "data speeds", "quantitative"),
        Claim("c2", "ad1", "No hidden fees", len(LONG_CLAIM) + 2, len(LONG_CLAIM) + 16, "hidden fees", "absolute"),
    )
    config = Config(min_evidence=1)
    results = tuple(
        ClaimResult(claim, score_claim(found, config.min_evidence, config.interval_level), found)
        for claim, found in zip(claims, (first, second), strict=True)
    )
    summary = DatasetSummary("shop.csv", 4, 4, 4, {}, {"text": "text", "segments": SEGMENTS})
    return Report(results, summary, config, reviews, sentences)


def _dashboard_page() -> None:
    # An AppTest script: a session on a small upload whose check the test stands in for (state.current_report).
    import streamlit as st

    from alignment.ingest import ColumnMapping
    from alignment.records import Claim
    from alignment.ui import dashboard, state
    from alignment.ui.uploads import build_dataset, read_dataset_upload

    if state.DATASETS not in st.session_state:
        reviews = b"comment\nStreaming is fast everywhere.\nNo hidden fees at all.\n"
        dataset = build_dataset(read_dataset_upload(reviews, "shop.csv"), ColumnMapping(text="comment"))
        st.session_state[state.DATASETS] = {dataset.key: dataset}
        st.session_state[state.ACTIVE] = dataset.key
        state.set_copy("No hidden fees.", [Claim("c2", "ad1", "No hidden fees", 0, 14, "hidden fees", "absolute")])
    dashboard.render()


@pytest.fixture
def dashboard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[AppTest, dict[str, Any]]:
    """The Gap dashboard of the hand-made report, and what each of its downloads offers, by label."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    report = _report()
    monkeypatch.setattr(state, "current_report", lambda: (report, None))
    offered: dict[str, Any] = {}
    on_page, in_column = st.download_button, DeltaGenerator.download_button

    def recording(label: str, data: object, *args: object, **kwargs: object) -> object:
        offered[label] = data
        return on_page(label, data, *args, **kwargs)  # type: ignore[arg-type]

    def recording_in_column(self: DeltaGenerator, label: str, data: object, *args: object, **kwargs: object) -> object:
        offered[label] = data
        return in_column(self, label, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "download_button", recording)
    monkeypatch.setattr(DeltaGenerator, "download_button", recording_in_column)
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT).run()
    assert not app.exception
    return app, offered


def _csv(offered: dict[str, Any], start: str) -> pd.DataFrame:
    [label] = [label for label in offered if label.startswith(start)]
    data = offered[label]
    return pd.read_csv(io.StringIO(cast(str, data() if callable(data) else data)))


def test_the_shown_rows_download_has_the_columns_and_plain_stances_of_the_whole_evidence_download(dashboard):
    # The page marks stances "✖ contradicts" and adds a confidence column; the file of the rows shown used to
    # keep both, so pivoting on stance across it and ⬇ Evidence (CSV) matched nothing.
    app, offered = dashboard
    app.session_state["aln_drill"] = Drill(claim_id="c1")
    offered.clear()  # what this run offers
    app.multiselect(key="evidence_stance").select("contradicts").run()
    assert not app.exception
    shown, whole = _csv(offered, "⬇ These "), _csv(offered, "⬇ Evidence (CSV)")
    assert list(shown.columns) == list(whole.columns)
    assert set(whole["stance"]) == {"supports", "contradicts", "neutral"}
    assert list(shown["stance"]) == ["contradicts", "contradicts"] and set(shown["claim_id"]) == {"c1"}
    # The rows shown are rows of the whole file, as it writes them.
    key = ["claim_id", "review_id"]
    assert shown.merge(whole, on=list(whole.columns)).shape[0] == len(shown)
    assert set(map(tuple, shown[key].values)) <= set(map(tuple, whole[key].values))
    assert "⬇ These 2 rows (CSV)" in offered


def _columns(table: Any) -> dict[str, dict[str, Any]]:
    """The column configuration of a table as the browser gets it (the hidden index left out)."""
    columns = cast(dict[str, dict[str, Any]], json.loads(table.proto.columns))
    return {name: config for name, config in columns.items() if name != "_index"}


def test_the_claims_table_shows_every_column_at_1400_px_and_wraps_long_claims(dashboard):
    app, _ = dashboard
    [table] = [frame for frame in app.dataframe if "interval_high" in frame.value.columns]
    columns = _columns(table)
    assert set(columns) == set(table.value.columns)
    # Every column has a width in pixels (no "large" claim pushing the numbers out of sight), and together
    # they fit the page's table at 1400 px.
    widths = [config.get("width") for config in columns.values()]
    assert all(isinstance(width, int) for width in widths), columns
    assert sum(cast(list[int], widths)) <= PAGE_TABLE_WIDTH
    assert columns["alignment"]["label"] == "alignment" and columns["alignment"]["help"]
    assert columns["interval_low"]["help"] and columns["interval_high"]["help"]
    # The long claim wraps in its narrow column rather than being cut: rows taller than one line.
    assert table.proto.row_height > 64
    assert any("Low and high" in caption.value for caption in app.caption)


def test_the_evidence_table_shows_the_quote_its_stance_claim_and_similarity_first(dashboard):
    app, _ = dashboard
    [table] = [frame for frame in app.dataframe if "sentence" in frame.value.columns]
    assert list(table.value.columns[:4]) == ["stance", "sentence", "claim", "similarity"]
    columns = _columns(table)
    first = [columns[name]["width"] for name in ("stance", "sentence", "claim", "similarity", "confidence")]
    assert sum(first) <= PAGE_TABLE_WIDTH
    assert set(table.value["stance"]) == {"✔ supports", "✖ contradicts", "– neutral"}  # the page keeps its symbols
    # the stance judge's probability in whole percent, as the cards give it ("99% sure"), not 86.5% beside 92.81%
    assert columns["confidence"]["type_config"]["format"] == "%d%%"
    assert set(table.value["confidence"]) <= {70.0, 80.0, 90.0}


def test_the_evidence_columns_put_the_quote_first_and_leave_out_what_nothing_fills():
    shown = pd.DataFrame({"date": [None, None], "rating": [4.0, None], "claim": ["No hidden fees"] * 2})
    drilled = evidence_columns(shown, ["region"], Drill(claim_id="c1", stance="contradicts"))
    assert drilled == ["stance", "sentence", "similarity", "confidence", "rating", "region", "review_id"]
    assert evidence_columns(shown, ["region"], None)[:4] == ["stance", "sentence", "claim", "similarity"]


def test_the_evidence_metric_has_a_label_a_fifth_of_a_narrow_page_shows_whole(dashboard):
    # At 800 px a metric is about 110 px wide: "Evidence sentences" was cut to "Evidence se…".
    app, _ = dashboard
    labels = [metric.label for metric in app.metric]
    assert labels == ["Claims", "At risk", "Sentences", "Reviews", "Reviews in dataset"]
    sentences = next(metric for metric in app.metric if metric.label == "Sentences")
    assert sentences.value == "4" and "Evidence sentences" in sentences.help
    # distinct sentences, never more than the dataset has: the claims' 6 mentions hold 2 sentences twice
    assert sum(result.score.mentions for result in _report().claims) == 6


def test_segment_filters_are_labelled_with_their_columns_names_as_the_file_has_them(dashboard):
    app, _ = dashboard
    assert [multiselect.label for multiselect in app.multiselect][:3] == ["Store/Channel", "SKU", "Region"]
    assert filter_label("store_channel") == "Store_channel"
    assert filter_label("iPhone model") == "iPhone model"
    assert filter_label("") == ""


def test_rows_wrap_onto_as_many_lines_as_the_longest_text_needs():
    assert wrapped_rows(pd.Series(["No hidden fees", "Open late"]), 30).row_height is None  # one line each
    three = wrapped_rows(pd.Series(["No hidden fees", LONG_CLAIM]), 30)
    four = wrapped_rows(pd.Series([LONG_CLAIM]), 22)
    assert three.row_height is not None and four.row_height is not None
    assert 64 < three.row_height < four.row_height  # Streamlit wraps only in rows over 64 px
    assert three.height == 38 + 2 * three.row_height
    longest = wrapped_rows(pd.Series(["word " * 200] * 30), 30)
    assert longest.row_height == wrapped_rows(pd.Series(["word " * 100]), 10).row_height  # at most WRAPPED_LINES
    assert longest.height == 38 + 10 * cast(int, longest.row_height)
    assert WRAPPED_LINES[1] >= 4
    assert wrapped_rows(pd.Series([], dtype=object), 30).row_height is None


def test_no_chart_offers_a_png_when_the_filters_leave_no_evidence(dashboard, monkeypatch):
    app, offered = dashboard
    monkeypatch.setattr(dashboard_page, "png_export_status", lambda: (True, "PNG export works here."))
    offered.clear()
    app.run()
    assert "⬇ PNG" in offered  # charts with data offer their image
    offered.clear()
    filters = {multiselect.label: multiselect for multiselect in app.multiselect}
    filters["Store/Channel"].select("Web")
    filters["SKU"].select("A-1")
    filters["Region"].select("South").run()  # no review is from the web store, of A-1 and in the South
    assert not app.exception
    assert "⬇ PNG" not in offered
    charts = [element for element in app.get("plotly_chart")]
    assert len(charts) == 4
    assert all("No evidence in the selected filters" in element.proto.spec for element in charts)


def test_the_prominence_caption_names_the_claims_it_leaves_out(dashboard):
    app, _ = dashboard
    filters = {multiselect.label: multiselect for multiselect in app.multiselect}
    filters["SKU"].select("B-2").run()  # "No hidden fees" has evidence in A-1 only
    assert not app.exception
    [caption] = [caption.value for caption in app.caption if "Not plotted" in caption.value]
    assert "Not plotted: 1 of 2 claims" in caption and "“No hidden fees”" in caption
    assert "in the selected filters" in caption


def test_the_comparison_csv_rounds_alignments_as_the_table_shows_them():
    frame = pd.DataFrame(
        {
            "claim": ["Open late", "No hidden fees"],
            "alignment before": [-0.26136363636363635, None],
            "alignment after": [0.5, 0.123456],
            "alignment change": [0.7613636363636364, None],
            "supporting before": [5, None],
        }
    )
    rounded = rounded_comparison(frame)
    assert rounded["alignment before"].iloc[0] == -0.26 and pd.isna(rounded["alignment before"].iloc[1])
    assert rounded["alignment after"].tolist() == [0.5, 0.12]
    assert rounded["alignment change"].tolist()[0] == 0.76
    assert "-0.26136" not in to_safe_csv(rounded) and ",-0.26," in to_safe_csv(rounded)
    assert frame["alignment before"].iloc[0] == -0.26136363636363635  # the table keeps its values
    # a loss too small to show is no change: "+0.00", never "-0.00" (or "-0.0" in the CSV)
    tiny_frame = frame.copy()
    tiny_frame["alignment change"] = [-0.001, None]
    tiny = rounded_comparison(tiny_frame)
    assert str(tiny["alignment change"].iloc[0]) == "0.0" and "-0.0" not in to_safe_csv(tiny)


def test_the_dashboards_filters_are_in_its_address_and_a_link_opens_it_filtered(monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    report = _report()
    monkeypatch.setattr(state, "current_report", lambda: (report, None))
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT).run()
    region = next(multiselect for multiselect in app.multiselect if multiselect.label == "Region")
    region.set_value(["North"]).run()
    app.select_slider[0].set_value(("2025-02", "2025-02")).run()
    assert not app.exception
    assert app.query_params["segment.region"] == "North"
    assert (app.query_params["from"], app.query_params["to"]) == ("2025-02", "2025-02")
    # a colleague opening that address sees the same filters
    colleague = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT)
    for name in ("segment.region", "from", "to"):
        colleague.query_params[name] = app.query_params[name]
    colleague.run()
    assert not colleague.exception
    assert [m.value for m in colleague.multiselect if m.label == "Region"] == [["North"]]
    assert colleague.select_slider[0].value == ("2025-02", "2025-02")
    # a filter cleared leaves the address
    next(m for m in colleague.multiselect if m.label == "Region").set_value([]).run()
    assert "segment.region" not in colleague.query_params


def test_a_links_dates_may_be_days_or_lie_past_the_data_and_what_cannot_be_applied_is_said(monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    report = _report()  # reviews dated January and February 2025

    def opened(**params: str) -> AppTest:
        monkeypatch.setattr(state, "current_report", lambda: (report, None))
        app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT)
        for name, value in params.items():
            app.query_params[name] = value
        app.run()
        assert not app.exception
        return app

    def said(app: AppTest) -> list[str]:
        return [i.value.replace("\\", "") for i in app.info if i.value.startswith("The link's filters")]

    # days read as their months; a range reaching past the data is cut to it
    app = opened(**{"from": "2025-02-01", "to": "2025-02-28"})
    assert app.select_slider[0].value == ("2025-02", "2025-02") and not said(app)
    app = opened(**{"from": "2024-06", "to": "2025-01"})
    assert app.select_slider[0].value == ("2025-01", "2025-01") and not said(app)
    # what cannot be applied is said, not dropped in silence
    app = opened(**{"from": "2025-02", "to": "2025-01", "segment.region": "Mars"})
    assert app.select_slider[0].value == ("2025-01", "2025-02")
    (note,) = said(app)
    assert "the first is after the last" in note and "Region “Mars” (not in this dataset)" in note
    (note,) = said(opened(**{"from": "June"}))
    assert "write them as months, from=2025-04&to=2025-06" in note
    (note,) = said(opened(**{"from": "2030-01"}))
    assert "dated 2025-01 to 2025-02" in note


def _hand_over_page() -> None:
    from alignment.ui import common

    common.switch_keeping_address("the dashboard")


def test_the_dashboard_link_hands_over_with_every_filter_its_address_carries(monkeypatch):
    # /dashboard, the address to bookmark, hands over to the dashboard: it lost ?from=…&segment.…= on the way
    import streamlit as st

    def record(page: object, *, query_params: object = None) -> None:
        st.session_state["switched"] = (page, query_params)

    monkeypatch.setattr(st, "switch_page", record)
    app = AppTest.from_function(_hand_over_page, default_timeout=TIMEOUT)
    app.query_params["segment.region"] = ["North", "Coastal"]
    app.query_params["from"] = "2025-02"
    app.run()
    assert not app.exception
    assert app.session_state["switched"] == (
        "the dashboard",
        {"segment.region": ["North", "Coastal"], "from": ["2025-02"]},
    )


def test_the_html_report_words_its_notes_as_the_page_does_not_for_the_command_line(dashboard, monkeypatch):
    from alignment.ratings import RatingPrior, rating_prior_note

    app, offered = dashboard
    note = rating_prior_note(RatingPrior((17.0, 1.2, 0.12), 1673, reader_sentences=1198, reader_auc=0.75))
    noted = dataclasses.replace(_report(), notes=(note,))
    monkeypatch.setattr(state, "current_report", lambda: (noted, None))
    app.run()
    assert not app.exception
    built = next(data for label, data in offered.items() if "HTML report" in label)
    page = (built() if callable(built) else built).decode("utf-8")
    assert "picks the low-rated one 75% of the time" in page and "in the sidebar&#x27;s Check settings" in page
    assert "--no-rating-prior" not in page and "Config(" not in page and "AUC" not in page


def test_the_evidence_narrows_to_a_claim_chosen_from_a_list_as_a_keyboard_user_can(dashboard):
    app, offered = dashboard
    offered.clear()
    claims = app.selectbox(key="evidence_claim")
    assert claims.value is None  # every claim
    claims.select("c1").run()
    assert not app.exception
    shown = _csv(offered, "⬇ These ")
    assert set(shown["claim_id"]) == {"c1"} and len(shown) == 4
