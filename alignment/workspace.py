"""A persistent workspace: datasets, their sentences, embeddings and runs in one embedded DuckDB file.

A marketer trying five wordings of a headline should not wait for the same 100,000 reviews to be embedded
five times. The workspace keeps:

- **datasets**: the validated reviews (text, id, data row, date, rating, segments), the column mapping,
  the validation summary and the provenance (file name and path, size, sha256, ingest time);
- **sentences**: each review's sentences as offsets into its text plus the key of the sentence text;
- **embeddings**: one float16 vector per (model id, sha1 of the sentence text), shared by every dataset
  and run, so the same sentence is never embedded twice by the same model;
- **runs**: each check against a dataset (claims, config, the full report, per-claim scores, timestamps),
  the history for comparing campaigns over time;
- **drafts**: the app's unsaved work by name (the Vet copy page keeps each browser tab's copy and claim edits
  there, named by an id in the page's address), so a reload of the page or a restart of the app does not throw
  it away; the 50 saved last and any saved in the last 30 days are kept, older ones pruned on each save.

Ingest streams the file in chunks of rows (see :class:`alignment.ingest.ReviewStream`) into a staging
file of its own beside the workspace; only when the whole file has been read is the dataset copied in (and
an older dataset of the same name removed) in one transaction. An interrupted ingest therefore leaves no
dataset and never half of one; its staging file is removed at once, or when the workspace is next opened.

The location is ``ALIGN_WORKSPACE`` when set, else a per-user data folder (``~/.local/share/alignment`` on
Linux). DuckDB lets one process at a time open the file for writing, so the app and the command line open
it only for each read or write, and :func:`ingest_dataset` holds it only to check the name and to copy the
read file in: a long ingest does not keep others out.

Example::

    from alignment.workspace import Workspace

    with Workspace.open() as ws:
        ws.ingest("reviews.csv", "spring-reviews")
        report = ws.check(None, "spring-reviews", claims=["No hidden fees"])
        ws.save_run(report, dataset="spring-reviews", label="headline v2")
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import glob
import json
import os
import re
import secrets
import threading
import time
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alignment.config import Config, user_folder
from alignment.embed import FAST_MODEL_ID, MODEL_ID, CachedEmbedder, Embedder, TextEncoder, hash_text, select_embedder
from alignment.errors import AlignmentError, InputError, MissingColumnError
from alignment.ingest import (
    ENGLISH_SAMPLE,
    STREAM_CHUNK_ROWS,
    ColumnMapping,
    ReviewSet,
    ReviewStream,
    segment_name,
)
from alignment.progress import Progress, SilentProgress
from alignment.ratings import RatingPrior, rating_bounds
from alignment.records import (
    Ad,
    Claim,
    ClaimScore,
    DatasetSummary,
    Judgement,
    Judgements,
    PossibleClaim,
    Review,
    Sentence,
)

if TYPE_CHECKING:
    from spacy.language import Language

    from alignment.evaluate import EvidenceEvaluation
    from alignment.report import Report
    from alignment.stance import StanceModel

WORKSPACE_ENV = "ALIGN_WORKSPACE"
DRAFTS_KEPT = 50  # drafts kept whatever their age: the ones saved last
DRAFT_DAYS = 30  # drafts saved within this many days are kept however many there are
# What a message's fix names when it cannot tell what named the workspace: either of the two that can.
_EITHER_SETTING = f"{WORKSPACE_ENV} or --workspace"
DATABASE_FILE = "workspace.duckdb"
SCHEMA_VERSION = 1
STORAGE_DTYPE = np.float16  # embeddings on disk: half the bytes of float32, cosine to fp32 above 0.99999
EMBED_BATCH = 8192
LOADED_DATASETS = 2  # ReviewSets held in memory per Workspace, so a re-check does not rebuild them
MEMORY_VECTORS_BYTES = 768 << 20  # a dataset's float32 sentence matrix is kept in memory up to this size
NAMED_DATASETS = 10  # an unknown-name message lists this many of the workspace's datasets, then a count
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
STAGING_MARK = ".ingest-"  # a staging file is ".<database file name>.ingest-<pid>-<random>.duckdb" beside it
MERGE_WAIT_S = 120.0  # how long a read file waits for another process to let go of the workspace
BRIEF_WAIT_S = 5.0  # how long a command, the app or an ingest's first look waits for a workspace in use
BUSY_POLL_S = 0.25

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE SEQUENCE IF NOT EXISTS dataset_ids START 1",
    """CREATE TABLE IF NOT EXISTS datasets (
        dataset_id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, status VARCHAR NOT NULL,
        source VARCHAR, source_path VARCHAR, sha256 VARCHAR, size_bytes BIGINT, created_at TIMESTAMP,
        rows BIGINT, reviews BIGINT, sentences BIGINT, skipped VARCHAR, columns VARCHAR, mapping VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS reviews (
        dataset_id BIGINT, review_index INTEGER, review_id VARCHAR, data_row BIGINT, review_date VARCHAR,
        rating DOUBLE, segments VARCHAR[], text VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS sentences (
        dataset_id BIGINT, sentence_index INTEGER, review_index INTEGER, start_offset INTEGER,
        end_offset INTEGER, text_hash VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS embeddings (model_id VARCHAR, text_hash VARCHAR, vector BLOB)",
    "CREATE SEQUENCE IF NOT EXISTS run_ids START 1",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id BIGINT PRIMARY KEY, dataset VARCHAR, dataset_id BIGINT, dataset_sha256 VARCHAR, label VARCHAR,
        embedder VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, claims VARCHAR, config VARCHAR,
        summary VARCHAR, judgements BLOB)""",
    """CREATE TABLE IF NOT EXISTS run_claims (
        run_id BIGINT, position INTEGER, claim_id VARCHAR, ad_id VARCHAR, text VARCHAR, aspect VARCHAR,
        type VARCHAR, mentions INTEGER, supports INTEGER, contradicts INTEGER, neutral INTEGER,
        alignment DOUBLE, interval_low DOUBLE, interval_high DOUBLE, risk VARCHAR)""",
    # The app's unsaved work (the copy under review and its claim edits), one row per draft name.
    "CREATE TABLE IF NOT EXISTS drafts (name VARCHAR PRIMARY KEY, saved_at TIMESTAMP, body VARCHAR)",
)


class DatasetNameError(InputError):
    """A dataset name that could be mistaken for a path or option, or is too long."""


class UnknownDatasetError(InputError):
    """No dataset of that name in the workspace."""


class DuplicateDatasetError(InputError):
    """A dataset of that name exists and replacing it was not asked for."""


class NameTakenMeanwhileError(DuplicateDatasetError):
    """Another process saved a dataset of that name while this ingest read its file."""


class UnknownRunError(InputError):
    """No run with that id in the workspace."""


def _run_number(run_id: int | RunInfo) -> int:
    """A run's number from what a caller names it by: the number, its text ("3"), or the RunInfo
    :meth:`Workspace.save_run` returned."""
    if isinstance(run_id, RunInfo):
        return run_id.run_id
    if isinstance(run_id, bool) or not isinstance(run_id, int | str) or not str(run_id).strip().isdigit():
        raise UnknownRunError(
            "A run is named by its number (`alignment runs` lists them), or by the RunInfo save_run returned; "
            f"got {run_id!r}."
        )
    return int(run_id)


class WorkspaceBusyError(InputError):
    """Another process holds the workspace open for writing."""


class WorkspaceError(AlignmentError):
    """The workspace file cannot be used (damaged, or written by a newer alignment)."""


class WorkspaceFullError(InputError):
    """The disk holding the workspace ran out of space (nothing half-written is kept)."""


class _ClosedConnection:
    """Stands in for a closed workspace's database connection: any use says, in one line, that the workspace
    was closed and how to open it again (DuckDB's own "Connection already closed!" names neither)."""

    def __init__(self, database: Path) -> None:
        self._database = database

    def __getattr__(self, name: str) -> Any:
        raise InputError(
            f"The workspace {self._database.parent} was closed. Open it again with Workspace.open(...), or use it "
            "inside one `with Workspace.open(...) as workspace:` block."
        )

    def close(self) -> None:
        """Closing a closed workspace again does nothing."""


def database_file(location: str | Path | None = None) -> Path:
    """The database file of the workspace at ``location`` (a folder, or a ``.duckdb`` file; None: the
    default location), whether or not it exists yet."""
    where = Path(location).expanduser() if location is not None else default_location()
    return where if where.suffix.lower() == ".duckdb" else where / DATABASE_FILE


def default_location() -> Path:
    """``ALIGN_WORKSPACE`` when set, else the per-user data folder of the platform, plus ``alignment``."""
    return user_folder("data", WORKSPACE_ENV)


def location_setting(location: str | Path | None) -> str:
    """What named the workspace at ``location``, for a message that says how to point it elsewhere:
    "--workspace" when a location was given (the command line's option; a Python caller's argument),
    ``ALIGN_WORKSPACE`` when it is None and that variable is set, else either of the two (the default
    folder is in use, and either would move it)."""
    if location is not None:
        return "--workspace"
    if os.environ.get(WORKSPACE_ENV):  # as user_folder reads it: set but empty is not set
        return WORKSPACE_ENV
    return _EITHER_SETTING


def refuse_file_as_folder(database: Path, setting: str) -> None:
    """Fail in one line when the folder that would hold the workspace's ``database`` is a file (a location
    given as a file not named .duckdb): it is neither a workspace to read nor a folder to make one in.
    ``setting`` names what pointed there (:func:`location_setting`)."""
    folder = database.parent
    if folder.exists() and not folder.is_dir():
        kind = "a file" if folder.is_file() else "not a folder"
        raise InputError(
            f"The workspace location {folder} is {kind}, not a workspace: a workspace is a folder, or a file "
            f"whose name ends in .duckdb. Set {setting} to a folder."
        )


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid dataset name.

    Raises:
        DatasetNameError: the name is empty, longer than 64 characters, or has characters other than
            letters, digits, '.', '_' and '-' (so no path separators), or does not start with a letter or digit.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        shown = repr(name) if isinstance(name, str) else f"{type(name).__name__} {name!r}"[:80]
        # A name as a person writes it ("Hotel reviews 2025") is offered back as one that is allowed.
        slug = ""
        if isinstance(name, str):
            slug = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", name)).strip("-._")[:64]
        example = f"{slug!r} would do" if slug and _NAME.fullmatch(slug) else "for example spring-reviews-2025"
        raise DatasetNameError(
            f"Dataset name {shown} is not allowed: use 1 to 64 letters, digits, '.', '_' or '-', starting "
            f"with a letter or digit ({example})."
        )
    return name


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """A dataset in the workspace: what was read, how, and from where."""

    dataset_id: int
    name: str
    source: str
    source_path: str | None
    sha256: str | None
    size_bytes: int
    created_at: datetime
    rows: int
    reviews: int
    sentences: int
    skipped: Mapping[str, int]
    columns: Mapping[str, object]
    mapping: ColumnMapping

    @property
    def summary(self) -> DatasetSummary:
        """The validation summary, as a check's report gives it."""
        return DatasetSummary(
            source=self.source,
            rows=self.rows,
            reviews=self.reviews,
            sentences=self.sentences,
            skipped=dict(self.skipped),
            columns=dict(self.columns),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "name": self.name,
            "source": self.source,
            "source_path": self.source_path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "ingested_at": _iso(self.created_at),
            "rows": self.rows,
            "reviews": self.reviews,
            "sentences": self.sentences,
            "skipped": dict(self.skipped),
            "columns": dict(self.columns),
        }


@dataclass(frozen=True, slots=True)
class RunClaim:
    """One claim's verdict in a saved run."""

    claim_id: str
    ad_id: str
    text: str
    aspect: str
    type: str
    mentions: int
    supports: int
    contradicts: int
    neutral: int
    alignment: float | None
    interval: tuple[float, float] | None
    risk: str

    @property
    def score(self) -> ClaimScore:
        """The claim's counts and verdict as the :class:`ClaimScore` its check gave."""
        return ClaimScore(
            mentions=self.mentions,
            supports=self.supports,
            contradicts=self.contradicts,
            neutral=self.neutral,
            alignment=self.alignment,
            interval=self.interval,
            risk=self.risk,  # type: ignore[arg-type]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "claim_id": self.claim_id,
            "ad_id": self.ad_id,
            "text": self.text,
            "aspect": self.aspect,
            "type": self.type,
            "mentions": self.mentions,
            "supports": self.supports,
            "contradicts": self.contradicts,
            "neutral": self.neutral,
            "alignment": self.alignment,
            "interval": None if self.interval is None else list(self.interval),
            "risk": self.risk,
        }


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A saved check: when, on which dataset, with which embedder and config, and each claim's verdict."""

    run_id: int
    dataset: str | None
    dataset_sha256: str | None
    label: str | None
    embedder: str | None
    started_at: datetime | None
    finished_at: datetime
    config: Mapping[str, object]
    claims: tuple[RunClaim, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "run_id": self.run_id,
            "dataset": self.dataset,
            "dataset_sha256": self.dataset_sha256,
            "label": self.label,
            "embedder": self.embedder,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "config": dict(self.config),
            "claims": [claim.to_dict() for claim in self.claims],
        }


def _now() -> datetime:
    """Current UTC time, naive (DuckDB TIMESTAMP), to the second."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Workspace:
    """The persistent store; open it with :meth:`Workspace.open` and close it (or use ``with``).

    Methods are safe to call from several threads of one process (a lock serialises them).
    """

    def __init__(
        self,
        connection: Any,
        location: Path,
        database: Path,
        read_only: bool,
        why_read_only: str = "it was opened read-only",
        setting: str = _EITHER_SETTING,
    ) -> None:
        self._con = connection
        self.location = location
        self.database = database
        self.read_only = read_only
        self.why_read_only = why_read_only
        self.setting = setting  # what named the location (location_setting), for the fixes messages suggest
        self._lock = threading.RLock()
        self._loaded: OrderedDict[int, ReviewSet] = OrderedDict()
        self._vectors: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()  # (dataset id, model id)

    # --- opening -------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False, wait_s: float = 0.0) -> Workspace:
        """Open (creating if needed) the workspace at ``path``: a folder, or a ``.duckdb`` file.

        Without ``path``: ``ALIGN_WORKSPACE``, else the per-user data folder (:func:`default_location`).
        While another process has it open for writing, try again for up to ``wait_s`` seconds.

        Raises:
            WorkspaceBusyError: another process has the workspace open for writing (for ``wait_s``).
            WorkspaceError: the file is not a workspace, or was written by a newer alignment.
            InputError: the folder cannot be created.
        """
        location = Path(path).expanduser() if path is not None else default_location()
        setting = location_setting(path)
        database = database_file(location)
        if read_only and not database.is_file():
            raise InputError(f"No workspace at {location}. Ingest a dataset first with `alignment ingest`.")
        refuse_file_as_folder(database, setting)
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"Cannot create the workspace folder {database.parent}: {exc.strerror}. "
                f"Set {setting} to a writable folder."
            ) from exc
        deadline = time.monotonic() + wait_s
        why_read_only = "it was opened read-only"
        while True:
            try:
                connection = _connect(database, read_only)
                break
            except WorkspaceBusyError as exc:
                if time.monotonic() >= deadline:
                    raise _naming(exc, setting) from exc.__cause__
                time.sleep(BUSY_POLL_S)
            except WorkspaceError as exc:
                # A workspace on a read-only disk, or another user's, can still be read.
                if read_only or not database.is_file() or not _cannot_write(exc):
                    raise _naming(exc, setting) from exc.__cause__
                read_only, why_read_only = True, "you cannot write to it (a read-only disk, or another user's file)"
        workspace = cls(connection, location, database, read_only, why_read_only, setting)
        try:
            workspace._prepare()
        except BaseException:
            connection.close()
            raise
        return workspace

    def _prepare(self) -> None:
        tables = {
            str(name)
            for (name,) in self._con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
                "AND table_schema = 'main'"
            ).fetchall()
        }
        if tables and not tables & {"meta", "datasets"}:
            # Another program's DuckDB file: adding the workspace's tables to it would write to a file that is not ours.
            shown = ", ".join(sorted(tables)[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
            raise WorkspaceError(
                f"{self.database} is a DuckDB database but not an alignment workspace (it holds the tables {shown}), "
                f"so it was left as it is. Set {self.setting} to a folder, or to a new .duckdb file."
            )
        if not self.read_only:
            for statement in _SCHEMA:
                self._con.execute(statement)
            self._con.execute(
                "INSERT INTO meta SELECT 'schema_version', ? WHERE NOT EXISTS "
                "(SELECT 1 FROM meta WHERE key = 'schema_version')",
                [str(SCHEMA_VERSION)],
            )
        row = _first(self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall())
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"The workspace {self.database} was written by a newer alignment (schema {version}); "
                "upgrade alignment to use it."
            )
        if not self.read_only:
            self._remove_abandoned_staging()

    def _remove_abandoned_staging(self) -> None:
        """Drop what a killed ingest left: the staging file of a process that is gone, and the rows an
        alignment before 2026-12-02 staged inside the workspace itself (only one process writes at a time,
        so none of those is still being written)."""
        for path in self.database.parent.glob(f"{glob.escape('.' + self.database.name)}{STAGING_MARK}*"):
            pid = path.name[len(self.database.name) + len(STAGING_MARK) + 1 :].split("-", 1)[0]
            if pid.isdigit() and not _process_alive(int(pid)):
                with contextlib.suppress(OSError):
                    path.unlink()
        for (dataset_id,) in self._con.execute("SELECT dataset_id FROM datasets WHERE status = 'staging'").fetchall():
            self._delete_rows(int(dataset_id))

    def close(self) -> None:
        """Close the database file (further calls fail)."""
        with self._lock:
            self._loaded.clear()
            self._vectors.clear()
            self._con.close()
            self._con = _ClosedConnection(self.database)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_writable(self) -> None:
        if self.read_only:
            raise InputError(
                f"The workspace {self.database} can only be read: {self.why_read_only}. Set {self.setting} to a "
                "folder you can write to for anything that saves."
            )

    # --- datasets ------------------------------------------------------------------------------------------

    def ingest(
        self,
        source: pd.DataFrame | str | Path,
        name: str,
        *,
        text_column: str | None = None,
        id_column: str | None = None,
        date_column: str | None = None,
        rating_column: str | None = None,
        segment_columns: Sequence[str] | None = None,
        sheet: str | int | None = None,
        replace: bool = False,
        progress: Progress | None = None,
        chunk_rows: int = STREAM_CHUNK_ROWS,
        origin: str | None = None,
        day_first: bool | None = None,
    ) -> DatasetInfo:
        """Read, validate and split a review table into a new dataset called ``name``.

        ``origin`` is recorded as the source location instead of the file's path: for a file that was
        staged somewhere temporary (an app upload), the path would name a folder that no longer exists.

        The file is streamed in chunks of ``chunk_rows`` rows (CSV/TSV, JSON Lines, Parquet; Excel and
        JSON are read whole), so memory does not grow with its size. Column options and ``day_first`` work
        as in :func:`alignment.ingest.load_reviews`, and the dataset loads back as the same ReviewSet.
        Sentences are not embedded here: the first check (or :meth:`embed_dataset`) does it, once.

        Raises:
            DatasetNameError: the name is not allowed.
            DuplicateDatasetError: the name is taken and ``replace`` is false.
            InputError: the file is missing, unreadable, lacks a column, or holds no review text.
        """
        # Read into a file of its own first, without this object's lock: other threads go on meanwhile.
        return _ingest(
            lambda wait_s: contextlib.nullcontext(self),
            source,
            name,
            text_column=text_column,
            id_column=id_column,
            date_column=date_column,
            rating_column=rating_column,
            segment_columns=segment_columns,
            sheet=sheet,
            replace=replace,
            progress=progress or SilentProgress(),
            chunk_rows=chunk_rows,
            origin=origin,
            day_first=day_first,
        )

    def _refuse_duplicate(self, name: str, replace: bool) -> None:
        with self._lock:
            taken = self._find(name) is not None
        if taken and not replace:
            raise DuplicateDatasetError(
                f"A dataset named {name!r} already exists. Choose another name, or replace it "
                "(--replace on the command line, replace=True in Python)."
            )

    def _merge(self, staged: _Staged, name: str, replace: bool) -> DatasetInfo:
        """Copy a staged dataset in as ``name`` (dropping an older one of that name) in one transaction."""
        self._require_writable()
        summary = staged.summary
        columns = dict(summary.columns)
        mapping = {
            key: summary.columns[key]
            for key in ("text", "id", "date", "rating", "segments", "day_first")
            if key in summary.columns
        }
        # A name of its own: DuckDB shares attached databases between connections of one process.
        alias = f"staged_{os.getpid()}_{threading.get_ident()}"
        # Two Workspace objects of one process (two app sessions) share one DuckDB instance, whose transactions do
        # not keep two copies in under one new name apart: the check of the name and the copy run one at a time.
        with self._lock, _database_lock(self.database):
            try:
                self._refuse_duplicate(name, replace)  # again: another process may have taken the name meanwhile
            except DuplicateDatasetError as exc:
                raise NameTakenMeanwhileError(
                    f"A dataset named {name!r} was saved by someone else while this file was read, so this one "
                    "was not saved. Ingest it again under another name, or replace that one "
                    "(--replace on the command line, replace=True in Python)."
                ) from exc
            row = _first(self._con.execute("SELECT nextval('dataset_ids')").fetchall())
            assert row is not None
            dataset_id = int(row[0])
            quoted = str(staged.path).replace("'", "''")
            self._con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)")
            try:
                self._con.execute("BEGIN TRANSACTION")
                try:
                    for (old_id,) in self._con.execute(
                        "SELECT dataset_id FROM datasets WHERE name = ? AND status = 'ready'", [name]
                    ).fetchall():
                        self._delete_rows(int(old_id), transaction=False)
                    self._con.execute(
                        "INSERT INTO datasets (dataset_id, name, status, source, source_path, sha256, size_bytes, "
                        "created_at, rows, reviews, sentences, skipped, columns, mapping) "
                        "VALUES (?, ?, 'ready', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            dataset_id,
                            name,
                            staged.source,
                            staged.source_path,
                            staged.sha256,
                            staged.size,
                            _now(),
                            summary.rows,
                            summary.reviews,
                            summary.sentences,
                            json.dumps(dict(summary.skipped)),
                            json.dumps(columns),
                            json.dumps(mapping),
                        ],
                    )
                    self._con.execute(f"INSERT INTO reviews SELECT ?, * FROM {alias}.reviews", [dataset_id])
                    self._con.execute(f"INSERT INTO sentences SELECT ?, * FROM {alias}.sentences", [dataset_id])
                    self._con.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(Exception):
                        self._con.execute("ROLLBACK")
                    raise
            finally:
                with contextlib.suppress(Exception):
                    self._con.execute(f"DETACH {alias}")
            self._loaded.clear()
            self._vectors.clear()
            info = self._find(name)
        assert info is not None
        return info

    def _delete_rows(self, dataset_id: int, transaction: bool = True) -> None:
        statements = (
            "DELETE FROM sentences WHERE dataset_id = ?",
            "DELETE FROM reviews WHERE dataset_id = ?",
            "DELETE FROM datasets WHERE dataset_id = ?",
        )
        if not transaction:
            for statement in statements:
                self._con.execute(statement, [dataset_id])
            return
        self._con.execute("BEGIN TRANSACTION")
        try:
            for statement in statements:
                self._con.execute(statement, [dataset_id])
            self._con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                self._con.execute("ROLLBACK")
            raise
        self._loaded.pop(dataset_id, None)
        for key in [key for key in self._vectors if key[0] == dataset_id]:
            del self._vectors[key]

    _DATASET_COLUMNS = (
        "dataset_id, name, source, source_path, sha256, size_bytes, created_at, rows, reviews, sentences, "
        "skipped, columns, mapping"
    )

    def _find(self, name: str) -> DatasetInfo | None:
        row = _first(
            self._con.execute(
                f"SELECT {self._DATASET_COLUMNS} FROM datasets WHERE name = ? AND status = 'ready'", [name]
            ).fetchall()
        )
        return None if row is None else _dataset_info(row)

    def list_datasets(self) -> list[DatasetInfo]:
        """Every complete dataset, by name."""
        with self._lock:
            rows = self._con.execute(
                f"SELECT {self._DATASET_COLUMNS} FROM datasets WHERE status = 'ready' ORDER BY name"
            ).fetchall()
        return [_dataset_info(row) for row in rows]

    def dataset(self, name: str) -> DatasetInfo:
        """The dataset called ``name``.

        Raises:
            DatasetNameError, UnknownDatasetError: the name is not allowed, or no such dataset exists.
        """
        validate_name(name)
        with self._lock:
            info = self._find(name)
        if info is None:
            known = [d.name for d in self.list_datasets()]
            # A long list would bury the message on one line: name the first few, count the rest.
            more = len(known) - NAMED_DATASETS
            shown = ", ".join(known[:NAMED_DATASETS]) + (
                f" and {more} more (`alignment datasets` lists them all)" if more > 0 else ""
            )
            hint = f" The datasets are: {shown}." if known else " The workspace has no datasets yet."
            # Names are told apart by case ("Cloth" and "cloth" may both exist): one spelled otherwise is named.
            cased = [other for other in known if other.lower() == name.lower()]
            if cased:
                hint = f" Names are case-sensitive: did you mean {' or '.join(repr(other) for other in cased)}?{hint}"
            raise UnknownDatasetError(
                f"No dataset named {name!r} in the workspace {self.location}.{hint} "
                f"Add one with `alignment ingest FILE --name {name}`."
            )
        return info

    def load_dataset(self, name: str) -> ReviewSet:
        """The dataset's reviews and sentences, as :func:`alignment.ingest.load_reviews` returned them.

        The last few datasets loaded are held in memory, so a re-check does not read them again.

        Raises:
            UnknownDatasetError: no such dataset.
        """
        info = self.dataset(name)
        with self._lock:
            cached = self._loaded.get(info.dataset_id)
            if cached is not None:
                self._loaded.move_to_end(info.dataset_id)
                return cached
            review_table = self._con.sql(
                "SELECT review_id, data_row, review_date, rating, segments, text FROM reviews "
                "WHERE dataset_id = ? ORDER BY review_index",
                params=[info.dataset_id],
            ).to_arrow_table()
            sentence_arrays = self._con.execute(
                "SELECT review_index, start_offset, end_offset FROM sentences WHERE dataset_id = ? "
                "ORDER BY sentence_index",
                [info.dataset_id],
            ).fetchnumpy()
        segment_names = info.mapping.segments
        columns = {name: review_table.column(name).to_pylist() for name in review_table.column_names}
        reviews = tuple(
            Review(
                review_id=review_id,
                text=text,
                row=int(data_row),
                date=date,
                rating=rating,
                segments=dict(zip(segment_names, segments or (), strict=False)),
            )
            for review_id, data_row, date, rating, segments, text in zip(
                columns["review_id"],
                columns["data_row"],
                columns["review_date"],
                columns["rating"],
                columns["segments"],
                columns["text"],
                strict=True,
            )
        )
        texts = [review.text for review in reviews]
        sentences = tuple(
            Sentence(review_index=index, text=texts[index][start:end], start=start, end=end)
            for index, start, end in zip(
                np.asarray(sentence_arrays["review_index"]).tolist(),
                np.asarray(sentence_arrays["start_offset"]).tolist(),
                np.asarray(sentence_arrays["end_offset"]).tolist(),
                strict=True,
            )
        )
        review_set = ReviewSet(reviews=reviews, sentences=sentences, summary=info.summary, mapping=info.mapping)
        with self._lock:
            self._loaded[info.dataset_id] = review_set
            while len(self._loaded) > LOADED_DATASETS:
                self._loaded.popitem(last=False)
        return review_set

    def delete_dataset(self, name: str) -> None:
        """Remove a dataset (its reviews and sentences; cached embeddings stay for other datasets until
        :meth:`prune_embeddings`).

        Raises:
            UnknownDatasetError: no such dataset.
        """
        self._require_writable()
        info = self.dataset(name)
        with self._lock, _disk_errors(self.database, f"while dataset {name!r} was deleted; it was kept", self.setting):
            self._delete_rows(info.dataset_id)

    def prune_embeddings(self) -> dict[str, int]:
        """Drop the stored vectors that no saved dataset's sentences use (left by deleted datasets, replaced
        ones and embedded claims), and those of a fast-embedder recipe this version no longer builds; return
        how many were removed and how many remain.

        Nothing a dataset needs is touched: every vector of a sentence still in some dataset stays, so no
        check re-embeds after a prune (claims are re-embedded, a few at a time, when next checked). An old
        recipe's vectors are never read again: its model id is not the fast embedder's any more.
        """
        self._require_writable()
        pruning = "while unused vectors were pruned; datasets and runs are kept"
        with self._lock, _disk_errors(self.database, pruning, self.setting):
            before = _first(self._con.execute("SELECT count(*) FROM embeddings").fetchall())
            self._con.execute(
                "DELETE FROM embeddings WHERE text_hash NOT IN (SELECT DISTINCT text_hash FROM sentences) "
                "OR (starts_with(model_id, ?) AND model_id <> ?)",
                [f"{MODEL_ID}#", FAST_MODEL_ID],
            )
            after = _first(self._con.execute("SELECT count(*) FROM embeddings").fetchall())
            self._con.execute("CHECKPOINT")  # hands the freed blocks back for reuse now, not at close
        removed = int(before[0] if before else 0) - int(after[0] if after else 0)
        return {"removed": removed, "remaining": int(after[0]) if after else 0}

    def embedding_coverage(self, name: str) -> dict[str, int]:
        """For each model id: how many of the dataset's distinct sentences have a stored vector."""
        info = self.dataset(name)
        with self._lock:
            rows = self._con.execute(
                "SELECT e.model_id, count(*) FROM (SELECT DISTINCT text_hash FROM sentences WHERE dataset_id = ?) s "
                "JOIN embeddings e ON e.text_hash = s.text_hash GROUP BY e.model_id ORDER BY e.model_id",
                [info.dataset_id],
            ).fetchall()
        return {str(model): int(count) for model, count in rows}

    def sample_texts(self, name: str, limit: int = ENGLISH_SAMPLE) -> list[str]:
        """Up to ``limit`` of the dataset's review texts, evenly spaced through it, without loading the rest:
        enough to tell what language it is in (:func:`alignment.pipeline.language_note`)."""
        info = self.dataset(name)
        step = max(1, -(-info.reviews // max(1, limit)))
        with self._lock:
            rows = self._con.execute(
                "SELECT text FROM reviews WHERE dataset_id = ? AND review_index % ? = 0 ORDER BY review_index",
                [info.dataset_id, step],
            ).fetchall()
        return [str(row[0]) for row in rows]

    def date_and_rating_ranges(self, name: str) -> dict[str, Any]:
        """The dataset's dates and ratings in brief, by SQL: first and last date and how many reviews are
        dated; lowest, highest and mean rating, how many are rated, the scale they fit and how many lie off
        it (typos above it, :func:`alignment.ratings.rating_bounds`), the mean over those on it as the
        app's overview gives it (None where there are none)."""
        info = self.dataset(name)
        with self._lock:
            row = _first(
                self._con.execute(
                    "SELECT min(review_date), max(review_date), count(review_date) FROM reviews WHERE dataset_id = ?",
                    [info.dataset_id],
                ).fetchall()
            )
            # A column repeats a few values: the scale is read from them and their counts, not every rating.
            counted = self._con.execute(
                "SELECT rating, count(*) FROM reviews WHERE dataset_id = ? AND rating IS NOT NULL GROUP BY rating",
                [info.dataset_id],
            ).fetchall()
        first, last, dated = row if row else (None,) * 3
        values = np.array([float(value) for value, _ in counted], dtype=np.float64)
        counts = np.array([int(count) for _, count in counted], dtype=np.int64)
        bounds = rating_bounds(np.repeat(values, counts).tolist()) if len(values) else None
        on_scale = values <= bounds[1] if bounds is not None else np.zeros(len(values), dtype=bool)
        kept = int(counts[on_scale].sum())
        mean = float((values[on_scale] * counts[on_scale]).sum() / kept) if kept else None
        return {
            "dates": {"first": first, "last": last, "dated": int(dated or 0)},
            "ratings": {
                "min": float(values.min()) if len(values) else None,
                "max": float(values.max()) if len(values) else None,
                "mean": None if mean is None else round(mean, 4),
                "rated": int(counts.sum()),
                "scale": None if bounds is None else [bounds[0], bounds[1]],
                "off_scale": int(counts.sum()) - kept,
            },
        }

    def distinct_sentences(self, name: str) -> int:
        """How many different sentence texts the dataset has (what embedding it costs)."""
        info = self.dataset(name)
        with self._lock:
            row = _first(
                self._con.execute(
                    "SELECT count(DISTINCT text_hash) FROM sentences WHERE dataset_id = ?", [info.dataset_id]
                ).fetchall()
            )
        return int(row[0]) if row else 0

    # --- embeddings ----------------------------------------------------------------------------------------

    def embedding_cache(self) -> WorkspaceEmbeddingCache:
        """An :class:`alignment.embed.EmbeddingCache` backed by this workspace (float16 on disk)."""
        return WorkspaceEmbeddingCache(self)

    def embed_dataset(
        self, name: str, embedder: Embedder | None = None, progress: Progress | None = None, batch: int = EMBED_BATCH
    ) -> int:
        """Embed every sentence of the dataset that has no stored vector for this model yet.

        Works through the dataset ``batch`` sentences at a time, storing each batch, so memory stays
        bounded and an interruption keeps what was done; other threads may use the workspace between
        batches. Returns the number of sentences embedded. :func:`embed_dataset_at` does the same while
        holding the workspace only to read and store each batch.
        """
        self._require_writable()
        return _embed_missing(lambda: contextlib.nullcontext(self), name, embedder, progress, batch)

    def _missing_count(self, dataset_id: int, model_id: str) -> int:
        with self._lock:
            row = _first(
                self._con.execute(
                    "SELECT count(DISTINCT s.text_hash) FROM sentences s WHERE s.dataset_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM embeddings e WHERE e.model_id = ? AND e.text_hash = s.text_hash)",
                    [dataset_id, model_id],
                ).fetchall()
            )
        return int(row[0]) if row else 0

    def _missing_page(self, dataset_id: int, model_id: str, after: int, limit: int) -> list[tuple[int, str, str]]:
        """Up to ``limit`` sentences after sentence ``after`` with no vector for the model: index, key, text."""
        with self._lock:
            rows = self._con.execute(
                "SELECT s.sentence_index, s.text_hash, r.text, s.start_offset, s.end_offset FROM sentences s "
                "JOIN reviews r ON r.dataset_id = s.dataset_id AND r.review_index = s.review_index "
                "WHERE s.dataset_id = ? AND s.sentence_index > ? AND NOT EXISTS "
                "(SELECT 1 FROM embeddings e WHERE e.model_id = ? AND e.text_hash = s.text_hash) "
                "ORDER BY s.sentence_index LIMIT ?",
                [dataset_id, after, model_id, limit],
            ).fetchall()
        return [(int(index), text_hash, text[start:end]) for index, text_hash, text, start, end in rows]

    # --- checks and runs -----------------------------------------------------------------------------------

    def check(
        self,
        ads: str | Sequence[str] | Sequence[Ad] | pd.DataFrame | None,
        dataset: str,
        config: Config | None = None,
        *,
        claims: Sequence[str] | Sequence[Claim] | None = None,
        embedder: Embedder | TextEncoder | str | None = None,
        stance_model: StanceModel | None = None,
        nlp: Language | None = None,
        progress: Progress | None = None,
    ) -> Report:
        """:func:`alignment.pipeline.check` against a stored dataset, with vectors from (and into) the workspace.

        ``embedder`` is the raw model (default: :func:`alignment.embed.select_embedder`); it is wrapped so
        that only sentences never embedded by that model are computed. The run is not saved: call
        :meth:`save_run` with the report.
        """
        from alignment.pipeline import check, check_parts

        config, chosen, stance_model, progress = check_parts(config, embedder, stance_model, nlp, progress)
        info = self.dataset(dataset)
        review_set = self.load_dataset(dataset)
        model = chosen or select_embedder()
        served = _DatasetVectors(self, info.dataset_id, review_set, CachedEmbedder(model, self.embedding_cache()))
        return check(
            ads,
            review_set,
            config,
            claims=claims,
            embedder=served,
            stance_model=stance_model,
            nlp=nlp,
            progress=progress,
        )

    def evaluate_evidence(
        self,
        claims: Sequence[str],
        dataset: str,
        label_column: str,
        about_column: str | None = None,
        config: Config | None = None,
        *,
        embedder: Embedder | None = None,
        stance_model: StanceModel | None = None,
        progress: Progress | None = None,
        labels_per_claim: bool = False,
        group_column: str | None = None,
        min_relevant: int = 1,
    ) -> EvidenceEvaluation:
        """:func:`alignment.evaluate.evaluate_evidence` against a stored dataset: one setting of
        :meth:`evaluate_evidence_sweep`, whose arguments it takes, ``config`` (``Config()`` when omitted) in
        place of ``configs``."""
        (result,) = self.evaluate_evidence_sweep(
            claims,
            dataset,
            label_column,
            about_column,
            [config or Config()],
            embedder=embedder,
            stance_model=stance_model,
            progress=progress,
            labels_per_claim=labels_per_claim,
            group_column=group_column,
            min_relevant=min_relevant,
        )
        return result

    def check_evaluation_columns(
        self, dataset: str, label_column: str, about_column: str | None = None, group_column: str | None = None
    ) -> ColumnMapping:
        """The dataset's column mapping, once every column an evaluation names is one the dataset kept.

        Raises:
            UnknownDatasetError: no such dataset.
            MissingColumnError: a named column was not kept at ingest (the message says how to keep it).
        """
        mapping = self.dataset(dataset).mapping
        kept = [name for name in (mapping.rating, *mapping.segments) if name]
        for option, column in (
            ("label column", label_column),
            ("about column", about_column),
            ("group column", group_column),
        ):
            if column is not None and _stored_column(mapping, column) is None:
                stored = f"it kept {', '.join(repr(name) for name in kept)}" if kept else "it kept no such column"
                raise MissingColumnError(
                    f"The {option} {column!r} is not stored in dataset {dataset!r} ({stored}). To keep it, "
                    f"re-ingest the file with --replace and --segment-column {column}, beside any it keeps now."
                )
        return mapping

    def evaluate_evidence_sweep(
        self,
        claims: Sequence[str],
        dataset: str,
        label_column: str,
        about_column: str | None,
        configs: Sequence[Config],
        *,
        embedder: Embedder | None = None,
        stance_model: StanceModel | None = None,
        progress: Progress | None = None,
        labels_per_claim: bool = False,
        group_column: str | None = None,
        min_relevant: int = 1,
    ) -> list[EvidenceEvaluation]:
        """:func:`alignment.evaluate.evaluate_evidence_sweep` against a stored dataset, with vectors from (and
        into) the workspace, so that evaluating again (other claims, other settings) embeds no review sentence.
        The dataset is loaded and split once for every setting.

        The label, about and group columns must be among those the dataset kept when it was ingested: its
        rating column or one of its segment columns (``--segment-column``). ``embedder`` is the raw model, as
        for :meth:`check`. Nothing is saved.

        Raises:
            UnknownDatasetError: no such dataset.
            MissingColumnError: a named column was not kept at ingest.
        """
        mapping = self.check_evaluation_columns(dataset, label_column, about_column, group_column)
        return _evaluate_stored(
            claims,
            self.load_dataset(dataset),
            mapping,
            label_column,
            about_column,
            configs,
            embedder=CachedEmbedder(embedder or select_embedder(), self.embedding_cache()),
            stance_model=stance_model,
            progress=progress,
            labels_per_claim=labels_per_claim,
            group_column=group_column,
            min_relevant=min_relevant,
        )

    def save_run(
        self,
        report: Report,
        *,
        dataset: str | None = None,
        label: str | None = None,
        embedder: str | None = None,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        dataset_id: int | None = None,
    ) -> RunInfo:
        """Store a check: its claims, config, dataset summary, per-claim scores and every judged match.

        The matches are kept compactly (sentence index, similarity, probabilities, stance: 25 bytes each,
        compressed), not as report JSON, so saving a run with 100,000 matches takes a fraction of a second;
        :meth:`run_report` rebuilds the full report from them and the dataset. ``dataset_id`` is the id of the
        dataset the report was checked against (:func:`check_dataset_at` returns it), when the workspace was
        let go meanwhile.

        Raises:
            UnknownDatasetError: no such dataset, or it is no longer the one of ``dataset_id`` (deleted or
                replaced while the check ran: its matches would point at other sentences).
        """
        from alignment.report import Report

        if not isinstance(report, Report):
            raise InputError(
                f"save_run takes the Report that check() returns, not {type(report).__name__}: "
                "report = workspace.check(...); workspace.save_run(report, dataset=...)."
            )
        self._require_writable()
        embedder = embedder or report.embedder  # a report of check() knows its embedder
        if dataset is not None and dataset_id is not None:
            with self._lock:
                info = self._find(dataset)
            if info is None or info.dataset_id != dataset_id:
                what = "deleted" if info is None else "replaced"
                raise UnknownDatasetError(
                    f"The dataset {dataset!r} was {what} while this check ran, so the run was not saved (its "
                    "evidence points at sentences no longer stored). Run the check again."
                )
        else:
            info = self.dataset(dataset) if dataset is not None else None
        if info is not None and (report.dataset.source, len(report.sentences)) != (info.source, info.sentences):
            # The run stores its evidence as sentence numbers of the dataset: another table's numbers would
            # point at other sentences, or past the last.
            raise InputError(
                f"This report was checked against {report.dataset.source} ({len(report.sentences):,} sentences), "
                f"not the dataset {dataset!r} ({info.source}, {info.sentences:,} sentences): its evidence would "
                "point at other sentences. Save it with the dataset it was checked against, or with no dataset."
            )
        if label is not None:
            # A label is shown on one line (the runs table, the app's run picker): line breaks and tabs in it
            # would break the table, so its whitespace is read as single spaces.
            label = " ".join(label.split()) or None
        finished = finished_at or _now()
        claims = [dataclasses.asdict(result.claim) for result in report.claims]
        summary: dict[str, Any] = {"dataset": dataclasses.asdict(report.dataset), "notes": list(report.notes)}
        if report.rating_prior is not None:
            summary["rating_prior"] = dataclasses.asdict(report.rating_prior)
        # Kept in the summary's JSON (no column of their own: older workspaces open as they are), and only when
        # the check read ad copy: a run saved without them loads without them.
        if report.possible_claims is not None:
            summary["possible_claims"] = [dataclasses.asdict(found) for found in report.possible_claims]
        if report.ads is not None:
            summary["ads"] = [dataclasses.asdict(ad) for ad in report.ads]
        judgements = _pack_judgements(report)
        with self._lock, _disk_errors(self.database, "while the run was saved; it was not saved", self.setting):
            row = _first(self._con.execute("SELECT nextval('run_ids')").fetchall())
            assert row is not None
            run_id = int(row[0])
            self._con.execute("BEGIN TRANSACTION")
            try:
                self._con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        dataset,
                        None if info is None else info.dataset_id,
                        None if info is None else info.sha256,
                        label,
                        embedder,
                        started_at,
                        finished,
                        json.dumps(claims, ensure_ascii=False),
                        json.dumps(report.config.to_dict()),
                        json.dumps(summary, ensure_ascii=False, default=str),
                        judgements,
                    ],
                )
                rows = []
                for position, result in enumerate(report.claims):
                    score = result.score
                    low, high = score.interval if score.interval is not None else (None, None)
                    claim = result.claim
                    rows.append(
                        (
                            run_id,
                            position,
                            claim.claim_id,
                            claim.ad_id,
                            claim.text,
                            claim.aspect,
                            claim.type,
                            score.mentions,
                            score.supports,
                            score.contradicts,
                            score.neutral,
                            score.alignment,
                            low,
                            high,
                            score.risk,
                        )
                    )
                if rows:
                    # One statement for all claims: executemany runs the insert once per row (a few times slower).
                    placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
                    self._con.execute(
                        f"INSERT INTO run_claims VALUES {placeholders}", [value for row in rows for value in row]
                    )
                self._con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    self._con.execute("ROLLBACK")
                raise
        return self.run(run_id)

    _RUN_COLUMNS = "run_id, dataset, dataset_sha256, label, embedder, started_at, finished_at, config"

    def list_runs(
        self, dataset: str | None = None, limit: int | None = None, *, deleted_datasets: bool = False
    ) -> list[RunInfo]:
        """Saved runs, newest first; only those on ``dataset`` when given, or with ``deleted_datasets`` only
        those whose dataset is no longer in the workspace (chosen before ``limit`` applies)."""
        query = f"SELECT {self._RUN_COLUMNS} FROM runs"
        params: list[object] = []
        if dataset is not None:
            query += " WHERE dataset = ?"
            params.append(dataset)
        elif deleted_datasets:
            query += " WHERE dataset IS NULL OR dataset NOT IN (SELECT name FROM datasets WHERE status = 'ready')"
        query += " ORDER BY run_id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(int(limit))
        with self._lock:
            rows = self._con.execute(query, params).fetchall()
            ids = [int(row[0]) for row in rows]
            claims = self._run_claims(ids)
        return [_run_info(row, claims.get(int(row[0]), ())) for row in rows]

    def run(self, run_id: int | RunInfo) -> RunInfo:
        """One saved run, by its number (or the RunInfo :meth:`save_run` returned).

        Raises:
            UnknownRunError: no run has that id.
        """
        run_id = _run_number(run_id)
        with self._lock:
            row = _first(
                self._con.execute(f"SELECT {self._RUN_COLUMNS} FROM runs WHERE run_id = ?", [int(run_id)]).fetchall()
            )
            if row is None:
                raise UnknownRunError(f"No run {run_id} in the workspace {self.location}. `alignment runs` lists them.")
            claims = self._run_claims([int(run_id)])
        return _run_info(row, claims.get(int(run_id), ()))

    def run_report(self, run_id: int | RunInfo) -> dict[str, Any]:
        """The full report (schema alignment.report/1) of a saved run, rebuilt from what it stored
        (:meth:`load_run`, as a dict)."""
        return self.load_run(run_id).to_dict()

    def load_run(self, run_id: int | RunInfo) -> Report:
        """A saved run as the Report its check gave, rebuilt from what it stored: every claim's counts and
        verdict, and its judged matches with their reviews' dates, ratings and segments.

        Matched sentences are read from the run's dataset; when that dataset has since been deleted or
        replaced, the report keeps every count and verdict but no matches, and a note says why.
        """
        from alignment.records import ClaimResult
        from alignment.report import Report

        run_id = _run_number(run_id)
        info = self.run(run_id)
        with self._lock:
            row = _first(
                self._con.execute(
                    "SELECT r.claims, r.summary, r.judgements, r.dataset_id, d.name FROM runs r LEFT JOIN datasets d "
                    "ON d.dataset_id = r.dataset_id AND d.status = 'ready' WHERE r.run_id = ?",
                    [int(run_id)],
                ).fetchall()
            )
        assert row is not None
        claims = [Claim(**item) for item in json.loads(row[0])]
        summary = json.loads(row[1])
        notes = list(summary.get("notes", ()))
        known = {f.name for f in dataclasses.fields(Config)}
        settings: dict[str, Any] = {k: v for k, v in info.config.items() if k in known}
        # A run saved before the rating prior existed read the text alone.
        settings.setdefault("rating_prior", False)
        # ... and one saved before the rating reader weighed by the ratings alone.
        settings.setdefault("rating_reader", False)
        # ... and one saved before amounts were compared with promised quantities read the model alone.
        settings.setdefault("quantities", False)
        # ... and one saved before relative matching matched every claim at min_similarity alone.
        settings.setdefault("relative_match", False)
        config = Config(**settings)
        rating_prior = None
        if summary.get("rating_prior"):
            saved = summary["rating_prior"]
            low, middle, high = saved["likelihood_ratio"]
            ratios = (float(low), float(middle), float(high))
            auc = saved.get("reader_auc")
            rating_prior = RatingPrior(
                ratios,
                int(saved["readings"]),
                int(saved.get("reader_sentences", 0)),
                None if auc is None else float(auc),
            )
        review_set = self.load_dataset(row[4]) if row[4] is not None else None
        judged: Sequence[Sequence[Judgement]] = (
            _unpack_judgements(row[2], len(claims)) if review_set is not None else [() for _ in claims]
        )
        if review_set is None and any(claim.mentions for claim in info.claims):
            notes.append(
                "This run was saved without a dataset, so its matched sentences are not included; the counts and "
                "verdicts are as they were."
                if info.dataset is None
                else f"The dataset {info.dataset!r} was deleted or replaced after this run, so its matched "
                "sentences are not included; the counts and verdicts are as they were."
            )
        results = tuple(
            ClaimResult(claim=claim, score=stored.score, judgements=judgements)
            for claim, stored, judgements in zip(claims, info.claims, judged, strict=True)
        )
        # A run saved before its possible claims and ads were kept, or of claims given verbatim, has neither.
        possible = summary.get("possible_claims")
        ads = summary.get("ads")
        report = Report(
            claims=results,
            dataset=DatasetSummary(**summary["dataset"]),
            config=config,
            reviews=review_set.reviews if review_set is not None else (),
            sentences=review_set.sentences if review_set is not None else (),
            notes=tuple(notes),
            possible_claims=None if possible is None else tuple(PossibleClaim(**found) for found in possible),
            rating_prior=rating_prior,
            ads=None if ads is None else tuple(Ad(**ad) for ad in ads),
            embedder=info.embedder,
        )
        return report

    def delete_run(self, run_id: int | RunInfo) -> None:
        """Forget a saved run."""
        run_id = _run_number(run_id)
        self._require_writable()
        self.run(run_id)
        with self._lock, _disk_errors(self.database, f"while run {run_id} was deleted; it was kept", self.setting):
            # Both or neither: a run left without its claims would be listed with none and fail to load.
            self._con.execute("BEGIN TRANSACTION")
            try:
                self._con.execute("DELETE FROM run_claims WHERE run_id = ?", [int(run_id)])
                self._con.execute("DELETE FROM runs WHERE run_id = ?", [int(run_id)])
                self._con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    self._con.execute("ROLLBACK")
                raise

    # --- drafts --------------------------------------------------------------------------------------------

    def save_draft(
        self, name: str, body: str, keep_recent: int | None = None, keep_days: int | None = None
    ) -> datetime:
        """Keep ``body`` (an app's unsaved work, as text) as the draft ``name``, in place of the one before;
        return when it was saved (UTC, naive). Datasets and runs are not touched.

        Drafts are pruned here, so the table does not grow without bound: a draft is kept while it is one of the
        ``keep_recent`` saved last (default :data:`DRAFTS_KEPT`) or was saved in the last ``keep_days`` days
        (default :data:`DRAFT_DAYS`); the others are deleted.

        Raises:
            InputError: the workspace can only be read.
            WorkspaceError: the draft could not be written (the one before is kept, and none is pruned).
        """
        self._require_writable()
        recent = DRAFTS_KEPT if keep_recent is None else keep_recent
        days = DRAFT_DAYS if keep_days is None else keep_days
        saved_at = _now()
        with self._lock, _disk_errors(self.database, "while a draft was saved; the one before was kept", self.setting):
            # Both or neither: a failed prune must not leave the page saying the draft was not kept when it was.
            self._con.execute("BEGIN TRANSACTION")
            try:
                self._con.execute("INSERT OR REPLACE INTO drafts VALUES (?, ?, ?)", [name, saved_at, body])
                self._con.execute(
                    "DELETE FROM drafts WHERE saved_at < ? AND name NOT IN "
                    "(SELECT name FROM drafts ORDER BY saved_at DESC, name LIMIT ?)",
                    [saved_at - timedelta(days=days), recent],
                )
                self._con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    self._con.execute("ROLLBACK")
                raise
        return saved_at

    def load_draft(self, name: str) -> tuple[str, datetime] | None:
        """The draft ``name`` and when it was saved (UTC, naive), or None when there is none."""
        with self._lock:
            tables = self._con.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() "
                "AND table_schema = 'main' AND table_name = 'drafts'"
            ).fetchall()
            if not tables:  # a workspace from before drafts, opened read-only (so the table was not added)
                return None
            row = _first(self._con.execute("SELECT body, saved_at FROM drafts WHERE name = ?", [name]).fetchall())
        return None if row is None else (str(row[0]), row[1])

    def _run_claims(self, run_ids: Sequence[int]) -> dict[int, tuple[RunClaim, ...]]:
        if not run_ids:
            return {}
        placeholders = ", ".join("?" for _ in run_ids)
        rows = self._con.execute(
            "SELECT run_id, claim_id, ad_id, text, aspect, type, mentions, supports, contradicts, neutral, "
            f"alignment, interval_low, interval_high, risk FROM run_claims WHERE run_id IN ({placeholders}) "
            "ORDER BY run_id, position",
            list(run_ids),
        ).fetchall()
        grouped: dict[int, list[RunClaim]] = {}
        for row in rows:
            grouped.setdefault(int(row[0]), []).append(
                RunClaim(
                    claim_id=row[1],
                    ad_id=row[2],
                    text=row[3],
                    aspect=row[4],
                    type=row[5],
                    mentions=int(row[6]),
                    supports=int(row[7]),
                    contradicts=int(row[8]),
                    neutral=int(row[9]),
                    alignment=row[10],
                    interval=None if row[11] is None else (float(row[11]), float(row[12])),
                    risk=row[13],
                )
            )
        return {run_id: tuple(items) for run_id, items in grouped.items()}


class _LateBar:
    """Progress whose bar opens only when :meth:`begin` is called; advances before that are held back."""

    def __init__(self, progress: Progress, stage: str, total: int) -> None:
        self.progress = progress
        self.stage = stage
        self.total = total
        self.pending = 0
        self.started = False

    def begin(self) -> None:
        if not self.started:
            self.started = True
            self.progress.start(self.stage, self.total)
            if self.pending:
                self.progress.advance(self.pending)

    def advance(self, done: int) -> None:
        if self.started:
            self.progress.advance(done)
        else:
            self.pending += done


class _DatasetVectors:
    """The embedder a workspace check uses: a dataset's whole sentence matrix is kept in memory after the
    first check, so a re-check with new claims embeds only the claims; anything else goes to the cache."""

    def __init__(self, workspace: Workspace, dataset_id: int, review_set: ReviewSet, inner: CachedEmbedder) -> None:
        self.workspace = workspace
        self.inner = inner
        self.model_id = inner.model_id
        self._key = (dataset_id, inner.model_id)
        self._texts = [sentence.text for sentence in review_set.sentences]

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """The dataset's sentence vectors (from memory once loaded), or the cached embedder's result."""
        if len(texts) != len(self._texts) or list(texts) != self._texts:
            return self.inner.encode(texts, progress)
        workspace = self.workspace
        with workspace._lock:
            matrix = workspace._vectors.get(self._key)
            if matrix is not None:
                workspace._vectors.move_to_end(self._key)
        if matrix is not None:
            if progress is not None:
                progress(len(texts))
            return matrix
        matrix = self.inner.encode(texts, progress)
        if matrix.nbytes <= MEMORY_VECTORS_BYTES:
            matrix.flags.writeable = False
            with workspace._lock:
                workspace._vectors[self._key] = matrix
                while len(workspace._vectors) > 1:
                    workspace._vectors.popitem(last=False)
        return matrix


class WorkspaceEmbeddingCache:
    """Embeddings stored in the workspace as float16, keyed by (model id, sha1 of the text).

    Implements :class:`alignment.embed.EmbeddingCache`, plus ``get_matrix`` (all vectors of a list of keys
    in one query) and ``as_stored`` (round vectors as storage will), which :class:`CachedEmbedder` uses.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the vectors found for these keys."""
        matrix, found = self.get_matrix(model_id, keys)
        if matrix is None:
            return {}
        return {keys[i]: matrix[i] for i in np.flatnonzero(found).tolist()}

    def get_matrix(self, model_id: str, keys: Sequence[str]) -> tuple[np.ndarray | None, np.ndarray]:
        """A float32 matrix with the vector of each key (zeros where absent) and a mask of keys found."""
        import pyarrow as pa

        found = np.zeros(len(keys), dtype=bool)
        if not keys:
            return None, found
        lookup = pa.table(
            {"pos": pa.array(np.arange(len(keys), dtype=np.int64)), "text_hash": pa.array(keys, pa.string())}
        )
        workspace = self.workspace
        with workspace._lock:
            workspace._con.register("_lookup", lookup)
            try:
                result = workspace._con.sql(
                    "SELECT q.pos, e.vector FROM _lookup q JOIN embeddings e ON e.text_hash = q.text_hash "
                    "WHERE e.model_id = ?",
                    params=[model_id],
                ).to_arrow_table()
            finally:
                workspace._con.unregister("_lookup")
        if result.num_rows == 0:
            return None, found
        positions = result.column("pos").to_numpy()
        vectors = _stored_vectors(result.column("vector"))
        matrix = np.zeros((len(keys), vectors.shape[1]), dtype=np.float32)
        matrix[positions] = vectors  # float16 to float32 in the same pass
        found[positions] = True
        return matrix, found

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store vectors for these keys (keys already stored for this model are left as they are)."""
        import pyarrow as pa

        workspace = self.workspace
        if not items or workspace.read_only:  # a cache: a workspace that can only be read computes them each time
            return
        keys = list(items)
        matrix = np.ascontiguousarray(np.stack([np.asarray(items[key]) for key in keys]), dtype=STORAGE_DTYPE)
        for begin in range(0, len(keys), 100_000):
            part = matrix[begin : begin + 100_000]
            width = part.shape[1] * part.itemsize
            offsets = pa.py_buffer((np.arange(part.shape[0] + 1, dtype=np.int32) * width).tobytes())
            blobs = pa.Array.from_buffers(pa.binary(), part.shape[0], [None, offsets, pa.py_buffer(part.tobytes())])
            rows = pa.table({"text_hash": pa.array(keys[begin : begin + 100_000], pa.string()), "vector": blobs})
            with workspace._lock:
                workspace._con.register("_new_vectors", rows)
                try:
                    workspace._con.execute(
                        "INSERT INTO embeddings SELECT ?, n.text_hash, n.vector FROM _new_vectors n WHERE NOT EXISTS "
                        "(SELECT 1 FROM embeddings e WHERE e.model_id = ? AND e.text_hash = n.text_hash)",
                        [model_id, model_id],
                    )
                finally:
                    workspace._con.unregister("_new_vectors")

    @staticmethod
    def as_stored(vectors: np.ndarray) -> np.ndarray:
        """The vectors as they will come back from storage (rounded to float16)."""
        return np.asarray(vectors, dtype=STORAGE_DTYPE).astype(np.float32)

    def count(self, model_id: str | None = None) -> int:
        """How many vectors are stored (for one model, or in all)."""
        workspace = self.workspace
        with workspace._lock:
            if model_id is None:
                row = _first(workspace._con.execute("SELECT count(*) FROM embeddings").fetchall())
            else:
                row = _first(
                    workspace._con.execute("SELECT count(*) FROM embeddings WHERE model_id = ?", [model_id]).fetchall()
                )
        return int(row[0]) if row else 0


class StoredVectors:
    """An embedding cache (see :class:`alignment.embed.CachedEmbedder`) kept in a workspace that is opened only
    to read or store vectors (``opening`` gives it open, and closes it after): the workspace is not held while
    the model embeds, matches or judges, so the app and other commands can use it meanwhile."""

    def __init__(self, opening: Callable[[], contextlib.AbstractContextManager[Workspace]]) -> None:
        self.opening = opening

    def get_matrix(self, model_id: str, keys: Sequence[str]) -> tuple[np.ndarray | None, np.ndarray]:
        """The stored vectors of these keys as one float32 matrix, and a mask of the keys found."""
        with self.opening() as workspace:
            return workspace.embedding_cache().get_matrix(model_id, keys)

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors found for these keys."""
        matrix, found = self.get_matrix(model_id, keys)
        if matrix is None:
            return {}
        return {keys[i]: matrix[i] for i in np.flatnonzero(found).tolist()}

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store new vectors (none when the workspace can only be read: they are computed again next time)."""
        if not items:
            return
        with (
            self.opening() as workspace,
            _disk_errors(workspace.database, "while storing sentence vectors", workspace.setting),
        ):
            workspace.embedding_cache().put_many(model_id, items)

    @staticmethod
    def as_stored(vectors: np.ndarray) -> np.ndarray:
        """The vectors as the workspace gives them back (float16), so a first check and a re-check agree."""
        return WorkspaceEmbeddingCache.as_stored(vectors)


def _stored_vectors(column: Any) -> np.ndarray:
    """Equal-length float16 BLOBs (an Arrow binary column) as one float16 matrix, without a copy per row."""
    import pyarrow as pa

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count == 0 and len(array) > 0:
        offset_type = np.int64 if pa.types.is_large_binary(array.type) else np.int32
        offsets = np.frombuffer(array.buffers()[1], dtype=offset_type)[array.offset : array.offset + len(array) + 1]
        lengths = np.diff(offsets)
        width = int(lengths[0])
        if width > 0 and width % 2 == 0 and bool(np.all(lengths == width)):
            data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
            return data.view(STORAGE_DTYPE).reshape(len(array), width // 2)
    return np.stack([np.frombuffer(blob, dtype=STORAGE_DTYPE) for blob in array.to_pylist()])


_JUDGEMENT = np.dtype(
    [
        ("claim", "<i4"),
        ("sentence", "<i4"),
        ("similarity", "<f4"),
        ("p_supports", "<f4"),
        ("p_contradicts", "<f4"),
        ("p_neutral", "<f4"),
        ("stance", "u1"),
    ]
)


def _pack_judgements(report: Report) -> bytes:
    """Every judged match of a report as a compressed array of fixed-size records (claims in order)."""
    claims = [Judgements.from_records(result.judgements) for result in report.claims]
    array = np.empty(sum(len(judged) for judged in claims), dtype=_JUDGEMENT)
    begin = 0
    for position, judged in enumerate(claims):
        rows = slice(begin, begin + len(judged))
        # Column by column from the claim's arrays: no Python object per match.
        array["claim"][rows] = position
        array["sentence"][rows] = judged.sentence_index
        array["similarity"][rows] = judged.similarity
        array["p_supports"][rows] = judged.p_supports
        array["p_contradicts"][rows] = judged.p_contradicts
        array["p_neutral"][rows] = judged.p_neutral
        array["stance"][rows] = judged.label
        begin = rows.stop
    # Huffman coding only: the same zlib stream format, in half the time of level 1 for 10% more bytes (the
    # probabilities' low bits are noise that LZ77 matching spends its time on without finding repeats).
    compressor = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS, 9, zlib.Z_HUFFMAN_ONLY)
    return compressor.compress(array.tobytes()) + compressor.flush()


def _unpack_judgements(blob: bytes | None, claims: int) -> list[Judgements]:
    """The judged matches of each of ``claims`` claims, as :func:`_pack_judgements` stored them."""
    if not blob:
        return [Judgements.from_records(()) for _ in range(claims)]
    array = np.frombuffer(zlib.decompress(blob), dtype=_JUDGEMENT)
    if np.any(array["claim"][1:] < array["claim"][:-1]):
        # Packing writes the claims in order; a stable sort keeps each claim's matches in order otherwise.
        array = array[np.argsort(array["claim"], kind="stable")]
    bounds = np.searchsorted(array["claim"], np.arange(claims + 1)).tolist()
    grouped = []
    for claim in range(claims):
        part = array[bounds[claim] : bounds[claim + 1]]
        grouped.append(
            Judgements(
                sentence_index=part["sentence"],
                similarity=part["similarity"],
                p_supports=part["p_supports"],
                p_contradicts=part["p_contradicts"],
                p_neutral=part["p_neutral"],
                label=part["stance"],
            )
        )
    return grouped


def ingest_dataset(
    location: str | Path | None,
    source: pd.DataFrame | str | Path,
    name: str,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    rating_column: str | None = None,
    segment_columns: Sequence[str] | None = None,
    sheet: str | int | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = STREAM_CHUNK_ROWS,
    origin: str | None = None,
    wait_s: float = MERGE_WAIT_S,
    day_first: bool | None = None,
) -> DatasetInfo:
    """Ingest ``source`` into the workspace at ``location`` as :meth:`Workspace.ingest` does, holding the
    workspace only for a moment at the start (to check the name) and at the end (to copy the dataset in).

    Reading a million rows takes a minute or more; meanwhile the app and other commands use the workspace
    as usual. The rows are read into a staging file beside the workspace, removed when the ingest ends
    (or, after a kill, when the workspace is next opened for writing). If another process has the
    workspace when the file has been read, the ingest waits up to ``wait_s`` seconds for it.

    Raises:
        DatasetNameError, DuplicateDatasetError, InputError: as :meth:`Workspace.ingest`.
        WorkspaceBusyError: another process held the workspace all the while (nothing was saved).
    """
    progress = progress or SilentProgress()
    return _ingest(
        lambda wait: open_when_free(location, wait, progress),
        source,
        name,
        text_column=text_column,
        id_column=id_column,
        date_column=date_column,
        rating_column=rating_column,
        segment_columns=segment_columns,
        sheet=sheet,
        replace=replace,
        progress=progress,
        chunk_rows=chunk_rows,
        origin=origin,
        wait_s=wait_s,
        day_first=day_first,
    )


def _ingest(
    hold: Callable[[float], contextlib.AbstractContextManager[Workspace]],
    source: pd.DataFrame | str | Path,
    name: str,
    *,
    replace: bool,
    progress: Progress,
    origin: str | None,
    wait_s: float = 0.0,
    **reading: Any,
) -> DatasetInfo:
    """Check the name, read ``source`` into a staging file, copy it in: the workspace that ``hold(wait_s)``
    gives (an open one, or one opened for the moment) is held for the first and last steps only."""
    validate_name(name)
    with hold(BRIEF_WAIT_S) as workspace:
        workspace._require_writable()
        workspace._refuse_duplicate(name, replace)
        database, setting = workspace.database, workspace.setting
    stream = ReviewStream(source, **reading)
    with _staging_file(database) as path:
        with _disk_errors(database, "while the file was read; nothing was saved", setting, ingest=True):
            staged = _stage(stream, path, progress, origin)
        try:
            with (
                hold(wait_s) as workspace,
                _disk_errors(database, "while the dataset was copied in; nothing was saved", setting, ingest=True),
            ):
                return workspace._merge(staged, name, replace)
        except WorkspaceBusyError as exc:
            raise WorkspaceBusyError(
                f"{exc} The file was read ({staged.summary.reviews:,} reviews) but dataset {name!r} was not saved, "
                f"since the workspace stayed in use for {wait_s:.0f} s; run the ingest again when it is free."
            ) from exc


def check_dataset_at(
    location: str | Path | None,
    ads: str | Sequence[str] | Sequence[Ad] | pd.DataFrame | None,
    dataset: str,
    config: Config | None = None,
    *,
    claims: Sequence[str] | Sequence[Claim] | None = None,
    embedder: Embedder | TextEncoder | str | None = None,
    stance_model: StanceModel | None = None,
    nlp: Language | None = None,
    progress: Progress | None = None,
    wait_s: float = MERGE_WAIT_S,
) -> tuple[Report, DatasetInfo]:
    """:meth:`Workspace.check` on the workspace at ``location``, opening it only to read the dataset, to read
    the stored sentence vectors, and to store each batch of new ones (waiting up to ``wait_s`` seconds each
    time another process has it): while the check embeds, matches and judges, the app and other commands
    use the workspace. The copy's claims are read before anything is embedded, so copy without a claim
    embeds nothing.

    Returns the report and the dataset it was checked against; pass ``dataset_id=info.dataset_id`` to
    :meth:`Workspace.save_run`, so that a run is never saved against a dataset replaced meanwhile.

    Raises:
        UnknownDatasetError: no such dataset.
    """
    from alignment.pipeline import check, check_parts

    config, chosen, stance_model, progress = check_parts(config, embedder, stance_model, nlp, progress)
    with open_when_free(location, wait_s, progress) as workspace:
        info = workspace.dataset(dataset)
        review_set = workspace.load_dataset(dataset)
    model = chosen or select_embedder()
    vectors = StoredVectors(lambda: open_when_free(location, wait_s))
    report = check(
        ads,
        review_set,
        config,
        claims=claims,
        embedder=CachedEmbedder(model, vectors),
        stance_model=stance_model,
        nlp=nlp,
        progress=progress,
    )
    return report, info


def evaluate_evidence_at(
    location: str | Path | None,
    claims: Sequence[str],
    dataset: str,
    label_column: str,
    about_column: str | None,
    configs: Sequence[Config],
    *,
    embedder: Embedder | None = None,
    stance_model: StanceModel | None = None,
    progress: Progress | None = None,
    labels_per_claim: bool = False,
    group_column: str | None = None,
    min_relevant: int = 1,
    wait_s: float = MERGE_WAIT_S,
) -> list[EvidenceEvaluation]:
    """:meth:`Workspace.evaluate_evidence_sweep` on the workspace at ``location``, opened only to read the
    dataset and the vectors and to store new ones, as :func:`check_dataset_at` does.

    Raises:
        UnknownDatasetError: no such dataset.
        MissingColumnError: a named column was not kept at ingest.
    """
    with open_when_free(location, wait_s, progress) as workspace:
        mapping = workspace.check_evaluation_columns(dataset, label_column, about_column, group_column)
        review_set = workspace.load_dataset(dataset)
    return _evaluate_stored(
        claims,
        review_set,
        mapping,
        label_column,
        about_column,
        configs,
        embedder=CachedEmbedder(embedder or select_embedder(), StoredVectors(lambda: open_when_free(location, wait_s))),
        stance_model=stance_model,
        progress=progress,
        labels_per_claim=labels_per_claim,
        group_column=group_column,
        min_relevant=min_relevant,
    )


def _evaluate_stored(
    claims: Sequence[str],
    review_set: ReviewSet,
    mapping: ColumnMapping,
    label_column: str,
    about_column: str | None,
    configs: Sequence[Config],
    *,
    embedder: Embedder,
    stance_model: StanceModel | None,
    progress: Progress | None,
    labels_per_claim: bool,
    group_column: str | None,
    min_relevant: int,
) -> list[EvidenceEvaluation]:
    """Evaluate claims against a stored dataset's reviews, under their source column names."""
    from alignment.evaluate import evaluate_evidence_sweep

    # A column named as in the file is found under the name it was kept by ("claim" as "claim (segment)").
    label_column = _stored_column(mapping, label_column) or label_column
    about_column = about_column and (_stored_column(mapping, about_column) or about_column)
    group_column = group_column and (_stored_column(mapping, group_column) or group_column)
    results = evaluate_evidence_sweep(
        claims,
        _dataset_frame(review_set, mapping),
        label_column,
        about_column,
        configs,
        text_column=mapping.text,
        # Without an id column the stored ids are row numbers: the long format then pairs rows by text,
        # as it does for the file.
        id_column=mapping.id,
        embedder=embedder,
        stance_model=stance_model,
        progress=progress,
        labels_per_claim=labels_per_claim,
        group_column=group_column,
        min_relevant=min_relevant,
    )
    # The rows skipped at ingest were rows of the labelled file too: count them, as a file's evaluation would.
    skipped = Counter(review_set.summary.skipped)
    skipped.update(results[0].skipped)
    return [dataclasses.replace(result, skipped=dict(skipped)) for result in results]


def _stored_column(mapping: ColumnMapping, column: str) -> str | None:
    """The name a dataset keeps the file's ``column`` under: its own, or its :func:`segment_name` (a segment
    "claim" is kept as "claim (segment)"); None when the dataset did not keep it."""
    stored = [name for name in (mapping.text, mapping.id, mapping.rating, *mapping.segments) if name]
    return next((name for name in (column, segment_name(column)) if name in stored), None)


def _dataset_frame(review_set: ReviewSet, mapping: ColumnMapping) -> pd.DataFrame:
    """The stored reviews as a table under their source column names: text, id, rating and segments."""
    reviews = review_set.reviews
    columns: dict[str, list[object]] = {mapping.text: [review.text for review in reviews]}
    if mapping.id:
        columns[mapping.id] = [review.review_id for review in reviews]
    if mapping.rating:
        columns[mapping.rating] = [review.rating for review in reviews]
    for name in mapping.segments:
        columns[name] = [review.segments.get(name, "") for review in reviews]
    return pd.DataFrame(columns)


@contextlib.contextmanager
def open_when_free(
    location: str | Path | None, wait_s: float = MERGE_WAIT_S, progress: Progress | None = None
) -> Iterator[Workspace]:
    """The workspace at ``location`` opened for writing (and closed after), waiting up to ``wait_s`` seconds
    while another process has it; ``progress`` shows a line while it waits.

    Raises:
        WorkspaceBusyError: another process held it all the while.
    """
    try:
        workspace = Workspace.open(location)
    except WorkspaceBusyError:
        progress = progress or SilentProgress()
        progress.start(f"waiting for the workspace (another process is using it; up to {wait_s:.0f} s)", 1)
        try:
            workspace = Workspace.open(location, wait_s=wait_s)
            progress.advance(1)
        finally:
            progress.finish()
    with workspace:
        yield workspace


def embed_dataset_at(
    location: str | Path | None,
    name: str,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    batch: int = EMBED_BATCH,
    wait_s: float = MERGE_WAIT_S,
) -> int:
    """:meth:`Workspace.embed_dataset` on the workspace at ``location``, opening it only to read each batch
    of sentences and to store its vectors (waiting up to ``wait_s`` seconds when another process has it).

    Embedding a million sentences takes from minutes to an hour; meanwhile the app and other commands use
    the workspace. A check that follows finds every vector stored and holds the workspace only to match and
    judge. Returns the number of sentences embedded.

    Raises:
        UnknownDatasetError: no such dataset, or it was deleted or replaced meanwhile (the vectors stored
            so far are kept).
    """
    return _embed_missing(lambda: open_when_free(location, wait_s), name, embedder, progress, batch)


def _embed_missing(
    using: Callable[[], contextlib.AbstractContextManager[Workspace]],
    name: str,
    embedder: Embedder | None,
    progress: Progress | None,
    batch: int,
) -> int:
    """Embed a dataset's sentences that have no vector, a batch at a time, with the workspace ``using`` gives
    for each read and each write."""
    model = embedder or select_embedder()
    progress = progress or SilentProgress()
    with using() as workspace:
        dataset_id = workspace.dataset(name).dataset_id
        total = 0 if workspace.read_only else workspace._missing_count(dataset_id, model.model_id)
        database, setting = workspace.database, workspace.setting
    if not total:
        return 0
    done = 0
    after = -1
    seen: set[bytes] = set()
    progress.start("embedding review sentences", total)
    try:
        while True:
            with using() as workspace:
                info = workspace._find(name)
                if info is None or info.dataset_id != dataset_id:
                    raise UnknownDatasetError(
                        f"The dataset {name!r} was deleted or replaced while its sentences were embedded; the "
                        f"{done:,} vectors stored so far are kept. Embed it again if it was replaced."
                    )
                rows = workspace._missing_page(dataset_id, model.model_id, after, batch)
            if not rows:
                break
            after = rows[-1][0]
            pending: dict[str, str] = {}
            for _, text_hash, text in rows:
                digest = bytes.fromhex(text_hash)
                if digest not in seen:
                    seen.add(digest)
                    pending[text_hash] = text
            if not pending:
                continue
            keys = list(pending)
            vectors = model.encode([pending[key] for key in keys], progress=progress.advance)
            kept = f"the {done:,} vectors stored before are kept"
            with using() as workspace, _disk_errors(database, f"while storing sentence vectors; {kept}", setting):
                workspace.embedding_cache().put_many(model.model_id, dict(zip(keys, vectors, strict=True)))
            done += len(keys)
    finally:
        progress.finish()
    return done


@dataclass(frozen=True)
class _Staged:
    """A dataset read into a staging file, with what the workspace records about it."""

    path: Path
    source: str
    source_path: str | None
    sha256: str | None
    size: int
    summary: DatasetSummary


@contextlib.contextmanager
def _staging_file(database: Path) -> Iterator[Path]:
    """A new staging file's path beside ``database`` (same disk, so copying in is local); removed at the end."""
    database.parent.mkdir(parents=True, exist_ok=True)
    path = database.parent / f".{database.name}{STAGING_MARK}{os.getpid()}-{secrets.token_hex(4)}.duckdb"
    try:
        yield path
    finally:
        for leftover in (path, path.with_name(path.name + ".wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _stage(stream: ReviewStream, path: Path, progress: Progress, origin: str | None) -> _Staged:
    """Read ``stream`` chunk by chunk into the staging file at ``path``; the progress bar ends either way."""
    import duckdb

    table = stream.table
    connection = None  # closed whatever cuts the stage short, even as it opens: a SIGTERM, a Ctrl-C
    try:
        connection = duckdb.connect(str(path), config=_duckdb_config())
        connection.execute(
            "CREATE TABLE reviews (review_index INTEGER, review_id VARCHAR, data_row BIGINT, review_date VARCHAR, "
            "rating DOUBLE, segments VARCHAR[], text VARCHAR)"
        )
        connection.execute(
            "CREATE TABLE sentences (sentence_index INTEGER, review_index INTEGER, start_offset INTEGER, "
            "end_offset INTEGER, text_hash VARCHAR)"
        )
        bar = _LateBar(progress, f"reading {table.name} ({table.unit})", table.total)
        sentences_before = 0
        for reviews, sentences in stream.chunks(bar.advance):
            if reviews:  # not before: a file with a wrong column or no text fails with one line only
                bar.begin()
            _append(connection, stream.reviews - len(reviews), sentences_before, reviews, sentences, stream.mapping)
            sentences_before += len(sentences)
        summary = stream.summary()
    finally:
        progress.finish()
        if connection is not None:
            connection.close()
    return _Staged(
        path=path,
        source=table.name,
        source_path=origin if origin is not None else None if table.path is None else str(table.path.resolve()),
        sha256=table.sha256,
        size=table.size,
        summary=summary,
    )


def _append(
    connection: Any,
    first_review: int,
    first_sentence: int,
    reviews: Sequence[Review],
    sentences: Sequence[Sentence],
    mapping: ColumnMapping | None,
) -> None:
    """Add one chunk's reviews and sentences to a staging file."""
    import pyarrow as pa

    segments = mapping.segments if mapping is not None else ()
    review_rows = pa.table(
        {
            "review_index": pa.array(range(first_review, first_review + len(reviews)), pa.int32()),
            "review_id": pa.array([r.review_id for r in reviews], pa.string()),
            "data_row": pa.array([r.row for r in reviews], pa.int64()),
            "review_date": pa.array([r.date for r in reviews], pa.string()),
            "rating": pa.array([r.rating for r in reviews], pa.float64()),
            "segments": pa.array([[r.segments.get(s, "") for s in segments] for r in reviews], pa.list_(pa.string())),
            "text": pa.array([r.text for r in reviews], pa.string()),
        }
    )
    sentence_rows = pa.table(
        {
            "sentence_index": pa.array(range(first_sentence, first_sentence + len(sentences)), pa.int32()),
            "review_index": pa.array([s.review_index for s in sentences], pa.int32()),
            "start_offset": pa.array([s.start for s in sentences], pa.int32()),
            "end_offset": pa.array([s.end for s in sentences], pa.int32()),
            "text_hash": pa.array([hash_text(s.text) for s in sentences], pa.string()),
        }
    )
    connection.register("_chunk_reviews", review_rows)
    connection.register("_chunk_sentences", sentence_rows)
    try:
        connection.execute("INSERT INTO reviews SELECT * FROM _chunk_reviews")
        connection.execute("INSERT INTO sentences SELECT * FROM _chunk_sentences")
    finally:
        connection.unregister("_chunk_reviews")
        connection.unregister("_chunk_sentences")


_DATABASE_LOCKS: dict[str, threading.RLock] = {}
_DATABASE_LOCKS_GUARD = threading.Lock()


def _database_lock(database: Path) -> threading.RLock:
    """The lock this process holds while it copies a dataset into ``database`` (one per file, whatever the path
    that names it)."""
    key = os.path.realpath(database)
    with _DATABASE_LOCKS_GUARD:
        return _DATABASE_LOCKS.setdefault(key, threading.RLock())


def _connect(database: Path, read_only: bool) -> Any:
    """A DuckDB connection to ``database``; its errors as one-line workspace errors, whose fixes name either
    setting that moves the workspace (:func:`_naming` narrows them to the one in use)."""
    import duckdb

    setting = _EITHER_SETTING
    try:
        return duckdb.connect(str(database), read_only=read_only, config=_duckdb_config())
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            holder = re.search(r"PID \d+", message)
            raise WorkspaceBusyError(
                f"The workspace {database} is in use by another alignment process"
                f"{f' ({holder.group(0)})' if holder else ''}, such as the app. Close it and try again, "
                f"or set {setting} to another folder."
            ) from exc
        lowered = message.lower()
        if "permission denied" in lowered or "read-only file system" in lowered:
            fix = f"Set {setting} to a folder you can write to."
        else:
            fix = f"If it is damaged or not an alignment workspace, move it away, or set {setting} to another folder."
        raise WorkspaceError(f"Cannot open the workspace {database}: {message.splitlines()[0]} {fix}") from exc
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"{database} is not a usable alignment workspace: {str(exc).splitlines()[0]}. "
            f"Move it away or set {setting} to another folder."
        ) from exc


def _naming(error: AlignmentError, setting: str) -> AlignmentError:
    """``error`` from :func:`_connect`, its fix naming ``setting`` (:func:`location_setting`) in place of
    either setting. _connect is the seam the tests' read-only disk replaces, so it keeps its two arguments
    and the narrowing is done here."""
    message = str(error).replace(_EITHER_SETTING, setting)
    return error if message == str(error) else type(error)(message)


def _cannot_write(error: WorkspaceError) -> bool:
    """Whether opening failed because the file or its folder cannot be written."""
    cause = str(error.__cause__ or error).lower()
    return "read-only file system" in cause or "permission denied" in cause


@contextlib.contextmanager
def _disk_errors(database: Path, when: str, setting: str, ingest: bool = False) -> Iterator[None]:
    """The database's and the disk's errors as one-line messages that say ``when`` they happened and what
    was kept; a full disk says how to free it (and, for an ``ingest``, how much room one needs), or how to
    move the workspace by the ``setting`` that named it (:func:`location_setting`)."""
    import duckdb

    try:
        yield
    except (duckdb.Error, OSError) as exc:
        message = str(exc)
        if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "no space left" in message.lower():
            raise WorkspaceFullError(
                f"The disk holding the workspace ({database.parent}) is full: it ran out {when}. "
                + ("An ingest needs about twice the dataset's stored size free while it runs. " if ingest else "")
                + f"Free some space there, or set {setting} to a folder on a larger disk."
            ) from exc
        first = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
        raise WorkspaceError(f"The workspace {database} failed {when}: {first}") from exc


def _duckdb_config() -> dict[str, str | bool | int | float | list[str]]:
    # Rows are always read back with ORDER BY, so DuckDB need not keep insertion order (less memory).
    config: dict[str, str | bool | int | float | list[str]] = {"preserve_insertion_order": False}
    if os.environ.get("ALIGN_DUCKDB_MEMORY"):
        config["memory_limit"] = os.environ["ALIGN_DUCKDB_MEMORY"]
    return config


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (True when that cannot be told, so nothing live is removed)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _first(rows: list[Any]) -> Any:
    """The first row of a fully fetched result, or None (DuckDB needs results read to the end)."""
    return rows[0] if rows else None


def _dataset_info(row: Sequence[Any]) -> DatasetInfo:
    mapping = json.loads(row[12]) if row[12] else {}
    return DatasetInfo(
        dataset_id=int(row[0]),
        name=row[1],
        source=row[2],
        source_path=row[3],
        sha256=row[4],
        size_bytes=int(row[5] or 0),
        created_at=row[6],
        rows=int(row[7] or 0),
        reviews=int(row[8] or 0),
        sentences=int(row[9] or 0),
        skipped=json.loads(row[10]) if row[10] else {},
        columns=json.loads(row[11]) if row[11] else {},
        mapping=ColumnMapping(
            text=mapping.get("text", ""),
            id=mapping.get("id"),
            date=mapping.get("date"),
            rating=mapping.get("rating"),
            segments=tuple(mapping.get("segments") or ()),
            day_first=mapping.get("day_first"),
        ),
    )


def _run_info(row: Sequence[Any], claims: Sequence[RunClaim]) -> RunInfo:
    return RunInfo(
        run_id=int(row[0]),
        dataset=row[1],
        dataset_sha256=row[2],
        label=row[3],
        embedder=row[4],
        started_at=row[5],
        finished_at=row[6],
        config=json.loads(row[7]) if row[7] else {},
        claims=tuple(claims),
    )
