"""Stance ablation: how the polarity head changes with its form, its training data and its prior.

Trains, in memory, fifteen polarity heads over the same frozen MiniLM vectors and scores each with the
airline and restaurant measures of ``benchmarks/quality.py`` (needs ``../shared``) and on the project's own
held-back and test pairs:

- ``pairs, balanced``: the logistic head shipped until 2026-11-29: ``data/stance_pairs.jsonl`` only, classes
  reweighted to a 50/50 prior;
- ``+promises, balanced``: the same head on the pairs plus ``data/promise_cases_*.jsonl``, still reweighted
  (this corpus, without the aspect cases, is what every row but ``shipped`` starts from);
- ``logistic``: that head with the corpus's own prior (shipped from 2026-11-29 until the network);
- ``shipped``: the recipe ``make train`` uses: the same data plus ``data/aspect_cases_*.jsonl`` (2,976
  texts for 371 claims in 62 of the training industries, half supporting: the claim's aspect praised or
  faulted through one instance or a terse verdict, without the claim's words) and the corpus's own prior,
  through the mean of three networks (``training.NETWORK_SEEDS``; ``--seed`` does not change it), each
  with one hidden layer of 64 ReLU units that also sees the claim vector, trained also
  on each multi-sentence text's sentence most similar to its claim read in context
  (``training.embed_training_rows``; the rows ``shipped +more aspect cases`` too, the others not);
- ``network, no aspect cases``: that network without the aspect cases (shipped until 2026-11-29 evening);
- ``shipped +more aspect cases``: the shipped recipe plus ``data/aspect_more_*.jsonl`` (3,072 more aspect
  cases, written the same way for 384 claims in the 64 industries of the negation cases);
- ``shipped +care cases``: the shipped recipe plus ``data/care_cases_*.jsonl`` (1,600 messages addressed to
  a brand for 200 claims in 60 industries: genuine thanks and plain praise that support the claim,
  polite-thankful and sarcastic ones that contradict it);
- ``shipped +spec cases``: the shipped recipe plus ``data/spec_cases_*.jsonl`` (1,600 product reviews for 200
  claims that state a checkable spec in 40 industries: plain reports that the spec held or failed, and
  warm reviews of a failed spec or unhappy ones of a spec that held);
- ``shipped +echo cases``: the shipped recipe plus ``data/echo_cases_*.jsonl`` (3,200 texts for 800 training
  claims in 209 industries: for each, 2 that confirm the claim in nearly its own words, "true to size.", and
  2 that break it while reusing them, "not true to size at all", "So much for 'fewer dropped calls'.");
- ``network, 256``: the network with 256 units (four times the cost per judged pair), no aspect cases;
- ``network +mixed cases``: the network (no aspect cases) also trained on ``data/mixed_cases_*.jsonl`` (4,096 texts
  the project wrote for 506 claims in 64 of the training industries, half supporting: each praises or
  faults the claim's aspect before or after a strong opposite remark about another aspect);
- ``network +negation cases``: the network (no aspect cases) also trained on ``data/negation_cases_*.jsonl`` (3,072
  texts for 379 claims in 64 other training industries, half supporting: each side told through a negation
  three times in four, and half of each side addressed to the brand as "@Brand ...");
- ``+mixed``: the logistic head also trained on ``data/stance_test_mixed_*.jsonl`` (mixed-aspect and
  polite-surface texts; its own "mixed" score is then not out of sample);
- ``pairs+sentences``: the pairs plus ``data/polarity_*.jsonl`` (1,800 customer sentences the project wrote,
  labelled positive/negative) as rows with no claim;
- ``stacked``: the logistic head's cross-validated logit and a sentence-only sentiment head's logit,
  combined by a logistic model fitted on the pairs (still one linear function of the sentence vector).

Run: ``.venv/bin/python benchmarks/stance_ablation.py`` (about 13 minutes on 2 cores before the shipped row fitted three networks and the care- and spec-cases rows were added, longer now; ``--only ROW ...``
runs some rows, by name; ``--seed N`` fits the networks from another seed). The project's held-back pairs
are those of the corpus without the aspect cases, so every row is scored on the same ones. Nothing is
written to the shipped model files; the corpora are measured here, not trained into the product.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality

from alignment import stance, training
from alignment.config import Config
from alignment.embed import CachedEmbedder, MemoryCache
from alignment.pipeline import default_embedder

SHARED = Path(__file__).resolve().parents[2] / "shared"
SENTENCE_CORPORA = sorted(training.REPO_DATA.glob("polarity_*.jsonl"))
MIXED_CASES = sorted(training.REPO_DATA.glob("mixed_cases_*.jsonl"))
NEGATION_CASES = sorted(training.REPO_DATA.glob("negation_cases_*.jsonl"))
ASPECT_CASES = sorted(training.REPO_DATA.glob("aspect_cases_*.jsonl"))
MORE_ASPECT_CASES = sorted(training.REPO_DATA.glob("aspect_more_*.jsonl"))
CARE_CASES = sorted(training.REPO_DATA.glob("care_cases_*.jsonl"))
SPEC_CASES = sorted(training.REPO_DATA.glob("spec_cases_*.jsonl"))
ECHO_CASES = sorted(training.REPO_DATA.glob("echo_cases_*.jsonl"))
ROWS = (
    "pairs, balanced",
    "+promises, bal.",
    "logistic",
    "shipped",
    "network, 256",
    "network +mixed cases",
    "network +negation cases",
    "network, no aspect cases",
    "shipped +more aspect cases",
    "shipped +care cases",
    "shipped +spec cases",
    "shipped +echo cases",
    "+mixed",
    "pairs+sentences",
    "stacked",
)


def load_sentences(paths: Sequence[Path]) -> tuple[list[str], np.ndarray]:
    """Texts and labels (1 = negative) of the sentence-level corpora."""
    rows = [
        json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [row["text"] for row in rows], np.array([row["label"] == "negative" for row in rows], dtype=int)


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per variant: own held-back/test polar accuracy, then the dev measures."""
    import argparse

    parser = argparse.ArgumentParser(description="Train and score stance heads in memory (needs ../shared).")
    parser.add_argument("--only", nargs="+", metavar="ROW", help="run only these rows, by name (default: all)")
    parser.add_argument(
        "--seed", type=int, default=training.NETWORK_SEED, help="the networks' seed (default: the shipped one)"
    )
    args = parser.parse_args(argv)
    training.NETWORK_SEED = args.seed  # read by fit_polarity_network for every network row
    unknown = sorted(set(args.only or ()) - set(ROWS))
    if unknown:
        print(f"stance_ablation: no row named {unknown}; the rows are {list(ROWS)}.", file=sys.stderr)
        return 2
    if not (SHARED / "data").is_dir():
        print(f"stance_ablation: {SHARED} has no data/ folder; it needs the shared evaluation data.", file=sys.stderr)
        return 2
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    all_items, held_items = training.split_pairs(training.load_stance_pairs())
    # Every row but "shipped" starts from the corpus before the aspect cases (pairs and promise cases), so
    # the rows measured before them keep their meaning; the held-back pairs are that corpus's too.
    aspect_items = set(training.load_stance_pairs(ASPECT_CASES))
    train_items = [item for item in all_items if item not in aspect_items]
    held_items = [item for item in held_items if item not in aspect_items]
    test_items = training.load_stance_pairs([training.STANCE_TEST])
    claims, sentences = training.embed_pairs(embedder, train_items)
    stances = [item.stance for item in train_items]
    rows = training.polar_rows(stances)
    features = stance.build_features(claims[rows], sentences[rows], training.FEATURES)
    targets = np.array([s == "contradicts" for s in np.asarray(stances)[rows]], dtype=int)
    groups = [item.claim for item, keep in zip(train_items, rows, strict=True) if keep]
    texts, sentiment = load_sentences(SENTENCE_CORPORA)
    sentence_vectors = embedder.encode(texts)
    width = sentences.shape[1]
    c = training.choose_regularisation(claims, sentences, train_items)
    relevance = training.fit_relevance(claims, sentences, stances)

    def model_from(weights: np.ndarray, bias: float) -> stance.EmbeddingStanceModel:
        matrix = np.zeros((features.shape[1], 2), dtype=np.float32)
        matrix[:, 1] = weights
        return stance.EmbeddingStanceModel(
            matrix, np.array([0.0, bias], dtype=np.float32), stance.POLAR_LABELS, training.FEATURES, relevance
        )

    def recipe(items: Sequence[training.LabelledPair]) -> stance.EmbeddingStanceModel:
        """What `make train` fits (network and relevance), on these pairs and their texts read in context."""
        return training.fit_stance(*training.embed_training_rows(embedder, items))

    def trained_part(paths: Sequence[Path]) -> list[training.LabelledPair]:
        """The pairs of a corpus that training would use (its held-back claims left out)."""
        return training.split_pairs(training.load_stance_pairs(paths))[0]

    def network(
        items: Sequence[training.LabelledPair], units: int = training.NETWORK_UNITS
    ) -> stance.EmbeddingStanceModel:
        vectors = training.embed_pairs(embedder, items)
        hidden, weights, bias = training.fit_polarity_network(*vectors, [item.stance for item in items], units)
        return stance.EmbeddingStanceModel(
            weights, bias, stance.POLAR_LABELS, training.NETWORK_FEATURES, relevance, hidden
        )

    def with_sentences() -> stance.EmbeddingStanceModel:
        claimless = np.hstack([sentence_vectors, np.zeros((len(texts), features.shape[1] - width), np.float32)])
        head = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(
            np.vstack([features, claimless]), np.concatenate([targets, sentiment])
        )
        return model_from(head.coef_[0], float(head.intercept_[0]))

    def stacked() -> stance.EmbeddingStanceModel:
        head = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
        held_out_logit = np.zeros(len(targets))
        for fit_rows, test_rows in GroupKFold(n_splits=5).split(features, groups=groups):
            held_out_logit[test_rows] = head.fit(features[fit_rows], targets[fit_rows]).decision_function(
                features[test_rows]
            )
        head.fit(features, targets)
        tone = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(sentence_vectors, sentiment)
        tone_logit = tone.decision_function(sentences[rows])
        stack = LogisticRegression(C=1e4, max_iter=5000).fit(np.c_[held_out_logit, tone_logit], targets)
        (a, b), offset = stack.coef_[0], float(stack.intercept_[0])
        weights = a * head.coef_[0]
        weights[:width] += b * tone.coef_[0]
        return model_from(weights, float(a * head.intercept_[0] + b * tone.intercept_[0] + offset))

    def refit(items: Sequence[training.LabelledPair], balanced: bool) -> stance.EmbeddingStanceModel:
        vectors = training.embed_pairs(embedder, items)
        weights, bias = training.fit_polarity(*vectors, [item.stance for item in items], c, balanced=balanced)
        return stance.EmbeddingStanceModel(weights, bias, stance.POLAR_LABELS, training.FEATURES, relevance)

    first_corpus = set(training.load_stance_pairs(training.STANCE_CORPORA[:1]))
    pairs_only = [item for item in train_items if item in first_corpus]
    mixed_items = training.load_stance_pairs(training.STANCE_TEST_MIXED)
    echo_items = training.load_stance_pairs(training.STANCE_TEST_ECHO)

    variants: dict[str, Callable[[], stance.EmbeddingStanceModel]] = {
        "pairs, balanced": lambda: refit(pairs_only, balanced=True),
        "+promises, bal.": lambda: refit(train_items, balanced=True),
        "logistic": lambda: refit(train_items, balanced=False),
        "shipped": lambda: recipe(all_items),
        "network, 256": lambda: network(train_items, 256),
        "network +mixed cases": lambda: network([*train_items, *trained_part(MIXED_CASES)]),
        "network +negation cases": lambda: network([*train_items, *trained_part(NEGATION_CASES)]),
        "network, no aspect cases": lambda: network(train_items),
        "shipped +more aspect cases": lambda: recipe([*all_items, *trained_part(MORE_ASPECT_CASES)]),
        "shipped +care cases": lambda: recipe([*all_items, *trained_part(CARE_CASES)]),
        "shipped +spec cases": lambda: recipe([*all_items, *trained_part(SPEC_CASES)]),
        "shipped +echo cases": lambda: recipe([*all_items, *trained_part(ECHO_CASES)]),
        "+mixed": lambda: refit([*train_items, *training.split_pairs(mixed_items)[0]], balanced=False),
        "pairs+sentences": with_sentences,
        "stacked": stacked,
    }
    config = Config()
    print(f"sentence corpora: {', '.join(p.name for p in SENTENCE_CORPORA)} ({len(texts)} sentences); C = {c}")
    assert tuple(variants) == ROWS
    for name, build in variants.items():
        if args.only and name not in args.only:
            continue
        model = build()
        own = {
            label: training.evaluate_stance(model, embedder, items)["polar_accuracy"]
            for label, items in (
                ("held", held_items),
                ("test", test_items),
                ("mixed", mixed_items),
                ("echo", echo_items),
            )
        }
        stance._bundled_model.cache_clear()
        original = stance._bundled_model
        stance._bundled_model = lambda model=model: model  # type: ignore[assignment]  # the check's "bundled" model
        try:
            airline = quality.bench_airlines(
                SHARED / "data" / "airline_tweets_dev.csv",
                SHARED / "eval" / "airline_claims_dev.json",
                config,
                embedder,
            )
            food = quality.bench_restaurants(SHARED / "data" / "semeval2014_restaurants_train.xml", config, embedder)
        finally:
            stance._bundled_model = original  # type: ignore[assignment]
        print(
            f"{name:23} own held {own['held']:.3f} test {own['test']:.3f} mixed {own['mixed']:.3f} echo {own['echo']:.3f} | "
            f"airline stance "
            f"{airline['stance_accuracy']:.3f} (negative {airline['stance_recall_negative']:.2f}, positive "
            f"{airline['stance_recall_positive']:.2f}) AP {airline['mean_ap']:.3f} ECE {airline['ece']:.3f} | "
            f"restaurants stance {food['stance_accuracy']:.3f} AP {food['mean_ap']:.3f} ECE {food['ece']:.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
