"""A workbook upload in the app: the first sheet with a table is read, another can be chosen, and the sheet
chosen is the one saved to the workspace."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from alignment.ingest import ColumnMapping
from alignment.ui import workspace_store
from alignment.ui.uploads import build_dataset, read_dataset_upload

TIMEOUT = 400


def _workbook() -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.DataFrame({"Bean Barn feedback": ["Exported 2025-04-01", "Confidential"]}).to_excel(
            writer, sheet_name="Cover", index=False
        )
        pd.DataFrame(
            {"comment": ["Coffee was cold again.", "Lovely staff, quick service."], "stars": ["2", "5"]}
        ).to_excel(writer, sheet_name="Reviews", index=False)
        pd.DataFrame({"note": ["Waited 20 minutes for a latte.", "Great croissants.", "Music far too loud."]}).to_excel(
            writer, sheet_name="Store 2", index=False
        )
    return buffer.getvalue()


def _datasets_page() -> None:
    from alignment.ui import datasets

    datasets.render()


def test_an_upload_reads_the_first_table_and_names_every_sheet():
    table = read_dataset_upload(_workbook(), "beanbarn.xlsx")
    assert table.sheet == "Reviews"
    assert table.sheets == ("Cover", "Reviews", "Store 2")
    assert list(table.frame.columns) == ["comment", "stars"]


@pytest.mark.models
def test_the_datasets_page_lets_the_analyst_choose_another_sheet():
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    app.session_state["aln_staged_upload"] = read_dataset_upload(_workbook(), "beanbarn.xlsx")
    app.run()
    assert not app.exception
    sheet = next(s for s in app.selectbox if s.label == "Sheet")
    assert sheet.value == "Reviews"
    assert next(s for s in app.selectbox if s.label == "Review text").value == "comment"
    sheet.select("Store 2").run()
    assert not app.exception
    assert next(s for s in app.selectbox if s.label == "Review text").value == "note"
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Reviews kept"] == "3"


def test_the_sheet_chosen_is_the_one_saved_to_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    table = read_dataset_upload(_workbook(), "beanbarn.xlsx", sheet="Store 2")
    dataset = build_dataset(table, ColumnMapping(text="note"))
    saved = workspace_store.save_dataset(dataset, "beanbarn")
    assert [review.text for review in saved.review_set.reviews] == [
        "Waited 20 minutes for a latte.",
        "Great croissants.",
        "Music far too loud.",
    ]


def test_a_role_mapped_to_no_column_is_not_detected_again_by_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    csv = "id,when,stars,comment\n1,2025-03-01,1,Calls drop every day.\n2,2025-03-02,5,No hidden fees at all.\n"
    table = read_dataset_upload(csv.encode(), "shop.csv")
    dataset = build_dataset(table, ColumnMapping(text="comment", id="id"))  # no rating, no date: as chosen
    assert dataset.review_set.mapping.rating is None
    assert all(review.rating is None for review in dataset.review_set.reviews)
    saved = workspace_store.save_dataset(dataset, "shop")  # read again from the file, with the same mapping
    assert saved.review_set.mapping.rating is None and saved.review_set.mapping.date is None


def test_every_kind_of_unread_value_a_messy_file_gives_is_explained_on_the_datasets_page(tmp_path: Path):
    from alignment.charts import dataset_overview
    from alignment.ingest import load_reviews
    from alignment.ui.datasets import INVALID_REASONS

    stars = ["5", "4", "abc", "500", "4/5", "8/10", "3", "5", "2", "55", "4", "5"]
    dates = ["2025-01-03", "soon", "03/04/2025", "1800-01-01", *["2025-02-01"] * 8]
    ids = ["a1", "a1", "", *[f"b{i}" for i in range(9)]]
    lines = [
        f"{i},review number {n} was fine. It was fine.,{r},{d}"
        for n, (i, r, d) in enumerate(zip(ids, stars, dates, strict=True))
    ]
    path = tmp_path / "messy.csv"
    path.write_text("id,text,rating,date\n" + "\n".join(lines) + "\n")
    invalid = dataset_overview(load_reviews(path)).invalid_values
    assert {"duplicate id", "missing id", "non-numeric rating", "rating out of range", "unparseable date"} <= set(
        invalid
    ), invalid
    assert set(invalid) <= set(INVALID_REASONS), set(invalid) - set(INVALID_REASONS)


def test_the_datasets_page_gives_the_ratings_on_their_scale_and_a_typo_above_it_apart(tmp_path: Path):
    from alignment.charts import dataset_overview
    from alignment.ingest import load_reviews
    from alignment.ui.datasets import rating_range

    stars = [5, 4, 1, 5, 3, 2, 5, 4, 4, 5, 1, 55]  # one "55" for "5" among a dozen ratings
    path = tmp_path / "shop.csv"
    path.write_text("id,text,rating\n" + "".join(f"{i},review {i} of the shop,{r}\n" for i, r in enumerate(stars)))
    line = rating_range(dataset_overview(load_reviews(path)))
    assert line == "1 to 5 on a 1–5 scale, and 1 rating above it (up to 55), left out as a typo · mean 3.55"
    path.write_text("id,text,rating\n" + "".join(f"{i},review {i} of the shop,{r}\n" for i, r in enumerate(stars[:-1])))
    assert rating_range(dataset_overview(load_reviews(path))) == "1 to 5 on a 1–5 scale · mean 3.55"
