"""How well each claim's match queries find its complaints among other claims' texts of its industry, on
the project's held-back claims (never trained on): `.venv/bin/python benchmarks/breach_map.py`.

For each held-back claim with at least two contradicting texts, every held-back text of the claim's
industry (its own and other claims' complaints, praise and off-aspect texts) is ranked by its match
similarity: the cosine to the claim, or the higher of that and the cosine to the claim's breach query
(``EmbeddingStanceModel.breach_queries``), as ``match_claims`` scores it. Reports the mean AP of the
claim's own complaints and the share of them at or above min_similarity (0.30). Rows: the claim alone;
the shipped breach map; ridge maps refitted at other penalties; the ridge map fitted also on the complaints
of the project's corpora the polarity network is not trained on (negation, mixed, care and spec cases;
their held-back claims left out); a small network in place of the ridge (one hidden layer, mean subtracted
as shipped, or not). Reads nothing in ../shared. About 3 minutes.
"""

from __future__ import annotations

import collections
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import alignment.training as training  # noqa: E402
from alignment.config import Config  # noqa: E402
from alignment.embed import CachedEmbedder, MemoryCache  # noqa: E402
from alignment.evaluate import average_precision  # noqa: E402
from alignment.pipeline import default_embedder  # noqa: E402
from alignment.stance import EmbeddingStanceModel  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "breach_map.json"
# The project's stance corpora that the polarity network is not trained on (see the README's training data).
MORE_COMPLAINTS = tuple(
    path
    for kind in ("negation_cases", "mixed_cases", "care_cases", "spec_cases")
    for path in sorted(training.REPO_DATA.glob(f"{kind}_*.jsonl"))
)
Queries = Callable[[np.ndarray], "np.ndarray | None"]


def retrieval(
    items: list[training.LabelledPair], claim_vectors: np.ndarray, text_vectors: np.ndarray, queries: Queries
) -> dict[str, float]:
    """Mean AP and recall at min_similarity of each claim's complaints among its industry's texts."""
    threshold = Config().min_similarity
    by_domain: dict[str, list[int]] = collections.defaultdict(list)
    first_row: dict[str, int] = {}
    for row, item in enumerate(items):
        by_domain[item.domain].append(row)
        first_row.setdefault(item.claim, row)
    precisions, recalls = [], []
    for claim, row in sorted(first_row.items()):
        pool = np.array(by_domain[items[row].domain])
        relevant = np.array([items[i].claim == claim and items[i].stance == "contradicts" for i in pool])
        if relevant.sum() < 2:
            continue
        scores = text_vectors[pool] @ claim_vectors[row]
        breach = queries(claim_vectors[row][None])
        if breach is not None:
            scores = np.maximum(scores, text_vectors[pool] @ breach[0])
        precisions.append(average_precision(scores, relevant))
        recalls.append(float(((scores >= threshold) & relevant).sum() / relevant.sum()))
    return {"claims": len(precisions), "mean AP": float(np.mean(precisions)), "recall": float(np.mean(recalls))}


def network_queries(claims: np.ndarray, targets: np.ndarray, subtract_mean: bool) -> Queries:
    """A one-hidden-layer network (512 ReLU units) from claim vector to its complaints' mean direction."""
    from sklearn.neural_network import MLPRegressor

    network = MLPRegressor(hidden_layer_sizes=(512,), alpha=1e-2, max_iter=500, early_stopping=True, random_state=0)
    network.fit(claims, targets)

    def unit(vectors: np.ndarray) -> np.ndarray:
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    mean = unit(network.predict(claims)).mean(axis=0) if subtract_mean else 0.0
    return lambda vectors: unit(unit(network.predict(vectors)) - mean)


def main() -> int:
    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    train_items, held_items = training.split_pairs(training.load_stance_pairs(training.STANCE_CORPORA))
    held_claims, held_texts = training.embed_pairs(embedder, held_items)
    train_claims, train_texts = training.embed_pairs(embedder, train_items)
    stances = [item.stance for item in train_items]
    shipped = EmbeddingStanceModel.load()

    def refitted(ridge: float) -> Queries:
        model = copy.copy(shipped)
        model.breach = training.fit_breach_map(
            [i.claim for i in train_items], train_claims, train_texts, stances, ridge
        )
        return model.breach_queries

    rows: dict[str, Queries] = {"the claim alone": lambda vectors: None, "shipped ridge map": shipped.breach_queries}
    rows |= {f"ridge map refitted, penalty {ridge:g}": refitted(ridge) for ridge in (0.1, 10.0)}
    held_claims_named = {item.claim for item in held_items}
    more = [
        item
        for item in training.load_stance_pairs(MORE_COMPLAINTS)
        if not training.is_held_back(item.claim) and item.claim not in held_claims_named
    ]
    more_claims, more_texts = training.embed_pairs(embedder, more)
    widened = copy.copy(shipped)
    widened.breach = training.fit_breach_map(
        [i.claim for i in train_items + more],
        np.concatenate([train_claims, more_claims]),
        np.concatenate([train_texts, more_texts]),
        stances + [item.stance for item in more],
    )
    rows["ridge map fitted also on the negation, mixed, care and spec cases"] = widened.breach_queries
    inputs, targets = training.breach_targets([i.claim for i in train_items], train_claims, train_texts, stances)
    rows["network map, mean subtracted"] = network_queries(inputs, targets, True)
    rows["network map, mean kept"] = network_queries(inputs, targets, False)
    results = {name: retrieval(held_items, held_claims, held_texts, queries) for name, queries in rows.items()}
    for name, found in results.items():
        print(
            f"{name}: mean AP {found['mean AP']:.3f}, recall at 0.30 {found['recall']:.3f} ({found['claims']} claims)"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
