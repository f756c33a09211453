"""Models and results cached at the app edge: models once per server, results per (data, claims, config)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from alignment.config import Config
from alignment.embed import MemoryCache
from alignment.ingest import ReviewSet, load_reviews, parse_ads_text
from alignment.pipeline import check, default_embedder
from alignment.report import Report

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DEMO_ADS = DATA_DIR / "demo_ads.txt"
DEMO_REVIEWS = DATA_DIR / "demo_reviews.csv"


@st.cache_resource(show_spinner="Loading the language models…")
def load_models() -> tuple[object, MemoryCache]:
    """Load the embedder and the claim pipeline once per server; the cache is shared and thread-safe enough
    for reads (vectors for a text never change)."""
    from alignment.claims import load_claim_pipeline

    embedder = default_embedder()
    embedder.load()
    load_claim_pipeline()
    return embedder, MemoryCache()


@st.cache_data(show_spinner=False)
def load_demo_reviews() -> ReviewSet:
    """The bundled demo reviews, validated."""
    return load_reviews(DEMO_REVIEWS)


def demo_ads_text() -> str:
    """The bundled demo ad copy."""
    return DEMO_ADS.read_text(encoding="utf-8")


@st.cache_data(show_spinner="Checking claims against the reviews…", max_entries=32)
def run_check(ads_text: str, _reviews: ReviewSet, reviews_key: str, config: Config) -> Report:
    """Run check() once per (ad copy, dataset key, config); ``_reviews`` is not hashed, ``reviews_key`` is."""
    from alignment.embed import CachedEmbedder

    embedder, cache = load_models()
    return check(parse_ads_text(ads_text), _reviews, config, embedder=CachedEmbedder(embedder, cache))  # type: ignore[arg-type]
