"""Command line: `alignment claims` and `alignment check`; turns AlignmentError into one line + exit 2."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from alignment.errors import AlignmentError, InputError, MissingFileError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USER_ERROR = 2


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
        "ads", metavar="ADS", help="a .txt file (ads separated by blank lines) or a table with id and text columns"
    )
    claims.add_argument("--out", metavar="FILE", help="write the JSON here (default: standard output)")
    claims.add_argument("--id-column", metavar="C", help="column of ad ids in a table (default: id)")
    claims.add_argument("--text-column", metavar="C", help="column of ad text in a table (default: text)")

    check = commands.add_parser(
        "check",
        help="judge claims against reviews and write a report",
        description="Find the review sentences that speak to each claim, judge their stance and score each claim.",
    )
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--ads", metavar="ADS", help="ad copy to extract claims from (.txt or a table)")
    source.add_argument("--claims", metavar="CLAIMS.txt", help="one claim per line, used verbatim")
    check.add_argument("--reviews", metavar="FILE", required=True, help="CSV, TSV, Excel, JSON, JSON Lines or Parquet")
    check.add_argument("--text-column", metavar="C", help="review text column (detected when omitted)")
    check.add_argument("--id-column", metavar="C", help="review id column (row numbers when omitted)")
    check.add_argument("--date-column", metavar="C", help="review date column")
    check.add_argument("--rating-column", metavar="C", help="review rating column")
    check.add_argument(
        "--segment-column",
        metavar="C",
        action="append",
        dest="segment_columns",
        help="a column to break results down by (channel, region, product); repeat for several",
    )
    check.add_argument("--ads-id-column", metavar="C", help="column of ad ids when ADS is a table")
    check.add_argument("--ads-text-column", metavar="C", help="column of ad text when ADS is a table")
    check.add_argument(
        "--min-similarity", type=float, metavar="X", help="cosine similarity for a sentence to count as relevant"
    )
    check.add_argument("--min-evidence", type=int, metavar="N", help="stance-bearing mentions needed for a verdict")
    check.add_argument("--stance-model", choices=("bundled", "lexicon"), help="stance judge (default: bundled)")
    check.add_argument("--out", metavar="FILE", help="write the report JSON here (default: standard output)")
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _version() -> str:
    from alignment import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 user error, 1 other failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "claims":
            return _run_claims(args)
        return _run_check(args)
    except InputError as exc:
        _fail(str(exc))
        return EXIT_USER_ERROR
    except AlignmentError as exc:
        _fail(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written.")
        return 130
    except Exception as exc:
        if os.environ.get("ALIGN_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc}. "
            "Set ALIGN_DEBUG=1 to see the traceback, and please report it."
        )
        return EXIT_FAILURE


def _fail(message: str) -> None:
    print(f"alignment: error: {' '.join(message.split())}", file=sys.stderr)


def _run_claims(args: argparse.Namespace) -> int:
    from alignment.claims import extract_claims
    from alignment.config import Config
    from alignment.ingest import read_ads

    ads = read_ads(args.ads, id_column=args.id_column, text_column=args.text_column)
    _check_out_path(args.out)
    claims = extract_claims(ads, limit=Config.from_env().max_claims)
    payload = {
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
    _write(args.out, json.dumps(payload, indent=2, ensure_ascii=False))
    if not claims:
        print("alignment: no checkable claims found in the ad copy.", file=sys.stderr)
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from alignment.config import Config
    from alignment.ingest import decode_bytes, read_ads
    from alignment.pipeline import check
    from alignment.progress import BarProgress, SilentProgress

    overrides = {
        key: value
        for key, value in (
            ("min_similarity", args.min_similarity),
            ("min_evidence", args.min_evidence),
            ("stance_model", args.stance_model),
        )
        if value is not None
    }
    config = Config.from_env(**overrides)
    if not Path(args.reviews).exists():
        raise MissingFileError(f"Reviews file not found: {args.reviews}. Check the path and try again.")
    _check_out_path(args.out)
    ads = None
    claim_lines = None
    if args.ads:
        ads = read_ads(args.ads, id_column=args.ads_id_column, text_column=args.ads_text_column)
    else:
        path = Path(args.claims)
        if not path.is_file():
            raise MissingFileError(f"Claims file not found: {path}. Give a text file with one claim per line.")
        claim_lines = [line.strip() for line in decode_bytes(path.read_bytes()).splitlines() if line.strip()]
        if not claim_lines:
            raise InputError(f"{path.name} has no claims. Put one claim per line.")
    report = check(
        ads,
        args.reviews,
        config,
        claims=claim_lines,
        text_column=args.text_column,
        id_column=args.id_column,
        date_column=args.date_column,
        rating_column=args.rating_column,
        segment_columns=args.segment_columns,
        progress=SilentProgress() if args.quiet else BarProgress(),
    )
    _write(args.out, report.to_json())
    summary = report.dataset
    skipped = ", ".join(f"{n} {reason}" for reason, n in summary.skipped.items()) or "none"
    if not args.quiet:
        print(
            f"alignment: {len(report.claims)} claims checked against {summary.sentences} sentences "
            f"from {summary.reviews} reviews (skipped rows: {skipped}).",
            file=sys.stderr,
        )
        for note in report.notes:
            print(f"alignment: {note}", file=sys.stderr)
    return EXIT_OK


def _check_out_path(out: str | None) -> None:
    """Fail before the long work when the output cannot be written."""
    if out is None:
        return
    parent = Path(out).resolve().parent
    if not parent.is_dir():
        raise InputError(f"Cannot write {out}: folder {parent} does not exist. Create it or choose another path.")
    if Path(out).is_dir():
        raise InputError(f"Cannot write {out}: it is a folder. Give a file name such as report.json.")


def _write(out: str | None, text: str) -> None:
    if out is None:
        sys.stdout.write(text + "\n")
        return
    target = Path(out)
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(target)  # atomic: a crash never leaves half a report
    except OSError as exc:
        raise InputError(f"Cannot write {out}: {exc.strerror}. Choose a writable path.") from exc


def entry_point() -> NoReturn:
    """Console-script entry."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
