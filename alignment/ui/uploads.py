"""Uploaded files to library inputs: ad copy (.txt/.md/.html/.docx) and review tables. No Streamlit here, so the
upload handling can be tested with plain bytes and a file name."""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from alignment.errors import EmptyDatasetError, InputError, UnreadableFileError
from alignment.ingest import (
    ColumnMapping,
    ReviewSet,
    binary_kind,
    decode_bytes,
    docx_text,
    html_text,
    load_reviews,
    looks_binary,
    looks_like_html,
    markdown_text,
    read_table,
)

COPY_TYPES = ("txt", "md", "html", "htm", "docx")
DATASET_TYPES = ("csv", "tsv", "xlsx", "json", "jsonl", "ndjson", "parquet")


@dataclass(frozen=True, slots=True)
class UploadedTable:
    """A review table read from an upload, before its columns are mapped."""

    name: str
    fingerprint: str
    size: int
    frame: pd.DataFrame = field(repr=False)
    data: bytes = field(default=b"", repr=False)  # the file as uploaded, so it can be saved to the workspace
    sheet: str | None = None  # the workbook sheet read (None for other formats)
    sheets: tuple[str, ...] = ()  # every sheet of the workbook, to choose another


@dataclass(frozen=True, slots=True)
class Dataset:
    """A validated review dataset a session can make active; ``key`` identifies its content and mapping.

    ``data`` is the uploaded file (kept so the upload can be saved to the workspace as the file it was);
    ``workspace_name`` and ``workspace_id`` are set when the dataset was loaded from the workspace.
    """

    key: str
    name: str
    origin: str
    review_set: ReviewSet = field(repr=False)
    frame: pd.DataFrame | None = field(default=None, repr=False)
    data: bytes | None = field(default=None, repr=False)
    workspace_name: str | None = None
    workspace_id: int | None = None
    sheet: str | None = None  # the workbook sheet the reviews came from, read again when saved


def fingerprint(data: bytes) -> str:
    """A content hash of uploaded bytes."""
    return hashlib.sha256(data).hexdigest()


def _not_text(data: bytes, text: str) -> str | None:
    """What a copy file that is not plain text looks like ("a PDF"), or None when it may be text: it starts
    as a known binary format does, or its text (``data`` decoded) still holds a NUL byte, which no text editor
    writes (UTF-16 text, whose NUL bytes decoding takes away, passes)."""
    kind = binary_kind(data[:8])
    if kind is not None:
        return kind
    if "\x00" in text or looks_binary(text):
        return "a binary file"
    return None


def read_copy_upload(data: bytes, filename: str) -> str:
    """The ad copy in an uploaded .txt, .md, .html or .docx file; ads are separated by blank lines (in a
    page, by its paragraphs and other blocks: :func:`alignment.ingest.html_text`).

    In a .docx every non-empty paragraph (and table cell) becomes its own block.

    Raises:
        UnreadableFileError: another file type, a damaged .docx, or a binary file named .txt.
        EmptyDatasetError: the file holds no text.
    """
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in COPY_TYPES:
        raise UnreadableFileError(
            f"{filename} is not a .txt, .md, .html or .docx file. Save the copy in one of those formats and try again."
        )
    if suffix == "docx":
        text = docx_text(data, filename)
    else:
        text = decode_bytes(data)
        kind = _not_text(data, text)
        if kind:
            raise UnreadableFileError(
                f"{filename} is not text (it looks like {kind}): nothing was checked. Save the copy as plain text."
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if suffix == "md":
        text = markdown_text(text)
    elif suffix in ("html", "htm") or looks_like_html(text):
        text = html_text(text)
    if not text:
        raise EmptyDatasetError(f"{filename} is empty: nothing was checked. Upload a file with the ad copy in it.")
    return text


def read_dataset_upload(
    data: bytes, filename: str, max_bytes: int | None = None, sheet: str | None = None
) -> UploadedTable:
    """Read an uploaded CSV, TSV, XLSX, JSON, JSONL or Parquet file into a table (of a workbook, ``sheet``, else
    the first sheet with a table: :func:`alignment.ingest.read_table`).

    Raises:
        InputError: the type is not supported, the file is too large, empty or unreadable.
    """
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in DATASET_TYPES:
        raise UnreadableFileError(
            f"{name}: unsupported file type. Upload one of: {', '.join('.' + t for t in DATASET_TYPES)}."
        )
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"{name} is {len(data) / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    if not data:
        raise EmptyDatasetError(f"{name} is empty. Upload a file with a header row and at least one review.")
    with tempfile.TemporaryDirectory(prefix="alignment-upload-") as folder:
        path = Path(folder) / name  # the user's own file name, so that any message about it names it
        path.write_bytes(data)
        frame = read_table(path, sheet=sheet)
    frame.attrs["source"] = name
    if frame.shape[1] == 0 or len(frame) == 0:
        raise EmptyDatasetError(f"{name} holds no rows. Upload a file with a header row and at least one review.")
    return UploadedTable(
        name=name,
        fingerprint=fingerprint(data),
        size=len(data),
        frame=frame,
        data=data,
        sheet=frame.attrs.get("sheet"),
        sheets=tuple(frame.attrs.get("sheets", ())),
    )


def build_dataset(upload: UploadedTable, mapping: ColumnMapping) -> Dataset:
    """Validate an uploaded table under a column mapping and split its reviews into sentences.

    Raises:
        InputError: a mapped column is missing, or no review text remains.
    """
    review_set = load_reviews(upload.frame, **reading_columns(mapping))
    summary = dataclasses.replace(review_set.summary, source=upload.name)
    review_set = dataclasses.replace(review_set, summary=summary)
    key = hashlib.sha256(f"{upload.fingerprint}|{upload.sheet}|{mapping.to_dict()}".encode()).hexdigest()[:20]
    # The file's bytes are kept rather than the table: they are smaller, and saving to the workspace reads
    # them as the command line would read the file (same source name, sha256 and skipped-row counts).
    return Dataset(
        key=key,
        name=upload.name,
        origin="uploaded",
        review_set=review_set,
        data=upload.data or None,
        sheet=upload.sheet,
    )


def reading_columns(mapping: ColumnMapping) -> dict[str, Any]:
    """A mapping as the column options of :func:`alignment.ingest.load_reviews` and ``Workspace.ingest``:
    a role mapped to no column is "" (none), so that it is not detected again by its name; the dates' order
    as chosen (None: as the dates say)."""
    return {
        "text_column": mapping.text,
        "id_column": mapping.id or "",
        "date_column": mapping.date or "",
        "rating_column": mapping.rating or "",
        "segment_columns": list(mapping.segments),
        "day_first": mapping.day_first,
    }


def dataset_from_review_set(review_set: ReviewSet, name: str, origin: str, content: bytes) -> Dataset:
    """Wrap an already validated ReviewSet (e.g. the bundled demo) as a Dataset keyed by its content."""
    key = hashlib.sha256(f"{fingerprint(content)}|{review_set.mapping.to_dict()}".encode()).hexdigest()[:20]
    return Dataset(key=key, name=name, origin=origin, review_set=review_set)
