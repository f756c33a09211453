"""The workspace commands: `alignment ingest`, `datasets`, `runs` and `check --dataset`."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli as _run

from alignment.config import Config
from alignment.records import Claim
from alignment.workspace import Workspace


def _one_line_error(code: int, err: str, *fragments: str) -> str:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def workspace_dir(tmp_path, monkeypatch):
    """A fresh workspace, named by ALIGN_WORKSPACE as a user would."""
    location = tmp_path / "workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", str(location))
    return location


@pytest.fixture
def reviews_csv(tmp_path, reviews_frame) -> Path:
    path = tmp_path / "reviews.csv"
    reviews_frame.to_csv(path, index=False)
    return path


EVALUATE_DATASET = ["evaluate", "evidence", "--claims", "{claims}", "--dataset", "telecom"]


class _FakeEmbedder:
    model_id = "fake-model"

    def encode(self, texts, progress=None):
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class _EvenStance:
    name = "even"

    def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
        return np.tile(np.array([[0.6, 0.3, 0.1]], dtype=np.float32), (len(sentence_texts), 1))


def test_cli_ingest_says_which_values_it_could_not_read(workspace_dir, tmp_path, reviews_frame, capsys):
    # a date that does not parse is left empty and a repeated id is kept: neither may pass unmentioned
    frame = reviews_frame.assign(date=["last week", *reviews_frame["date"][1:]], review_id=["r1", "r1", *"345678"])
    path = tmp_path / "flawed.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(capsys, "ingest", str(path), "--name", "flawed", "--quiet")
    assert code == 0, err
    assert "skipped: 1 blank text; invalid values: 1 unparseable date, 1 duplicate id)" in out
    clean = tmp_path / "clean.csv"
    reviews_frame.to_csv(clean, index=False)
    code, out, _ = _run(capsys, "ingest", str(clean), "--name", "clean", "--quiet")
    assert code == 0 and "invalid values" not in out


def test_cli_ingest_lists_a_missing_header_as_read_as_noted_not_as_invalid(workspace_dir, tmp_path, capsys):
    path = tmp_path / "quick.csv"
    path.write_text("Loved it,5\nCalls drop every single evening,1\nSupport fixed my bill in minutes,4\n")
    code, out, err = _run(capsys, "ingest", str(path), "--name", "quick", "--quiet")
    assert code == 0, err
    assert "skipped: none; read as noted: 1 first line read as a review (no header row))" in out
    assert "invalid values" not in out
    code, out, _ = _run(capsys, "datasets", "show", "quick")
    assert code == 0
    assert "invalid values    none" in out and "read as noted     1 first line read as a review" in out


def test_cli_ingest_of_a_workbook_names_the_sheet_read_and_those_left_unread(workspace_dir, tmp_path, capsys):
    import pandas as pd

    book = tmp_path / "feedback.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"text": ["Calls drop daily.", "Great signal."]}).to_excel(writer, sheet_name="Jan", index=False)
        pd.DataFrame({"text": ["Billing was wrong.", "Fast support."]}).to_excel(writer, sheet_name="Feb", index=False)
    code, out, err = _run(capsys, "ingest", str(book), "--name", "jan", "--quiet")
    assert code == 0 and "from feedback.xlsx, sheet 'Jan'" in out, err
    assert "Read sheet 'Jan' of feedback.xlsx, the first with a table; the workbook also has 'Feb', not read" in err
    code, out, err = _run(capsys, "ingest", str(book), "--name", "feb", "--sheet", "Feb", "--quiet")
    assert code == 0 and "sheet 'Feb'" in out and "Read sheet" not in err, err  # a sheet chosen: nothing to say


def test_cli_ingest_says_at_once_when_the_reviews_do_not_read_as_english(workspace_dir, tmp_path, reviews_csv, capsys):
    import pandas as pd

    spanish = tmp_path / "resenas.csv"
    texts = [
        "El servicio fue muy lento y la comida llegó fría a la mesa.",
        "No me gustó nada, el camarero era grosero.",
    ]
    pd.DataFrame({"id": range(1, 9), "text": texts * 4}).to_csv(spanish, index=False)  # eight reviews, no copies
    code, out, err = _run(capsys, "ingest", str(spanish), "--name", "resenas", "--quiet")
    assert code == 0 and "Ingested 'resenas': 8 reviews" in out
    assert "None of the reviews read as English (of 8 reviews" in err and "translate" in err, err
    code, out, _ = _run(capsys, "datasets", "show", "resenas")
    assert code == 0 and re.search(r"reads as English\s+0% of 8 reviews read", out), out
    code, out, _ = _run(capsys, "datasets", "show", "resenas", "--json")
    assert json.loads(out)["english_share"] == {"share": 0.0, "reviews_read": 8}
    # the English fixture says nothing of language when ingested
    code, _, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--quiet")
    assert code == 0 and err == ""


def test_cli_ingest_then_list_show_and_delete(workspace_dir, reviews_csv, capsys, monkeypatch):
    from alignment.progress import LineProgress

    monkeypatch.setattr(LineProgress, "QUIET", 0.0)  # seven reviews are read in well under the quiet second
    code, out, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--segment-column", "region")
    assert code == 0, err
    assert "Ingested 'telecom': 7 reviews" in out and "1 blank text" in out
    # stderr is not a terminal here: the progress comes as whole lines, with counts, time and rate
    assert re.search(r"reading reviews\.csv \(kB\): [\d,]+/[\d,]+ done in [\d.]+ s, [\d,]+/s", err), err
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and "telecom" in out and "sha256" in out.splitlines()[0]
    code, out, _ = _run(capsys, "datasets", "list", "--json")
    listed = json.loads(out)
    assert [d["name"] for d in listed] == ["telecom"] and listed[0]["columns"]["segments"] == ["region"]
    code, out, _ = _run(capsys, "datasets", "show", "telecom")
    assert code == 0 and "reviews.csv" in out and "blank text" in out and "distinct" in out
    code, out, _ = _run(capsys, "datasets", "show", "telecom", "--json")
    shown = json.loads(out)
    assert shown["reviews"] == 7 and shown["embedded"] == {} and len(shown["sha256"]) == 64
    code, out, _ = _run(capsys, "datasets", "delete", "telecom")
    assert code == 0 and "Deleted" in out and "datasets prune" in out
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and "No datasets" in out
    code, out, _ = _run(capsys, "datasets", "prune", "--json")
    assert code == 0 and json.loads(out) == {"removed": 0, "remaining": 0}  # nothing was embedded here


def test_cli_says_a_workspace_it_cannot_read_part_of_may_be_damaged_and_what_to_do(
    workspace_dir, reviews_csv, capsys, monkeypatch
):
    import duckdb

    assert _run(capsys, "ingest", str(reviews_csv), "--name", "telecom")[0] == 0

    def cut_short(self, *args, **kwargs):  # what DuckDB raises on a file cut short mid-copy
        raise duckdb.IOException('IO Error: Could not read enough bytes from file "workspace.duckdb"')

    monkeypatch.setattr(Workspace, "list_datasets", cut_short)
    code, _, err = _run(capsys, "datasets")
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1 and "Traceback" not in err and "internal error" not in err
    assert f"The workspace in {workspace_dir} could not be read (IO Error: Could not read enough bytes" in lines[0]
    assert "its file may be damaged. Restore it from a backup, or move it away" in lines[0]


def test_cli_listing_a_workspace_that_is_not_there_says_so_and_creates_nothing(workspace_dir, capsys):
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and f"No datasets in {workspace_dir}: no workspace there yet" in out
    code, out, _ = _run(capsys, "runs", "--json")
    assert code == 0 and json.loads(out) == []
    code, _, err = _run(capsys, "datasets", "show", "telecom")
    _one_line_error(code, err, f"No workspace at {workspace_dir}: nothing has been ingested there")
    assert not workspace_dir.exists()  # a mistyped ALIGN_WORKSPACE is not made into an empty workspace


@pytest.mark.parametrize(
    "argv",
    [
        ["datasets"],
        ["runs"],
        ["datasets", "prune"],
        ["runs", "show", "1"],
        ["ingest", "{csv}", "--name", "telecom", "--quiet"],
        ["check", "--claims", "{claims}", "--dataset", "telecom"],
        [*EVALUATE_DATASET, "--label-column", "rating"],
    ],
)
@pytest.mark.parametrize(
    ("source", "named", "not_named"),
    [
        ("--workspace", "Set --workspace to a folder.", "ALIGN_WORKSPACE"),
        ("ALIGN_WORKSPACE", "Set ALIGN_WORKSPACE to a folder.", "--workspace"),
        ("default", "Set ALIGN_WORKSPACE or --workspace to a folder.", None),
    ],
)
def test_cli_workspace_that_is_a_regular_file_says_so_naming_what_pointed_there(
    tmp_path, reviews_csv, capsys, monkeypatch, argv, source, named, not_named
):
    if source == "default" and sys.platform in ("darwin", "win32"):
        pytest.skip("the default folder is under XDG_DATA_HOME on Linux and other Unixes only")
    monkeypatch.delenv("ALIGN_WORKSPACE", raising=False)
    regular = tmp_path / "alignment"  # the default folder's name, under XDG_DATA_HOME
    regular.write_text("notes, not a workspace\n")
    claims = tmp_path / "claims.txt"
    claims.write_text("No hidden fees\n")
    full = [part.format(csv=reviews_csv, claims=claims) for part in argv]
    if source == "--workspace":
        full += ["--workspace", str(regular)]
    elif source == "ALIGN_WORKSPACE":
        monkeypatch.setenv("ALIGN_WORKSPACE", str(regular))
    else:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    code, out, err = _run(capsys, *full)
    line = _one_line_error(code, err, f"The workspace location {regular} is a file, not a workspace", named)
    if not_named:
        assert not_named not in line
    assert out == "" and regular.read_text() == "notes, not a workspace\n"


@pytest.mark.parametrize(
    ("source", "named"),
    [("--workspace", "check --workspace if you expected one"), ("ALIGN_WORKSPACE", "check ALIGN_WORKSPACE if")],
)
def test_cli_listing_a_missing_workspace_names_what_pointed_there(tmp_path, capsys, monkeypatch, source, named):
    location = tmp_path / "typo"
    monkeypatch.delenv("ALIGN_WORKSPACE", raising=False)
    if source == "ALIGN_WORKSPACE":
        monkeypatch.setenv("ALIGN_WORKSPACE", str(location))
    code, out, _ = _run(capsys, "datasets", *(["--workspace", str(location)] if source == "--workspace" else []))
    assert code == 0 and f"No datasets in {location}: no workspace there yet" in out and named in out


def test_cli_workspace_option_overrides_the_environment(workspace_dir, tmp_path, reviews_csv, capsys):
    other = tmp_path / "other"
    code, _, err = _run(capsys, "ingest", str(reviews_csv), "--name", "x", "--workspace", str(other), "--quiet")
    assert code == 0 and err == ""
    assert (other / "workspace.duckdb").is_file() and not workspace_dir.exists()
    code, out, _ = _run(capsys, "datasets", "--workspace", str(other), "--json")
    assert [d["name"] for d in json.loads(out)] == ["x"]
    code, out, _ = _run(capsys, "datasets", "show", "x", "--workspace", str(other))
    assert code == 0 and "reviews.csv" in out


def test_cli_duplicate_name_offers_replace_and_replace_works(workspace_dir, reviews_csv, tmp_path, capsys):
    assert _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--quiet")[0] == 0
    code, _, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom")
    _one_line_error(code, err, "already exists", "--replace")
    smaller = tmp_path / "small.csv"
    smaller.write_text("id,text\n1,Calls keep dropping.\n")
    code, out, err = _run(capsys, "ingest", str(smaller), "--name", "telecom", "--replace", "--quiet")
    assert code == 0, err and "1 reviews" in out
    with Workspace.open(workspace_dir) as ws:
        assert ws.dataset("telecom").reviews == 1


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["ingest", "{csv}", "--name", "../escape"], ("not allowed",)),
        (["ingest", "{csv}", "--name", "a/b"], ("not allowed",)),
        (["ingest", "{missing}", "--name", "ok"], ("not found",)),
        (["ingest", "{csv}", "--name", "ok", "--text-column", "body"], ("No text column named", "columns are")),
        (["ingest", "{csv}"], ("--name",)),
        (["ingest", "{header}", "--name", "ok"], ("no review text",)),
        (["datasets", "show", "nope"], ("No dataset named 'nope'",)),
        (["datasets", "delete", "nope"], ("No dataset named 'nope'",)),
        (["datasets", "show", "bad/name"], ("not allowed",)),
        (["check", "--claims", "{claims}", "--dataset", "nope"], ("No dataset named 'nope'",)),
        (["check", "--claims", "{claims}", "--dataset", "telecom", "--text-column", "text"], ("--text-column",)),
        (["check", "--claims", "{claims}", "--reviews", "{csv}", "--label", "v1"], ("--dataset",)),
        (["check", "--claims", "{claims}", "--reviews", "{csv}", "--dataset", "telecom"], ("not allowed with",)),
        (["check", "--claims", "{claims}"], ("--reviews", "--dataset")),
        (["check", "--claims", "{claims}", "--dataset", "telecom", "--embedder", "turbo"], ("invalid choice",)),
        (
            [*EVALUATE_DATASET, "--label-column", "verdict"],
            ("'verdict' is not stored in dataset 'telecom'", "--segment-column verdict"),
        ),
        (
            [*EVALUATE_DATASET, "--label-column", "rating", "--text-column", "text"],
            ("--text-column applies to --reviews",),
        ),
        (
            ["evaluate", "evidence", "--claims", "{claims}", "--dataset", "other", "--label-column", "rating"],
            ("No dataset named 'other'",),
        ),
        (
            [*EVALUATE_DATASET, "--reviews", "{csv}", "--label-column", "rating"],
            ("not allowed with",),
        ),
        (["runs", "show", "99"], ("No run 99",)),
        (["runs", "delete", "99"], ("No run 99",)),
        (["runs", "--limit", "0"], ("--limit",)),
    ],
)
def test_cli_workspace_user_errors_are_one_line_with_exit_2(
    workspace_dir, reviews_csv, tmp_path, capsys, argv, fragments
):
    claims = tmp_path / "claims.txt"
    claims.write_text("No hidden fees\n")
    assert _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--quiet")[0] == 0
    header = tmp_path / "header.csv"
    header.write_text("id,text\n")
    values = {
        "csv": str(reviews_csv),
        "missing": str(tmp_path / "nope.csv"),
        "claims": str(claims),
        "header": str(header),
    }
    code, _, err = _run(capsys, *[part.format(**values) for part in argv])
    _one_line_error(code, err, *fragments)


def test_cli_bad_embedder_setting_in_the_environment_is_a_user_error(workspace_dir, reviews_csv, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_EMBEDDER", "turbo")
    code, _, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom")
    # Named as the other ALIGN_* settings are: the user set a variable, not an option.
    _one_line_error(code, err, "ALIGN_EMBEDDER='turbo' is not an embedder; set it to 'exact' (the default) or 'fast'")
    code, _, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--embedder", "turbo")
    assert code == 2 and "ALIGN_EMBEDDER" not in err  # argparse refuses the option's value in its own words


def test_cli_runs_lists_and_shows_saved_runs(workspace_dir, reviews_frame, tmp_path, capsys):
    with Workspace.open(workspace_dir) as ws:
        ws.ingest(reviews_frame, "telecom")
        claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
        for label in ("spring", "summer"):
            report = ws.check(
                None,
                "telecom",
                Config(min_similarity=-1.0),
                claims=claims,
                embedder=_FakeEmbedder(),
                stance_model=_EvenStance(),
            )
            ws.save_run(report, dataset="telecom", label=label, embedder="fake-model")
    code, out, _ = _run(capsys, "runs")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["run", "finished", "(UTC)", "dataset"]
    assert "summer" in lines[1] and "spring" in lines[2]  # newest first
    code, out, _ = _run(capsys, "runs", "--json", "--limit", "1")
    assert [r["label"] for r in json.loads(out)] == ["summer"]
    code, _, err = _run(capsys, "runs", "list", "--dataset", "other")
    _one_line_error(code, err, "No dataset named 'other'", "The datasets are: telecom.")
    report_path = tmp_path / "run1.json"
    code, out, _ = _run(capsys, "runs", "show", "1", "--out", str(report_path))
    assert code == 0 and "No hidden fees" in out and "spring" in out
    assert json.loads(report_path.read_text())["schema"] == "alignment.report/1"
    # the evidence table and the HTML report, as `check --out` writes them
    assert _run(capsys, "runs", "show", "1", "--out", str(tmp_path / "run1.csv"))[0] == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "run1.csv").read_text(encoding="utf-8-sig"))))
    matched = sum(len(claim["matches"]) for claim in json.loads(report_path.read_text())["claims"])
    assert rows[0][:2] == ["claim_id", "claim"] and len(rows) - 1 == matched
    assert _run(capsys, "runs", "show", "1", "--out", str(tmp_path / "run1.html"))[0] == 0
    assert "No hidden fees" in (tmp_path / "run1.html").read_text()
    code, out, _ = _run(capsys, "runs", "show", "2", "--json")
    assert json.loads(out)["claims"][0]["text"] == "No hidden fees"
    code, out, _ = _run(capsys, "runs", "compare", "1", "2")
    assert code == 0 and "earlier: run 1 (spring)" in out and "later: run 2 (summer)" in out
    assert "unchanged" in out.splitlines()[3] and out.splitlines()[-1] == "1 unchanged"
    compared = tmp_path / "compared.csv"
    code, out, _ = _run(capsys, "runs", "compare", "1", "2", "--out", str(compared))
    assert code == 0 and compared.read_text().splitlines()[1].startswith('"unchanged","No hidden fees"')
    # a table for other tools: verdicts as words, with no symbol, and alignments to the report's four decimals
    header, row = list(csv.reader(io.StringIO(compared.read_text(encoding="utf-8-sig"))))[:2]
    verdict, alignment = row[header.index("verdict after")], row[header.index("alignment after")]
    assert verdict and all(ch.isalpha() or ch == " " for ch in verdict), verdict
    assert len(alignment.split(".")[-1]) <= 4, alignment
    code, out, _ = _run(capsys, "runs", "compare", "1", "2", "--json")
    assert json.loads(out)["summary"]["unchanged"] == 1
    code, _, err = _run(capsys, "runs", "compare", "2", "2")
    _one_line_error(code, err, "Give two different runs")
    code, _, err = _run(capsys, "runs", "compare", "1", "99")
    _one_line_error(code, err, "No run 99")
    code, out, _ = _run(capsys, "runs", "delete", "1")
    assert code == 0 and "Deleted run 1" in out
    assert [r["run_id"] for r in json.loads(_run(capsys, "runs", "--json")[1])] == [2]


@pytest.mark.models
def test_cli_check_against_a_dataset_reuses_its_vectors_and_saves_the_run(
    workspace_dir, reviews_csv, tmp_path, capsys, monkeypatch
):
    from alignment.progress import LineProgress

    monkeypatch.setattr(LineProgress, "QUIET", 0.0)  # every stage's end is written, however short
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\nNo hidden fees, ever\n")
    code, out, err = _run(
        capsys, "ingest", str(reviews_csv), "--name", "telecom", "--segment-column", "region", "--embed"
    )
    assert code == 0, err
    assert "Embedded" in out and "embedding review sentences" in err
    direct = tmp_path / "direct.json"
    code, _, err = _run(
        capsys,
        "check",
        "--claims",
        str(claims),
        "--reviews",
        str(reviews_csv),
        "--segment-column",
        "region",
        "--out",
        str(direct),
        "--quiet",
    )
    assert code == 0, err
    stored = tmp_path / "stored.json"
    code, _, err = _run(
        capsys, "check", "--claims", str(claims), "--dataset", "telecom", "--label", "v1", "--out", str(stored)
    )
    assert code == 0, err
    assert "embedding review sentences" in err and "saved as run 1" in err
    first, second = json.loads(direct.read_text()), json.loads(stored.read_text())
    assert second["dataset"] == first["dataset"]
    assert [c["text"] for c in second["claims"]] == [c["text"] for c in first["claims"]]
    for a, b in zip(first["claims"], second["claims"], strict=True):  # float16 storage changes only the 3rd decimal
        assert abs(a["mentions"] - b["mentions"]) <= 1
    code, out, _ = _run(capsys, "runs", "--json")
    (run,) = json.loads(out)
    assert run["dataset"] == "telecom" and run["label"] == "v1" and len(run["claims"]) == 2
    assert run["embedder"] == "sentence-transformers/all-MiniLM-L6-v2"
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--dataset", "telecom", "--no-save", "--quiet")
    # --quiet hides the progress only: the summary still says what was checked, and no run is mentioned
    assert code == 0 and "embedding review sentences" not in err and "saved as run" not in err
    assert err.startswith("alignment: 2 claims checked against "), err
    assert len(json.loads(_run(capsys, "runs", "--json")[1])) == 1


def test_cli_check_of_copy_without_a_claim_embeds_nothing_of_the_dataset(workspace_dir, reviews_csv, tmp_path, capsys):
    ads = tmp_path / "ads.txt"
    ads.write_text("Visit our store on Main Street.\n")
    code, _, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--quiet")
    assert code == 0, err
    code, _, err = _run(capsys, "check", "--ads", str(ads), "--dataset", "telecom", "--no-save", "--quiet")
    assert code == 0 and "No checkable claims were found in the ad copy." in err, err
    shown = json.loads(_run(capsys, "datasets", "show", "telecom", "--json")[1])
    assert shown["embedded"] == {}


@pytest.mark.models
def test_cli_evaluate_evidence_reads_a_dataset_and_its_kept_label_columns(
    workspace_dir, tmp_path, reviews_frame, capsys
):
    labelled = tmp_path / "labelled.csv"
    reviews_frame.assign(verdict=["neg", "neg", "neg", "pos", "pos", "pos", "", ""]).to_csv(labelled, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\nNo hidden fees\n")
    code, _, err = _run(capsys, "ingest", str(labelled), "--name", "telecom", "--segment-column", "verdict", "--quiet")
    assert code == 0, err
    out_file = tmp_path / "evaluation.json"
    argv = ["evaluate", "evidence", "--claims", str(claims), "--dataset", "telecom", "--label-column", "verdict"]
    assert "embedded (exact)" not in _run(capsys, "datasets", "show", "telecom")[1]  # nothing embedded yet
    code, out, err = _run(capsys, *argv, "--out", str(out_file), "--quiet")
    assert code == 0, err
    assert "Evidence in 7 reviews (labelled: 3 contradicting, 3 supporting, 1 no side; skipped rows: 1 " in out
    assert json.loads(out_file.read_text())["judges"]["alignment"]["pairs"] >= 4
    # the evaluation stored what it embedded, so the next check or evaluation of the dataset embeds nothing
    shown = _run(capsys, "datasets", "show", "telecom")[1]
    (line,) = [line for line in shown.splitlines() if line.startswith("embedded (exact)")]
    done, total = line.split()[-3], line.split()[-1]
    assert done == total
    # a label column named as an evidence column is kept as "stance (segment)", and found by its file's name
    renamed = tmp_path / "renamed.csv"
    pd.read_csv(labelled).rename(columns={"verdict": "stance"}).to_csv(renamed, index=False)
    code, _, err = _run(capsys, "ingest", str(renamed), "--name", "renamed", "--segment-column", "stance", "--quiet")
    assert code == 0, err
    argv = ["evaluate", "evidence", "--claims", str(claims), "--dataset", "renamed", "--label-column", "stance"]
    code, out, err = _run(capsys, *argv, "--quiet")
    assert code == 0, err
    assert "Evidence in 7 reviews (labelled: 3 contradicting, 3 supporting, 1 no side; skipped rows: 1 " in out


def test_cli_runs_of_an_unknown_dataset_say_no_such_dataset_not_no_runs(workspace_dir, reviews_frame, capsys):
    with Workspace.open(workspace_dir) as ws:
        ws.ingest(reviews_frame, "telecom")
    code, _, err = _run(capsys, "runs", "--dataset", "nosuch")
    _one_line_error(code, err, "No dataset named 'nosuch'", "telecom")
    code, out, _ = _run(capsys, "runs", "--dataset", "telecom")
    assert code == 0 and "No runs saved on 'telecom' yet" in out
    # a deleted dataset's runs stay listed under its name: runs outlive their dataset
    with Workspace.open(workspace_dir) as ws:
        claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
        report = ws.check(
            None, "telecom", Config(), claims=claims, embedder=_FakeEmbedder(), stance_model=_EvenStance()
        )
        ws.save_run(report, dataset="telecom", label="spring", embedder="fake-model")
        ws.delete_dataset("telecom")
    code, out, _ = _run(capsys, "runs", "--dataset", "telecom")
    assert code == 0 and "spring" in out


def test_cli_unknown_dataset_names_only_the_first_ten_of_many(workspace_dir, reviews_frame, capsys):
    with Workspace.open(workspace_dir) as ws:
        for number in range(13):
            ws.ingest(reviews_frame, f"d{number:02d}")
    code, _, err = _run(capsys, "datasets", "show", "nosuch")
    line = _one_line_error(code, err, "d00, d01", "d09 and 3 more (`alignment datasets` lists them all)")
    assert "d10" not in line


def test_cli_datasets_show_gives_the_date_range_and_the_ratings(workspace_dir, tmp_path, reviews_frame, capsys):
    path = tmp_path / "telecom.csv"
    reviews_frame.to_csv(path, index=False)
    code, _, err = _run(capsys, "ingest", str(path), "--name", "telecom", "--quiet")
    assert code == 0, err
    code, out, _ = _run(capsys, "datasets", "show", "telecom")
    assert code == 0
    assert re.search(r"dates\s+2025-01-03 to 2025-03-09 \(7 of 7 reviews dated\)", out), out
    assert re.search(r"ratings\s+1 to 5 on a 1–5 scale, mean 3\.00 \(7 of 7 reviews rated\)", out), out
    code, out, _ = _run(capsys, "datasets", "show", "telecom", "--json")
    shown = json.loads(out)
    assert shown["dates"] == {"first": "2025-01-03", "last": "2025-03-09", "dated": 7}
    assert shown["ratings"]["rated"] == 7 and shown["ratings"]["max"] == 5.0


def test_cli_ingest_reads_dates_day_first_when_told_and_keeps_the_order_with_the_dataset(
    workspace_dir, tmp_path, capsys
):
    path = tmp_path / "uk.csv"  # no day over 12: the dates alone cannot tell the order
    pd.DataFrame(
        {"text": ["Calls drop.", "Fees hidden.", "Great signal."], "date": ["03/04/2025", "05/04/2025", "01/02/2025"]}
    ).to_csv(path, index=False)
    code, out, err = _run(capsys, "ingest", str(path), "--name", "uk", "--dates", "day-first", "--quiet")
    assert code == 0 and "unclear" not in out, err
    shown = json.loads(_run(capsys, "datasets", "show", "uk", "--json")[1])
    assert shown["dates"] == {"first": "2025-02-01", "last": "2025-04-05", "dated": 3}
    with Workspace.open(workspace_dir) as ws:
        assert ws.dataset("uk").mapping.day_first is True
    # an order the dates contradict is counted, and the summary says to check it
    wrong = tmp_path / "wrong.csv"
    pd.DataFrame({"text": ["Calls drop.", "Fees hidden."], "date": ["13/04/2025", "05/04/2025"]}).to_csv(
        wrong, index=False
    )
    code, out, err = _run(capsys, "ingest", str(wrong), "--name", "wrong", "--dates", "month-first", "--quiet")
    assert code == 0 and "so check the order: --dates day-first or --dates month-first" in out, err
    # a stored dataset was read once: its order is not given again
    code, _, err = _run(capsys, "check", "--claims", str(path), "--dataset", "uk", "--dates", "month-first")
    _one_line_error(code, err, "--dates")


def test_cli_datasets_show_leaves_a_typo_far_above_the_scale_out_of_the_mean_as_the_app_does(
    workspace_dir, tmp_path, capsys
):
    from alignment.charts import dataset_overview
    from alignment.ingest import load_reviews

    stars = [5, 4, 1, 5, 3, 2, 5, 4, 4, 5, 1, 55]  # one "55" for "5" among a dozen ratings
    path = tmp_path / "shop.csv"
    path.write_text("id,text,rating\n" + "".join(f"{i},review {i} of the shop,{r}\n" for i, r in enumerate(stars)))
    code, out, _ = _run(capsys, "ingest", str(path), "--name", "shop", "--quiet")
    assert code == 0
    assert "(12 rows; skipped: none; invalid values: 1 rating off the file's scale)" in out, out
    code, out, _ = _run(capsys, "datasets", "show", "shop")
    assert code == 0
    assert re.search(r"invalid values\s+1 rating off the file's scale\n", out), out
    overview = dataset_overview(load_reviews(path))
    mean = f"{overview.rating_mean:.2f}"
    assert mean == "3.55" and overview.rating_scale == "1–5"
    assert re.search(
        rf"ratings\s+1 to 55 on a 1–5 scale, mean {mean} \(12 of 12 reviews rated; 1 rating above the scale "
        r"left out, as typos to check\)",
        out,
    ), out
    shown = json.loads(_run(capsys, "datasets", "show", "shop", "--json")[1])["ratings"]
    assert shown["scale"] == [1.0, 5.0] and shown["off_scale"] == 1 and shown["mean"] == round(39 / 11, 4)


def test_cli_check_whose_run_cannot_be_saved_still_writes_its_report(
    workspace_dir, reviews_frame, tmp_path, capsys, monkeypatch
):
    import alignment.workspace as workspace_module

    with Workspace.open(workspace_dir) as ws:
        ws.ingest(reviews_frame, "telecom")
    checked = workspace_module.check_dataset_at

    def check_while_it_is_replaced(location, ads, dataset, config, **options):
        options.update(embedder=_FakeEmbedder(), stance_model=_EvenStance())
        found = checked(location, ads, dataset, config, **options)
        with Workspace.open(location) as ws:  # another process replaces the dataset while the check runs
            ws.ingest(reviews_frame.head(3), "telecom", replace=True)
        return found

    monkeypatch.setattr(workspace_module, "check_dataset_at", check_while_it_is_replaced)
    claims = tmp_path / "claims.txt"
    claims.write_text("No hidden fees\n")
    out = tmp_path / "report.json"
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--dataset", "telecom", "--out", str(out), "--quiet")
    _one_line_error(code, err, "was replaced while this check ran", f"report was written to {out}")
    assert json.loads(out.read_text())["claims"][0]["text"] == "No hidden fees"
    assert json.loads(_run(capsys, "runs", "--json")[1]) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["datasets"],
        ["datasets", "show", "telecom"],
        ["runs"],
        ["ingest", "{csv}", "--name", "telecom", "--quiet"],
        ["check", "--claims", "{claims}", "--dataset", "telecom"],
    ],
)
def test_cli_workspace_database_that_is_a_folder_is_one_line_for_every_command(
    workspace_dir, reviews_csv, tmp_path, capsys, argv
):
    (workspace_dir / "workspace.duckdb").mkdir(parents=True)
    claims = tmp_path / "claims.txt"
    claims.write_text("No hidden fees\n")
    code, out, err = _run(capsys, *[part.format(csv=reviews_csv, claims=claims) for part in argv])
    line = _one_line_error(
        code, err, f"{workspace_dir / 'workspace.duckdb'} is a folder", "Move it away", "set ALIGN_WORKSPACE to another"
    )
    assert "--workspace" not in line  # ALIGN_WORKSPACE named it, so the fix names only that
    assert out == ""
    assert sorted(workspace_dir.iterdir()) == [workspace_dir / "workspace.duckdb"]  # nothing made beside it


def _save_a_run(workspace_dir: Path, dataset: str, source: object) -> None:
    """Ingest ``source`` as ``dataset`` and save one run on it, with no model loaded."""
    with Workspace.open(workspace_dir) as ws:
        ws.ingest(source, dataset)  # type: ignore[arg-type]
        claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
        report = ws.check(
            None,
            dataset,
            Config(min_similarity=-1.0),
            claims=claims,
            embedder=_FakeEmbedder(),
            stance_model=_EvenStance(),
        )
        ws.save_run(report, dataset=dataset, label="spring", embedder="fake-model")


def test_cli_datasets_delete_and_runs_delete_print_json_of_what_was_deleted(workspace_dir, reviews_frame, capsys):
    _save_a_run(workspace_dir, "telecom", reviews_frame)
    code, out, err = _run(capsys, "runs", "delete", "1", "--json")
    assert code == 0, err
    deleted = json.loads(out)["deleted"]
    assert deleted["run_id"] == 1 and deleted["label"] == "spring" and deleted["dataset"] == "telecom"
    code, out, err = _run(capsys, "datasets", "delete", "--json", "telecom")
    assert code == 0, err
    deleted = json.loads(out)["deleted"]
    assert deleted["name"] == "telecom" and deleted["reviews"] == 7
    assert "No datasets" in _run(capsys, "datasets")[1]


def test_cli_datasets_delete_says_which_saved_runs_lose_the_sentences_they_quoted(workspace_dir, reviews_csv, capsys):
    _save_a_run(workspace_dir, "telecom", reviews_csv)
    code, out, err = _run(capsys, "datasets", "delete", "telecom")
    assert code == 0, err
    assert "1 saved run on it (1) keeps its counts and verdicts, but not the review sentences it quoted." in out
    _save_a_run(workspace_dir, "telecom", reviews_csv)
    code, out, err = _run(capsys, "datasets", "delete", "--json", "telecom")
    # run 1 was checked on the same file, so it quoted this dataset too
    assert code == 0 and json.loads(out)["runs_without_quotes"] == [1, 2]


def test_cli_ingest_replace_says_which_saved_runs_lose_the_sentences_they_quoted(
    workspace_dir, reviews_csv, tmp_path, capsys
):
    _save_a_run(workspace_dir, "telecom", reviews_csv)
    code, out, err = _run(capsys, "ingest", str(reviews_csv), "--name", "telecom", "--replace", "--quiet")
    assert code == 0 and "keeps its counts" not in out  # the same file again: run 1 still finds its quotes
    other = tmp_path / "other.csv"
    other.write_text("id,text\nr1,Charged a hidden fee again.\n")
    code, out, err = _run(capsys, "ingest", str(other), "--name", "telecom", "--replace", "--quiet")
    assert code == 0, err
    assert "The file it replaced: 1 saved run on it (1) keeps its counts and verdicts" in out


def test_cli_runs_show_says_when_its_dataset_was_deleted_or_replaced_so_its_quotes_are_gone(
    workspace_dir, reviews_csv, tmp_path, capsys
):
    _save_a_run(workspace_dir, "telecom", reviews_csv)
    code, out, err = _run(capsys, "runs", "show", "1")
    assert code == 0 and "No hidden fees" in out and err == ""  # its dataset is there: nothing to say
    other = tmp_path / "other.csv"
    other.write_text("id,text\nr1,Charged a hidden fee again.\n")
    assert _run(capsys, "ingest", str(other), "--name", "telecom", "--replace", "--quiet")[0] == 0
    code, out, err = _run(capsys, "runs", "show", "1")
    assert code == 0 and "No hidden fees" in out
    assert err.strip() == (
        "alignment: the dataset 'telecom' was replaced by another file after this run, so its matched sentences "
        "are gone; the counts and verdicts above are as they were saved."
    )
    assert _run(capsys, "datasets", "delete", "telecom")[0] == 0
    code, out, err = _run(capsys, "runs", "show", "1")
    assert code == 0 and "'telecom' was deleted after this run, so its matched sentences are gone" in err
    report = tmp_path / "run1.json"
    assert _run(capsys, "runs", "show", "1", "--out", str(report))[0] == 0
    assert any("was deleted or replaced" in note for note in json.loads(report.read_text())["notes"])
