"""Does comparing a claim's promised quantity with the amounts a customer reports read the side better?

`alignment.quantities` finds a claim's bounded quantity ("within 48 hours", "under 250 g", "lasts 40 hours")
and, in each matched sentence, the amounts of the same kind; where there is one, its verdict gives the
side: P(contradicts | on aspect) = sigmoid(+-`QUANTITY_LOG_ODDS`), in place of the stance model's reading. This script measures, on the project's own labelled pairs (no ../shared
needed), each text read whole as `make train` reads it:

- where the comparison applies (the claim has a bound, the text an amount of its kind other than the
  promised one): how often, and the polar accuracy of the stance model alone, of the verdict (as shipped),
  and of the two added in log-odds (the model's log-odds plus +-`QUANTITY_LOG_ODDS`, a variant);
- the polar accuracy of each whole set, the model alone and with the verdicts;
- the weights refitted: a logistic regression of the label on the model's log-odds and the verdict
  (+1 / -1), on each design set.

The design sets are where the bound words, the same-matter range and the weights were chosen: `spec_cases_*` (never trained on) and
`promise_cases_*` (the stance model's training data, so its readings there are in-sample). The other sets
were never trained on; their figures were seen during the work (benchmarks/NOTES.md says which, and when).

Usage: .venv/bin/python benchmarks/quantities.py (about a minute on 2 cores)
Writes benchmarks/results/quantities.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from alignment.embed import CachedEmbedder, MemoryCache
from alignment.pipeline import default_embedder
from alignment.quantities import QUANTITY_LOG_ODDS, compare_quantities, find_bounds
from alignment.stance import EmbeddingStanceModel
from alignment.training import REPO_DATA, LabelledPair, load_stance_pairs

RESULTS = Path(__file__).resolve().parent / "results" / "quantities.json"
DESIGN = {
    "spec cases (design)": "spec_cases_*.jsonl",
    "promise cases (design; trained on)": "promise_cases_*.jsonl",
}
HELD_OUT = {
    "spec test": "spec_test_*.jsonl",
    "aspect_more": "aspect_more_*.jsonl",
    "stance_pairs_more": "stance_pairs_more.jsonl",
    "mixed test": "stance_test_mixed_*.jsonl",
    "echo test": "stance_test_echo_*.jsonl",
    "negation cases": "negation_cases_*.jsonl",
    "mixed cases": "mixed_cases_*.jsonl",
    "care cases": "care_cases_*.jsonl",
    "echo cases": "echo_cases_*.jsonl",
}


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(clipped) - np.log1p(-clipped))


def read_set(pattern: str, model: EmbeddingStanceModel, embedder: CachedEmbedder) -> dict[str, Any]:
    """The polar pairs of the corpora matching ``pattern``: labels, the model's log-odds, the verdicts."""
    pairs: list[LabelledPair] = [
        pair for pair in load_stance_pairs(sorted(REPO_DATA.glob(pattern))) if pair.stance != "neutral"
    ]
    claims, texts = [pair.claim for pair in pairs], [pair.text for pair in pairs]
    probabilities = model.predict_proba(claims, texts, embedder.encode(claims), embedder.encode(texts))
    odds = _logit(probabilities[:, 1] / np.maximum(probabilities[:, 0] + probabilities[:, 1], 1e-12))
    bounds = {claim: find_bounds(claim) for claim in set(claims)}
    verdict = np.array(
        [
            {"contradicts": 1.0, "supports": -1.0, None: 0.0}[compare_quantities(bounds[c], t)]
            for c, t in zip(claims, texts, strict=True)
        ]
    )
    return {"label": np.array([pair.stance == "contradicts" for pair in pairs]), "odds": odds, "verdict": verdict}


def measure(read: dict[str, Any]) -> dict[str, Any]:
    """Accuracy alone and joined, where the comparison applies and over the whole set."""
    label, odds, verdict = read["label"], read["odds"], read["verdict"]
    applies = verdict != 0
    shipped = np.where(applies, QUANTITY_LOG_ODDS * verdict, odds)
    added = odds + QUANTITY_LOG_ODDS * verdict
    result: dict[str, Any] = {
        "polar_pairs": len(label),
        "compared": int(applies.sum()),
        "accuracy_alone": float(((odds > 0) == label).mean()) if len(label) else None,
        "accuracy_with_verdicts": float(((shipped > 0) == label).mean()) if len(label) else None,
    }
    if applies.any():
        result["where_compared"] = {
            "model_alone": float(((odds[applies] > 0) == label[applies]).mean()),
            "verdict (shipped)": float(((verdict[applies] > 0) == label[applies]).mean()),
            "model plus verdict (variant)": float(((added[applies] > 0) == label[applies]).mean()),
        }
    return result


def refit(reads: list[dict[str, Any]]) -> dict[str, float]:
    """The weight of the verdict beside the model's log-odds, by logistic regression (no penalty to speak of)."""
    odds = np.concatenate([r["odds"] for r in reads])
    verdict = np.concatenate([r["verdict"] for r in reads])
    label = np.concatenate([r["label"] for r in reads])
    applies = verdict != 0
    fitted = LogisticRegression(C=1e6, max_iter=1000).fit(np.column_stack([odds, verdict])[applies], label[applies])
    return {
        "verdict_weight": float(fitted.coef_[0][1]),
        "model_weight": float(fitted.coef_[0][0]),
        "intercept": float(fitted.intercept_[0]),
        "pairs": int(applies.sum()),
    }


def main() -> int:
    """Measure every set and write the results."""
    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    model = EmbeddingStanceModel.load()
    results: dict[str, Any] = {"log_ratio": QUANTITY_LOG_ODDS, "sets": {}, "refit": {}}
    design_reads = []
    for name, pattern in {**DESIGN, **HELD_OUT}.items():
        read = read_set(pattern, model, embedder)
        if name in DESIGN:
            design_reads.append(read)
            results["refit"][name] = refit([read])
        results["sets"][name] = measure(read)
        print(name, json.dumps(results["sets"][name]), flush=True)
    results["refit"]["both design sets"] = refit(design_reads)
    print("refit", json.dumps(results["refit"]))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
