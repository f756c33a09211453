"""How a check reads the project's three dataset-shaped test sets (`data/dataset_tests.json`).

Each set is one company's customer texts (home broadband, running shoes, dental clinics: complaint-heavy,
praise-heavy, balanced), checked against its four ad claims as a user checks a dataset, and scored by
`alignment evaluate evidence` with labels per claim, as the README's restaurant measure is: stance accuracy
on the matched (claim, text) pairs that have a label (the text's sentence most similar to the claim),
within each side, calibration, the AP of each claim's contradicting texts, and the baselines (plain cosine,
the sentence lexicon) in the same run. Also the matching: how many of the labelled (text, claim) pairs a
check matches at all (match recall) and how many of its matches are labelled pairs (match precision; the
sets label every claim a text speaks to). Needs nothing from ../shared; the sets were never trained on.

With --dev, the same on the three development sets (`data/dataset_dev.json`: car insurance, meal kits,
gyms), where the settings of a reading that learns from the dataset itself are chosen.

Usage: .venv/bin/python benchmarks/dataset_sets.py [--dev] (about 15 s on 2 cores)
Writes benchmarks/results/dataset_sets.json (dataset_sets_dev.json with --dev).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from alignment import Config
from alignment.embed import CachedEmbedder, MemoryCache
from alignment.evaluate import evaluate_evidence
from alignment.pipeline import default_embedder
from alignment.training import DATASET_DEV, DATASET_TESTS, load_dataset_tests

RESULTS = Path(__file__).resolve().parent / "results"


def measure_set(claims: list[str], rows: list[dict[str, str]], embedder: CachedEmbedder) -> dict[str, Any]:
    """One set's figures, alignment beside the cosine and lexicon baselines."""
    frame = pd.DataFrame(rows)
    result = evaluate_evidence(
        claims,
        frame,
        "label",
        "about",
        Config(),
        text_column="text",
        id_column="review_id",
        embedder=embedder,
        labels_per_claim=True,
    )
    ours, lexicon, cosine = (result.judges[name] for name in ("alignment", "lexicon", "cosine"))
    labelled = int((frame["label"] != "").sum())
    return {
        "texts": result.reviews,
        "labelled_pairs": labelled,
        "matched_pairs": ours.pairs,
        "stance_accuracy": ours.accuracy,
        "stance_recall_negative": ours.on_contradicting,
        "stance_recall_positive": ours.on_supporting,
        "stance_accuracy_lexicon": lexicon.accuracy,
        "ece": ours.calibration_error,
        "mean_ap": ours.mean_ap,
        "mean_ap_cosine": cosine.mean_ap,
        "mean_ap_lexicon": lexicon.mean_ap,
        "lexicon_pairs": lexicon.pairs,
        # matching: the (text, claim) pairs the labels mark, and the pairs each judge matched
        "marked_pairs": sum(claim.about or 0 for claim in result.claims),
        "matches": sum(claim.matched_reviews for claim in result.claims),
        "match_recall": ours.match_recall,
        "match_recall_cosine": cosine.match_recall,
        "match_precision": ours.match_precision,
        "match_precision_cosine": cosine.match_precision,
    }


def pooled_matching(sets: list[dict[str, Any]]) -> dict[str, float]:
    """Match recall and precision over every set's pairs, alignment's and the cosine's (whose counts follow
    from its shares: marked pairs matched = recall x marked, matches = those / precision)."""
    marked = sum(figures["marked_pairs"] for figures in sets)
    found = {"": 0.0, "_cosine": 0.0}
    matches = {"": 0.0, "_cosine": 0.0}
    for figures in sets:
        for judge in found:
            hit = figures[f"match_recall{judge}"] * figures["marked_pairs"]
            found[judge] += hit
            matches[judge] += hit / figures[f"match_precision{judge}"]
    return {f"match_recall{judge}": found[judge] / marked for judge in found} | {
        f"match_precision{judge}": found[judge] / matches[judge] for judge in found
    }


def main(argv: list[str] | None = None) -> int:
    """Print and save each set's figures and the pooled stance accuracy."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--dev", action="store_true", help="the development sets (data/dataset_dev.json) instead of the test sets"
    )
    parser.add_argument("--out", type=Path, help="default: benchmarks/results/dataset_sets.json (_dev.json with --dev)")
    args = parser.parse_args(argv)
    index = DATASET_DEV if args.dev else DATASET_TESTS
    out = args.out or RESULTS / ("dataset_sets_dev.json" if args.dev else "dataset_sets.json")
    started = time.perf_counter()
    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    results: dict[str, Any] = {"index": index.name, "sets": {}}
    for name, (claims, rows) in load_dataset_tests(index).items():
        figures = measure_set(claims, rows, embedder)
        results["sets"][name] = figures
        print(name, json.dumps({key: round(v, 4) if isinstance(v, float) else v for key, v in figures.items()}))
    every = results["sets"].values()
    pairs = sum(figures["matched_pairs"] for figures in every)
    results["pooled"] = {
        "matched_pairs": pairs,
        "stance_accuracy": sum(f["stance_accuracy"] * f["matched_pairs"] for f in every) / pairs,
        "stance_accuracy_lexicon": sum(f["stance_accuracy_lexicon"] * f["lexicon_pairs"] for f in every)
        / sum(f["lexicon_pairs"] for f in every),
        "mean_ap": sum(f["mean_ap"] for f in every) / len(results["sets"]),
        "mean_ap_cosine": sum(f["mean_ap_cosine"] for f in every) / len(results["sets"]),
    } | pooled_matching(list(every))
    results["seconds"] = round(time.perf_counter() - started, 1)
    print("pooled", json.dumps({key: round(v, 4) for key, v in results["pooled"].items()}))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
