"""The command line keeps what is saved: --out never replaces an input or a workspace file, is checked before
the work, and a Ctrl-C says truly what was kept. Also the words of its messages: --quiet, flags, plurals.

No model is loaded: the check itself is replaced where a test reaches it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli as _run

import alignment.pipeline
import alignment.workspace as workspace_module
from alignment.config import Config
from alignment.records import DatasetSummary
from alignment.report import Report
from alignment.workspace import Workspace

REVIEWS = "id,text\nr1,Calls keep dropping every day.\nr2,No hidden fees on my bill.\n"


def _one_line_error(code: int, err: str, *fragments: str) -> str:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _report(claims_seen: list[object] | None = None, notes: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A stand-in for pipeline.check: a report of no claims on one review, recording the claims it was given."""

    def fake_check(ads, reviews, config=None, **options):  # type: ignore[no-untyped-def]
        if claims_seen is not None:
            claims_seen.append(options.get("claims"))
        summary = DatasetSummary(
            source="reviews.csv", rows=2, reviews=1, sentences=1, skipped={"blank text": 1}, columns={}
        )
        return Report(claims=(), dataset=summary, config=Config(), reviews=(), sentences=(), notes=notes)

    return fake_check


def _no_work(*args: object, **kwargs: object) -> None:
    raise AssertionError("the check ran although its output could not be written")


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """A reviews table, a claims file and ad copy, each with its own content to compare after a run."""
    paths = {"reviews": tmp_path / "in.csv", "claims": tmp_path / "claims.txt", "ads": tmp_path / "ads.txt"}
    paths["reviews"].write_text(REVIEWS)
    paths["claims"].write_text("No hidden fees\n")
    paths["ads"].write_text("No hidden fees, ever.\n")
    return paths


@pytest.mark.parametrize(
    ("argv", "target", "role"),
    [
        (["check", "--claims", "{claims}", "--reviews", "{reviews}"], "reviews", "reviews file"),
        (["check", "--claims", "{claims}", "--reviews", "{reviews}"], "claims", "claims file"),
        (["check", "--ads", "{ads}", "--reviews", "{reviews}"], "ads", "ad copy"),
        (["claims", "{ads}"], "ads", "ad copy"),
    ],
)
@pytest.mark.parametrize("alias", ["same path", "symbolic link", "hard link", "relative path"])
def test_out_naming_an_input_is_refused_and_the_input_kept(
    files, tmp_path, capsys, monkeypatch, argv, target, role, alias
):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    monkeypatch.setattr("alignment.claims.read_copy", _no_work)
    original = files[target].read_bytes()
    if alias == "same path":
        out = str(files[target])
    elif alias == "symbolic link":
        (tmp_path / "link").symlink_to(files[target])
        out = str(tmp_path / "link")
    elif alias == "hard link":
        os.link(files[target], tmp_path / "hard")
        out = str(tmp_path / "hard")
    else:
        monkeypatch.chdir(tmp_path)
        out = files[target].name
    code, _, err = _run(capsys, *[part.format(**files) for part in argv], "--out", out)
    _one_line_error(code, err, "Refusing to write", role, "--out")
    assert files[target].read_bytes() == original


def _workspace_of_one_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, Path]
) -> tuple[Path, Path]:
    """The workspace ALIGN_WORKSPACE names, holding the reviews file as dataset "telecom": its folder and database."""
    location = tmp_path / "workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", str(location))
    with Workspace.open(location) as workspace:
        workspace.ingest(pd.read_csv(files["reviews"]), "telecom")
    return location, location / "workspace.duckdb"


def test_out_inside_the_workspace_is_refused_and_the_workspace_kept(tmp_path, capsys, monkeypatch, files):
    location, database = _workspace_of_one_dataset(tmp_path, monkeypatch, files)
    before = database.read_bytes()
    code, _, err = _run(capsys, "runs", "show", "1", "--out", str(database))
    _one_line_error(code, err, "Refusing to write", "inside the workspace folder")
    code, _, err = _run(
        capsys, "check", "--claims", str(files["claims"]), "--dataset", "telecom", "--out", str(location / "r.json")
    )
    _one_line_error(code, err, "Refusing to write", "inside the workspace folder")
    assert not (location / "r.json").exists()
    # a workspace named by its .duckdb file: the database (and its log) are refused, not the whole folder
    code, _, err = _run(capsys, "runs", "show", "1", "--workspace", str(database), "--out", str(database))
    _one_line_error(code, err, "Refusing to write", "workspace's database")
    assert database.read_bytes() == before
    with Workspace.open(location) as workspace:
        assert [d.name for d in workspace.list_datasets()] == ["telecom"]


@pytest.mark.parametrize(
    "argv",
    [
        ["claims", "{ads}"],
        ["evaluate", "claims", "{ads}"],
        ["evaluate", "evidence", "--claims", "{claims}", "--reviews", "{reviews}", "--label-column", "rating"],
        ["check", "--claims", "{claims}", "--reviews", "{reviews}"],
    ],
)
def test_no_command_writes_its_output_over_the_workspace(tmp_path, capsys, monkeypatch, files, argv):
    _, database = _workspace_of_one_dataset(tmp_path, monkeypatch, files)
    before = database.read_bytes()
    code, _, err = _run(capsys, *[part.format(**files) for part in argv], "--out", str(database))
    _one_line_error(code, err, "Refusing to write", "inside the workspace folder")
    assert database.read_bytes() == before


def test_an_empty_out_says_it_is_empty(files, capsys):
    code, _, err = _run(capsys, "claims", str(files["ads"]), "--out", "")
    _one_line_error(code, err, "--out is empty")


def test_out_under_a_file_says_the_file_is_not_a_folder_before_the_check(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    argv = ["check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out"]
    code, _, err = _run(capsys, *argv, str(files["ads"] / "r.json"))
    _one_line_error(code, err, f"{files['ads']} is a file, not a folder")
    code, _, err = _run(capsys, *argv, str(files["ads"] / "deeper" / "r.json"))
    _one_line_error(code, err, f"{files['ads']} is a file, not a folder")
    code, _, err = _run(capsys, *argv, str(tmp_path / "no" / "r.json"))
    _one_line_error(code, err, "does not exist")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, where even root makes no file")
def test_out_in_a_folder_no_file_can_be_made_in_is_refused_before_the_check(files, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    argv = ["check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out", "/proc/r.json"]
    code, _, err = _run(capsys, *argv)
    _one_line_error(code, err, "Cannot write /proc/r.json", "Choose a writable folder")


def test_out_dash_writes_the_json_to_standard_output_alone(files, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(alignment.pipeline, "check", _report())
    code, out, err = _run(
        capsys, "check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out", "-"
    )
    assert code == 0, err
    assert json.loads(out)["schema"] == "alignment.report/1"
    assert not (tmp_path / "-").exists()


def test_quiet_hides_the_progress_but_not_the_summary_or_the_notes(files, tmp_path, capsys, monkeypatch):
    note = "No checkable claims were found in the ad copy."
    monkeypatch.setattr(alignment.pipeline, "check", _report(notes=(note,)))
    out = tmp_path / "report.json"
    argv = ["check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out", str(out)]
    code, _, err = _run(capsys, *argv, "--quiet")
    assert code == 0, err
    # one of each: the counts agree in number with what was counted
    assert "alignment: 0 claims checked against 1 sentence from 1 review (skipped rows: 1 blank text)." in err
    assert f"alignment: {note}" in err


def test_claims_read_from_a_pipe_such_as_dev_stdin(files, tmp_path, capsys, monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(alignment.pipeline, "check", _report(seen))
    pipe = tmp_path / "claims.pipe"
    os.mkfifo(pipe)

    def feed() -> None:
        with pipe.open("w") as writer:  # blocks until the command opens the pipe to read
            writer.write("Fewer dropped calls\n\nNo hidden fees\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    code, _, err = _run(capsys, "check", "--claims", str(pipe), "--reviews", str(files["reviews"]), "--out", "-")
    writer.join(timeout=10)
    assert code == 0, err
    assert seen == [["Fewer dropped calls", "No hidden fees"]]


def test_claims_that_are_a_folder_say_so(files, tmp_path, capsys):
    code, _, err = _run(capsys, "check", "--claims", str(tmp_path), "--reviews", str(files["reviews"]))
    _one_line_error(code, err, "is a folder", "one claim per line")


def test_an_ad_table_without_its_text_column_names_the_ads_option(files, tmp_path, capsys):
    table = tmp_path / "ads.csv"
    table.write_text("ad,copy\n1,No hidden fees.\n")
    argv = ["check", "--ads", str(table), "--ads-text-column", "nope", "--reviews", str(files["reviews"])]
    code, _, err = _run(capsys, *argv)
    line = _one_line_error(code, err, "'nope'", "ad, copy", "--ads-text-column")
    assert " --text-column" not in line  # the reviews' option, which would not help


def test_an_ad_table_without_copy_is_not_told_about_blank_lines(tmp_path, capsys):
    table = tmp_path / "ads.csv"
    table.write_text("id,text\n")
    code, _, err = _run(capsys, "claims", str(table), "--text-column", "text")
    line = _one_line_error(code, err, "ads.csv holds no ad copy", "'text' column", "per row")
    assert "blank lines" not in line


def test_check_of_an_ad_table_says_once_which_ad_rows_it_skipped(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _report())
    table = tmp_path / "ads.csv"
    table.write_text('ad_id;copy\nA1;"No hidden fees, ever."\nA2;"Real people answer 24/7."\nA3;\n')
    out = tmp_path / "report.json"
    code, _, err = _run(
        capsys,
        "check",
        "--ads",
        str(table),
        "--ads-id-column",
        "ad_id",
        "--ads-text-column",
        "copy",
        "--reviews",
        str(files["reviews"]),
        "--quiet",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert err.count("skipped 1 row with no ad copy (data row 3)") == 1, err
    assert json.loads(out.read_text())["notes"].count("ads.csv: skipped 1 row with no ad copy (data row 3).") == 1


def test_check_refuses_a_label_for_a_run_it_is_told_not_to_save(files, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    argv = ["check", "--claims", str(files["claims"]), "--dataset", "spring", "--label", "april", "--no-save"]
    code, _, err = _run(capsys, *argv)
    _one_line_error(code, err, "--label names a saved run, but --no-save saves none; drop --no-save or --label.")


def test_interrupted_check_of_a_file_says_nothing_was_written_and_leaves_no_file(files, tmp_path, capsys, monkeypatch):
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(alignment.pipeline, "check", interrupted)
    out = tmp_path / "report.json"
    code, _, err = _run(
        capsys, "check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out", str(out)
    )
    assert code == 130
    assert err.strip() == "alignment: error: interrupted; nothing was written."
    assert sorted(tmp_path.iterdir()) == sorted(files.values())  # no report, no temporary file


def test_interrupted_write_keeps_the_old_report_and_leaves_no_temporary_file(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _report())
    out = tmp_path / "report.json"
    out.write_text("the report of last week\n")

    def interrupted(self: Path, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupted)
    code, _, err = _run(
        capsys, "check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out", str(out)
    )
    monkeypatch.undo()
    assert code == 130 and "nothing was written" in err
    assert out.read_text() == "the report of last week\n"
    assert not (tmp_path / "report.json.tmp").exists()


def test_interrupted_embedding_after_ingest_says_the_dataset_was_saved(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))

    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(workspace_module, "embed_dataset_at", interrupted)
    monkeypatch.setattr("alignment.cli._embedder", lambda kind: None)  # no model to load for an embedding cut short
    code, out, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--embed", "--quiet")
    assert code == 130
    assert "Ingested 'v'" in out
    assert "interrupted; dataset 'v' was saved, but embedding its sentences was cut short" in err
    assert "nothing was written" not in err
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and out.splitlines()[1].split()[0] == "v"


def test_interrupted_ingest_says_the_dataset_was_not_saved(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workspace_module, "_append", interrupted)  # cut while the rows are being staged
    code, _, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--quiet")
    assert code == 130
    assert "interrupted; dataset 'v' was not saved" in err
    monkeypatch.undo()
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    assert "No datasets" in _run(capsys, "datasets")[1]
    assert list((tmp_path / "workspace").glob(".workspace.duckdb.ingest-*")) == []  # its staging file too


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def _interrupt_after_merge(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """Make the ingest's copy into the workspace commit, then be cut short, as a signal just after the
    commit (while the workspace closes and the staging file is removed) cuts it."""
    merge = Workspace._merge

    def merged_then_interrupted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        merge(self, *args, **kwargs)
        raise error

    monkeypatch.setattr(Workspace, "_merge", merged_then_interrupted)


def test_ingest_interrupted_after_its_commit_says_the_dataset_was_saved(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    _interrupt_after_merge(monkeypatch, KeyboardInterrupt())
    code, out, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--quiet")
    assert code == 130
    assert err.strip() == (
        "alignment: error: interrupted; dataset 'v' had already been saved (2 reviews, 2 sentences); "
        "`alignment datasets show v` describes it."
    )
    code, out, _ = _run(capsys, "datasets")
    assert code == 0 and out.splitlines()[1].split()[0] == "v"


def test_replacing_ingest_interrupted_tells_the_old_dataset_from_the_new(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    assert _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--quiet")[0] == 0
    # Cut before the commit, within the second the old one was saved: the old one is not taken for the new.
    with monkeypatch.context() as patched:
        patched.setattr(workspace_module, "_append", _interrupt)
        code, _, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--replace", "--quiet")
    assert code == 130 and "dataset 'v' was not saved" in err, err
    _interrupt_after_merge(monkeypatch, KeyboardInterrupt())
    code, _, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--replace", "--quiet")
    assert code == 130 and "dataset 'v' had already been saved" in err, err


def test_ingest_cut_inside_a_database_query_says_what_was_kept_not_an_internal_error(
    files, tmp_path, capsys, monkeypatch
):
    # DuckDB turns a Ctrl-C or SIGTERM that comes while its query runs into RuntimeError("Query interrupted").
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))

    def interrupted_query(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Query interrupted")

    with monkeypatch.context() as patched:
        patched.setattr(workspace_module, "_append", interrupted_query)
        code, _, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--quiet")
    assert code == 130
    assert err.strip() == (
        "alignment: error: interrupted; dataset 'v' was not saved, and the workspace's datasets are as they were."
    )
    _interrupt_after_merge(monkeypatch, RuntimeError("Query interrupted"))
    code, _, err = _run(capsys, "ingest", str(files["reviews"]), "--name", "v", "--quiet")
    assert code == 130 and "dataset 'v' had already been saved" in err, err


def test_ingest_counts_read_in_the_singular_when_there_is_one(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    one = tmp_path / "one.csv"
    one.write_text("id,text\nr1,Calls keep dropping.\n")
    code, out, err = _run(capsys, "ingest", str(one), "--name", "one", "--quiet")
    assert code == 0, err
    assert "Ingested 'one': 1 review, 1 sentence from one.csv (1 row; skipped: none)" in out


def test_claims_file_that_is_binary_is_refused_in_one_line(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    binary = tmp_path / "claims.txt"
    binary.write_bytes(bytes(range(256)) * 12)
    code, _, err = _run(capsys, "check", "--claims", str(binary), "--reviews", str(files["reviews"]))
    _one_line_error(code, err, "claims.txt looks like a binary file, not text", "one claim per line")
    assert all(ch >= " " for ch in err.strip())  # no control character of the file echoed to the terminal


@pytest.mark.parametrize(
    ("content", "line", "code_point"),
    [
        (b"\x01\x02claim text\n", 1, "U+0001"),
        (b"\x00\x01\x02binary\n", 1, "U+0001"),  # too few to read as binary
        (b"No hidden fees\n\nFree \x1b[31mshipping\n", 3, "U+001B"),  # a terminal's escape
        (b"No hidden fees\nFree shipping\x7f\n", 2, "U+007F"),
        (b"No hidden\x0cfees\nFree shipping\x7f\n", 1, "U+000C"),  # a form feed ends no line: line 2 stays 2
    ],
)
@pytest.mark.parametrize("command", ["check", "evaluate evidence"])
def test_claims_line_holding_a_control_character_is_refused_naming_its_line(
    files, tmp_path, capsys, monkeypatch, content, line, code_point, command
):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    claims = tmp_path / "claims.txt"
    claims.write_bytes(content)
    extra = ["--label-column", "label"] if command == "evaluate evidence" else []
    argv = [*command.split(), "--claims", str(claims), "--reviews", str(files["reviews"]), *extra]
    code, _, err = _run(capsys, *argv)
    _one_line_error(code, err, f"claims.txt, line {line} holds a control character ({code_point})", "Remove it")
    assert all(ch >= " " for ch in err.strip())  # the character is named, not echoed to the terminal


def test_claims_with_a_tab_or_a_stray_nul_are_still_read(files, tmp_path, capsys, monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(alignment.pipeline, "check", _report(seen))
    claims = tmp_path / "claims.txt"
    claims.write_bytes(b"Free\tshipping\r\nNo hidden\x00 fees\n")
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]), "--out", "-")
    assert code == 0, err
    assert seen == [["Free\tshipping", "No hidden fees"]]


def test_a_comment_line_in_a_claims_file_is_no_claim_but_a_number_one_claim_is(files, tmp_path, capsys, monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(alignment.pipeline, "check", _report(seen))
    claims = tmp_path / "claims.txt"
    claims.write_text("# spring campaign, v2\nNo hidden fees\n  #draft: maybe drop\n#1 rated network\n")
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]), "--out", "-")
    assert code == 0, err
    assert seen == [["No hidden fees", "#1 rated network"]]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--min-similarity", "2"], "--min-similarity must be between -1 and 1, got 2.0."),
        (["check", "--min-evidence", "0"], "--min-evidence must be at least 1, got 0."),
        (
            ["evaluate", "evidence", "--label-column", "label", "--min-relevant", "0"],
            "--min-relevant must be at least 1 contradicting review, got 0.",
        ),
        (
            ["evaluate", "evidence", "--label-column", "label", "--min-similarity", "0.3", "-1.5"],
            "--min-similarity must be between -1 and 1, got -1.5.",
        ),
    ],
)
def test_option_out_of_range_is_named_as_typed_with_the_values_it_allows(files, capsys, monkeypatch, argv, message):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    command, options = (argv[:2], argv[2:]) if argv[0] == "evaluate" else (argv[:1], argv[1:])
    full = [*command, "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), *options]
    code, _, err = _run(capsys, *full)
    line = _one_line_error(code, err, message)
    assert "_" not in line.split(" must ")[0]  # not the Python name (min_relevant)


def test_setting_out_of_range_from_the_environment_still_names_its_variable(files, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    monkeypatch.setenv("ALIGN_MIN_EVIDENCE", "0")
    code, _, err = _run(capsys, "check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]))
    line = _one_line_error(code, err, "min_evidence must be at least 1, got 0.", "set by ALIGN_MIN_EVIDENCE")
    assert "--min-evidence" not in line  # the option was not given: the variable set it


def test_claims_line_longer_than_the_app_allows_is_refused_naming_its_line(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    claims = tmp_path / "claims.txt"
    claims.write_text("No hidden fees\n\n" + "Free " * 81 + "\n")  # 404 characters, on line 3
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]))
    _one_line_error(code, err, "claims.txt, line 3 (404 characters)", "at most 400 characters", "--ads")
    claims.write_text("No hidden fees\n" + "Free " * 79 + "\n")  # 394: as long as the app lets a claim be
    monkeypatch.setattr(alignment.pipeline, "check", _report())
    assert _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]), "--out", "-")[0] == 0


def test_repeated_claims_are_checked_once_and_the_repeat_is_noted(files, tmp_path, capsys, monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(alignment.pipeline, "check", _report(seen))
    claims = tmp_path / "claims.txt"
    claims.write_text("Free shipping\nNo hidden fees\n\nfree  shipping\nFree shipping\nNo hidden fees!\n")
    out = tmp_path / "report.json"
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]), "--out", str(out))
    assert code == 0, err
    assert seen == [["Free shipping", "No hidden fees"]]
    note = (
        "3 repeated claims in --claims were left out, each checked once (line 4 repeats line 1; line 5 repeats line 1; "
        "line 6 repeats line 2)."
    )
    assert f"alignment: {note}" in err
    assert json.loads(out.read_text())["notes"] == [note]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "claim,category\nFree shipping,delivery\nNo hidden fees,pricing\n",
            "first line “claim,category” names columns",
        ),
        ("id;text\n1;Free shipping\n2;No hidden fees\n", "2 of the 2 lines below it"),
        ("text\nFree shipping\n", "first line “text” is a column's name"),
    ],
)
def test_claims_file_that_is_a_table_is_refused_with_a_hint(files, tmp_path, capsys, monkeypatch, text, fragment):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    claims = tmp_path / "claims.csv"
    claims.write_text(text)
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]))
    _one_line_error(code, err, "claims.csv looks like a table", fragment, "the claims alone, one per line")


@pytest.mark.parametrize(
    "text",
    [
        "Fast, friendly service\nCheap, cheerful, quick\nOpen late, every day\n",
        "Fast,friendly\nCheap,cheerful\n",  # column-name-like parts, but none a claim column's name
        "Claims paid in 48 hours\nText support, all day\n",
    ],
)
def test_claims_holding_commas_are_not_taken_for_a_table(files, tmp_path, capsys, monkeypatch, text):
    seen: list[object] = []
    monkeypatch.setattr(alignment.pipeline, "check", _report(seen))
    claims = tmp_path / "claims.txt"
    claims.write_text(text)
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(files["reviews"]), "--out", "-")
    assert code == 0, err
    assert seen == [text.splitlines()]


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["--out", "{long}.json"], ("Cannot write aaaa", "…", "File name too long", "Choose another path")),
        (["--out", "~nouser-alignment/r.json"], ("--out ~nouser-alignment/r.json", "no user 'nouser-alignment'")),
        (["--out", "r.json", "--workspace", "~nouser-alignment"], ("--workspace ~nouser-alignment", "no user")),
        (["--out", "{long}/r.json"], ("File name too long",)),
    ],
)
def test_out_name_too_long_or_of_an_unknown_user_is_a_one_line_user_error(
    files, tmp_path, capsys, monkeypatch, argv, fragments
):
    monkeypatch.setattr(alignment.pipeline, "check", _no_work)
    monkeypatch.chdir(tmp_path)
    extra = [part.format(long="a" * 300) for part in argv]
    code, _, err = _run(capsys, "check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), *extra)
    line = _one_line_error(code, err, *fragments)
    assert "internal error" not in line and len(line) < 300


def test_an_unknown_user_in_the_workspace_variable_is_a_one_line_user_error(capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", "~nouser-alignment/ws")
    code, _, err = _run(capsys, "datasets")
    _one_line_error(code, err, "Cannot use ALIGN_WORKSPACE ~nouser-alignment/ws", "no user 'nouser-alignment'")


def test_sigterm_during_a_check_takes_the_ctrl_c_path_and_restores_the_handler(files, tmp_path, capsys, monkeypatch):
    def terminated(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises in this thread at once; the sleep only marks a check that went on
        raise AssertionError("SIGTERM did not stop the check")

    def not_the_command(signum: int, frame: object) -> None:
        raise AssertionError("the SIGTERM reached the handler set before the command, not the command's")

    monkeypatch.setattr(alignment.pipeline, "check", terminated)
    original = signal.signal(signal.SIGTERM, not_the_command)  # so a SIGTERM the command misses ends no test run
    try:
        before = signal.getsignal(signal.SIGTERM)
        out = tmp_path / "report.json"
        code, _, err = _run(
            capsys, "check", "--claims", str(files["claims"]), "--reviews", str(files["reviews"]), "--out", str(out)
        )
        after = signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, original)
    assert code == 143, err
    assert err.strip() == "alignment: error: interrupted by SIGTERM; nothing was written."
    assert after is before
    assert not out.exists()


def test_sigterm_during_ingest_says_the_dataset_was_not_saved_and_removes_its_staging_file(tmp_path):
    # A file large enough that reading it takes seconds (about 5 s on a laptop): SIGTERM comes while it is staged.
    big = tmp_path / "big.csv"
    big.write_text("id,text\n" + "".join(f"r{i},The signal was weak today, number {i}.\n" for i in range(150_000)))
    workspace = tmp_path / "workspace"
    command = [sys.executable, "-m", "alignment", "ingest", str(big), "--name", "big", "--workspace", str(workspace)]
    process = subprocess.Popen([*command, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(workspace.glob(".workspace.duckdb.ingest-*")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the ingest never started staging"
        time.sleep(0.01)
    time.sleep(0.2)  # into the reading of the file, past the opening of its staging file
    process.terminate()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert err.strip() == (
        "alignment: error: interrupted by SIGTERM; dataset 'big' was not saved, and the workspace's datasets are "
        "as they were."
    )
    assert "Ingested" not in out
    assert sorted(path.name for path in workspace.iterdir()) == ["workspace.duckdb"]  # no staging file left
