"""The command line: outputs, progress, and every user error as one line with exit code 2."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import cast

import pandas as pd
import pytest
from conftest import run_cli as _run

from alignment.cli import build_parser, main
from alignment.errors import InputError

REPO = Path(__file__).resolve().parent.parent


def _assert_one_line_user_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_cli_every_command_has_help_text():
    parser = build_parser()
    # the subcommands' action: its choices map each command's name to its parser
    commands = cast(dict[str, ArgumentParser], parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert set(commands) == {"claims", "check", "ingest", "datasets", "runs", "evaluate"}
    for sub in commands.values():
        assert sub.description and sub.format_help()


@pytest.mark.models
def test_cli_claims_writes_claims_with_exact_offsets(tmp_path, capsys):
    ads = tmp_path / "ads.txt"
    ads.write_text("Fewer dropped calls than any other network. Switch today.\n\nNo hidden fees, ever.\n")
    out = tmp_path / "claims.json"
    code, _, err = _run(capsys, "claims", str(ads), "--out", str(out))
    assert code == 0, err
    claims = json.loads(out.read_text())["claims"]
    texts = ads.read_text().strip().split("\n\n")
    assert [c["ad_id"] for c in claims] == ["ad1", "ad2"]
    for claim in claims:
        assert set(claim) == {"claim_id", "ad_id", "text", "start", "end", "aspect", "type"}
        ad_text = texts[int(claim["ad_id"][2:]) - 1]
        assert ad_text[claim["start"] : claim["end"]] == claim["text"]


@pytest.mark.models
def test_cli_claims_gives_the_ads_as_read_so_offsets_into_html_copy_can_be_used(tmp_path, capsys):
    ads = tmp_path / "ads.html"
    ads.write_text("<html><body><h1>Fewer dropped calls &amp; no hidden fees</h1><p>Switch today.</p></body></html>")
    out = tmp_path / "claims.json"
    code, _, err = _run(capsys, "claims", str(ads), "--out", str(out))
    assert code == 0, err
    payload = json.loads(out.read_text())
    read = {ad["ad_id"]: ad["text"] for ad in payload["ads"]}
    assert payload["claims"] and "&amp;" not in "".join(read.values())
    for claim in payload["claims"]:
        assert read[claim["ad_id"]][claim["start"] : claim["end"]] == claim["text"]


@pytest.mark.models
def test_cli_claims_says_when_the_copy_does_not_read_as_english(tmp_path, capsys):
    ads = tmp_path / "anuncios.txt"
    ads.write_text("Envío gratis en todos los pedidos y sin comisiones ocultas.\n", encoding="utf-8")
    code, _, err = _run(capsys, "claims", str(ads), "--out", str(tmp_path / "claims.json"))
    assert code == 0, err
    assert "alignment: The ad copy does not read as English." in err and "translate it first" in err
    # the file says it too, for a script that reads it later
    (note, *_) = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))["notes"]
    assert note.startswith("The ad copy does not read as English.")


@pytest.mark.models
def test_cli_claims_lists_the_possible_claims_only_when_asked(tmp_path, capsys):
    ads = tmp_path / "ads.txt"
    ads.write_text("Hand-pulled noodles made fresh to order. Open late. Order online tonight.\n")
    code, out, err = _run(capsys, "claims", str(ads))
    assert code == 0, err
    assert "possible_claims" not in json.loads(out)  # the output stays as it was without the option
    code, out, err = _run(capsys, "claims", str(ads), "--possible")
    assert code == 0, err
    payload = json.loads(out)
    (possible,) = payload["possible_claims"]
    assert possible["text"] == ads.read_text()[possible["start"] : possible["end"]] == "Open late"
    assert 0.3 <= possible["probability"] < 0.5
    assert possible["text"] not in {claim["text"] for claim in payload["claims"]}


@pytest.mark.models
def test_cli_check_of_ad_copy_says_which_phrases_under_the_bar_went_unchecked(tmp_path, capsys, reviews_frame):
    reviews, ads = tmp_path / "reviews.csv", tmp_path / "ads.txt"
    reviews_frame.to_csv(reviews, index=False)
    ads.write_text("Hand-pulled noodles made fresh to order. Open late. Order online tonight.\n")
    argv = ["check", "--ads", str(ads), "--reviews", str(reviews), "--out", str(tmp_path / "report.json")]
    code, _, err = _run(capsys, *argv)
    assert code == 0, err
    (line,) = [line for line in err.splitlines() if "under the claim bar" in line]
    assert "1 phrase of the copy" in line and "“Open late”" in line and f"claims {ads} --possible" in line
    # the report holds them too, read from the same parse as its claims
    (possible,) = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["possible_claims"]
    assert possible["text"] == "Open late" and 0.3 <= possible["probability"] < 0.5
    assert "under the claim bar" in _run(capsys, *argv, "--quiet")[2]  # --quiet hides the progress only
    # claims given verbatim have nothing under a bar to mention
    claims = tmp_path / "claims.txt"
    claims.write_text("Open late\n")
    code, _, err = _run(
        capsys, "check", "--claims", str(claims), "--reviews", str(reviews), "--out", str(tmp_path / "r.json")
    )
    assert code == 0 and "under the claim bar" not in err
    assert "possible_claims" not in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))  # no copy read


@pytest.mark.models
def test_cli_claims_reads_a_table_with_custom_columns(tmp_path, capsys):
    table = tmp_path / "ads.csv"
    table.write_text("ref,copy\nspring,Free returns on every order.\n")
    code, out, err = _run(capsys, "claims", str(table), "--id-column", "ref", "--text-column", "copy")
    assert code == 0, err
    assert json.loads(out)["claims"][0]["ad_id"] == "spring"
    # named in another case, as a review column may be ("Copy" for "copy"); "Text" is the default's column too
    code, out, err = _run(capsys, "claims", str(table), "--id-column", "REF", "--text-column", "Copy")
    assert code == 0, err
    assert json.loads(out)["claims"][0]["ad_id"] == "spring"
    titled = tmp_path / "titled.csv"
    titled.write_text("Text\nFree returns on every order.\n")
    code, out, err = _run(capsys, "claims", str(titled))
    assert code == 0 and json.loads(out)["claims"][0]["text"] == "Free returns on every order", err


@pytest.mark.models
def test_cli_claims_says_which_ad_rows_it_skipped_for_having_no_copy(tmp_path, capsys):
    table = tmp_path / "ads.csv"
    table.write_text("ref,copy\nspring,Free returns on every order.\nsummer,\n")
    code, out, err = _run(capsys, "claims", str(table), "--id-column", "ref", "--text-column", "copy")
    assert code == 0, err
    assert "alignment: ads.csv: skipped 1 row with no ad copy (data row 2)." in err
    assert [claim["ad_id"] for claim in json.loads(out)["claims"]] == ["spring"]


@pytest.mark.models
def test_cli_check_writes_the_report_and_shows_progress(tmp_path, capsys, reviews_frame, monkeypatch):
    from alignment.progress import LineProgress

    monkeypatch.setattr(LineProgress, "QUIET", 0.0)  # eight reviews embed in well under the quiet second
    reviews = tmp_path / "reviews.csv"
    reviews_frame.to_csv(reviews, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\n\nNo hidden fees, ever\n")
    out = tmp_path / "report.json"
    code, _, err = _run(
        capsys,
        "check",
        "--claims",
        str(claims),
        "--reviews",
        str(reviews),
        "--segment-column",
        "region",
        "--out",
        str(out),
    )
    assert code == 0, err
    report = json.loads(out.read_text())
    assert report["schema"] == "alignment.report/1"
    assert [c["text"] for c in report["claims"]] == ["Fewer dropped calls", "No hidden fees, ever"]
    assert report["dataset"]["rows"] == 8 and report["dataset"]["skipped"] == {"blank text": 1}
    assert report["dataset"]["columns"]["segments"] == ["region"]
    assert {m["review_id"] for m in report["claims"][0]["matches"]} >= {"r1", "r2"}
    # stderr is not a terminal here, as in a batch job's log: whole lines, no bar redrawn with "\r"
    assert re.search(r"embedding review sentences: [\d,]+/[\d,]+ done in [\d.]+ s", err), err
    assert "\r" not in err
    assert "(skipped rows: 1 blank text)." in err  # every value read: no "invalid values" to report


@pytest.mark.models
def test_cli_check_says_which_values_it_could_not_read(tmp_path, capsys, reviews_frame):
    reviews = tmp_path / "reviews.csv"
    reviews_frame.assign(date=["last week", *reviews_frame["date"][1:]]).to_csv(reviews, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\n")
    code, _, err = _run(
        capsys, "check", "--claims", str(claims), "--reviews", str(reviews), "--out", str(tmp_path / "r.json")
    )
    assert code == 0, err
    assert "(skipped rows: 1 blank text; invalid values: 1 unparseable date)." in err


@pytest.mark.models
def test_cli_check_with_ads_uses_the_id_column_or_row_numbers(tmp_path, capsys):
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        '{"body": "The bill had a hidden fee again."}\n{"body": "No hidden fees, the bill matched the quote."}\n'
    )
    ads = tmp_path / "ads.txt"
    ads.write_text("No hidden fees.")
    code, out, err = _run(
        capsys, "check", "--ads", str(ads), "--reviews", str(reviews), "--text-column", "body", "--quiet"
    )
    assert code == 0, err
    matches = json.loads(out)["claims"][0]["matches"]
    assert {m["review_id"] for m in matches} == {"1", "2"}


def _write(path: Path, content: bytes | str) -> Path:
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("case", "fragments"),
    [
        ("missing reviews file", ("not found",)),
        ("missing ads file", ("not found",)),
        ("unsupported format", ("Unsupported file type",)),
        ("binary garbage csv", ("binary",)),
        ("no text column", ("columns are", "--text-column")),
        ("named text column missing", ("No text column named", "columns are")),
        ("empty dataset", ("empty",)),
        ("header only", ("no review text",)),
        ("empty claims file", ("no claims",)),
        ("missing --reviews", ("--reviews",)),
        ("both --ads and --claims", ("not allowed with",)),
        ("unknown command", ("invalid choice",)),
        ("bad number", ("invalid float value",)),
        ("output folder missing", ("does not exist",)),
        ("bad config value", ("--min-evidence must be at least 1, got 0.",)),
    ],
)
def test_cli_user_errors_print_one_line_and_exit_2(tmp_path, capsys, case, fragments):
    good = _write(tmp_path / "reviews.csv", "id,text\n1,Calls keep dropping.\n")
    ads = _write(tmp_path / "ads.txt", "No hidden fees.")
    argv = {
        "missing reviews file": ["check", "--ads", str(ads), "--reviews", str(tmp_path / "nope.csv")],
        "missing ads file": ["check", "--ads", str(tmp_path / "nope.txt"), "--reviews", str(good)],
        "unsupported format": ["check", "--ads", str(ads), "--reviews", str(_write(tmp_path / "r.pdf", "%PDF"))],
        "binary garbage csv": [
            "check",
            "--ads",
            str(ads),
            "--reviews",
            str(_write(tmp_path / "b.csv", bytes(range(256)) * 8)),
        ],
        "no text column": ["check", "--ads", str(ads), "--reviews", str(_write(tmp_path / "n.csv", "a,b\n1,2\n"))],
        "named text column missing": ["check", "--ads", str(ads), "--reviews", str(good), "--text-column", "body"],
        "empty dataset": ["check", "--ads", str(ads), "--reviews", str(_write(tmp_path / "e.csv", ""))],
        "header only": ["check", "--ads", str(ads), "--reviews", str(_write(tmp_path / "h.csv", "id,text\n"))],
        "empty claims file": ["check", "--claims", str(_write(tmp_path / "c.txt", "\n\n")), "--reviews", str(good)],
        "missing --reviews": ["check", "--ads", str(ads)],
        "both --ads and --claims": ["check", "--ads", str(ads), "--claims", str(ads), "--reviews", str(good)],
        "unknown command": ["frobnicate"],
        "bad number": ["check", "--ads", str(ads), "--reviews", str(good), "--min-similarity", "high"],
        "output folder missing": [
            "check",
            "--ads",
            str(ads),
            "--reviews",
            str(good),
            "--out",
            str(tmp_path / "no" / "r.json"),
        ],
        "bad config value": ["check", "--ads", str(ads), "--reviews", str(good), "--min-evidence", "0"],
    }[case]
    code, _, err = _run(capsys, *argv)
    _assert_one_line_user_error(code, err, *fragments)


def test_cli_console_script_runs_as_a_real_process(tmp_path):
    script = Path(sys.executable).parent / "alignment"
    result = subprocess.run(
        [str(script), "check", "--ads", str(tmp_path / "x.txt"), "--reviews", "y.csv"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not found" in result.stderr
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("alignment ")


class _ClosedPipe:
    """A standard output whose reader has gone away (`alignment claims ads.txt | head -1`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.models
def test_cli_output_cut_short_by_its_reader_is_not_reported_as_an_error(tmp_path, capsys, monkeypatch):
    ads = tmp_path / "ads.txt"
    ads.write_text("Fewer dropped calls than any other network.\n")
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = main(["claims", str(ads)])
    assert code == 0
    assert capsys.readouterr().err == ""


def test_the_claims_command_a_check_suggests_names_the_ad_tables_columns():
    from alignment.cli import _claims_command_source

    named = argparse.Namespace(ads="my ads.csv", ads_id_column=None, ads_text_column="Copy")
    assert _claims_command_source(named) == "'my ads.csv' --text-column Copy"
    plain = argparse.Namespace(ads="ads.txt", ads_id_column=None, ads_text_column=None)
    assert _claims_command_source(plain) == "ads.txt"


def test_an_unknown_option_is_said_by_the_command_it_was_given_to_with_that_commands_help(capsys):
    code, _, err = _run(capsys, "claims", "ads.txt", "--ads-text-column", "copy")
    assert code == 2 and err == (
        "alignment claims: unrecognized arguments: --ads-text-column copy. Run 'alignment claims --help' for usage.\n"
    )
    code, _, err = _run(capsys, "runs", "show", "1", "--bogus")
    assert code == 2 and "Run 'alignment runs show --help' for usage." in err and err.endswith("\n")


def test_an_out_file_named_as_a_table_or_a_page_is_refused_by_a_command_that_writes_json(tmp_path, capsys):
    ads = tmp_path / "ads.txt"
    ads.write_text("No hidden fees.\n")
    for name in ("claims.csv", "claims.html"):
        out = tmp_path / name
        code, _, err = _run(capsys, "claims", str(ads), "--out", str(out))
        suffix = name.rsplit(".", 1)[1]
        assert code == 2 and f"this command writes JSON, not .{suffix}. Name the file .json" in err
        assert not out.exists()
    # check writes those two, and says which formats it takes for a name it does not
    claims, reviews = tmp_path / "claims.txt", tmp_path / "reviews.csv"
    claims.write_text("No hidden fees\n")
    reviews.write_text("text\nFees everywhere.\n")
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", str(reviews), "--out", "r.parquet")
    assert code == 2 and "writes JSON (or, for a name ending .csv or .html or .htm, that format), not .parquet" in err


@pytest.mark.models
def test_cli_check_writes_the_evidence_table_or_the_html_report_by_the_out_files_name(tmp_path, capsys, reviews_frame):
    reviews = tmp_path / "reviews.csv"
    reviews_frame.to_csv(reviews, index=False)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\nNo hidden fees\n")
    base = ("check", "--claims", str(claims), "--reviews", str(reviews), "--quiet")
    assert _run(capsys, *base, "--out", str(tmp_path / "report.json"))[0] == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert _run(capsys, *base, "--out", str(tmp_path / "evidence.csv"))[0] == 0
    table = pd.read_csv(tmp_path / "evidence.csv", encoding="utf-8-sig")
    matched = sum(len(claim["matches"]) for claim in report["claims"])
    assert len(table) == matched > 0 and {"claim", "sentence", "stance", "region"} <= set(table.columns)
    assert _run(capsys, *base, "--out", str(tmp_path / "report.html"))[0] == 0
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Fewer dropped calls" in page and "Promise vs reality" in page


@pytest.mark.models
def test_cli_claims_reads_a_word_document_as_the_app_does(tmp_path, capsys):
    import docx

    document = docx.Document()
    document.add_paragraph("Fewer dropped calls than any other network.")
    document.add_paragraph("No hidden fees, ever.")
    path = tmp_path / "ads.docx"
    document.save(str(path))
    out = tmp_path / "claims.json"
    code, _, err = _run(capsys, "claims", str(path), "--out", str(out))
    assert code == 0, err
    payload = json.loads(out.read_text())
    assert [ad["ad_id"] for ad in payload["ads"]] == ["ad1", "ad2"]
    assert any("hidden fees" in claim["text"] for claim in payload["claims"])


def test_claims_can_be_piped_in_and_reviews_from_standard_input_are_refused_in_one_line(tmp_path, capsys, monkeypatch):
    from alignment.cli import _numbered_claim_lines

    piped = tmp_path / "piped.txt"
    piped.write_text("No hidden fees\n\nFree returns\n")
    monkeypatch.setattr("alignment.cli._STDIN", str(piped))  # what /dev/stdin holds when claims are piped in
    assert _numbered_claim_lines("-") == [(1, "No hidden fees"), (3, "Free returns")]
    piped.write_text("\n")
    with pytest.raises(InputError, match=r"^Standard input has no claims"):
        _numbered_claim_lines("-")
    claims = tmp_path / "claims.txt"
    claims.write_text("No hidden fees\n")
    code, _, err = _run(capsys, "check", "--claims", str(claims), "--reviews", "-")
    assert code == 2 and "Reviews cannot be read from standard input" in err and "\n" not in err.strip()
