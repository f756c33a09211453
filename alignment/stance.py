"""Judge whether each matched review sentence supports, contradicts or is neutral towards its claim."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from alignment.errors import InputError, ModelIntegrityError
from alignment.records import STANCES, Judgement, Match

MODEL_DIR = Path(__file__).parent / "models"
STANCE_MODEL_FILE = MODEL_DIR / "stance.npz"
PAIR_BLOCK = 32_768


class StanceModel(Protocol):
    """A swappable stance judge; returns probabilities in the order of ``STANCES``."""

    name: str

    def predict_proba(
        self,
        claim_texts: Sequence[str],
        sentence_texts: Sequence[str],
        claim_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> np.ndarray:
        """Return an (n, 3) array of (p_supports, p_contradicts, p_neutral) for n claim/sentence pairs."""
        ...


class EmbeddingStanceModel:
    """A multinomial logistic regression over sentence embeddings, trained by ``make train`` on the
    project's own claim/sentence pairs (data/stance_pairs.jsonl) and stored as plain arrays (no pickle).

    The features are the sentence vector, its elementwise product with the claim vector and their
    cosine, so the judgement depends on what was promised, not only on the sentence's tone: a sentence
    about another aspect is neutral towards the claim however strongly it is worded.
    """

    name = "bundled"

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        labels: Sequence[str],
        features: str,
        relevance: tuple[float, float] | None = None,
    ) -> None:
        if list(labels) != list(STANCES):
            raise ModelIntegrityError(f"Stance model labels {list(labels)} differ from {list(STANCES)}.")
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.features = features
        self.relevance = relevance

    def _logits(self, claim_vectors: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
        if self.features == "claim-aware":
            return _claim_aware_logits(self.weights, self.bias, claim_vectors, sentence_vectors)
        return np.asarray(build_features(claim_vectors, sentence_vectors, self.features) @ self.weights + self.bias)

    @classmethod
    def load(cls, path: Path = STANCE_MODEL_FILE) -> EmbeddingStanceModel:
        """Load the model arrays from an .npz file (allow_pickle is off)."""
        if not path.is_file():
            raise ModelIntegrityError(f"Stance model {path} is missing. Rebuild it with `make train`.")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            relevance = tuple(meta["relevance"]) if meta.get("relevance") else None
            return cls(data["weights"], data["bias"], meta["labels"], meta["features"], relevance)  # type: ignore[arg-type]

    def predict_proba(
        self,
        claim_texts: Sequence[str],
        sentence_texts: Sequence[str],
        claim_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> np.ndarray:
        """Return (p_supports, p_contradicts, p_neutral) per pair.

        With a relevance calibration, supports and contradicts are scaled by the probability that the
        sentence is about the claim's aspect at all (a logistic function of their cosine): a sentence
        can only contradict a promise it speaks to.
        """
        # In blocks: the feature matrix is twice the width of the vectors, and a large re-check can
        # judge hundreds of thousands of pairs.
        logits = np.empty((len(sentence_vectors), len(STANCES)), dtype=np.float32)
        for begin in range(0, len(sentence_vectors), PAIR_BLOCK):
            block = slice(begin, begin + PAIR_BLOCK)
            logits[block] = self._logits(claim_vectors[block], sentence_vectors[block])
        probabilities = softmax(logits)
        if self.relevance is not None:
            slope, intercept = self.relevance
            cosine = np.sum(claim_vectors * sentence_vectors, axis=1)
            on_aspect = 1.0 / (1.0 + np.exp(-(slope * cosine + intercept)))
            probabilities[:, 0] *= on_aspect
            probabilities[:, 1] *= on_aspect
            probabilities[:, 2] = 1.0 - probabilities[:, 0] - probabilities[:, 1]
        return probabilities


def _claim_aware_logits(
    weights: np.ndarray, bias: np.ndarray, claim_vectors: np.ndarray, sentence_vectors: np.ndarray
) -> np.ndarray:
    """The same as build_features(..., "claim-aware") @ weights + bias, without building the wide matrix."""
    width = sentence_vectors.shape[1]
    product = claim_vectors * sentence_vectors
    cosine = product.sum(axis=1, keepdims=True)
    return np.asarray(
        sentence_vectors @ weights[:width] + product @ weights[width : 2 * width] + cosine * weights[2 * width] + bias
    )


def build_features(claim_vectors: np.ndarray, sentence_vectors: np.ndarray, kind: str) -> np.ndarray:
    """Feature rows for the stance classifier: "sentence", or "claim-aware" (the sentence vector, its
    elementwise product with the claim vector, and their cosine)."""
    if kind == "sentence":
        return np.asarray(sentence_vectors, dtype=np.float32)
    if kind == "claim-aware":
        product = claim_vectors * sentence_vectors
        cosine = product.sum(axis=1, keepdims=True)
        return np.hstack([sentence_vectors, product, cosine]).astype(np.float32)
    raise ModelIntegrityError(f"Unknown stance feature kind {kind!r}.")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


class LexiconStanceModel:
    """Baseline: VADER's sentence-level sentiment read as stance (positive supports, negative contradicts)."""

    name = "lexicon"

    def __init__(self) -> None:
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError as exc:
            raise InputError("The lexicon stance model needs vaderSentiment: run `make install`.") from exc
        self._analyzer = SentimentIntensityAnalyzer()

    def predict_proba(
        self,
        claim_texts: Sequence[str],
        sentence_texts: Sequence[str],
        claim_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> np.ndarray:
        """Map VADER's pos/neg/neu shares to (supports, contradicts, neutral), sharpened by the compound."""
        rows = []
        for text in sentence_texts:
            scores = self._analyzer.polarity_scores(text)
            compound = scores["compound"]
            if compound >= 0.05:
                rows.append((0.5 + compound / 2, (1 - compound) / 4, (1 - compound) / 4))
            elif compound <= -0.05:
                rows.append(((1 + compound) / 4, 0.5 - compound / 2, (1 + compound) / 4))
            else:
                rows.append((0.25, 0.25, 0.5))
        return np.asarray(rows, dtype=np.float32).reshape(len(sentence_texts), 3)


@functools.cache
def _bundled_model() -> EmbeddingStanceModel:
    return EmbeddingStanceModel.load()


def select_stance_model(model: str | StanceModel) -> StanceModel:
    """Return a stance model from a name ("bundled", "lexicon") or pass an instance through."""
    if not isinstance(model, str):
        return model
    if model == "bundled":
        return _bundled_model()
    if model == "lexicon":
        return LexiconStanceModel()
    raise InputError(f"Unknown stance model {model!r}; use 'bundled' or 'lexicon'.")


def judge_matches(
    claim_texts: Sequence[str],
    matches: Sequence[Sequence[Match]],
    sentence_texts: Sequence[str],
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    model: StanceModel,
) -> list[list[Judgement]]:
    """Judge every match of every claim; the stance is the most probable label.

    Each claim is judged in one call over its matched sentences, with its vector broadcast rather than
    copied per pair, so memory stays proportional to the matches of one claim.
    """
    result: list[list[Judgement]] = []
    for claim, found in enumerate(matches):
        if not found:
            result.append([])
            continue
        indices = [m.sentence_index for m in found]
        vectors = sentence_vectors[indices]
        probabilities = model.predict_proba(
            [claim_texts[claim]] * len(found),
            [sentence_texts[i] for i in indices],
            np.broadcast_to(claim_vectors[claim], vectors.shape),
            vectors,
        )
        labels = probabilities.argmax(axis=1).tolist()
        rows = probabilities.tolist()  # plain floats once, rather than a numpy scalar per field
        result.append(
            [
                Judgement(m.sentence_index, m.similarity, STANCES[label], *row)  # type: ignore[arg-type]
                for m, label, row in zip(found, labels, rows, strict=True)
            ]
        )
    return result
