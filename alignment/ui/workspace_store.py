"""The app's glue to the workspace (alignment.workspace): open it briefly per action, and move datasets, sentence
vectors and runs between it and a session. No Streamlit here, so it can be tested with plain calls.

DuckDB lets one process at a time write the workspace file. The app therefore never keeps it open: every
action opens it, does its work and closes it, so the ``alignment`` command line can use it in between. The
app always opens it for writing: within one process every session then shares one DuckDB instance (DuckDB
refuses a read-only and a writable connection to the same file in one process).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from alignment.errors import AlignmentError, InputError
from alignment.progress import Progress
from alignment.ui.drafts import Draft, SavedDraft, draft_from_json, draft_to_json
from alignment.ui.uploads import Dataset, dataset_from_review_set, reading_columns
from alignment.workspace import (
    DATABASE_FILE,
    DatasetInfo,
    DuplicateDatasetError,
    NameTakenMeanwhileError,
    RunInfo,
    StoredVectors,
    Workspace,
    WorkspaceError,
    default_location,
    ingest_dataset,
    validate_name,
)

if TYPE_CHECKING:
    from alignment.report import Report

WORKSPACE_ORIGIN = "workspace"
BUSY_WAIT_S = 1.0  # seconds a page waits for a workspace another process holds
RUN_LIMIT = 500  # runs listed per dataset; older ones stay in the workspace (`alignment runs`)
DRAFT_PREFIX = "vet-copy/"  # a Vet copy draft's name in the workspace: this, then the id in the page's address


def location() -> Path:
    """The workspace folder (or .duckdb file) the app uses: ALIGN_WORKSPACE, else the per-user folder."""
    return default_location()


def database_path() -> Path:
    """The DuckDB file inside :func:`location` (as :meth:`Workspace.open` resolves it)."""
    where = location()
    return where if where.suffix.lower() == ".duckdb" else where / DATABASE_FILE


def workspace_exists() -> bool:
    """True once something has been saved; listing must not create an empty workspace as a side effect."""
    return database_path().is_file()


@contextlib.contextmanager
def open_workspace() -> Iterator[Workspace]:
    """Open the workspace for one action and close it afterwards.

    Raises:
        WorkspaceBusyError: another process (such as the command line) is writing it.
        AlignmentError: it cannot be opened or used; database errors become one-line WorkspaceErrors.
    """
    import duckdb

    try:
        # An ingest from the command line holds the workspace for under a second to copy its rows in; a page
        # waits that long rather than say "busy", and no longer (a long check elsewhere would stall every page).
        workspace = Workspace.open(wait_s=BUSY_WAIT_S)
    except (duckdb.Error, OSError) as exc:
        raise WorkspaceError(f"Cannot open the workspace {database_path()}: {_first_line(exc)}") from exc
    try:
        with _database_errors(workspace.database):
            yield workspace
    finally:
        with contextlib.suppress(Exception):
            workspace.close()


@contextlib.contextmanager
def _database_errors(database: Path) -> Iterator[None]:
    """Database and file errors as one-line WorkspaceErrors."""
    import duckdb

    try:
        yield
    except (duckdb.Error, OSError) as exc:
        raise WorkspaceError(f"The workspace {database} failed: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def suggest_name(filename: str) -> str:
    """A valid dataset name from a file name ("Spring reviews (2025).csv" -> "Spring-reviews-2025")."""
    stem = Path(filename).stem
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    name = re.sub(r"\.{2,}", ".", name)[:64].rstrip("-._")
    return name or "reviews"


def check_name(name: str) -> str:
    """The name with surrounding spaces removed, if it is a valid dataset name.

    Raises:
        DatasetNameError: the name is not allowed (the message says what is).
    """
    return validate_name(name.strip())


def dataset_from_workspace(workspace: Workspace, info: DatasetInfo) -> Dataset:
    """Load a stored dataset as a session Dataset that remembers where it came from."""
    review_set = workspace.load_dataset(info.name)
    # The key names this stored dataset (file, id, time, content hash), so results cached for it are shared
    # only with sessions that loaded the very same stored dataset.
    identity = f"{workspace.database}|{info.dataset_id}|{info.created_at}|{info.sha256}".encode()
    dataset = dataset_from_review_set(review_set, info.name, WORKSPACE_ORIGIN, identity)
    return dataclasses.replace(dataset, workspace_name=info.name, workspace_id=info.dataset_id)


def read_only_reason() -> str | None:
    """Why the workspace can only be read (a read-only disk, another user's file), or None when it can be
    written, does not exist yet, or cannot be opened now (the page says that where it reads)."""
    if not workspace_exists():
        return None
    try:
        with open_workspace() as workspace:
            return workspace.why_read_only if workspace.read_only else None
    except AlignmentError:
        return None


def list_datasets() -> list[DatasetInfo]:
    """The datasets in the workspace, by name (none when nothing has been saved yet)."""
    if not workspace_exists():
        return []
    with open_workspace() as workspace:
        return workspace.list_datasets()


def load_dataset(name: str) -> Dataset:
    """A stored dataset, read from the workspace.

    Raises:
        UnknownDatasetError: no dataset has that name (another user may have deleted it).
    """
    with open_workspace() as workspace:
        return dataset_from_workspace(workspace, workspace.dataset(name))


def save_dataset(
    dataset: Dataset,
    name: str,
    *,
    source_file: Path | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> Dataset:
    """Ingest a session dataset into the workspace as ``name``; return it as loaded back from there.

    The file is read again by :meth:`Workspace.ingest` under the dataset's column mapping: the uploaded
    bytes (``dataset.data``) or ``source_file`` (the bundled demo).

    Raises:
        DatasetNameError: the name is not allowed.
        DuplicateDatasetError: the name is taken and ``replace`` is false.
        InputError: the dataset has no file to save.
    """
    name = check_name(name)
    columns = reading_columns(dataset.review_set.mapping)
    with contextlib.ExitStack() as stack:
        if dataset.data is not None:
            # Ingest reads files: write the upload under its own name, so the workspace records that name.
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="alignment-app-upload-")))
            source = folder / (Path(dataset.review_set.summary.source or dataset.name).name or "upload.csv")
            source.write_bytes(dataset.data)
        elif source_file is not None:
            source = source_file
        else:
            raise InputError(f"{dataset.name} has no file to save; upload it again on this page.")
        try:
            origin = "uploaded in the app" if dataset.data is not None else None
            # Holds the workspace only at the start and the end, so the command line is not kept out while a
            # large upload is read.
            with _database_errors(database_path()):
                info = ingest_dataset(
                    location(),
                    source,
                    name,
                    replace=replace,
                    progress=progress,
                    origin=origin,
                    sheet=dataset.sheet,
                    **columns,
                )
        except NameTakenMeanwhileError as exc:
            raise NameTakenMeanwhileError(
                f"A dataset named {name!r} was saved to the workspace by someone else while your file was read, "
                "so yours was not saved. Choose another name, or tick “Replace if the name is taken”."
            ) from exc
        except DuplicateDatasetError as exc:
            raise DuplicateDatasetError(
                f"A dataset named {name!r} is already in the workspace. Choose another name, or tick "
                "“Replace if the name is taken”."
            ) from exc
        with open_workspace() as workspace:
            return dataset_from_workspace(workspace, info)


def delete_dataset(name: str) -> None:
    """Remove a dataset from the workspace (its saved runs keep their counts).

    Raises:
        UnknownDatasetError: no dataset has that name.
    """
    with open_workspace() as workspace:
        workspace.delete_dataset(name)


def save_run(dataset: Dataset, report: Report, *, label: str | None, embedder: str | None) -> RunInfo:
    """Save a check of a workspace dataset as a run.

    Raises:
        InputError: the dataset is not from the workspace, or was deleted or replaced there since it was
            loaded (the run would then point at other sentences than the ones checked).
    """
    if dataset.workspace_name is None:
        raise InputError(f"{dataset.name} is not saved in the workspace; save it on the Datasets page first.")
    with open_workspace() as workspace:
        info = workspace.dataset(dataset.workspace_name)
        if info.dataset_id != dataset.workspace_id:
            raise InputError(
                f"The dataset {dataset.workspace_name!r} was replaced in the workspace after you loaded it. "
                "Load it again on the Datasets page, then save the run."
            )
        return workspace.save_run(report, dataset=info.name, label=label or None, embedder=embedder)


def list_runs(name: str) -> list[RunInfo]:
    """The runs saved on the dataset called ``name``, newest first."""
    if not workspace_exists():
        return []
    with open_workspace() as workspace:
        return workspace.list_runs(dataset=name, limit=RUN_LIMIT)


def runs_of_deleted_datasets() -> list[RunInfo]:
    """The runs whose dataset is no longer in the workspace (they keep their counts and verdicts), newest first."""
    if not workspace_exists():
        return []
    with open_workspace() as workspace:
        return workspace.list_runs(limit=RUN_LIMIT, deleted_datasets=True)


def open_run(run_id: int) -> tuple[RunInfo, Report]:
    """A saved run and its report, rebuilt as its check gave it (:meth:`Workspace.load_run`).

    Raises:
        UnknownRunError: no run has that id.
    """
    with open_workspace() as workspace:
        return workspace.run(run_id), workspace.load_run(run_id)


def delete_run(run_id: int) -> None:
    """Forget a saved run.

    Raises:
        UnknownRunError: no run has that id.
    """
    with open_workspace() as workspace:
        workspace.delete_run(run_id)


def draft_name(draft_id: str) -> str:
    """The name the Vet copy draft with this id (the one in the page's address) is kept under."""
    return DRAFT_PREFIX + draft_id


def save_draft(draft_id: str, draft: Draft) -> datetime:
    """Keep the Vet copy draft of the tab whose address holds ``draft_id`` in the workspace (made if there is
    none yet), in place of the one kept under that id before; return when it was saved (UTC, naive). Old drafts
    of other tabs are pruned (:meth:`alignment.workspace.Workspace.save_draft`); datasets and runs are not touched.

    Raises:
        AlignmentError: the workspace cannot be written now (busy, read-only, damaged or full).
    """
    with open_workspace() as workspace:
        return workspace.save_draft(draft_name(draft_id), draft_to_json(draft))


def load_draft(draft_id: str) -> SavedDraft | None:
    """The Vet copy draft kept under ``draft_id``, or None (none kept under it, pruned, or no workspace: none is
    made here).

    Raises:
        DraftError: the kept draft cannot be read back.
        AlignmentError: the workspace cannot be read now.
    """
    if not workspace_exists():
        return None
    with open_workspace() as workspace:
        found = workspace.load_draft(draft_name(draft_id))
    if found is None:
        return None
    body, saved_at = found
    return SavedDraft(draft=draft_from_json(body), saved_at=saved_at)


class WorkspaceVectors(StoredVectors):
    """The app's vectors kept in the workspace (:class:`alignment.workspace.StoredVectors`, opened by
    :func:`open_workspace`), not held while the model embeds, so the command line can write then.

    When the workspace cannot be used (busy, damaged), vectors are computed as if none were stored and not
    saved, so the check still runs; ``unavailable`` then holds the reason.
    """

    def __init__(self) -> None:
        super().__init__(open_workspace)
        self.unavailable: str | None = None

    def get_matrix(self, model_id: str, keys: Sequence[str]) -> tuple[np.ndarray | None, np.ndarray]:
        """The stored vectors of these keys as one float32 matrix, and a mask of the keys found."""
        try:
            return super().get_matrix(model_id, keys)
        except AlignmentError as exc:
            self.unavailable = str(exc)
            return None, np.zeros(len(keys), dtype=bool)

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store new vectors (skipped, with ``unavailable`` set, when the workspace cannot be written)."""
        try:
            super().put_many(model_id, items)
        except AlignmentError as exc:
            self.unavailable = str(exc)
