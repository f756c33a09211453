"""Models and results cached at the app edge: models once per server, results per (dataset, claims, config).

The models (MiniLM, spaCy) are held with ``st.cache_resource``; sentence vectors go through a shared
in-memory cache, so a re-check with new wording embeds only the new claims. For a dataset saved in the
workspace they also come from and go to the workspace, so neither another session nor the command line
embeds them again. Results live in a small LRU keyed by a hash of the dataset's content and mapping, the
claims and the config: a session can only hit an entry for data it holds itself, so nothing leaks between
sessions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from alignment.config import Config
from alignment.embed import CachedEmbedder, Embedder, MemoryCache, MiniLMEmbedder
from alignment.ingest import ReviewSet, load_reviews, parse_ads_text
from alignment.records import Ad, Claim, PossibleClaim
from alignment.report import Report
from alignment.ui.progress import StreamlitProgress
from alignment.ui.uploads import Dataset, dataset_from_review_set
from alignment.ui.workspace_store import WorkspaceVectors

if TYPE_CHECKING:
    from spacy.language import Language

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DEMO_ADS = DATA_DIR / "demo_ads.txt"
DEMO_REVIEWS = DATA_DIR / "demo_reviews.csv"
DEMO_NAME = "Brightwave demo reviews"
RESULT_ENTRIES = 48


@dataclass(frozen=True)
class Models:
    """The loaded models, shared by every session of this server."""

    embedder: CachedEmbedder
    nlp: Language


@st.cache_resource(show_spinner="Loading the language models (once per server)…")
def load_models() -> Models:
    """Verify and load MiniLM and the spaCy claim pipeline once per server process."""
    from alignment.claims import load_claim_pipeline

    # Smaller chunks than the library default, so the progress bar moves every few hundred sentences.
    embedder = MiniLMEmbedder(chunk_size=256)
    embedder.load()
    return Models(embedder=CachedEmbedder(embedder, MemoryCache()), nlp=load_claim_pipeline())


@st.cache_data(show_spinner=False)
def _demo_review_set() -> ReviewSet:
    return load_reviews(DEMO_REVIEWS)


def demo_dataset() -> Dataset:
    """The bundled demo reviews as a Dataset (validated once per server)."""
    return dataset_from_review_set(_demo_review_set(), DEMO_NAME, "bundled demo", DEMO_REVIEWS.read_bytes())


def demo_ads_text() -> str:
    """The bundled demo ad copy."""
    return DEMO_ADS.read_text(encoding="utf-8").strip()


@st.cache_data(show_spinner=False, max_entries=256)
def read_copy(copy: str, max_claims: int) -> tuple[list[Claim], list[PossibleClaim]]:
    """The claims of a piece of copy (ads separated by blank lines) and the phrases scored just under the
    claim bar, most probable first, from one parse, cached per copy text."""
    from alignment.claims import read_copy as read

    return read(parse_ads_text(copy), load_models().nlp, limit=max_claims)


def extract(copy: str, max_claims: int) -> list[Claim]:
    """The claims of a piece of copy (:func:`read_copy`)."""
    return read_copy(copy, max_claims)[0]


def possible_claims(copy: str, max_claims: int) -> list[PossibleClaim]:
    """The phrases of a piece of copy scored just under the claim bar (:func:`read_copy`)."""
    return read_copy(copy, max_claims)[1]


def claims_left_out(copy: str, max_claims: int) -> tuple[int, bool]:
    """How many claims of a copy fall past its first ``max_claims`` (the most one check takes), and whether that
    count is exact. The copy is read only up to twice the cap, so that a huge paste cannot stall the page: past
    that the count is a lower bound."""
    counted = len(extract(copy, 2 * max_claims))
    return max(0, counted - max_claims), counted < 2 * max_claims


def infer_claim(text: str) -> Claim:
    """A claim for text typed by hand, with its aspect and type inferred (used verbatim)."""
    from alignment.claims import claims_from_lines

    return claims_from_lines([text], load_models().nlp)[0]


class ResultStore:
    """A small thread-safe LRU of Reports keyed by content hashes."""

    def __init__(self, entries: int = RESULT_ENTRIES) -> None:
        self._entries = entries
        self._items: OrderedDict[str, Report] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Report | None:
        """The report for this key, if held (and mark it recently used)."""
        with self._lock:
            report = self._items.get(key)
            if report is not None:
                self._items.move_to_end(key)
            return report

    def put(self, key: str, report: Report) -> None:
        """Hold a report, dropping the least recently used beyond the limit."""
        with self._lock:
            self._items[key] = report
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def result_store() -> ResultStore:
    """The server's result cache."""
    return ResultStore()


def report_key(claims: Sequence[Claim], dataset_key: str, config: Config) -> str:
    """The cache key of a check: the dataset's content key, every claim field and every setting."""
    payload = json.dumps(
        [dataset_key, [dataclasses.astuple(c) for c in claims], config.to_dict()], sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _embedder_for(dataset: Dataset, models: Models) -> tuple[Embedder, WorkspaceVectors | None]:
    """The embedder for a check: for a workspace dataset, vectors come from (and go to) the workspace.

    The workspace cache sits in front of the server's in-memory one, so a sentence already embedded by this
    server (say, before its upload was saved) or by the command line is not embedded again.
    """
    if dataset.workspace_name is None:
        return models.embedder, None
    stored = WorkspaceVectors()
    return CachedEmbedder(models.embedder, stored), stored


def get_report(
    claims: Sequence[Claim], dataset: Dataset, config: Config, ads: Sequence[Ad] | None = None
) -> tuple[Report, float | None]:
    """The report for these claims on this dataset: from the cache, or computed with visible progress.

    ``ads`` is the copy the claims were read from, as read (:func:`alignment.ingest.parse_ads_text`): the
    report carries it as :func:`alignment.check`'s does (``Report.ads``, the ``ads`` of its JSON). It is this
    session's copy, never the cache's: the cache key hashes the claims, not the copy around them, so two
    sessions whose copies differ only outside the claims share a result, each report with its own copy.

    Returns the report and the seconds the check took (None when it came from the cache).

    Raises:
        AlignmentError: the check failed on the input (shown to the user by the page).
    """
    from alignment.pipeline import build_report, judge_and_weigh

    key = report_key(claims, dataset.key, config)
    store = result_store()
    cached = store.get(key)
    if cached is not None:
        # The key hashes the data, not the file name: another session may have computed this report from
        # byte-identical data under another name, so the summary (which names the file) is this session's.
        return dataclasses.replace(cached, dataset=dataset.review_set.summary, ads=_ads(ads)), None
    review_set = dataset.review_set
    started = time.perf_counter()
    placeholder = st.empty()
    label = f"Checking {len(claims)} claims against {review_set.summary.sentences:,} review sentences…"
    with placeholder.container(), st.status(label, expanded=True) as status:
        loading = st.empty()
        loading.write("Loading the language models (once per server)…")
        models = load_models()
        loading.empty()
        progress = StreamlitProgress(st.container())
        embedder, stored = _embedder_for(dataset, models)
        results, prior = judge_and_weigh(list(claims), review_set, config, embedder, None, progress)
        status.update(label="Checked", state="complete", expanded=False)
    placeholder.empty()
    if stored is not None and stored.unavailable:
        st.warning(
            "The sentence vectors were computed here but not kept in the workspace, so the next check may compute "
            f"them again. {stored.unavailable}"
        )
    # Built without the ads, unlike alignment.check: the cache holds the report for every session with these
    # claims, and build_report would add a note on this session's copy to it (Vet copy says that note itself).
    report = build_report(results, review_set, config, prior)
    store.put(key, report)
    return dataclasses.replace(report, ads=_ads(ads)), time.perf_counter() - started


def _ads(ads: Sequence[Ad] | None) -> tuple[Ad, ...] | None:
    """``ads`` as Report.ads holds them (alignment.pipeline.build_report does the same)."""
    return None if ads is None else tuple(ads)
