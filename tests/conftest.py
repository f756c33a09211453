"""Shared fixtures: tiny inline data and the real models, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignment.records import STANCES, Judgement
from alignment.stance import read_in_context

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# Reviews in Spanish, for the notes that say a text does not read as English.
SPANISH_REVIEWS = [
    "La cobertura es mala y las llamadas se cortan todo el tiempo.",
    "Me cobraron una tarifa que nadie me explicó cuando firmé.",
    "El servicio al cliente nunca contesta el teléfono por la noche.",
    "La señal desaparece en cuanto salgo de la ciudad.",
    "Pagué más de lo que decía el anuncio, otra vez.",
    "Las llamadas caídas son constantes desde hace meses.",
]


@pytest.fixture(autouse=True)
def own_workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ALIGN_WORKSPACE at a workspace of this test's own (not made yet), so no test reads or writes the
    user's real one (~/.local/share/alignment): the app keeps a draft there on every check. Outside tmp_path,
    so tests that look at what their tmp_path holds find nothing of it; a test that sets ALIGN_WORKSPACE itself
    (or deletes it) overrides this."""
    location = tmp_path_factory.mktemp("own-workspace") / "workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", str(location))
    return location


@pytest.fixture(scope="session")
def embedder():
    """The real bundled MiniLM embedder, loaded once."""
    from alignment.pipeline import default_embedder

    model = default_embedder()
    model.load()
    return model


@pytest.fixture(scope="session")
def nlp():
    """The real en_core_web_sm pipeline with the claim component."""
    from alignment.claims import load_claim_pipeline

    return load_claim_pipeline()


@pytest.fixture
def reviews_frame() -> pd.DataFrame:
    """A small telecom review table with a story: dropped calls contradicted, fees supported."""
    return pd.DataFrame(
        {
            "review_id": ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"],
            "date": [
                "2025-01-03",
                "2025-01-09",
                "2025-02-11",
                "2025-02-20",
                "2025-03-01",
                "2025-03-05",
                "2025-03-09",
                "2025-03-09",
            ],
            "rating": [1, 2, 1, 5, 4, 5, 3, 3],
            "region": ["Coastal", "Coastal", "North", "North", "South", "South", "East", "East"],
            "text": [
                "My calls drop every single day. Called support twice.",
                "Dropped calls all the time since the tower upgrade.",
                "Another dropped call in the middle of a meeting, unbelievable.",
                "The bill was exactly what they quoted, no hidden fees at all.",
                "No surprise charges on my bill in a year.",
                "Transparent pricing, I always know what I pay.",
                "Ordered a new SIM card on Monday.",
                "",
            ],
        }
    )


def _write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` in the format its file suffix names (.csv, .tsv, .xlsx, .json, .jsonl, .parquet)."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".json":
        path.write_text(frame.to_json(orient="records"), encoding="utf-8")
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    return path


@pytest.fixture
def write_table():  # type: ignore[no-untyped-def]
    """A function writing a frame as the file its suffix names; returns the path."""
    return _write_table


@pytest.fixture
def unwritable_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workspace opened from here on sits on a read-only disk: opening it for writing fails as DuckDB
    fails there, and opening it for reading works (a real read-only mount needs root and a mount)."""
    import duckdb

    import alignment.workspace as workspace_module

    connect = workspace_module._connect

    def read_only_disk(database: Path, read_only: bool) -> object:
        if not read_only:
            try:
                raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Read-only file system')
            except duckdb.IOException as exc:
                raise workspace_module.WorkspaceError(f"Cannot open the workspace {database}: {exc}") from exc
        return connect(database, read_only)

    monkeypatch.setattr(workspace_module, "_connect", read_only_disk)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when the evaluation data is absent."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not available")
    return path


def _judge_one_by_one(claim_texts, matches, sentence_texts, claim_vectors, sentence_vectors, model, reviews=None):
    """The per-record judging the arrays replaced: a Judgement built for every match (each read in its
    review's context when ``reviews`` gives the sentences' review indices)."""
    result: list[tuple[Judgement, ...]] = []
    for claim, found in enumerate(matches):
        found = list(found)
        if not found:
            result.append(())
            continue
        indices = [m.sentence_index for m in found]
        vectors = sentence_vectors[indices]
        arguments = (
            [claim_texts[claim]] * len(found),
            [sentence_texts[i] for i in indices],
            np.broadcast_to(claim_vectors[claim], vectors.shape),
            vectors,
        )
        if reviews is None:
            probabilities = model.predict_proba(*arguments)
        else:
            context = np.concatenate([read_in_context(sentence_vectors, reviews, np.array([i])) for i in indices])
            similarity = np.array([m.similarity for m in found], dtype=np.float32)
            probabilities = model.predict_proba_in_context(*arguments[:3], context, similarity)
        labels, rows = probabilities.argmax(axis=1).tolist(), probabilities.tolist()
        result.append(
            tuple(
                Judgement(m.sentence_index, m.similarity, STANCES[label], *row)
                for m, label, row in zip(found, labels, rows, strict=True)
            )
        )
    return result


@pytest.fixture
def judge_one_by_one():  # type: ignore[no-untyped-def]
    """The per-record judging that the array-backed Judgements replaced, as a reference for equality tests."""
    return _judge_one_by_one


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the ``alignment`` command line in-process: its exit code, stdout and stderr."""
    from alignment.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits on its own for usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
