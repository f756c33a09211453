"""Rebuild the shipped stance model from the project's own labelled corpus (`make train`)."""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from alignment.embed import Embedder
from alignment.evaluate import CLAIM_MATCH_JACCARD, word_jaccard
from alignment.ingest import split_spans
from alignment.records import STANCES
from alignment.stance import (
    POLAR_LABELS,
    STANCE_MODEL_FILE,
    EmbeddingStanceModel,
    LexiconStanceModel,
    StanceModel,
    build_features,
    context_windows,
    read_in_context,
)

if TYPE_CHECKING:
    from alignment.claims import ClaimSpanModel

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
# The pairs, then the promise cases: for each of 2,304 ad claims in 192 industries, 6 customer texts that
# break the promise and 3 that confirm it (data/promise_cases_*.jsonl), then the aspect cases: for 371
# claims in 62 of those industries, 4 texts that praise and 4 that fault the claim's aspect through one
# instance or a terse verdict, without the claim's words ("Dave who came out for the boiler was a legend"
# for "Friendly, expert engineers"; data/aspect_cases_*.jsonl). All written by the project. The aspect
# cases lifted restaurants stance and AP and positive-tweet recall under every seed tried, at some
# negative-tweet recall (README, Quality; benchmarks/stance_ablation.py).
STANCE_CORPORA = (
    REPO_DATA / "stance_pairs.jsonl",
    *sorted(REPO_DATA.glob("promise_cases_*.jsonl")),
    *sorted(REPO_DATA.glob("aspect_cases_*.jsonl")),
)
# The fast embedder's outlier channels are calibrated on the first corpus only, so adding stance training
# data leaves the fast model (and every vector cached under its id) unchanged.
FAST_CALIBRATION_CORPORA = (REPO_DATA / "stance_pairs.jsonl",)
# Written separately, later, over 78 industries (47 not in the training corpus) and never trained on: an
# out-of-sample check of how the model carries to claims, industries and writing it has not seen.
STANCE_TEST = REPO_DATA / "stance_pairs_more.jsonl"
# A harder test, also never trained on: 768 claims in 64 other industries (every text new; a few generic
# slogans recur), where a third of the texts are mixed (praise for one aspect, a complaint about the
# claim's, or the reverse) or polite on the surface. Training on it was measured: the logistic head cannot
# separate the aspects of a mixed text, and it then read 0.58 of the restaurant sentences right instead
# of 0.80. Mixed texts written for training (data/mixed_cases_*.jsonl) cost the network 0.04 restaurants
# and 0.03 airline, so neither is trained on (README, Quality; benchmarks/stance_ablation.py).
STANCE_TEST_MIXED = tuple(sorted(REPO_DATA.glob("stance_test_mixed_*.jsonl")))
# Echoes, never trained on: for 266 claims of the two test sets above, 2 texts that confirm the claim in
# nearly its own words ("true to size.", "The fabric is soft and comfortable.") and 2 that break it while
# reusing them ("not true to size at all", "So much for 'fewer dropped calls'."). Promise cases 17-24 reuse
# the claim's words in their complaints far more than in their confirmations, and the model learned the
# lean: it reads about half of the confirming echoes as contradictions. Training on data/echo_cases_*.jsonl
# (the same kinds for 800 training claims) mends much of that but costs the public dev data about 0.01 and
# the mixed test 0.02, so it is measured, not trained on (benchmarks/stance_ablation.py; README, Known
# limits; NOTES, "Echoes of the claim").
STANCE_TEST_ECHO = tuple(sorted(REPO_DATA.glob("stance_test_echo_*.jsonl")))
# Three customer datasets shaped like a real one, never trained on: one company each (home broadband,
# running shoes, dental clinics), four ad claims, 300 texts labelled by the claims they speak to, one
# complaint-heavy, one praise-heavy, one balanced (the index names the files, companies and claims). The
# project's other sets pair one text with one claim, pooled over hundreds of claims; these are checked as
# a user checks a dataset, so a reading that learns from the dataset itself can be measured on them
# (benchmarks/dataset_sets.py; README, Training data).
DATASET_TESTS = REPO_DATA / "dataset_tests.json"
# Three more, written the same way for other companies (car insurance, meal kits, gyms), as the development
# sets of a reading that learns from the dataset itself: its settings are chosen on these, so the test sets
# above stay unseen (benchmarks/dataset_sets.py --dev; NOTES, "The dataset read by the model's own
# confident readings").
DATASET_DEV = REPO_DATA / "dataset_dev.json"
HELD_BACK_SHARE = 0.2
REGULARISATION_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # the logistic head's C, searched by grouped CV
FEATURES = "claim-aware"  # the logistic head's features (benchmarks/stance_ablation.py)
# The shipped polarity head: one hidden ReLU layer over the sentence vector, its product with the claim
# vector, their cosine and the claim vector. Chosen on the project's own held-back and test pairs (README,
# Quality): 64 units read them as well as 256 (0.83 / 0.76 polar accuracy) at a quarter of the cost per
# judged pair, which a re-check pays hundreds of thousands of times; an L2 penalty of 1.0 underfits (0.78 /
# 0.69) and 0.01 is no better than 0.1.
NETWORK_FEATURES = "claim-aware+claim"
NETWORK_UNITS = 64
NETWORK_ALPHA = 0.1
NETWORK_SEED = 0
# The shipped head is the mean of the networks fitted from these seeds. One network's reading of texts it
# never saw depends on its seed (the initial weights and the early-stopping split): over seeds 0-4 the demo
# reviews read 0.823-0.854 and the held-back pairs 0.829-0.840. The mean of three reads the project's own
# sets as well as the best single seed or better (README, Quality); each judged pair then costs a
# 384x192 product instead of 384x64.
NETWORK_SEEDS = (0, 1, 2)
# The breach map's ridge penalty, chosen on the project's held-back claims: the mean of their predicted
# breach vectors has cosine 0.708 / 0.724 / 0.721 to the mean of their real complaints at 0.1 / 1 / 10
# (the claim's own vector: 0.498).
BREACH_RIDGE = 1.0
# An embedder offset (EmbeddingStanceModel.for_embedder) is a mean over about 20,000 pairs, so its third
# decimal is stable; rounding it keeps `make train` byte for byte when int8 arithmetic differs in the last bits.
OFFSET_DECIMALS = 3


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """A claim, a customer sentence, and the sentence's stance towards the claim."""

    claim: str
    text: str
    stance: str
    domain: str


def load_stance_pairs(corpora: Sequence[Path] = STANCE_CORPORA) -> list[LabelledPair]:
    """Read the claim-conditioned corpora (labels supports / contradicts / neutral)."""
    items = []
    lines = [line for path in corpora for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line.strip():
            record = json.loads(line)
            if record["label"] not in STANCES:
                raise ValueError(f"Unknown stance label {record['label']!r} in {line[:80]}")
            items.append(LabelledPair(record["claim"], record["text"], record["label"], record.get("domain", "")))
    return items


def load_dataset_tests(index: Path = DATASET_TESTS) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """The dataset-shaped test sets (DATASET_TESTS; DATASET_DEV for the development sets), by file name: each
    set's claims, and its texts in the
    long format of labels per claim that :func:`alignment.evaluate.evaluate_evidence` reads with
    ``labels_per_claim``: a row per text and claim it speaks to (``about``: the claim's number from 1,
    ``label``: positive or negative), and a row with both blank for a text that speaks to none."""
    sets: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    described = json.loads(index.read_text(encoding="utf-8"))["sets"]
    for name, about in described.items():
        topics = list(about["claims"])
        rows: list[dict[str, str]] = []
        for line in (index.parent / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            labels = record["topics"]
            unknown = set(labels) - set(topics) or {v for v in labels.values() if v not in ("pos", "neg")}
            if unknown:
                raise ValueError(f"{name}: {record['review_id']} has unknown topics or labels {sorted(unknown)}")
            spoken = [(str(topics.index(topic) + 1), labels[topic]) for topic in topics if topic in labels]
            for number, label in spoken or [("", "")]:
                side = {"pos": "positive", "neg": "negative"}.get(label, "")
                rows.append({"review_id": record["review_id"], "text": record["text"], "about": number, "label": side})
        sets[name] = ([about["claims"][topic] for topic in topics], rows)
    return sets


def is_held_back(claim: str) -> bool:
    """Deterministic split by claim hash, so held-back claims are never seen in training."""
    return hashlib.sha256(claim.encode("utf-8")).digest()[0] < int(256 * HELD_BACK_SHARE)


def split_pairs(items: Sequence[LabelledPair]) -> tuple[list[LabelledPair], list[LabelledPair]]:
    """Return (train, held back), split by claim."""
    return [i for i in items if not is_held_back(i.claim)], [i for i in items if is_held_back(i.claim)]


def embed_pairs(embedder: Embedder, items: Sequence[LabelledPair]) -> tuple[np.ndarray, np.ndarray]:
    """Claim vectors and sentence vectors, row by row."""
    claims = sorted({item.claim for item in items})
    claim_vectors = dict(zip(claims, embedder.encode(claims), strict=True))
    sentences = embedder.encode([item.text for item in items])
    return np.stack([claim_vectors[item.claim] for item in items]), sentences


def sentence_pieces(texts: Sequence[str], as_checked: bool = True) -> tuple[list[str], np.ndarray]:
    """Every text's sentences in order, as :func:`most_similar_sentences` reads them (clauses cut at
    contrasts when ``as_checked``; a text with no sentence is one piece), and the text each belongs to."""
    pieces = [[text[start:end] for start, end in split_spans(text, as_checked)] or [text] for text in texts]
    owner = np.repeat(np.arange(len(texts)), [len(sentences) for sentences in pieces])
    return [sentence for sentences in pieces for sentence in sentences], owner


def most_similar_sentences(
    embedder: Embedder, texts: Sequence[str], claim_vectors: np.ndarray, as_checked: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split each text into sentences and find its sentence most similar to its claim (``claim_vectors[i]``
    is text i's). Returns every sentence's vector, the text each belongs to, each sentence's window for
    :func:`alignment.stance.read_in_context`, and each text's chosen sentence.

    ``as_checked``: as check() reads a review, contrasts cut into clauses
    (:func:`alignment.ingest.split_spans`) and the windows broken at them
    (:func:`alignment.stance.context_windows`); otherwise whole sentences, the text their window, as make
    train's in-context rows are read (:func:`embed_training_rows`).
    """
    flat, owner = sentence_pieces(texts, as_checked)
    sentence_vectors = embedder.encode(flat)
    windows = context_windows(owner, flat) if as_checked else owner
    starts = np.searchsorted(owner, np.arange(len(texts) + 1))
    best = np.array(
        [
            starts[k] + int(np.argmax(sentence_vectors[starts[k] : starts[k + 1]] @ claim_vectors[k]))
            for k in range(len(texts))
        ],
        dtype=np.int64,
    )
    return sentence_vectors, owner, windows, best


def embed_training_rows(embedder: Embedder, items: Sequence[LabelledPair]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The stance model's training rows: claim vectors, text vectors and stances.

    Every pair is one row with its whole text's vector. A text of several sentences is also a second row,
    read as check() reads a review: its sentence most similar to the claim, in context
    (:func:`alignment.stance.read_in_context`), with the same stance. The network then learns the vectors
    it will be given, not only whole texts. Measured with benchmarks/context_reading.py's sets over three
    seeds: the project's held-back pairs +0.006, aspect_more +0.021, the demo reviews +0.007, restaurants
    +0.008, the airline tweets level (README, Quality).

    These rows are whole sentences with the text as their window, not cut at contrasts as a check reads
    them: trained on clause rows, the network read the project's own sets worse, each judged as a check
    judges it (mixed test 0.708 → 0.695, aspect_more 0.865 → 0.850, held-back level; README, Quality).
    """
    claim_vectors, text_vectors = embed_pairs(embedder, items)
    stances = [item.stance for item in items]
    several = np.array(
        [row for row, item in enumerate(items) if len(split_spans(item.text, clauses=False)) > 1], dtype=np.int64
    )
    if not len(several):
        return claim_vectors, text_vectors, stances
    sentence_vectors, owner, _, best = most_similar_sentences(
        embedder, [items[row].text for row in several], claim_vectors[several], as_checked=False
    )
    return (
        np.concatenate([claim_vectors, claim_vectors[several]]),
        np.concatenate([text_vectors, read_in_context(sentence_vectors, owner, best)]),
        stances + [stances[row] for row in several],
    )


def breach_targets(
    claims: Sequence[str], claim_vectors: np.ndarray, text_vectors: np.ndarray, stances: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """What a breach map is fitted on: for each claim with at least two contradicting texts, its vector
    (input) and the normalised mean of those texts' vectors (output), both float64."""
    targets: dict[str, list[int]] = {}
    for row, (claim, stance) in enumerate(zip(claims, stances, strict=True)):
        if stance == "contradicts":
            targets.setdefault(claim, []).append(row)
    rows = [found for found in targets.values() if len(found) >= 2]
    inputs = np.stack([claim_vectors[found[0]] for found in rows]).astype(np.float64)
    outputs = np.stack([text_vectors[found].mean(axis=0) for found in rows]).astype(np.float64)
    outputs /= np.linalg.norm(outputs, axis=1, keepdims=True)
    return inputs, outputs


def fit_breach_map(
    claims: Sequence[str],
    claim_vectors: np.ndarray,
    text_vectors: np.ndarray,
    stances: Sequence[str],
    ridge: float = BREACH_RIDGE,
) -> tuple[np.ndarray, np.ndarray]:
    """The stance model's breach map (see :meth:`EmbeddingStanceModel.breach_queries`): a ridge regression
    (penalty ``ridge``) from each claim's vector to the mean direction of its contradicting texts (claims
    with at least two), and the mean of its normalised predictions over those claims."""
    inputs, outputs = breach_targets(claims, claim_vectors, text_vectors, stances)
    width = inputs.shape[1]
    matrix = np.linalg.solve(inputs.T @ inputs + ridge * np.eye(width), inputs.T @ outputs)
    predicted = inputs @ matrix
    predicted /= np.linalg.norm(predicted, axis=1, keepdims=True)
    return matrix.astype(np.float32), predicted.mean(axis=0).astype(np.float32)


def polar_rows(stances: Sequence[str]) -> np.ndarray:
    """Mask of the pairs that take a side (supports or contradicts): the polarity head's training rows."""
    return np.array([s != "neutral" for s in stances])


def fit_polarity(
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    stances: Sequence[str],
    c: float,
    balanced: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit the polarity head (supports vs contradicts) on the polar pairs; returns (weights, bias) with one
    column per label of POLAR_LABELS. Deterministic for the same input. ``balanced`` reweights the classes
    to a 50/50 prior (measured against the shipped recipe by benchmarks/stance_ablation.py)."""
    from sklearn.linear_model import LogisticRegression

    rows = polar_rows(stances)
    features = build_features(claim_vectors[rows], sentence_vectors[rows], FEATURES)
    targets = np.array([s == "contradicts" for s in np.asarray(stances)[rows]], dtype=int)
    # By default no class reweighting: the corpus's own ratio, about two contradicting texts to one
    # supporting, is the prior, as customers write more about broken promises than kept ones. Measured on
    # the airline dev tweets: a balanced prior read 0.82 of the negative and 0.58 of the positive ones
    # right, this one 0.90 and 0.45, and restaurants 0.825 against 0.796 (README, Quality).
    weighting = "balanced" if balanced else None
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight=weighting).fit(features, targets)
    # A binary logistic model as a two-column softmax: logit(contradicts) - logit(supports) = w.x + b.
    weights = np.zeros((features.shape[1], len(POLAR_LABELS)), dtype=np.float32)
    weights[:, 1] = classifier.coef_[0]
    bias = np.array([0.0, classifier.intercept_[0]], dtype=np.float32)
    return weights, bias


def fit_polarity_network(
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    stances: Sequence[str],
    units: int = NETWORK_UNITS,
    seed: int | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """Fit a polarity network with one hidden ReLU layer on the polar pairs.

    Returns ((hidden weights, hidden bias), weights, bias), the output with one column per label of
    POLAR_LABELS. Deterministic for the same input (``seed``, default NETWORK_SEED, fixes the initial
    weights, the batches and the early-stopping split). The corpus's own prior is kept, as in
    :func:`fit_polarity`.
    """
    from sklearn.neural_network import MLPClassifier

    rows = polar_rows(stances)
    features = build_features(claim_vectors[rows], sentence_vectors[rows], NETWORK_FEATURES)
    targets = np.array([s == "contradicts" for s in np.asarray(stances)[rows]], dtype=int)
    network = MLPClassifier(
        hidden_layer_sizes=(units,),
        alpha=NETWORK_ALPHA,
        max_iter=200,
        early_stopping=True,  # stops when a tenth of the pairs, set aside, stops improving
        random_state=NETWORK_SEED if seed is None else seed,
    ).fit(features, targets)
    # The single logistic output as a two-column softmax: logit(contradicts) - logit(supports) = h.w + b.
    weights = np.zeros((units, len(POLAR_LABELS)), dtype=np.float32)
    weights[:, 1] = network.coefs_[1][:, 0]
    bias = np.array([0.0, network.intercepts_[1][0]], dtype=np.float32)
    return (network.coefs_[0].astype(np.float32), network.intercepts_[0].astype(np.float32)), weights, bias


def fit_polarity_ensemble(
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    stances: Sequence[str],
    seeds: Sequence[int] = NETWORK_SEEDS,
    units: int = NETWORK_UNITS,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """The shipped polarity head: one network per seed (:func:`fit_polarity_network`), joined into one
    wider network whose contradiction logit is exactly the mean of theirs (their hidden units side by side,
    each output weight divided by the number of networks). Same return shape as one network."""
    fitted = [fit_polarity_network(claim_vectors, sentence_vectors, stances, units, seed) for seed in seeds]
    hidden = (
        np.concatenate([first[0] for first, _, _ in fitted], axis=1),
        np.concatenate([first[1] for first, _, _ in fitted]),
    )
    weights = np.concatenate([output for _, output, _ in fitted], axis=0) / len(fitted)
    bias = np.mean([offset for _, _, offset in fitted], axis=0)
    return hidden, weights.astype(np.float32), bias.astype(np.float32)


def choose_regularisation(
    claim_vectors: np.ndarray, sentence_vectors: np.ndarray, items: Sequence[LabelledPair]
) -> float:
    """The C with the best polar accuracy in 5-fold cross-validation grouped by claim, on training pairs
    only (so the held-back claims stay unseen)."""
    from sklearn.model_selection import GroupKFold

    stances = [item.stance for item in items]
    rows = np.flatnonzero(polar_rows(stances))
    groups = [items[int(i)].claim for i in rows]
    truth = np.array([stances[i] == "contradicts" for i in rows])
    scores = {}
    for c in REGULARISATION_GRID:
        correct = 0
        for fit_rows, test_rows in GroupKFold(n_splits=5).split(rows, groups=groups):
            weights, bias = fit_polarity(
                claim_vectors[rows[fit_rows]], sentence_vectors[rows[fit_rows]], [stances[i] for i in rows[fit_rows]], c
            )
            model = EmbeddingStanceModel(weights, bias, POLAR_LABELS, FEATURES, (0.0, 0.0))
            q = model.contradiction_odds(claim_vectors[rows[test_rows]], sentence_vectors[rows[test_rows]])
            correct += int(((q >= 0.5) == truth[test_rows]).sum())
        scores[c] = correct
    return max(REGULARISATION_GRID, key=lambda c: (scores[c], -c))  # ties: the stronger regularisation


def fit_stance(claim_vectors: np.ndarray, sentence_vectors: np.ndarray, stances: Sequence[str]) -> EmbeddingStanceModel:
    """Fit both parts of the shipped stance model: the polarity network and the relevance calibration."""
    hidden, weights, bias = fit_polarity_ensemble(claim_vectors, sentence_vectors, stances)
    relevance = fit_relevance(claim_vectors, sentence_vectors, stances)
    return EmbeddingStanceModel(weights, bias, POLAR_LABELS, NETWORK_FEATURES, relevance, hidden)


def fit_relevance(
    claim_vectors: np.ndarray, sentence_vectors: np.ndarray, stances: Sequence[str]
) -> tuple[float, float]:
    """Logistic calibration of "this sentence is about the claim's aspect" on the claim/sentence cosine:
    supports and contradicts pairs are on-aspect, neutral pairs are not. Classes are balanced, because in
    real reviews most sentences are about something else."""
    from sklearn.linear_model import LogisticRegression

    cosine = np.sum(claim_vectors * sentence_vectors, axis=1).reshape(-1, 1)
    on_aspect = np.array([s != "neutral" for s in stances])
    classifier = LogisticRegression(class_weight="balanced").fit(cosine, on_aspect)
    return float(classifier.coef_[0][0]), float(classifier.intercept_[0])


def save_stance(
    model: EmbeddingStanceModel, path: Path = STANCE_MODEL_FILE, extra: dict[str, object] | None = None
) -> None:
    """Write the model as an .npz of plain arrays plus JSON metadata."""
    meta = {
        "labels": list(POLAR_LABELS),
        "features": model.features,
        "relevance": list(model.relevance),
        **({"embedder_offsets": model.embedder_offsets} if model.embedder_offsets else {}),
        **(extra or {}),
    }
    arrays: dict[str, np.ndarray] = {"weights": model.weights, "bias": model.bias}
    if model.hidden is not None:
        arrays |= {"hidden_weights": model.hidden[0], "hidden_bias": model.hidden[1]}
    if model.breach is not None:
        arrays |= {"breach_map": model.breach[0], "breach_mean": model.breach[1]}
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, allow_pickle=False, **arrays)


def accuracy(probabilities: np.ndarray, stances: Sequence[str]) -> float:
    """Share of rows whose most probable stance is the labelled one."""
    predicted = probabilities.argmax(axis=1)
    return float(np.mean([STANCES[p] == s for p, s in zip(predicted, stances, strict=True)]))


def polar_accuracy(probabilities: np.ndarray, stances: Sequence[str]) -> float:
    """Accuracy on supports/contradicts rows only, choosing between those two labels."""
    rows = [i for i, s in enumerate(stances) if s != "neutral"]
    if not rows:
        return float("nan")
    chosen = np.where(probabilities[rows, 0] >= probabilities[rows, 1], "supports", "contradicts")
    return float(np.mean([chosen[k] == stances[i] for k, i in enumerate(rows)]))


def embedder_offset(
    model: EmbeddingStanceModel,
    claim_vectors: np.ndarray,
    text_vectors: np.ndarray,
    other: Embedder,
    items: Sequence[LabelledPair],
) -> float:
    """How much lower the contradiction logit comes out on ``other``'s vectors of the polar training pairs
    than on the training embedder's (``claim_vectors``, ``text_vectors``): the mean difference, rounded to
    OFFSET_DECIMALS (see :meth:`EmbeddingStanceModel.for_embedder`)."""
    rows = np.flatnonzero(polar_rows([item.stance for item in items]))
    other_claims, other_texts = embed_pairs(other, [items[int(row)] for row in rows])
    own = _logit(model.contradiction_odds(claim_vectors[rows], text_vectors[rows]))
    theirs = _logit(model.contradiction_odds(other_claims, other_texts))
    return round(float(np.mean(own - theirs)), OFFSET_DECIMALS)


def _logit(q: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(q, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(clipped / (1 - clipped)))


def evaluate_stance(model: StanceModel, embedder: Embedder, items: Sequence[LabelledPair]) -> dict[str, float]:
    """Accuracy (3 classes) and polar accuracy of a stance model on labelled pairs, and the polar accuracy
    on each side (``supports_recall``, ``contradicts_recall``: NaN when no pair has that label)."""
    claim_vectors, sentence_vectors = embed_pairs(embedder, items)
    stances = [item.stance for item in items]
    probabilities = model.predict_proba(
        [item.claim for item in items], [item.text for item in items], claim_vectors, sentence_vectors
    )
    result = {"accuracy": accuracy(probabilities, stances), "polar_accuracy": polar_accuracy(probabilities, stances)}
    for side in POLAR_LABELS:
        rows = [i for i, s in enumerate(stances) if s == side]
        result[f"{side}_recall"] = polar_accuracy(probabilities[rows], [side] * len(rows))
    return result


def train(
    embedder: Embedder,
    corpora: Sequence[Path] = STANCE_CORPORA,
    out: Path = STANCE_MODEL_FILE,
    other_embedders: Sequence[Embedder] = (),
) -> dict[str, float]:
    """Train on the pairs of the non-held-back claims, save the model, and return held-back metrics.

    ``other_embedders`` (the fast one, for `make train`) get an offset each (:func:`embedder_offset`).
    """
    items = load_stance_pairs(corpora)
    train_items, held_items = split_pairs(items)
    claim_vectors, text_vectors, stances = embed_training_rows(embedder, train_items)
    model = fit_stance(claim_vectors, text_vectors, stances)
    whole = len(train_items)  # the whole texts' rows come first
    model.breach = fit_breach_map(
        [i.claim for i in train_items], claim_vectors[:whole], text_vectors[:whole], stances[:whole]
    )
    model.embedder_offsets = {
        other.model_id: embedder_offset(model, claim_vectors[:whole], text_vectors[:whole], other, train_items)
        for other in other_embedders
    }
    ours = evaluate_stance(model, embedder, held_items)
    lexicon = evaluate_stance(LexiconStanceModel(), embedder, held_items)
    test_items = load_stance_pairs([STANCE_TEST])
    ours_test = evaluate_stance(model, embedder, test_items)
    lexicon_test = evaluate_stance(LexiconStanceModel(), embedder, test_items)
    mixed_items = load_stance_pairs(STANCE_TEST_MIXED)
    ours_mixed = evaluate_stance(model, embedder, mixed_items)
    lexicon_mixed = evaluate_stance(LexiconStanceModel(), embedder, mixed_items)
    echo_items = load_stance_pairs(STANCE_TEST_ECHO)
    ours_echo = evaluate_stance(model, embedder, echo_items)
    lexicon_echo = evaluate_stance(LexiconStanceModel(), embedder, echo_items)
    corpus_hash = hashlib.sha256(b"".join(p.read_bytes() for p in corpora)).hexdigest()
    network = {"units": NETWORK_UNITS, "alpha": NETWORK_ALPHA, "seeds": list(NETWORK_SEEDS)}
    save_stance(model, out, {"corpus_sha256": corpus_hash, "network": network})
    return {
        "train_pairs": float(len(train_items)),
        "held_back_pairs": float(len(held_items)),
        "held_back_accuracy": ours["accuracy"],
        "held_back_polar_accuracy": ours["polar_accuracy"],
        "lexicon_accuracy": lexicon["accuracy"],
        "lexicon_polar_accuracy": lexicon["polar_accuracy"],
        "test_pairs": float(len(test_items)),
        "test_accuracy": ours_test["accuracy"],
        "test_polar_accuracy": ours_test["polar_accuracy"],
        "test_lexicon_accuracy": lexicon_test["accuracy"],
        "test_lexicon_polar_accuracy": lexicon_test["polar_accuracy"],
        "mixed_test_pairs": float(len(mixed_items)),
        "mixed_test_polar_accuracy": ours_mixed["polar_accuracy"],
        "mixed_test_lexicon_polar_accuracy": lexicon_mixed["polar_accuracy"],
        "echo_test_pairs": float(len(echo_items)),
        "echo_test_polar_accuracy": ours_echo["polar_accuracy"],
        "echo_test_supports_recall": ours_echo["supports_recall"],
        "echo_test_contradicts_recall": ours_echo["contradicts_recall"],
        "echo_test_lexicon_polar_accuracy": lexicon_echo["polar_accuracy"],
    }


CLAIMS_CORPORA = (
    REPO_DATA / "claims_train.jsonl",
    REPO_DATA / "claims_train_social.jsonl",
    REPO_DATA / "claims_train_web_a.jsonl",
    REPO_DATA / "claims_train_web_b.jsonl",
)
# Ad copy written like real ads (long social posts, sponsored posts, slogans, shop promotions), annotated the
# same way and never trained on: benchmarks/claims_cv.py reads it as a test of other writing.
CLAIMS_TEST_CORPORA = tuple(sorted(REPO_DATA.glob("claims_test_real_*.jsonl")))
CLAIM_C = 0.5


def read_annotated_ads(corpus: Path) -> list[dict[str, Any]]:
    """The annotated ads of one JSON-lines corpus file (``id``, ``text`` and the marked claims)."""
    return [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]


def claim_examples(corpora: Sequence[Path] = CLAIMS_CORPORA) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Candidate spans of the project's annotated ads with features, labels (1 = matches a marked
    claim) and the ad id of each, for grouped splits."""
    from alignment.claims import (
        _is_excluded_unit,
        candidate_units,
        load_claim_pipeline,
        may_be_claim,
        span_features,
        sub_spans,
        text_to_parse,
    )

    nlp = load_claim_pipeline(use_model=False)
    items = [item for corpus in corpora for item in read_annotated_ads(corpus)]
    features, labels, groups = [], [], []
    # the copy as written, emoji and all (text_to_parse): the classifier is fitted on it
    texts = (text_to_parse(item["text"], cut_at_emoji=False) for item in items)
    for item, doc in zip(items, nlp.pipe(texts), strict=True):
        gold = [claim["text"] for claim in item["claims"]]
        for unit in candidate_units(doc):
            if _is_excluded_unit(unit):
                continue
            for span in (span for span in sub_spans(unit) if may_be_claim(span)):
                features.append(span_features(span, unit))
                labels.append(int(any(word_jaccard(span.text, g) >= CLAIM_MATCH_JACCARD for g in gold)))
                groups.append(item["id"])
    return np.stack(features), np.array(labels), groups


def fit_claim_model(features: np.ndarray, labels: np.ndarray) -> ClaimSpanModel:
    """The span classifier fitted on candidate-span features and labels (1 = matches a marked claim):
    standardised features, logistic regression with C=CLAIM_C."""
    from sklearn.linear_model import LogisticRegression

    from alignment.claims import ClaimSpanModel

    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    classifier = LogisticRegression(C=CLAIM_C, max_iter=5000)
    classifier.fit((features - mean) / scale, labels)
    return ClaimSpanModel(classifier.coef_[0], float(classifier.intercept_[0]), mean, scale)


def train_claims(corpora: Sequence[Path] = CLAIMS_CORPORA, out: Path | None = None) -> dict[str, float]:
    """Fit the claim span classifier on every annotated ad, save it, and return span-level scores
    cross-validated by ad (benchmarks/claims_cv.py measures whole extraction)."""
    from sklearn.model_selection import GroupKFold

    from alignment.claims import CLAIM_MODEL_FILE

    features, labels, groups = claim_examples(corpora)
    predicted = np.zeros(len(labels), dtype=int)
    for fit_rows, test_rows in GroupKFold(n_splits=5).split(features, labels, groups=groups):
        model = fit_claim_model(features[fit_rows], labels[fit_rows])
        predicted[test_rows] = model.read(features[test_rows]) >= model.threshold
    fit_claim_model(features, labels).save(out or CLAIM_MODEL_FILE)
    true_positive = float(((predicted == 1) & (labels == 1)).sum())
    return {
        "candidates": float(len(labels)),
        "positive_candidates": float(labels.sum()),
        "cv_span_precision": true_positive / max(1.0, float(predicted.sum())),
        "cv_span_recall": true_positive / max(1.0, float(labels.sum())),
    }


def calibrate_fast_model(
    corpora: Sequence[Path] = FAST_CALIBRATION_CORPORA, out: Path | None = None, ratio: float | None = None
) -> dict[str, object]:
    """Find the fast embedder's fp32 outlier channels on the project's own sentences and write them as JSON.

    The calibration texts are every distinct claim and customer sentence of the training corpora, in sorted
    order, so the file is rebuilt byte for byte.
    """
    from alignment.embed import OUTLIER_RATIO, OUTLIERS_FILE, find_outlier_channels

    out = out or OUTLIERS_FILE
    ratio = OUTLIER_RATIO if ratio is None else ratio
    pairs = load_stance_pairs(corpora)
    texts = sorted({pair.text for pair in pairs} | {pair.claim for pair in pairs})
    channels = find_outlier_channels(texts, ratio=ratio)
    record = {
        "about": "fp32 input channels of the fast embedder's feed-forward matrices (python -m alignment.training)",
        "ratio": ratio,
        "calibration": {"corpora": [path.name for path in corpora], "texts": len(texts)},
        "channels": channels,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {"texts": len(texts), "channels": sum(len(found) for found in channels.values())}


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m alignment.training`: rebuild every shipped model file from data/."""
    parser = argparse.ArgumentParser(description="Rebuild the shipped stance and claim models from data/.")
    parser.add_argument("--corpus", type=Path, nargs="+", default=list(STANCE_CORPORA))
    parser.add_argument("--out", type=Path, default=STANCE_MODEL_FILE)
    args = parser.parse_args(argv)
    from alignment.embed import select_embedder
    from alignment.pipeline import default_embedder

    # The outliers first: they shape the fast embedder, whose offset the stance model then measures.
    fast_outliers = calibrate_fast_model()
    metrics = {
        "fast_outliers": fast_outliers,
        "stance": train(default_embedder(), args.corpus, args.out, other_embedders=[select_embedder("fast")]),
        "claims": train_claims(),
    }
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
