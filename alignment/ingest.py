"""Read review and ad files into validated, counted records, and split reviews into sentences."""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import dataclasses
import hashlib
import html.entities
import html.parser
import io
import json
import math
import os
import re
import warnings
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from alignment.errors import EmptyDatasetError, InputError, MissingColumnError, MissingFileError, UnreadableFileError
from alignment.ratings import OFF_SCALE_RATING, off_scale_counted
from alignment.records import MATCH_COLUMNS, Ad, DatasetSummary, Review, Sentence

# Ad copy in these is text, ads separated by blank lines (a page's by its blocks); any other is a table.
AD_TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm", "")
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".json", ".jsonl", ".ndjson", ".parquet")
TEXT_COLUMN_NAMES = (
    "text",
    "review_text",
    "review",
    "review_body",
    "body",
    "content",
    "comment",
    "comments",
    "complaint",
    "complaint_text",
    "feedback",
    "message",
    "tweet",
    "description",
    "narrative",
)
ID_COLUMN_NAMES = (
    "review_id",
    "id",
    "tweet_id",
    "complaint_id",
    "comment_id",
    "ticket_id",
    "uid",
    # help-desk and complaint exports number their rows: "Ticket #", "Case number", "Complaint no"
    "ticket_#",
    "ticket_no",
    "ticket_number",
    "case_id",
    "case_#",
    "case_number",
    "complaint_#",
    "complaint_no",
    "complaint_number",
)
DATE_COLUMN_NAMES = (
    "date",
    "review_date",
    "created_at",
    "tweet_created",
    "timestamp",
    "created",
    "time",
    "submitted_at",
)
RATING_COLUMN_NAMES = ("rating", "stars", "star_rating", "score", "review_rating", "overall")
SEGMENT_COLUMN_NAMES = (
    "channel",
    "region",
    "product",
    "plan",
    "source",
    "platform",
    "country",
    "state",
    "store",
    "category",
    "department",
    "division",
    "segment",
    "market",
)
MAX_SENTENCE_CHARS = 600
MAX_FILE_MB_ENV = "ALIGN_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 2048.0
MALFORMED_ROW = "malformed row"
NOT_TEXT = "list, object or true/false, not text"
TITLE_ROW = "title row above the header"
MISSING_ID = "missing id"
NO_WORDS = "no words (only numbers, emoji or punctuation)"
# A review whose text holds lines that read as rows of its file: a quote left open ('1,"Great service,5')
# runs the rows after it into one review, up to the next quote, silently. Counted per review, not refused:
# a review with a line break may hold such a line ("2, no 3 calls a day").
ROWS_RUN_TOGETHER = "rows run together by an open quote"
HEADERLESS = "first line read as a review (no header row)"
RESCALED_RATING = "rating written on another scale (rescaled)"
REPEATED_SENTENCE = "repeated sentence in one review (read once)"
LONG_REVIEW = "review of over 200 sentences (kept; check it is one review)"
# A review is a few sentences, rarely a few dozen; one of hundreds is a pasted document, a log or a
# file read with the wrong delimiter, and each of its sentences counts as evidence like a customer's.
LONG_REVIEW_SENTENCES = 200
# Ratings outside every scale the reports know (0-5, 1-10, 0-100) are data errors, not opinions.
RATING_RANGE = (0.0, 100.0)
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
# UTF-8 with a few bytes that are not (a file saved as UTF-8, then edited in a Windows tool that wrote its
# own "’" or "é"): those bytes are read as Windows-1252, the rest as UTF-8. Read whole as cp1252 or
# latin-1 instead, every accent and emoji of the file would be garbled ("cafÃ©").
MIXED_UTF8 = "alignment-utf-8-cp1252"
_MIXED_ERRORS = "alignment-cp1252-bytes"


def _read_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes UTF-8 could not decode, each as Windows-1252 (latin-1 for the five
    bytes cp1252 leaves undefined)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in bad), error.end


class _MixedUtf8Decoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data: Any, errors: str, final: bool) -> tuple[str, int]:
        return codecs.utf_8_decode(data, _MIXED_ERRORS, final)


def _find_mixed_utf8(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != MIXED_UTF8:
        return None
    return codecs.CodecInfo(
        name=MIXED_UTF8,
        encode=codecs.utf_8_encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, _MIXED_ERRORS, True),
        incrementalencoder=codecs.getincrementalencoder("utf-8"),
        incrementaldecoder=_MixedUtf8Decoder,
        streamreader=codecs.getreader("utf-8"),
        streamwriter=codecs.getwriter("utf-8"),
    )


codecs.register_error(_MIXED_ERRORS, _read_bytes_as_cp1252)
codecs.register(_find_mixed_utf8)


def _mostly_utf8(valid: int, invalid: int) -> bool:
    """Whether text with ``valid`` well-formed UTF-8 characters beyond ASCII and ``invalid`` bytes that are
    not UTF-8 is UTF-8 with a few stray bytes: more well-formed characters than stray bytes. A file written
    in cp1252 throughout has almost no well-formed UTF-8 sequences ("é" is one byte there)."""
    return invalid > 0 and valid > invalid


_STRAY_BYTE = re.compile("[\udc80-\udcff]")  # a byte "surrogateescape" could not decode as UTF-8


def _count_utf8(text: str) -> tuple[int, int]:
    """Characters beyond ASCII in ``text`` decoded from UTF-8 with "surrogateescape", and stray bytes.
    Counted in C (a regex, an encode), not character by character: every block of a file is counted."""
    stray = len(_STRAY_BYTE.findall(text))
    wide = len(text) - len(text.encode("ascii", "ignore")) - stray
    return wide, stray


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column of a table plays which part; only ``text`` is required."""

    text: str
    id: str | None = None
    date: str | None = None
    rating: str | None = None
    segments: tuple[str, ...] = ()
    # How the date column writes numeric dates, when the user said so (True: day first, "03/04/2025" is
    # 3 April); None: settled by the dates themselves (a first number over 12 says day first).
    day_first: bool | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the mapping as a JSON-ready dict (``day_first`` only when it was given)."""
        found: dict[str, object] = {
            "text": self.text,
            "id": self.id,
            "date": self.date,
            "rating": self.rating,
            "segments": list(self.segments),
        }
        return found if self.day_first is None else {**found, "day_first": self.day_first}


@dataclass(frozen=True, slots=True)
class ReviewSet:
    """Validated reviews, their sentences and a summary of what was read and skipped."""

    reviews: tuple[Review, ...]
    sentences: tuple[Sentence, ...]
    summary: DatasetSummary
    mapping: ColumnMapping


def unsupported_table_message(suffix: str, name: str) -> str:
    """The one line that refuses a reviews file by its suffix, and says how a text export becomes a table."""
    message = f"Unsupported file type {suffix or '(none)'!r} for {name}; use one of {', '.join(TABLE_SUFFIXES)}."
    if suffix == ".txt":
        # Excel's "Unicode Text" and "Text (Tab delimited)" exports are saved as .txt
        message += " A tab-separated .txt export (Excel's Unicode Text) reads as a table once renamed .tsv."
    return message


def read_table(path: str | Path, sheet: str | int | None = None, expected: Iterable[str] = ()) -> pd.DataFrame:
    """Read a CSV, TSV, Excel, JSON, JSON Lines or Parquet file into a DataFrame of strings.

    A CSV, TSV or sheet whose first row reads as data rather than as column names (:func:`first_row_is_data`;
    ``expected`` are column names the caller will ask for) is read without a header: its columns are named
    ``column_1``, ``column_2`` ... and ``attrs["headerless"]`` is set.

    Raises:
        MissingFileError: the path does not exist.
        UnreadableFileError: the file cannot be read in the format its suffix names.
    """
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"File not found: {path}. Check the path and try again.")
    if path.is_dir():
        raise UnreadableFileError(f"{path} is a folder, not a file. Give the path of a data file.")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UnreadableFileError(unsupported_table_message(suffix, path.name))
    check_file_size(path)
    _check_format(path, suffix)
    try:
        if suffix in (".csv", ".tsv"):
            frame = _read_delimited(path, "\t" if suffix == ".tsv" else ",", expected)
        elif suffix in (".xlsx", ".xls"):
            frame = _read_sheet(path, sheet, expected)
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            frame = pq.read_table(path).to_pandas(integer_object_nulls=True)  # as _parquet_chunks reads it
        elif suffix == ".json":
            frame = _read_json(path)
        else:
            frame = _read_json_lines(path)
    except InputError:
        raise
    except Exception as exc:  # every reader raises its own types; the user needs one message
        raise UnreadableFileError(
            f"Could not read {path.name} as {suffix.lstrip('.').upper()}: {_first_line(exc, path)}. "
            "Check that the file is not damaged and that its name matches its format."
        ) from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _read_sheet(path: Path, sheet: str | int | None, expected: Iterable[str] = ()) -> pd.DataFrame:
    """One sheet of a workbook, as strings: by default the first with a table of two or more columns (else
    the first with any rows), so an empty or cover sheet in front is passed over; a number is 0-based.

    Raises:
        UnreadableFileError: the workbook has no such sheet; the message lists the sheets it has.
    """
    _check_workbook(path)
    with pd.ExcelFile(path) as book:
        names = [str(name) for name in book.sheet_names]
        if sheet is None:
            # The first sheet with a table on it: workbooks often open on an empty sheet or on a cover
            # sheet of a few lines in one column, so a sheet of two or more columns comes first.
            tables = []
            for number in range(len(names)):
                frame = book.parse(number, dtype=str)
                if frame.shape[1] and not frame.dropna(how="all").empty:
                    tables.append((names[number], frame))
            tables.sort(key=lambda table: table[1].shape[1] < 2)  # stable: otherwise in the workbook's order
            if tables:
                return _sheet_frame(book, tables[0][1], tables[0][0], names, expected)
            raise EmptyDatasetError(
                f"{path.name} has no rows of data on any sheet ({', '.join(map(repr, names))}). "
                "Give a workbook with a header row and at least one review."
            )
        chosen = sheet
        if (isinstance(chosen, int) and not 0 <= chosen < len(names)) or (
            isinstance(chosen, str) and chosen not in names
        ):
            # sheet= counts from 0 and --sheet from 1 (the CLI passes its number less one), so the number
            # asked is not echoed, as it would be one off for one of them; both ranges are given instead.
            asked = "at that number" if isinstance(chosen, int) else repr(chosen)
            count = len(names)
            raise UnreadableFileError(
                f"{path.name} has no sheet {asked}; its sheet{'s are' if count != 1 else ' is'} "
                f"{', '.join(map(repr, names))}. Give one by name, or by number: {_number_range(0, count - 1)} "
                f"with sheet= in Python, {_number_range(1, count)} with --sheet."
            )
        title = chosen if isinstance(chosen, str) else names[chosen]
        return _sheet_frame(book, book.parse(chosen, dtype=str), title, names, expected)


def _number_range(first: int, last: int) -> str:
    """ "0 to 2", or "0" for a range of one."""
    return str(first) if first == last else f"{first} to {last}"


def _sheet_frame(
    book: pd.ExcelFile, frame: pd.DataFrame, sheet: str, names: Sequence[str], expected: Iterable[str]
) -> pd.DataFrame:
    """The sheet's table, with the sheet read and the workbook's sheets in ``attrs`` (the app offers them)."""
    header = ["" if str(column).startswith("Unnamed:") else str(column) for column in frame.columns]
    # A sheet with a title above its header has mostly unnamed columns: _promote_header finds the header.
    if header.count("") * 2 < len(header) and first_row_is_data(header, frame.head(HEADER_SAMPLE_ROWS), expected):
        frame = _name_columns(book.parse(sheet, dtype=str, header=None))
    frame = _promote_header(frame)
    frame.attrs["sheet"] = sheet
    frame.attrs["sheets"] = list(names)
    return frame


def _promote_header(frame: pd.DataFrame) -> pd.DataFrame:
    """A sheet whose header row sits below a title ("Customer feedback export Q1" in a merged cell) has
    mostly unnamed columns; then the first of its top rows with most of its cells (two or more) filled with
    words, none a number, is the header. Its names are made as pandas makes a first row's: a blank cell is
    ``Unnamed: N``, a name repeated gets ".1", ".2" (``Region``, ``Region.1``), so a sheet reads alike with
    a title and without. The rows above it are dropped and counted in ``attrs["title_rows"]``."""
    unnamed = sum(str(column).startswith("Unnamed:") for column in frame.columns)
    if frame.shape[1] < 2 or unnamed * 2 < frame.shape[1]:
        return frame
    for position in range(min(10, len(frame) - 1)):
        cells = [str(cell).strip() if isinstance(cell, str) else "" for cell in frame.iloc[position]]
        words = [cell for cell in cells if cell]
        numeric = pd.to_numeric(pd.Series(words, dtype=object), errors="coerce").notna().any()
        if len(words) >= 2 and len(words) * 2 > len(cells) and not numeric:
            promoted = frame.iloc[position + 1 :].reset_index(drop=True)
            promoted.columns = header_names(cells)
            promoted.attrs["title_rows"] = position + 1
            return promoted
    return frame


def header_names(cells: Sequence[str]) -> list[str]:
    """Column names from a header row's ``cells``, as pandas names a file's first row: a blank cell is
    ``Unnamed: N`` (N its position from 0), and a name met again gets ".1", ".2" ... (``Region``,
    ``Region.1``), skipping any name the row already holds."""
    names = [cell or f"Unnamed: {position}" for position, cell in enumerate(cells)]
    counts: Counter[str] = Counter()
    unique = []
    for name in names:
        count = counts[name]
        while count > 0:  # pandas' own loop: "a", "a", "a.1" gives "a", "a.1", "a.1.1"
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts[name]
        unique.append(name)
        counts[name] = count + 1
    return unique


# The first bytes of the formats a text file is most often confused with, and what to call them.
_FORMAT_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx), a Word file (.docx) or another zip file"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls) or an old Word file"),
    (b"PAR1", "a Parquet file (.parquet)"),
    (b"%PDF", "a PDF"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


def binary_kind(head: bytes) -> str | None:
    """What a file that should be text looks like by its first bytes ("a PDF"), or None."""
    return next((kind for signature, kind in _FORMAT_SIGNATURES if head.startswith(signature)), None)


# The start of a JSON document or record ('[{"text": …', '{"text": …', '[]', '[\n  {'): no CSV header or
# review begins so, while a title in brackets ("[Feedback export]") does not match.
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*(?:[\[{"\]]|$))')
FORMAT_SAMPLE_BYTES = 1 << 16  # the start of a file read to tell what it really holds


def _file_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(FORMAT_SAMPLE_BYTES)


def content_kind(head: bytes) -> str:
    """What a file looks like by its first bytes, to name in a message refusing it under another format's
    name: a known binary format ("a PDF"), "JSON (.json)", "text (a CSV file?)", or "another kind of file"."""
    kind = binary_kind(head)
    if kind is not None:
        return kind
    text = decode_bytes(head)
    if not text.strip() or looks_binary(text):
        return "another kind of file"
    if _JSON_START.match(text.lstrip("\ufeff")):
        return "JSON (.json)"
    return "text (a CSV file?)"


def _reads_as_delimited(text: str) -> bool:
    """True when the first line of ``text`` splits into two or more fields by the separator its first lines
    share: a CSV header or row, not a JSON document (whose first line is at most a scalar, "42")."""
    text = text.lstrip("\ufeff \t\r\n")
    lines = text.split("\n")[:SEPARATOR_SAMPLE_LINES]
    # A JSON Lines file whose first line is damaged still holds records: only its bad lines are skipped.
    if not text or text[0] in '{["' or any(line.lstrip().startswith("{") for line in lines):
        return False
    first_line = _LINE_END.split(text, 1)[0]
    try:
        fields = next(csv.reader([first_line], delimiter=choose_separator(text, ",")), [])
    except csv.Error:  # not text a CSV reader can split: left to the JSON reader to name what is wrong
        return False
    return len(fields) >= 2


def _refuse_other_format(path: Path, suffix: str) -> None:
    """Refuse a text file (CSV, TSV, JSON) that is really another format, by its first bytes, naming what it
    looks like: a workbook, a Parquet file or a PDF; JSON named .csv; a CSV named .json. Its reader would
    otherwise fail with a message about text or JSON, or read a JSON document as a CSV of many columns."""
    head = _file_head(path)
    kind = binary_kind(head)
    if kind is not None:
        raise UnreadableFileError(
            f"{path.name} is not {suffix.lstrip('.').upper()}: it looks like {kind}. Give it the extension "
            "of its real format, or export it as CSV (UTF-8)."
        )
    if suffix in (".csv", ".tsv") and content_kind(head) == "JSON (.json)":
        raise UnreadableFileError(
            f"{path.name} is not {suffix.lstrip('.').upper()}: it looks like JSON (.json). "
            "Rename it .json (.jsonl for one record per line) and try again."
        )
    if suffix in JSON_SUFFIXES and _reads_as_delimited(decode_bytes(head)):
        raise UnreadableFileError(
            f"{path.name} is not JSON: it looks like text (a CSV file?), its first line split into columns. "
            "Rename it .csv (.tsv if tabs separate the columns) and try again."
        )


def _check_format(path: Path, suffix: str) -> None:
    """Refuse a file whose content is not the format its suffix names, saying what it looks like."""
    if suffix == ".parquet":
        _check_parquet(path)
    elif suffix not in (".xlsx", ".xls"):  # a workbook is checked as its sheet is read (_read_sheet)
        _refuse_other_format(path, suffix)


def _check_workbook(path: Path) -> None:
    """Refuse a file that is not the workbook its name says, before a reader fails on it obscurely: text, or
    a zip file that holds no workbook (a zipped CSV), which Excel's reader refuses with the word "'zip'"."""
    head = _file_head(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # .xls is an OLE file
        return
    if head.startswith(b"PK\x03\x04"):  # .xlsx is a zip file
        members = _zip_members(path)
        if members is None or any(name.startswith("xl/") for name in members):
            return  # a workbook, or a damaged zip file: its reader says what is wrong
        if any(name.startswith("word/") for name in members):
            looks = "a Word file (.docx)"
        else:
            files = [name for name in members if not name.endswith("/")]
            shown = ", ".join(files[:3]) + (f" and {len(files) - 3:,} more" if len(files) > 3 else "")
            looks = f"a zip file holding {shown or 'nothing'}"
        raise UnreadableFileError(
            f"{path.name} is not an Excel workbook: it is {looks}. "
            "Unzip it and give the table inside (.csv, .xlsx …), or save the reviews from Excel again."
        )
    raise UnreadableFileError(
        f"{path.name} is not an Excel workbook: it looks like {content_kind(head)}. "
        "Give it the extension of its real format (.csv, .json …) or save it from Excel again."
    )


def _zip_members(path: Path) -> list[str] | None:
    """The names of the files in a zip file, or None when it cannot be opened as one (damaged)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return None


def _check_parquet(path: Path) -> None:
    """Refuse a file named .parquet that is text (a CSV, JSON) or another known format (a workbook), which
    Parquet's reader refuses with "magic bytes not found"; a damaged Parquet file is left to the reader."""
    head = _file_head(path)
    if head.startswith(b"PAR1"):
        return
    kind = content_kind(head)
    if kind == "another kind of file":
        return
    real = {"JSON (.json)": ".json", "text (a CSV file?)": ".csv"}.get(kind)
    fix = f"Rename it {real} and try again." if real else "Give it the extension of its real format (.csv, .xlsx …)."
    raise UnreadableFileError(f"{path.name} is not a Parquet file: it looks like {kind}. {fix}")


def max_file_bytes() -> int:
    """The largest review file accepted, from ``ALIGN_MAX_FILE_MB`` (default 2048 MB).

    Raises:
        InputError: the variable is set but is not a positive number.
    """
    raw = os.environ.get(MAX_FILE_MB_ENV, "").strip()
    if not raw:
        return int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
    try:
        limit = float(raw)
    except ValueError:
        limit = float("nan")
    if not math.isfinite(limit) or limit <= 0:
        raise InputError(f"{MAX_FILE_MB_ENV}={raw!r} is not a positive number of megabytes; set it to e.g. 4096.")
    return max(1, int(limit * 1024 * 1024))


def check_file_size(path: Path) -> None:
    """Refuse a file larger than :func:`max_file_bytes`, naming the limit and how to raise it.

    Raises:
        UnreadableFileError: the file is over the limit.
    """
    limit = max_file_bytes()
    size = path.stat().st_size
    if size > limit:
        raise UnreadableFileError(
            f"{path.name} is {_megabytes(size)}, over the {_megabytes(limit)} limit; "
            f"raise it with {MAX_FILE_MB_ENV}=<megabytes> if the machine has the memory and disk."
        )


def _megabytes(size: int) -> str:
    """A size as a person reads it: "1,024 MB", "2.5 MB", "0.03 MB", never "0.00999928 MB"."""
    megabytes = size / 1048576
    if megabytes >= 100:
        return f"{megabytes:,.0f} MB"
    return f"{megabytes:.2g} MB" if megabytes < 1 else f"{megabytes:.3g} MB"


_SKIPPING_LINE = re.compile(r"Skipping line (\d+)")


def _skipped_lines(caught: Iterable[warnings.WarningMessage]) -> list[int]:
    """The lines pandas' C parser skipped (too many fields), from its ParserWarnings: the parser's own line
    numbers, which count every record of the file from 1, the header and blank lines included."""
    return [
        int(number)
        for item in caught
        if issubclass(item.category, pd.errors.ParserWarning)
        for number in _SKIPPING_LINE.findall(str(item.message))
    ]


_FIELD_SIZE_LIMIT = 1 << 30  # characters in one CSV field that _DataRows can count past (a 200 MB file's worth)


class _DataRows:
    """Turns the line numbers of pandas' "Skipping line N" warnings into data-row numbers.

    A review's data-row number counts the records after the header, a blank line not among them (pandas
    skips it without a row), so a malformed row must be given the number it would have had for the rows
    after it to keep theirs. pandas' line numbers count blank lines too, so the records are counted
    again, by Python's csv module, which splits records as pandas does; only files with a malformed row
    are read this second time. Should it fail (a field over its size limit), the rest of the lines are
    taken to hold no blank line.
    """

    def __init__(self, lines: Iterable[str], sep: str, header: bool) -> None:
        # pandas reads a field of any length; the csv module stops at 128 KB unless told, and then the rows
        # after a long review would be counted as if no blank line followed it.
        csv.field_size_limit(max(csv.field_size_limit(), _FIELD_SIZE_LIMIT))
        self._records: Iterator[list[str]] | None = csv.reader(lines, delimiter=sep)
        self._header = header  # the first record that is not blank is the header, still to be passed
        self._line = 0  # records read
        self._row = 0  # data rows among them

    def number(self, line: int) -> int:
        """The data-row number of the record pandas numbered ``line`` (lines are asked in order)."""
        while self._line < line and self._records is not None:
            try:
                record = next(self._records)
            except (StopIteration, csv.Error):
                self._records = None
                break
            self._line += 1
            if not record or (len(record) == 1 and not record[0].strip()):  # a blank line: no row
                continue
            if self._header:
                self._header = False
                continue
            self._row += 1
        if self._line < line:  # the csv module stopped short: no blank line assumed in the rest
            self._row += line - self._line - (1 if self._header else 0)
            self._line, self._header = line, False
        return self._row


def decode_bytes(data: bytes) -> str:
    """Decode file bytes as UTF-16 when they say so (a byte-order mark, or every other byte zero), else as
    UTF-8 (with or without BOM), falling back to cp1252 and then latin-1."""
    wide = _utf16(data[:_SCAN_BLOCK])
    if wide:
        return data.decode(wide, errors="replace")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            if encoding.startswith("utf-8") and _mostly_utf8(*_count_utf8(data.decode(encoding, "surrogateescape"))):
                return data.decode(MIXED_UTF8)
            continue
    return data.decode("latin-1", errors="replace")  # latin-1 never fails; kept for type checkers


def _utf16(head: bytes) -> str | None:
    """The UTF-16 codec a file's first bytes show, or None: Excel's "Unicode Text" export is UTF-16 with a
    byte-order mark; without one, ASCII text in UTF-16 has a zero in every other byte."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _read_delimited(path: Path, sep: str, expected: Iterable[str] = ()) -> pd.DataFrame:
    text = decode_bytes(path.read_bytes())
    if looks_binary(text):
        raise UnreadableFileError(
            f"{path.name} looks like a binary file, not text. Export it as CSV (UTF-8) and try again."
        )
    text = text.replace("\x00", "")
    if not text.strip():
        raise EmptyDatasetError(f"{path.name} is empty. Give a file with a header row and at least one review.")
    sep = choose_separator(text, sep)
    titles = _title_lines(text, sep, expected)
    text = text[titles.chars :]
    names = _headerless_names(text, sep, expected)
    read_names = _overflow_names(text, sep, names)

    def read(**options: Any) -> pd.DataFrame:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            header=None if names else 0,
            names=read_names if read_names is not None else names,
            # With the spare column named, a row of two fields too many or more must not turn the first
            # column into an index either (it is truncated to the spare column, which marks it malformed).
            # The python engine, the fallback for bad quoting, refuses that beside a header shorter than
            # the names; it marks such rows itself (on_bad_lines).
            index_col=False if read_names is not None and options.get("engine") != "python" else None,
            **options,
        )
        frame.attrs["headerless"] = bool(names)
        frame.attrs["title_rows"] = titles.count
        frame.attrs["separator"] = sep
        return frame

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = read(on_bad_lines="warn")
        lines = _skipped_lines(caught)
        rows = _DataRows(io.StringIO(text, newline=""), sep, header=not names)
        numbers = [rows.number(line) for line in lines]
        frame, spilled = _drop_overflowing(frame, 0, numbers)
        frame.attrs["malformed_rows"] = len(lines) + len(spilled)
        frame.attrs["skipped_row_numbers"] = sorted(numbers + spilled)
        return frame
    except pd.errors.ParserError as exc:
        unclosed = _unclosed_quote(path.name, exc)
        if unclosed is not None:
            raise unclosed from exc
        # A badly quoted row: fall back to the python engine, which can skip it. A row it skips is kept
        # as a marker in its place, so that its number is known, then dropped and counted.
        frame = read(engine="python", on_bad_lines=lambda _fields: [_MALFORMED_MARK])
        marked = frame.iloc[:, 0].eq(_MALFORMED_MARK).tolist() if frame.shape[1] else []
        if _OVERFLOW in frame.columns:  # a row with one field too many is malformed too (_drop_overflowing)
            overflowing = frame.pop(_OVERFLOW).fillna("").astype(str).str.strip().ne("").tolist()
            marked = [is_marked or spill for is_marked, spill in zip(marked, overflowing, strict=True)]
        numbers = [position + 1 for position, is_marked in enumerate(marked) if is_marked]
        if numbers:
            frame = frame[[not is_marked for is_marked in marked]].reset_index(drop=True)
        frame.attrs["headerless"] = bool(names)
        frame.attrs["malformed_rows"] = len(numbers)
        frame.attrs["skipped_row_numbers"] = numbers
        return frame


# Stands in for a malformed row the python parser skips; no cell holds it, NUL characters being removed.
_MALFORMED_MARK = "\x00malformed row\x00"


def _unclosed_quote(name: str, exc: BaseException) -> UnreadableFileError | None:
    """A clear error for a quote that is never closed (the rest of the file would be one field), else None."""
    found = re.search(r"EOF inside string starting at row (\d+)", str(exc))
    if found is None:
        return None
    return UnreadableFileError(
        f'{name} has a quote (") that is never closed, starting at data row {found.group(1)}; '
        'close or remove that quote (or double it as "") and try again.'
    )


def looks_binary(text: str) -> bool:
    """True when control characters (other than tab and line breaks) make up over 2% of the start (and > 4)."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r") + sample.count("\ufffd")
    return bool(sample) and controls > max(4, 0.02 * len(sample))  # a stray NUL or two is damage, not binary


SEPARATORS = (",", ";", "\t", "|")
# The first line Excel writes (and reads) to name a CSV's separator: "sep=;".
_EXCEL_SEPARATOR_LINE = re.compile(r"sep=([,;\t|])\s*")
SEPARATOR_SAMPLE_LINES = 30


def choose_separator(text: str, default: str) -> str:
    """The field separator of delimited ``text``: of those that split nine in ten of its first lines into the
    same number (two or more) of fields, the one that does so most evenly, then into the most fields
    (``default`` on a tie). A semicolon export whose first review holds a comma is read by semicolons, not
    by that comma. When none does, a first line without ``default`` is sniffed, else ``default``."""
    lines = text.lstrip("\ufeff\r\n").split("\n")[:SEPARATOR_SAMPLE_LINES]  # not at a U+2028 inside a review
    hint = _EXCEL_SEPARATOR_LINE.fullmatch(lines[0].rstrip("\r")) if lines else None
    if hint:  # the separator a European Excel writes on the first line ("sep=;"), above the header
        return hint.group(1)
    sample = "\n".join(line.rstrip("\r") for line in lines)
    best: tuple[float, int, str] | None = None
    for separator in dict.fromkeys((default, *SEPARATORS)):
        try:
            counts = Counter(len(row) for row in csv.reader(io.StringIO(sample), delimiter=separator) if row)
        except csv.Error:
            continue
        if not counts:
            continue
        fields, rows = counts.most_common(1)[0]
        share = rows / sum(counts.values())
        if fields >= 2 and share >= 0.9 and (best is None or (share, fields) > best[:2]):
            best = (share, fields, separator)
    if best is not None:
        return best[2]
    first_line = text.lstrip().split("\n", 1)[0]
    if default in first_line:
        return default
    try:
        return csv.Sniffer().sniff(first_line, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        return default


HEADER_SAMPLE_ROWS = 50  # rows under the first that show what the columns hold
_KNOWN_COLUMN_NAMES = frozenset(
    TEXT_COLUMN_NAMES + ID_COLUMN_NAMES + DATE_COLUMN_NAMES + RATING_COLUMN_NAMES + SEGMENT_COLUMN_NAMES
)
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_DATE_CELL = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}(?:[ T]\d.*)?")
_CODE_CELL = re.compile(r"[A-Za-z]{1,6}(?:[-_#]\d+|\d{2,})")
_POSITIONAL_NAME = re.compile(r"column_\d+")
_RATING_WORD = re.compile(r"(?<![a-z])(?:ratings?|stars?|scores?|nps|grade)(?![a-z])", re.IGNORECASE)
_ONE_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*[.!]*")  # "Good", "Meh.", "Top-notch!"
_ADDRESSES_READER = re.compile(r"\b(?:please|you|your|tell us|describe)\b", re.IGNORECASE)


def first_row_is_data(first: Sequence[str], rows: pd.DataFrame, expected: Iterable[str] = ()) -> bool:
    """True when a table's first row (``first``) reads as a row of data, not as column names.

    A cell is data-like when it is a number, a date, an id code ("BW-00001") or a sentence, as the same
    column's cells in the ``rows`` below it mostly are too. The row is data when two of its cells are (an
    id or a rating beside a review), or when a table of one column starts with a sentence that does not
    address the reader. A row naming a column the caller ``expected`` is a header; one naming a column the
    reader knows ("text", "rating", but also a value such as "Tweet" or "Store") is data only beside a date
    or a sentence. Naming a column ``column_N`` says there is no header. So a survey's question ("Please
    tell us about your visit.") or a label beside a year ("Customer,2024,Verbatim") stays a header, while a
    short review beside its rating ("Loved it,5", over reviews and ratings) is data: no column is named by
    a bare number. A review of one word is data beside a rating (0 to 10) over a column of ratings ("Good,5");
    a file of one line, with no rows below to compare, is data when it is a phrase of two words or more
    beside a rating ("Loved it,5")."""
    cells = [str(cell).strip() for cell in first]
    keys = [_name_key(cell) for cell in cells]
    named = {_name_key(name) for name in expected}
    if not any(cells) or named & set(keys):
        return False
    if any(_POSITIONAL_NAME.fullmatch(name) for name in named):
        return True
    signals = []
    phrases = 0  # short phrases ("Loved it") over a column of reviews: data only beside a number
    words = 0  # one word ("Good") over a column of reviews: data only beside a rating
    lone_phrases = 0  # short phrases with no rows below (a file of one line)
    rated = False  # a rating (0 to 10) over a column of ratings, or with no rows below
    for position, cell in enumerate(cells):
        kind = _cell_kind(cell)
        addresses_reader = bool(_ADDRESSES_READER.search(cell))
        loose = kind is None and _cell_kind(cell, loose=True) == "text" and not addresses_reader
        word = kind is None and not loose and not addresses_reader and bool(_ONE_WORD.fullmatch(cell))
        if kind is None and not loose and not word:
            continue
        below = (
            [value for value in (clean_cell(v) for v in rows.iloc[:, position]) if value]
            if position < rows.shape[1]
            else []
        )
        if below and sum(_cell_kind(value, loose=True) == (kind or "text") for value in below) * 2 < len(below):
            continue  # unlike the cells below it: a column name
        if kind is not None:
            signals.append(kind)
            ratings_below = sum(_is_rating_cell(value) for value in below) * 2 >= len(below)
            rated = rated or (_is_rating_cell(cell) and ratings_below)
        elif not below:
            lone_phrases += loose
        elif loose:
            phrases += 1
        else:
            words += 1
    if any(key in _KNOWN_COLUMN_NAMES or key.rsplit(".", 1)[-1] in _KNOWN_COLUMN_NAMES for key in keys):
        return len(signals) >= 2 and bool({"date", "text"} & set(signals))
    if len(cells) == 1:
        return signals == ["text"] and not _ADDRESSES_READER.search(cells[0])
    # A column is never named by a bare number: one over a column of ratings, beside a phrase over a column
    # of reviews, is a short review and its rating ("Loved it,5"). A single word is a header as often as a
    # review ("Verbatim"), so only a rating beside it tells: a header's rating column holds no digits
    # ("Comment,Score"), and a year is no rating ("Customer,2024,Verbatim"). With no rows below, a lone word
    # says too little ("Week,1"); a phrase beside a rating is a review.
    if signals == ["number"]:
        return phrases >= 1 or (rated and (words >= 1 or (lone_phrases >= 1 and rows.empty)))
    return len(signals) >= 2


def _name_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _cell_kind(cell: str, loose: bool = False) -> str | None:
    """ "number" (a rating too: "4/5", "★★★★☆"), "date", "code" (an id: "BW-00001") or "text" for a cell
    that can only be data, else None. A column name is a word or a few ("Review date", "NPS (0-10)"); a
    sentence is four words or more that end as sentences do, run on past a comma or fill 40 characters.
    ``loose``: any cell of two words or more is text (a review below)."""
    if _NUMBER.fullmatch(cell) or (cell and _NUMBER.fullmatch(rating_number(cell))):  # 4, "4/5", "★★★★☆"
        return "number"
    if _DATE_CELL.fullmatch(cell):
        return "date"
    if _CODE_CELL.fullmatch(cell):
        return "code"
    words = len(cell.split())
    if loose:
        return "text" if words >= 2 else None
    if words >= 4 and not cell.endswith(("?", ":")) and (cell[-1] in ".!" or "," in cell or len(cell) >= 40):
        return "text"
    return None


HEAD_SAMPLE_CHARS = 1 << 16  # the start of a delimited file read to tell its header and columns


def _head_sample(text: str) -> str:
    """The first HEAD_SAMPLE_CHARS characters of delimited ``text``, ending where a line does: cut mid-line,
    and inside a long quoted review, the sample would not parse ("EOF inside string"), and the file would be
    read as if its first line were a header of names."""
    if len(text) <= HEAD_SAMPLE_CHARS:
        return text
    sample = text[:HEAD_SAMPLE_CHARS]
    end = sample.rfind("\n")
    return sample[: end + 1] if end > 0 else sample


TITLE_LINES_MAX = 5  # lines above a CSV header that may be a title ("Customer feedback export Q1")
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class _Titles:
    """The title lines above a delimited file's header: ``count`` of them (blank lines not counted), which
    end ``lines`` physical lines and ``chars`` characters into the file."""

    count: int = 0
    lines: int = 0
    chars: int = 0


def _title_lines(text: str, sep: str, expected: Iterable[str] = ()) -> _Titles:
    """The title lines above the header of delimited ``text``, as a report exported to CSV has them.

    A line is a title when it fills at most half the fields of the line below it that reads as a header
    (most of its fields, two or more, filled with names, none a number, and not the first row of data by
    :func:`first_row_is_data`), and the rows under that header mostly have its number of fields. Read
    without this, the title would name the one column, and the header would be read as a review."""
    sample = _head_sample(text)
    starts = [0] + [match.end() for match in _LINE_END.finditer(sample)]
    if len(starts) > 1 and _EXCEL_SEPARATOR_LINE.fullmatch(sample[: starts[1]].strip("\ufeff\r\n")):
        return _Titles(1, 1, starts[1])  # Excel's "sep=;" hint: not the header, whatever the header names
    names = _KNOWN_COLUMN_NAMES | {_name_key(name) for name in expected}
    titles: list[int] = []  # how many fields each line above is filled in, blank lines left out
    for number, start in enumerate(starts[:-1]):
        line = sample[start : starts[number + 1]].strip("\ufeff\r\n")
        if not line.strip():
            continue
        fields = [field.strip() for field in next(csv.reader([line], delimiter=sep), [])]
        # The header must name a column the reader knows ("comment", "rating") or the caller asked for: a review
        # split by unquoted commas reads as names too ("Verbatim" over "Great calls, fast data, cheap").
        named = any(_name_key(field) in names for field in fields)
        if (
            titles
            and named
            and max(titles) * 2 <= len(fields)
            and _reads_as_header(fields, sample[start:], sep, expected)
        ):
            return _Titles(len(titles), number, start)
        filled = [field for field in fields if field]
        if len(titles) == TITLE_LINES_MAX or any(_name_key(field) in names for field in filled):
            break  # a header of one column ("review") over rows that a stray comma splits is no title
        titles.append(len(filled))
    return _Titles()


def _reads_as_header(fields: list[str], text: str, sep: str, expected: Iterable[str]) -> bool:
    """True when ``fields``, the first line of ``text``, name columns the rows below fill."""
    # Exports repeat a name ("region,region") and end a header with a separator ("id,comment,"): pandas
    # names those columns as it would without a title (header_names), so only most cells must be filled.
    filled = [field for field in fields if field]
    if len(filled) < 2 or len(filled) * 2 <= len(fields):
        return False
    if pd.to_numeric(pd.Series(filled, dtype=object), errors="coerce").notna().any():
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                header=None,
                skiprows=1,
                nrows=HEADER_SAMPLE_ROWS,
                on_bad_lines="skip",
                engine="python",
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error):
        return False
    if rows.empty or rows.shape[1] != len(fields):
        return False
    return not first_row_is_data(fields, rows.set_axis(fields, axis=1), expected)


def _headerless_names(text: str, sep: str, expected: Iterable[str]) -> list[str] | None:
    """Column names for delimited ``text`` whose first line is data (``column_1`` ...), else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = pd.read_csv(
                io.StringIO(_head_sample(text)),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                header=None,
                nrows=HEADER_SAMPLE_ROWS + 1,
                on_bad_lines="skip",
            )
    except Exception:  # the head alone does not parse (a quote closed past it): keep the header
        return None
    if rows.empty or not first_row_is_data(list(rows.iloc[0]), rows.iloc[1:], expected):
        return None
    return [f"column_{number}" for number in range(1, rows.shape[1] + 1)]


# A spare column past the header's last. A row with one field more than the header (a separator inside an
# unquoted value: "Hidden fees, never again.,1" under "review,rating") is malformed. Without a name for that
# field, pandas takes the first data row's extra field as a sign that the first column is an index, and then
# reads every row one column off (the review into the index, its rating as the text), silently; with one,
# the field lands here, and the row is counted as malformed and skipped (:func:`_drop_overflowing`). NUL is
# removed from every file read, so no column is named this.
_OVERFLOW = "\x00overflow\x00"


def _overflow_names(text: str, sep: str, names: list[str] | None) -> list[str] | None:
    """The column names to read delimited ``text`` by: its header's (or the headerless ``names``) and
    :data:`_OVERFLOW`. None when every sample row has one field more than the header: an export with row
    names (R's ``write.table``) leaves the header without a name for them, and pandas reads that layout
    right by itself."""
    sample = _head_sample(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            columns = (
                names
                if names is not None
                else [str(c) for c in pd.read_csv(io.StringIO(sample), sep=sep, dtype=str, nrows=0).columns]
            )
            rows = pd.read_csv(
                io.StringIO(sample),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                header=None if names is not None else 0,
                names=[*columns, _OVERFLOW],
                nrows=HEADER_SAMPLE_ROWS,
                on_bad_lines="skip",
            )
    except Exception:  # the head alone does not parse, or no row has a field too many: read as it is
        return None
    if rows.empty:  # no row in the head: pandas refuses a spare column when no row fills it
        return None
    if bool(rows[_OVERFLOW].fillna("").str.strip().ne("").all()):
        # Row names are distinct labels ("1", "2" …); a first field that repeats or holds a space is a
        # review split by a comma no quote protects, and such rows are malformed, not row names.
        first = rows.iloc[:, 0].astype(str)
        if first.is_unique and not first.str.contains(r"\s").any():
            return None
    return [*columns, _OVERFLOW]


def _drop_overflowing(frame: pd.DataFrame, before: int, skipped: Sequence[int]) -> tuple[pd.DataFrame, list[int]]:
    """``frame`` without the :data:`_OVERFLOW` column and the rows that filled it, and those rows' data-row
    numbers. ``before`` is how many rows the parser gave ahead of this frame; ``skipped`` the data-row
    numbers (ascending) of the rows it skipped up to the frame's end, which no row it gave holds. A field
    left empty there is a trailing separator ("1,2," under "a,b"), not an overflow."""
    if _OVERFLOW not in frame.columns:
        return frame, []
    overflow = frame.pop(_OVERFLOW)
    spilled = overflow.fillna("").astype(str).str.strip().ne("").tolist()
    if not any(spilled):
        return frame, []
    numbers = []
    for position in (position for position, spill in enumerate(spilled) if spill):
        given = before + position + 1  # the parser's count of rows up to this one
        number = given
        while True:  # the given-th data-row number that no skipped row holds
            moved = given + bisect.bisect_right(skipped, number)
            if moved == number:
                break
            number = moved
        numbers.append(number)
    kept = frame[[not spill for spill in spilled]].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    return kept, numbers


def _name_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A table read without a header, its columns named ``column_1``, ``column_2`` ... (counted from 1, as a
    spreadsheet's are) and marked ``attrs["headerless"]``."""
    frame = frame.set_axis([f"column_{number}" for number in range(1, frame.shape[1] + 1)], axis="columns")
    frame.attrs["headerless"] = True
    return frame


def _read_json(path: Path) -> pd.DataFrame:
    return _json_frame(decode_bytes(path.read_bytes()), path.name)


def _json_frame(text: str, name: str) -> pd.DataFrame:
    """One JSON document (a list of records, or an object holding one such list) as a table."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return _json_lines_frame(text)  # JSON Lines saved with a .json name: read it as what it is
        raise UnreadableFileError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Fix the file there, or export it again."
        ) from exc
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) != 1:
            # pandas' default df.to_json() writes a table by columns ({"text": {"0": "..."}}), and
            # orient="split" a list of lists: both are the table, written another way than as records.
            by_pandas = bool(data) and (
                all(isinstance(value, dict) for value in data.values()) or {"columns", "data"} <= set(data)
            )
            hint = " It looks like pandas' DataFrame.to_json() output:" if by_pandas else " From pandas,"
            raise UnreadableFileError(
                f"{name} holds a JSON object; expected a list of records like "
                '[{"text": "..."}], or an object with exactly one such list.'
                f'{hint} write it with df.to_json(orient="records") (or orient="records", lines=True for JSON Lines).'
            )
        data = lists[0]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableFileError(f'{name} must hold a list of records like [{{"text": "..."}}].')
    return _records_frame(data)


def _read_json_lines(path: Path) -> pd.DataFrame:
    text = decode_bytes(path.read_bytes())
    if text.lstrip().startswith("["):  # one JSON array saved with a .jsonl name: read it as what it is
        return _json_frame(text, path.name)
    return _json_lines_frame(text)


def _json_lines_frame(text: str) -> pd.DataFrame:
    """JSON Lines as a table; an unreadable line is counted in ``attrs["bad_lines"]`` and its data-row
    number (lines that are not blank count from 1) kept in ``attrs["skipped_row_numbers"]``."""
    records: list[dict[str, object]] = []
    skipped: list[int] = []
    # Records end at "\n" only, as the streamed reader's lines do: str.splitlines() would also cut at a
    # U+2028 or U+0085 that a writer's ensure_ascii=False leaves raw inside a review's text.
    for line in text.split("\n"):
        if not line.strip():
            continue
        item = _json_record(line)
        if item is None:
            skipped.append(len(records) + len(skipped) + 1)
        else:
            records.append(item)
    frame = _records_frame(records)
    frame.attrs["bad_lines"] = len(skipped)
    frame.attrs["skipped_row_numbers"] = skipped
    return frame


def _json_record(line: str) -> dict[str, object] | None:
    """One JSON Lines record, or None for a line that is not valid JSON or not an object."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    return item if isinstance(item, dict) else None


def _first_line(exc: BaseException, path: Path | None = None) -> str:
    """The first line of a reader's error, for a one-line message: without the file's full path (an
    upload's is a temporary folder the user never chose) and without a reader's own "could not open …:"
    preamble, which the message says already."""
    text = str(exc).strip()
    if path is not None:
        for full in {str(path), str(path.resolve())}:
            text = text.replace(full, path.name)
    text = re.sub(r"^Could not open \w+ input source '[^']*': ", "", text)
    lines = text.splitlines()
    return lines[0].rstrip(". ") if lines else type(exc).__name__


LISTED_COLUMNS = 12  # column names a message lists before "… and N more"


def list_columns(columns: Sequence[object]) -> str:
    """The column names for a one-line message: a name with a line break, a control character or
    surrounding spaces is shown quoted and escaped, and past the first 12 names the rest are counted
    ("… and 1,509 more"), so the message stays one readable line."""
    if not len(columns):
        return "(none)"
    shown = []
    for column in map(str, list(columns)[:LISTED_COLUMNS]):
        plain = column.strip() == column and column and all(ch.isprintable() for ch in column)
        shown.append(column if plain else repr(column))
    more = len(columns) - LISTED_COLUMNS
    return ", ".join(shown) + (f" … and {more:,} more" if more > 0 else "")


def _column_named(name: str | None, columns: Sequence[str]) -> str | None:
    """The column a user named: the one of that exact name, else the only one that differs from it in case
    and spacing alone ("review text" for "Review Text"), else the name as given (refused by the caller)."""
    if not name or name in columns:
        return name
    key = " ".join(name.split()).casefold()
    alike = [column for column in columns if " ".join(column.split()).casefold() == key]
    if len(alike) == 1:
        return alike[0]
    # A nested JSON key flattened to its path ("meta.region") is found by its last part, as when detected.
    nested = [column for column in columns if " ".join(column.rsplit(".", 1)[-1].split()).casefold() == key]
    return nested[0] if len(nested) == 1 and not alike else name


def detect_columns(
    frame: pd.DataFrame,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    rating_column: str | None = None,
    segment_columns: Sequence[str] | None = None,
) -> ColumnMapping:
    """Choose the text, id, date, rating and segment columns, honouring any the user named. An id, date
    or rating column left as None is detected by its name; given as "" it is none (a mapping that says
    "no rating column" is not overruled by a column named "stars").

    Raises:
        MissingColumnError: a named column does not exist, or no text column can be found; the message
            lists the columns that exist.
    """
    columns = [str(column) for column in frame.columns]
    available = list_columns(columns)
    other_sheets = _other_sheets(frame)
    text_column, id_column, date_column, rating_column = (
        _column_named(name, columns) for name in (text_column, id_column, date_column, rating_column)
    )
    if segment_columns is not None:  # None: found by their names; [] none at all
        segment_columns = [_column_named(name, columns) or name for name in segment_columns]
    for role, name in (("text", text_column), ("id", id_column), ("date", date_column), ("rating", rating_column)):
        if name and name not in columns:
            raise MissingColumnError(
                f"No {role} column named {name!r}. The columns are: {available}. Pass one of them.{other_sheets}"
            )
    for name in segment_columns or ():
        if name not in columns:
            raise MissingColumnError(f"No segment column named {name!r}. The columns are: {available}.{other_sheets}")
    text = text_column or _find_by_name(columns, TEXT_COLUMN_NAMES) or _guess_text_column(frame)
    twins = [column for column in columns if re.fullmatch(re.escape(str(text)) + r"\.\d+", column)]
    if text_column is None and text is not None and twins:
        # A file whose header names two columns alike ("text", "text"), read as "text" and "text.1": which
        # holds the reviews is not the reader's guess to make.
        raise MissingColumnError(
            f"Two columns are named {text!r} (read as {', '.join(map(repr, [text, *twins]))}). Rename one in the "
            f"file, or name the one that holds the reviews with --text-column (text_column= in Python).{other_sheets}"
        )
    if text is None:
        raise MissingColumnError(
            f"Could not tell which column holds the review text. The columns are: {available}. "
            f"Name it with --text-column (text_column= in Python).{other_sheets}"
        )
    taken = {text}
    identifier = _given_or_found(id_column, columns, ID_COLUMN_NAMES, taken)
    date = _given_or_found(date_column, columns, DATE_COLUMN_NAMES, taken)
    rating = _given_or_found(rating_column, columns, RATING_COLUMN_NAMES, taken)
    if frame.attrs.get("headerless"):  # no names to go by: a column of dates, or of ratings, is known by its cells
        taken |= {name for name in (identifier, date, rating) if name}
        if date_column is None and date is None:
            date = _guess_column(frame, taken, _is_date_cell)
            taken.add(date or text)
        if rating_column is None and rating is None:
            rating = _guess_column(frame, taken, _is_rating_cell, distinct=2, counter=False)
            taken.add(rating or text)
        if id_column is None and identifier is None:
            identifier = _guess_column(frame, taken, _is_id_cell, unique=True)
    else:
        if date_column is None and date is None:
            # A column of dates under a name no list knows ("posted", "when", "Submitted on") is known by its
            # cells, numeric or in words ("Mar 04, 2025"), and by a date word in its name.
            not_dates = taken | {name for name in (identifier, rating) if name}
            date = _guess_date_column(frame, not_dates)
        if rating_column is None and rating is None:
            # A rating column named in words of its own ("Score 1-5", "NPS (0-10)", "Overall star rating") is
            # known by a rating word in its name and by cells that read as ratings.
            named = {str(c) for c in columns if c not in {text, identifier, date} and _RATING_WORD.search(str(c))}
            if named:
                others = {str(c) for c in columns} - named
                rating = _guess_column(frame, others, _is_stepped_rating_cell, distinct=2, counter=False)
        if id_column is None and identifier is None:
            # An id column under a name of its own ("fb_id", "Response ID", "Case no") is known by an id word
            # closing its name and by cells that are all different and read as ids.
            named = {c for c in columns if c not in {text, date, rating} and _ID_WORD.search(c)}
            if named:
                identifier = _guess_column(frame, set(columns) - named, _is_id_cell, unique=True)
    if segment_columns is None:
        used = {text, identifier, date, rating}
        segments = tuple(c for c in columns if c not in used and _is_segment_column(frame, c))
    else:
        segments = tuple(dict.fromkeys(segment_columns))  # a column named twice is one segment
    return ColumnMapping(text=text, id=identifier, date=date, rating=rating, segments=segments)


# A longer name with a segment word in it ("Sales Region", "Product Line", "Division Name") names a segment
# too, unless it names what is written about each row ("Store comments", "Region code"), and as long as its
# values repeat and are few enough to break results down by (a breakdown of thousands is a list, not a chart).
SEGMENT_WORDS = frozenset(
    {*SEGMENT_COLUMN_NAMES, "touchpoint", "sku", "brand", "location", "city", "branch", "site", "zone"}
)
_NOT_SEGMENT_WORDS = frozenset(
    {"id", "ids", "code", "number", "no", "text", "comment", "comments", "review", "reviews", "description"}
    | {"feedback", "date", "time", "url", "email"}
)
SEGMENT_MAX_VALUES = 200


def _is_segment_column(frame: pd.DataFrame, column: str) -> bool:
    """Whether a column is one to break results down by: named as one ("region", "meta.channel"), or by a
    longer name holding a segment word, with at most SEGMENT_MAX_VALUES values in the rows read first."""
    name = column.lower().rsplit(".", 1)[-1]
    if name in SEGMENT_COLUMN_NAMES:
        return True
    words = set(re.findall(r"[a-z]+", name))
    if not words & SEGMENT_WORDS or words & _NOT_SEGMENT_WORDS:
        return False
    values = frame[column].head(5_000).dropna().astype(str).str.strip()
    values = values[values != ""]
    distinct = values.nunique()
    return 0 < distinct <= min(SEGMENT_MAX_VALUES, len(values) / 2)  # a segment's values repeat


def refuse_sheet_for(source: object, sheet: str | int | None) -> None:
    """Refuse a sheet named for reviews that are no workbook, as the command line refuses --sheet: it would
    be passed over silently, and the reviews read may not be the ones meant."""
    if sheet is None:
        return
    if isinstance(source, pd.DataFrame):
        raise InputError("sheet= applies to an Excel file (.xlsx, .xls); these reviews are a DataFrame. Leave it out.")
    if isinstance(source, (str, Path)) and Path(source).suffix.lower() not in (".xlsx", ".xls"):
        raise InputError(
            f"sheet= applies to an Excel file (.xlsx, .xls) only; {Path(source).name} is not one. Leave it out."
        )


def workbook_sheets(path: str | Path) -> list[str]:
    """The names of a workbook's sheets, in order ([] when it cannot be opened as one)."""
    try:
        with pd.ExcelFile(path) as book:
            return [str(name) for name in book.sheet_names]
    except Exception:  # any reader's error: the sheets are only named in a note, never needed
        return []


def sheet_read_note(path: str | Path, source: str) -> str | None:
    """For a workbook of several sheets read without naming one: which sheet was read (the first with a
    table, named in the dataset's ``source``) and which were not, for the others may hold reviews too."""
    if Path(path).suffix.lower() not in (".xlsx", ".xls"):
        return None
    names = workbook_sheets(path)
    read = next((name for name in names if source.endswith(f", sheet {name!r}")), None)
    if read is None or len(names) < 2:
        return None
    others = ", ".join(repr(name) for name in names if name != read)
    return (
        f"Read sheet {read!r} of {Path(path).name}, the first with a table; the workbook also has {others}, "
        "not read (--sheet picks another; sheet= in Python)."
    )


def source_name(file_name: str, frame: pd.DataFrame) -> str:
    """How a dataset names where it came from: the file's name, and for a workbook of several sheets the
    sheet read ("feedback.xlsx, sheet 'Reviews'"), so the provenance says which table was checked."""
    sheets = frame.attrs.get("sheets", ())
    sheet = frame.attrs.get("sheet")
    if sheet is None or len(sheets) < 2:
        return file_name
    return f"{file_name}, sheet {str(sheet)!r}"


def _other_sheets(frame: pd.DataFrame) -> str:
    """For a sheet of a workbook of several (``attrs`` from :func:`read_table`), a sentence naming the sheet
    read and the others, and how to pick one: the columns asked for may be on another sheet, which no
    column name can reach. Else ""."""
    sheets = [str(name) for name in frame.attrs.get("sheets", ())]
    sheet = frame.attrs.get("sheet")
    if sheet is None or len(sheets) < 2:
        return ""
    others = ", ".join(repr(name) for name in sheets if name != str(sheet))
    return (
        f" These are the columns of sheet {str(sheet)!r}; the workbook also has {others}: "
        "pick the sheet with the reviews with --sheet (sheet= in Python)."
    )


def _given_or_found(given: str | None, columns: Sequence[str], names: Sequence[str], taken: set[str]) -> str | None:
    """The column the caller named; for None the one found by its name; for "" none at all."""
    if given is None:
        return _find_by_name(columns, names, exclude=taken)
    return given or None


def _find_by_name(columns: Sequence[str], names: Sequence[str], exclude: Iterable[str] = ()) -> str | None:
    lowered = {re.sub(r"[\s\-]+", "_", column.strip().lower()): column for column in columns if column not in exclude}
    for name in names:
        if name in lowered:
            return lowered[name]
    # A nested JSON key flattened to its path ("review.text", "meta.date") is known by its last part.
    last_parts: dict[str, str] = {}
    for key, column in lowered.items():
        last_parts.setdefault(key.rsplit(".", 1)[-1], column)
    for name in names:
        if name in last_parts:
            return last_parts[name]
    return None


def _guess_text_column(frame: pd.DataFrame) -> str | None:
    """Pick the column of longest mostly non-numeric strings, if any column looks like free text."""
    best: tuple[float, str] | None = None
    sample = frame.head(500)
    for column in sample.columns:
        values = sample[column].dropna().astype(str).str.strip()
        values = values[values != ""]
        if values.empty:
            continue
        numeric_share = pd.to_numeric(values, errors="coerce").notna().mean()
        has_spaces = values.str.contains(" ").mean()
        mean_length = values.str.len().mean()
        if numeric_share > 0.5 or has_spaces < 0.5 or mean_length < 15:
            continue
        if best is None or mean_length > best[0]:
            best = (float(mean_length), str(column))
    return best[1] if best else None


_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# A date written with its month in words, as exports and review sites write them: "Mar 04, 2025",
# "4 March 2025", "March 4th, 2025", "Tue, 04 Mar 2025 10:12:00", each with a day and a four-digit year.
_WORD_DATE_CELL = re.compile(
    rf"(?:[a-z]{{3,9}}\.?,?\s+)?(?:{_MONTH_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?,?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_NAME},?)"
    r"\s+\d{4}(?:,?\s+\d.*)?",
    re.IGNORECASE,
)
# A column name that says its cells are dates: "Submitted On", "Posted", "Reviewed on", "Date of visit",
# "Created (UTC)"; a name no list holds, known by a word in it, for a column not every cell of which reads.
_DATE_WORD = re.compile(
    r"(?<![a-z])(?:date|dated|day|time|timestamp|when|posted|submitted|created|reviewed|published|written)(?![a-z])",
    re.IGNORECASE,
)
DATE_NAMED_SHARE = 0.5  # of a column named as dates, the share of its cells that must read as dates


def _is_date_cell(cell: str) -> bool:
    """A cell that reads as a date: numeric ("2025-03-04", "04.03.2025 10:00") or in words ("Mar 04, 2025")."""
    return bool(_DATE_CELL.fullmatch(cell) or _WORD_DATE_CELL.fullmatch(cell))


def _guess_date_column(frame: pd.DataFrame, taken: set[str]) -> str | None:
    """The date column of a table whose header names none of the usual date names: the one column whose cells
    (of the first 500 rows) are nearly all dates, two different ones at least (not one export date); of
    several, the one whose name says it holds dates ("Submitted On" beside "Delivered"); else the one column
    whose name says so and whose cells are mostly dates (a few "unknown" among them are counted as
    unparseable). None when no column, or more than one, fits."""
    sample = frame.head(500)
    named: list[str] = []
    nearly_all: list[str] = []
    for column in sample.columns:
        if column in taken:
            continue
        cells = [value for value in (clean_cell(v) for v in sample[column]) if value]
        if len(set(cells)) < 2:
            continue
        dates = sum(map(_is_date_cell, cells))
        if dates >= 0.95 * len(cells):
            nearly_all.append(str(column))
        if _DATE_WORD.search(str(column)) and dates > DATE_NAMED_SHARE * len(cells):
            named.append(str(column))
    if len(nearly_all) == 1:
        return nearly_all[0]
    both = [column for column in nearly_all if column in named]
    if len(nearly_all) > 1:
        return both[0] if len(both) == 1 else None
    return named[0] if len(named) == 1 else None


def _is_rating_cell(cell: str) -> bool:
    """A star or score rating as ratings are written (4, 4.5, "4/5", "★★★★"), on a scale of up to 10."""
    number = rating_number(cell)
    return bool(_NUMBER.fullmatch(number)) and 0 <= float(number.replace(",", ".")) <= 10


def _is_stepped_rating_cell(cell: str) -> bool:
    """A rating cell in whole or half steps (4, 4.5, "4/5"): a model's score such as 0.87 is not a rating."""
    if not _is_rating_cell(cell):
        return False
    return (2 * float(rating_number(cell).replace(",", "."))).is_integer()


def _counts_rows(cells: Sequence[str]) -> bool:
    """True for three or more consecutive whole numbers (1, 2, 3 …): a row counter, not ratings."""
    if len(cells) < 3 or not all(cell.isdigit() for cell in cells):
        return False
    first = int(cells[0])
    return all(int(cell) == first + offset for offset, cell in enumerate(cells))


_ID_WORD = re.compile(r"(?:^|[^a-z])(?:id|#|no|number|ref|reference|key)\.?$", re.IGNORECASE)


def _is_id_cell(cell: str) -> bool:
    return " " not in cell and len(cell) <= 64


def _guess_column(
    frame: pd.DataFrame,
    taken: set[str],
    fits: Callable[[str], bool],
    distinct: int = 1,
    unique: bool = False,
    counter: bool = True,
) -> str | None:
    """The one column not ``taken`` whose filled cells (of the first 500 rows) nearly all ``fits`` and that
    holds at least ``distinct`` different values (``unique``: no value twice; otherwise, past a dozen cells,
    some value twice, as an id column never has; ``counter=False``: not 1, 2, 3 … counting the rows); None
    when no column, or more than one, does. A date column under a name no list knows, whose timestamps may
    all differ, is found by :func:`_guess_date_column`."""
    found = []
    sample = frame.head(500)
    for column in sample.columns:
        if column in taken:
            continue
        cells = [value for value in (clean_cell(v) for v in sample[column]) if value]
        values = len(set(cells))
        if unique and (values < len(cells) or len(cells) < len(sample)):
            continue
        if not unique and len(cells) > 12 and values == len(cells):
            continue
        if not counter and _counts_rows(cells):
            continue
        if cells and values >= distinct and sum(map(fits, cells)) >= 0.95 * len(cells):
            found.append(str(column))
    return found[0] if len(found) == 1 else None


def table_with_text_names(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """``frame`` with its column names as strings, as columns are named everywhere else (``read_csv(header=None)``
    and a frame built from lists give 0, 1, ...), checked to be unique: ``frame[name]`` of a repeated name is
    a table, not a column. A named index becomes a column again (``set_index("review_id")`` set the ids aside).

    Raises:
        InputError: two columns share a name (``what`` names the frame in the message).
    """
    if any(name is not None for name in frame.index.names) and not any(
        str(name) in map(str, frame.columns) for name in frame.index.names
    ):
        # A named index holds a column the user set aside ("set_index('review_id')"): its values are the
        # reviews' ids (or dates, or segments), not row numbers to drop.
        frame = frame.reset_index()
    names = [str(column) for column in frame.columns]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise InputError(
            f"The {what} DataFrame has more than one column named {', '.join(map(repr, repeated))}. "
            "Give each column its own name (for instance frame.columns = [...]) or drop the extra ones."
        )
    if all(isinstance(column, str) for column in frame.columns):
        return frame
    return frame.set_axis(names, axis="columns")  # a renamed copy: the caller's frame stays as it was


def _with_date_order(mapping: ColumnMapping, day_first: bool | None) -> ColumnMapping:
    """``mapping`` with the day/month order given; refused when there is no date column for it to order."""
    day_first = _date_order_option(day_first)
    if day_first is not None and mapping.date is None:
        raise InputError(
            "The day/month order of the dates was given, but no date column was found. Name it with --date-column "
            "(date_column= in Python), or leave the order out."
        )
    return dataclasses.replace(mapping, day_first=day_first)


def _date_order_option(day_first: object) -> bool | None:
    """``day_first`` as given (True, False or None), or a one-line error for anything else."""
    if day_first is None or isinstance(day_first, bool):
        return day_first
    raise InputError(f"day_first must be True, False or None (settled by the dates), not {day_first!r}.")


def column_options(
    text_column: object, id_column: object, date_column: object, rating_column: object, segment_columns: object
) -> tuple[str | None, str | None, str | None, str | None, list[str] | None]:
    """The column options as the strings their columns are known by (a frame's column 1 may be given as 1 or
    "1", as :func:`table_with_text_names` names it), and one segment column given as a name as a list of one,
    not the letters of its name; a segment column named twice is kept once."""
    if segment_columns is None:
        segments = None
    elif isinstance(segment_columns, (str, int)):
        segments = [str(segment_columns)]
    elif isinstance(segment_columns, Iterable):
        segments = list(dict.fromkeys(str(name) for name in segment_columns))  # a column named twice is one
    else:
        raise InputError(
            f"segment_columns must be a column name or a list of them, not {type(segment_columns).__name__}."
        )
    text, review_id, date, rating = (
        None if name is None else str(name) for name in (text_column, id_column, date_column, rating_column)
    )
    return text, review_id, date, rating, segments


def load_reviews(
    source: pd.DataFrame | str | Path,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    rating_column: str | None = None,
    segment_columns: Sequence[str] | None = None,
    sheet: str | int | None = None,
    day_first: bool | None = None,
) -> ReviewSet:
    """Read reviews from a DataFrame or a file, validate them and split them into sentences.

    Blank and duplicate rows are skipped and counted in ``summary.skipped``; values that cannot be
    read (a date that does not parse, a rating that is not a number) are counted in
    ``summary.columns["invalid_values"]`` and left empty. ``day_first`` says how the date column writes
    numeric dates (True: "03/04/2025" is 3 April); by default the dates settle it, and where none has a
    day over 12 they are read month first and counted as unclear.

    Raises:
        InputError: the file is missing or unreadable, a column is missing, or no review remains.
    """
    text_column, id_column, date_column, rating_column, segment_columns = column_options(
        text_column, id_column, date_column, rating_column, segment_columns
    )
    refuse_sheet_for(source, sheet)
    if isinstance(source, pd.DataFrame):
        frame, name = table_with_text_names(source, "reviews"), "DataFrame"
    elif isinstance(source, (str, Path)):
        named = _named_columns(text_column, id_column, date_column, rating_column, segments=segment_columns)
        frame = read_table(source, sheet=sheet, expected=named)
        name = source_name(Path(source).name, frame)
    else:
        raise InputError(f"reviews must be a pandas DataFrame or a file path, not {type(source).__name__}.")
    if frame.shape[1] == 0:
        suffix = Path(source).suffix.lower() if isinstance(source, (str, Path)) else ""
        raise EmptyDatasetError(no_columns_message(name, suffix, int(frame.attrs.get("bad_lines", 0))))
    frame = _with_segment_copies(frame, segment_columns)
    segment_columns = _segment_names(segment_columns)
    mapping = detect_columns(frame, text_column, id_column, date_column, rating_column, segment_columns)
    mapping = _with_date_order(mapping, day_first)
    refuse_numbers_as_text(frame[mapping.text], mapping.text)
    reviews, skipped, invalid = _validate_rows(frame, mapping)
    if frame.attrs.get("headerless"):
        invalid = Counter({HEADERLESS: 1, **invalid})  # first, as a stream of the same file reports it
    if frame.attrs.get("bad_lines"):
        skipped["unreadable line"] = int(frame.attrs["bad_lines"])
    if frame.attrs.get("malformed_rows"):
        skipped[MALFORMED_ROW] = int(frame.attrs["malformed_rows"])
    if frame.attrs.get("title_rows"):
        skipped[TITLE_ROW] = int(frame.attrs["title_rows"])
    if not reviews:
        raise EmptyDatasetError(no_reviews_message(name, skipped, mapping.text))
    sentences = tuple(split_sentences(reviews, invalid))
    summary = DatasetSummary(
        source=name,
        rows=len(frame) + sum(int(frame.attrs.get(key, 0)) for key in ("bad_lines", "malformed_rows", "title_rows")),
        reviews=len(reviews),
        sentences=len(sentences),
        skipped=dict(skipped),
        columns={**mapping.to_dict(), "invalid_values": dict(invalid)},
    )
    return ReviewSet(reviews=tuple(reviews), sentences=sentences, summary=summary, mapping=mapping)


def _named_columns(*names: str | None, segments: Sequence[str] | None = None) -> list[str]:
    """The columns a caller asked for by name: a header row that names one is a header."""
    return [name for name in (*names, *(segments or ())) if name]


JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


# The columns of the evidence table (Report.matches_frame) and of the tables built on it: a segment column of
# the same name ("claim" in insurance reviews, "amount" in orders) would overwrite them there.
EVIDENCE_COLUMNS = frozenset({*MATCH_COLUMNS, "confidence", "value", "month"})
SEGMENT_SUFFIX = " (segment)"


def segment_name(column: str) -> str:
    """The name a segment column is kept under: its own, or with " (segment)" after the name of an evidence
    column (a segment "claim" is kept as "claim (segment)"), so that neither overwrites the other."""
    return f"{column}{SEGMENT_SUFFIX}" if column in EVIDENCE_COLUMNS else column


def _with_segment_copies(frame: pd.DataFrame, segments: Sequence[str] | None) -> pd.DataFrame:
    """``frame`` with a copy of each named segment column under its :func:`segment_name`, where that differs:
    the column itself stays under its own name, for the roles it may also fill (a "date" column kept as a
    segment is still the reviews' date)."""
    copies = {segment_name(name): name for name in segments or () if segment_name(name) != name}
    copies = {new: name for new, name in copies.items() if name in frame.columns and new not in frame.columns}
    return frame.assign(**{new: frame[name] for new, name in copies.items()}) if copies else frame


def source_column(segment: str) -> str:
    """The file's name of a segment column: "claim" for "claim (segment)" (:func:`segment_name`)."""
    name = segment.removesuffix(SEGMENT_SUFFIX)
    return name if name != segment and segment_name(name) == segment else segment


def _segment_names(segments: Sequence[str] | None) -> list[str] | None:
    return None if segments is None else [segment_name(name) for name in segments]


def no_columns_message(name: str, suffix: str, bad_lines: int = 0) -> str:
    """What to say of a table ``name`` that holds no columns: for JSON, which has no header row, that it
    holds no records, and how many of its lines were not JSON objects."""
    if suffix not in JSON_SUFFIXES:
        return f"{name} has no columns. Give a table with a header row and a text column."
    unread = ""
    if bad_lines:
        unread = ": its one line is not" if bad_lines == 1 else f": none of its {bad_lines} lines is"
        unread += " a JSON object"
    return (
        f"{name} holds no review records{unread}. Give one JSON object per line, such as "
        '{"text": "..."}, or a list of such objects.'
    )


def no_reviews_message(name: str, skipped: Mapping[str, int], column: str) -> str:
    """What to say of a table ``name`` none of whose rows gave a review: what was ``skipped``, and how to fix
    the file. When every row had more fields than the header, a separator inside the reviews is unquoted."""
    detail = ", ".join(f"{count:,} {reason}" for reason, count in skipped.items()) or "no rows"
    if set(skipped) - {TITLE_ROW} == {MALFORMED_ROW}:
        return (
            f"{name} has no review text to check: every row has more fields than the header ({detail}). "
            'Quote each review that holds the separator ("Great food, slow service") and try again.'
        )
    return (
        f"{name} has no review text to check ({detail}) in column {column!r}. "
        "Give a file with reviews in it, or name the right column with --text-column (text_column= in Python)."
    )


def _validate_rows(frame: pd.DataFrame, mapping: ColumnMapping) -> tuple[list[Review], Counter[str], Counter[str]]:
    validator = RowValidator(mapping)
    validator.separator = frame.attrs.get("separator")
    validator.skip_rows(frame.attrs.get("skipped_row_numbers", ()))
    # In chunks of the rows a workspace ingest streams, so that what a column settles as it is read (the
    # day/month order of its dates, the scale of its fractions) is settled on the same rows either way: a
    # file read whole and the same file ingested give the same reviews.
    reviews: list[Review] = []
    for start in range(0, len(frame), STREAM_CHUNK_ROWS):
        reviews += validator.add(frame.iloc[start : start + STREAM_CHUNK_ROWS])
    return reviews, validator.skipped, validator.invalid_values()


class RowValidator:
    """Turns table rows into Reviews, one chunk of rows at a time, with counts that span every chunk.

    Blank texts, texts of no words (only numbers, emoji or punctuation) and exact duplicate rows (the same text,
    id cell, date, rating and segments, and without an id column every other cell too; seen in any earlier
    chunk too) are skipped and counted in ``skipped``; unreadable dates and ratings, missing and repeated
    ids are counted in ``invalid``, for the rows kept as reviews. A review without an id column is known by its row
    number ("3"); one whose id cell is blank by "row 3", which no real id of a column of numbers repeats.
    Row numbers and default review ids continue from one chunk to the next, so reading a file in chunks
    gives the same reviews as reading it whole; a row skipped before it got here (:meth:`skip_rows`) keeps
    its number, so the rows after it keep theirs. Memory grows only by a 16-byte digest per review.
    """

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.skipped: Counter[str] = Counter()
        self.invalid: Counter[str] = Counter()
        self.rows = 0
        self._number = 0  # the data-row number of the last row given one
        self._taken: deque[int] = deque()  # numbers of skipped rows still ahead, ascending
        self._seen: set[bytes] = set()
        self._seen_ids: set[str] = set()
        self._date_order = DateOrder(mapping.day_first)
        self._rating_scale = RatingScale()
        # The kept reviews' ratings by value: the scale they fit, and so the typos above it, is read
        # from all of them once every chunk is in (:meth:`invalid_values`).
        self._rating_counts: Counter[float] = Counter()
        # Whether the id column is whole numbers written as floats ("12.0", as pandas writes an id column with
        # a gap), settled on the first ids read, so that every chunk reads them alike, as "12".
        self._whole_float_ids: bool | None = None
        # The separator of a delimited file (CSV, TSV), where a quote left open can run rows together;
        # None for a workbook, JSON or a frame, whose cells hold line breaks as they are.
        self.separator: str | None = None

    def skip_rows(self, numbers: Iterable[int]) -> None:
        """Note the data-row numbers of rows the reader skipped (a malformed CSV row, an unreadable JSON
        line), in ascending order: no row added later is given one of them."""
        self._taken.extend(numbers)

    def _row_numbers(self, count: int) -> Sequence[int]:
        """The data-row numbers of the next ``count`` rows: the next ones not taken by a skipped row."""
        first = self._number + 1
        if not self._taken or self._taken[0] > self._number + count:
            self._number += count
            return range(first, first + count)
        numbers = []
        number = self._number
        for _ in range(count):
            number += 1
            while self._taken and self._taken[0] <= number:
                if self._taken.popleft() == number:
                    number += 1
            numbers.append(number)
        self._number = number
        return numbers

    def _read_ids(self, column: pd.Series) -> list[str]:
        """The chunk's ids as text; "12.0" as "12" where the column's first ids were all whole floats."""
        ids = [_label_cell(value) for value in column.tolist()]
        if self._whole_float_ids is None:
            given = [value for value in ids if value]
            if given:
                self._whole_float_ids = all(_WHOLE_FLOAT.fullmatch(value) for value in given)
        if self._whole_float_ids:
            ids = [value.split(".", 1)[0] if _WHOLE_FLOAT.fullmatch(value) else value for value in ids]
        return ids

    def add(self, frame: pd.DataFrame) -> list[Review]:
        """Validate the next chunk of rows; return its reviews.

        Unreadable dates and ratings, missing and repeated ids are counted for the rows kept as reviews
        only: a blank or duplicate row skipped is counted once, as skipped, so no count exceeds the reviews.
        """
        mapping = self.mapping
        cells = frame[mapping.text].tolist()
        texts = ["" if _holds_no_text(value) else _clean_text(value) for value in cells]
        ids = self._read_ids(frame[mapping.id]) if mapping.id else None
        # Read for the whole chunk, so a column settles its date order and rating scale on the same rows
        # whichever rows are kept; what could not be read is counted below, for the rows kept.
        dates, date_labels = _read_dates(frame[mapping.date], self._date_order) if mapping.date else (None, None)
        ratings, rating_labels = (
            _read_ratings(frame[mapping.rating], self._rating_scale) if mapping.rating else (None, None)
        )
        segments = {name: [_label_cell(value) for value in frame[name].tolist()] for name in mapping.segments}
        # A JSON text cell that held an object was flattened into columns named by its path ("text.title"):
        # its row has no "text" but has those, and is counted as the object it is, not as blank.
        nested = [column for column in frame.columns if str(column).startswith(f"{mapping.text}.")]
        objects = frame[nested].notna().any(axis=1).tolist() if nested else [False] * len(frame)
        # Rows a quote left open ran others into, whichever cell the quote opened in ("2,"1,2025-01-02,…"
        # runs the next rows into the rating cell, and leaves the text cell blank).
        run_together = _rows_run_together(frame, mapping.text, self.separator) if self.separator else set()
        # Without an id column, the cells of the columns no field reads (a customer's name, an order number): two
        # rows alike in the mapped fields but not in these are two customers' reviews, not one row exported
        # twice. With one, the id says which review a row is: the same review exported twice with another
        # annotation beside it (a sentiment confidence) is still one review.
        mapped = {mapping.text, mapping.id, mapping.date, mapping.rating, *mapping.segments, *nested}
        unread = [column for column in frame.columns if column not in mapped] if not mapping.id else []
        others = list(frame[unread].itertuples(index=False, name=None)) if unread else [()] * len(frame)
        reviews: list[Review] = []
        kept: list[int] = []
        id_counts: Counter[str] = Counter()
        numbers = self._row_numbers(len(frame))
        for position in range(len(frame)):
            text = texts[position]
            if not text:
                structured = _holds_no_text(cells[position]) or objects[position]
                reason = ROWS_RUN_TOGETHER if position in run_together else "blank text"
                self.skipped[NOT_TEXT if structured else reason] += 1
                continue
            if not any(ch.isalpha() for ch in text):
                # "😡😡😡", "!!!" or "12345": written, so not blank, but no sentence in it can be read for a claim
                self.skipped[NO_WORDS] += 1
                continue
            id_cell = ids[position] if ids is not None else ""
            missing_id = ids is not None and not id_cell
            # Without an id column a review is known by its row number; a blank cell of an id column
            # is named so that it cannot be taken for a real id ("2" beside a review whose id is 2).
            review_id = id_cell or (f"row {numbers[position]}" if missing_id else str(numbers[position]))
            date = dates[position] if dates is not None else None
            rating = ratings[position] if ratings is not None else None
            segment_values = {name: values[position] for name, values in segments.items()}
            # An exact duplicate is a row whose cells are all the same: the id cell as written, not the row
            # number that stands in for a missing one, which would make every row distinct.
            row = (text, id_cell, date, rating, tuple(segment_values.values()), others[position])
            key = hashlib.blake2b(repr(row).encode("utf-8", "surrogatepass"), digest_size=16).digest()
            if key in self._seen:
                self.skipped["duplicate row"] += 1
                continue
            self._seen.add(key)
            if missing_id:
                id_counts[MISSING_ID] += 1
            if review_id in self._seen_ids:
                id_counts["duplicate id"] += 1
            self._seen_ids.add(review_id)
            kept.append(position)
            reviews.append(
                Review(
                    review_id=review_id,
                    text=text,
                    row=numbers[position],
                    date=date,
                    rating=rating,
                    segments=segment_values,
                )
            )
        for labels in (date_labels, rating_labels):
            if labels is not None:
                _count_labels(labels, kept, self.invalid)
        self.invalid.update(id_counts)  # after the dates and ratings, in the order the counts were always said
        held = sum(1 for position in kept if position in run_together)
        if held:
            self.invalid[ROWS_RUN_TOGETHER] += held
        self._rating_counts.update(review.rating for review in reviews if review.rating is not None)
        self.rows += len(frame)
        return reviews

    def invalid_values(self) -> Counter[str]:
        """The values not read as written (:attr:`invalid`), and the ratings above the scale the others
        fit (typos, :data:`alignment.ratings.OFF_SCALE_RATING`): kept as reviews, but left out of every
        reading of the ratings, so the user must hear of them. Call once every chunk is added."""
        invalid = Counter(self.invalid)
        off = off_scale_counted(self._rating_counts)
        if off:
            invalid[OFF_SCALE_RATING] = off
        return invalid


def _value_shape(value: str) -> str:
    """A cell's shape: each run of letters "a", each run of digits "9" ("BW-00412" "a-9", "17" "9")."""
    return re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", value))


def _rows_run_together(frame: pd.DataFrame, text_column: str, separator: str) -> set[int]:
    """The positions of a delimited file's rows that hold, in any cell, a line that reads as a row of the
    file: after the cell's first line, one that opens with a value shaped like the file's first column (an
    id, a date: a value with a digit) and holds as many separators as a row, as the rows a quote left open
    ran into it do."""
    if not frame.shape[1] or str(frame.columns[0]) == text_column:
        return set()  # the reviews come first: nothing tells a row from a review's own line
    shapes = {shape for shape in map(_value_shape, map(clean_cell, frame.iloc[:, 0].tolist())) if "9" in shape}
    if not shapes:
        return set()
    # As many fields as a row of the file has: "5,8 130lb, size 26" in a review is not a row of ten columns.
    fields = sum(1 for column in frame.columns if not str(column).endswith(" (segment)"))

    def holds_a_row(value: object) -> bool:
        return isinstance(value, str) and any(
            line.count(separator) >= fields - 1 and _value_shape(line.split(separator, 1)[0].strip()) in shapes
            for line in value.split("\n")[1:]
        )

    found: set[int] = set()
    for column in range(frame.shape[1]):
        values = frame.iloc[:, column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue  # numbers hold no line
        # only a cell with a line break can hold a row: found in C first, as every cell of every chunk is read
        broken = values.str.contains("\n", regex=False, na=False).to_numpy().nonzero()[0]
        found.update(int(position) for position in broken if holds_a_row(values.iloc[position]))
    return found


def refuse_numbers_as_text(cells: pd.Series, column: str) -> None:
    """Refuse a text column that holds numbers, not reviews (an id or an amount mapped as the text), read
    from its cells before any is skipped (a number alone is "no words").

    Raises:
        MissingColumnError: nine in ten of the texts (of the first 1,000 not blank) are numbers, with no letter.
    """
    sample = [text for text in (clean_cell(value) for value in cells.head(5_000).tolist()) if text][:1000]
    numbers = sum(1 for text in sample if not any(ch.isalpha() for ch in text) and any(ch.isdigit() for ch in text))
    if sample and numbers >= 0.9 * len(sample):
        raise MissingColumnError(
            f"Column {column!r} holds numbers, not review text ({numbers:,} of the {len(sample):,} values read "
            "have no letters). Name the column that holds the reviews (--text-column; text_column= in Python)."
        )


def clean_cell(value: object) -> str:
    """A table cell as stripped text: "" for a missing value (None, NaN, and pandas' NA and NaT, which
    nullable and Arrow-backed columns hold), bytes decoded as UTF-8, and a list or an object (nested
    JSON, a Parquet list column) written as JSON rather than as Python's repr."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace").strip()
    if _is_structured(value):
        return json.dumps(_plain(value), ensure_ascii=False, default=str)
    if _is_missing(value):  # str() would write pd.NA as "<NA>" and NaT as "NaT": a review or a date of that name
        return ""
    return str(value).strip()


def _is_missing(value: Any) -> bool:
    """True for a single missing value of any kind pandas has: NaN, pd.NA, NaT (``value`` is not a list)."""
    return bool(pd.isna(value))


_WHOLE_FLOAT = re.compile(r"-?\d+\.0+")


def _label_cell(value: object) -> str:
    """An id or segment cell as text, a float without a fraction written as the whole number it is: a
    JSON id column holding 12 and 12.0, or whole numbers beside a null (which pandas reads as floats),
    gives "12", not "12.0"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:  # exact only below 2**53
        return str(int(value))
    return clean_cell(value)


def _holds_no_text(value: object) -> bool:
    """True for a text cell that holds no text to read: a list or an object (:func:`_is_structured`), or a
    JSON or Parquet true/false (Python's or numpy's bool), where str() would make the review "True"."""
    return _is_structured(value) or type(value).__name__ in {"bool", "bool_"}


def _is_structured(value: object) -> bool:
    """True for a list, a tuple, a set, a dict or an array: a value that holds values, not text."""
    return isinstance(value, (dict, list, tuple, set)) or getattr(value, "ndim", 0) > 0


def _plain(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    return value


_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)  # a review export's line break, often its only tag


def _clean_text(value: object) -> str:
    text = clean_cell(value).replace("\x00", "")
    if "<" in text and (looks_like_html(text) or _LINE_BREAK_TAG.search(text)):
        # a review scraped with its markup ("<p>Great service.</p><br>…"): the text a reader saw, without
        # the tags, scripts and entities, which would otherwise be sentences of evidence
        text = html_text(text)
    return text


# "05/01/2025", "5.1.25", "05-01-2025 14:30": a date whose day and month are both plain numbers.
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})(?!\d)")
# A UTC offset or zone after a time of day ("11:35:52 -0800", "23:30Z", "10:00 PM PST"): the review's own
# wall-clock date is the one to keep, not the date in London at that moment.
_ZONE_AFTER_TIME = re.compile(
    r"(:\d\d(?:[.,]\d+)?(?:\s*[AaPp][Mm])?)\s*(?:Z|[+-]\d\d:?\d\d|(?!AM\b|PM\b)[A-Z]{2,5})\s*$"
)
AMBIGUOUS_DATE = "day/month order unclear (read month first)"
DATE_AGAINST_ORDER = "date in the other day/month order than the column's (read that way)"
# Before 1900 or after tomorrow is a placeholder ("0001-01-01") or a typo, never the date of a review.
EARLIEST_DATE = pd.Timestamp("1900-01-01")


class DateOrder:
    """Whether a column writes numeric dates day first ("13/01/2025") or month first ("01/13/2025").

    Decided once per column, from the first chunk whose dates settle it (a first number over 12 says day
    first, a second number over 12 says month first; the majority wins; where no number tells, dates
    written mostly with dots, "04.03.2025", are day first: the countries that write dates so all put the
    day first), so every row of a file is read the same way. Until then, and for a column that never
    settles it, such dates are read month first and counted as ambiguous; an order the user gave
    (``day_first``) holds from the start.
    """

    def __init__(self, day_first: bool | None = None) -> None:
        self.day_first = day_first  # given by the user, it is never settled otherwise

    def settle(self, numbers: Sequence[tuple[int, int]], dotted: int = 0) -> None:
        """Decide the order from the (first, second) numbers of the numeric dates, if they tell, or else
        from how many of them (``dotted``) are written with dots."""
        if self.day_first is not None:
            return
        says_day = sum(1 for first, second in numbers if first > 12 >= second)
        says_month = sum(1 for first, second in numbers if second > 12 >= first)
        if says_day != says_month:
            self.day_first = says_day > says_month
        elif numbers and dotted * 2 > len(numbers):
            self.day_first = True


def _parse_dates(column: pd.Series, invalid: Counter[str], order: DateOrder | None = None) -> list[str | None]:
    """Each cell of a date column as "YYYY-MM-DD", or None; what cannot be read is counted in ``invalid``.

    Each distinct value is parsed once (review exports repeat their dates), numeric day/month dates in the
    column's one :class:`DateOrder`, everything else as pandas reads it.
    """
    dates, labels = _read_dates(column, order)
    _count_labels(labels, range(len(labels)), invalid)
    return dates


def _count_labels(labels: Sequence[tuple[str, ...]], positions: Iterable[int], invalid: Counter[str]) -> None:
    """Count in ``invalid`` the labels of the rows at ``positions`` (the rows kept as reviews)."""
    for position in positions:
        for label in labels[position]:
            invalid[label] += 1


# 10 digits: Unix seconds (2001 to 2286); 13: Unix milliseconds; 5, between 20000 and 60000: a spreadsheet's
# serial day (1954 to 2064), with its time of day as a fraction.
_STAMP = re.compile(r"\d{10}(?:\.\d+)?|\d{13}|[2-5]\d{4}(?:\.\d+)?")
_SPREADSHEET_EPOCH = pd.Timestamp("1899-12-30")


def _numeric_stamp(value: str) -> pd.Timestamp:
    """The moment a number in a date column stands for (see _STAMP)."""
    number = float(value)
    if len(value.split(".")[0]) == 5:
        return _SPREADSHEET_EPOCH + pd.Timedelta(days=number)
    return pd.Timestamp(number, unit="ms" if len(value) == 13 else "s")


def _read_dates(column: pd.Series, order: DateOrder | None = None) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """Each cell of a date column as "YYYY-MM-DD" or None, and each cell's labels for what could not be read
    or was read as a guess ("unparseable date", :data:`AMBIGUOUS_DATE` ...), as :func:`_parse_dates` counts
    them; the caller counts only the rows it keeps."""
    order = order or DateOrder()
    codes, values = pd.factorize(column.map(clean_cell).map(_unless_missing_marker))
    local = [_ZONE_AFTER_TIME.sub(r"\1", value) for value in values]
    numbers: dict[int, tuple[int, int]] = {}
    dotted = 0
    for index, value in enumerate(local):
        found = _NUMERIC_DATE.match(value)
        if found:
            numbers[index] = (int(found.group(1)), int(found.group(2)))
            dotted += value[found.end(1)] == "."  # the separator after the first number
    order.settle(list(numbers.values()), dotted)
    parsed = pd.Series(pd.NaT, index=range(len(local)), dtype="datetime64[us]")
    # A date a system wrote as a number: Unix time in seconds or milliseconds, or a spreadsheet's day count
    # (Excel's serial date, days since 1899-12-30). Read so only in a column already taken as the dates.
    stamps = {index: _numeric_stamp(value) for index, value in enumerate(local) if _STAMP.fullmatch(value)}
    if stamps:
        parsed[list(stamps)] = pd.Series(list(stamps.values()), dtype="datetime64[us]").to_numpy()
    other = [index for index, value in enumerate(local) if value and index not in numbers and index not in stamps]
    if other:
        # utc=True only so that a zone the rule above leaves (a name it does not know) cannot fail the column.
        found_other = pd.to_datetime(pd.Series([local[i] for i in other]), errors="coerce", format="mixed", utc=True)
        parsed[other] = found_other.dt.tz_localize(None).astype("datetime64[us]").to_numpy()
    if numbers:
        keys = list(numbers)
        found_numeric = pd.to_datetime(
            pd.Series([local[i] for i in keys]), errors="coerce", format="mixed", dayfirst=bool(order.day_first)
        )
        parsed[keys] = found_numeric.astype("datetime64[us]").to_numpy()
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=2)
    outside = parsed.notna() & ((parsed < EARLIEST_DATE) | (parsed >= latest))
    parsed[outside] = pd.NaT
    text = [None if pd.isna(value) else value.strftime("%Y-%m-%d") for value in parsed]
    unreadable = {index for index, value in enumerate(local) if value and text[index] is None and not outside[index]}
    unclear: set[int] = set()
    against: set[int] = set()
    if order.day_first is None:  # "01/02/2025" could be either; "05/05/2025" is the same both ways
        unclear = {index for index, (one, two) in numbers.items() if one != two and max(one, two) <= 12}
    else:
        # "13/06/2025" in a column read month first (as told, or as most of its dates say) can only be day
        # first: pandas reads it so, and it is counted, so that a wrong order given is seen, not mixed silently.
        against = {index for index, (one, two) in numbers.items() if (two if order.day_first else one) > 12}
    of_value: list[tuple[str, ...]] = [()] * len(local)
    for label, indexes in (
        ("unparseable date", unreadable),
        ("date out of range", set(outside[outside].index)),
        (AMBIGUOUS_DATE, unclear),
        (DATE_AGAINST_ORDER, against - unreadable),
    ):
        for index in indexes:
            of_value[index] = (*of_value[index], label)
    return [None if code < 0 else text[code] for code in codes], [() if code < 0 else of_value[code] for code in codes]


# How review exports write a rating besides a plain number: "4/5", "4 out of 5", "4 stars", "★★★★☆", "4,5"
# (a decimal comma) and "four". Each is read as the number of stars it gives (the file's scale is found
# from the values, as for plain numbers). A fraction may say "stars" too, and write its scale with a zero
# fraction: Amazon writes "5.0 out of 5 stars", others "4/5 stars" or "4.0/5.0".
# The word "stars" may be a star sign ("5/5 ⭐", "3 ★"), the emoji with or without its variation selector.
_STAR_WORD = "(?:stars?|[★⭐]\ufe0f?)"
_RATING_OF = re.compile(
    rf"(\d+(?:[.,]\d+)?)\s*(?:(?:/|out\s+of)\s*(\d+)(?:[.,]0+)?(?:\s*{_STAR_WORD})?|{_STAR_WORD})", re.IGNORECASE
)
_STAR_SIGNS = "★⭐*"
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_RATING_WORDS = {
    word: float(number)
    for number, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    )
}


def rating_number(text: str) -> str:
    """A rating cell written another way than as a plain number, as the number it gives (else unchanged)."""
    found = _RATING_OF.fullmatch(text)
    if found:
        number, scale = found.group(1).replace(",", "."), found.group(2)
        if scale is not None and (int(scale) == 0 or float(number) > int(scale)):
            return text  # "5/0", "0/0", "6/5": no rating on any scale, counted as unreadable
        return number
    if text and all(ch in _STAR_SIGNS + "☆ \ufe0f" for ch in text):
        return str(sum(text.count(sign) for sign in _STAR_SIGNS))
    if _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    word = _RATING_WORDS.get(text.lower())
    return text if word is None else str(word)


def _rating_denominator(text: str) -> int | None:
    """The scale a rating written as a fraction gives ("4/5" 5, "8 out of 10" 10), else None."""
    found = _RATING_OF.fullmatch(text)
    denominator = found and found.group(2)
    return int(denominator) if denominator and int(denominator) > 0 else None


class RatingScale:
    """The scale a rating column's fractions are read on when the column writes more than one: "4/5" beside
    "8/10" reads 8/10 as 4 of 5, not as an 8 off a scale of 5.

    Decided once per column, on its first STREAM_CHUNK_ROWS rows (or, when those hold no fraction, the first
    chunk that does), so a file read whole and one streamed in chunks of that size decide alike: the scale
    of the column's plain numbers if it has any (the smallest of 5, 10 and 100 that holds 95% of them), else
    the denominator most of its fractions have. A column of one scale only is read as written.
    """

    def __init__(self) -> None:
        self.top: int | None = None

    def settle(self, denominators: Counter[int], plain: Sequence[float]) -> None:
        """Decide the scale from the fractions' ``denominators`` (counted by cell) and the ``plain`` numbers."""
        if self.top is not None or not denominators:
            return
        if plain:
            values = sorted(plain)
            near_top = values[min(len(values) - 1, int(0.95 * len(values)))]
            self.top = next((top for top in (5, 10, 100) if near_top <= top), 100)
        else:  # the most common; on a tie a usual scale, then the finer one
            self.top = max(denominators, key=lambda top: (denominators[top], top in (5, 10, 100), top))


def parse_ratings(column: pd.Series, invalid: Counter[str], scale: RatingScale | None = None) -> list[float | None]:
    """Each cell of a rating column as the stars it gives (:func:`rating_number`: "4/5", "★★★★", "four"),
    fractions of another scale rescaled to the column's ``scale``; None for a blank (or a marker of a missing
    value: "N/A", "-", "null" ...), an unreadable value or one outside RATING_RANGE, each counted in
    ``invalid``."""
    ratings, labels = _read_ratings(column, scale)
    _count_labels(labels, range(len(labels)), invalid)
    return ratings


def _read_ratings(
    column: pd.Series, scale: RatingScale | None = None
) -> tuple[list[float | None], list[tuple[str, ...]]]:
    """Each cell of a rating column as :func:`parse_ratings` reads it, and each cell's labels for what could
    not be read or was rescaled; the caller counts only the rows it keeps."""
    raw = column.map(clean_cell).map(_unless_missing_marker)
    counts = raw.value_counts()  # a column repeats a few values: each is read once
    readings = {value: rating_number(value) for value in counts.index}
    # The fractions ("4/5", "8 out of 10") that give a rating: value -> its scale.
    fractions = {
        value: scale_of
        for value in readings
        if (scale_of := _rating_denominator(str(value))) is not None and _NUMBER.fullmatch(readings[value])
    }
    if scale is not None and fractions and scale.top is None:
        # Settled on the first chunk's worth of rows, so a file read whole and one streamed settle alike.
        first = raw.head(STREAM_CHUNK_ROWS)
        if not any(value in fractions for value in first.unique()):
            first = raw
        denominators: Counter[int] = Counter()
        plain: list[float] = []
        for value, count in first.value_counts().items():
            if value in fractions:
                denominators[fractions[value]] += int(count)
            elif _NUMBER.fullmatch(readings[value]) and RATING_RANGE[0] <= float(readings[value]) <= RATING_RANGE[1]:
                # A number off every scale ("101") is counted out of range below; it must not choose the
                # scale of the others ("4/5" read as 80 of 100 beside a plain "4").
                plain += [float(readings[value])] * int(count)
        scale.settle(denominators, plain)
    top = None if scale is None else scale.top
    of_value: dict[str, tuple[str, ...]] = {}
    for value, scale_of in fractions.items():
        if top is not None and scale_of != top:
            readings[value] = repr(float(readings[value]) * top / scale_of)
            of_value[value] = (RESCALED_RATING,)
    numbers = pd.to_numeric(pd.Series(list(readings.values()), dtype=object).replace("", None), errors="coerce")
    ratings: dict[str, float | None] = {"": None}
    for (value, reading), number in zip(readings.items(), numbers, strict=True):
        if pd.isna(number):
            ratings[value] = None
            if reading:
                of_value[value] = (*of_value.get(value, ()), "non-numeric rating")
        elif not math.isfinite(float(number)) or not RATING_RANGE[0] <= float(number) <= RATING_RANGE[1]:
            ratings[value] = None
            of_value[value] = (*of_value.get(value, ()), "rating out of range")
        else:
            ratings[value] = float(number)
    return [ratings[value] for value in raw], [of_value.get(value, ()) for value in raw]


# What exports write in a cell with no value: pandas reads these as missing in a workbook, and in a CSV they
# are no rating and no date either, only written out. A review's text is read as written ("NA" may be one).
_MISSING_MARKERS = frozenset(
    {"n/a", "na", "#n/a", "#na", "n.a.", "nan", "null", "none", "nil", "-", "--", "—", "?", "<na>", "nat"}
)


def _unless_missing_marker(cell: str) -> str:
    """A date or rating cell as read, "" when it is a marker of a missing value ("N/A", "-", "null")."""
    return "" if cell.lower() in _MISSING_MARKERS else cell


_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n+")
# A contrast starts a clause: the cut goes before its word, taking the space (and comma) before it. Not
# right after "nothing", "anything", "all", "everything" ("nothing but praise") or "as" ("as though"), nor at
# "but also" ("not only … but also") or an aside's "though," ("Filled with suits, though, so …").
# "However" mostly sits inside a clause ("The dim sum however was very good"), so it is not cut at.
_CONTRAST = re.compile(r"\b(?:but(?!\s+also\b)|although|(?:even\s+)?though(?!\s*,)|whereas)\b", re.IGNORECASE)
_NOT_BEFORE_CONTRAST = frozenset({"nothing", "anything", "all", "everything", "as"})
_WORDS = re.compile(r"\w+")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "approx", "no", "jr", "sr", "inc"}
)


# Words that nearly every English text of a few words holds and that no other language of the Latin alphabet
# uses as a common word ("a", "in", "on", "was", "we", "is", "i", "me", "to", "of", "for", "so", "will" and
# "just" are common words of Spanish, German, French, Italian, Dutch, Polish or the Nordic languages too).
# Of the reviews of four words or more, 0.90 or more of every English dataset at hand hold one (README,
# Known limits) and none of the reviews in other languages the tests hold.
_ENGLISH_WORDS = frozenset(
    {"the", "and", "this", "that", "with", "you", "they", "are", "were", "have", "not", "but", "very", "my"}
    | {"it", "our", "your", "be", "been", "would", "what", "when", "there"}
)
# Common words of the other languages reviews come in most (Spanish, French, German, Italian, Portuguese,
# Dutch, Polish, the Scandinavian languages, Turkish, Indonesian) that are not English words: a customer's
# short English review ("Friendly baristas, always smiling.") need hold none of the English ones above,
# but a review in one of these languages holds some of these.
_OTHER_LANGUAGE_WORDS = frozenset(
    {"el", "la", "los", "las", "del", "que", "y", "es", "por", "para", "con", "una", "muy", "pero", "fue"}
    | {"está", "nada", "lo", "se", "su", "como", "más", "le", "les", "des", "est", "et", "une", "pour"}
    | {"avec", "pas", "je", "mais", "ce", "cette", "était", "très", "du", "au", "aux", "sur", "qui", "nous"}
    | {"vous", "il", "elle", "sont", "dans", "der", "das", "und", "ist", "nicht", "mit", "ich", "sehr"}
    | {"ein", "eine", "zu", "auf", "für", "dem", "sie", "wir", "aber", "auch", "kein", "di", "che", "non"}
    | {"per", "gli", "della", "sono", "molto", "questo", "era", "ed", "anche", "ho", "nel", "os", "uma"}
    | {"não", "muito", "foi", "são", "mas", "meu", "minha", "aos", "da", "dos", "ao", "het", "een", "niet"}
    | {"en", "ik", "zijn", "voor", "maar", "ook", "geen", "jest", "nie", "się", "na", "że", "jak", "bardzo"}
    | {"był", "było", "och", "det", "är", "att", "jag", "inte", "og", "ikke", "jeg", "på", "som", "ve"}
    | {"bir", "bu", "çok", "için", "ile", "değil", "yang", "ini", "itu", "tidak", "saya", "sangat", "de"}
    # and the words ad copy promises with ("never", "always", "all", "our", "no"), which copy in those
    # languages holds where its reviews hold the words above: "Keine versteckten Gebühren, niemals."
    | {"keine", "keinen", "unser", "unsere", "unseren", "aller", "alle", "niemals", "immer", "oder", "nur"}
    | {"bei", "zum", "zur", "vom", "wird", "sind", "jetzt", "mehr", "ihre", "ihr", "nunca", "siempre"}
    | {"nuestro", "nuestra", "nuestros", "todos", "jamais", "toujours", "notre", "tous", "sempre", "mai"}
    | {"nostro", "nostri", "tutti", "nosso", "nossa", "altijd", "nooit", "onze"}
    | {"im", "von", "bis", "ganz", "nach", "über", "noch"}
    # and the words of the promises copy makes most ("free", "delivery"), none of them an English word
    | {"kostenlos", "kostenlose", "kostenloser", "kostenlosen", "versand", "lieferung", "gratuit", "gratuite"}
    | {"livraison", "envío", "gratuito", "gratuita", "entrega", "spedizione", "frete", "grátis"}
)
_LETTER_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
ENGLISH_SAMPLE = 2_000  # texts read, evenly spaced: the share is steady long before, and cost stays flat
ENGLISH_MIN_WORDS = 4  # a shorter text ("Great food!") is too short to tell
# A text of at least this many letters, most of them outside the Latin alphabet (Cyrillic, Greek, Arabic,
# Chinese, Japanese …), is in another language whatever its word count (Chinese and Japanese use no spaces).
SCRIPT_MIN_LETTERS = 10


def english_share(texts: Sequence[str]) -> tuple[float, int]:
    """The share of ``texts`` (up to ENGLISH_SAMPLE of them, evenly spaced) long enough to tell that do not
    read as another language, and how many such texts were read.

    A text reads as another language when most of its letters are outside the Latin alphabet, or when it
    holds more of the common words of another language (``_OTHER_LANGUAGE_WORDS``) than of English's. A
    text with neither ("Wifi kept dropping all afternoon.") counts as English: telegraphic English is what
    customers write, and the warning is for a dataset in another language.

    Why: the models are English only (en_core_web_sm, all-MiniLM-L6-v2, and a stance head trained on
    English), so on reviews in another language every match and stance is noise, and nothing would
    otherwise say so (:func:`alignment.pipeline.language_note`). (1.0, 0) when no text is long enough to tell.
    """
    step = max(1, -(-len(texts) // ENGLISH_SAMPLE))
    read = other = 0
    for text in texts[::step]:
        reading = read_language(text)
        read += reading is not None
        other += reading is False
    return ((read - other) / read if read else 1.0), read


def count_language_words(text: str) -> tuple[int, int]:
    """How many of ``text``'s words are common words of another language, and how many of English
    (``_OTHER_LANGUAGE_WORDS``, ``_ENGLISH_WORDS``)."""
    words = [word.lower() for word in _LETTER_WORDS.findall(text)]
    return sum(word in _OTHER_LANGUAGE_WORDS for word in words), sum(word in _ENGLISH_WORDS for word in words)


def read_language(text: str, strict: bool = False) -> bool | None:
    """Whether ``text`` reads as English (True), as another language (False), or is too short to tell (None),
    by the rule :func:`english_share` describes. ``strict`` (for ad copy, whose short telegraphic English
    holds few common words: "Unlimited data for $30 per month" holds Italian's "per" and none of English's)
    asks for three words of another language ("Crème de la crème" holds two), and more than twice as many as
    of English, and reads as English only a text that holds a common English word."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= SCRIPT_MIN_LETTERS and sum(ch < "\u0250" for ch in letters) * 2 < len(letters):
        return False
    words = [word.lower() for word in _LETTER_WORDS.findall(text)]
    if len(words) < ENGLISH_MIN_WORDS:
        return None
    foreign, english = count_language_words(text)
    if strict:
        if foreign >= 3 and foreign > 2 * english:
            return False
        return True if english else None  # no common word of either: telegraphic copy in any language
    return foreign <= english


def split_sentences(reviews: Sequence[Review], repeats: Counter[str] | None = None) -> list[Sentence]:
    """Split each review into sentences with a fast rule-based splitter (no parser).

    Boundaries are runs of . ! ? … followed by space, and line breaks; common abbreviations do not
    end a sentence. A sentence that turns on a contrast ("Great food, but the service was slow") is split
    into its clauses (:func:`split_clauses`), each of them a sentence here. Sentences longer than
    MAX_SENTENCE_CHARS are cut at a space, because the embedder reads only the first few hundred word
    pieces anyway. A sentence a review repeats (ignoring case and spacing) is kept once, and counted in
    ``repeats`` when given, as is a review of over LONG_REVIEW_SENTENCES sentences.
    """
    sentences: list[Sentence] = []
    for index, review in enumerate(reviews):
        said: set[str] = set()
        for start, end in split_spans(review.text):
            text = review.text[start:end]
            # The same sentence said again in one review is one piece of evidence, not many: a review
            # pasting "Calls drop constantly." 10,000 times must not outweigh 10,000 customers.
            key = " ".join(text.casefold().split())
            if key in said:
                if repeats is not None:
                    repeats[REPEATED_SENTENCE] += 1
                continue
            said.add(key)
            sentences.append(Sentence(review_index=index, text=text, start=start, end=end))
        if repeats is not None and len(said) > LONG_REVIEW_SENTENCES:
            repeats[LONG_REVIEW] += 1
    return sentences


def split_spans(text: str, clauses: bool = True) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences in ``text``, trimmed of surrounding space; with
    ``clauses`` (the default, how a check reads a review) a sentence that turns on a contrast gives its
    clauses instead (:func:`split_clauses`)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.end()
        if text[boundary.start()] == "." and _ends_with_abbreviation(text, boundary.start()):
            continue
        spans.extend(_trimmed(text, start, end))
        start = end
    spans.extend(_trimmed(text, start, len(text)))
    if not clauses:
        return spans
    return [clause for span in spans for clause in split_clauses(text, *span)]


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut the sentence ``text[start:end]`` before each contrast ("…, but", "although", "though",
    "whereas") that has at least two words on either side.

    Why: customers praise one thing and fault another in one sentence ("Great food, but the service was
    slow"), and a sentence vector carries both, so each claim it matched read the same side. Cut, the
    food claim reads the praise and the service claim the complaint, each clause read without the one
    across the contrast (:func:`alignment.stance.context_windows`). On the project's own mixed test texts
    (data/stance_test_mixed_*.jsonl, never trained on) the two together lifted polar accuracy 0.675 →
    0.727 (README, Quality).
    """
    clauses: list[tuple[int, int]] = []
    for contrast in _CONTRAST.finditer(text, start, end):
        cut = contrast.start()
        while cut > start and text[cut - 1].isspace():
            cut -= 1
        if cut == contrast.start():  # the word opens the clause already, or is glued to the one before
            continue
        comma = cut > start and text[cut - 1] == ","
        if comma:  # the clause before ends at its last word, as a sentence does
            cut -= 1
            while cut > start and text[cut - 1].isspace():
                cut -= 1
        before = _WORDS.findall(text, start, cut)
        if len(before) < 2 or (not comma and before[-1].lower() in _NOT_BEFORE_CONTRAST):
            continue
        if len(_WORDS.findall(text, contrast.start(), end)) < 2:
            continue
        clauses.append((start, cut))
        start = contrast.start()
    clauses.append((start, end))
    return clauses


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True for "Dr." or dotted forms like "p.m." / "e.g." ending at ``dot``."""
    word = re.search(r"(?<![A-Za-z.])([A-Za-z.]+)$", text[max(0, dot - 8) : dot])
    if not word:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return []
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    pieces.append((start, end))
    return pieces


def docx_text(data: bytes, filename: str) -> str:
    """The text of a Word document (.docx): each non-empty paragraph and each table cell a block of its own,
    in the order the document holds them (blocks separated by blank lines, so each is an ad).

    Raises:
        UnreadableFileError: the file is not a Word document, or is damaged.
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError and lxml errors alike
        raise UnreadableFileError(f"Could not read {filename} as a Word document: it may be damaged.") from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    for element in document.element.body.iterchildren():
        # The body holds paragraphs and tables in the document's order (document.paragraphs and .tables apart
        # would put every table after every paragraph, and a footnote before the cells it follows).
        if element.tag.endswith("}p"):
            blocks.append(Paragraph(element, document).text.strip())
        elif element.tag.endswith("}tbl"):
            for row in Table(element, document).rows:
                blocks.extend(cell.text.strip() for cell in row.cells)
    return "\n\n".join(block for block in blocks if block)


def read_ads(
    path: str | Path, id_column: str | None = None, text_column: str | None = None, notes: list[str] | None = None
) -> list[Ad]:
    """Read ad copy: a .txt/.md/.html file of ads separated by blank lines, or a table with id and text columns.

    A .md file is read as its words (:func:`markdown_text`: "No *hidden* fees" is "No hidden fees"), as the
    app reads one; the ads hold the text as read, so the claims' offsets point into it.

    In a table, a row without copy is skipped and a blank id numbered ("ad3", by the row); what was skipped
    is said, one line each, in ``notes`` when a list is given, for the caller to show.

    Raises:
        InputError: the file is missing, unreadable, lacks the columns, or holds no ad text; or a table gives
            one id to two ads (:func:`refuse_repeated_ad_ids`).
    """
    if not isinstance(path, (str, Path)):
        raise InputError(
            f"read_ads takes the path of a file of ad copy, not {type(path).__name__}; to check copy you have as "
            "text, give it to check() as ads=."
        )
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"File not found: {path}. Check the path and try again.")
    suffix = path.suffix.lower()
    if suffix not in AD_TEXT_SUFFIXES + TABLE_SUFFIXES + (".docx",):
        raise UnreadableFileError(
            f"Unsupported file type {suffix!r} for {path.name}: give ad copy as "
            f"{', '.join(s for s in AD_TEXT_SUFFIXES if s)} text or a .docx Word document, or as a table "
            f"({', '.join(TABLE_SUFFIXES)})."
        )
    if suffix == ".docx":  # as the app reads an uploaded one: each paragraph an ad
        if path.is_dir():
            raise UnreadableFileError(f"{path} is a folder, not a file. Give the path of the ad copy.")
        ads = parse_ads_text(docx_text(path.read_bytes(), path.name))
    elif suffix in AD_TEXT_SUFFIXES:
        if path.is_dir():
            raise UnreadableFileError(f"{path} is a folder, not a file. Give the path of the ad copy.")
        text = decode_bytes(path.read_bytes())
        if looks_binary(text):
            raise UnreadableFileError(
                f"{path.name} looks like a binary file, not text. Save the copy as plain text, Markdown or HTML."
            )
        text = text.replace("\x00", "")
        if suffix == ".md":  # read as the app reads an uploaded .md: the words, not the markers
            text = markdown_text(text.replace("\r\n", "\n").replace("\r", "\n"))
        ads = parse_ads_text(text)
    else:
        frame = read_table(path, expected=[text_column or "text", id_column or "id"])
        columns = [str(column) for column in frame.columns]
        # Named as a review column is: "Copy" finds "copy", whatever the case and spacing.
        text_name = _column_named(text_column or "text", columns) or "text"
        if text_name not in frame.columns:
            raise MissingColumnError(
                f"{path.name} has no {text_name!r} column. The columns are: {list_columns(list(frame.columns))}. "
                "Name the ad text column with --text-column."
            )
        id_name = _column_named(id_column or "id", columns) or "id"
        if id_column and id_name not in frame.columns:
            raise MissingColumnError(
                f"{path.name} has no {id_name!r} column. The columns are: {list_columns(list(frame.columns))}."
            )
        given = [_label_cell(v) for v in frame[id_name].tolist()] if id_name in frame.columns else [""] * len(frame)
        texts = [ad_copy_text(clean_cell(text)) for text in frame[text_name].tolist()]
        numbers = _data_row_numbers(len(frame), frame.attrs.get("skipped_row_numbers", ()))
        kept = [position for position, text in enumerate(texts) if text]
        refuse_repeated_ad_ids(
            [(given[position], numbers[position]) for position in kept],
            f"{path.name} gives",
            f"Give each ad its own id in column {id_name!r}, or leave an id blank to have the ad numbered.",
        )
        ids = _numbered_ids(given, [f"ad{position + 1}" for position in range(len(frame))])
        ads = [Ad(ad_id=ids[position], text=texts[position]) for position in kept]
        if notes is not None:
            notes.extend(_ads_table_notes(path.name, frame, [numbers[p] for p, text in enumerate(texts) if not text]))
    if not ads:
        raise EmptyDatasetError(f"{path.name} holds no ad copy. Put each ad in the file, separated by blank lines.")
    return ads


def _data_row_numbers(count: int, skipped: Iterable[int]) -> list[int]:
    """The data-row numbers (from 1, under the header) of a table's ``count`` rows, the numbers of the rows
    the reader ``skipped`` (malformed) passed over, as :class:`RowValidator` numbers reviews."""
    taken = set(skipped)
    numbers: list[int] = []
    number = 0
    for _ in range(count):
        number += 1
        while number in taken:
            number += 1
        numbers.append(number)
    return numbers


def _numbered_ids(given: Sequence[str], fallback: Sequence[str]) -> list[str]:
    """Each row's id: the one ``given``, else its ``fallback`` ("ad3"), made unique (".1", ".2" ...) where a
    given id already holds that name, so a blank id never comes to repeat a real one."""
    taken = {ad_id for ad_id in given if ad_id}
    ids = []
    for ad_id, spare in zip(given, fallback, strict=True):
        if not ad_id:
            ad_id, count = spare, 0
            while ad_id in taken:
                count += 1
                ad_id = f"{spare}.{count}"
            taken.add(ad_id)
        ids.append(ad_id)
    return ids


def refuse_repeated_ad_ids(rows: Iterable[tuple[str, int]], who: str, fix: str, unit: str = "data rows") -> None:
    """Refuse ads that share an id: a report names each ad's claims by its id, so two ads of one id would
    mix their claims and their offsets. ``rows`` are (id, number) of the ads with copy (a blank id is
    numbered, never repeated); ``who`` starts the message ("ads.csv gives"), ``unit`` names the numbers
    ("data rows", "positions") and ``fix`` ends it.

    Raises:
        InputError: an id is given to two ads or more; the message names it, where, and how many others.
    """
    rows_of: dict[str, list[int]] = {}
    for ad_id, number in rows:
        if ad_id:
            rows_of.setdefault(ad_id, []).append(number)
    repeated = [(ad_id, numbers) for ad_id, numbers in rows_of.items() if len(numbers) > 1]
    if not repeated:
        return
    ad_id, numbers = repeated[0]
    others = f" ({len(repeated) - 1:,} other id{'s' if len(repeated) > 2 else ''} too)" if len(repeated) > 1 else ""
    raise InputError(f"{who} the id {ad_id!r} to more than one ad ({unit} {_number_list(numbers)}){others}. {fix}")


def _number_list(numbers: Sequence[int], shown: int = 5) -> str:
    """Numbers for a message: "2", "1 and 3", "1, 3 and 5", past ``shown`` "1, 2, 3, 4, 5 and 7 more"."""
    if len(numbers) > shown:
        return f"{', '.join(map(str, numbers[:shown]))} and {len(numbers) - shown:,} more"
    if len(numbers) == 1:
        return str(numbers[0])
    return f"{', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _ads_table_notes(name: str, frame: pd.DataFrame, blank: Sequence[int]) -> list[str]:
    """What reading a table of ads passed over: rows without copy (by data-row number), and rows the reader
    could not read (malformed CSV rows, lines that are not JSON)."""
    notes = []
    if blank:
        several = len(blank) != 1
        notes.append(
            f"{name}: skipped {len(blank):,} row{'s' if several else ''} with no ad copy "
            f"(data row{'s' if several else ''} {_number_list(blank)})."
        )
    unread = int(frame.attrs.get("malformed_rows", 0)) + int(frame.attrs.get("bad_lines", 0))
    if unread:
        notes.append(
            f"{name}: skipped {unread:,} row{'s' if unread != 1 else ''} that could not be read (more fields "
            "than the header, or a line that is not a JSON object)."
        )
    return notes


def parse_ads_text(text: str) -> list[Ad]:
    """Split plain text into ads at blank lines; ads are numbered ad1, ad2, ... Copy pasted as HTML source
    is read as the text a browser shows (:func:`html_text`), each block element an ad; in plain text, the
    character references HTML writes ("&amp;", "&nbsp;", "&#39;") are read as the characters they stand for
    (:func:`decode_references`)."""
    text = html_text(text) if looks_like_html(text) else decode_references(text)
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))]
    return [Ad(ad_id=f"ad{i + 1}", text=block) for i, block in enumerate(b for b in blocks if b)]


_MARKDOWN = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # an image: its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # a link: its words
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis with *
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # emphasis with _
    (re.compile(r"`([^`]*)`"), r"\1"),  # code
    (re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+)", re.M), ""),  # heading, quote, list marker
)


def markdown_text(text: str) -> str:
    """Markdown copy as the words a reader sees: "Answers **24/7**" is "Answers 24/7", so the markers
    neither cut a claim in two nor stand in its text. Lines end at "\n" (a heading or a list item is known
    by its line's start), as :func:`read_ads` and the app's upload give it."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


def ad_copy_text(text: str) -> str:
    """One ad's copy, given as one (a list's item, a table's cell), as a reader sees it, stripped: an HTML
    fragment as the text a browser shows (:func:`html_text`, its blocks kept in the one ad, a blank line
    apart), plain text with its character references decoded (:func:`decode_references`). Read as
    :func:`parse_ads_text` reads a string of copy, but never split into several ads."""
    return (html_text(text) if looks_like_html(text) else decode_references(text)).strip()


# A character reference HTML writes, closed by its ";": "&amp;", "&nbsp;", "&#39;", "&#x2019;". A bare "&"
# ("AT&T", "R&D", "Q&A") is not one, nor a name HTML does not define ("&T;").
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# What a browser shows of the invisible characters html_text also reads so: a no-break space is a space, a
# soft hyphen and a zero-width space nothing.
_SHOWN_AS = {"\xa0": " ", "\xad": "", "\u200b": ""}


def decode_references(text: str) -> str:
    """Plain-text copy with each HTML character reference that ends with ";" read as its character ("home
    &amp; auto" is "home & auto", "&#x2019;" is "’", "&nbsp;" a space), as copy taken from a page's source
    writes them; a bare ampersand ("AT&T", "R&D") and an undefined name ("&T;") stay as written."""
    if "&" not in text:
        return text

    def character(found: re.Match[str]) -> str:
        reference = found.group(0)
        if reference[1] != "#" and reference[1:] not in html.entities.html5:
            return reference
        decoded = html.unescape(reference)
        return _SHOWN_AS.get(decoded, decoded)

    return _CHARACTER_REFERENCE.sub(character, text)


def coerce_ads(ads: str | Sequence[str] | pd.DataFrame | Sequence[Ad]) -> list[Ad]:
    """Turn a string, a list of strings or Ads, or a DataFrame with a text column into Ads.

    Raises:
        InputError: the value is of another type, or a DataFrame lacks a ``text`` column.
    """
    if isinstance(ads, str):
        result = parse_ads_text(ads)
    elif isinstance(ads, pd.DataFrame):
        if "text" not in ads.columns:
            columns = [str(column) for column in ads.columns]
            guess = next((c for c in columns if _name_key(c) in {"copy", "ad_copy", "ad_text", "body", "ad"}), None)
            example = guess or (columns[-1] if columns else "Copy")
            raise MissingColumnError(
                f"The ads DataFrame needs a 'text' column; it has: {', '.join(columns)}. Name the copy's column "
                f"so: ads.rename(columns={{{example!r}: 'text'}}) (an 'id' column names each ad)."
            )
        given = [_label_cell(v) for v in ads["id"].tolist()] if "id" in ads.columns else [""] * len(ads)
        texts = [ad_copy_text(clean_cell(text)) for text in ads["text"].tolist()]
        refuse_repeated_ad_ids(
            [(ad_id, position) for position, (ad_id, text) in enumerate(zip(given, texts, strict=True)) if text],
            "The ads DataFrame gives",
            "Give each ad its own id, or leave an id empty to have the ad numbered.",
            unit="positions",
        )
        ids = _numbered_ids(given, [f"ad{i + 1}" for i in range(len(ads))])  # a missing id is numbered
        result = [Ad(ad_id=ad_id, text=text) for ad_id, text in zip(ids, texts, strict=True)]
    elif isinstance(ads, Sequence) and all(isinstance(item, (str, Ad)) for item in ads):
        result = [
            item if isinstance(item, Ad) else Ad(ad_id=f"ad{i + 1}", text=ad_copy_text(str(item)))
            for i, item in enumerate(ads)
        ]
        refuse_repeated_ad_ids(
            [(ad.ad_id, position) for position, ad in enumerate(result) if ad.text],
            "The list of ads gives",
            "Give each Ad its own ad_id.",
            unit="positions",
        )
    else:
        raise InputError(
            f"ads must be a string, a list of strings or a DataFrame with a 'text' column, not {type(ads).__name__}."
        )
    return [ad for ad in result if ad.text]


# Block elements end a paragraph of the page (each becomes an ad); a line break ends a line within one. A
# table's row is one paragraph, its cells side by side.
_HTML_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "li", "ul", "ol", "dl", "dt", "dd"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "figure", "figcaption", "form", "hr"}
    | {"body", "html", "pre", "address", "caption", "details", "summary", "fieldset", "legend"}
)
# Elements that stand apart from their neighbours without starting a paragraph ("Buy now" "Learn more").
_HTML_SPACED = frozenset({"td", "th", "button", "option", "label", "input", "select", "textarea"})
# Never shown as text: code, styles, the page's title, menus. The head itself is not listed: HTML5 lets a
# page leave out its "</head>", and its only text is the title.
_HTML_HIDDEN = frozenset({"script", "style", "title", "noscript", "template", "svg", "nav", "iframe", "object"})
_HTML_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
_HTML_DESCRIPTIONS = frozenset({"description", "og:description", "twitter:description"})
_INLINE_EDGE = "\x00"  # marks where an inline element opened or closed, until html_text decides on a space
_SUP_OPEN, _SUP_CLOSE = "\x01", "\x02"  # a superscript's edges: cents ("$39<sup>99</sup>") or a footnote mark
_STYLE_OPEN, _STYLE_CLOSE = "\x03", "\x04"  # a formatting element's edges: it may style part of a word
# Elements that only change how text looks. Pages wrap part of a word in one ("Pay<b>Pal</b>",
# "<b>Un</b>limited"); a link, a label or a badge of its own is another element.
_HTML_FORMATTING = frozenset({"b", "strong", "i", "em", "span", "u", "mark", "small", "font"})
_SUPERSCRIPT = re.compile(r"\x01([^\x01\x02]*)\x02")
_EDGE_MARKS = re.compile("[\x00-\x04]")  # every element-edge marker above
_EDGE_RUN = re.compile("([\x00-\x04]+)")  # the edges met between two pieces of text, kept by re.split
# Every marker but a superscript's: the cents must follow the price's digits themselves, so in
# "$39<sup>99</sup><sup>1</sup>" the "1" after the closed "99" is a footnote, not more cents.
_NOT_SUP_MARKS = re.compile("[\x00\x03\x04]")
_PRICE_BEFORE = re.compile(r"[$£€][\s\x00-\x04]*\d+$")
# A unit of length a superscript 2 or 3 raises to an area or a volume ("50 m<sup>2</sup>", "£9/ft<sup>2</sup>"):
# a unit standing alone, not the end of a word ("team", "loft", "I'm"); "in" only after a number, being
# also a word ("12 in<sup>2</sup>", but "Made in<sup>2</sup>" is a footnote).
_UNIT_OF_LENGTH = re.compile(r"(?:(?<![^\W\d_'’])(?:mm|cm|km|m|ft)|\d ?in)$")
_POWERS = {"2": "²", "3": "³"}
_MARK = re.compile(r"[*†‡§¶#]+|[¹²³⁰-⁹]+")
_NUMBERED_MARK = re.compile(r"\d{1,2}(?:\s*,\s*\d{1,2})*")
# Where two inline elements meet (and no word runs through the edge, see _within_word): a space after a
# sentence's or a clause's end, or between a word and a number or price ("data</b><b>5G", "Only</b><b>$25");
# a line break between a word and a capitalised word ("Free returns</b><b>Open late": two items side by
# side, as a page lays out badges). Not after a lone letter: "<b>i</b><b>Phone</b>" is one word.
_SPACE_BETWEEN = re.compile(r"[.!?,;:][^\W\d_]|[a-z][\d$£€]")
_LINE_BETWEEN = re.compile(r"[^\W\d_]{2}[A-Z][a-z]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Copy reads as HTML source when it holds two tags of the usual elements, or one with a closing tag: ad copy
# itself never writes "<p>", and "<3" or "x < y" are not tags.
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|br|a|b|i|em|strong|u|li|ul|ol|h[1-6]|img|section|article|table|tr|td|th|html|body|head"
    r"|header|footer|blockquote|font|sup|sub|small|button|meta|title|script|style|label|nav)\b[^<>]*>",
    re.IGNORECASE,
)
_HTML_BLOCK_TAG = re.compile(r"<(?:p|div|br|li|h[1-6]|tr|table|section|article|body|html)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when ``text`` is HTML source rather than copy: two tags of the usual elements, or one closed."""
    tags = _HTML_TAG.findall(text[:100_000])
    return len(tags) >= 2 or any(tag.startswith("</") for tag in tags)


class _TextOfHtml(html.parser.HTMLParser):
    """Collects the text a browser shows: block elements become blank lines, ``<br>`` a line break, an
    image its alt text; scripts, styles, the title, menus and elements marked hidden are left out, and
    entities are decoded. The page's description (``<meta name="description">``, Open Graph's, Twitter's)
    is kept apart in ``descriptions``: search results and shared links show it as copy. ``blank_lines``:
    a blank line in the source parts two ads too (copy typed as text with a tag or two in it, not a page)."""

    def __init__(self, blank_lines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.blank_lines = blank_lines
        self.hidden: list[str] = []  # the open elements that hide what they hold, innermost last
        self.descriptions: list[str] = []  # the page's own summary, <meta name="description" content="…">

    def _end_hidden_paragraph(self, tag: str, opening: bool) -> None:
        """HTML ends a paragraph without its "</p>" where a block opens or its parent closes: a hidden
        ``<p hidden>`` so ended must not hide the rest of the page."""
        if self.hidden and self.hidden[-1] == "p" and tag in _HTML_BLOCKS and (opening or tag != "p"):
            while self.hidden and self.hidden[-1] == "p":
                self.hidden.pop()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        self._end_hidden_paragraph(tag, opening=True)
        if tag == "meta":
            if self.hidden:
                return
            kind = (given.get("name") or given.get("property") or "").strip().lower()
            if kind in _HTML_DESCRIPTIONS and (given.get("content") or "").strip():
                self.descriptions.append(re.sub(r"\s+", " ", given.get("content") or "").strip())
            return
        if not self.hidden and tag not in _HTML_BLOCKS and tag not in _HTML_SPACED and tag != "br":
            # Where two inline elements meet, a space may be needed (decided by _join_inline_edges).
            self.parts.append(_edge_mark(tag, opening=True))
        if tag not in _HTML_VOID and (
            tag in _HTML_HIDDEN or "hidden" in given or _HIDDEN_STYLE.search(given.get("style") or "")
        ):
            self.hidden.append(tag)
        elif self.hidden:
            if tag == self.hidden[-1]:
                self.hidden.append(tag)  # the same element nested inside the hidden one
        elif tag in _HTML_BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _HTML_SPACED:
            self.parts.append(" ")
        elif tag == "img" and (given.get("alt") or "").strip():
            self.parts.append(f" {(given.get('alt') or '').strip()} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_VOID:  # "<div/>" opens nothing to close
            if not self.hidden and tag in _HTML_BLOCKS:
                self.parts.append("\n\n")
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._end_hidden_paragraph(tag, opening=False)
        if self.hidden:
            if tag == self.hidden[-1] or (tag in _HTML_HIDDEN and tag in self.hidden):
                while self.hidden and self.hidden.pop() != tag:
                    pass
        elif tag in _HTML_BLOCKS:
            self.parts.append("\n\n")
        elif tag in _HTML_SPACED:
            self.parts.append(" ")
        else:
            self.parts.append(_edge_mark(tag, opening=False))

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        data = _EDGE_MARKS.sub("", data)  # the markers of element edges are never text
        if self.blank_lines:
            paragraphs = re.split(r"[ \t]*\r?\n[ \t\r]*\n\s*", data)
            self.parts.append("\n\n".join(re.sub(r"\s+", " ", part) for part in paragraphs))
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def _edge_mark(tag: str, opening: bool) -> str:
    """The marker of an inline element's edge: a superscript's and a formatting element's are told apart."""
    if tag == "sup":
        return _SUP_OPEN if opening else _SUP_CLOSE
    if tag in _HTML_FORMATTING:
        return _STYLE_OPEN if opening else _STYLE_CLOSE
    return _INLINE_EDGE


def _within_word(edges: str, before: str, after: str) -> bool:
    """True when the element edges ``edges`` between the text ``before`` and ``after`` cut a word, as a
    browser shows it whole: letters touch on both sides, every edge is a formatting element's, and the
    element holds that part of the word alone ("Pay<b>Pal</b>", "<b>Un</b>limited", "i<b>Phone</b>").

    Not a word: two elements side by side (a close then an open, "<b>Free returns</b><b>Open late</b>"),
    often laid out apart as badges; a link's or another element's edge ("<a>Plans</a>"); an element that
    holds words ("<span>Free returns</span>Open late"): a part of a word held alone has no space in it."""
    if not (before[-1:].isalpha() and after[:1].isalpha()):
        return False
    if edges.strip(_STYLE_OPEN + _STYLE_CLOSE) or _STYLE_CLOSE + _STYLE_OPEN in edges:
        return False
    held = (before if _STYLE_CLOSE in edges else "") + (after if _STYLE_OPEN in edges else "")
    return not any(ch.isspace() for ch in held)


def _join_inline_edges(text: str) -> str:
    """Where inline elements meet with nothing between them, what a reader sees between what they hold: a
    superscript after a price is its cents ("$39<sup>99</sup>" is $39.99), after a unit of length its power
    ("m<sup>2</sup>" is m²), and a footnote mark after a word is left out ("data<sup>1</sup>"); nothing
    inside a word ("Pay<b>Pal</b>", "<b>Un</b>limited", "i<b>Phone</b>") or a price ("<sup>$</sup>9"); a
    space or a line break where words a reader sees apart would run together ("returns.</span><span>Open",
    "data</b><b>5G")."""
    text = _SUPERSCRIPT.sub(_read_superscript, text)
    parts = _EDGE_RUN.split(text)  # text, edges, text, edges, ..., text
    joined = parts[0]
    for at in range(1, len(parts), 2):
        before, edges, after = parts[at - 1], parts[at], parts[at + 1]
        if before and after and not _within_word(edges, before, after):
            if _SPACE_BETWEEN.search(before[-1:] + after[:1]):
                joined += " "
            elif _LINE_BETWEEN.fullmatch(before[-2:] + after[:2]):
                joined += "\n"
        joined += after
    return joined


def _read_superscript(found: re.Match[str]) -> str:
    """What a superscript adds to the copy: a price's cents (".99" after "$39"), the power of a unit of
    length ("²" after "50 m"), nothing for a footnote mark ("*", "†", or a number after a word, a price or
    "24/7": "fees<sup>1</sup>", "$39.99<sup>1</sup>"), else its text ("1<sup>st</sup>"), between element
    edges."""
    inner = _EDGE_MARKS.sub("", found.group(1)).strip()
    before = found.string[max(0, found.start() - 40) : found.start()]
    visible = _EDGE_MARKS.sub("", before).rstrip()
    if re.fullmatch(r"\d{2}", inner) and _PRICE_BEFORE.search(_NOT_SUP_MARKS.sub("", before)):
        return "." + inner
    # Checked before footnote marks: "50 m<sup>2</sup>" is an area, not a note on "m". The unit touches the
    # superscript ("m <sup>2</sup>" is not written for m²), so the text before is not stripped here.
    if inner in _POWERS and _UNIT_OF_LENGTH.search(_EDGE_MARKS.sub("", before)):
        return _POWERS[inner]
    if _MARK.fullmatch(inner):
        return ""
    if (
        _NUMBERED_MARK.fullmatch(inner)
        and visible
        and (not visible[-1].isdigit() or len(inner) == 1 or re.search(r"[.,]\d+$", visible))
    ):
        return ""
    return f"{_INLINE_EDGE}{found.group(1)}{_INLINE_EDGE}"


def _words_key(text: str) -> str:
    """The words of ``text`` only, lower-cased: "No hidden fees!" and "no hidden fees." are the same copy."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def html_text(source: str) -> str:
    """HTML source as the text a browser shows, a blank line between its blocks ("<p>Free returns.</p><p>Open
    24/7.</p>" is two paragraphs), so that a tag never stands in or cuts a claim."""
    parser = _TextOfHtml(blank_lines=not _HTML_BLOCK_TAG.search(source))
    parser.feed(source)
    parser.close()
    text = _join_inline_edges("".join(parser.parts)).replace("\xa0", " ").replace("\xad", "").replace("\u200b", "")
    # The page's summary is copy search results show; it is read too unless the page says it already.
    shown = f" {_words_key(text)} "  # padded: a description must match whole words ("shop", not "workshop")
    summaries = [d for d in dict.fromkeys(parser.descriptions) if f" {_words_key(d)} " not in shown]
    text = "\n\n".join([*summaries, text])
    text = re.sub(r"[ \t]+([.,!?;:])", r"\1", text)  # the space before a tag left out ("fees <script>…</script>.")
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- Streaming: files larger than memory, read in chunks of rows -------------------------------------------

STREAM_CHUNK_ROWS = 20_000
# More different keys than any review export has: records keyed by their ids, not a table.
MAX_JSON_COLUMNS = 10_000
STREAMED_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
_SCAN_BLOCK = 1 << 20
ChunkProgress = Callable[[int], None]


class TableStream:
    """A review table read in chunks of rows, so that a file larger than memory can be ingested.

    CSV and TSV go through pandas' C parser with ``chunksize``, after one pass over the bytes that picks
    the encoding exactly as :func:`decode_bytes` would (UTF-8 with or without BOM, then cp1252, then
    latin-1) and computes the sha256; JSON Lines are parsed line by line, after a pass that gathers the
    keys of every record (so that every chunk has every column); Parquet is read by record batches.
    Excel and single-document JSON cannot be streamed: they are read whole and handed out in chunks. A
    DataFrame is handed out in slices.

    Ragged CSV rows (too many fields) are skipped by the parser and counted in ``malformed_rows``;
    ``bad_lines`` counts unreadable JSON lines. Both are final once the stream has been read through.
    :meth:`take_skipped_rows` gives the data-row numbers of those rows, so the rows after them keep theirs.

    Raises (on construction, before any row is read):
        MissingFileError, UnreadableFileError, EmptyDatasetError: as :func:`read_table` does.
    """

    def __init__(
        self,
        source: pd.DataFrame | str | Path,
        chunk_rows: int = STREAM_CHUNK_ROWS,
        sheet: str | int | None = None,
        expected: Iterable[str] = (),
    ) -> None:
        self.chunk_rows = max(1, int(chunk_rows))
        self.sheet = sheet
        self.expected = tuple(expected)
        self.bad_lines = 0
        self.malformed_rows = 0
        self.title_rows = 0
        self._titles = _Titles()
        self._skipped_rows: list[int] = []
        self.headerless = bool(source.attrs.get("headerless")) if isinstance(source, pd.DataFrame) else False
        self.header_names: list[str] | None = None
        self._read_names: list[str] | None = None  # the header's names and _OVERFLOW (_overflow_names)
        self.frame: pd.DataFrame | None = None
        self.path: Path | None = None
        self.encoding: str | None = None
        self.separator = ","
        self.delimited = False  # a CSV or TSV file, read with ``separator``
        if isinstance(source, pd.DataFrame):
            self.frame, self.name, self.suffix = source, "DataFrame", ""
            self.size, self.sha256, self.unit, self.total = 0, None, "rows", len(source)
            return
        if not isinstance(source, (str, Path)):
            raise InputError(f"reviews must be a pandas DataFrame or a file path, not {type(source).__name__}.")
        path = Path(source)
        if not path.exists():
            raise MissingFileError(f"File not found: {path}. Check the path and try again.")
        if path.is_dir():
            raise UnreadableFileError(f"{path} is a folder, not a file. Give the path of a data file.")
        self.suffix = path.suffix.lower()
        if self.suffix not in TABLE_SUFFIXES:
            raise UnreadableFileError(unsupported_table_message(self.suffix, path.name))
        check_file_size(path)
        _check_format(path, self.suffix)
        self.path, self.name, self.size = path, path.name, path.stat().st_size
        self.unit, self.total = "kB", max(1, -(-self.size // 1024))
        if self.suffix in (".csv", ".tsv", ".jsonl", ".ndjson"):
            self.encoding, self.sha256, head = _scan_text_file(path)
            if self.suffix in (".csv", ".tsv"):
                self._check_delimited_head(head)
            elif head.decode(self.encoding, errors="ignore").lstrip("\ufeff \t\r\n").startswith("["):
                self.suffix = ".json"  # one JSON array under a JSON Lines name: read whole, as read_table does
        else:
            self.sha256 = _sha256_of(path)
            if self.suffix == ".parquet":
                self.unit = "rows"
                self.total = self._parquet_rows()

    def take_skipped_rows(self) -> list[int]:
        """The data-row numbers of the rows skipped (malformed or unreadable) since the last call, ascending.

        Every row skipped before the last row of a chunk is known once the chunk has been handed out."""
        taken, self._skipped_rows = self._skipped_rows, []
        return taken

    @property
    def streamed(self) -> bool:
        """True when rows are read a chunk at a time (memory does not grow with the file)."""
        return self.frame is not None or (self.path is not None and self.suffix in STREAMED_SUFFIXES)

    def _check_delimited_head(self, head: bytes) -> None:
        assert self.path is not None and self.encoding is not None
        text = head.decode(self.encoding, errors="ignore")
        if looks_binary(text):
            raise UnreadableFileError(
                f"{self.path.name} looks like a binary file, not text. Export it as CSV (UTF-8) and try again."
            )
        text = text.replace("\x00", "")
        if not text.strip() and self.size <= len(head):
            raise EmptyDatasetError(
                f"{self.path.name} is empty. Give a file with a header row and at least one review."
            )
        self.separator = choose_separator(text, "\t" if self.suffix == ".tsv" else ",")
        self.delimited = True
        self._titles = _title_lines(text, self.separator, self.expected)
        self.title_rows = self._titles.count
        text = text[self._titles.chars :]
        self.header_names = _headerless_names(text, self.separator, self.expected)
        self.headerless = self.header_names is not None
        self._read_names = _overflow_names(text, self.separator, self.header_names)

    def _parquet_rows(self) -> int:
        import pyarrow.parquet as pq

        assert self.path is not None
        try:
            return max(1, int(pq.ParquetFile(self.path).metadata.num_rows))
        except Exception as exc:
            raise self._unreadable(exc) from exc

    def _unreadable(self, exc: BaseException) -> UnreadableFileError:
        return UnreadableFileError(
            f"Could not read {self.name} as {self.suffix.lstrip('.').upper()}: {_first_line(exc, self.path)}. "
            "Check that the file is not damaged and that its name matches its format."
        )

    def chunks(self, progress: ChunkProgress | None = None) -> Iterator[pd.DataFrame]:
        """Yield DataFrames of at most ``chunk_rows`` rows (at least one, possibly empty, frame).

        Raises:
            UnreadableFileError: the file turns out to be damaged part-way through.
        """

        def report(done: int) -> None:
            if progress is not None:
                try:
                    progress(done)
                except Exception as exc:  # the caller's own failure, not a damaged file
                    raise _CallerError(exc) from exc

        if self.frame is not None:
            yield from self._slices(self.frame, report)
            return
        try:
            if self.suffix in (".csv", ".tsv"):
                yield from self._delimited_chunks(report)
            elif self.suffix in (".jsonl", ".ndjson"):
                yield from self._json_lines_chunks(report)
            elif self.suffix == ".parquet":
                yield from self._parquet_chunks(report)
            else:
                assert self.path is not None
                frame = read_table(self.path, sheet=self.sheet, expected=self.expected)
                self.name = source_name(self.path.name, frame)
                self.headerless = bool(frame.attrs.get("headerless"))
                self.bad_lines = int(frame.attrs.get("bad_lines", 0))
                self.malformed_rows = int(frame.attrs.get("malformed_rows", 0))
                self.title_rows = int(frame.attrs.get("title_rows", 0))
                self._skipped_rows = list(frame.attrs.get("skipped_row_numbers", ()))
                report(self.total)
                yield from self._slices(frame, lambda _: None)
        except _CallerError as failed:
            raise failed.original from None
        except InputError:
            raise
        except Exception as exc:  # every reader raises its own types; the user needs one message
            raise (_unclosed_quote(self.name, exc) or self._unreadable(exc)) from exc

    def _slices(self, frame: pd.DataFrame, report: ChunkProgress) -> Iterator[pd.DataFrame]:
        if frame.empty:
            yield frame
            return
        for begin in range(0, len(frame), self.chunk_rows):
            part = frame.iloc[begin : begin + self.chunk_rows]
            yield part
            report(len(part))

    def _delimited_chunks(self, report: ChunkProgress) -> Iterator[pd.DataFrame]:
        assert self.path is not None and self.encoding is not None
        counter = _ByteCounter(report)
        with self.path.open("rb") as raw:
            counted = io.BufferedReader(_CountingRaw(raw, counter))
            # Undecodable bytes read as U+FFFD, as decode_bytes reads them for a whole read (an odd last byte
            # of a UTF-16 file, a lone surrogate), not as a refusal part-way through the file.
            text = _WithoutNul(io.TextIOWrapper(counted, encoding=self.encoding, errors="replace", newline=""))
            for _ in range(self._titles.lines):  # a title above the header (_title_lines)
                text.readline()
            reader = pd.read_csv(
                text,  # type: ignore[call-overload]
                sep=self.separator,
                dtype=str,
                keep_default_na=False,
                chunksize=self.chunk_rows,
                on_bad_lines="warn",
                header=None if self.header_names else 0,
                names=self._read_names if self._read_names is not None else self.header_names,
                index_col=False if self._read_names is not None else None,  # as _read_delimited reads it
            )
            yielded = False
            rows: _DataRows | None = None
            given = 0  # rows the parser has given, those with one field too many included
            skipped: list[int] = []  # the data-row numbers of the rows the parser skipped so far, ascending
            with reader, contextlib.ExitStack() as second:
                while True:
                    # Catch the parser's warnings around each read only: a generator must not hold the filter.
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", pd.errors.ParserWarning)
                        chunk = next(reader, None)
                    lines = _skipped_lines(caught)
                    if lines and rows is None:  # read the file a second time, only as far as its last bad row
                        handle = second.enter_context(self.path.open(encoding=self.encoding, newline=""))
                        for _ in range(self._titles.lines):
                            handle.readline()
                        rows = _DataRows(_WithoutNul(handle), self.separator, header=self.header_names is None)
                    numbers = [rows.number(line) for line in lines] if rows is not None else []
                    skipped += numbers
                    if chunk is not None:
                        parsed = len(chunk)
                        chunk, spilled = _drop_overflowing(chunk, given, skipped)
                        given += parsed
                        numbers = sorted(numbers + spilled)
                        lines += spilled
                    self.malformed_rows += len(lines)
                    self._skipped_rows += numbers
                    if chunk is None:
                        break
                    chunk.columns = [str(column).strip() for column in chunk.columns]
                    chunk.attrs["headerless"] = self.headerless
                    yielded = True
                    yield chunk
            counter.flush()
            if not yielded:
                yield pd.DataFrame()

    def _json_lines_columns(self) -> list[str]:
        """Every column the file's records give (their keys, flattened), in the order they first appear.

        Read in a first pass over the whole file, as records of a merged export often gain keys part-way
        (support tickets, then app reviews with a rating and a date): a key missing from the first chunk
        would otherwise be dropped from every record, and a column named by the user reported missing,
        though the file read whole has it. The user expects a file streamed into a workspace and the same
        file read whole to give the same columns; this pass keeps only the keys, so memory stays bounded.

        Raises:
            UnreadableFileError: the records hold over MAX_JSON_COLUMNS different keys (not a table).
        """
        assert self.path is not None and self.encoding is not None
        columns: dict[str, None] = {}
        with self.path.open(encoding=self.encoding) as handle:
            for line in handle:
                item = _json_record(line) if line.strip() else None
                if item is None:
                    continue
                for key in _flat_keys(item):
                    if key not in columns:
                        columns[key] = None
                        if len(columns) > MAX_JSON_COLUMNS:
                            raise UnreadableFileError(
                                f"{self.name} holds records with over {MAX_JSON_COLUMNS:,} different keys; "
                                'give one review per line, each with the same few keys such as "text" and "rating".'
                            )
        return list(columns)

    def _json_lines_chunks(self, report: ChunkProgress) -> Iterator[pd.DataFrame]:
        assert self.path is not None and self.encoding is not None
        columns = self._json_lines_columns()
        counter = _ByteCounter(report)
        records: list[dict[str, object]] = []
        yielded = False
        read = 0  # records and unreadable lines so far: the lines that are not blank
        with self.path.open("rb") as raw:
            counted = io.BufferedReader(_CountingRaw(raw, counter))
            for line in io.TextIOWrapper(counted, encoding=self.encoding, errors="replace"):
                if not line.strip():
                    continue
                read += 1
                item = _json_record(line)
                if item is None:
                    self.bad_lines += 1
                    self._skipped_rows.append(read)
                    continue
                records.append(item)
                if len(records) >= self.chunk_rows:
                    yield _records_frame(records, columns)
                    yielded = True
                    records = []
        counter.flush()
        if records or not yielded:
            yield _records_frame(records, columns)

    def _parquet_chunks(self, report: ChunkProgress) -> Iterator[pd.DataFrame]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert self.path is not None
        parquet = pq.ParquetFile(self.path)
        yielded = False
        for batch in parquet.iter_batches(batch_size=self.chunk_rows):
            # A column of whole numbers with a gap stays whole numbers (a tweet id of 18 digits), not floats
            # that round it.
            frame = pa.Table.from_batches([batch]).to_pandas(integer_object_nulls=True)
            frame.columns = [str(column).strip() for column in frame.columns]
            yielded = True
            yield frame
            report(batch.num_rows)
        if not yielded:
            frame = parquet.schema_arrow.empty_table().to_pandas()
            frame.columns = [str(column).strip() for column in frame.columns]
            yield frame


class _CallerError(Exception):
    """Carries an exception raised by a progress callback through the reader's error translation."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


def _records_frame(records: list[dict[str, object]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """JSON records as a table; a nested object's keys become columns named by their path ("review.text").
    ``columns`` (flattened keys, as :func:`_flat_keys` gives them) are the table's columns, in that order,
    whether or not these records have them; by default those the records have."""
    names = None if columns is None else list(columns)
    # As objects: a column of whole numbers with a null in it would become floats, and an id of 18 digits
    # (a tweet's) would be rounded.
    frame = pd.DataFrame([_flatten(record) for record in records], columns=names, dtype=object)
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _flat_keys(record: dict[str, object], prefix: str = "") -> Iterator[str]:
    """The columns :func:`_flatten` makes of ``record``, without copying its values."""
    for key, value in record.items():
        if isinstance(value, dict) and value:
            yield from _flat_keys(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def _flatten(record: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


class _ByteCounter:
    """Turns byte counts into whole-kB progress calls."""

    def __init__(self, report: ChunkProgress) -> None:
        self.report = report
        self.pending = 0

    def add(self, count: int) -> None:
        self.pending += count
        if self.pending >= 1024:
            self.report(self.pending // 1024)
            self.pending %= 1024

    def flush(self) -> None:
        if self.pending:
            self.report(1)
            self.pending = 0


class _CountingRaw(io.RawIOBase):
    """A raw binary reader that tells a counter how many bytes were read."""

    def __init__(self, raw: io.BufferedReader, counter: _ByteCounter) -> None:
        self._raw = raw
        self._counter = counter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        if count:
            self._counter.add(count)
        return count or 0


class _WithoutNul:
    """A text reader with NUL characters removed (as ``_read_delimited`` removes them), for pandas."""

    def __init__(self, handle: io.TextIOWrapper) -> None:
        self._handle = handle

    def read(self, size: int = -1) -> str:
        return self._handle.read(size).replace("\x00", "")

    def readline(self, size: int = -1) -> str:
        return self._handle.readline(size).replace("\x00", "")

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def _scan_text_file(path: Path) -> tuple[str, str, bytes]:
    """One pass over a text file: the encoding :func:`decode_bytes` would pick, the sha256, the first MB."""
    digest = hashlib.sha256()
    candidates = _ENCODINGS[:-1]  # latin-1 decodes anything: it is the fallback
    decoders = {name: codecs.getincrementaldecoder(name)("strict") for name in candidates}
    counting = codecs.getincrementaldecoder("utf-8")("surrogateescape")  # UTF-8's well-formed and stray
    valid = invalid = 0
    alive = list(candidates)
    head = b""
    wide: str | None = None
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_SCAN_BLOCK), b""):
            digest.update(block)
            if len(head) < _SCAN_BLOCK:
                head += block[: _SCAN_BLOCK - len(head)]
                wide = _utf16(head)
            if wide:  # a UTF-16 file: the 8-bit decoders' verdicts would go unused
                continue
            more_valid, more_invalid = _count_utf8(counting.decode(block))
            valid, invalid = valid + more_valid, invalid + more_invalid
            for name in list(alive):
                try:
                    decoders[name].decode(block)
                except UnicodeDecodeError:
                    alive.remove(name)
    more_valid, more_invalid = _count_utf8(counting.decode(b"", final=True))
    valid, invalid = valid + more_valid, invalid + more_invalid
    for name in list(alive):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            alive.remove(name)
    if wide:
        return wide, digest.hexdigest(), head
    if _ENCODINGS[0] not in alive and _mostly_utf8(valid, invalid):
        return MIXED_UTF8, digest.hexdigest(), head
    return (alive[0] if alive else _ENCODINGS[-1]), digest.hexdigest(), head


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_SCAN_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


class ReviewStream:
    """Reviews and their sentences, read and validated a chunk of rows at a time.

    Iterating yields ``(reviews, sentences)`` per chunk; review indices in the sentences count from the
    first review of the whole stream. The columns are detected on the first chunk (the first 500 rows
    decide a text column chosen by content, as in :func:`detect_columns`), which has every column of the
    file (JSON Lines too: their keys are gathered from every record first). Once the stream has been read
    through, :meth:`summary` describes it exactly as :func:`load_reviews` would for the same table.

    Raises (while iterating):
        InputError: unreadable file, missing column, or no review text at all (raised after the last chunk).
    """

    def __init__(
        self,
        source: pd.DataFrame | str | Path,
        text_column: str | None = None,
        id_column: str | None = None,
        date_column: str | None = None,
        rating_column: str | None = None,
        segment_columns: Sequence[str] | None = None,
        sheet: str | int | None = None,
        chunk_rows: int = STREAM_CHUNK_ROWS,
        day_first: bool | None = None,
    ) -> None:
        text_column, id_column, date_column, rating_column, segment_columns = column_options(
            text_column, id_column, date_column, rating_column, segment_columns
        )
        self._day_first = _date_order_option(day_first)
        self._numbers_checked = False  # whether the text column was checked for numbers (the first chunk)
        refuse_sheet_for(source, sheet)
        if isinstance(source, pd.DataFrame):
            source = table_with_text_names(source, "reviews")
        named = _named_columns(text_column, id_column, date_column, rating_column, segments=segment_columns)
        self.table = TableStream(source, chunk_rows=chunk_rows, sheet=sheet, expected=named)
        self._segments = segment_columns  # as the file names them
        self._columns = (text_column, id_column, date_column, rating_column, _segment_names(segment_columns))
        self.mapping: ColumnMapping | None = None
        self.validator: RowValidator | None = None
        self.reviews = 0
        self.sentences = 0

    def chunks(self, progress: ChunkProgress | None = None) -> Iterator[tuple[list[Review], list[Sentence]]]:
        """Yield each chunk's reviews and sentences; ``progress`` gets the table's units (kB or rows)."""
        name = self.table.name
        for frame in self.table.chunks(progress):
            frame = _with_segment_copies(frame, self._segments)
            if self.validator is None:
                if frame.shape[1] == 0:
                    raise EmptyDatasetError(no_columns_message(name, self.table.suffix, self.table.bad_lines))
                self.mapping = _with_date_order(detect_columns(frame, *self._columns), self._day_first)
                self.validator = RowValidator(self.mapping)
                self.validator.separator = self.table.separator if self.table.delimited else None
                if self.table.headerless:
                    self.validator.invalid[HEADERLESS] = 1
            mapping = self.mapping
            assert mapping is not None
            self.validator.skip_rows(self.table.take_skipped_rows())
            needed = [c for c in (mapping.text, mapping.id, mapping.date, mapping.rating, *mapping.segments) if c]
            absent = [column for column in needed if column not in frame.columns]
            if absent:  # a column none of this chunk's rows has (kept as a guard: JSON Lines chunks hold all)
                frame = frame.assign(**dict.fromkeys(absent, None))
            if not self._numbers_checked:
                refuse_numbers_as_text(frame[mapping.text], mapping.text)  # on the first rows, as load_reviews
                self._numbers_checked = True
            reviews = self.validator.add(frame)
            base = self.reviews
            sentences = [
                Sentence(review_index=base + s.review_index, text=s.text, start=s.start, end=s.end)
                for s in split_sentences(reviews, self.validator.invalid)
            ]
            self.reviews += len(reviews)
            self.sentences += len(sentences)
            yield reviews, sentences
        assert self.validator is not None and self.mapping is not None
        if not self.reviews:
            raise EmptyDatasetError(no_reviews_message(name, self._skipped(), self.mapping.text))

    def _skipped(self) -> Counter[str]:
        assert self.validator is not None
        skipped = Counter(self.validator.skipped)
        if self.table.bad_lines:
            skipped["unreadable line"] = self.table.bad_lines
        if self.table.malformed_rows:
            skipped[MALFORMED_ROW] = self.table.malformed_rows
        if self.table.title_rows:
            skipped[TITLE_ROW] = self.table.title_rows
        return skipped

    def summary(self) -> DatasetSummary:
        """What was read and skipped (call after iterating to the end)."""
        if self.validator is None or self.mapping is None:
            raise InputError("The review stream has not been read yet.")
        return DatasetSummary(
            source=self.table.name,
            rows=self.validator.rows + self.table.bad_lines + self.table.malformed_rows + self.table.title_rows,
            reviews=self.reviews,
            sentences=self.sentences,
            skipped=dict(self._skipped()),
            columns={**self.mapping.to_dict(), "invalid_values": dict(self.validator.invalid_values())},
        )
