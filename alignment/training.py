"""Rebuild the shipped stance model from the project's own labelled corpus (`make train`)."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alignment.embed import Embedder
from alignment.records import STANCES
from alignment.stance import STANCE_MODEL_FILE, EmbeddingStanceModel, LexiconStanceModel

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
STANCE_CORPUS = REPO_DATA / "stance_train.jsonl"
LABEL_TO_STANCE = {"positive": "supports", "negative": "contradicts", "neutral": "neutral"}
HELD_BACK_SHARE = 0.2
REGULARISATION_C = 8.0  # chosen by accuracy on the held-back part of our own corpus
FEATURES = "sentence"


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    """One sentence of the stance corpus with its stance label and domain."""

    text: str
    stance: str
    domain: str


def load_stance_corpus(path: Path = STANCE_CORPUS) -> list[LabelledSentence]:
    """Read the JSONL corpus; labels positive/negative/neutral become supports/contradicts/neutral."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        items.append(LabelledSentence(record["text"], LABEL_TO_STANCE[record["label"]], record.get("domain", "")))
    return items


def is_held_back(text: str) -> bool:
    """Deterministic split by text hash: about HELD_BACK_SHARE of the corpus never trains the model."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return digest[0] < int(256 * HELD_BACK_SHARE)


def split_corpus(items: Sequence[LabelledSentence]) -> tuple[list[LabelledSentence], list[LabelledSentence]]:
    """Return (train, held back)."""
    train = [item for item in items if not is_held_back(item.text)]
    held = [item for item in items if is_held_back(item.text)]
    return train, held


def fit_stance(vectors: np.ndarray, stances: Sequence[str], c: float = REGULARISATION_C) -> EmbeddingStanceModel:
    """Fit the multinomial logistic regression; deterministic for the same input."""
    from sklearn.linear_model import LogisticRegression

    targets = np.array([STANCES.index(s) for s in stances])
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    classifier.fit(vectors, targets)
    weights = np.zeros((vectors.shape[1], len(STANCES)), dtype=np.float32)
    bias = np.zeros(len(STANCES), dtype=np.float32)
    for column, label in enumerate(classifier.classes_):
        weights[:, label] = classifier.coef_[column]
        bias[label] = classifier.intercept_[column]
    return EmbeddingStanceModel(weights, bias, STANCES, FEATURES)


def save_stance(
    model: EmbeddingStanceModel, path: Path = STANCE_MODEL_FILE, extra: dict[str, object] | None = None
) -> None:
    """Write the model as an .npz of plain arrays plus JSON metadata."""
    meta = {"labels": list(STANCES), "features": model.features, **(extra or {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle, weights=model.weights, bias=model.bias, meta=np.array(json.dumps(meta, sort_keys=True))
        )


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


def train(embedder: Embedder, corpus: Path = STANCE_CORPUS, out: Path = STANCE_MODEL_FILE) -> dict[str, float]:
    """Train on the corpus minus the held-back part, save the model, and return held-back metrics."""
    items = load_stance_corpus(corpus)
    train_items, held_items = split_corpus(items)
    train_vectors = embedder.encode([i.text for i in train_items])
    model = fit_stance(train_vectors, [i.stance for i in train_items])
    held_vectors = embedder.encode([i.text for i in held_items])
    held_stances = [i.stance for i in held_items]
    empty = np.zeros_like(held_vectors)
    ours = model.predict_proba([], [i.text for i in held_items], empty, held_vectors)
    lexicon = LexiconStanceModel().predict_proba([], [i.text for i in held_items], empty, held_vectors)
    metrics = {
        "train_sentences": float(len(train_items)),
        "held_back_sentences": float(len(held_items)),
        "held_back_accuracy": accuracy(ours, held_stances),
        "held_back_polar_accuracy": polar_accuracy(ours, held_stances),
        "lexicon_accuracy": accuracy(lexicon, held_stances),
        "lexicon_polar_accuracy": polar_accuracy(lexicon, held_stances),
    }
    corpus_hash = hashlib.sha256(corpus.read_bytes()).hexdigest()
    save_stance(model, out, {"corpus_sha256": corpus_hash, "c": REGULARISATION_C})
    return metrics


CLAIMS_CORPUS = REPO_DATA / "claims_train.jsonl"
CLAIM_MATCH_JACCARD = 0.4  # the guideline's matching rule: word-set overlap of a span with a marked claim
CLAIM_C = 0.5


def word_jaccard(a: str, b: str) -> float:
    """Jaccard overlap of the lower-cased word sets of two texts."""
    x, y = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(x & y) / len(x | y) if x | y else 0.0


def claim_examples(corpus: Path = CLAIMS_CORPUS) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Candidate spans of the project's annotated ads with features, labels (1 = matches a marked
    claim) and the ad id of each, for grouped splits."""
    from alignment.claims import (
        _is_excluded_unit,
        candidate_units,
        is_claim,
        load_claim_pipeline,
        span_features,
        sub_spans,
    )

    nlp = load_claim_pipeline(use_model=False)
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    features, labels, groups = [], [], []
    for item, doc in zip(items, nlp.pipe(item["text"] for item in items), strict=True):
        gold = [claim["text"] for claim in item["claims"]]
        for unit in candidate_units(doc):
            if _is_excluded_unit(unit):
                continue
            for span in (span for span in sub_spans(unit) if is_claim(span)):
                features.append(span_features(span, unit))
                labels.append(int(any(word_jaccard(span.text, g) >= CLAIM_MATCH_JACCARD for g in gold)))
                groups.append(item["id"])
    return np.stack(features), np.array(labels), groups


def train_claims(corpus: Path = CLAIMS_CORPUS, out: Path | None = None) -> dict[str, float]:
    """Fit the claim span classifier on every annotated ad, save it, and return cross-validated scores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from alignment.claims import CLAIM_MODEL_FILE, ClaimSpanModel

    features, labels, groups = claim_examples(corpus)
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    scaled = (features - mean) / scale
    classifier = LogisticRegression(C=CLAIM_C, max_iter=5000)
    predicted = cross_val_predict(classifier, scaled, labels, groups=groups, cv=GroupKFold(n_splits=5))
    classifier.fit(scaled, labels)
    model = ClaimSpanModel(classifier.coef_[0], float(classifier.intercept_[0]), mean, scale)
    model.save(out or CLAIM_MODEL_FILE)
    true_positive = float(((predicted == 1) & (labels == 1)).sum())
    return {
        "candidates": float(len(labels)),
        "positive_candidates": float(labels.sum()),
        "cv_span_precision": true_positive / max(1.0, float(predicted.sum())),
        "cv_span_recall": true_positive / max(1.0, float(labels.sum())),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m alignment.training`: rebuild every shipped model file from data/."""
    parser = argparse.ArgumentParser(description="Rebuild the shipped stance and claim models from data/.")
    parser.add_argument("--corpus", type=Path, default=STANCE_CORPUS)
    parser.add_argument("--out", type=Path, default=STANCE_MODEL_FILE)
    args = parser.parse_args(argv)
    from alignment.pipeline import default_embedder

    metrics = {"stance": train(default_embedder(), args.corpus, args.out), "claims": train_claims()}
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
