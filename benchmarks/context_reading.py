"""Does reading a matched sentence with its neighbours judge its side better than reading it alone?

check() judges each matched review sentence; since 2026-11-29 the bundled stance model reads it with the
sentences either side of it in the same review (`alignment.stance.read_in_context`). This script measures
that choice against reading the sentence alone, on the same matches, for each window weight given
(`--weights`; the shipped one is `alignment.stance.CONTEXT_WEIGHT`, chosen on the project's own sets):

- the project's own labelled texts (no ../shared needed): each text is split into sentences as check()
  splits reviews, its sentence most similar to the claim is judged alone and in context, and the polar
  accuracy is reported over all texts and over the texts of more than one sentence;
- the demo reviews (`data/demo_reviews.csv`), against the topic and polarity `scripts/make_demo_data.py`
  wrote each review from: long, multi-topic reviews, where a neighbour can be about something else;
- with ../shared present, `benchmarks/quality.py`'s airline and restaurant measures, run once with the
  shipped reading and once with every sentence read alone.

Usage: .venv/bin/python benchmarks/context_reading.py [--shared ../shared] [--weights 1 0.5]
(about 3 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import alignment.stance as stance
from alignment import Config, check
from alignment.embed import CachedEmbedder, Embedder, MemoryCache
from alignment.ingest import load_reviews
from alignment.pipeline import default_embedder
from alignment.records import Ad
from alignment.report import Report
from alignment.stance import EmbeddingStanceModel, StanceModel, read_in_context
from alignment.training import (
    REPO_DATA,
    STANCE_TEST,
    STANCE_TEST_MIXED,
    LabelledPair,
    load_stance_pairs,
    most_similar_sentences,
    split_pairs,
)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"
# The demo ads' claims in the order check() extracts them, and the generator's topic each one is about.
DEMO_TOPICS = ("calls", "fees", "fees", "support", "speed", "coverage", "coverage", "switching", "switching", "refund")


def way_name(weight: float) -> str:
    """A reading's name in the results: "alone" (weight 0: the sentence's own vector), or "in context,
    weight W"."""
    return "alone" if weight == 0 else f"in context, weight {weight:g}"


@contextlib.contextmanager
def reading(model: EmbeddingStanceModel, weight: float) -> Iterator[StanceModel]:
    """The bundled model reading each matched sentence's window at ``weight`` (0: alone), for check():
    everything else (matching, relevance) as the shipped check does it."""
    shipped = stance.CONTEXT_WEIGHT
    stance.CONTEXT_WEIGHT = weight
    try:
        yield model
    finally:
        stance.CONTEXT_WEIGHT = shipped


def own_sets() -> dict[str, list[LabelledPair]]:
    """The project's labelled sets that a check's reading is measured on, by name."""
    _, held_back = split_pairs(load_stance_pairs())
    return {
        "own held-back pairs (claims never trained on)": held_back,
        "own test pairs": load_stance_pairs([STANCE_TEST]),
        "own mixed test": load_stance_pairs(STANCE_TEST_MIXED),
        "aspect_more (never trained on)": load_stance_pairs(sorted(REPO_DATA.glob("aspect_more_*.jsonl"))),
        # product reviews that report whether a stated spec held (size, colour, battery, dimensions),
        # half of them in the opposite tone to their side (README, Training data)
        "spec test (never trained on)": load_stance_pairs(sorted(REPO_DATA.glob("spec_test_*.jsonl"))),
    }


def own_texts(
    model: EmbeddingStanceModel, embedder: Embedder, items: Sequence[LabelledPair], weights: Sequence[float]
) -> dict[str, Any]:
    """Polar accuracy of each text's sentence most similar to its claim, read alone and in context."""
    items = [item for item in items if item.stance != "neutral"]
    claims = sorted({item.claim for item in items})
    claim_vector = dict(zip(claims, embedder.encode(claims), strict=True))
    claim_vectors = np.stack([claim_vector[item.claim] for item in items])
    vectors, owner, windows, best = most_similar_sentences(embedder, [item.text for item in items], claim_vectors)
    similarity = np.einsum("ij,ij->i", vectors[best], claim_vectors)
    contradicts = np.array([item.stance == "contradicts" for item in items])
    several = np.bincount(owner, minlength=len(items)) > 1
    result: dict[str, Any] = {"texts": len(items), "texts_of_several_sentences": int(several.sum())}
    for weight in weights:
        read = read_in_context(vectors, windows, best, weight)
        p = model.predict_proba_in_context([""] * len(items), [""] * len(items), claim_vectors, read, similarity)
        right = (p[:, 1] > p[:, 0]) == contradicts
        result[way_name(weight)] = float(right.mean())
        result[f"{way_name(weight)}, several sentences"] = float(right[several].mean())
    return result


def demo_mentions() -> dict[str, dict[str, str]]:
    """Each demo review's topics and the polarity `scripts/make_demo_data.py` wrote it with, by review id."""
    spec = importlib.util.spec_from_file_location("make_demo_data", REPO / "scripts" / "make_demo_data.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return {row["review_id"]: dict(row["_mentions"]) for row in generator.generate()}


def score_demo(report: Report, mentions: Mapping[str, Mapping[str, str]]) -> tuple[int, int]:
    """(right, judged) on the demo: per claim and review, the stance of the review's most similar matched
    sentence against the polarity the review was generated with on the claim's topic (DEMO_TOPICS)."""
    hits = total = 0
    for result_of_claim, topic in zip(report.claims, DEMO_TOPICS, strict=True):
        best: dict[int, tuple[float, str]] = {}
        for judgement in result_of_claim.judgements:
            row = report.sentences[judgement.sentence_index].review_index
            if row not in best or judgement.similarity > best[row][0]:
                best[row] = (judgement.similarity, judgement.stance)
        for row, (_, stance_read) in best.items():
            polarity = mentions[report.reviews[row].review_id].get(topic)
            if polarity in ("pos", "neg"):
                total += 1
                hits += stance_read == ("supports" if polarity == "pos" else "contradicts")
    return hits, total


def demo_reviews(model: EmbeddingStanceModel, embedder: Embedder, weights: Sequence[float]) -> dict[str, Any]:
    """Stance accuracy on the demo reviews against the topic polarity each was generated from, and the
    demo's headline breach: the dropped-calls claim in the Coastal region from July 2025."""
    mentions = demo_mentions()
    frame = pd.read_csv(REPO_DATA / "demo_reviews.csv", dtype=str, keep_default_na=False)
    reviews = load_reviews(frame, text_column="text", id_column="review_id", segment_columns=["region"])
    ads = [
        Ad(str(i), text)
        for i, text in enumerate(t for t in (REPO_DATA / "demo_ads.txt").read_text().split("\n\n") if t.strip())
    ]
    result: dict[str, Any] = {}
    for weight in weights:
        with reading(model, weight) as stance_model:
            # The text read alone or in context, as measured before the rating prior (benchmarks/rating_prior.py)
            report = check(ads, reviews, Config(rating_prior=False), embedder=embedder, stance_model=stance_model)
        if len(report.claims) != len(DEMO_TOPICS):
            return {"error": f"the demo ads gave {len(report.claims)} claims, not {len(DEMO_TOPICS)}"}
        hits, total = score_demo(report, mentions)
        coastal = {"supports": 0, "contradicts": 0}
        for judgement in report.claims[0].judgements:
            review = report.reviews[report.sentences[judgement.sentence_index].review_index]
            late = review.segments.get("region") == "Coastal" and (review.date or "") >= "2025-07"
            if late and judgement.stance in coastal:
                coastal[judgement.stance] += 1
        result[way_name(weight)] = {
            "accuracy": hits / total,
            "judged": total,
            "dropped_calls_claim": {
                "supports": report.claims[0].score.supports,
                "contradicts": report.claims[0].score.contradicts,
                "risk": str(report.claims[0].score.risk),
            },
            "dropped_calls_coastal_from_july_2025": coastal,
        }
    return result


def public_sets(
    shared: Path, model: EmbeddingStanceModel, embedder: CachedEmbedder, weights: Sequence[float]
) -> dict[str, Any]:
    """benchmarks/quality.py's airline and restaurant figures with the sentences read alone and in context."""
    spec = importlib.util.spec_from_file_location("bench_quality", Path(__file__).with_name("quality.py"))
    assert spec is not None and spec.loader is not None
    quality = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quality)
    result: dict[str, Any] = {}
    keys = ("mean_ap", "stance_accuracy", "stance_recall_negative", "stance_recall_positive", "precision_at_10", "ece")
    for weight in weights:
        with reading(model, weight) as stance_model:
            airlines = quality.bench_airlines(
                shared / "data" / "airline_tweets_dev.csv",
                shared / "eval" / "airline_claims_dev.json",
                Config(),
                embedder,
                stance_model,
            )
            restaurants = quality.bench_restaurants(
                shared / "data" / "semeval2014_restaurants_train.xml", Config(), embedder, stance_model
            )
        result[way_name(weight)] = {
            "airline": {key: airlines[key] for key in keys},
            "restaurants": {key: restaurants[key] for key in ("mean_ap", "stance_accuracy", "precision_at_10", "ece")},
        }
    return result


def main(argv: list[str] | None = None) -> int:
    """Print and save the comparison (benchmarks/results/context_reading.json)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding data/ and eval/")
    parser.add_argument(
        "--weights", type=float, nargs="+", default=[1.0, stance.CONTEXT_WEIGHT], help="window weights to compare"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "context_reading.json")
    args = parser.parse_args(argv)
    weights: list[float] = [0.0, *dict.fromkeys(w for w in args.weights if w != 0)]
    model = EmbeddingStanceModel.load()
    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    results: dict[str, Any] = {"shipped_weight": stance.CONTEXT_WEIGHT}
    for name, items in own_sets().items():
        results[name] = own_texts(model, embedder, items, weights)
        print(name, json.dumps(results[name]), flush=True)
    results["demo reviews"] = demo_reviews(model, embedder, weights)
    print("demo reviews", json.dumps(results["demo reviews"]), flush=True)
    if (args.shared / "data").is_dir():
        results["public"] = public_sets(args.shared, model, embedder, weights)
        print("public", json.dumps(results["public"]), flush=True)
    else:
        print(f"{args.shared / 'data'} not found: the public-set comparison is skipped.", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
