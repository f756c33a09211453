"""The app and the workspace: save an upload, list, load and delete it from another session, refuse bad and
taken names in one line, cope with a workspace another process holds, reuse stored sentence vectors, and
save checks as runs that the run history lists and opens."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from alignment.config import Config
from alignment.embed import CachedEmbedder
from alignment.ui import workspace_store
from alignment.ui.uploads import read_dataset_upload
from alignment.ui.workspace_view import contradiction_history
from alignment.workspace import RunClaim, RunInfo, Workspace

TIMEOUT = 400  # the first run loads the models on a small CPU
SMALL_CSV = (
    "id,when,stars,store,comment\n"
    "1,2025-03-01,1,North,My calls drop every single day.\n"
    "2,2025-03-02,5,South,No hidden fees at all and the bill was what they quoted.\n"
    "3,2025-04-03,2,North,Waited two hours for support at night.\n"
    "4,2025-04-04,,South,\n"
)


@pytest.fixture
def workspace_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace folder that the app (ALIGN_WORKSPACE) and the test both use."""
    folder = tmp_path / "workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", str(folder))
    return folder


def _datasets_page() -> None:
    from alignment.ui import datasets

    datasets.render()


def _dashboard_page() -> None:
    from alignment.ui import dashboard

    dashboard.render()


def _click(app: AppTest, label: str) -> AppTest:
    labels = [b.label for b in app.button]
    assert label in labels, f"no button {label!r} in {labels}"
    return app.button[labels.index(label)].click().run()


def _text_input(app: AppTest, label: str):
    found = [t for t in app.text_input if t.label == label]
    assert found, f"no text input {label!r}"
    return found[0]


def _one_line_errors(app: AppTest) -> list[str]:
    messages = [e.value for e in app.error]
    assert all("\n" not in m and "Traceback" not in m for m in messages), messages
    return messages


def _validated_upload(name: str = "small.csv") -> AppTest:
    """A Datasets page session with SMALL_CSV uploaded and validated (so it is the active dataset)."""
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT)
    app.session_state["aln_staged_upload"] = read_dataset_upload(SMALL_CSV.encode(), name)
    app.run()
    _click(app, "Validate and make active")
    assert not app.exception
    assert app.session_state["aln_datasets"][app.session_state["aln_active_dataset"]].origin == "uploaded"
    return app


def _stored(folder: Path) -> list[str]:
    with Workspace.open(folder) as workspace:
        return [info.name for info in workspace.list_datasets()]


@pytest.fixture
def held_workspace(workspace_dir: Path) -> Iterator[Path]:
    """The workspace held open for writing by another process, as `alignment ingest` would hold it."""
    Workspace.open(workspace_dir).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(workspace_dir / "workspace.duckdb"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield workspace_dir
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


# ------------------------------------------------------------------------------------------ glue, no models


class _CountingEmbedder:
    """A stand-in model: a fixed vector per text, and a record of what it was asked to embed."""

    model_id = "test/counting"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def encode(self, texts, progress=None):
        self.embedded.extend(texts)
        vectors = np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_sentence_vectors_stored_by_one_check_are_reused_by_the_next(workspace_dir):
    first = _CountingEmbedder()
    vectors = CachedEmbedder(first, workspace_store.WorkspaceVectors()).encode(["calls drop", "no fees", "calls drop"])
    assert first.embedded == ["calls drop", "no fees"]
    second = _CountingEmbedder()  # a new server process: nothing in memory, only the workspace
    stored = workspace_store.WorkspaceVectors()
    again = CachedEmbedder(second, stored).encode(["no fees", "calls drop", "slow support"])
    assert second.embedded == ["slow support"]
    assert stored.unavailable is None
    np.testing.assert_allclose(again[:2], vectors[[1, 0]], atol=1e-3)
    with Workspace.open(workspace_dir) as workspace:
        assert workspace.embedding_cache().count("test/counting") == 3


def test_a_busy_workspace_degrades_to_computing_vectors(held_workspace):
    embedder = _CountingEmbedder()
    stored = workspace_store.WorkspaceVectors()
    vectors = CachedEmbedder(embedder, stored).encode(["calls drop", "no fees"])
    assert vectors.shape == (2, 3) and embedder.embedded == ["calls drop", "no fees"]
    assert stored.unavailable is not None and "in use" in stored.unavailable


def test_suggested_names_are_valid_dataset_names():
    for filename, expected in [
        ("Spring reviews (2025).csv", "Spring-reviews-2025"),
        ("../../etc/passwd", "passwd"),
        ("...csv", "reviews"),
        ("ünïcode only.xlsx", "n-code-only"),
    ]:
        assert workspace_store.suggest_name(filename) == expected
        workspace_store.check_name(expected)
    assert len(workspace_store.suggest_name("x" * 200 + ".csv")) == 64


def test_history_chart_draws_each_claims_contradiction_share_across_runs():
    def run(run_id: int, contradicts: int, supports: int) -> RunInfo:
        claims = (
            RunClaim(
                "c1", "ad1", "No hidden fees", "fees", "absolute", 10, supports, contradicts, 0, None, None, "low"
            ),
            RunClaim(
                "c2", "ad1", "Never drops calls", "calls", "absolute", 0, 0, 0, 0, None, None, "insufficient evidence"
            ),
        )
        return RunInfo(run_id, "d", None, None, None, None, datetime(2025, 5, run_id), {}, claims)

    assert contradiction_history([run(1, 1, 3)]) is None  # one run: nothing to compare
    figure = contradiction_history([run(2, 3, 1), run(1, 1, 3)])
    assert figure is not None
    assert [trace.name for trace in figure.data] == ["No hidden fees"]  # no evidence for the other claim
    assert list(figure.data[0].y) == [0.25, 0.75]  # in time order


def test_history_chart_pairs_claims_across_runs_as_the_comparison_does():
    def run(run_id: int, text: str, contradicts: int) -> RunInfo:
        claim = RunClaim("c1", "ad1", text, "fees", "absolute", 10, 10 - contradicts, contradicts, 0, None, None, "low")
        return RunInfo(run_id, "d", None, None, None, None, datetime(2025, 5, run_id), {}, (claim,))

    # Reworded only in case and end punctuation: "Compare two runs" pairs them, so the chart draws one line.
    figure = contradiction_history([run(1, "No hidden fees.", 8), run(2, "NO HIDDEN FEES!", 2)])
    assert figure is not None
    assert [trace.name for trace in figure.data] == ["NO HIDDEN FEES!"]  # named by the latest wording
    assert list(figure.data[0].y) == [0.8, 0.2]


# ------------------------------------------------------------------------------------------ Datasets page


@pytest.mark.models
def test_an_upload_saved_to_the_workspace_is_listed_loaded_and_deleted_in_a_new_session(workspace_dir):
    app = _validated_upload()
    assert any("Until you save it" in c.value for c in app.caption)
    assert any("No datasets saved yet" in i.value for i in app.info)
    name_input = _text_input(app, "Name in the workspace")
    assert name_input.value == "small"  # suggested from the file name
    name_input.input("spring-reviews")
    _click(app, "Save to workspace")
    assert not app.exception
    assert any("Saved spring-reviews to the workspace" in s.value for s in app.success)
    assert _stored(workspace_dir) == ["spring-reviews"]
    active = app.session_state["aln_datasets"][app.session_state["aln_active_dataset"]]
    assert (active.origin, active.workspace_name, active.review_set.summary.reviews) == (
        "workspace",
        "spring-reviews",
        3,
    )
    assert len(app.session_state["aln_datasets"]) == 2  # the demo and the saved copy; the upload was replaced
    with Workspace.open(workspace_dir) as workspace:
        info = workspace.dataset("spring-reviews")
        assert (info.source, info.rows, info.reviews, info.skipped) == ("small.csv", 4, 3, {"blank text": 1})
        assert info.source_path == "uploaded in the app"  # not the temporary folder it was staged in
        assert (info.mapping.text, info.mapping.rating, info.mapping.date) == ("comment", "stars", "when")  # as mapped
        assert list(info.mapping.segments) == ["store"]

    # Another session (another user of this server) sees it, and can load it.
    other = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    assert not other.exception
    table = next(frame.value for frame in other.dataframe if "source file" in frame.value.columns)
    assert table.loc[0, "name"] == "spring-reviews" and table.loc[0, "source file"] == "small.csv"
    assert (table.loc[0, "rows"], table.loc[0, "reviews"]) == (4, 3)
    assert other.selectbox(key="ws_pick").value == "spring-reviews"
    _click(other, "Load and make active")
    assert not other.exception
    loaded = other.session_state["aln_datasets"][other.session_state["aln_active_dataset"]]
    assert loaded.workspace_name == "spring-reviews" and loaded.key == active.key
    metrics = {m.label: m.value for m in other.metric}
    assert metrics["Reviews kept"] == "3" and metrics["Skipped rows"] == "1"

    # Deleting asks first; Cancel keeps it, "Yes, delete it" removes it for everyone.
    _click(other, "Delete…")
    assert any("Delete `spring-reviews`" in w.value for w in other.warning)
    _click(other, "Cancel")
    assert _stored(workspace_dir) == ["spring-reviews"]
    _click(other, "Delete…")
    _click(other, "Yes, delete it")
    assert not other.exception
    assert _stored(workspace_dir) == []
    assert any("Deleted spring-reviews" in s.value for s in other.success)
    assert other.session_state["aln_datasets"][other.session_state["aln_active_dataset"]].origin == "bundled demo"
    assert any("No datasets saved yet" in i.value for i in other.info)


def test_the_delete_question_about_a_dataset_deleted_meanwhile_is_dropped_not_asked_again_of_its_namesake(
    workspace_dir,
):
    import pandas as pd

    frame = pd.DataFrame({"comment": ["My calls drop every day.", "No hidden fees at all."]})
    with Workspace.open(workspace_dir) as workspace:
        workspace.ingest(frame, "first")
        workspace.ingest(frame, "second")
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    assert app.selectbox(key="ws_pick").value == "first"
    _click(app, "Delete…")
    with Workspace.open(workspace_dir) as workspace:  # another user deletes it while the question is open
        workspace.delete_dataset("first")
    _click(app, "Yes, delete it")
    assert not app.exception and not app.error
    assert any("first was deleted from the workspace meanwhile" in i.value for i in app.info)
    assert not any("Delete `first`" in w.value for w in app.warning)  # the question is gone
    assert "Yes, delete it" not in [b.label for b in app.button]
    with Workspace.open(workspace_dir) as workspace:  # a dataset saved later under the name is not asked about
        workspace.ingest(frame, "first")
    app.run()
    assert app.selectbox(key="ws_pick").value == "second"
    app.selectbox(key="ws_pick").select("first").run()
    assert "Yes, delete it" not in [b.label for b in app.button]
    assert _stored(workspace_dir) == ["first", "second"]


@pytest.mark.models
def test_bad_and_taken_names_show_one_line_errors_and_the_session_stays_usable(workspace_dir, tmp_path):
    source = tmp_path / "taken.csv"
    source.write_text(SMALL_CSV, encoding="utf-8")
    with Workspace.open(workspace_dir) as workspace:
        workspace.ingest(source, "taken", text_column="comment")
    app = _validated_upload()
    upload_key = app.session_state["aln_active_dataset"]
    for bad in ("../evil", "", "x" * 3 + "/y"):
        _text_input(app, "Name in the workspace").input(bad)
        _click(app, "Save to workspace")
        assert not app.exception
        errors = _one_line_errors(app)
        assert len(errors) == 1 and "is not allowed" in errors[0]
    _text_input(app, "Name in the workspace").input("taken")
    _click(app, "Save to workspace")
    assert not app.exception
    errors = _one_line_errors(app)
    assert len(errors) == 1 and "already in the workspace" in errors[0] and "--replace" not in errors[0]
    with Workspace.open(workspace_dir) as workspace:
        assert [i.name for i in workspace.list_datasets()] == ["taken"]
        assert workspace.dataset("taken").source == "taken.csv"  # not replaced
    # Nothing was lost: the upload is still active and the page still works; another name saves.
    assert app.session_state["aln_active_dataset"] == upload_key
    assert {m.label: m.value for m in app.metric}["Reviews kept"] == "3"
    _text_input(app, "Name in the workspace").input("fresh")
    _click(app, "Save to workspace")
    assert not app.exception and not app.error
    assert _stored(workspace_dir) == ["fresh", "taken"]
    # Replacing is possible when asked for.
    other = _validated_upload("again.csv")
    _text_input(other, "Name in the workspace").input("taken")
    other.checkbox[[c.label for c in other.checkbox].index("Replace if the name is taken")].check().run()
    _click(other, "Save to workspace")
    assert not other.exception and not other.error
    with Workspace.open(workspace_dir) as workspace:
        assert workspace.dataset("taken").source == "again.csv"


@pytest.mark.models
def test_a_workspace_held_by_another_process_is_reported_plainly(held_workspace):
    app = _validated_upload()
    assert any("The workspace is busy" in w.value for w in app.warning)
    _click(app, "Save to workspace")
    assert not app.exception
    errors = _one_line_errors(app)
    assert len(errors) == 1 and "The workspace is busy" in errors[0]
    assert {m.label: m.value for m in app.metric}["Reviews kept"] == "3"  # the session goes on


def test_a_workspace_the_app_cannot_write_is_read_with_its_saving_buttons_turned_off(workspace_dir, request):
    with Workspace.open(workspace_dir) as workspace:
        workspace.ingest(read_dataset_upload(SMALL_CSV.encode(), "small.csv").frame, "stored")
    request.getfixturevalue("unwritable_disk")  # from here on, the disk is read-only
    app = _validated_upload()
    assert not app.exception
    notices = [i.value for i in app.info if "can only be read" in i.value]
    assert notices and "You can load its datasets" in notices[0] and "ALIGN_WORKSPACE" in notices[0]
    buttons = {b.label: b for b in app.button}
    assert buttons["Save to workspace"].disabled and buttons["Delete…"].disabled
    assert not buttons["Load and make active"].disabled
    _click(app, "Load and make active")
    assert not app.exception and not _one_line_errors(app)


# ------------------------------------------------------------------------------------------ Gap dashboard


@pytest.mark.models
def test_a_check_on_a_workspace_dataset_stores_its_vectors_and_is_saved_as_a_run_in_the_history(
    workspace_dir, tmp_path
):
    source = tmp_path / "small.csv"
    source.write_text(SMALL_CSV, encoding="utf-8")
    with Workspace.open(workspace_dir) as workspace:
        workspace.ingest(
            source,
            "small-reviews",
            text_column="comment",
            id_column="id",
            rating_column="stars",
            segment_columns=["store"],
        )
    dataset = workspace_store.load_dataset("small-reviews")
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT)
    app.session_state["aln_datasets"] = {dataset.key: dataset}
    app.session_state["aln_active_dataset"] = dataset.key
    app.run()
    assert not app.exception and not app.error
    with Workspace.open(workspace_dir) as workspace:  # the check embedded the sentences into the workspace
        coverage = workspace.embedding_coverage("small-reviews")
        assert list(coverage.values()) == [workspace.distinct_sentences("small-reviews")]
    claims = len([row for row in app.session_state["aln_rows"] if row.keep])
    assert claims >= 1
    assert any("No runs saved on this dataset yet" in c.value for c in app.caption)

    _text_input(app, "Run label (optional)").input("headline v1")
    _click(app, "Save run")
    assert not app.exception and not app.error
    assert any("Saved as run 1" in s.value for s in app.success)
    with Workspace.open(workspace_dir) as workspace:
        runs = workspace.list_runs("small-reviews")
    assert [(r.run_id, r.label, len(r.claims)) for r in runs] == [(1, "headline v1", claims)]
    history = next(frame.value for frame in app.dataframe if "at risk" in frame.value.columns)
    assert history[["run", "label", "claims"]].values.tolist() == [[1, "headline v1", claims]]
    app.run()
    assert app.button(key="run_save").disabled  # the same check is not saved twice by accident
    assert _text_input(app, "Run label (optional)").value == ""  # a later run does not take this run's label

    # Other settings give another check, which can be saved too; the history lists both, newest first.
    app.session_state["aln_keep_set_min_evidence"] = 1
    app.run()
    assert not app.button(key="run_save").disabled
    _click(app, "Save run")
    history = next(frame.value for frame in app.dataframe if "at risk" in frame.value.columns)
    assert list(history["run"]) == [2, 1] and "evidence ≥ 1" in cast(str, history.loc[0, "settings"])
    assert list(history["label"]) == ["", "headline v1"]
    assert app.selectbox(key="ws_pick_run").value == 2  # the picker offers the run just saved

    # The two runs compared claim by claim: the earlier against the later by default, every claim paired.
    assert any(e.label == "Compare two runs" for e in app.expander)
    assert (app.selectbox(key="ws_compare_before").value, app.selectbox(key="ws_compare_after").value) == (1, 2)
    compared = next(frame.value for frame in app.dataframe if "alignment change" in frame.value.columns)
    assert len(compared) == claims and not set(compared["change"]) & {"new claim", "not in the later run"}
    app.selectbox(key="ws_compare_after").select(1).run()
    assert any("Pick two different runs" in i.value for i in app.info)

    # Open the first run: its claims and evidence come back from the workspace.
    app.selectbox(key="ws_pick_run").select(1).run()
    _click(app, "Open run")
    assert not app.exception and not app.error
    assert any(m.value.startswith("**Run 1 · headline v1") for m in app.markdown)
    assert any(e.label.startswith("Evidence of run 1") for e in app.expander)
    opened = next(
        frame.value for frame in app.dataframe if "verdict" in frame.value.columns and "neutral" in frame.value.columns
    )
    assert len(opened) == claims


@pytest.mark.models
def test_the_dashboard_explains_runs_for_a_dataset_outside_the_workspace(workspace_dir):
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT).run()
    assert not app.exception
    assert any("Runs are kept for datasets saved in the workspace" in i.value for i in app.info)
    assert not workspace_store.workspace_exists()  # looking did not create a workspace


@pytest.mark.models
def test_the_runs_of_a_deleted_dataset_can_still_be_opened_on_the_datasets_page(workspace_dir, tmp_path):
    source = tmp_path / "shop.csv"
    source.write_text(SMALL_CSV, encoding="utf-8")
    with Workspace.open(workspace_dir) as workspace:
        workspace.ingest(source, "shop")
        report = workspace.check(None, "shop", Config(stance_model="lexicon"), claims=["Friendly staff"])
        run = workspace.save_run(report, dataset="shop", label="before the move")
        workspace.delete_dataset("shop")
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    assert not app.exception
    assert any(e.label == "Runs of deleted datasets (1)" for e in app.expander)
    assert app.selectbox(key="ws_pick_run").value == run.run_id
    _click(app, "Open run")
    assert not app.exception
    assert any("before the move" in m.value for m in app.markdown)


def _compare_page() -> None:
    from datetime import datetime

    from alignment.ui import workspace_view
    from alignment.workspace import RunClaim, RunInfo

    def claim(text: str, risk: str, supports: int, contradicts: int) -> RunClaim:
        sided = supports + contradicts
        return RunClaim("c1", "ad1", text, "", "absolute", sided, supports, contradicts, 0, 0.5, None, risk)

    later = RunInfo(
        2, "tweets", None, "v2", None, None, datetime(2025, 5, 2), {}, (claim("No hidden fees", "low", 4, 0),)
    )
    earlier = RunInfo(1, "tweets", None, "v1", None, None, datetime(2025, 5, 1), {}, (claim("Open late", "low", 5, 1),))
    workspace_view._compare_two_runs({2: later, 1: earlier})


def test_the_run_comparison_shows_its_counts_as_whole_numbers() -> None:
    # A claim one run left out leaves gaps in its count columns; the table still shows 235, not 235.000000.
    app = AppTest.from_function(_compare_page, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    [table] = [frame for frame in app.dataframe if "alignment change" in frame.value.columns]
    counts = ("supporting before", "supporting after", "contradicting before", "contradicting after")
    columns = json.loads(table.proto.columns)
    assert all(columns[name]["type_config"] == {"type": "number", "format": "%d"} for name in counts)
    assert table.value.loc[table.value["claim"] == "Open late", "supporting before"].tolist() == [5]


def test_the_run_comparison_leaves_the_cells_of_a_run_without_the_claim_empty(monkeypatch) -> None:
    # Each claim is in one run only: its other run's alignment and counts are missing, which Streamlit draws as
    # "None" unless the table names another placeholder. The cells stay missing numbers (sorting and the %d
    # format still work), and the CSV download keeps its empty fields.
    import streamlit as st

    offered: dict[str, object] = {}
    download_button = st.download_button

    def recording(label: str, data: object, *args: object, **kwargs: object) -> object:
        offered[label] = data
        return download_button(label, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "download_button", recording)
    app = AppTest.from_function(_compare_page, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    [table] = [frame for frame in app.dataframe if "alignment change" in frame.value.columns]
    assert table.proto.HasField("placeholder") and table.proto.placeholder == ""
    late = table.value.loc[table.value["claim"] == "Open late"].iloc[0]
    assert late["supporting before"] == 5 and pd.isna(late["supporting after"]) and pd.isna(late["alignment after"])
    assert late["verdict after"] == ""  # a verdict is text: empty already
    csv = cast(str, offered["⬇ Comparison (CSV)"]).splitlines()
    assert csv[1:] == [
        '"new claim","No hidden fees","","supported","",0.5,"","",4,"",0',  # a verdict as a word, for other tools
        '"not in the later run","Open late","supported","",0.5,"","",5,"",1,""',
    ]


# What an expander leaves a table at 1400 px with the sidebar open (measured in Chromium: 904 px inside its border).
EXPANDER_TABLE_WIDTH = 904


def test_the_run_comparison_shows_every_column_at_1400_px() -> None:
    # Its claim column was 200 px wide and every header spelt out ("contradicting before"): the counts
    # scrolled out of sight at 1400 px. Now each column has a width in pixels, the numbers short headers
    # whose help names them in full, and all eleven fit.
    app = AppTest.from_function(_compare_page, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    [table] = [frame for frame in app.dataframe if "alignment change" in frame.value.columns]
    columns = {name: config for name, config in json.loads(table.proto.columns).items() if name != "_index"}
    assert set(columns) == set(table.value.columns)
    widths = [config.get("width") for config in columns.values()]
    assert all(isinstance(width, int) for width in widths), columns
    assert sum(widths) <= EXPANDER_TABLE_WIDTH
    numbers = [name for name in columns if name.startswith(("alignment", "supporting", "contradicting"))]
    assert all(len(columns[name]["label"]) <= 8 and columns[name]["help"] for name in numbers)
    assert not table.proto.HasField("row_height")  # its claims fit on one line: rows stay one line high
    assert any("Δ" in caption.value for caption in app.caption)
