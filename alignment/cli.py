"""Command line: `alignment claims`, `check`, `ingest`, `datasets`, `runs` and `evaluate`.

Turns InputError into one line on stderr and exit 2, any other AlignmentError into one line and exit 1. A
Ctrl-C (exit 130) or, during check, ingest and evaluate, a SIGTERM (exit 143) says in one line what was kept.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import errno
import json
import os
import re
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from alignment.errors import (
    AlignmentError,
    EmptyDatasetError,
    InputError,
    MissingColumnError,
    MissingFileError,
    UnreadableFileError,
)

if TYPE_CHECKING:
    from alignment.evaluate import ClaimEvaluation, EvidenceEvaluation
    from alignment.records import Ad, PossibleClaim
    from alignment.report import Report
    from alignment.workspace import DatasetInfo, RunInfo, Workspace

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a `kill`
SHOWN_ERRORS = 5  # `evaluate claims` prints this many of its wrong and missed claims
# Commands that may run for minutes: a SIGTERM (a `kill`, a service or container stopping) takes Ctrl-C's path
# through them, so they say what was kept and leave no staging or temporary file behind.
LONG_COMMANDS = ("check", "ingest", "evaluate")


class _Interrupted(KeyboardInterrupt):
    """A Ctrl-C after the command had already saved or written something; its text says what was kept and
    what was not, for the one line main() prints ("nothing was written" is said only when it is true)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, not usage plus message."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {message}. Run '{self.prog} --help' for usage.\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="alignment",
        description="Check whether marketing claims match what customers say in reviews and complaints.",
    )
    parser.add_argument("--version", action="version", version=f"alignment {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    claims = commands.add_parser(
        "claims",
        help="extract the claims from ad copy",
        description="Extract the checkable claims from ad copy and write them as JSON.",
    )
    claims.add_argument(
        "ads",
        metavar="ADS",
        help=(
            "a .txt, .md or .html file (ads separated by blank lines; a page's by its paragraphs), a .docx "
            "Word document (each paragraph an ad) or a table with id and text columns"
        ),
    )
    claims.add_argument(
        "--out", metavar="FILE", help="write the JSON here; - or no --out: standard output (never one of the inputs)"
    )
    claims.add_argument("--id-column", metavar="C", help="column of ad ids in a table (default: id)")
    claims.add_argument("--text-column", metavar="C", help="column of ad text in a table (default: text)")
    claims.add_argument(
        "--possible",
        action="store_true",
        help="also list the phrases scored just under the bar (possible_claims), to check by hand: a quarter to "
        "a third of them are promises a careful reader would mark",
    )

    check = commands.add_parser(
        "check",
        help="judge claims against reviews and write a report",
        description="Find the review sentences that speak to each claim, judge their stance and score each claim.",
    )
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--ads", metavar="ADS", help="ad copy to extract claims from (.txt, .md, .html, .docx or a table)"
    )
    source.add_argument(
        "--claims", metavar="CLAIMS.txt", help="one claim per line, used verbatim ('#' opens a comment line)"
    )
    reviews = check.add_mutually_exclusive_group(required=True)
    reviews.add_argument("--reviews", metavar="FILE", help="CSV, TSV, Excel, JSON, JSON Lines or Parquet")
    reviews.add_argument(
        "--dataset",
        metavar="NAME",
        help="a dataset in the workspace (see `alignment ingest`); reuses its stored embeddings and saves the run",
    )
    _add_column_options(check)
    check.add_argument("--ads-id-column", metavar="C", help="column of ad ids when ADS is a table")
    check.add_argument("--ads-text-column", metavar="C", help="column of ad text when ADS is a table")
    check.add_argument(
        "--min-similarity", type=float, metavar="X", help="cosine similarity for a sentence to count as relevant"
    )
    check.add_argument("--min-evidence", type=int, metavar="N", help="stance-bearing mentions needed for a verdict")
    check.add_argument("--stance-model", choices=("bundled", "lexicon"), help="stance judge (default: bundled)")
    check.add_argument(
        "--no-rating-prior",
        action="store_true",
        help="read each sentence's text alone; by default, when the reviews have star ratings, each sentence is "
        "also read by a reader the dataset's ratings teach, and each stance is weighed by its review's rating, "
        "as strongly as the ratings track the text in this dataset",
    )
    check.add_argument(
        "--no-amounts",
        action="store_true",
        help="read every sentence with the stance model; by default, when a claim promises a bounded amount "
        '("in 30 minutes or less"), a sentence that reports one of its kind ("took 75 minutes") takes its '
        "side from the comparison",
    )
    check.add_argument(
        "--no-relative-match",
        action="store_true",
        help="match every claim at --min-similarity alone; by default a claim that sits far from every sentence "
        "of the dataset also matches, down to 0.10 under it, the sentences that stand well above its usual "
        "similarity there",
    )
    _add_embedder_option(check)
    check.add_argument("--label", metavar="TEXT", help="with --dataset: a name for the saved run (e.g. the campaign)")
    check.add_argument("--no-save", action="store_true", help="with --dataset: do not record the run")
    _add_workspace_option(check)
    check.add_argument(
        "--out",
        metavar="FILE",
        help="write the report here: JSON, or for a name ending .csv the evidence table (Excel-safe), for .html the "
        "HTML report with its charts; - or no --out: JSON to standard output (never an input or a workspace file)",
    )
    check.add_argument(
        "--quiet", action="store_true", help="no progress output (the summary, warnings and notes still show)"
    )

    ingest = commands.add_parser(
        "ingest",
        help="read a review file into the workspace as a named dataset",
        description="Read, validate and split a review file into the workspace, streaming it in chunks so files "
        "larger than memory work. Later checks use --dataset NAME and never embed a sentence twice.",
    )
    ingest.add_argument("file", metavar="FILE", help="CSV, TSV, JSON Lines or Parquet (streamed), Excel or JSON")
    ingest.add_argument("--name", required=True, metavar="NAME", help="dataset name: letters, digits, . _ -")
    _add_column_options(ingest)
    ingest.add_argument("--replace", action="store_true", help="replace a dataset of the same name")
    ingest.add_argument(
        "--embed", action="store_true", help="also embed every sentence now (else the first check does)"
    )
    _add_embedder_option(ingest)
    _add_workspace_option(ingest)
    ingest.add_argument("--quiet", action="store_true", help="no progress output (the summary and warnings still show)")

    datasets = commands.add_parser(
        "datasets",
        help="list, show, delete or prune the workspace's datasets",
        description="List the datasets in the workspace (default), show one, delete one, or prune unused vectors.",
    )
    _add_listing_options(datasets, action=False)
    dataset_actions = datasets.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION")
    _add_listing_options(dataset_actions.add_parser("list", help="list the datasets", description="List the datasets."))
    for action, text in (("show", "show one dataset's provenance, columns and counts"), ("delete", "delete a dataset")):
        sub = dataset_actions.add_parser(action, help=text, description=text[0].upper() + text[1:] + ".")
        sub.add_argument("name", metavar="NAME")
        _add_listing_options(sub)
    _add_listing_options(
        dataset_actions.add_parser(
            "prune",
            help="drop cached vectors that no dataset uses",
            description="Drop the cached sentence vectors that no saved dataset uses (after deletes and replaces).",
        )
    )

    runs = commands.add_parser(
        "runs",
        help="the history of checks on workspace datasets",
        description="List saved runs, newest first (default), show one run's claims, compare two, or delete one.",
    )
    _add_listing_options(runs, action=False)
    runs.add_argument("--dataset", metavar="NAME", default=argparse.SUPPRESS, help="only runs on this dataset")
    runs.add_argument("--limit", type=int, metavar="N", default=argparse.SUPPRESS, help="at most N runs")
    run_actions = runs.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION")
    run_list = run_actions.add_parser("list", help="list the runs", description="List the runs, newest first.")
    _add_listing_options(run_list)
    run_list.add_argument("--dataset", metavar="NAME", default=argparse.SUPPRESS, help="only runs on this dataset")
    run_list.add_argument("--limit", type=int, metavar="N", default=argparse.SUPPRESS, help="at most N runs")
    run_show = run_actions.add_parser(
        "show", help="one run's claims and verdicts", description="Show one run's claims and verdicts."
    )
    run_show.add_argument("run_id", type=int, metavar="RUN")
    run_show.add_argument(
        "--out",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="write the run's full report here, as `check --out` does (JSON, .csv the evidence table, .html the "
        "HTML report); -: JSON to standard output, in place of the table; never inside the workspace",
    )
    _add_listing_options(run_show)
    run_compare = run_actions.add_parser(
        "compare",
        help="two runs claim by claim",
        description="Compare two saved runs claim by claim (paired by wording): the claims now at risk first, "
        "then those now contradicted (mixed before), those still at risk, new, otherwise changed, unchanged, "
        "no longer at risk, and left out.",
    )
    run_compare.add_argument("earlier", type=int, metavar="EARLIER", help="the earlier run's number")
    run_compare.add_argument("later", type=int, metavar="LATER", help="the later run's number")
    run_compare.add_argument(
        "--out",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="also write the comparison here: a table if FILE ends in .csv, else JSON (-: JSON to standard output)",
    )
    _add_listing_options(run_compare)
    run_delete = run_actions.add_parser("delete", help="forget a run", description="Forget a saved run.")
    run_delete.add_argument("run_id", type=int, metavar="RUN")
    _add_listing_options(run_delete)

    evaluate = commands.add_parser(
        "evaluate",
        help="measure the claims and the evidence on your own labelled data",
        description="Score alignment against data you labelled: the claims it extracts against the claims "
        "annotators marked, or its reading of reviews against their labels, beside the lexicon and cosine "
        "baselines (the rules behind the README's quality figures).",
    )
    evaluate_kinds = evaluate.add_subparsers(dest="kind", required=True, parser_class=_Parser, metavar="KIND")
    evaluate_claims = evaluate_kinds.add_parser(
        "claims",
        help="extracted claims against marked ones",
        description="Extract the claims of annotated ads and score them against the marked claims (word-set "
        'Jaccard >= 0.4). ADS is JSON Lines, one ad per line: {"id": ..., "text": ..., "claims": [...]}, '
        'or one "claims_a", "claims_b" list per annotator (then a claim is right when it matches any '
        "annotator's, and recall is over the claims all of them marked).",
    )
    evaluate_claims.add_argument("ads", metavar="ADS", help="annotated ads (.jsonl, or .json holding a list)")
    evaluate_claims.add_argument(
        "--out",
        metavar="FILE",
        help="write the full evaluation JSON here (-: to standard output, in place of the tables)",
    )
    evaluate_evidence = evaluate_kinds.add_parser(
        "evidence",
        help="the reading of labelled reviews",
        description="Check claims against reviews labelled with a side and score the reading: stance "
        "accuracy on every matched labelled review, per side, and its calibration; with --about-column, how "
        "high each claim's contradicting reviews rank (average precision, the first ten quotes).",
    )
    evaluate_evidence.add_argument("--claims", required=True, metavar="CLAIMS.txt", help="one claim per line")
    evidence_source = evaluate_evidence.add_mutually_exclusive_group(required=True)
    evidence_source.add_argument("--reviews", metavar="FILE", help="the labelled reviews, any format")
    evidence_source.add_argument(
        "--dataset",
        metavar="NAME",
        help="a workspace dataset whose rating or segment columns hold the labels (ingest them with "
        "--segment-column); reuses its stored embeddings",
    )
    evaluate_evidence.add_argument(
        "--label-column",
        required=True,
        metavar="C",
        help="each review's side: negative/contradicts/complaint, positive/supports/praise, neutral; -1/0/1; "
        "or a star rating (40%% of the top or less contradicts, 80%% or more supports)",
    )
    evaluate_evidence.add_argument(
        "--about-column", metavar="C", help="which claim each review is about: its number (from 1) or its text"
    )
    evaluate_evidence.add_argument(
        "--labels-per-claim",
        action="store_true",
        help="each row's label is the review's side on its --about-column claim only (aspect-level labels); "
        "a review may have a row per claim, and rows sharing an id (or, with no --id-column, a text) are one "
        "review",
    )
    evaluate_evidence.add_argument(
        "--group-column",
        metavar="C",
        help="check each group of reviews (a brand, a product, a market) on its own and pool the figures: "
        "stance over every pair, AP over every group and claim ranked",
    )
    evaluate_evidence.add_argument(
        "--min-relevant",
        type=int,
        default=1,
        metavar="N",
        help="rank a claim (in a group) only with at least N contradicting reviews about it (default 1; the "
        "README's airline measure takes 10)",
    )
    _add_text_and_id_options(evaluate_evidence)
    evaluate_evidence.add_argument("--sheet", metavar="S", help="Excel only: the sheet to read")
    evaluate_evidence.add_argument(
        "--min-similarity",
        type=float,
        nargs="+",
        metavar="X",
        help="cosine similarity for a sentence to count as relevant; several values compare the settings "
        "side by side (each an evaluation, the reviews embedded once)",
    )
    evaluate_evidence.add_argument(
        "--no-rating-prior",
        action="store_true",
        help="read each sentence's text alone, as `check --no-rating-prior` does (the ratings never weigh the "
        "stance when the label column is the rating column)",
    )
    evaluate_evidence.add_argument(
        "--no-amounts", action="store_true", help="read every sentence with the stance model, as `check --no-amounts`"
    )
    evaluate_evidence.add_argument(
        "--no-relative-match",
        action="store_true",
        help="match every claim at --min-similarity alone, as `check --no-relative-match`",
    )
    _add_embedder_option(evaluate_evidence)
    _add_workspace_option(evaluate_evidence)
    evaluate_evidence.add_argument(
        "--out",
        metavar="FILE",
        help="write the full evaluation JSON here (-: to standard output, in place of the tables)",
    )
    evaluate_evidence.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


def _add_text_and_id_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-column", metavar="C", help="review text column (detected when omitted)")
    parser.add_argument("--id-column", metavar="C", help="review id column (row numbers when omitted)")


def _add_column_options(parser: argparse.ArgumentParser) -> None:
    _add_text_and_id_options(parser)
    parser.add_argument("--date-column", metavar="C", help="review date column")
    parser.add_argument("--rating-column", metavar="C", help="review rating column")
    parser.add_argument(
        "--segment-column",
        metavar="C",
        action="append",
        dest="segment_columns",
        help="a column to break results down by (channel, region, product); repeat for several",
    )
    parser.add_argument(
        "--sheet",
        metavar="S",
        help="Excel only: the sheet to read, by name or number from 1 (default: the first that holds a table)",
    )
    parser.add_argument(
        "--dates",
        choices=("day-first", "month-first"),
        help="how the date column writes numeric dates (03/04/2025); by default the dates say, and where none "
        "has a day over 12 they are read month first and counted as unclear",
    )


def _add_embedder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--embedder",
        choices=("exact", "fast"),
        help="exact: fp32 MiniLM (default, or ALIGN_EMBEDDER); fast: the same model quantised to int8 with "
        "ONNX Runtime, several times faster on a CPU, built locally on first use",
    )


def _add_workspace_option(parser: argparse.ArgumentParser, default: object = None) -> None:
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=default,
        help="workspace folder (default: ALIGN_WORKSPACE, else ~/.local/share/alignment)",
    )


def _add_listing_options(parser: argparse.ArgumentParser, action: bool = True) -> None:
    """--workspace and --json, given before or after the action (an action keeps what its command set)."""
    default = argparse.SUPPRESS if action else None
    _add_workspace_option(parser, default)
    parser.add_argument("--json", action="store_true", default=default, help="print JSON instead of a table")


def _version() -> str:
    from alignment import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 user error, 1 other failure, 130 Ctrl-C, 143 SIGTERM)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # Said by the command they were given to, whose --help lists what it takes (argparse's own message
        # comes from the top parser, and pointed at `alignment --help`).
        command = " ".join(
            [
                "alignment",
                *(str(getattr(args, name)) for name in ("command", "action", "kind") if getattr(args, name, None)),
            ]
        )
        parser.exit(
            EXIT_USER_ERROR,
            f"{command}: unrecognized arguments: {' '.join(unknown)}. Run '{command} --help' for usage.\n",
        )
    terminated: list[int] = []
    try:
        if hasattr(args, "workspace"):
            _workspace_location(args.workspace)  # an unusable ~user in --workspace or ALIGN_WORKSPACE: one line
        handler = {
            "claims": _run_claims,
            "check": _run_check,
            "ingest": _run_ingest,
            "datasets": _run_datasets,
            "runs": _run_runs,
            "evaluate": _run_evaluate,
        }[args.command]
        if args.command not in LONG_COMMANDS:
            with _query_interrupts_as_keyboard():
                return handler(args)
        with _sigterm_as_interrupt(terminated), _query_interrupts_as_keyboard():
            return handler(args)
    except InputError as exc:
        _fail(str(exc))
        return EXIT_USER_ERROR
    except AlignmentError as exc:
        _fail(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt as exc:
        kept = str(exc) if isinstance(exc, _Interrupted) else "nothing was written"
        _fail(f"interrupted{' by SIGTERM' if terminated else ''}; {kept}.")
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output stopped early (`alignment evaluate claims ads.jsonl | head`): not an error.
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            # A path the user gave that the system refuses outright, wherever it was first used.
            name = exc.filename if isinstance(exc.filename, str) else "a path given"
            _fail(f"{_shown(name)}: the file name is too long for the system. Give a shorter path.")
            return EXIT_USER_ERROR
        if os.environ.get("ALIGN_DEBUG"):
            raise
        duckdb = sys.modules.get("duckdb")  # loaded only when a workspace was opened
        if duckdb is not None and isinstance(exc, duckdb.Error):
            # The workspace opened, but a part of its file cannot be read: a copy cut short, a disk that
            # filled while another program wrote it. What reads still reads; say what to do about the rest.
            from alignment.workspace import location_setting

            where = _workspace_location(getattr(args, "workspace", None))
            setting = location_setting(getattr(args, "workspace", None))
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _fail(
                f"The workspace in {where} could not be read ({first}); its file may be damaged. Restore it from "
                f"a backup, or move it away (or set {setting} to another folder) and ingest the datasets again."
            )
            return EXIT_FAILURE
        _fail(
            f"internal error: {type(exc).__name__}: {exc}. "
            "Set ALIGN_DEBUG=1 to see the traceback, and please report it."
        )
        return EXIT_FAILURE


@contextlib.contextmanager
def _sigterm_as_interrupt(received: list[int]) -> Iterator[None]:
    """While the block runs, a SIGTERM raises KeyboardInterrupt as a Ctrl-C does, so a command cut short by
    `kill`, a service manager or a container stopping cleans up and says what was kept, as it does for Ctrl-C
    (an ingest's staging file is removed at once, not when the workspace is next opened). ``received`` gets
    the signal's number, for main() to tell the two apart; a second SIGTERM while the first unwinds is
    ignored, so the clean-up is not cut short. The previous handler is restored after. Only the main thread
    can set a handler: called from another (an embedding application), the block runs unchanged."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        if received:
            return
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        # None: the previous handler was not set from Python; the default is the closest to it.
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's flush at exit does not hit the closed
    pipe again (the recipe in Python's signal documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a stdout with no file behind it (a test's capture)
        pass


def _fail(message: str) -> None:
    print(f"alignment: error: {' '.join(message.split())}", file=sys.stderr)


def _run_claims(args: argparse.Namespace) -> int:
    from alignment.claims import read_copy
    from alignment.config import Config

    _check_out_path(args.out, [("ad copy", args.ads)])
    ads, notes = _read_ads(args.ads, args.id_column, args.text_column, text_flag="--text-column")
    for note in notes:
        print(f"alignment: {note}", file=sys.stderr)
    # One parse of the copy for the claims and, with --possible, the phrases scored just under the bar.
    claims, possible = read_copy(ads, limit=Config.from_env().max_claims)
    payload: dict[str, Any] = {
        "claims": [
            {
                "claim_id": c.claim_id,
                "ad_id": c.ad_id,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "aspect": c.aspect,
                "type": c.type,
            }
            for c in claims
        ]
    }
    if args.possible:
        payload["possible_claims"] = [dataclasses.asdict(found) for found in possible]
    # The ads as read (HTML as the text a browser shows, markdown without its markers, line ends made
    # plain): each claim's start and end index its ad's text here, as in a check's report.
    payload["ads"] = [{"ad_id": ad.ad_id, "text": ad.text} for ad in ads]
    from alignment.pipeline import copy_language_note

    language = copy_language_note(ads)
    # What is said on the terminal is in the JSON too, as a check's report keeps its notes: a file read later
    # by a script still says that the copy did not read as English, or held no claim.
    said = [
        *notes,
        *([language] if language else []),
        *([] if claims else ["no checkable claims found in the ad copy."]),
    ]
    payload["notes"] = said
    _write(args.out, json.dumps(payload, indent=2, ensure_ascii=False))
    for note in said[len(notes) :]:
        print(f"alignment: {note}", file=sys.stderr)
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from alignment.config import Config
    from alignment.embed import embedder_kind
    from alignment.pipeline import check
    from alignment.progress import SilentProgress, terminal_progress

    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("min_similarity", args.min_similarity),
            ("min_evidence", args.min_evidence),
            ("stance_model", args.stance_model),
            ("rating_prior", False if args.no_rating_prior else None),
            ("quantities", False if args.no_amounts else None),
            ("relative_match", False if args.no_relative_match else None),
        )
        if value is not None
    }
    with _settings_as_options():
        config = Config.from_env(None, **overrides)
    kind = embedder_kind(args.embedder)
    _check_out_path(
        args.out,
        [("ad copy", args.ads), ("claims file", args.claims), ("reviews file", args.reviews)],
        workspace=_workspace_location(args.workspace),
        tables=_REPORT_OUT_SUFFIXES,
    )
    if args.dataset is not None:
        _refuse_file_options(
            (
                ("--text-column", args.text_column),
                ("--id-column", args.id_column),
                ("--date-column", args.date_column),
                ("--rating-column", args.rating_column),
                ("--segment-column", args.segment_columns),
                ("--sheet", args.sheet),
                ("--dates", args.dates),
            )
        )
        if args.label is not None and args.no_save:
            # Refused as the other options that contradict each other are: the label would be lost unsaid.
            raise InputError("--label names a saved run, but --no-save saves none; drop --no-save or --label.")
        with _open_workspace(args.workspace) as opened:
            opened.dataset(args.dataset)  # fail now on an unknown name, before loading any model
            if opened.read_only and not args.no_save:  # say so now, not after the check
                raise InputError(
                    f"The workspace {opened.database} can only be read: {opened.why_read_only}. Add --no-save to "
                    "check without saving the run, or set --workspace to a folder you can write to."
                )
    elif args.label or args.no_save:
        raise InputError("--label and --no-save apply to --dataset runs only.")
    else:
        _require_reviews_file(args.reviews)
    sheet = None if args.dataset is not None else _sheet(args.sheet, args.reviews)
    run_id = None
    ads = None
    claim_lines = None
    repeated = None
    if args.ads:
        ads, notes = _read_ads(args.ads, args.ads_id_column, args.ads_text_column, text_flag="--ads-text-column")
        repeated = " ".join(notes) or None  # the ad rows skipped, said in the report as the repeated claims are
    else:
        claim_lines, repeated = _unique_claims(_numbered_claim_lines(args.claims))
    progress = SilentProgress() if args.quiet else terminal_progress()
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if args.dataset is not None:
        from alignment.embed import select_embedder
        from alignment.workspace import MERGE_WAIT_S, check_dataset_at

        embedder = select_embedder(kind)
        try:
            # The workspace is opened only to read the dataset and its vectors and to store new ones, so
            # the app and other commands use it while this check embeds, matches and judges.
            with _query_interrupts_as_keyboard():
                report, checked = check_dataset_at(
                    args.workspace,
                    ads,
                    args.dataset,
                    config,
                    claims=claim_lines,
                    embedder=embedder,
                    progress=progress,
                    wait_s=MERGE_WAIT_S,
                )
        except KeyboardInterrupt:
            # The sentence vectors embedded may already be cached in the workspace: not "nothing written".
            raise _Interrupted("no report was written and no run was saved") from None
        report = _with_note(report, repeated)  # before it is saved, so the saved run says it too
        if not args.no_save:
            try:
                with _query_interrupts_as_keyboard(), _open_workspace(args.workspace, wait_s=MERGE_WAIT_S) as workspace:
                    run = workspace.save_run(
                        report,
                        dataset=args.dataset,
                        label=args.label,
                        embedder=embedder.model_id,
                        started_at=started,
                        dataset_id=checked.dataset_id,
                    )
            except KeyboardInterrupt:
                # Cut inside its transaction, the run is not saved; cut just after the commit, it is.
                raise _Interrupted(
                    "no report was written; see `alignment runs` for whether the run was saved"
                ) from None
            except AlignmentError as exc:
                # The check itself is done (minutes, on a large dataset): write its report before saying why the
                # run could not be saved (the dataset replaced meanwhile, the workspace busy or its disk full).
                _write(args.out, _report_text(report, args.out))
                written = "standard output" if args.out in (None, "-") else args.out
                exc.args = (f"{exc} The check's report was written to {written}.",)
                raise
            run_id = run.run_id
    else:
        report = check(
            ads,
            args.reviews,
            config,
            claims=claim_lines,
            **_column_options(args),
            sheet=sheet,
            embedder=None if kind == "exact" else _embedder(kind),
            progress=progress,
        )
        report = _with_note(report, repeated)
    try:
        _write(args.out, _report_text(report, args.out))
    except KeyboardInterrupt:
        if run_id is None:
            raise
        raise _Interrupted(
            f"the check was saved as run {run_id}, but its report was not written in full; "
            f"`alignment runs show {run_id} --out FILE` writes it"
        ) from None
    # --quiet hides the progress only: what the check found out about its input is always said.
    summary = report.dataset
    skipped = _counts(summary.skipped)
    print(
        f"alignment: {_plural(len(report.claims), 'claim')} checked against {_plural(summary.sentences, 'sentence')} "
        f"from {_plural(summary.reviews, 'review')} (skipped rows: {skipped}{_invalid_values(summary.columns)}).",
        file=sys.stderr,
    )
    if args.dataset is None and args.sheet is None:
        from alignment.ingest import sheet_read_note

        sheets = sheet_read_note(args.reviews, summary.source)
        if sheets:
            print(f"alignment: {sheets}", file=sys.stderr)
    for note in report.notes:
        print(f"alignment: {note}", file=sys.stderr)
    if report.possible_claims:
        _mention_possible_claims(report.possible_claims, _claims_command_source(args))
    if run_id is not None:
        print(f"alignment: saved as run {run_id} (`alignment runs show {run_id}`).", file=sys.stderr)
    return EXIT_OK


# The command-line options that set a Config field (or an evaluation's argument), by the field's name.
_SETTING_OPTIONS = {
    "min_similarity": "--min-similarity",
    "min_evidence": "--min-evidence",
    "min_relevant": "--min-relevant",
}


@contextlib.contextmanager
def _settings_as_options() -> Iterator[None]:
    """Inside the block, a setting out of its range that an option gave is said as that option's error
    ("--min-relevant must be at least 1 contradicting review, got 0."), not under the Python name it has
    in Config. Only values the command line passes in reach the block's SettingErrors: a setting from an
    ALIGN_* variable is refused by Config.from_env under the variable's name."""
    from alignment.config import SettingError

    try:
        yield
    except SettingError as exc:
        option = _SETTING_OPTIONS.get(exc.setting)
        if option is None:
            raise
        raise InputError(exc.named(option)) from None


def _with_note(report: Report, note: str | None) -> Report:
    """``report`` with ``note`` first among its notes (in its JSON, and said on stderr), or as it is."""
    return report if note is None else dataclasses.replace(report, notes=(note, *report.notes))


def _plural(count: int, word: str, plural: str | None = None) -> str:
    """``count`` and ``word``, in the plural unless the count is one: "1 review", "1,204 reviews"."""
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def _claims_command_source(args: argparse.Namespace) -> str:
    """The ads of a check as `alignment claims` takes them: the file, and the table's columns where they
    were named (`check` calls them --ads-id-column and --ads-text-column, `claims` --id-column and
    --text-column)."""
    parts = [shlex.quote(args.ads)]
    if args.ads_id_column:
        parts += ["--id-column", shlex.quote(args.ads_id_column)]
    if args.ads_text_column:
        parts += ["--text-column", shlex.quote(args.ads_text_column)]
    return " ".join(parts)


def _mention_possible_claims(possible: Sequence[PossibleClaim], source: str) -> None:
    """Say on stderr how many phrases of the copy (at least one, most probable first) scored just under the
    claim bar and were not checked (extraction misses plain qualitative promises most), and how to see and
    check them."""
    several = len(possible) != 1
    print(
        f"alignment: {len(possible)} phrase{'s' if several else ''} of the copy scored just under the claim "
        f"bar and {'were' if several else 'was'} not checked (the likeliest: “{possible[0].text}”). "
        f"`alignment claims {source} --possible` lists {'them' if several else 'it'} beside the extracted "
        "claims; to check a set of your choosing, give it with --claims.",
        file=sys.stderr,
    )


def _read_ads(path: str, id_column: str | None, text_column: str | None, text_flag: str) -> tuple[list[Ad], list[str]]:
    """The ads of ``path`` (:func:`alignment.ingest.read_ads`) and its notes on the ad rows it skipped, its
    messages worded for this command: ``text_flag`` is the option naming the ad text column (`check` calls it
    --ads-text-column, as its --text-column is the reviews'), and an ad table's lack of copy is told in rows,
    not blank lines."""
    from alignment.ingest import read_ads

    path = _STDIN if path == "-" else path  # copy piped in is read as text, ads separated by blank lines
    notes: list[str] = []
    try:
        return read_ads(path, id_column=id_column, text_column=text_column, notes=notes), notes
    except MissingColumnError as exc:
        raise MissingColumnError(str(exc).replace("--text-column", text_flag)) from None
    except EmptyDatasetError:
        from alignment.ingest import AD_TEXT_SUFFIXES

        if Path(path).suffix.lower() in AD_TEXT_SUFFIXES:
            raise
        named = f"a {text_column!r} column" if text_column else f"a 'text' column (or name another with {text_flag})"
        raise EmptyDatasetError(
            f"{Path(path).name} holds no ad copy. Give a table with {named} and one ad's text per row."
        ) from None


def _read_claim_lines(name: str) -> list[str]:
    """The claims of a --claims file: one per line, blank lines left out, in order (`evaluate evidence
    --about-column` numbers them so)."""
    return [text for _, text in _numbered_claim_lines(name)]


def _numbered_claim_lines(name: str) -> list[tuple[int, str]]:
    """The claims of a --claims file with their line numbers (from 1): one per line, blank lines and comments
    ("# spring campaign") left out.
    Any readable path will do, not only a regular file: /dev/stdin and a shell's ``<(...)`` are pipes.
    Refused in one line: a binary file, a line holding a control character, a table (a header row naming a
    claim column), a line longer than the app lets a claim be."""
    from alignment.ingest import decode_bytes, looks_binary

    name = _STDIN if name == "-" else name  # claims piped in, one per line
    path = _expanded(name, "--claims")
    if not path.exists():
        raise MissingFileError(f"Claims file not found: {name}. Give a text file with one claim per line.")
    if path.is_dir():
        raise InputError(f"--claims {name} is a folder. Give a text file with one claim per line.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read the claims file {name}: {exc.strerror}. Check its permissions.") from None
    text = decode_bytes(data)
    if looks_binary(text):
        raise UnreadableFileError(
            f"{path.name} looks like a binary file, not text. Give --claims a text file with one claim per line."
        )
    # Lines end where an editor ends them: str.splitlines also breaks at a form feed or U+2028, and the line
    # numbers the messages give would not be the editor's.
    lines = [
        (number, line.strip())
        for number, line in enumerate(re.split(r"\r\n|\r|\n", text.replace("\x00", "")), 1)
        if line.strip() and not _COMMENT_LINE.match(line)
    ]
    if not lines:
        shown = "Standard input" if name == _STDIN else name
        raise InputError(f"{shown} has no claims. Put one claim per line.")
    for number, line in lines:
        control = _CONTROL_CHARACTER.search(line)
        if control:
            # Too few to read as binary, yet no claim holds one: a damaged or mis-saved file, whose line would
            # go into the report (and a terminal) as it is. Named by code point, not echoed.
            raise InputError(
                f"--claims {path.name}, line {number:,} holds a control character (U+{ord(control.group()):04X}), "
                "which no claim has. Remove it, or save the file again as plain text, one claim per line."
            )
    table = _claims_table_hint([line for _, line in lines])
    if table:
        raise InputError(
            f"--claims {path.name} looks like a table, not a list of claims: {table}. Give a text file with "
            "the claims alone, one per line (no header, no other columns)."
        )
    from alignment.pipeline import MAX_CLAIM_CHARS  # the app's cap on a claim's wording

    for number, line in lines:
        if len(" ".join(line.split())) > MAX_CLAIM_CHARS:
            raise InputError(
                f"--claims {path.name}, line {number:,} ({len(line):,} characters): A claim can be at most "
                f"{MAX_CLAIM_CHARS} characters. Shorten it to the promise itself. If it is ad copy, give it with "
                "--ads to extract its claims."
            )
    return lines


# A comment in a list of claims: "#" then a space or a word, as a shell or a config file writes one; "#1 rated
# network" is a claim.
_COMMENT_LINE = re.compile(r"\s*#(?!\s*\d)")
# A control character other than the tab (line breaks split the lines first): C0, DEL and C1. A NUL is not
# among them, as the lines are read with NULs already dropped (a stray one is damage, not a character).
_CONTROL_CHARACTER = re.compile(r"[\x01-\x08\x0a-\x1f\x7f-\x9f]")
# What the claim column of a table of claims is called; a first line of such names is a header, not a claim.
_CLAIM_COLUMN_NAMES = frozenset({"claim", "claims", "claim_text", "text"})
_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _claims_table_hint(lines: Sequence[str]) -> str | None:
    """Why a --claims file's lines read as a table, or None. Only what no list of claims holds: a first line
    that is a claim column's name ("claim", "text"), or a first line of column names, one of them a claim
    column's ("claim,category", "id;text"), over rows nearly all of that many fields. A claim holding commas
    ("Fast, friendly service") is not a header: its parts are not bare column names."""
    first = lines[0].strip().strip('"').strip()
    if first.lower() in _CLAIM_COLUMN_NAMES:
        return f"its first line “{first}” is a column's name, not a claim"
    for separator in (",", ";", "\t", "|"):
        if separator not in first:
            continue
        header = [field.strip() for field in next(csv.reader([lines[0]], delimiter=separator))]
        if len(header) < 2 or not all(_COLUMN_NAME.fullmatch(field) for field in header):
            continue
        if not any(field.lower() in _CLAIM_COLUMN_NAMES for field in header):
            continue
        rows = lines[1:]
        fitting = sum(1 for row in rows if len(next(csv.reader([row], delimiter=separator))) == len(header))
        if fitting >= 0.8 * len(rows):
            shown = separator.replace("\t", "tab")
            return (
                f"its first line “{lines[0]}” names columns, and {fitting:,} of the {len(rows):,} lines below it "
                f"have as many fields (split by {shown})"
            )
    return None


def _unique_claims(lines: Sequence[tuple[int, str]]) -> tuple[list[str], str | None]:
    """The claims of a --claims file with each repeat left out (the same words, whatever their case, spacing,
    quotes or end punctuation, :func:`alignment.records.wording_key`: checked twice, a claim counts the same
    evidence twice among the claims at risk), and a note naming the repeats, or None when there are none."""
    from alignment.records import wording_key

    first_at: dict[str, int] = {}
    kept: list[str] = []
    repeats: list[str] = []
    for number, text in lines:
        key = wording_key(text)
        if key in first_at:
            repeats.append(f"line {number:,} repeats line {first_at[key]:,}")
            continue
        first_at[key] = number
        kept.append(text)
    if not repeats:
        return kept, None
    shown = "; ".join(repeats[:5]) + ("; …" if len(repeats) > 5 else "")
    several = len(repeats) != 1
    return kept, (
        f"{_plural(len(repeats), 'repeated claim')} in --claims {'were' if several else 'was'} left out, each "
        f"checked once ({shown})."
    )


_STDIN = "/dev/stdin"


def _refuse_reviews_from_stdin(name: str) -> None:
    """Reviews come from a file: "-" (standard input, as --out takes it) has no extension to tell the format."""
    if name == "-":
        raise InputError(
            "Reviews cannot be read from standard input: their format is told by the file's extension. Give the "
            "path of the file (.csv, .tsv, .xlsx, .json, .jsonl, .parquet)."
        )


def _require_reviews_file(name: str) -> None:
    """Fail before any model loads when the --reviews file is not there."""
    _refuse_reviews_from_stdin(name)
    if not Path(name).exists():
        raise MissingFileError(f"Reviews file not found: {name}. Check the path and try again.")


def _sheet(value: str | None, path: str) -> str | int | None:
    """The --sheet value for pandas: a name, or a number from 1 turned into a 0-based index."""
    if value is None:
        return None
    if Path(path).suffix.lower() not in (".xlsx", ".xls"):
        raise InputError(f"--sheet applies to Excel files (.xlsx, .xls) only; {Path(path).name} is not one.")
    if value.strip().isdigit():
        number = int(value)
        if number < 1:
            raise InputError(f"--sheet {value}: sheets are numbered from 1; give a number of 1 or more, or a name.")
        return number - 1
    return value


def _column_options(args: argparse.Namespace) -> dict[str, Any]:
    """The review file's column options as given (None where detected), as check() and ingest take them."""
    return {
        "text_column": args.text_column,
        "id_column": args.id_column,
        "date_column": args.date_column,
        "rating_column": args.rating_column,
        "segment_columns": args.segment_columns,
        "day_first": None if args.dates is None else args.dates == "day-first",
    }


def _refuse_file_options(options: Sequence[tuple[str, object]]) -> None:
    """Fail on the first option given (a non-empty value) that only a review file takes, not a dataset."""
    given = [option for option, value in options if value]
    if given:
        raise InputError(
            f"{given[0]} applies to --reviews; a dataset's columns were chosen when it was ingested "
            "(re-ingest it with --replace to change them)."
        )


def _embedder(kind: str) -> Any:
    from alignment.embed import select_embedder

    return select_embedder(kind)


def _open_workspace(path: str | None, wait_s: float | None = None) -> Workspace:
    from alignment.workspace import BRIEF_WAIT_S, Workspace

    _workspace_database(path)  # a folder in the database file's place: one line that says so
    # A moment's wait by default: an ingest elsewhere holds the workspace for a moment to copy its rows in.
    return Workspace.open(path, wait_s=BRIEF_WAIT_S if wait_s is None else wait_s)


def _run_ingest(args: argparse.Namespace) -> int:
    from alignment.embed import embedder_kind
    from alignment.ingest import sheet_read_note
    from alignment.pipeline import language_note
    from alignment.progress import SilentProgress, terminal_progress
    from alignment.workspace import (
        WorkspaceBusyError,
        embed_dataset_at,
        ingest_dataset,
        open_when_free,
        validate_name,
    )

    validate_name(args.name)
    _workspace_database(args.workspace)  # a folder in the database file's place: said before the file is read
    kind = embedder_kind(args.embedder)
    _refuse_reviews_from_stdin(args.file)
    if not Path(args.file).exists():
        raise MissingFileError(f"File not found: {args.file}. Check the path and try again.")
    sheet = _sheet(args.sheet, args.file)
    progress = SilentProgress() if args.quiet else terminal_progress()
    # What the name held before, to tell after an interruption whether this ingest's dataset was saved.
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    replaced = _find_dataset(args.workspace, args.name) if args.replace else None
    try:
        # Holds the workspace only to check the name and to copy the read file in: the app and other
        # commands can use it while a large file is read.
        with _query_interrupts_as_keyboard():
            info = ingest_dataset(
                args.workspace,
                args.file,
                args.name,
                **_column_options(args),
                sheet=sheet,
                replace=args.replace,
                progress=progress,
            )
    except KeyboardInterrupt:
        raise _Interrupted(
            _describe_interrupted_ingest(
                args.workspace, args.name, started, None if replaced is None else replaced.dataset_id
            )
        ) from None
    try:
        with _query_interrupts_as_keyboard():
            print(
                f"Ingested {info.name!r}: {_plural(info.reviews, 'review')}, {_plural(info.sentences, 'sentence')} "
                f"from {info.source} ({_plural(info.rows, 'row')}; skipped: {_counts(info.skipped)}"
                f"{_invalid_values(info.columns)}) into {_workspace_location(args.workspace)}."
            )
            # Said at once, not at the first check: an analyst who ingested the wrong file can fix it now.
            lost: list[int] = []
            try:
                with open_when_free(args.workspace, progress=progress) as workspace:
                    note = language_note(workspace.sample_texts(info.name))
                    if replaced is not None and replaced.sha256 != info.sha256:
                        lost = _runs_quoting(workspace, info.name, replaced.sha256)
            except WorkspaceBusyError:  # the dataset is saved: that is not an error
                note = (
                    "the workspace stayed in use by another process, so the reviews' language was not checked; "
                    f"`alignment datasets show {info.name}` gives its share read as English."
                )
            if lost:
                print(f"The file it replaced: {_quotes_lost_line(lost)}")
            sheets = None if args.sheet is not None else sheet_read_note(args.file, info.source)
            if sheets:
                print(f"alignment: {sheets}", file=sys.stderr)
            if note:
                print(f"alignment: {note}", file=sys.stderr)
            if args.embed:
                # Opens the workspace only to read and store each batch: an hour of embedding keeps no one out.
                embedded = embed_dataset_at(args.workspace, info.name, _embedder(kind), progress=progress)
                print(f"Embedded {_plural(embedded, 'new distinct sentence')} with the {kind} embedder.")
    except KeyboardInterrupt:
        saved = f"dataset {info.name!r} was saved"
        if not args.embed:
            raise _Interrupted(saved) from None
        # embed_dataset_at stores each batch as it goes, and a check embeds whatever has no vector yet.
        raise _Interrupted(
            f"{saved}, but embedding its sentences was cut short: any vectors stored so far are kept, and the "
            "first check embeds the rest"
        ) from None
    return EXIT_OK


def _runs_quoting(workspace: Workspace, name: str, sha256: str | None) -> list[int]:
    """The saved runs (ids, ascending) that quote the sentences of the dataset ``name`` as the file
    ``sha256`` made it: the runs a delete or a replace leaves with their counts and verdicts only."""
    return sorted(
        run.run_id
        for run in workspace.list_runs(dataset=name)
        if run.dataset_sha256 == sha256 and any(claim.mentions for claim in run.claims)
    )


def _quotes_lost_line(runs: Sequence[int]) -> str:
    """The line saying which saved runs no longer have the review sentences they quoted."""
    one = len(runs) == 1
    return (
        f"{_plural(len(runs), 'saved run')} on it ({', '.join(map(str, runs))}) "
        f"{'keeps its' if one else 'keep their'} counts and verdicts, but not the review sentences "
        f"{'it' if one else 'they'} quoted."
    )


def _find_dataset(location: str | None, name: str) -> DatasetInfo | None:
    """The dataset called ``name`` in the workspace at ``location``, read-only; None when there is none (or no
    workspace yet)."""
    from alignment.workspace import BRIEF_WAIT_S, Workspace, database_file

    if not database_file(location).is_file():
        return None
    with Workspace.open(location, read_only=True, wait_s=BRIEF_WAIT_S) as workspace:
        found = [info for info in workspace.list_datasets() if info.name == name]
    return found[0] if found else None


def _describe_interrupted_ingest(location: str | None, name: str, started: datetime, replaced: int | None) -> str:
    """What an interrupted ingest kept, for main()'s one line. The dataset is published in one transaction,
    but the signal can come just after its commit (while the workspace is closed and the staging file removed),
    so the workspace is asked: a dataset of that name saved since the ingest started, and not the one it was
    to replace, is this ingest's."""
    try:
        with _query_interrupts_as_keyboard():
            saved = _find_dataset(location, name)
    except (KeyboardInterrupt, AlignmentError):  # a second Ctrl-C, or the workspace stayed in use
        return f"whether dataset {name!r} was saved could not be checked; `alignment datasets` shows whether it was"
    if saved is None or saved.created_at < started or saved.dataset_id == replaced:
        return f"dataset {name!r} was not saved, and the workspace's datasets are as they were"
    return (
        f"dataset {name!r} had already been saved ({_plural(saved.reviews, 'review')}, "
        f"{_plural(saved.sentences, 'sentence')}); `alignment datasets show {name}` describes it"
    )


@contextlib.contextmanager
def _query_interrupts_as_keyboard() -> Iterator[None]:
    """DuckDB turns a Ctrl-C or SIGTERM that arrives while one of its queries runs into a RuntimeError
    ("Query interrupted"): inside the block it is raised as the KeyboardInterrupt it was, so the command says
    what was kept instead of reporting an internal error."""
    try:
        yield
    except RuntimeError as exc:
        if str(exc) != "Query interrupted":
            raise
        raise KeyboardInterrupt from exc


def _no_workspace_yet(args: argparse.Namespace, listing: str) -> bool:
    """True, having said so, when the workspace named by --workspace (or ALIGN_WORKSPACE) has no file yet:
    a listing does not create an empty workspace, so a mistyped path is not mistaken for an empty one. Any
    other action on it is an error naming the path."""
    from alignment.workspace import location_setting

    database = _workspace_database(args.workspace)
    if database.is_file():
        return False
    where = database.parent if database.name == "workspace.duckdb" else database
    setting = location_setting(args.workspace)
    if (args.action or "list") != "list":
        raise InputError(
            f"No workspace at {where}: nothing has been ingested there. Check {setting}, or add a dataset with "
            "`alignment ingest FILE --name NAME`."
        )
    if getattr(args, "json", False):
        print("[]")
    else:
        print(
            f"No {listing} in {where}: no workspace there yet. Add a dataset with `alignment ingest FILE --name "
            f"NAME`, or check {setting} if you expected one."
        )
    return True


def _workspace_database(path: str | None) -> Path:
    """The database file of the workspace at ``path`` (--workspace; None: the configured one), whether or not
    it exists yet.

    Raises:
        InputError: something other than a file is in its place (a folder named workspace.duckdb), or a file
            is in its folder's place (--workspace naming a file not ending in .duckdb): neither a workspace to
            read nor a place to make one.
    """
    from alignment.workspace import database_file, location_setting, refuse_file_as_folder

    database = database_file(_workspace_location(path))
    setting = location_setting(path)
    if database.exists() and not database.is_file():
        kind = "a folder" if database.is_dir() else "not a regular file"
        raise InputError(
            f"The workspace's database {database} is {kind}, so no workspace can be read or made there. Move "
            f"it away, or set {setting} to another folder."
        )
    refuse_file_as_folder(database, setting)
    return database


def _run_datasets(args: argparse.Namespace) -> int:
    from alignment.ingest import english_share

    action = args.action or "list"
    if _no_workspace_yet(args, "datasets"):
        return EXIT_OK
    with _open_workspace(args.workspace) as workspace:
        if action == "list":
            items = workspace.list_datasets()
            if args.json:
                print(json.dumps([item.to_dict() for item in items], indent=2, ensure_ascii=False))
            elif not items:
                print(f"No datasets in {workspace.location}. Add one with `alignment ingest FILE --name NAME`.")
            else:
                rows = [
                    [
                        d.name,
                        f"{d.reviews:,}",
                        f"{d.sentences:,}",
                        d.source,
                        d.created_at.strftime("%Y-%m-%d %H:%M"),
                        (d.sha256 or "")[:12],
                    ]
                    for d in items
                ]
                _print_table(["name", "reviews", "sentences", "source", "ingested (UTC)", "sha256"], rows)
        elif action == "show":
            info = workspace.dataset(args.name)
            coverage = workspace.embedding_coverage(args.name)
            distinct = workspace.distinct_sentences(args.name)
            english, read = english_share(workspace.sample_texts(args.name))
            ranges = workspace.date_and_rating_ranges(args.name)
            if args.json:
                payload = {
                    **info.to_dict(),
                    **ranges,
                    "distinct_sentences": distinct,
                    "embedded": coverage,
                    "english_share": {"share": round(english, 4), "reviews_read": read},
                }
                print(json.dumps(payload, indent=2, ensure_ascii=False))
            else:
                columns = {k: v for k, v in info.columns.items() if k != "invalid_values"}
                lines = [
                    ("name", info.name),
                    # a DataFrame ingested from Python has no file: no size to give
                    ("source", f"{info.source} ({info.size_bytes:,} bytes)" if info.sha256 else info.source),
                    ("path", info.source_path or "-"),
                    ("sha256", info.sha256 or "-"),
                    ("ingested", info.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
                    ("rows", f"{info.rows:,}"),
                    ("reviews", f"{info.reviews:,}"),
                    ("sentences", f"{info.sentences:,} ({distinct:,} distinct)"),
                    ("skipped", _counts(info.skipped)),
                    ("invalid values", _counts(_split_noted(info.columns.get("invalid_values"))[0])),
                    ("read as noted", _counts(_split_noted(info.columns.get("invalid_values"))[1])),
                    ("columns", json.dumps(columns, ensure_ascii=False)),
                    ("dates", _date_range(ranges["dates"], info.reviews)),
                    ("ratings", _rating_range(ranges["ratings"], info.reviews)),
                    (
                        "reads as English",
                        f"{english:.0%} of {_plural(read, 'review')} read" if read else "- (all too short)",
                    ),
                ]
                lines += [
                    (f"embedded ({_short_model(model)})", f"{count:,} of {distinct:,}")
                    for model, count in coverage.items()
                ]
                width = max(len(label) for label, _ in lines)
                for label, value in lines:
                    print(f"{label:<{width}}  {value}")
        elif action == "prune":
            pruned = workspace.prune_embeddings()
            if args.json:
                print(json.dumps(pruned))
            else:
                print(
                    f"Removed {_plural(pruned['removed'], 'cached vector')} no dataset uses (or from an older fast "
                    f"embedder); {_plural(pruned['remaining'], 'vector')} "
                    f"{'remains' if pruned['remaining'] == 1 else 'remain'}."
                )
        else:
            deleted = workspace.dataset(args.name)
            # The runs checked on this file quote its sentences; they keep their counts and verdicts only.
            quoting = _runs_quoting(workspace, args.name, deleted.sha256)
            workspace.delete_dataset(args.name)
            if args.json:
                print(
                    json.dumps(
                        {"deleted": deleted.to_dict(), "runs_without_quotes": quoting}, indent=2, ensure_ascii=False
                    )
                )
            else:
                print(
                    f"Deleted dataset {args.name!r}. Its cached vectors stay for the other datasets; "
                    "`alignment datasets prune` drops those none uses."
                )
                if quoting:
                    print(_quotes_lost_line(quoting))
    return EXIT_OK


def _run_runs(args: argparse.Namespace) -> int:
    action = args.action or "list"
    if _no_workspace_yet(args, "runs"):
        return EXIT_OK
    with _open_workspace(args.workspace) as workspace:
        if action == "list":
            dataset = getattr(args, "dataset", None)
            limit = getattr(args, "limit", None)
            if limit is not None and limit < 1:
                raise InputError(f"--limit must be at least 1, got {limit}.")
            items = workspace.list_runs(dataset=dataset, limit=limit)
            if dataset is not None and not items:
                # Runs outlive their dataset, so only a name with neither runs nor a dataset is unknown.
                workspace.dataset(dataset)
            if args.json:
                print(json.dumps([item.to_dict() for item in items], indent=2, ensure_ascii=False))
            elif not items and dataset is not None:
                print(f"No runs saved on {dataset!r} yet. `alignment check --dataset {dataset} ...` saves one.")
            elif not items:
                print("No runs saved yet. `alignment check --dataset NAME ...` saves one.")
            else:
                rows = []
                for run in items:
                    risks = [claim.risk for claim in run.claims]
                    rows.append(
                        [
                            str(run.run_id),
                            run.finished_at.strftime("%Y-%m-%d %H:%M"),
                            run.dataset or "-",
                            run.label or "",
                            str(len(run.claims)),
                            str(risks.count("high")),
                            str(risks.count("medium")),
                            str(risks.count("low")),
                            str(risks.count("insufficient evidence")),
                            _short_model(run.embedder),
                        ]
                    )
                headers = ["run", "finished (UTC)", "dataset", "label", "claims", "high", "medium", "low", "too few"]
                _print_table([*headers, "embedder"], rows)
        elif action == "show":
            out = getattr(args, "out", None)
            _check_out_path(out, workspace=workspace.location, tables=_REPORT_OUT_SUFFIXES)
            run = workspace.run(args.run_id)
            if out is not None:
                _write(out, _report_text(workspace.load_run(args.run_id), out))
            if out == "-":
                pass  # standard output holds the report JSON alone, for a pipe to read
            elif args.json:
                print(json.dumps(run.to_dict(), indent=2, ensure_ascii=False))
            else:
                print(
                    f"run {run.run_id} on {run.dataset or '-'}"
                    f"{f' ({run.label})' if run.label else ''}, finished "
                    f"{run.finished_at.strftime('%Y-%m-%d %H:%M:%S')} UTC, embedder {_short_model(run.embedder)}"
                )
                rows = [
                    [
                        _clip(claim.text, 60),
                        str(claim.mentions),
                        str(claim.supports),
                        str(claim.contradicts),
                        "-" if claim.alignment is None else f"{claim.alignment:+.2f}",
                        "-" if claim.interval is None else f"[{claim.interval[0]:+.2f}, {claim.interval[1]:+.2f}]",
                        claim.risk,
                    ]
                    for claim in run.claims
                ]
                _print_table(["claim", "mentions", "supports", "contradicts", "alignment", "interval", "risk"], rows)
                gone = _quotes_gone_note(run, workspace)
                if gone:
                    print(f"alignment: {gone}", file=sys.stderr)
        elif action == "compare":
            _compare_runs(args, workspace)
        else:
            deleted_run = workspace.run(args.run_id)
            workspace.delete_run(args.run_id)
            if args.json:
                print(json.dumps({"deleted": deleted_run.to_dict()}, indent=2, ensure_ascii=False))
            else:
                print(f"Deleted run {args.run_id}.")
    return EXIT_OK


def _quotes_gone_note(run: RunInfo, workspace: Workspace) -> str | None:
    """A note for a run whose matched sentences can no longer be shown, as its report (`runs show --out`)
    says: its dataset was deleted, or replaced by another file. The dataset is found by name and sha256, the
    two a run keeps of it."""
    if not any(claim.mentions for claim in run.claims):
        return None  # nothing was matched, so nothing is missing
    if run.dataset is None:
        return "this run was saved without a dataset, so its matched sentences cannot be shown."
    current = {info.name: info for info in workspace.list_datasets()}.get(run.dataset)
    if current is None:
        what = "was deleted"
    elif run.dataset_sha256 is not None and current.sha256 != run.dataset_sha256:
        what = "was replaced by another file"
    else:
        return None
    return (
        f"the dataset {run.dataset!r} {what} after this run, so its matched sentences are gone; the counts and "
        "verdicts above are as they were saved."
    )


def _compare_runs(args: argparse.Namespace, workspace: Workspace) -> None:
    from alignment.charts import format_alignment, short_text
    from alignment.compare import compare_runs, rounded_alignments, summarize
    from alignment.report import to_safe_csv

    out = getattr(args, "out", None)
    _check_out_path(out, workspace=workspace.location, tables=(".csv",))
    comparison = compare_runs(workspace.run(args.earlier), workspace.run(args.later))
    as_csv = out is not None and out != "-" and out.lower().endswith(".csv")
    as_json = args.json or (out is not None and not as_csv)
    described = json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) if as_json else ""
    if out is not None:
        # Verdicts as words and alignments to the report's four decimals: a table for other tools to read.
        table = rounded_alignments(comparison.to_frame(symbols=False), 4)
        _write(out, to_safe_csv(table) if as_csv else described)
    if out == "-":
        return  # standard output holds the JSON alone, for a pipe to read
    if args.json:
        print(described)
        return
    for role, run in (("earlier", comparison.before), ("later", comparison.after)):
        label = f" ({run.label})" if run.label else ""
        print(f"{role}: run {run.run_id}{label} on {run.dataset or '-'}, {run.finished_at:%Y-%m-%d %H:%M} UTC")
    rows = [
        [
            item.change,
            item.verdict_before or "-",
            item.verdict_after or "-",
            " -> ".join("-" if c is None else format_alignment(c.alignment) for c in (item.before, item.after)),
            short_text(item.text, 60),
        ]
        for item in comparison.changes
    ]
    _print_table(["change", "before", "after", "alignment", "claim"], rows)
    print(summarize(comparison))
    for note in comparison.notes:
        print(f"alignment: {note}", file=sys.stderr)


def _run_evaluate(args: argparse.Namespace) -> int:
    from alignment import evaluate

    if args.kind == "claims":
        _check_out_path(args.out, [("annotated ads file", args.ads)])
        notes: list[str] = []
        marked = evaluate.read_marked_ads(args.ads, notes)
        for note in notes:  # before the model loads: a repeated id may be a mistake worth stopping for
            print(f"alignment: {note}", file=sys.stderr)
        claims_result = evaluate.evaluate_claims(marked)
        if args.out:
            _write(args.out, json.dumps(claims_result.to_dict(), indent=2, ensure_ascii=False))
        if args.out != "-":  # with "-", standard output holds the JSON alone
            _print_claim_evaluation(claims_result)
        return EXIT_OK
    _check_out_path(
        args.out,
        [("claims file", args.claims), ("reviews file", args.reviews)],
        workspace=_workspace_location(args.workspace),
    )
    from alignment.config import Config
    from alignment.embed import embedder_kind
    from alignment.progress import SilentProgress, terminal_progress

    kind = embedder_kind(args.embedder)
    claims = _read_claim_lines(args.claims)
    prior: dict[str, Any] = {"rating_prior": False} if args.no_rating_prior else {}
    if args.no_amounts:
        prior["quantities"] = False
    if args.no_relative_match:
        prior["relative_match"] = False
    with _settings_as_options():
        settings = [
            Config.from_env(None, **prior, **({} if value is None else {"min_similarity": value}))
            for value in dict.fromkeys(args.min_similarity or [None])
        ]
        evaluate.require_min_relevant(args.min_relevant)
    progress = SilentProgress() if args.quiet else terminal_progress()
    labels = {
        "labels_per_claim": args.labels_per_claim,
        "group_column": args.group_column,
        "min_relevant": args.min_relevant,
    }
    if args.dataset is not None:
        _refuse_file_options(
            (("--text-column", args.text_column), ("--id-column", args.id_column), ("--sheet", args.sheet))
        )
        from alignment.workspace import MERGE_WAIT_S, evaluate_evidence_at

        with _open_workspace(args.workspace) as workspace:
            # Fail now on an unknown name or column, before loading any model or embedding anything.
            workspace.check_evaluation_columns(args.dataset, args.label_column, args.about_column, args.group_column)
        # The workspace is opened only to read the dataset and the vectors and to store new ones (as for
        # `check --dataset`).
        results = evaluate_evidence_at(
            args.workspace,
            claims,
            args.dataset,
            args.label_column,
            args.about_column,
            settings,
            embedder=_embedder(kind),
            progress=progress,
            wait_s=MERGE_WAIT_S,
            **labels,
        )
    else:
        from alignment.embed import CachedEmbedder, MemoryCache

        _require_reviews_file(args.reviews)
        # The file is read and split once, and one cache serves every setting: the reviews are embedded by
        # the first evaluation only.
        results = evaluate.evaluate_evidence_sweep(
            claims,
            args.reviews,
            args.label_column,
            args.about_column,
            settings,
            text_column=args.text_column,
            id_column=args.id_column,
            sheet=_sheet(args.sheet, args.reviews),
            embedder=CachedEmbedder(_embedder(kind), MemoryCache()),
            progress=progress,
            **labels,
        )
    if len(results) == 1:
        (result,) = results
        if args.out:
            _write(args.out, json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        if args.out != "-":  # with "-", standard output holds the JSON alone
            _print_evidence_evaluation(result)
    else:
        if args.out:
            sweep = {"sweep": [result.to_dict() for result in results]}
            _write(args.out, json.dumps(sweep, indent=2, ensure_ascii=False))
        if args.out != "-":
            _print_evidence_sweep(results)
    return EXIT_OK


def _date_range(dates: Mapping[str, Any], reviews: int) -> str:
    """A dataset's dates in one line: "2025-01-01 to 2026-03-31 (782 of 782 reviews dated)"."""
    if not dates["dated"]:
        return "- (no date column mapped, or no date read)"
    return f"{dates['first']} to {dates['last']} ({dates['dated']:,} of {_plural(reviews, 'review')} dated)"


def _rating_range(ratings: Mapping[str, Any], reviews: int) -> str:
    """A dataset's ratings in one line: "1 to 5 on a 1–5 scale, mean 3.21 (780 of 782 reviews rated)", and
    the ratings above the scale, typos left out of the mean and of every reading, as the app says."""
    if not ratings["rated"]:
        return "- (no rating column mapped, or no rating read)"
    low, high = ratings["scale"]
    off = ratings["off_scale"]
    typos = f"; {_plural(off, 'rating')} above the scale left out, as typos to check" if off else ""
    return (
        f"{ratings['min']:g} to {ratings['max']:g} on a {low:g}–{high:g} scale, mean {ratings['mean']:.2f} "
        f"({ratings['rated']:,} of {_plural(reviews, 'review')} rated{typos})"
    )


def _cell(value: float | None) -> str:
    """A figure of an evaluation table to three decimals, "-" where there is none."""
    return "-" if value is None else f"{value:.3f}"


def _print_weighed_by(column: str | None) -> None:
    """Say that the star ratings beside the labels weighed both judges' stance, as in a check, and how to
    read the words alone: two evaluations of similar files can otherwise differ with no reason shown."""
    if column is not None:
        print(
            f"The stance of alignment and of the lexicon was weighed by the star ratings in {column!r}, as in a "
            "check; --no-rating-prior reads the words alone."
        )


def _print_evidence_sweep(results: Sequence[EvidenceEvaluation]) -> None:
    """One row per min_similarity: what a stricter or looser match trades (alignment's reading)."""
    first = results[0]
    groups = f" in {first.groups:,} groups checked apart" if first.groups > 1 else ""
    print(
        f"Evidence in {_plural(first.reviews, 'review')}{groups} (skipped rows: {_counts(first.skipped)}; "
        f"unread values: {_counts(first.unread)}), read at {len(results)} settings of min_similarity:"
    )
    _print_weighed_by(first.weighed_by)

    ranked = first.judges["alignment"].mean_ap is not None
    recall = first.judges["alignment"].match_recall is not None
    precision = first.judges["alignment"].match_precision is not None
    headers = ["min_similarity", "matched reviews", "pairs", "stance accuracy", "on contradicting", "on supporting"]
    headers += ["calibration error", *(("mean AP", "first ten quotes right") if ranked else ())]
    headers += [*(("match recall",) if recall else ()), *(("match precision",) if precision else ())]
    rows = []
    for result in results:
        judged = result.judges["alignment"]
        row = [f"{result.min_similarity:g}", f"{result.matched_reviews:,}", f"{judged.pairs:,}"]
        row += [_cell(judged.accuracy), _cell(judged.on_contradicting), _cell(judged.on_supporting)]
        row += [_cell(judged.calibration_error), *((_cell(judged.mean_ap), _cell(judged.first_ten)) if ranked else ())]
        row += [
            *((_cell(judged.match_recall),) if recall else ()),
            *((_cell(judged.match_precision),) if precision else ()),
        ]
        rows.append(row)
    _print_table(headers, rows)
    if not ranked and (unranked := _unranked_note(first)):
        print(unranked)
    print(
        "A lower min_similarity matches more reviews, and the weaker matches are harder to read; stance accuracy "
        "is over the pairs each setting matched, so compare it beside the pairs. --out writes every evaluation."
    )
    if recall:
        print(_MATCHING_NOTE)


def _print_claim_evaluation(result: ClaimEvaluation) -> None:
    rule = (
        f"{result.annotators} annotators: right when it matches any one's claim, recall over the claims all marked"
        if result.annotators > 1
        else "right when it matches a marked claim"
    )
    print(f"Claims in {_plural(result.ads, 'ad')} ({rule}; two claims match at word-set Jaccard >= 0.4):")
    every = result.sentence_baseline
    _print_table(
        ["measure", "alignment", "baseline"],
        [
            ["extracted", f"{result.extracted:,}", ""],
            ["marked", f"{result.marked:,}", ""],
            ["precision", f"{result.precision:.3f}", f"{every['precision']:.3f}"],
            ["recall", f"{result.recall:.3f}", f"{every['recall']:.3f}"],
            ["F1", f"{result.f1:.3f}", f"{every['f1']:.3f}"],
            ["with exactly a marked claim's words", f"{result.exact:.3f}", f"{every['exact']:.3f}"],
            *_label_rows("type of a marked claim as marked", result.type_agreement, result.type_baseline),
            *_label_rows(
                "aspect of a marked claim sharing a word with the marked one",
                result.aspect_agreement,
                result.aspect_baseline,
            ),
        ],
    )
    print(
        "baselines: every sentence taken as a claim; each annotator's most common type; a marked claim's head "
        "word as its aspect."
    )
    if result.recall_by_type:
        whose = "as the first annotator typed the claims all marked" if result.annotators > 1 else "as marked"
        print(f"\nRecall by the marked claim's type ({whose}):")
        _print_table(
            ["type", "marked", "found", "recall"],
            [
                [kind, f"{marked:,}", f"{found:,}", _cell(found / marked)]
                for kind, (found, marked) in result.recall_by_type.items()
            ],
        )
    possible = result.possible
    if possible.get("offered"):
        print(
            f"\nPossible claims offered beside the extracted ones (scored under the bar, as `alignment claims "
            f"--possible` and the app list them): {possible['offered']:.0f} in {possible['ads']:.0f} ads, "
            f"{possible['offered_right']:.0f} of them a marked claim; they hold {possible['recovered']:.0f} of the "
            f"{possible['missed']:.0f} marked claims extraction missed."
        )
    for label, items in (
        ("extracted, matching no marked claim", result.wrong),
        ("marked, matched by no extracted claim", result.missed),
    ):
        if items:
            more = " (--out writes them all)" if len(items) > SHOWN_ERRORS else ""
            print(f"\n{len(items):,} {label}{more}:")
            _print_table(["ad", "claim"], [[ad, text] for ad, text in items[:SHOWN_ERRORS]])


def _label_rows(measure: str, shares: Sequence[float | None], baselines: Sequence[float | None]) -> list[list[str]]:
    """One row per annotator who gave the label (a, b, ... when several), none when nobody did."""
    names = "abcdefghijklmnopqrstuvwxyz"  # as the files name them: claims_a, claims_b, ...
    return [
        [
            f"{measure} ({names[who] if who < len(names) else who + 1})" if len(shares) > 1 else measure,
            f"{share:.3f}",
            "" if baseline is None else f"{baseline:.3f}",
        ]
        for who, (share, baseline) in enumerate(zip(shares, baselines, strict=True))
        if share is not None
    ]


_MATCHING_NOTE = (
    "match recall: the share of the (review, claim) pairs the about column marks that were matched at all; "
    "match precision (labels per claim only): the share of the matches that the about column marks."
)


def _unranked_note(result: EvidenceEvaluation) -> str | None:
    """Why an evaluation with the about column has no AP (no claim had enough contradicting reviews about it
    to rank), in one line; None without the about column."""
    most = result.most_relevant
    if most is None:
        return None
    if not most:
        return (
            "No review labelled contradicting is about a claim, so AP was not computed: it ranks each claim's "
            "complaints about it. Check the about column and the labels."
        )
    where = " in any group" if result.groups > 1 else ""
    return (
        f"No claim{where} has the {result.min_relevant:,} contradicting reviews about it that --min-relevant asks "
        f"for (the most: {most:,}), so AP was not computed; lower --min-relevant to {most:,} or less."
    )


def _print_evidence_evaluation(result: EvidenceEvaluation) -> None:
    sides = result.sides
    unread = _counts(result.unread)
    labels = "labels of a review on a claim" if result.labels_per_claim else "labelled"
    groups = f" in {result.groups:,} groups checked apart" if result.groups > 1 else ""
    print(
        f"Evidence in {_plural(result.reviews, 'review')}{groups} ({labels}: {sides['contradicts']:,} contradicting, "
        f"{sides['supports']:,} supporting, {sides['none']:,} no side; skipped rows: {_counts(result.skipped)}; "
        f"unread values: {unread}); {result.matched_reviews:,} matched a claim at min_similarity "
        f"{result.min_similarity:g}."
    )
    _print_weighed_by(result.weighed_by)

    judges = result.judges
    names = ("alignment", "lexicon", "cosine")
    rows = [
        ["stance accuracy (matched labelled pairs)", *(_cell(judges[n].accuracy) for n in names[:2]), "-"],
        ["  on contradicting reviews", *(_cell(judges[n].on_contradicting) for n in names[:2]), "-"],
        ["  on supporting reviews", *(_cell(judges[n].on_supporting) for n in names[:2]), "-"],
        ["calibration error", *(_cell(judges[n].calibration_error) for n in names[:2]), "-"],
        ["pairs", *(f"{judges[n].pairs:,}" for n in names[:2]), "-"],
    ]
    if judges["alignment"].mean_ap is not None:
        ranked = judges["alignment"].ranked
        where = f"{ranked:,} {'group × claim pair' if result.groups > 1 else 'claim'}{'s' if ranked != 1 else ''}"
        rows += [
            [f"mean AP of contradicting reviews about it ({where})", *(_cell(judges[n].mean_ap) for n in names)],
            ["first ten quotes right", *(_cell(judges[n].first_ten) for n in names)],
        ]
    # Matching: the lexicon matches by the claim's cosine, so its column is the cosine's.
    for measure, field in (
        ("match recall (pairs marked about a claim, matched)", "match_recall"),
        ("match precision (matches marked about their claim)", "match_precision"),
    ):
        if getattr(judges["alignment"], field) is not None:
            rows.append(
                [measure, _cell(getattr(judges["alignment"], field)), "-", _cell(getattr(judges["cosine"], field))]
            )
    # With labels per claim, a quote labelled contradicting on the claim is one about it: the row above.
    if judges["alignment"].first_ten_contradicting is not None and not result.labels_per_claim:
        rows.append(
            ["first ten quotes labelled contradicting", *(_cell(judges[n].first_ten_contradicting) for n in names)]
        )
    _print_table(["measure", *names], rows)
    if judges["alignment"].mean_ap is None and (unranked := _unranked_note(result)):
        print(unranked)
    if judges["alignment"].match_recall is not None:
        print(_MATCHING_NOTE)
    print()
    claim_rows = [
        [
            _clip(claim.claim, 50),
            f"{claim.matched_reviews:,}",
            f"{claim.pairs:,}",
            _cell(claim.accuracy),
            "-" if claim.contradicting_about is None else f"{claim.contradicting_about:,}",
            "-" if claim.about is None else f"{claim.about_matched or 0:,} of {claim.about:,}",
            _cell(claim.average_precision.get("alignment")),
        ]
        for claim in result.claims
    ]
    _print_table(
        ["claim", "matched", "pairs", "accuracy", "contradicting about it", "about it, matched", "AP"], claim_rows
    )
    if result.by_group:
        print()
        _print_table(
            ["group", "reviews", "matched", "pairs", "accuracy", "on contradicting", "on supporting", "mean AP"],
            [
                [
                    _clip(group.group or "(blank)", 30),
                    f"{group.reviews:,}",
                    f"{group.matched_reviews:,}",
                    f"{group.alignment.pairs:,}",
                    _cell(group.alignment.accuracy),
                    _cell(group.alignment.on_contradicting),
                    _cell(group.alignment.on_supporting),
                    _cell(group.alignment.mean_ap),
                ]
                for group in result.by_group
            ],
        )
    if result.misread:
        more = " (--out writes them all)" if len(result.misread) > SHOWN_ERRORS else ""
        pairs = "labelled pair" if len(result.misread) == 1 else "labelled pairs"
        print(f"\n{len(result.misread):,} {pairs} read otherwise, the most confident first{more}:")
        _print_table(
            ["review", "claim", "label", "read", "P(contradicts)", "sentence read"],
            [
                [
                    pair.review_id,
                    _clip(pair.claim, 30),
                    pair.label,
                    pair.read,
                    f"{pair.p_contradicts:.2f}",
                    _clip(pair.sentence, 70),
                ]
                for pair in result.misread[:SHOWN_ERRORS]
            ],
        )


def _clip(text: str, width: int) -> str:
    """One line of at most ``width`` characters, "..." marking a cut, for a table cell."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def _short_model(model_id: str | None) -> str:
    from alignment.embed import embedder_name

    return embedder_name(model_id)


def _invalid_values(columns: Mapping[str, object]) -> str:
    """A summary line's tail naming the values not read ("; invalid values: 43 unparseable date, 217
    duplicate id") and those read in a way worth checking ("; read as noted: 1 first line read as a review
    (no header row)"), or "" when every value was read as written: a date or rating that does not parse
    is left empty, so the user must hear of it."""
    from alignment.ingest import DATE_AGAINST_ORDER

    invalid, noted = _split_noted(columns.get("invalid_values"))
    # A date only the other order can read says the order the column was read in may be wrong for all of it.
    order = ", so check the order: --dates day-first or --dates month-first" if DATE_AGAINST_ORDER in noted else ""
    return (f"; invalid values: {_counts(invalid)}" if invalid else "") + (
        f"; read as noted: {_counts(noted)}{order}" if noted else ""
    )


def _split_noted(counts: object) -> tuple[dict[str, int], dict[str, int]]:
    """Counts of values that could not be read, and of those read another way than written (no header
    row, a rating rescaled, a date's day/month order guessed): the second are not invalid."""
    from alignment.ingest import AMBIGUOUS_DATE, DATE_AGAINST_ORDER, HEADERLESS, RESCALED_RATING

    items = dict(counts) if isinstance(counts, Mapping) else {}
    read_so = (HEADERLESS, RESCALED_RATING, AMBIGUOUS_DATE, DATE_AGAINST_ORDER)
    noted = {reason: n for reason, n in items.items() if reason in read_so}
    return {reason: n for reason, n in items.items() if reason not in noted}, noted


def _counts(counts: object) -> str:
    """Counts by reason as "3 blank text, 1,204 duplicate row", or "none"."""
    items = dict(counts) if isinstance(counts, Mapping) else {}
    return ", ".join(f"{n:,} {reason}" for reason, n in items.items()) or "none"


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    print("  ".join(f"{header:<{width}}" for header, width in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths, strict=True)).rstrip())


# Names of table formats: an --out named so by a command that writes JSON would give a file the program it
# is meant for cannot open.
_TABLE_OUT_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".parquet", ".jsonl", ".ndjson", ".html", ".htm")
# What a check's report is written as, by --out's name (_report_text); JSON for any other name.
_REPORT_OUT_SUFFIXES = (".csv", ".html", ".htm")


def _check_out_path(
    out: str | None,
    inputs: Sequence[tuple[str, str | None]] = (),
    workspace: Path | None = None,
    tables: Sequence[str] = (),
) -> None:
    """Fail before the long work when ``out`` cannot be written, when writing it would replace a file the
    command reads (one of its ``inputs``, each a role and a path, as ("reviews file", "in.csv"), or a file of
    the ``workspace``: its folder, or its .duckdb file; the configured one when None: no command's output may
    land on the saved datasets and runs), or when its name is a table format's other than the ``tables`` the
    command writes (it writes JSON otherwise). "-" (standard output) always passes."""
    if out is None or out == "-":
        return
    if not out.strip():
        raise InputError("--out is empty. Give a file name such as report.json, or - for standard output.")
    target = _expanded(out, "--out")
    try:
        _check_out_target(out, target, inputs, workspace)
    except OSError as exc:  # a name the system refuses outright: too long, or a part of it
        raise InputError(
            f"Cannot write {_shown(out)}: {exc.strerror or type(exc).__name__}. Choose another path."
        ) from None
    suffix = Path(out).suffix.lower()
    if suffix in _TABLE_OUT_SUFFIXES and suffix not in tables:
        also = f" (or, for a name ending {' or '.join(tables)}, that format)" if tables else ""
        raise InputError(
            f"--out {_shown(out)}: this command writes JSON{also}, not {suffix}. Name the file .json, or give - "
            "for standard output."
        )


def _check_out_target(out: str, target: Path, inputs: Sequence[tuple[str, str | None]], workspace: Path | None) -> None:
    """The checks of :func:`_check_out_path` on ``target``, the expanded ``out``."""
    for role, name in inputs:
        if name is not None and _same_file(target, _expanded(name, f"the {role}")):
            raise InputError(
                f"Refusing to write {out}: it is the {role} this command reads ({name}), and the output would "
                "replace it. Give --out another file name."
            )
    _refuse_workspace_file(out, target, workspace if workspace is not None else _workspace_location(None))
    if target.is_dir():
        raise InputError(f"Cannot write {out}: it is a folder. Give a file name such as report.json.")
    if target.exists() and not target.is_file():
        # A device or a pipe (/dev/stdout, a FIFO) is written in place, so only it need be writable.
        if not os.access(target, os.W_OK):
            raise InputError(f"Cannot write {out}: permission denied. Choose a writable path.")
        return
    parent = target.resolve().parent
    existing = next(folder for folder in (parent, *parent.parents) if folder.exists())
    if not existing.is_dir():
        raise InputError(f"Cannot write {out}: {existing} is a file, not a folder. Choose a path in a folder.")
    if existing != parent:
        raise InputError(f"Cannot write {out}: folder {parent} does not exist. Create it or choose another path.")
    try:
        # A real file, not os.access: root passes os.access on folders no one can write in, such as /proc.
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise InputError(
            f"Cannot write {out}: no file can be made in {parent} ({exc.strerror}). Choose a writable folder."
        ) from None


def _same_file(out: Path, other: Path) -> bool:
    """Whether writing ``out`` would replace the regular file ``other``: the same path once symbolic links
    are followed, or the same file under another name (a hard link). A pipe or terminal read as input
    (/dev/stdin, ``<(...)``) is never replaced by writing a file."""
    try:
        if not other.is_file():
            return False
    except OSError:  # a name the system refuses (too long) names no file to replace
        return False
    if out.resolve() == other.resolve():
        return True
    try:
        return out.exists() and os.path.samefile(out, other)
    except OSError:
        return False


def _refuse_workspace_file(out: str, target: Path, workspace: Path) -> None:
    """Fail when ``target`` is the workspace's database (or its write-ahead log) or lies in its folder."""
    if workspace.suffix.lower() == ".duckdb":
        for database in (workspace, workspace.with_name(workspace.name + ".wal")):
            if _same_file(target, database) or target.resolve() == database.resolve():
                raise InputError(
                    f"Refusing to write {out}: it is the workspace's database {database}, which holds the saved "
                    "datasets and runs. Give --out a path outside the workspace."
                )
        return
    if target.resolve().is_relative_to(workspace.resolve()):
        raise InputError(
            f"Refusing to write {out}: it is inside the workspace folder {workspace}, whose files hold the saved "
            "datasets and runs. Give --out a path outside that folder."
        )


def _workspace_location(path: str | None) -> Path:
    """Where :meth:`Workspace.open` finds the workspace for ``--workspace`` ``path``: a folder or a .duckdb file."""
    from alignment.workspace import WORKSPACE_ENV, default_location

    if path is not None:
        return _expanded(path, "--workspace")
    try:
        return default_location()
    except RuntimeError:  # ~user in ALIGN_WORKSPACE naming no user, or no home folder to default to
        configured = os.environ.get(WORKSPACE_ENV)
        if configured:
            _expanded(configured, WORKSPACE_ENV)  # says which
        raise InputError(
            f"Cannot find your home folder, where the workspace is kept by default. Set {WORKSPACE_ENV} or "
            "--workspace to a folder."
        ) from None


def _expanded(name: str, what: str) -> Path:
    """``name`` as a Path, a leading ~ or ~user replaced by that home folder; ``what`` names it in the one
    line that says a ~user names no user."""
    try:
        return Path(name).expanduser()
    except RuntimeError:
        user = name[1:].replace(os.sep, "/").split("/", 1)[0]
        whose = f"there is no user {user!r} for ~{user} to stand for" if user else "no home folder was found for ~"
        raise InputError(f"Cannot use {what} {_shown(name)}: {whose}. Give the path in full, without the ~.") from None


def _shown(name: str, width: int = 80) -> str:
    """A path for a message: a name the system finds too long is cut (its start and end kept)."""
    return name if len(name) <= width else f"{name[: width // 2]}…{name[-(width // 2) :]}"


def _report_text(report: Report, out: str | None) -> str:
    """A check's report as ``out``'s name asks: the evidence table, one row per matched sentence, as CSV safe
    to open in Excel (.csv); the self-contained HTML report with its charts, as the app downloads it (.html);
    else the JSON report (schema alignment.report/1)."""
    suffix = Path(out).suffix.lower() if out not in (None, "-") else ""
    if suffix == ".csv":
        from alignment.report import to_safe_csv

        return to_safe_csv(report.matches_frame())
    if suffix in (".html", ".htm"):
        from alignment import charts

        columns = charts.segment_columns(report)
        figures = [
            charts.plot_gap(report),
            charts.plot_trend(report),
            *([charts.plot_segments(report, columns[0])] if columns else []),
            charts.plot_quadrant(report),
        ]
        return charts.report_html(report, figures)
    return report.to_json()


def _write(out: str | None, text: str) -> None:
    """Write ``text`` to the file ``out`` in one step (a crash never leaves half of it), or to standard
    output when ``out`` is None or "-", ended by one line break (a CSV's text has its own: a second would
    be an empty row)."""
    if not text.endswith("\n"):
        text += "\n"
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    target = _expanded(out, "--out")
    try:
        if target.exists() and not target.is_file():
            # A device or a pipe (/dev/stdout, a FIFO): replacing it with a file would break it.
            with target.open("w", encoding="utf-8") as handle:
                handle.write(text)
            return
        temporary = target.with_name(target.name + ".tmp")
        try:
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(target)  # atomic: a crash never leaves half a report
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)  # left only when the write failed or was interrupted
    except OSError as exc:
        raise InputError(f"Cannot write {_shown(out)}: {exc.strerror}. Choose a writable path.") from exc


def entry_point() -> NoReturn:
    """Console-script entry."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
