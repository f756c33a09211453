"""The DuckDB workspace: streamed ingest, provenance, names, atomic swaps, the embedding cache and runs."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import alignment.workspace as workspace_module
from alignment.config import Config
from alignment.embed import CachedEmbedder, hash_text
from alignment.errors import EmptyDatasetError, InputError, MissingColumnError
from alignment.ingest import ReviewStream, TableStream, load_reviews
from alignment.match import match_claims
from alignment.records import STANCES, Claim, Judgement, Judgements
from alignment.report import Report
from alignment.score import score_claim
from alignment.workspace import (
    _JUDGEMENT,
    DatasetInfo,
    DatasetNameError,
    DuplicateDatasetError,
    UnknownDatasetError,
    UnknownRunError,
    Workspace,
    WorkspaceBusyError,
    WorkspaceFullError,
    _pack_judgements,
    _unpack_judgements,
    check_dataset_at,
    default_location,
    embed_dataset_at,
    ingest_dataset,
    validate_name,
)

REPO = Path(__file__).resolve().parent.parent


class CountingEmbedder:
    """Deterministic fake vectors (from the text's hash) and a record of every text it embedded."""

    model_id = "fake-model"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, progress=None):
        self.seen.extend(texts)
        rows = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
            rows.append(np.random.default_rng(seed).normal(size=16))
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), 16)
        if progress:
            progress(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class EvenStance:
    """A stance model that needs no weights: every pair is neutral-leaning."""

    name = "even"

    def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
        return np.tile(np.array([[0.3, 0.2, 0.5]], dtype=np.float32), (len(sentence_texts), 1))


class StopAfter:
    """A Progress that raises after ``n`` advances, like a user pressing Ctrl-C mid-ingest."""

    def __init__(self, n: int, error: type[BaseException] = KeyboardInterrupt) -> None:
        self.n = n
        self.error = error

    def start(self, stage, total):
        pass

    def advance(self, done):
        self.n -= 1
        if self.n < 0:
            raise self.error()

    def finish(self):
        pass


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        yield ws


def _table_rows(ws: Workspace, table: str) -> int:
    return ws._con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".parquet"])
def test_workspace_dataset_loads_back_exactly_as_load_reviews_reads_the_file(
    workspace, tmp_path, reviews_frame, write_table, suffix
):
    frame = pd.concat([reviews_frame, reviews_frame.iloc[[0, 3]]], ignore_index=True).astype(str)  # 2 duplicate rows
    frame.loc[2, "date"] = "not a date"
    path = write_table(frame, tmp_path / f"reviews{suffix}")
    info = workspace.ingest(path, "telecom", chunk_rows=3, segment_columns=["region"])
    expected = load_reviews(path, segment_columns=["region"])
    loaded = workspace.load_dataset("telecom")
    assert loaded.reviews == expected.reviews
    assert loaded.sentences == expected.sentences
    assert loaded.summary == expected.summary
    assert loaded.mapping == expected.mapping
    assert info.summary == expected.summary
    assert info.skipped == {"blank text": 1, "duplicate row": 2}


def test_workspace_records_provenance(workspace, tmp_path, reviews_frame, write_table):
    path = write_table(reviews_frame, tmp_path / "reviews.csv")
    info = workspace.ingest(path, "telecom")
    assert info.source == "reviews.csv"
    assert info.source_path == str(path.resolve())
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size_bytes == path.stat().st_size
    assert abs((pd.Timestamp.now(tz="UTC").tz_localize(None) - pd.Timestamp(info.created_at)).total_seconds()) < 120
    assert [d.name for d in workspace.list_datasets()] == ["telecom"]
    assert workspace.dataset("telecom").to_dict()["sha256"] == info.sha256


def test_workspace_ingests_a_dataframe(workspace, reviews_frame):
    info = workspace.ingest(reviews_frame, "frame")
    assert info.source == "DataFrame" and info.sha256 is None
    assert workspace.load_dataset("frame").reviews == load_reviews(reviews_frame).reviews


def test_workspace_ingests_a_frame_with_numbered_columns_and_one_segment_column_named_alone(workspace, reviews_frame):
    # as check() reads them: read_csv(header=None) numbers the columns, and one segment column is one name
    frame = reviews_frame[["review_id", "text", "region"]].set_axis([0, 1, 2], axis="columns")
    info = workspace.ingest(frame, "numbered", text_column=1, id_column=0, segment_columns=2)
    assert info.mapping.text == "1" and info.mapping.segments == ("2",)
    assert workspace.load_dataset("numbered").reviews == load_reviews(frame, "1", "0", segment_columns=["2"]).reviews
    assert list(frame.columns) == [0, 1, 2]  # the caller's frame is left as it was
    named = workspace.ingest(reviews_frame, "by-region", segment_columns="region")
    assert named.mapping.segments == ("region",)


@pytest.mark.parametrize("name", ["", "../x", "a/b", "a\\b", "-rf", ".hidden", "a b", "x" * 65, "name;drop", "a..b"])
def test_workspace_rejects_names_that_could_be_paths_or_options(workspace, reviews_frame, name):
    with pytest.raises(DatasetNameError, match="not allowed") as error:
        workspace.ingest(reviews_frame, name)
    assert "\n" not in str(error.value)


def test_a_name_as_a_person_writes_it_is_refused_with_one_that_would_do():
    with pytest.raises(DatasetNameError, match=r"\('Hotel-reviews-2025' would do\)\.$"):
        validate_name("Hotel reviews 2025")
    with pytest.raises(DatasetNameError, match=r"\(for example spring-reviews-2025\)\.$"):
        validate_name("ü")  # nothing of it is allowed: the example stands
    assert validate_name("Hotel-reviews-2025") == "Hotel-reviews-2025"


def test_a_closed_workspace_says_it_was_closed_and_a_name_that_is_not_text_is_shown_as_given(tmp_path):
    workspace = Workspace.open(tmp_path / "ws")
    with pytest.raises(DatasetNameError, match=r"^Dataset name int 5 is not allowed"):
        workspace.dataset(5)  # type: ignore[arg-type]
    workspace.close()
    workspace.close()  # a second close does nothing
    with pytest.raises(InputError, match=r"^The workspace .* was closed\. Open it again with Workspace\.open"):
        workspace.list_datasets()


def test_workspace_accepts_ordinary_names():
    for name in ("spring-2025", "Reviews_v2", "q1.tickets", "7eleven"):
        assert validate_name(name) == name


def test_workspace_duplicate_name_needs_replace_and_replace_swaps_the_data(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "telecom")
    with pytest.raises(DuplicateDatasetError, match="replace"):
        workspace.ingest(reviews_frame.head(3), "telecom")
    assert workspace.dataset("telecom").reviews == 7
    info = workspace.ingest(reviews_frame.head(3), "telecom", replace=True)
    assert info.reviews == 3
    assert [d.name for d in workspace.list_datasets()] == ["telecom"]
    assert len(workspace.load_dataset("telecom").reviews) == 3
    assert _table_rows(workspace, "reviews") == 3  # the old rows are gone


def test_workspace_unknown_dataset_names_the_ones_that_exist(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "telecom")
    with pytest.raises(UnknownDatasetError, match=r"No dataset named 'nope'.*telecom"):
        workspace.load_dataset("nope")
    with pytest.raises(UnknownDatasetError):
        workspace.delete_dataset("nope")
    # a name told apart only by its case is named, as names are case-sensitive
    with pytest.raises(UnknownDatasetError, match=r"Names are case-sensitive: did you mean 'telecom'\?"):
        workspace.dataset("TELECOM")


def test_workspace_delete_removes_only_that_dataset(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "a")
    workspace.ingest(reviews_frame.head(4), "b")
    workspace.delete_dataset("a")
    assert [d.name for d in workspace.list_datasets()] == ["b"]
    assert _table_rows(workspace, "reviews") == len(workspace.load_dataset("b").reviews)


def test_prune_drops_only_the_vectors_no_remaining_dataset_uses(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "a")
    workspace.ingest(reviews_frame.head(3), "b")
    inner = CountingEmbedder()
    workspace.embed_dataset("a", inner)
    kept = workspace.distinct_sentences("b")
    only_in_a = workspace.distinct_sentences("a") - kept
    assert only_in_a > 0 and workspace.embedding_coverage("b") == {"fake-model": kept}
    assert workspace.prune_embeddings() == {"removed": 0, "remaining": kept + only_in_a}  # nothing unused yet
    workspace.delete_dataset("a")
    assert workspace.prune_embeddings() == {"removed": only_in_a, "remaining": kept}
    assert workspace.embedding_coverage("b") == {"fake-model": kept}
    assert workspace.embed_dataset("b", inner) == 0  # b's vectors were all kept: nothing to re-embed


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_workspace_interrupted_ingest_leaves_no_dataset_and_keeps_the_others(
    workspace, tmp_path, reviews_frame, error, write_table
):
    workspace.ingest(reviews_frame, "kept")
    before = (_table_rows(workspace, "reviews"), _table_rows(workspace, "sentences"))
    big = pd.concat([reviews_frame] * 50, ignore_index=True)
    big["review_id"] = [f"r{i}" for i in range(len(big))]
    path = write_table(big, tmp_path / "big.parquet")
    with pytest.raises(error):
        workspace.ingest(path, "broken", chunk_rows=20, progress=StopAfter(3, error))
    assert [d.name for d in workspace.list_datasets()] == ["kept"]
    assert (_table_rows(workspace, "reviews"), _table_rows(workspace, "sentences")) == before
    assert workspace.load_dataset("kept").summary.reviews == 7


def test_workspace_interrupted_replace_keeps_the_old_version(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "telecom")
    bigger = pd.concat([reviews_frame] * 10, ignore_index=True)
    bigger["review_id"] = [f"r{i}" for i in range(len(bigger))]
    with pytest.raises(KeyboardInterrupt):
        workspace.ingest(bigger, "telecom", replace=True, chunk_rows=10, progress=StopAfter(2))
    assert workspace.dataset("telecom").reviews == 7


def test_workspace_killed_ingest_is_cleaned_up_when_the_workspace_is_next_opened(tmp_path, reviews_frame, write_table):
    location, path = _workspace_and_big_file(tmp_path, reviews_frame, write_table, copies=400)
    marker = tmp_path / "started"
    script = _slow_progress(marker, pause=0.5) + textwrap.dedent(
        f"""
        from alignment.workspace import Workspace

        ws = Workspace.open({str(location)!r})
        ws.ingest({str(path)!r}, "killed", chunk_rows=100, progress=Slow())
        """
    )
    child = _start_child(script, marker)
    try:
        time.sleep(0.6)  # at least one chunk stored
    finally:
        child.kill()
        child.wait()
    assert _staging_files(location), "the killed ingest left no staging file to clean up"
    with Workspace.open(location) as ws:
        assert [d.name for d in ws.list_datasets()] == ["kept"]
        assert _table_rows(ws, "datasets") == 1
        assert _table_rows(ws, "reviews") == 7
    assert _staging_files(location) == []


def _workspace_and_big_file(
    tmp_path: Path, reviews_frame: pd.DataFrame, write_table: Any, copies: int
) -> tuple[Path, Path]:
    """A workspace holding dataset "kept", and a CSV of ``copies`` copies of the reviews (ids made unique), long
    enough for a child's ingest to be caught while it reads."""
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "kept")
    big = pd.concat([reviews_frame] * copies, ignore_index=True)
    big["review_id"] = [f"r{i}" for i in range(len(big))]
    return location, write_table(big, tmp_path / "big.csv")


def _slow_progress(marker: Path, pause: float) -> str:
    """Source of a Progress class ``Slow`` that touches ``marker`` and pauses at each chunk, for a child."""
    return textwrap.dedent(
        f"""
        import time
        from pathlib import Path

        class Slow:
            def start(self, stage, total): pass
            def advance(self, done):
                Path({str(marker)!r}).touch()
                time.sleep({pause})
            def finish(self): pass
        """
    )


def _slow_embedder(marker: Path, pause: float) -> str:
    """Source of an Embedder class ``Slow`` (model "fake-model") that touches ``marker`` and pauses at each
    call, then gives each text its deterministic fake vector, for a child."""
    return textwrap.dedent(
        f"""
        import hashlib, time
        from pathlib import Path
        import numpy as np

        class Slow:
            model_id = "fake-model"
            def encode(self, texts, progress=None):
                Path({str(marker)!r}).touch()
                time.sleep({pause})
                return np.stack([np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16))
                                 .normal(size=16).astype(np.float32) for t in texts])
        """
    )


def _start_child(script: str, marker: Path, **popen: Any) -> subprocess.Popen[str]:
    """Run ``script`` in a child process; return once it has touched ``marker`` (its work has begun)."""
    child = subprocess.Popen([sys.executable, "-c", script], text=True, **popen)
    deadline = time.time() + 60
    while not marker.exists() and child.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if not marker.exists():
        child.kill()
        child.wait()
        pytest.fail("the child never began its work")
    return child


def _staging_files(location: Path) -> list[Path]:
    return sorted(location.glob(".workspace.duckdb.ingest-*"))


def test_ingest_dataset_leaves_the_workspace_free_while_it_reads_the_file(tmp_path, reviews_frame, write_table):
    location, path = _workspace_and_big_file(tmp_path, reviews_frame, write_table, copies=300)
    marker = tmp_path / "reading"
    script = _slow_progress(marker, pause=0.2) + textwrap.dedent(
        f"""
        from alignment.workspace import ingest_dataset

        ingest_dataset({str(location)!r}, {str(path)!r}, "big", chunk_rows=300, progress=Slow())
        """
    )
    child = _start_child(script, marker, stderr=subprocess.PIPE)
    try:
        with Workspace.open(location) as ws:  # would raise WorkspaceBusyError if the reader held the file
            assert [d.name for d in ws.list_datasets()] == ["kept"]
            assert _staging_files(location)  # the child's file, still being written: not cleaned up
            ws.ingest(reviews_frame, "meanwhile")
        _, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors
    finally:
        child.kill()
        child.wait()
    with Workspace.open(location) as ws:
        assert [d.name for d in ws.list_datasets()] == ["big", "kept", "meanwhile"]
        assert ws.dataset("big").rows == 300 * len(reviews_frame)
        assert len(ws.load_dataset("big").reviews) == ws.dataset("big").reviews == 300 * ws.dataset("kept").reviews
    assert _staging_files(location) == []


class HoldWhileReading:
    """A Progress that, at the first chunk read, has another process open the workspace and keep it."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.child: subprocess.Popen[str] | None = None

    def start(self, stage, total):
        pass

    def advance(self, done):
        if self.child is None:
            script = (
                "import time; from alignment.workspace import Workspace; "
                f"w = Workspace.open({str(self.location)!r}); print('ready', flush=True); time.sleep(60)"
            )
            self.child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
            assert self.child.stdout is not None and self.child.stdout.readline().strip() == "ready"

    def finish(self):
        pass


def test_ingest_dataset_kept_out_past_its_wait_saves_nothing_and_says_so(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "kept")
    holder = HoldWhileReading(location)
    try:
        with pytest.raises(WorkspaceBusyError) as error:
            ingest_dataset(location, reviews_frame, "late", progress=holder, wait_s=0.5)
    finally:
        if holder.child is not None:
            holder.child.kill()
            holder.child.wait()
    message = str(error.value)
    assert "\n" not in message
    assert "in use by another alignment process" in message
    assert "The file was read (7 reviews) but dataset 'late' was not saved" in message
    with Workspace.open(location) as ws:
        assert [d.name for d in ws.list_datasets()] == ["kept"]
    assert _staging_files(location) == []


def test_ingest_dataset_waits_for_a_workspace_another_process_lets_go_of(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    Workspace.open(location).close()
    script = (
        "import time; from alignment.workspace import Workspace; "
        f"w = Workspace.open({str(location)!r}); print('ready', flush=True); time.sleep(1.5); w.close(); "
        "time.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceBusyError):
            Workspace.open(location)
        info = ingest_dataset(location, reviews_frame, "patient")
    finally:
        child.kill()
        child.wait()
    assert info.reviews == 7
    with Workspace.open(location) as ws:
        assert [d.name for d in ws.list_datasets()] == ["patient"]


def test_embed_dataset_at_leaves_the_workspace_free_between_batches(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "telecom")
        sentences = ws.dataset("telecom").sentences
    marker = tmp_path / "embedding"
    script = _slow_embedder(marker, pause=1.0) + textwrap.dedent(
        f"""
        from alignment.workspace import embed_dataset_at

        print(embed_dataset_at({str(location)!r}, "telecom", Slow(), batch=2))
        """
    )
    child = _start_child(script, marker, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with Workspace.open(location, wait_s=5) as ws:  # only a batch's read or write can keep it out
            assert [d.name for d in ws.list_datasets()] == ["telecom"]
        out, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors
    finally:
        child.kill()
        child.wait()
    with Workspace.open(location) as ws:
        assert int(out.strip()) == ws.embedding_coverage("telecom")["fake-model"] > 0
        assert ws.embed_dataset("telecom", CountingEmbedder()) == 0  # every distinct sentence has its vector
    assert sentences >= int(out.strip())


def test_embed_dataset_at_stops_in_one_line_when_the_dataset_is_replaced_meanwhile(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "telecom")

    class ReplacingEmbedder(CountingEmbedder):
        def encode(self, texts, progress=None):
            if not self.seen:  # the workspace is not held while a batch is embedded: replace it meanwhile
                ingest_dataset(location, reviews_frame.head(3), "telecom", replace=True)
            return super().encode(texts, progress)

    embedder = ReplacingEmbedder()
    with pytest.raises(UnknownDatasetError, match=r"^The dataset 'telecom' was deleted or replaced while") as error:
        embed_dataset_at(location, "telecom", embedder, batch=2)
    assert "\n" not in str(error.value) and "the 2 vectors stored so far are kept" in str(error.value)
    with Workspace.open(location) as ws:
        assert ws.embedding_cache().count("fake-model") == 2


def test_check_dataset_at_leaves_the_workspace_free_while_it_embeds_and_judges(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "telecom")
    marker = tmp_path / "checking"
    script = _slow_embedder(marker, pause=1.5) + textwrap.dedent(
        f"""
        from alignment.config import Config
        from alignment.records import Claim
        from alignment.workspace import check_dataset_at

        class Even:
            name = "even"
            def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
                return np.tile(np.array([[0.3, 0.2, 0.5]], dtype=np.float32), (len(sentence_texts), 1))

        claims = [Claim("c1", "manual", "Fewer dropped calls", 0, 19, "calls", "qualitative")]
        report, info = check_dataset_at({str(location)!r}, None, "telecom", Config(), claims=claims,
                                        embedder=Slow(), stance_model=Even())
        print(len(report.claims), info.dataset_id)
        """
    )
    child = _start_child(script, marker, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with Workspace.open(location, wait_s=5) as ws:  # the check is embedding: the workspace is free
            dataset_id = ws.dataset("telecom").dataset_id
            ws.ingest(reviews_frame.head(3), "other")  # and can be written
        out, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors
    finally:
        child.kill()
        child.wait()
    assert out.split() == ["1", str(dataset_id)]
    with Workspace.open(location) as ws:  # the vectors it embedded were stored as it went
        assert ws.embed_dataset("telecom", CountingEmbedder()) == 0


def test_check_dataset_at_embeds_nothing_when_the_copy_has_no_claim(tmp_path, reviews_frame, nlp):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "telecom")
    embedder = CountingEmbedder()
    report, _ = check_dataset_at(location, "Visit our store on Main Street.", "telecom", embedder=embedder, nlp=nlp)
    assert report.claims == () and embedder.seen == []
    with Workspace.open(location) as ws:
        assert ws.embedding_cache().count() == 0


def _checked_telecom(location: Path, reviews_frame: pd.DataFrame) -> tuple[Report, DatasetInfo]:
    """The reviews ingested as "telecom" at ``location`` and checked there, away from any open workspace, on
    one claim with the small fakes."""
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "telecom")
    claims = [Claim("c1", "manual", "Fewer dropped calls", 0, 19, "calls", "qualitative")]
    return check_dataset_at(
        location, None, "telecom", Config(), claims=claims, embedder=CountingEmbedder(), stance_model=EvenStance()
    )


@pytest.mark.parametrize("meanwhile", ["replaced", "deleted"])
def test_a_run_is_not_saved_against_a_dataset_changed_while_it_was_checked(tmp_path, reviews_frame, meanwhile):
    location = tmp_path / "ws"
    report, checked = _checked_telecom(location, reviews_frame)
    with Workspace.open(location) as ws:
        if meanwhile == "replaced":
            ws.ingest(reviews_frame.head(3), "telecom", replace=True)
        else:
            ws.delete_dataset("telecom")
        with pytest.raises(UnknownDatasetError, match=rf"^The dataset 'telecom' was {meanwhile} while this check"):
            ws.save_run(report, dataset="telecom", dataset_id=checked.dataset_id)
        assert ws.list_runs() == []


def test_a_run_checked_away_from_the_workspace_is_saved_against_its_dataset(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    report, checked = _checked_telecom(location, reviews_frame)
    with Workspace.open(location) as ws:
        run = ws.save_run(report, dataset="telecom", dataset_id=checked.dataset_id)
        assert ws.run_report(run.run_id) == report.to_dict()


def test_a_run_is_named_by_its_number_or_by_the_run_info_save_run_returned(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    report, _ = _checked_telecom(location, reviews_frame)
    with Workspace.open(location) as ws:
        run = ws.save_run(report, dataset="telecom")
        assert ws.load_run(run).to_dict() == ws.load_run(run.run_id).to_dict()
        assert ws.run(run) == run
        with pytest.raises(UnknownRunError, match=r"^A run is named by its number .*; got 'latest'\.$"):
            ws.load_run("latest")  # type: ignore[arg-type]
        ws.delete_run(run)
        assert ws.list_runs() == []


def test_a_run_label_is_kept_on_one_line(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    report, _ = _checked_telecom(location, reviews_frame)
    with Workspace.open(location) as ws:
        assert ws.save_run(report, dataset="telecom", label="spring\ncopy\t v2 ").label == "spring copy v2"
        assert ws.save_run(report, dataset="telecom", label=" \n ").label is None


def test_a_run_saved_from_python_records_the_embedder_its_report_was_checked_with(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    report, _ = _checked_telecom(location, reviews_frame)
    assert report.embedder == CountingEmbedder.model_id and report.to_dict()["embedder"] == CountingEmbedder.model_id
    with Workspace.open(location) as ws:
        run = ws.save_run(report, dataset="telecom")  # as the README's snippet saves it, no embedder named
        assert run.embedder == CountingEmbedder.model_id
        assert ws.load_run(run.run_id).embedder == CountingEmbedder.model_id


@pytest.mark.parametrize("where", ["_append", "_merge"])
def test_a_full_disk_is_one_line_that_says_how_to_free_it_and_saves_nothing(
    tmp_path, reviews_frame, monkeypatch, where
):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "kept")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workspace_module if where == "_append" else Workspace, where, full)
    with pytest.raises(WorkspaceFullError) as error:
        ingest_dataset(location, reviews_frame, "more")
    message = str(error.value)
    assert "\n" not in message and f"The disk holding the workspace ({location}) is full" in message
    assert "nothing was saved" in message and "set --workspace to a folder on a larger disk" in message
    monkeypatch.undo()
    with Workspace.open(location) as ws:
        assert [d.name for d in ws.list_datasets()] == ["kept"]
    assert _staging_files(location) == []


def test_a_workspace_that_cannot_be_written_is_still_read_and_refuses_writes_in_one_line(
    tmp_path, reviews_frame, request
):
    location = tmp_path / "ws"
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "telecom")
    request.getfixturevalue("unwritable_disk")  # from here on, the disk is read-only
    with Workspace.open(location) as ws:
        assert ws.read_only and ws.dataset("telecom").reviews == 7
        assert embed_dataset_at(location, "telecom", CountingEmbedder()) == 0  # nothing can be stored: skipped
        with pytest.raises(InputError, match=r"can only be read: you cannot write to it \(a read-only disk") as error:
            ws.delete_dataset("telecom")
        assert "\n" not in str(error.value)
    with pytest.raises(InputError, match="can only be read"):
        ingest_dataset(location, reviews_frame, "more")


def test_a_dead_ingests_staging_file_is_removed_whatever_the_workspace_file_is_called(tmp_path):
    database = tmp_path / "q[1].DUCKDB"  # glob characters, and the suffix in capitals
    Workspace.open(database).close()
    assert database.is_file()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [tmp_path / f".q[1].DUCKDB.ingest-{dead.stdout.strip()}-0a1b2c3d.duckdb{end}" for end in ("", ".wal")]
    alive = tmp_path / f".q[1].DUCKDB.ingest-{os.getpid()}-0a1b2c3d.duckdb"
    for path in [*leftovers, alive]:
        path.write_bytes(b"staged")
    Workspace.open(database).close()
    assert not any(path.exists() for path in leftovers)
    assert alive.exists()  # this process is alive: its file may be in use


def test_workspace_ingest_lets_other_threads_use_the_workspace_while_it_reads(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "kept")
    listed: list[list[str]] = []

    class ListFromAnotherThread:
        def start(self, stage, total):
            pass

        def advance(self, done):
            if not listed:
                thread = threading.Thread(target=lambda: listed.append([d.name for d in workspace.list_datasets()]))
                thread.start()
                thread.join(timeout=10)
                assert not thread.is_alive(), "another thread was kept waiting for the whole ingest"

        def finish(self):
            pass

    bigger = pd.concat([reviews_frame] * 10, ignore_index=True)
    bigger["review_id"] = [f"r{i}" for i in range(len(bigger))]
    workspace.ingest(bigger, "bigger", chunk_rows=10, progress=ListFromAnotherThread())
    assert listed == [["kept"]]
    assert workspace.dataset("bigger").reviews == 70


def test_workspace_held_by_another_process_is_a_one_line_error(tmp_path):
    location = tmp_path / "ws"
    Workspace.open(location).close()
    script = f"from alignment.workspace import Workspace; import time; w = Workspace.open({str(location)!r}); print('ready', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceBusyError, match="in use by another alignment process") as error:
            Workspace.open(location)
        assert "\n" not in str(error.value)
    finally:
        child.kill()
        child.wait()


def test_workspace_location_comes_from_align_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "custom"))
    assert default_location() == tmp_path / "custom"
    with Workspace.open() as ws:
        assert ws.database == tmp_path / "custom" / "workspace.duckdb"
    assert (tmp_path / "custom" / "workspace.duckdb").is_file()
    monkeypatch.delenv("ALIGN_WORKSPACE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert default_location() == tmp_path / "data" / "alignment"


def test_workspace_read_only_open_of_a_missing_workspace_says_so(tmp_path):
    with pytest.raises(InputError, match="No workspace"):
        Workspace.open(tmp_path / "absent", read_only=True)


def test_workspace_ingest_errors_are_the_same_input_errors(workspace, tmp_path):
    with pytest.raises(InputError, match="not found"):
        workspace.ingest(tmp_path / "nope.csv", "x")
    (tmp_path / "n.csv").write_text("a,b\n1,2\n")
    with pytest.raises(MissingColumnError, match="columns are"):
        workspace.ingest(tmp_path / "n.csv", "x")
    (tmp_path / "h.csv").write_text("id,text\n")
    with pytest.raises(EmptyDatasetError, match="no review text"):
        workspace.ingest(tmp_path / "h.csv", "x")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(EmptyDatasetError, match="empty"):
        workspace.ingest(tmp_path / "e.csv", "x")
    assert workspace.list_datasets() == []
    assert _table_rows(workspace, "datasets") == 0


def test_stream_reads_csv_in_bounded_chunks_with_progress_in_kilobytes(tmp_path, write_table):
    rows = 5_000
    frame = pd.DataFrame({"id": range(rows), "text": [f"Review number {i}. It was fine." for i in range(rows)]})
    path = write_table(frame, tmp_path / "r.csv")
    stream = TableStream(path, chunk_rows=700)
    seen: list[int] = []
    sizes = [len(chunk) for chunk in stream.chunks(seen.append)]
    assert max(sizes) <= 700 and sum(sizes) == rows
    assert stream.unit == "kB" and sum(seen) == stream.total == -(-path.stat().st_size // 1024)
    assert stream.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_stream_handles_cp1252_semicolons_nul_bytes_and_bad_json_lines(tmp_path):
    csv = tmp_path / "r.csv"
    csv.write_bytes("id;text\n1;Caf\u00e9 staff were lovely \u2013 no fees\n2;Dropped\x00 calls\n".encode("cp1252"))
    for path in (csv,):
        streamed = ReviewStream(path, chunk_rows=1)
        reviews = [r for chunk, _ in streamed.chunks() for r in chunk]
        assert [r.text for r in reviews] == [r.text for r in load_reviews(path).reviews]
        assert reviews[0].text.startswith("Caf\u00e9")
    lines = tmp_path / "r.jsonl"
    lines.write_text('{"text": "Great signal."}\nnot json\n[1, 2]\n{"text": "Slow data."}\n', encoding="utf-8")
    streamed = ReviewStream(lines, chunk_rows=1)
    assert sum(len(chunk) for chunk, _ in streamed.chunks()) == 2
    assert streamed.summary() == load_reviews(lines).summary
    assert streamed.summary().skipped == {"unreadable line": 2}


def test_workspace_cache_stores_float16_and_returns_what_it_stores(workspace):
    cache = workspace.embedding_cache()
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [hash_text(str(i)) for i in range(5)]
    cache.put_many("m", dict(zip(keys, vectors, strict=True)))
    cache.put_many("m", dict(zip(keys, vectors * 0, strict=True)))  # stored keys are never overwritten
    found = cache.get_many("m", [*keys, "absent"])
    assert set(found) == set(keys)
    for key, vector in zip(keys, vectors, strict=True):
        np.testing.assert_array_equal(found[key], cache.as_stored(vector[None])[0])
        assert float(found[key] @ vector) > 0.9999
    matrix, mask = cache.get_matrix("m", ["absent", keys[2], keys[2]])
    assert mask.tolist() == [False, True, True] and matrix is not None and not matrix[0].any()
    assert cache.get_many("other model", keys) == {}
    assert cache.count("m") == 5 and cache.count() == 5


def test_workspace_never_embeds_a_sentence_twice_across_datasets_runs_and_sessions(tmp_path, reviews_frame):
    location = tmp_path / "ws"
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    inner = CountingEmbedder()
    with Workspace.open(location) as ws:
        ws.ingest(reviews_frame, "a")
        extended = pd.concat([reviews_frame, reviews_frame.head(2).assign(review_id=["x1", "x2"])])
        ws.ingest(extended, "b")
        ws.check(None, "a", Config(), claims=claims, embedder=inner, stance_model=EvenStance())
        ws.check(None, "b", Config(), claims=claims, embedder=inner, stance_model=EvenStance())
        ws.check(None, "a", Config(), claims=claims, embedder=inner, stance_model=EvenStance())
    with Workspace.open(location) as ws:
        report = ws.check(None, "b", Config(), claims=claims, embedder=inner, stance_model=EvenStance())
        assert ws.embed_dataset("b", inner) == 0
    assert len(inner.seen) == len(set(inner.seen))
    sentence_texts = {s.text for s in load_reviews(reviews_frame).sentences}
    assert set(inner.seen) == sentence_texts | {"No hidden fees"}
    assert report.dataset.sentences == len(load_reviews(extended).sentences) > len(sentence_texts)


def test_workspace_check_gives_the_same_report_as_check_on_the_file(workspace, tmp_path, reviews_frame, write_table):
    from alignment.pipeline import check

    path = write_table(reviews_frame, tmp_path / "r.csv")
    workspace.ingest(path, "telecom")
    claims = [
        Claim("c1", "manual", "Fewer dropped calls", 0, 19, "dropped calls", "comparative"),
        Claim("c2", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute"),
    ]
    config = Config(min_similarity=-1.0)
    stored = CountingEmbedder()
    first = workspace.check(None, "telecom", config, claims=claims, embedder=stored, stance_model=EvenStance())
    again = workspace.check(None, "telecom", config, claims=claims, embedder=stored, stance_model=EvenStance())
    from alignment.workspace import WorkspaceEmbeddingCache

    class Rounded:
        """The fake embedder with the workspace's float16 rounding, for a like-for-like comparison."""

        model_id = "fake-model"

        def encode(self, texts, progress=None):
            return WorkspaceEmbeddingCache.as_stored(CountingEmbedder().encode(texts, progress))

    direct = check(None, path, config, claims=claims, embedder=Rounded(), stance_model=EvenStance())
    assert first.to_dict() == direct.to_dict() == again.to_dict()
    assert len(stored.seen) == len(set(stored.seen))


def test_workspace_embed_dataset_embeds_distinct_missing_sentences_in_batches(workspace, reviews_frame):
    doubled = pd.concat([reviews_frame, reviews_frame.assign(review_id=lambda f: f.review_id + "b")])
    workspace.ingest(doubled, "doubled")
    inner = CountingEmbedder()
    seen: list[int] = []

    class Bar:
        def start(self, stage, total):
            seen.append(-total)

        def advance(self, done):
            seen.append(done)

        def finish(self):
            pass

    distinct = workspace.distinct_sentences("doubled")
    assert workspace.embed_dataset("doubled", inner, progress=Bar(), batch=3) == distinct
    assert len(inner.seen) == distinct == len(set(inner.seen))
    assert seen[0] == -distinct and sum(seen[1:]) == distinct
    assert workspace.embedding_coverage("doubled") == {"fake-model": distinct}
    assert workspace.embed_dataset("doubled", inner) == 0


def test_workspace_runs_keep_claims_config_scores_and_the_report(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "telecom")
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    config = Config(min_similarity=-1.0, min_evidence=2)
    report = workspace.check(
        None, "telecom", config, claims=claims, embedder=CountingEmbedder(), stance_model=EvenStance()
    )
    first = workspace.save_run(report, dataset="telecom", label="spring", embedder="fake-model")
    second = workspace.save_run(report, dataset="telecom", label="summer")
    assert [r.run_id for r in workspace.list_runs()] == [second.run_id, first.run_id]
    assert workspace.list_runs(dataset="telecom", limit=1)[0].label == "summer"
    assert workspace.list_runs(dataset="other") == []
    run = workspace.run(first.run_id)
    assert run.dataset == "telecom" and run.label == "spring" and run.embedder == "fake-model"
    assert run.dataset_sha256 is None  # a DataFrame has no file hash
    assert run.config["min_evidence"] == 2
    assert [c.text for c in run.claims] == ["No hidden fees"]
    assert run.claims[0].mentions == report.claims[0].score.mentions
    assert run.to_dict()["claims"][0]["risk"] == report.claims[0].score.risk
    assert workspace.run_report(first.run_id) == report.to_dict()
    workspace.delete_run(first.run_id)
    with pytest.raises(UnknownRunError, match="No run"):
        workspace.run(first.run_id)
    workspace.delete_dataset("telecom")
    assert workspace.run(second.run_id).dataset == "telecom"  # the history outlives the dataset
    kept = workspace.run_report(second.run_id)
    assert kept["claims"][0]["mentions"] == report.claims[0].score.mentions and kept["claims"][0]["matches"] == []
    assert "deleted or replaced" in kept["notes"][-1]


def test_workspace_recheck_serves_the_sentence_vectors_from_memory(workspace, reviews_frame, monkeypatch):
    workspace.ingest(reviews_frame, "telecom")
    inner = CountingEmbedder()
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    workspace.check(None, "telecom", Config(), claims=claims, embedder=inner, stance_model=EvenStance())
    (vectors,) = workspace._vectors.values()
    assert not vectors.flags.writeable  # shared between checks, so nobody may change it in place

    from alignment.workspace import WorkspaceEmbeddingCache

    asked: list[int] = []
    original = WorkspaceEmbeddingCache.get_matrix

    def recording(self, model_id, keys):
        asked.append(len(keys))
        return original(self, model_id, keys)

    monkeypatch.setattr(WorkspaceEmbeddingCache, "get_matrix", recording)
    again = [Claim("c2", "manual", "Transparent pricing", 0, 19, "pricing", "qualitative")]
    report = workspace.check(None, "telecom", Config(), claims=again, embedder=inner, stance_model=EvenStance())
    assert inner.seen[-1] == "Transparent pricing" and report.claims[0].claim.text == "Transparent pricing"
    assert asked == [1]  # only the new claim was looked up; the sentences came from memory
    assert CachedEmbedder(inner, workspace.embedding_cache()).model_id == "fake-model"


class VariedStance:
    """A stance model whose probabilities differ from pair to pair (a softmax of a few vector components)."""

    name = "varied"

    def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
        assert len(claim_texts) == len(sentence_texts) == len(list(sentence_texts)) == len(sentence_vectors)
        logits = 4.0 * sentence_vectors[:, :3] + claim_vectors[:, 3:6]
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)


def _pack_one_by_one(claims):
    """A run's judgements as the per-record packing wrote them (runs saved before the arrays)."""
    codes = {stance: code for code, stance in enumerate(STANCES)}
    rows = [
        (position, j.sentence_index, j.similarity, j.p_supports, j.p_contradicts, j.p_neutral, codes[j.stance])
        for position, judgements in enumerate(claims)
        for j in judgements
    ]
    return zlib.compress(np.array(rows, dtype=_JUDGEMENT).tobytes(), 1)


def _unpack_one_by_one(blob, claims):
    grouped: list[list[Judgement]] = [[] for _ in range(claims)]
    for claim, sentence, similarity, p_supports, p_contradicts, p_neutral, stance in np.frombuffer(
        zlib.decompress(blob), dtype=_JUDGEMENT
    ).tolist():
        grouped[claim].append(Judgement(sentence, similarity, STANCES[stance], p_supports, p_contradicts, p_neutral))
    return grouped


def test_workspace_recheck_judgements_are_the_per_record_ones_and_saved_runs_read_both_formats(
    workspace, reviews_frame, judge_one_by_one
):
    workspace.ingest(reviews_frame, "telecom")
    claims = [
        Claim("c1", "manual", "Fewer dropped calls", 0, 19, "dropped calls", "comparative"),
        Claim("c2", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute"),
        Claim("c3", "manual", "Free parking", 0, 12, "parking", "qualitative"),
    ]
    config = Config(min_similarity=-0.2, min_evidence=1)
    report = workspace.check(
        None, "telecom", config, claims=claims, embedder=CountingEmbedder(), stance_model=VariedStance()
    )

    # The per-record path on the same (stored) vectors: Match records in, a Judgement per match out.
    cached = CachedEmbedder(CountingEmbedder(), workspace.embedding_cache())
    texts = [sentence.text for sentence in report.sentences]
    sentence_vectors, claim_vectors = cached.encode(texts), cached.encode([claim.text for claim in claims])
    matches = [list(found) for found in match_claims(claim_vectors, sentence_vectors, config.min_similarity)]
    expected = judge_one_by_one(
        [c.text for c in claims], matches, texts, claim_vectors, sentence_vectors, VariedStance()
    )
    assert sum(map(len, expected)) > 10 and {j.stance for found in expected for j in found} == set(STANCES)
    for result, records in zip(report.claims, expected, strict=True):
        assert isinstance(result.judgements, Judgements)
        assert tuple(result.judgements) == records
        assert result.score == score_claim(records, config.min_evidence, config.interval_level)

    run = workspace.save_run(report, dataset="telecom")
    blob = workspace._con.execute("SELECT judgements FROM runs WHERE run_id = ?", [run.run_id]).fetchall()[0][0]
    legacy = _pack_one_by_one(expected)
    assert zlib.decompress(blob) == zlib.decompress(legacy)  # the same records, byte for byte
    as_records = dataclasses.replace(
        report, claims=tuple(dataclasses.replace(r, judgements=tuple(r.judgements)) for r in report.claims)
    )
    assert zlib.decompress(_pack_judgements(as_records)) == zlib.decompress(legacy)
    assert _unpack_judgements(blob, 3) == _unpack_judgements(legacy, 3) == _unpack_one_by_one(legacy, 3)
    interleaved = np.frombuffer(zlib.decompress(legacy), dtype=_JUDGEMENT)[::-1]  # claims out of order
    reordered = zlib.compress(interleaved.tobytes())
    assert _unpack_judgements(reordered, 3) == _unpack_one_by_one(reordered, 3)
    assert _unpack_judgements(None, 2) == [[], []]
    assert workspace.run_report(run.run_id) == report.to_dict()


def test_user_folders_follow_the_override_then_the_platform_convention(tmp_path, monkeypatch):
    import sys

    from alignment.config import user_folder

    monkeypatch.setenv("ALIGN_TEST_FOLDER", str(tmp_path / "mine"))
    assert user_folder("data", "ALIGN_TEST_FOLDER") == tmp_path / "mine"
    monkeypatch.delenv("ALIGN_TEST_FOLDER")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        assert user_folder("data", "ALIGN_TEST_FOLDER") == tmp_path / "data" / "alignment"
        assert user_folder("cache", "ALIGN_TEST_FOLDER") == tmp_path / "cache" / "alignment"


def test_a_run_saved_before_relative_matching_reloads_with_the_settings_it_was_run_with(workspace, reviews_frame):
    _, run_id = _saved_run(workspace, reviews_frame)
    assert workspace.run_report(run_id)["config"]["relative_match"] is True
    stored = json.loads(workspace._con.execute("SELECT config FROM runs WHERE run_id = ?", [run_id]).fetchall()[0][0])
    del stored["relative_match"]  # as an older version wrote it
    workspace._con.execute("UPDATE runs SET config = ? WHERE run_id = ?", [json.dumps(stored), run_id])
    assert workspace.run_report(run_id)["config"]["relative_match"] is False


COPY = "No hidden fees, ever.\n\nFree installation on every plan. Open late on Fridays.\n\nCalls never drop."


def test_a_saved_run_loads_back_with_the_possible_claims_and_the_ads_of_its_check(workspace, reviews_frame, nlp):
    workspace.ingest(reviews_frame, "telecom")
    config = Config(min_similarity=-1.0)
    report = workspace.check(COPY, "telecom", config, embedder=CountingEmbedder(), stance_model=EvenStance(), nlp=nlp)
    assert report.possible_claims and report.ads  # the copy has phrases just under the bar
    run = workspace.save_run(report, dataset="telecom")
    loaded = workspace.load_run(run.run_id)
    assert loaded.possible_claims == report.possible_claims and loaded.ads == report.ads
    assert workspace.run_report(run.run_id) == report.to_dict()
    # with its dataset gone, the claims, possible claims and ads are still the run's
    workspace.delete_dataset("telecom")
    kept = workspace.run_report(run.run_id)
    assert kept["possible_claims"] == report.to_dict()["possible_claims"] and kept["ads"] == report.to_dict()["ads"]


def test_a_run_saved_before_possible_claims_and_ads_were_kept_loads_without_them(workspace, reviews_frame, nlp):
    workspace.ingest(reviews_frame, "telecom")
    config = Config(min_similarity=-1.0)
    report = workspace.check(COPY, "telecom", config, embedder=CountingEmbedder(), stance_model=EvenStance(), nlp=nlp)
    run = workspace.save_run(report, dataset="telecom")
    stored = json.loads(
        workspace._con.execute("SELECT summary FROM runs WHERE run_id = ?", [run.run_id]).fetchall()[0][0]
    )
    del stored["possible_claims"], stored["ads"]  # as an older version wrote it
    workspace._con.execute("UPDATE runs SET summary = ? WHERE run_id = ?", [json.dumps(stored), run.run_id])
    loaded = workspace.load_run(run.run_id)
    assert loaded.possible_claims is None and loaded.ads is None
    data = workspace.run_report(run.run_id)
    assert "possible_claims" not in data and "ads" not in data
    assert data["claims"] == report.to_dict()["claims"]
    # a run of claims given verbatim has neither
    verbatim = workspace.check(
        None, "telecom", config, claims=["No hidden fees"], embedder=CountingEmbedder(), stance_model=EvenStance()
    )
    plain = workspace.load_run(workspace.save_run(verbatim, dataset="telecom").run_id)
    assert plain.possible_claims is None and plain.ads is None


def test_a_run_claim_gives_its_score_as_the_check_scored_it(workspace, reviews_frame):
    from alignment.charts import verdict
    from alignment.compare import run_claim_verdict

    report, run_id = _saved_run(workspace, reviews_frame)
    stored = workspace.run(run_id).claims[0]
    assert stored.score == report.claims[0].score
    assert run_claim_verdict(stored) == verdict(report.claims[0].score)


def test_prune_drops_the_vectors_of_a_fast_recipe_no_longer_built(workspace, reviews_frame):
    from alignment.embed import FAST_MODEL_ID, MODEL_ID

    workspace.ingest(reviews_frame, "a")
    distinct = workspace.distinct_sentences("a")
    for model_id in (f"{MODEL_ID}#onnx-int8-per-channel-outliers-v2", FAST_MODEL_ID, MODEL_ID):
        embedder = CountingEmbedder()
        embedder.model_id = model_id
        workspace.embed_dataset("a", embedder)
    assert len(workspace.embedding_coverage("a")) == 3
    # the old recipe's vectors are never read again; the current fast and exact ones are what checks use
    assert workspace.prune_embeddings() == {"removed": distinct, "remaining": 2 * distinct}
    assert workspace.embedding_coverage("a") == {FAST_MODEL_ID: distinct, MODEL_ID: distinct}


def test_a_saved_run_loads_back_as_its_report_with_each_reviews_date_rating_and_segments(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "telecom", segment_columns=["region"])
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    config = Config(min_similarity=-1.0, min_evidence=2)
    report = workspace.check(
        None, "telecom", config, claims=claims, embedder=CountingEmbedder(), stance_model=EvenStance()
    )
    run = workspace.save_run(report, dataset="telecom")
    loaded = workspace.load_run(run.run_id)
    columns = ["review_id", "sentence", "stance", "date", "rating", "region"]
    assert loaded.matches_frame()[columns].equals(report.matches_frame()[columns])
    assert workspace.run_report(run.run_id) == loaded.to_dict()


def test_save_run_refuses_a_report_of_another_table_and_anything_but_a_report(workspace, reviews_frame):
    workspace.ingest(reviews_frame, "telecom")
    workspace.ingest(reviews_frame.iloc[:3], "small")
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    config = Config(min_similarity=-1.0, min_evidence=2)
    report = workspace.check(
        None, "telecom", config, claims=claims, embedder=CountingEmbedder(), stance_model=EvenStance()
    )
    with pytest.raises(
        InputError, match=r"^This report was checked against DataFrame \(\d+ sentences\), not the dataset 'small'"
    ):
        workspace.save_run(report, dataset="small")
    with pytest.raises(InputError, match=r"^save_run takes the Report that check\(\) returns, not dict"):
        workspace.save_run({"claims": []}, dataset="telecom")  # type: ignore[arg-type]
    assert workspace.list_runs() == []
    unattached = workspace.save_run(report)  # no dataset: the counts are kept, and the report says why no quote
    notes = workspace.run_report(unattached.run_id)["notes"]
    assert notes[-1].startswith("This run was saved without a dataset, so its matched sentences are not included")


def test_the_runs_of_deleted_datasets_are_chosen_before_the_limit(workspace, reviews_frame):
    for name in ("old", "live"):
        workspace.ingest(reviews_frame, name)
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    config = Config(min_similarity=-1.0, min_evidence=2)
    report = workspace.check(None, "old", config, claims=claims, embedder=CountingEmbedder(), stance_model=EvenStance())
    orphan = workspace.save_run(report, dataset="old", label="before the move")
    for _ in range(3):  # newer runs on a dataset that stays
        workspace.save_run(report, dataset="live")
    workspace.delete_dataset("old")
    assert [run.run_id for run in workspace.list_runs(limit=1, deleted_datasets=True)] == [orphan.run_id]
    assert all(run.dataset == "live" for run in workspace.list_runs(limit=3))


def test_two_sessions_of_one_process_saving_one_new_name_at_once_save_it_once(tmp_path, reviews_frame, monkeypatch):
    # Two app sessions share the process's DuckDB instance, each with a Workspace of its own: both read their
    # file, then copy it in at the same moment.
    location = tmp_path / "ws"
    Workspace.open(location).close()
    both_read = threading.Barrier(2)
    merge = Workspace._merge

    def merge_together(self, *args, **kwargs):
        both_read.wait(timeout=30)
        return merge(self, *args, **kwargs)

    monkeypatch.setattr(Workspace, "_merge", merge_together)
    outcomes: list[object] = []

    def save() -> None:
        try:
            outcomes.append(ingest_dataset(location, reviews_frame, "telecom").dataset_id)
        except DuplicateDatasetError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NameTakenMeanwhileError", "int"]
    with Workspace.open(location) as ws:
        assert [d.name for d in ws.list_datasets()] == ["telecom"]
        assert _table_rows(ws, "datasets") == 1 and _table_rows(ws, "reviews") == 7


class _FailingStatement:
    """A workspace connection whose statements starting with ``prefix`` fail, like a process killed there."""

    def __init__(
        self, connection: Any, prefix: str | tuple[str, ...], message: str = "IO Error: cut short here"
    ) -> None:
        self.connection = connection
        self.prefix = prefix
        self.message = message

    def execute(self, statement: str, *args: Any) -> Any:
        if statement.startswith(self.prefix):
            import duckdb

            raise duckdb.IOException(self.message)
        return self.connection.execute(statement, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def _saved_run(workspace: Workspace, reviews_frame: pd.DataFrame) -> Any:
    """Dataset "telecom" and a saved run of one claim on it: the report and the run's id."""
    workspace.ingest(reviews_frame, "telecom")
    claims = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
    report = workspace.check(
        None,
        "telecom",
        Config(min_similarity=-1.0),
        claims=claims,
        embedder=CountingEmbedder(),
        stance_model=EvenStance(),
    )
    return report, workspace.save_run(report, dataset="telecom").run_id


def test_a_run_whose_deletion_is_cut_short_is_kept_whole(workspace, reviews_frame):
    _, run_id = _saved_run(workspace, reviews_frame)
    connection = workspace._con
    workspace._con = _FailingStatement(connection, "DELETE FROM runs")
    try:
        with pytest.raises(
            workspace_module.WorkspaceError, match=f"failed while run {run_id} was deleted; it was kept"
        ):
            workspace.delete_run(run_id)
    finally:
        workspace._con = connection
    assert len(workspace.run(run_id).claims) == 1
    assert workspace.load_run(run_id).claims[0].claim.text == "No hidden fees"


def test_a_file_that_is_not_a_workspace_says_how_to_go_on_in_one_line(tmp_path):
    database = tmp_path / "ws" / "workspace.duckdb"
    database.parent.mkdir()
    database.write_text("review,rating\nGreat,5\n")
    with pytest.raises(workspace_module.WorkspaceError) as error:
        Workspace.open(database.parent)
    message = str(error.value)
    assert "not a valid DuckDB database file" in message and "\n" not in message
    assert "move it away, or set --workspace to another folder" in message  # a location was given


def test_a_file_that_is_not_a_workspace_named_by_the_environment_names_only_the_variable(tmp_path, monkeypatch):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "workspace.duckdb").write_text("review,rating\nGreat,5\n")
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "ws"))
    with pytest.raises(workspace_module.WorkspaceError) as error:
        Workspace.open()
    message = str(error.value)
    assert "move it away, or set ALIGN_WORKSPACE to another folder" in message and "--workspace" not in message


def test_a_location_that_is_a_regular_file_is_refused_in_one_line_and_kept(tmp_path, monkeypatch):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a workspace\n")
    with pytest.raises(InputError) as error:
        Workspace.open(notes)
    assert str(error.value) == (
        f"The workspace location {notes} is a file, not a workspace: a workspace is a folder, or a file whose name "
        "ends in .duckdb. Set --workspace to a folder."
    )
    monkeypatch.setenv("ALIGN_WORKSPACE", str(notes))
    with pytest.raises(InputError, match=r"Set ALIGN_WORKSPACE to a folder\.$"):
        ingest_dataset(None, pd.DataFrame({"text": ["Calls drop."]}), "telecom")
    assert notes.read_text() == "not a workspace\n"


def test_location_setting_names_what_pointed_at_the_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("ALIGN_WORKSPACE", raising=False)
    assert workspace_module.location_setting(None) == "ALIGN_WORKSPACE or --workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", "")  # set but empty: the default folder, as user_folder reads it
    assert workspace_module.location_setting(None) == "ALIGN_WORKSPACE or --workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path))
    assert workspace_module.location_setting(None) == "ALIGN_WORKSPACE"
    assert workspace_module.location_setting(tmp_path / "other") == "--workspace"  # given: the variable is not read


@pytest.mark.parametrize("action", ["save_run", "delete_run", "delete_dataset", "prune_embeddings"])
def test_a_full_disk_while_saving_or_deleting_says_so_in_one_line_and_keeps_everything(
    workspace, reviews_frame, action
):
    # DuckDB's own words for it, not a damaged file: following "move it away" would lose an intact workspace.
    report, run_id = _saved_run(workspace, reviews_frame)
    connection = workspace._con
    full = 'TransactionContext Error: Failed to commit: Could not write file "workspace.duckdb.wal": No space left on device'
    workspace._con = _FailingStatement(connection, ("INSERT", "DELETE"), full)
    calls = {
        "save_run": lambda: workspace.save_run(report, dataset="telecom"),
        "delete_run": lambda: workspace.delete_run(run_id),
        "delete_dataset": lambda: workspace.delete_dataset("telecom"),
        "prune_embeddings": workspace.prune_embeddings,
    }
    try:
        with pytest.raises(WorkspaceFullError) as error:
            calls[action]()
    finally:
        workspace._con = connection
    message = str(error.value)
    assert "\n" not in message and f"The disk holding the workspace ({workspace.location}) is full" in message
    assert "An ingest needs" not in message
    assert [run.run_id for run in workspace.list_runs()] == [run_id]
    assert workspace.dataset("telecom").reviews == 7 and len(workspace.run(run_id).claims) == 1


def test_a_duckdb_file_of_another_program_is_refused_and_left_as_it_is(tmp_path):
    import duckdb

    database = tmp_path / "sales.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("CREATE TABLE reviews (id INTEGER, body VARCHAR)")
        connection.execute("INSERT INTO reviews VALUES (1, 'kept as it was')")
    for read_only in (False, True):
        with pytest.raises(workspace_module.WorkspaceError) as error:
            Workspace.open(database, read_only=read_only)
        message = str(error.value)
        assert "\n" not in message and "not an alignment workspace (it holds the tables reviews)" in message
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("SELECT table_name FROM information_schema.tables").fetchall() == [("reviews",)]
        assert connection.execute("SELECT * FROM reviews").fetchall() == [(1, "kept as it was")]
