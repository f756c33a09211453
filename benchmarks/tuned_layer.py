"""What fine-tuning MiniLM's last layer on the project's own stance pairs would gain (a diagnostic; nothing
it trains is shipped): `.venv/bin/python benchmarks/tuned_layer.py [--public]`.

The shipped polarity head reads frozen all-MiniLM-L6-v2 vectors. Here a copy of the model's last
transformer layer is trained together with a polarity head (one hidden layer of 64 ReLU units over the
shipped features: the sentence vector, its product with the claim vector, their cosine and the claim
vector) on the same polar training rows as `make train` (each training text whole, plus each
multi-sentence text's sentence most similar to its claim), with the corpus's own prior. The first five
layers stay frozen, so their output is computed once. The head reads the claims' frozen vectors.

Each variant is then read the way a check reads: the matched sentence in context (weight 0.5, windows
broken at contrasts), its relevance from the shipped model on the match's similarity. Only the polarity
head and the vectors it reads change. Rows (--only picks some):
- control: the same head over frozen vectors;
- tuned: the tuned layer with its head, for each seed;
- ensemble: the seeds' tuned layers and heads, their contradiction logits averaged;
- recipe: the first seed's tuned layer, its head dropped, and the shipped recipe (make train's rows, texts
  whole and read in context, and its three averaged networks) fitted on the tuned vectors of claims and
  texts;
- recipe ensemble: that for every seed, averaged;
- everywhere: the first seed's tuned layer put in place of MiniLM's own, so matching, relevance and stance
  all read its vectors, with make train's whole stance recipe refitted on them (--keep-weight charges the
  tuned vectors' drift from the frozen ones while training, to keep what matching was built on).

Sets: the project's held-back pairs, test pairs, mixed test, aspect_more, spec test and demo reviews (as
benchmarks/context_reading.py reads them); with --public, benchmarks/quality.py's airline, restaurant
and clothing figures (../shared is read, never trained on). Writes benchmarks/results/tuned_layer.json, keeping rows an
earlier run measured. On 2 cores: about 3 minutes to train each seed, 2 to measure a row (5 with
--public), 4 to fit a recipe; an average of two takes twice the measuring.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import functools
import importlib.util
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

import alignment.pipeline as pipeline
from alignment import Config
from alignment.embed import CachedEmbedder, MemoryCache, MiniLMEmbedder
from alignment.ingest import split_spans
from alignment.stance import EmbeddingStanceModel, read_in_context, select_stance_model
from alignment.training import (
    STANCE_CORPORA,
    LabelledPair,
    embed_training_rows,
    fit_polarity_ensemble,
    load_stance_pairs,
    most_similar_sentences,
    sentence_pieces,
    split_pairs,
)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"
WIDTH = 384
UNITS = 64
BATCH = 32
LAYER_RATE = 3e-5  # the tuned layer's AdamW learning rate; the head's is 1e-3
HEAD_RATE = 1e-3


@functools.cache
def load_module(name: str, path: Path) -> Any:
    """A sibling benchmark script as a module (they are scripts, not a package), loaded once per run."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Encoder:
    """The bundled MiniLM split before its last layer: the frozen part's output is computed once per text,
    and the last layer (frozen or tuned) turns it into a pooled, normalised vector."""

    def __init__(self, embedder: MiniLMEmbedder) -> None:
        model = embedder.load()
        self.transformer = model[0].auto_model.eval()
        self.tokenizer = model.tokenizer

    def last_layer_inputs(self, texts: Sequence[str], batch: int = 64) -> list[torch.Tensor]:
        """Each text's input to the last layer, one (tokens × 384) half-precision tensor per text."""
        found: list[torch.Tensor | None] = [None] * len(texts)
        order = np.argsort([len(text) for text in texts], kind="stable")
        for begin in range(0, len(texts), batch):
            rows = order[begin : begin + batch]
            encoded = self.tokenizer(
                [texts[i] for i in rows], padding=True, truncation=True, max_length=256, return_tensors="pt"
            )
            with torch.no_grad():
                states = self.transformer(**encoded, output_hidden_states=True).hidden_states[-2]
            for k, i in enumerate(rows):
                found[i] = states[k, : int(encoded["attention_mask"][k].sum())].to(torch.float16).clone()
        return [state for state in found if state is not None]

    def fresh_last_layer(self) -> torch.nn.Module:
        """A trainable copy of the model's last layer."""
        return copy.deepcopy(self.transformer.encoder.layer[-1])


def pooled(layer: torch.nn.Module, states: Sequence[torch.Tensor]) -> torch.Tensor:
    """Run the last layer over a padded batch, then mean-pool and normalise as sentence-transformers does."""
    length = max(state.shape[0] for state in states)
    inputs = torch.zeros(len(states), length, WIDTH)
    present = torch.zeros(len(states), length, dtype=torch.bool)
    for k, state in enumerate(states):
        inputs[k, : state.shape[0]] = state.float()
        present[k, : state.shape[0]] = True
    output = layer(inputs, present[:, None, None, :].expand(len(states), 1, length, length))
    output = output[0] if isinstance(output, tuple) else output
    weights = present.unsqueeze(-1).float()
    return torch.nn.functional.normalize((output * weights).sum(1) / weights.sum(1).clamp(min=1e-9), dim=1)


class PolarityHead(torch.nn.Module):
    """The shipped network's shape: [s, s·c, cos, c] → 64 ReLU units → the contradiction logit."""

    def __init__(self, units: int = UNITS) -> None:
        super().__init__()
        self.first = torch.nn.Linear(3 * WIDTH + 1, units)
        self.out = torch.nn.Linear(units, 1)

    def forward(self, claims: torch.Tensor, sentences: torch.Tensor) -> torch.Tensor:
        product = claims * sentences
        features = torch.cat([sentences, product, product.sum(1, keepdim=True), claims], 1)
        return self.out(torch.relu(self.first(features))).squeeze(1)

    def as_stance_model(self, shipped: EmbeddingStanceModel) -> EmbeddingStanceModel:
        """The shipped model (relevance, breach queries) with this head as its polarity network."""
        model = copy.copy(shipped)
        weights = np.zeros((self.out.weight.shape[1], 2), dtype=np.float32)
        weights[:, 1] = self.out.weight.detach().numpy()[0]
        model.hidden = (
            self.first.weight.detach().numpy().T.astype(np.float32),
            self.first.bias.detach().numpy().astype(np.float32),
        )
        model.weights = weights
        model.bias = np.array([0.0, float(self.out.bias.detach()[0])], dtype=np.float32)
        return model


def training_rows(embedder: MiniLMEmbedder, items: Sequence[LabelledPair]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Polar rows as make train builds them: each text whole, then each multi-sentence text's sentence most
    similar to its claim (read alone here: the tuned vectors are mixed with their neighbours only when read)."""
    claims = sorted({item.claim for item in items})
    vector_of = dict(zip(claims, embedder.encode(claims), strict=True))
    several = [k for k, item in enumerate(items) if len(split_spans(item.text, clauses=False)) > 1]
    texts = [items[k].text for k in several]
    flat, _ = sentence_pieces(texts, as_checked=False)
    _, _, _, best = most_similar_sentences(
        embedder, texts, np.stack([vector_of[items[k].claim] for k in several]), as_checked=False
    )
    rows = [item.text for item in items] + [flat[b] for b in best]
    owners = list(items) + [items[k] for k in several]
    claim_vectors = np.stack([vector_of[item.claim] for item in owners])
    targets = np.array([item.stance == "contradicts" for item in owners], dtype=np.float32)
    return rows, claim_vectors, targets


def fit(
    encoder: Encoder,
    states: Sequence[torch.Tensor],
    claim_vectors: np.ndarray,
    targets: np.ndarray,
    tune: bool,
    seed: int,
    epochs: int,
    keep_weight: float = 0.0,
) -> tuple[torch.nn.Module, PolarityHead]:
    """Train the head (and, with ``tune``, the last layer) by AdamW on length-bucketed, shuffled batches.

    With ``keep_weight``, the loss also charges ``keep_weight × (1 − cosine)`` between each text's tuned
    vector and its frozen one, so the tuned vectors stay near the ones matching was built on."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    layer, head = encoder.fresh_last_layer(), PolarityHead()
    frozen = encoder.fresh_last_layer().eval()
    groups: list[dict[str, Any]] = [{"params": head.parameters(), "lr": HEAD_RATE, "weight_decay": 1e-4}]
    if tune:
        layer.train()
        groups.append({"params": layer.parameters(), "lr": LAYER_RATE, "weight_decay": 0.01})
    else:
        layer.eval()
        for parameter in layer.parameters():
            parameter.requires_grad_(False)
    optimiser = torch.optim.AdamW(groups)
    claims, wanted = torch.tensor(claim_vectors), torch.tensor(targets)
    lengths = np.array([state.shape[0] for state in states])
    for _ in range(epochs):
        # Batches of similar length waste little on padding; their order is shuffled.
        order = np.argsort(lengths + rng.uniform(0, 6, len(lengths)), kind="stable")
        batches = [order[begin : begin + BATCH] for begin in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        for rows in batches:
            batch = [states[i] for i in rows]
            vectors = pooled(layer, batch)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(head(claims[rows], vectors), wanted[rows])
            if keep_weight:
                with torch.no_grad():
                    target = pooled(frozen, batch)
                loss = loss + keep_weight * (1 - (vectors * target).sum(1)).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    layer.eval()
    head.eval()
    return layer, head


class TunedVectors:
    """Texts → vectors through the frozen layers and ``layer``, remembered by text (an Embedder)."""

    model_id = "all-MiniLM-L6-v2, last layer tuned"

    def __init__(self, encoder: Encoder, layer: torch.nn.Module) -> None:
        self.encoder, self.layer = encoder, layer
        self.known: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        texts = list(texts)
        new = [text for text in dict.fromkeys(texts) if text not in self.known]
        for begin in range(0, len(new), 512):
            chunk = new[begin : begin + 512]
            states = self.encoder.last_layer_inputs(chunk)
            with torch.no_grad():
                vectors = torch.cat([pooled(self.layer, states[b : b + 64]) for b in range(0, len(states), 64)])
            self.known.update(zip(chunk, vectors.numpy(), strict=True))
        if not texts:
            return np.zeros((0, WIDTH), dtype=np.float32)
        return np.stack([self.known[text] for text in texts])


@dataclasses.dataclass(frozen=True)
class Reader:
    """One trained variant: a polarity head (``model``) reading ``tuned`` vectors, and, with
    ``tuned_claims``, the claims' tuned vectors too (otherwise the frozen ones)."""

    tuned: TunedVectors
    model: EmbeddingStanceModel
    tuned_claims: bool = False


def mean_logit(q: Sequence[np.ndarray]) -> np.ndarray:
    """Several readers' P(contradicts) joined as the mean of their logits (the shipped networks' way)."""
    clipped = np.clip(np.stack([np.asarray(v, dtype=np.float64) for v in q]), 1e-7, 1 - 1e-7)
    return np.asarray(1.0 / (1.0 + np.exp(-np.log(clipped / (1 - clipped)).mean(axis=0))))


@contextlib.contextmanager
def reading_with(readers: Sequence[Reader]) -> Iterator[None]:
    """check() with the bundled model's polarity read by ``readers`` (their logits averaged); everything
    else (matching, relevance, the lexicon baseline) as shipped. A benchmark-only patch of the pipeline's
    judging step."""
    plain = pipeline.judge_matches

    def judge(claim_texts, matches, sentence_texts, claim_vectors, sentence_vectors, chosen, reviews=None):
        if getattr(chosen, "name", "") != "bundled":
            return plain(claim_texts, matches, sentence_texts, claim_vectors, sentence_vectors, chosen, reviews)
        each = [
            plain(
                claim_texts,
                matches,
                sentence_texts,
                reader.tuned.encode(claim_texts) if reader.tuned_claims else claim_vectors,
                reader.tuned.encode(sentence_texts),
                reader.model,
                reviews,
            )
            for reader in readers
        ]
        joined = []
        for found in zip(*each, strict=True):
            first = found[0]
            relevance = first.p_supports + first.p_contradicts
            q = mean_logit([j.p_contradicts / np.maximum(j.p_supports + j.p_contradicts, 1e-12) for j in found])
            p = np.stack([relevance * (1 - q), relevance * q, first.p_neutral], axis=1).astype(np.float32)
            joined.append(
                dataclasses.replace(
                    first, p_supports=p[:, 0], p_contradicts=p[:, 1], label=p.argmax(1).astype(np.uint8)
                )
            )
        return joined

    pipeline.judge_matches = judge
    try:
        yield
    finally:
        pipeline.judge_matches = plain


def own_accuracy(embedder: MiniLMEmbedder, readers: Sequence[Reader], items: Sequence[LabelledPair]) -> float:
    """Polar accuracy of each text's sentence most similar to its claim (chosen by the frozen vectors, as a
    check matches), read in context from the tuned vectors (benchmarks/context_reading.py's measure)."""
    items = [item for item in items if item.stance != "neutral"]
    claims = sorted({item.claim for item in items})
    vector_of = dict(zip(claims, embedder.encode(claims), strict=True))
    claim_vectors = np.stack([vector_of[item.claim] for item in items])
    _, _, windows, best = most_similar_sentences(embedder, [item.text for item in items], claim_vectors)
    flat, _ = sentence_pieces([item.text for item in items])
    # A side is taken where P(contradicts | on aspect) passes one half, whatever the relevance.
    q = []
    for reader in readers:
        read = read_in_context(reader.tuned.encode(flat), windows, best)
        head_claims = reader.tuned.encode([item.claim for item in items]) if reader.tuned_claims else claim_vectors
        q.append(reader.model.contradiction_odds(head_claims, read))
    contradicts = np.array([item.stance == "contradicts" for item in items])
    return float(((mean_logit(q) > 0.5) == contradicts).mean())


def public_figures(
    airline: dict[str, Any], restaurants: dict[str, Any], clothing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The public figures a row reports, from quality.py's airline, restaurant and clothing results."""
    return (
        {}
        if clothing is None
        else {
            "clothing stance": clothing["stance_accuracy"],
            "clothing 1-2 / 4-5 stars": [clothing["stance_recall_negative"], clothing["stance_recall_positive"]],
            "clothing ECE": clothing["ece"],
        }
    ) | {
        "airline stance": airline["stance_accuracy"],
        "airline negative / positive": [airline["stance_recall_negative"], airline["stance_recall_positive"]],
        "airline AP": airline["mean_ap"],
        "airline ECE": airline["ece"],
        "restaurants stance": restaurants["stance_accuracy"],
        "restaurants AP": restaurants["mean_ap"],
        "restaurants ECE": restaurants["ece"],
    }


def measure(
    embedder: MiniLMEmbedder, readers: Sequence[Reader], shipped: EmbeddingStanceModel, public: bool
) -> dict[str, Any]:
    """Every set's figure for one trained variant (or several, their logits averaged)."""
    context = load_module("context_reading", Path(__file__).with_name("context_reading.py"))
    result: dict[str, Any] = {
        name: own_accuracy(embedder, readers, items) for name, items in context.own_sets().items()
    }
    cached = CachedEmbedder(embedder, MemoryCache())
    with reading_with(readers):
        demo = context.demo_reviews(shipped, cached, [0.5])
        result["demo"] = next(iter(demo.values()))["accuracy"]
        if public:
            quality = load_module("bench_quality", Path(__file__).with_name("quality.py"))
            airline = quality.bench_airlines(
                SHARED / "data" / "airline_tweets_dev.csv",
                SHARED / "eval" / "airline_claims_dev.json",
                Config(),
                cached,
            )
            restaurants = quality.bench_restaurants(
                SHARED / "data" / "semeval2014_restaurants_train.xml", Config(), cached
            )
            clothing = quality.bench_clothing(SHARED / "data" / "womens_clothing_reviews.csv", Config(), cached)
            result |= public_figures(airline, restaurants, clothing)
    return result


class TunedEverywhere(MiniLMEmbedder):
    """The bundled MiniLM with ``layer`` as its last layer: every vector a check computes (matching,
    relevance, stance, the claims') comes from it."""

    def __init__(self, layer: torch.nn.Module, name: str) -> None:
        super().__init__()
        self.layer, self.model_id = layer, f"all-MiniLM-L6-v2, last layer tuned ({name})"

    def load(self) -> Any:
        model = super().load()
        model[0].auto_model.encoder.layer[-1].load_state_dict(self.layer.state_dict())
        return model


def measure_everywhere(layer: torch.nn.Module, name: str, public: bool) -> dict[str, Any]:
    """``make train``'s whole stance recipe (polarity, relevance, breach map) refitted on the vectors of
    MiniLM with the tuned last layer, and every set read through that embedder alone, as a check would be
    if the tuned layer replaced the bundled one."""
    import tempfile

    from alignment.training import train

    context = load_module("context_reading", Path(__file__).with_name("context_reading.py"))
    embedder = CachedEmbedder(TunedEverywhere(layer, name), MemoryCache())
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "stance.npz"
        train(embedder, STANCE_CORPORA, out)
        model = EmbeddingStanceModel.load(out)
    weight = 0.5
    result: dict[str, Any] = {
        set_name: context.own_texts(model, embedder, items, [weight])[context.way_name(weight)]
        for set_name, items in context.own_sets().items()
    }
    demo = context.demo_reviews(model, embedder, [weight])[context.way_name(weight)]
    result |= {
        "demo": demo["accuracy"],
        "demo judged": demo["judged"],
        "demo breach (dropped calls, Coastal, from July 2025)": demo["dropped_calls_coastal_from_july_2025"],
    }
    if public:
        found = context.public_sets(SHARED, model, embedder, [weight])[context.way_name(weight)]
        airline, restaurants = found["airline"], found["restaurants"]
        result |= public_figures(airline, restaurants)
    return result


def with_shipped_recipe(tuned: TunedVectors, shipped: EmbeddingStanceModel) -> EmbeddingStanceModel:
    """The tuned layer kept, its head dropped, and the shipped polarity recipe fitted on the tuned vectors
    of claims and texts: make train's rows (texts whole and read in context) and its three networks."""
    items = [item for item in split_pairs(load_stance_pairs(STANCE_CORPORA))[0] if item.stance != "neutral"]
    claim_vectors, text_vectors, stances = embed_training_rows(tuned, items)
    model = copy.copy(shipped)
    model.hidden, model.weights, model.bias = fit_polarity_ensemble(claim_vectors, text_vectors, stances)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    """Train the control and the tuned variants, measure each, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--public", action="store_true", help="also measure on ../shared (never trained on)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument(
        "--keep-weight",
        type=float,
        default=0.0,
        help="for the everywhere row: how much the loss charges a tuned vector's drift from its frozen one",
    )
    rows = ("control", "tuned", "ensemble", "recipe", "recipe ensemble", "everywhere")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=rows,
        default=rows,
        help="the rows to measure: the control; each seed's tuned layer with its head; the seeds' heads "
        "averaged; the first seed's tuned layer with the shipped recipe on top; every seed's, averaged; "
        "the first seed's layer used for every vector, make train's stance recipe refitted on it",
    )
    args = parser.parse_args(argv)
    if args.public and not (SHARED / "data").is_dir():
        print(f"tuned_layer: {SHARED} has no data/ folder; run without --public.", file=sys.stderr)
        return 2
    torch.set_num_threads(2)
    started = time.time()
    embedder, shipped = MiniLMEmbedder(), select_stance_model("bundled")
    assert isinstance(shipped, EmbeddingStanceModel)
    encoder = Encoder(embedder)
    train_items = [item for item in split_pairs(load_stance_pairs(STANCE_CORPORA))[0] if item.stance != "neutral"]
    texts, claim_vectors, targets = training_rows(embedder, train_items)
    states = encoder.last_layer_inputs(texts)
    results: dict[str, Any] = {"training rows": len(texts), "contradicting share": float(targets.mean())}

    def report(name: str, readers: Sequence[Reader]) -> None:
        results[name] = measure(embedder, readers, shipped, args.public)
        print(name, json.dumps(results[name]), flush=True)

    if "control" in args.only:
        layer, head = fit(encoder, states, claim_vectors, targets, False, 0, 6)
        report(
            "frozen last layer (control), 6 epochs",
            [Reader(TunedVectors(encoder, layer), head.as_stance_model(shipped))],
        )
    heads, recipes = [], []
    for seed in args.seeds:
        if "everywhere" in args.only and seed == args.seeds[0]:
            layer, _ = fit(encoder, states, claim_vectors, targets, True, seed, args.epochs, args.keep_weight)
            name = f"seed {seed}, {args.epochs} epochs, drift weight {args.keep_weight:g}"
            results[f"tuned last layer for every vector, {name}"] = measure_everywhere(layer, name, args.public)
            print(name, json.dumps(results[f"tuned last layer for every vector, {name}"]), flush=True)
        if not set(args.only) - {"control", "everywhere"}:
            break
        layer, head = fit(encoder, states, claim_vectors, targets, True, seed, args.epochs)
        tuned = TunedVectors(encoder, layer)
        heads.append(Reader(tuned, head.as_stance_model(shipped)))
        if "tuned" in args.only:
            report(f"tuned last layer, seed {seed}, {args.epochs} epochs", heads[-1:])
        if "recipe ensemble" in args.only or ("recipe" in args.only and seed == args.seeds[0]):
            recipes.append(Reader(tuned, with_shipped_recipe(tuned, shipped), tuned_claims=True))
        if "recipe" in args.only and seed == args.seeds[0]:
            report(
                f"tuned last layer, seed {seed}, {args.epochs} epochs, then the shipped recipe on its vectors",
                recipes[-1:],
            )
    seeds = ", ".join(str(seed) for seed in args.seeds)
    if "ensemble" in args.only:
        report(f"tuned last layers of seeds {seeds}, {args.epochs} epochs, their heads' logits averaged", heads)
    if "recipe ensemble" in args.only:
        report(
            f"tuned last layers of seeds {seeds}, {args.epochs} epochs, each with the shipped recipe, averaged", recipes
        )
    results["seconds of the latest run"] = round(time.time() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    # Rows measured in another run (--only) are kept.
    path = RESULTS / "tuned_layer.json"
    earlier = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(json.dumps(earlier | results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
