"""Judge whether each matched review sentence supports, contradicts or is neutral towards its claim."""

from __future__ import annotations

import copy
import functools
import json
import re
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol, overload, runtime_checkable

import numpy as np

from alignment.errors import InputError, ModelIntegrityError
from alignment.records import STANCES, Judgements, Match, Matches

MODEL_DIR = Path(__file__).parent / "models"
STANCE_MODEL_FILE = MODEL_DIR / "stance.npz"
PAIR_BLOCK = 32_768
# How much a matched sentence's window counts against the sentence itself when its side is read
# (read_in_context). Chosen on the project's own sets by benchmarks/context_reading.py: at 0.5 the demo
# reviews, the held-back and aspect_more pairs gain and the mixed test loses least; at 1.0 a neutral
# neighbour ("I don't use much data honestly.") can turn a plain complaint into support.
CONTEXT_WEIGHT = 0.5
PROBABILITY_SLACK = 1e-4  # how far outside 0 to 1 a stance model's probability may stray in rounding
CONTEXT_BLOCK = 262_144  # sentences read in context at once (a 384-float row each: about 400 MB)
POLAR_LABELS: tuple[str, ...] = ("supports", "contradicts")  # the polarity head's columns


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


@runtime_checkable
class ContextStanceModel(StanceModel, Protocol):
    """A stance model that can also read each sentence in its review's context (see :func:`read_in_context`)."""

    def predict_proba_in_context(
        self,
        claim_texts: Sequence[str],
        sentence_texts: Sequence[str],
        claim_vectors: np.ndarray,
        context_vectors: np.ndarray,
        similarity: np.ndarray,
    ) -> np.ndarray:
        """predict_proba with the side read from ``context_vectors`` (each sentence with its neighbours) and
        the relevance from ``similarity``, the sentence's own cosine to the claim that matched it."""
        ...


@runtime_checkable
class EmbedderAwareStanceModel(StanceModel, Protocol):
    """A stance model that reads each embedder's vectors its own way (the bundled model's measured offset)."""

    def for_embedder(self, model_id: str) -> StanceModel:
        """The model as it reads the vectors of the embedder ``model_id``."""
        ...


@runtime_checkable
class BreachQueryModel(StanceModel, Protocol):
    """A stance model that also matches each claim by what its complaints sound like (its breach query)."""

    def breach_queries(self, claim_vectors: np.ndarray) -> np.ndarray | None:
        """One query vector per claim for the sentences that break it, or None to match by the claim alone."""
        ...


class EmbeddingStanceModel:
    """Stance from sentence embeddings, trained by ``make train`` on the project's own claim/sentence pairs
    (data/stance_pairs.jsonl, data/promise_cases_*.jsonl, data/aspect_cases_*.jsonl) and stored as plain
    arrays (no pickle).

    Two parts:

    - **polarity**: given that a sentence speaks to the claim, does it support or contradict it? The
      features are the sentence vector, its elementwise product with the claim vector, their cosine and
      (kind "claim-aware+claim") the claim vector itself, so the reading depends on what was promised
      ("haven't had a dropped call since I switched" supports "fewer dropped calls"). The head is either
      logistic (``hidden`` is None) or a network with one ReLU layer (``hidden`` = its weights and bias),
      which can weigh a word by the claim it meets: "late" breaks "on time" and not "open late";
    - **relevance**: how likely the sentence is about the claim's aspect at all, a logistic function of
      their similarity (in a check, the higher of its cosine to the claim and to the claim's breach query);
    - **breach map** (optional): turns a claim into a query for what its complaints sound like
      (:meth:`breach_queries`), so a check matches them too.

    ``p_supports = relevance * (1 - q)``, ``p_contradicts = relevance * q`` and ``p_neutral = 1 - relevance``,
    where q is the polarity head's probability of "contradicts". A sentence is neutral when it is more
    likely off the claim's aspect than on it with either reading; a matched sentence that speaks to the
    claim takes a side, which is how customers write (a complaint next to "on time" is about lateness).
    """

    name = "bundled"

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        labels: Sequence[str],
        features: str,
        relevance: tuple[float, float],
        hidden: tuple[np.ndarray, np.ndarray] | None = None,
        breach: tuple[np.ndarray, np.ndarray] | None = None,
        embedder_offsets: dict[str, float] | None = None,
    ) -> None:
        if list(labels) != list(POLAR_LABELS):
            raise ModelIntegrityError(f"Stance model labels {list(labels)} differ from {list(POLAR_LABELS)}.")
        if features not in FEATURE_PARTS:
            raise ModelIntegrityError(f"Unknown stance feature kind {features!r}. Rebuild it with `make train`.")
        first = hidden[0] if hidden is not None else weights
        shapes_agree = (
            weights.ndim == 2
            and weights.shape[1] == len(POLAR_LABELS)
            and bias.shape == (len(POLAR_LABELS),)
            and first.ndim == 2
            and (first.shape[0] - 1) % FEATURE_PARTS[features] == 0
            and (hidden is None or (hidden[1].shape == (first.shape[1],) and weights.shape[0] == first.shape[1]))
        )
        if not shapes_agree:
            raise ModelIntegrityError(
                f"Stance model weights have shapes {[a.shape for a in (*(hidden or ()), weights, bias)]}, which "
                f"do not fit together as a {features!r} head. Rebuild it with `make train`."
            )
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.hidden = None if hidden is None else (hidden[0].astype(np.float32), hidden[1].astype(np.float32))
        self.features = features
        self.relevance = relevance
        if breach is not None and not (
            breach[0].shape == (breach[0].shape[0], breach[0].shape[0]) and breach[1].shape == (breach[0].shape[0],)
        ):
            raise ModelIntegrityError("Stance model breach map has the wrong shape. Rebuild it with `make train`.")
        # The breach map (matrix, mean) turns a claim vector into what its complaints sound like
        # (breach_queries); None in models trained before it.
        self.breach = None if breach is None else (breach[0].astype(np.float32), breach[1].astype(np.float32))
        self.width = (first.shape[0] - 1) // FEATURE_PARTS[features]  # the sentence vectors' width
        # Per embedder model id, what to add to the contradiction logit when reading that embedder's vectors
        # (for_embedder); empty in models trained before it.
        self.embedder_offsets = dict(embedder_offsets or {})

    @property
    def _first(self) -> tuple[np.ndarray, np.ndarray]:
        """The weights and bias applied to the features: the hidden layer's, or the logistic head's."""
        return self.hidden if self.hidden is not None else (self.weights, self.bias)

    def _output(self, first_layer: np.ndarray) -> np.ndarray:
        """Polar logits from the first layer's output (the ReLU and output layer, when there is a hidden one)."""
        if self.hidden is None:
            return first_layer
        return np.asarray(np.maximum(first_layer, 0.0) @ self.weights + self.bias)

    def _logits(self, claim_vectors: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
        """The same as ``build_features(...) @ W + b`` through the head, without building the wide matrix."""
        matrix, offset = self._first
        width = self.width
        product = claim_vectors * sentence_vectors
        cosine = product.sum(axis=1, keepdims=True)
        first = sentence_vectors @ matrix[:width] + product @ matrix[width : 2 * width] + cosine * matrix[2 * width]
        if self.features == "claim-aware+claim":
            first += claim_vectors @ matrix[2 * width + 1 :]
        return self._output(first + offset)

    @classmethod
    def load(cls, path: Path = STANCE_MODEL_FILE) -> EmbeddingStanceModel:
        """Load the model arrays from an .npz file (allow_pickle is off)."""
        if not path.is_file():
            raise ModelIntegrityError(f"Stance model {path} is missing. Rebuild it with `make train`.")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if not meta.get("relevance"):
                raise ModelIntegrityError(
                    f"Stance model {path} has no relevance calibration. Rebuild it with `make train`."
                )
            slope, intercept = meta["relevance"]
            hidden = (data["hidden_weights"], data["hidden_bias"]) if "hidden_weights" in data.files else None
            breach = (data["breach_map"], data["breach_mean"]) if "breach_map" in data.files else None
            return cls(
                data["weights"],
                data["bias"],
                meta["labels"],
                meta["features"],
                (float(slope), float(intercept)),
                hidden,
                breach,
                {str(k): float(v) for k, v in meta.get("embedder_offsets", {}).items()},
            )

    def for_embedder(self, model_id: str) -> EmbeddingStanceModel:
        """This model as it reads the vectors of the embedder ``model_id``.

        The network is trained on the exact model's vectors. The fast (int8) embedder's vectors lean a
        little towards "supports" on average: over the project's own training pairs, fast vectors flip twice
        as many contradictions to support as the reverse. `make train` measures that lean as the mean
        difference of the contradiction logit between the two embedders' vectors of its training pairs and
        stores it per embedder; reading that embedder's vectors, the model adds it back. Any other embedder
        is read as it is.
        """
        offset = self.embedder_offsets.get(model_id, 0.0)
        if offset == 0.0:
            return self
        shifted = copy.copy(self)
        shifted.bias = self.bias.copy()
        shifted.bias[1] += np.float32(offset)  # column 1 is "contradicts": logit(c) - logit(s) moves by offset
        return shifted

    def breach_queries(self, claim_vectors: np.ndarray) -> np.ndarray | None:
        """For each claim, a vector of what customers write when it breaks, to match reviews by besides the
        claim itself (None when the model has no breach map).

        A claim is worded as praise, so its vector sits closer to praise of its aspect than to complaints
        about it ("Delicious, fresh food" matches 782 of 1,232 food sentences at 0.30 but only 89 of 209
        food complaints). The map is a ridge regression, fitted by `make train`, from each training claim's
        vector to the mean of its contradicting texts; the mean of those predictions over the training
        claims, the part every complaint shares, is subtracted, so the query keeps the claim's own breach
        ("cold, bland food") rather than complaint in general.
        """
        if self.breach is None:
            return None
        matrix, mean = self.breach
        queries = np.asarray(claim_vectors, dtype=np.float32) @ matrix
        queries /= np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        queries -= mean
        queries /= np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        return queries

    def contradiction_odds(self, claim_vectors: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
        """q per pair: the probability that the sentence contradicts the claim, given it speaks to it."""
        q = np.empty(len(sentence_vectors), dtype=np.float32)
        # In blocks: the products are as wide as the vectors, and a large re-check judges hundreds of
        # thousands of pairs.
        for begin in range(0, len(sentence_vectors), PAIR_BLOCK):
            block = slice(begin, begin + PAIR_BLOCK)
            q[block] = softmax(self._logits(claim_vectors[block], sentence_vectors[block]))[:, 1]
        return q

    def on_aspect(self, cosine: np.ndarray) -> np.ndarray:
        """The relevance calibration: P(the sentence is about the claim's aspect) from their cosine."""
        slope, intercept = self.relevance
        return np.asarray(1.0 / (1.0 + np.exp(-(slope * cosine + intercept))), dtype=np.float32)

    def predict_proba(
        self,
        claim_texts: Sequence[str],
        sentence_texts: Sequence[str],
        claim_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> np.ndarray:
        """Return (p_supports, p_contradicts, p_neutral) per pair."""
        if len(sentence_vectors) and claim_vectors.ndim == 2 and claim_vectors.strides[0] == 0:
            # One claim broadcast over its matches (how judge_matches calls): fold the claim into the weights.
            return self.predict_for_claim(claim_vectors[0], sentence_vectors)
        # A sentence read alone is its own context, and its cosine to the claim is its similarity.
        cosine = np.sum(claim_vectors * sentence_vectors, axis=1)
        return self.predict_proba_in_context(claim_texts, sentence_texts, claim_vectors, sentence_vectors, cosine)

    def predict_proba_in_context(
        self,
        claim_texts: Sequence[str],
        sentence_texts: Sequence[str],
        claim_vectors: np.ndarray,
        context_vectors: np.ndarray,
        similarity: np.ndarray,
    ) -> np.ndarray:
        """predict_proba where the side taken is read from ``context_vectors`` (each sentence with its
        neighbours, :func:`read_in_context`) and the relevance from ``similarity``, the sentence's own cosine
        to the claim, which is what matched it."""
        if len(context_vectors) and claim_vectors.ndim == 2 and claim_vectors.strides[0] == 0:
            return self.predict_for_claim(claim_vectors[0], context_vectors, similarity)
        q = self.contradiction_odds(claim_vectors, context_vectors)
        return _by_stance(self.on_aspect(np.asarray(similarity, dtype=np.float32)), q)

    def predict_for_claim(
        self, claim_vector: np.ndarray, sentence_vectors: np.ndarray, similarity: np.ndarray | None = None
    ) -> np.ndarray:
        """predict_proba for one claim against many sentences, with one matrix product for the first layer.

        The first layer is linear in the sentence vector once the claim is fixed:
        ``s·W_s + (c⊙s)·W_p + (c·s)·w_cos + c·W_c = s·(W_s + c⊙W_p) + (c·s)·w_cos + c·W_c``, so the claim is
        folded into the weights once and each sentence costs one product with a (width × units) matrix,
        instead of an elementwise product per pair. With ``similarity`` the relevance is read from it rather
        than from the vectors' cosine (the vectors are then sentences read in context).
        """
        matrix, offset = self._first
        width = self.width
        claim = np.asarray(claim_vector, dtype=np.float32)
        folded = matrix[:width] + claim[:, None] * matrix[width : 2 * width]
        constant = offset.copy()
        if self.features == "claim-aware+claim":
            constant += claim @ matrix[2 * width + 1 :]
        products = np.asarray(sentence_vectors, dtype=np.float32) @ np.column_stack([folded, claim])
        cosine = products[:, -1]
        logits = self._output(products[:, :-1] + cosine[:, None] * matrix[2 * width] + constant)
        q = 1.0 / (1.0 + np.exp(-(logits[:, 1] - logits[:, 0])))
        relevance = self.on_aspect(cosine if similarity is None else np.asarray(similarity, dtype=np.float32))
        return _by_stance(relevance, q)


def _by_stance(relevance: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(p_supports, p_contradicts, p_neutral) per pair from the relevance and q = P(contradicts | on aspect)."""
    return np.stack([relevance * (1.0 - q), relevance * q, 1.0 - relevance], axis=1).astype(np.float32)


# How many vector-wide blocks each feature kind has (plus one cosine column).
FEATURE_PARTS = {"claim-aware": 2, "claim-aware+claim": 3}


def build_features(claim_vectors: np.ndarray, sentence_vectors: np.ndarray, kind: str) -> np.ndarray:
    """Feature rows for the stance classifier: "sentence"; "claim-aware" (the sentence vector, its
    elementwise product with the claim vector, and their cosine); or "claim-aware+claim" (those, then the
    claim vector)."""
    if kind == "sentence":
        return np.asarray(sentence_vectors, dtype=np.float32)
    if kind in FEATURE_PARTS:
        product = claim_vectors * sentence_vectors
        cosine = product.sum(axis=1, keepdims=True)
        parts = [sentence_vectors, product, cosine] + ([claim_vectors] if kind == "claim-aware+claim" else [])
        return np.hstack(parts).astype(np.float32)
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
    sentence_reviews: np.ndarray | None = None,
) -> list[Judgements]:
    """Judge every match of every claim; the stance is the most probable label.

    Each claim is judged in one call over its matched sentences, with its vector broadcast rather than
    copied per pair, so memory stays proportional to the matches of one claim. The judgements stay as
    arrays (:class:`Judgements`): a re-check can judge hundreds of thousands of matches, and a record per
    match is built only if a consumer reads them one by one.

    ``sentence_reviews`` (each sentence's review index, sentences of a review adjacent and in order) lets a
    :class:`ContextStanceModel` read each matched sentence with its neighbours (:func:`read_in_context`,
    windows broken at contrasts by :func:`context_windows`); such a model takes its relevance from the
    matches' similarity either way.
    """
    found_arrays = [_match_arrays(found) for found in matches]
    if isinstance(model, ContextStanceModel):
        # Without the reviews each sentence is its own review: no neighbours, but the relevance still
        # reads the match's similarity (which includes the breach query's, for the bundled model).
        kept = _kept_context(sentence_vectors, sentence_reviews, sentence_texts)
        if kept is not None:
            judged = _judge_read(claim_texts, found_arrays, sentence_texts, claim_vectors, kept, model)
        else:
            reviews = (
                np.arange(len(sentence_vectors))
                if sentence_reviews is None
                else context_windows(sentence_reviews, sentence_texts)
            )
            judged = _judge_in_context(
                claim_texts, found_arrays, sentence_texts, claim_vectors, sentence_vectors, model, reviews
            )
    else:
        judged = [
            check_probabilities(
                model.predict_proba(
                    *_arguments(claim_texts[c], indices, sentence_texts, claim_vectors[c], sentence_vectors)
                ),
                len(indices),
                model,
            )
            if len(indices)
            else np.zeros((0, 3), dtype=np.float32)
            for c, (indices, _) in enumerate(found_arrays)
        ]
    result: list[Judgements] = []
    for (indices, similarity), probabilities in zip(found_arrays, judged, strict=True):
        if len(indices) == 0:
            result.append(Judgements.from_records(()))
            continue
        result.append(
            Judgements(
                sentence_index=indices,
                similarity=similarity,
                p_supports=probabilities[:, 0],
                p_contradicts=probabilities[:, 1],
                p_neutral=probabilities[:, 2],
                label=probabilities.argmax(axis=1).astype(np.uint8),
            )
        )
    return result


def _arguments(
    claim_text: str,
    indices: np.ndarray,
    sentence_texts: Sequence[str],
    claim_vector: np.ndarray,
    sentence_vectors: np.ndarray,
) -> tuple[list[str], Sequence[str], np.ndarray, np.ndarray]:
    """predict_proba's arguments for one claim's matched sentences, its vector broadcast, not copied."""
    vectors = sentence_vectors[indices]
    return (
        [claim_text] * len(indices),
        _PickedTexts(sentence_texts, indices),
        np.broadcast_to(claim_vector, vectors.shape),
        vectors,
    )


_OPENS_WITH_CONTRAST = re.compile(r"(?:but|although|though|however|whereas)\b", re.IGNORECASE)
# "however" or "though" as an adverb ("The colour, however, is darker.", "Runs small though."): the
# sentence sets itself against the one before, without opening with the contrast.
_TURNS_BACK = re.compile(r"\b(?:however|though)\s*(?:[,.!;:]|$)", re.IGNORECASE)


def _turns_back(text: str) -> bool:
    """Whether the sentence turns back on the one before (_TURNS_BACK). The plain substring test first:
    it is ten times cheaper than the search, and a check computes the window of every sentence it reads."""
    lowered = text.lower()
    return ("though" in lowered or "however" in lowered) and bool(_TURNS_BACK.search(text))


# The one kept context reading (_kept_context): (a weak reference to its matrix, its weight, the reading).
# Replaced whole, never edited, so a check in another thread reads either the old entry or the new one.
_kept: tuple[weakref.ReferenceType[np.ndarray], float, np.ndarray] | None = None


def _kept_context(
    sentence_vectors: np.ndarray, sentence_reviews: np.ndarray | None, sentence_texts: Sequence[str]
) -> np.ndarray | None:
    """Every sentence read in context, kept between checks of the same read-only sentence matrix, or None.

    The workspace serves a dataset's sentence matrix read-only and keeps it in memory, so every re-check
    against it reads the same sentences in the same windows; reading them once and keeping the result
    saves a re-check about 0.2 s (the windows, the reading and the index of the matched rows). One reading
    is kept, for a matrix of up to CONTEXT_BLOCK sentences (400 MB at most). Anything else (a writable
    matrix, as a one-off check() builds) is read per check, as before.
    """
    global _kept
    matrix = sentence_vectors
    if sentence_reviews is None or matrix.flags.writeable or not 0 < len(matrix) <= CONTEXT_BLOCK:
        return None
    entry = _kept
    if entry is not None and entry[0]() is matrix and entry[1] == CONTEXT_WEIGHT:
        return entry[2]
    _kept = None  # the previous reading goes before the next one is read, not after
    read = read_in_context(matrix, context_windows(sentence_reviews, sentence_texts), np.arange(len(matrix)))
    read.flags.writeable = False
    _kept = (weakref.ref(matrix, _forget_kept), CONTEXT_WEIGHT, read)
    return read


def _forget_kept(reference: weakref.ReferenceType[np.ndarray]) -> None:
    """Drop the kept reading when its matrix is gone (the workspace closed or evicted the dataset), so its
    memory goes with it."""
    global _kept
    entry = _kept
    if entry is not None and entry[0] is reference:
        _kept = None


def _judge_read(
    claim_texts: Sequence[str],
    found_arrays: Sequence[tuple[np.ndarray, np.ndarray]],
    sentence_texts: Sequence[str],
    claim_vectors: np.ndarray,
    read: np.ndarray,
    model: ContextStanceModel,
) -> list[np.ndarray]:
    """Each claim's probabilities from the kept reading of every sentence in context (:func:`_kept_context`)."""
    return [
        _judge_claim(
            model, claim_texts[claim], claim_vectors[claim], sentence_texts, indices, read[indices], similarity
        )
        if len(indices)
        else np.zeros((0, 3), dtype=np.float32)
        for claim, (indices, similarity) in enumerate(found_arrays)
    ]


def _judge_claim(
    model: ContextStanceModel,
    claim_text: str,
    claim_vector: np.ndarray,
    sentence_texts: Sequence[str],
    indices: np.ndarray,
    context: np.ndarray,
    similarity: np.ndarray,
) -> np.ndarray:
    """One claim's probabilities for its matched sentences ``indices``, read from ``context`` (their rows
    read in context), the claim's vector broadcast rather than copied."""
    return check_probabilities(
        model.predict_proba_in_context(
            [claim_text] * len(indices),
            _PickedTexts(sentence_texts, indices),
            np.broadcast_to(claim_vector, context.shape),
            context,
            similarity,
        ),
        len(indices),
        model,
    )


def check_probabilities(output: object, count: int, model: object) -> np.ndarray:
    """``output``, a stance model's predict_proba for ``count`` pairs, as a float32 (count, 3) matrix of
    probabilities: checked where it is first used, so that a model of the wrong kind is said in one line
    rather than as an IndexError, or as verdicts read from scores that are not probabilities.

    Raises:
        InputError: not an array of numbers of shape (count, 3), or a value that is not between 0 and 1.
    """
    name = getattr(model, "name", None) or type(model).__qualname__
    try:
        probabilities = np.asarray(output, dtype=np.float32)
    except (TypeError, ValueError):
        raise InputError(
            f"The stance model {name} returned {type(output).__name__}, not an array of numbers; its predict_proba "
            "must return one row (p_supports, p_contradicts, p_neutral) per claim-sentence pair."
        ) from None
    if probabilities.shape != (count, len(STANCES)):
        raise InputError(
            f"The stance model {name} gave predict_proba output of shape {probabilities.shape} for {count} "
            f"claim-sentence pairs; it must give shape ({count}, 3): p_supports, p_contradicts, p_neutral per pair."
        )
    # A little slack: a softmax computed in float32 can come out a hair above 1.
    inside = (
        np.isfinite(probabilities) & (probabilities >= -PROBABILITY_SLACK) & (probabilities <= 1 + PROBABILITY_SLACK)
    )
    if not inside.all():
        raise InputError(
            f"The stance model {name} gave values outside 0 to 1 (or NaN) from predict_proba; it must return "
            "probabilities, not scores or logits."
        )
    return probabilities


def _judge_in_context(
    claim_texts: Sequence[str],
    found_arrays: Sequence[tuple[np.ndarray, np.ndarray]],
    sentence_texts: Sequence[str],
    claim_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    model: ContextStanceModel,
    sentence_reviews: np.ndarray,
) -> list[np.ndarray]:
    """Each claim's probabilities, its matched sentences read in context (:func:`read_in_context`).

    Claims share most of their matches, so every matched sentence is read in context once, not once per
    claim that matched it (a re-check of 20 claims over 100,000 sentences judges about 320,000 matches of
    fewer than 100,000 sentences), in blocks of CONTEXT_BLOCK sentences, which bounds the memory.
    """
    judged = [np.zeros((len(indices), 3), dtype=np.float32) for indices, _ in found_arrays]
    if not any(len(indices) for indices, _ in found_arrays):
        return judged
    chosen = np.unique(np.concatenate([indices for indices, _ in found_arrays]))
    row_of = np.empty(len(sentence_reviews), dtype=np.int64)
    row_of[chosen] = np.arange(len(chosen))  # sentence index -> its row among the chosen
    for begin in range(0, len(chosen), CONTEXT_BLOCK):
        read = read_in_context(sentence_vectors, sentence_reviews, chosen[begin : begin + CONTEXT_BLOCK])
        whole = len(read) == len(chosen)  # the usual case: one block, every match of every claim in it
        for claim, (indices, similarity) in enumerate(found_arrays):
            rows = row_of[indices] - begin
            inside = np.arange(len(rows)) if whole else np.flatnonzero((rows >= 0) & (rows < len(read)))
            if len(inside) == 0:
                continue
            judged[claim][inside] = _judge_claim(
                model,
                claim_texts[claim],
                claim_vectors[claim],
                sentence_texts,
                indices[inside],
                read[rows[inside]],
                similarity[inside],
            )
    return judged


def context_windows(sentence_reviews: np.ndarray, sentence_texts: Sequence[str]) -> np.ndarray:
    """Each sentence's window for :func:`read_in_context`: the sentences of one review, broken before each
    sentence that opens with a contrast ("but", "although", "though", "however", "whereas") or turns
    back on what came before with an adverbial "however" or "though" ("It runs small though, size up.").

    Why: what follows a contrast says the opposite of what precedes it ("Great food" | "but the service
    was slow", the clauses :func:`alignment.ingest.split_spans` cuts), so reading one with the other blends
    praise into a complaint. Measured on the project's own sets, clauses cut (README, Quality): the mixed
    test texts read about 0.71 with the review as the window and 0.727 with it broken at contrasts, the
    held-back pairs and aspect_more level. Breaking also before a sentence that turns back lifted the spec
    test (a glad review of a product whose stated spec failed) 0.569 → 0.616 and the mixed test to 0.732,
    the other sets unchanged.
    """
    reviews = np.asarray(sentence_reviews, dtype=np.int64)
    if len(reviews) == 0:
        return reviews
    starts = np.fromiter(
        (bool(_OPENS_WITH_CONTRAST.match(text)) or _turns_back(text) for text in sentence_texts), bool, len(reviews)
    )
    starts[0] = True  # a new window at the first sentence, at each new review and at each contrast
    starts[1:] |= reviews[1:] != reviews[:-1]
    return np.cumsum(starts) - 1


def read_in_context(
    sentence_vectors: np.ndarray, sentence_reviews: np.ndarray, indices: np.ndarray, weight: float | None = None
) -> np.ndarray:
    """The vectors the side is read from: each chosen sentence's own vector plus ``weight`` (default
    CONTEXT_WEIGHT) times the mean direction of its window (itself and the sentences either side of it in
    the same window: ``sentence_reviews`` holds each sentence's review, or its :func:`context_windows`),
    normalised.

    Why: customers spread one opinion over short sentences ("Never again." carries the complaint of the
    sentence before it), and a sentence read alone loses that; it lifted stance accuracy on the project's
    demo reviews and on real tweets (README, Quality; benchmarks/context_reading.py). The window stays
    local, so a long review that praises one aspect and faults another three sentences later is not read
    as one tone, and it counts half, so a neutral neighbour does not turn a plain complaint into support.
    A sentence alone in its review keeps its own vector. Sentences of a review must be adjacent and in
    order (as :func:`alignment.ingest.split_sentences` gives them).
    """
    chosen = np.asarray(indices, dtype=np.int64)
    reviews = np.asarray(sentence_reviews)
    own = np.asarray(sentence_vectors[chosen], dtype=np.float32)
    read = own.copy()  # first the window's sum, then the blend; one buffer, as a re-check reads ~300k rows
    for step in (-1, 1):
        neighbour = np.clip(chosen + step, 0, len(reviews) - 1)
        rows = np.flatnonzero((neighbour != chosen) & (reviews[neighbour] == reviews[chosen]))
        read[rows] += np.asarray(sentence_vectors[neighbour[rows]], dtype=np.float32)
    share = CONTEXT_WEIGHT if weight is None else weight
    read *= (share / np.maximum(np.sqrt(np.einsum("ij,ij->i", read, read)), 1e-12))[:, None]
    read += own
    read /= np.maximum(np.sqrt(np.einsum("ij,ij->i", read, read)), 1e-12)[:, None]
    return read


class _PickedTexts(Sequence[str]):
    """The texts of the matched sentences, looked up on access.

    The bundled model reads only the vectors, so a list of every matched text (hundreds of thousands in a
    re-check) would be built for nothing; a model that reads the texts gets them one by one.
    """

    __slots__ = ("_indices", "_texts")

    def __init__(self, texts: Sequence[str], indices: np.ndarray) -> None:
        self._texts = texts
        self._indices = indices

    def __len__(self) -> int:
        return len(self._indices)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._texts[i] for i in self._indices[index].tolist()]
        return self._texts[int(self._indices[index])]

    def __iter__(self) -> Iterator[str]:
        return (self._texts[i] for i in self._indices.tolist())


def _match_arrays(found: Sequence[Match]) -> tuple[np.ndarray, np.ndarray]:
    """The sentence indices and similarities of one claim's matches (read directly from a Matches)."""
    if isinstance(found, Matches):
        return found.sentence_index, found.similarity
    indices = np.array([m.sentence_index for m in found], dtype=np.int64)
    return indices, np.array([m.similarity for m in found], dtype=np.float64)
