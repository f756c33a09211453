"""Bad input through the CLI: every case ends in one clear line and exit 2, or a report that counts what it skipped."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import run_cli

pytestmark = pytest.mark.models

GOOD_ROWS = [
    ("r1", "My calls drop every single day."),
    ("r2", "No hidden fees on my bill at all."),
    ("r3", "Support fixed my router quickly."),
]


def _csv(rows: list[tuple[str, str]] = GOOD_ROWS, header: str = "review_id,text") -> str:
    return header + "\n" + "".join(f"{rid},{text}\n" for rid, text in rows)


Build = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One bad input: how to build it, and the outcome expected."""

    id: str
    build: Build
    code: int
    fragments: tuple[str, ...] = ()
    check: Callable[[dict[str, Any]], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    command: str = "check"


def _file(name: str, data: bytes | str, *extra: str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
        return ["--reviews", str(path), *extra]

    return build


def _frame_file(name: str, frame: pd.DataFrame, *extra: str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / name
        if name.endswith(".parquet"):
            frame.to_parquet(path)
        else:
            frame.to_csv(path, index=False)
        return ["--reviews", str(path), *extra]

    return build


def _excel(*extra: str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / "book.xlsx"
        with pd.ExcelWriter(path) as writer:
            pd.DataFrame({"text": ["My calls drop every single day."]}).to_excel(
                writer, sheet_name="first", index=False
            )
            pd.DataFrame({"text": ["No hidden fees at all.", "Great support team here."]}).to_excel(
                writer, sheet_name="second", index=False
            )
        return ["--reviews", str(path), *extra]

    return build


def _truncated_parquet(tmp: Path) -> list[str]:
    path = tmp / "cut.parquet"
    pd.DataFrame({"text": [text for _, text in GOOD_ROWS] * 50}).to_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return ["--reviews", str(path)]


def _directory(tmp: Path) -> list[str]:
    folder = tmp / "folder.csv"
    folder.mkdir()
    return ["--reviews", str(folder)]


def _missing(tmp: Path) -> list[str]:
    return ["--reviews", str(tmp / "nope.csv")]


def _no_claim_ads(tmp: Path) -> list[str]:
    reviews = tmp / "reviews.csv"
    reviews.write_text(_csv(), encoding="utf-8")
    ads = tmp / "ads.txt"
    ads.write_text("Shop now.\n", encoding="utf-8")
    return ["--ads", str(ads), "--reviews", str(reviews)]


def _ads_table(rows: str) -> Build:
    def build(tmp: Path) -> list[str]:
        reviews = tmp / "reviews.csv"
        reviews.write_text(_csv(), encoding="utf-8")
        ads = tmp / "ads.csv"
        ads.write_text("ad_name,copy\n" + rows, encoding="utf-8")
        return ["--ads", str(ads), "--ads-id-column", "ad_name", "--ads-text-column", "copy", "--reviews", str(reviews)]

    return build


def _reviews(n: int) -> Callable[[dict[str, Any]], None]:
    def check(report: dict[str, Any]) -> None:
        assert report["dataset"]["reviews"] == n

    return check


def _skipped(reason: str, count: int, reviews: int | None = None) -> Callable[[dict[str, Any]], None]:
    def check(report: dict[str, Any]) -> None:
        assert report["dataset"]["skipped"].get(reason) == count, report["dataset"]
        if reviews is not None:
            assert report["dataset"]["reviews"] == reviews

    return check


def _invalid(expected: dict[str, int | None], reviews: int | None = None) -> Callable[[dict[str, Any]], None]:
    def check(report: dict[str, Any]) -> None:
        invalid = report["dataset"]["columns"]["invalid_values"]
        for reason, count in expected.items():
            assert invalid.get(reason) == count, invalid
        if reviews is not None:
            assert report["dataset"]["reviews"] == reviews

    return check


def _first_sheet(report: dict[str, Any]) -> None:
    assert report["dataset"]["reviews"] == 1


def _no_claims_note(report: dict[str, Any]) -> None:
    assert report["claims"] == []
    assert any("no checkable claims" in note.lower() for note in report["notes"]), report["notes"]


LONG_REVIEW = ("The calls keep dropping and support never answers the phone. " * 3300)[:200_000]
RAGGED = "review_id,text\nr1,My calls drop every day.\nr2,Fees were hidden,extra,fields\nr3,Support was quick.\n"

CASES = [
    Case("empty-file", _file("empty.csv", b""), 2, ("empty",)),
    Case("header-only", _file("header.csv", "review_id,text\n"), 2, ("no review text",)),
    Case("blank-lines-only", _file("blank.csv", "\n\n   \n\r\n"), 2, ("empty",)),
    Case("binary-garbage", _file("garbage.csv", bytes(range(256)) * 64), 2, ("binary",)),
    Case(
        "cp1252-bytes",
        _file(
            "cp1252.csv", "review_id,text\nr1,Caf\xe9 service was \u201cgreat\u201d \u2013 no fees.\n".encode("cp1252")
        ),
        0,
        check=_reviews(1),
    ),
    Case(
        "mixed-line-endings",
        _file("endings.csv", "review_id,text\r\nr1,Calls drop daily.\nr2,No hidden fees.\rr3,Support was quick.\r\n"),
        0,
        check=_reviews(3),
    ),
    Case(
        "nul-in-text", _file("nul.csv", "review_id,text\nr1,Calls d\x00rop daily.\nr2,No fees.\n"), 0, check=_reviews(2)
    ),
    Case(
        "unterminated-quote",
        _file("quote.csv", 'review_id,text\nr1,Calls drop daily.\nr2,"No hidden fees\nr3,Support was quick.\n'),
        2,
        ("never closed", "row 2"),
    ),
    Case("ragged-row", _file("ragged.csv", RAGGED), 0, check=_skipped("malformed row", 1, reviews=2)),
    Case("excel-several-sheets", _excel(), 0, check=_first_sheet),
    Case("excel-sheet-option", _excel("--sheet", "second"), 0, check=_reviews(2)),
    Case("excel-sheet-missing", _excel("--sheet", "third"), 2, ("sheet",)),
    Case("excel-sheet-number", _excel("--sheet", "2"), 0, check=_reviews(2)),
    Case("sheet-on-csv", _file("plain.csv", _csv(), "--sheet", "second"), 2, ("--sheet applies to Excel",)),
    Case(
        "text-column-missing",
        _file("cols.csv", _csv(), "--text-column", "body_text"),
        2,
        ("body_text", "The columns are: review_id, text"),
    ),
    Case(
        # which of two columns named alike holds the reviews is the user's to say, not the reader's to guess
        "duplicate-column-names",
        _file("dupcols.csv", "text,text\nCalls drop daily here.,No hidden fees at all.\n"),
        2,
        ("Two columns are named 'text'", "--text-column"),
    ),
    Case("json-object", _file("obj.json", '{"a": 1, "b": {"text": "x"}}'), 2, ("JSON object",)),
    Case("json-list-of-strings", _file("strs.json", '["Calls drop daily.", "No fees."]'), 2, ("list of records",)),
    Case("json-invalid", _file("bad.json", '[{"text": "Calls drop"'), 2, ("bad.json is not valid JSON", "line 1")),
    Case(
        "jsonl-one-bad-line",
        _file("lines.jsonl", '{"text": "Calls drop daily."}\n{"text": oops\n[1, 2]\n{"text": "No hidden fees."}\n'),
        0,
        check=_skipped("unreadable line", 2, reviews=2),
    ),
    Case("truncated-parquet", _truncated_parquet, 2, ("Could not read cut.parquet",)),
    Case(
        "ratings-bad",
        _file(
            "ratings.csv",
            "text,rating\nCalls drop daily.,1\nNo hidden fees.,high\nSupport was quick.,-3\nGood coverage.,1000\n"
            "Fast internet.,inf\n",
        ),
        0,
        check=_invalid({"non-numeric rating": 1, "rating out of range": 3}, reviews=5),
    ),
    Case(
        "dates-bad-and-mixed",
        _file(
            "dates.csv",
            "text,date\nCalls drop daily.,2025-01-03\nNo hidden fees.,03/02/2025\nSupport was quick.,not a date\n"
            "Good coverage.,Jan 5 2025\n",
        ),
        0,
        check=_invalid({"unparseable date": 1}, reviews=4),
    ),
    Case(
        "duplicate-ids",
        _file("ids.csv", _csv([("r1", "Calls drop daily."), ("r1", "No hidden fees."), ("r1", "Quick support.")])),
        0,
        check=_invalid({"duplicate id": 2}, reviews=3),
    ),
    Case(
        "duplicate-rows",
        _file("duprows.csv", _csv([("r1", "Calls drop daily."), ("r1", "Calls drop daily."), ("r2", "No fees.")])),
        0,
        check=_skipped("duplicate row", 1, reviews=2),
    ),
    Case("huge-review", _frame_file("huge.csv", pd.DataFrame({"text": [LONG_REVIEW]})), 0, check=_reviews(1)),
    Case(
        "non-english",
        _file(
            "intl.csv",
            "text\nLas llamadas se cortan todos los días.\n通話がよく切れます。\nПлата без скрытых комиссий.\n",
        ),
        0,
        check=_reviews(3),
    ),
    Case(
        "emoji-only",
        _file("emoji.csv", "review_id,text\nr1,😡😡😡\nr2,Calls drop daily 📉.\n"),
        0,
        check=_skipped("no words (only numbers, emoji or punctuation)", 1, reviews=1),
    ),
    Case("all-blank-text", _file("blanks.csv", "review_id,text\nr1,   \nr2,\n"), 2, ("no review text",)),
    Case("ads-without-claims", _no_claim_ads, 0, check=_no_claims_note),
    Case(
        "ads-with-one-id-twice",
        _ads_table('A1,"No hidden fees, ever."\nA2,\nA1,Fastest 5G in town.\n'),
        2,
        ("ads.csv gives the id 'A1' to more than one ad (data rows 1 and 3)",),
    ),
    Case(
        "blank-id-beside-real-ids",
        _file("ids.csv", "review_id,text\n2,Calls drop daily.\n,No hidden fees.\n7,Quick support.\n"),
        0,
        check=_invalid({"missing id": 1, "duplicate id": None}, reviews=3),  # None: not counted at all
    ),
    Case(
        "title-over-a-header-with-a-trailing-comma",
        _file(
            "titled.csv",
            "Customer feedback export\n\nreview_id,rating,text,\nr1,5,Calls drop daily.,\nr2,1,No fees.,\n",
        ),
        0,
        check=_skipped("title row above the header", 1, reviews=2),
    ),
    Case(
        "ratings-marked-missing-in-words",
        _file("na.csv", "text,rating\nCalls drop daily.,N/A\nNo hidden fees.,-\nQuick support.,4\n"),
        0,
        check=_invalid({"non-numeric rating": None}, reviews=3),
    ),
    Case("sheet-number-past-the-last", _excel("--sheet", "9"), 2, ("no sheet at that number", "1 to 2 with --sheet")),
    Case("file-over-limit", _file("big.csv", _csv()), 2, ("ALIGN_MAX_FILE_MB",), env={"ALIGN_MAX_FILE_MB": "0.00001"}),
    Case("bad-limit-setting", _file("ok.csv", _csv()), 2, ("ALIGN_MAX_FILE_MB",), env={"ALIGN_MAX_FILE_MB": "lots"}),
    Case("directory", _directory, 2, ("folder",)),
    Case("unknown-extension", _file("reviews.xyz", _csv()), 2, ("Unsupported file type",)),
    Case("missing-file", _missing, 2, ("not found",)),
    Case("no-header-text-column", _file("numbers.csv", "a,b\n1,2\n3,4\n"), 2, ("Could not tell", "a, b")),
]


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    return run_cli(capsys, *argv)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_check_bad_input_matrix(case: Case, tmp_path, capsys, monkeypatch):
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    source = case.build(tmp_path)
    claims = tmp_path / "claims.txt"
    claims.write_text("Fewer dropped calls\nNo hidden fees\n", encoding="utf-8")
    out = tmp_path / "report.json"
    argv = ["check", "--quiet", "--stance-model", "lexicon", "--out", str(out), *source]
    if "--ads" not in source:
        argv += ["--claims", str(claims)]
    started = time.monotonic()
    code, _, err = _run(capsys, argv)
    elapsed = time.monotonic() - started
    assert "Traceback" not in err
    if case.code == 2:
        assert code == 2, err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
        for fragment in case.fragments:
            assert fragment in lines[0], lines[0]
        assert not out.exists()
    else:
        assert code == 0, err
        report = json.loads(out.read_text(encoding="utf-8"))
        assert case.check is not None
        case.check(report)
        assert elapsed < 300


INGEST_CASES = [
    Case("ingest-ragged-row", _file("ragged.csv", RAGGED), 0, ("malformed row",)),
    Case("ingest-empty", _file("empty.csv", b""), 2, ("empty",)),
    Case(
        "ingest-over-limit", _file("big.csv", _csv()), 2, ("ALIGN_MAX_FILE_MB",), env={"ALIGN_MAX_FILE_MB": "0.00001"}
    ),
    Case("ingest-excel-sheet", _excel("--sheet", "second"), 0, ("2 reviews",)),
    Case(
        "ingest-unterminated-quote",
        _file("quote.csv", 'review_id,text\nr1,Calls drop daily.\nr2,"No hidden fees\nr3,Support was quick.\n'),
        2,
        ("never closed",),
    ),
    Case(
        "ingest-nul-in-text",
        _file("nul.csv", "review_id,text\nr1,Calls d\x00rop daily.\nr2,No fees.\n"),
        0,
        ("2 reviews",),
    ),
    Case("ingest-binary", _file("garbage.csv", bytes(range(256)) * 64), 2, ("binary",)),
]


@pytest.mark.parametrize("case", INGEST_CASES, ids=[case.id for case in INGEST_CASES])
def test_ingest_bad_input(case: Case, tmp_path, capsys, monkeypatch):
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    source = case.build(tmp_path)
    path_and_options = source[1:]
    argv = ["ingest", *path_and_options, "--name", "reviews", "--quiet", "--workspace", str(tmp_path / "ws")]
    code, out, err = _run(capsys, argv)
    assert "Traceback" not in err
    assert code == case.code, err
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
        for fragment in case.fragments:
            assert fragment in lines[0], lines[0]
    else:
        for fragment in case.fragments:
            assert fragment in out, out
