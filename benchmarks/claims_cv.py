"""Claim extraction on the project's own annotated ads, end to end, on ads the classifier never saw.

Each fold fits the span classifier on the other ads of ``data/claims_train*.jsonl`` and extracts claims
from its held-out ads exactly as ``extract_claims`` does (units, rules, the classifier's choice, the span
extensions). Held-out claims are scored by the rule in ``../shared/data/README.md`` (word-set Jaccard
>= 0.4; one annotator here, so precision and recall are both against it). Folds are either five fixed
groups of ads (by a hash of the id) or, with ``--by-corpus``, each of the four corpora held out in turn
(other writing: plain ads, social posts, web and radio copy). Every run also scores the never-trained-on
test corpora ``data/claims_test_real_*.jsonl`` (ad copy written the way real ads are: long social posts,
sponsored posts, slogans, shop promotions) with the classifier fitted on every training ad. This is the
project's own yardstick for a change to claim extraction; ``--dev`` also scores
``../shared/eval/claims_dev.jsonl`` the same way (read only, never trained on).

    .venv/bin/python benchmarks/claims_cv.py                           # the shipped logistic regression
    .venv/bin/python benchmarks/claims_cv.py --classifier network --by-corpus --dev

``--classifier network`` is a measured alternative, not shipped: three networks of one hidden layer of 64
ReLU units (L2 1.0, early stopping, seeds 0-2), their logits averaged, over the same features.
``--rule cue-only`` measures the rule shipped before the list split (units cut at "," or "and" only where
both sides carry a cue word; no list split, no predicate split); ``--rule no-predicate-split`` and ``--rule
no-attachment`` turn off one rule of 2026-11-30, evening, each. ``--refits N`` refits the classifier on N
fixed nine-tenths of the training ads and reports the spread of the test-corpora (and, with ``--dev``, dev)
F1: how much of a difference between two recipes is the luck of one fit. ``--train-also FILE ...`` adds
annotated ads to the training ads of every fit (the story-led ads were measured this way and are not
trained on). About 30 s per run on 2 cores (a minute with ``--refits 12``). Writes
benchmarks/results/claims_cv.json, keeping other runs' rows.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import bench_claims  # noqa: E402

import alignment.claims as claims_module  # noqa: E402
from alignment.claims import (  # noqa: E402
    COMPONENT_NAME,
    POSSIBLE_KEY,
    SPAN_KEY,
    ClaimFinder,
    ClaimSpanModel,
    load_claim_pipeline,
    text_to_parse,
)
from alignment.evaluate import (  # noqa: E402
    MarkedClaim,
    marked_claim_labels,
    score_claim_texts,
    score_possible_claims,
)
from alignment.training import (  # noqa: E402
    CLAIMS_CORPORA,
    CLAIMS_TEST_CORPORA,
    claim_examples,
    fit_claim_model,
    read_annotated_ads,
)

RESULTS = ROOT / "benchmarks" / "results" / "claims_cv.json"
DEV = ROOT.parent / "shared" / "eval" / "claims_dev.jsonl"
FOLDS = 5


class NetworkSpanModel(ClaimSpanModel):
    """The span classifier as networks of one hidden ReLU layer, their logits averaged (not shipped)."""

    def __init__(self, features: np.ndarray, labels: np.ndarray, seeds: Sequence[int] = (0, 1, 2)) -> None:
        from sklearn.neural_network import MLPClassifier

        mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-6
        super().__init__(np.zeros(features.shape[1]), 0.0, mean, scale)
        self.networks = [
            MLPClassifier(
                hidden_layer_sizes=(64,), alpha=1.0, max_iter=300, early_stopping=True, random_state=seed
            ).fit((features - mean) / scale, labels)
            for seed in seeds
        ]

    def read(self, features: np.ndarray) -> np.ndarray:
        scaled = (features - self.mean) / self.scale
        logits = []
        for network in self.networks:
            hidden = np.maximum(scaled @ network.coefs_[0] + network.intercepts_[0], 0.0)
            logits.append((hidden @ network.coefs_[1] + network.intercepts_[1])[:, 0])
        return np.asarray(1.0 / (1.0 + np.exp(-np.mean(logits, axis=0))))


RULES = ("shipped", "cue-only", "no-predicate-split", "no-attachment")


def use_rule(rule: str) -> None:
    """Put the measured rule variant in place of the shipped one for this process (``shipped``: no change).
    ``cue-only`` is the rule before 2026-11-30: units are cut at "," or "and" only where both sides carry a
    cue word, never between the items of a list or between two predicates. ``no-predicate-split`` and
    ``no-attachment`` turn off one rule of 2026-11-30, evening, each (a bare "and" between two complete
    predicates; a chosen phrase getting back what it attaches to), so each can be compared with what ships,
    paired by refit."""
    if rule in ("cue-only", "no-predicate-split"):
        claims_module._joins_two_predicates = lambda token: False  # type: ignore[assignment]
    if rule == "cue-only":
        claims_module._lists_another_item = lambda token, right_words: False  # type: ignore[assignment]
    if rule == "no-attachment":
        claims_module._extend_to_attachment = lambda span, unit: span  # type: ignore[assignment]


def fit(classifier: str, features: np.ndarray, labels: np.ndarray) -> ClaimSpanModel:
    """The shipped recipe (``logistic``) or the measured alternative (``network``)."""
    return fit_claim_model(features, labels) if classifier == "logistic" else NetworkSpanModel(features, labels)


def score(predicted: dict[str, list[str]], gold: dict[str, list[str]]) -> dict[str, float]:
    """Precision, recall and F1 of predicted claim texts against gold ones, ad by ad, by the Jaccard rule
    (one annotator here, so precision and recall are both against its claims)."""
    return score_claim_texts((predicted.get(ad_id, []), marked, marked) for ad_id, marked in gold.items())


def score_possible(
    predicted: dict[str, list[str]], possible: dict[str, list[str]], gold: dict[str, list[str]]
) -> dict[str, float]:
    """The possible claims offered beside the extracted ones, scored as `alignment evaluate claims` scores
    them (one annotator here)."""
    return score_possible_claims(
        (predicted.get(ad_id, []), possible.get(ad_id, []), marked, marked) for ad_id, marked in gold.items()
    )


def fold_of(ad_id: str) -> int:
    """A fixed split of the ads into FOLDS groups (by a hash of the id, so it never depends on file order)."""
    return hashlib.sha256(ad_id.encode("utf-8")).digest()[0] % FOLDS


Examples = tuple[np.ndarray, np.ndarray, list[str]]  # claim_examples(): features, labels, ad id of each


def cross_validate(classifier: str, by_corpus: bool, corpora: Sequence[Path], examples: Examples) -> dict[str, Any]:
    """Fit on the other folds, extract on each held-out fold, and score every fold's claims together (and,
    by corpus, each corpus on its own). ``examples`` are ``claim_examples(corpora)``."""
    items, corpus_of = [], {}
    for number, corpus in enumerate(corpora):
        for item in read_annotated_ads(corpus):
            items.append(item)
            corpus_of[item["id"]] = number
    group_of = (lambda ad_id: corpus_of[ad_id]) if by_corpus else fold_of
    features, labels, groups = examples
    folds = np.array([group_of(group) for group in groups])
    nlp = load_claim_pipeline(use_model=False)
    docs = list(nlp.pipe(text_to_parse(item["text"]) for item in items))
    predicted: dict[str, list[str]] = {}
    possible: dict[str, list[str]] = {}
    for fold in sorted(set(folds.tolist())):
        finder = ClaimFinder(fit(classifier, features[folds != fold], labels[folds != fold]))
        for item, doc in zip(items, docs, strict=True):
            if group_of(item["id"]) == fold:
                read = finder(doc)
                predicted[item["id"]] = [span.text for span in read.spans[SPAN_KEY]]
                possible[item["id"]] = [span.text for span in read.spans[POSSIBLE_KEY]]
    gold = {item["id"]: [claim["text"] for claim in item["claims"]] for item in items}
    result: dict[str, Any] = score(predicted, gold) | {"ads": len(items)}
    result["possible claims"] = score_possible(predicted, possible, gold)
    if by_corpus:
        result["f1 by held-out corpus"] = {
            corpus.name: score(predicted, {k: v for k, v in gold.items() if corpus_of[k] == number})["f1"]
            for number, corpus in enumerate(corpora)
        }
    return result


@functools.cache
def parsed_test_corpora() -> list[tuple[str, list[dict[str, Any]], list[Doc]]]:
    """Each test corpus's name, ads and parsed Docs, parsed once per process (every refit reads them)."""
    nlp = load_claim_pipeline(use_model=False)
    found = []
    for corpus in CLAIMS_TEST_CORPORA:
        items = read_annotated_ads(corpus)
        found.append((corpus.name, items, list(nlp.pipe(text_to_parse(item["text"]) for item in items))))
    return found


def score_test_corpora(model: ClaimSpanModel) -> dict[str, Any]:
    """Claims of the never-trained-on test corpora extracted with ``model``: all together and each corpus
    on its own."""
    finder = ClaimFinder(model)
    predicted: dict[str, list[str]] = {}
    possible: dict[str, list[str]] = {}
    gold: dict[str, dict[str, list[str]]] = {}
    for name, items, docs in parsed_test_corpora():
        gold[name] = {item["id"]: [claim["text"] for claim in item["claims"]] for item in items}
        for item, doc in zip(items, docs, strict=True):
            read = finder(doc)
            predicted[item["id"]] = [span.text for span in read.spans[SPAN_KEY]]
            possible[item["id"]] = [span.text for span in read.spans[POSSIBLE_KEY]]
    every = {ad: marked for by_ad in gold.values() for ad, marked in by_ad.items()}
    marked = (
        (doc, [MarkedClaim(c["text"], c.get("type", ""), c.get("aspect", "")) for c in item["claims"]])
        for _, items, docs in parsed_test_corpora()
        for item, doc in zip(items, docs, strict=True)
    )
    return score(predicted, every) | {
        "ads": len(every),
        "possible claims": score_possible(predicted, possible, every),
        "f1 by corpus": {name: score(predicted, by_ad)["f1"] for name, by_ad in gold.items()},
        "marked claims labelled as annotated": marked_claim_labels(marked),
    }


def score_dev(model: ClaimSpanModel, path: Path = DEV) -> dict[str, float | None]:
    """benchmarks/quality.py's claim measure on the dev ads, with ``model`` in place of the shipped
    classifier for the duration."""
    # the pipeline extract_claims uses; its COMPONENT_NAME component is the ClaimFinder its factory builds
    component = cast(ClaimFinder, load_claim_pipeline().get_pipe(COMPONENT_NAME))
    shipped = component.model
    component.model = model
    try:
        return bench_claims(path)
    finally:
        component.model = shipped


def refit_spread(classifier: str, refits: int, dev: bool, examples: Examples) -> dict[str, Any]:
    """F1 on the test corpora (and dev) of ``refits`` classifiers, each fitted on a fixed nine-tenths of
    the training ads (by a seeded hash of the ad id): the spread one recipe shows from the luck of its fit."""
    features, labels, groups = examples
    ads = np.array(groups)
    found: dict[str, list[float]] = {"test corpora": [], "dev": []}
    for seed in range(refits):
        keep = np.array([hashlib.sha256(f"{seed}:{ad}".encode()).digest()[0] >= 26 for ad in ads])
        model = fit(classifier, features[keep], labels[keep])
        found["test corpora"].append(score_test_corpora(model)["f1"])
        if dev:
            dev_f1 = score_dev(model)["f1"]
            assert dev_f1 is not None  # bench_claims' "f1" is ClaimEvaluation.f1, always a float
            found["dev"].append(dev_f1)
    return {
        name: {"mean": float(np.mean(f1)), "sd": float(np.std(f1)), "min": min(f1), "max": max(f1), "f1": f1}
        for name, f1 in found.items()
        if f1
    }


def paired(variant: dict[str, Any], shipped: dict[str, Any]) -> dict[str, Any]:
    """A rule variant's refits against the shipped rule's (the same subsamples, in the same order, from an
    earlier run of the same row without ``--rule``): the mean difference of F1, and in how many refits the
    variant reads better."""
    found = {}
    for where in variant:
        if where in shipped and len(shipped[where]["f1"]) == len(variant[where]["f1"]):
            difference = np.array(variant[where]["f1"]) - np.array(shipped[where]["f1"])
            found[where] = {"mean difference": float(difference.mean()), "better in": int((difference > 0).sum())}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", choices=("logistic", "network"), default="logistic")
    parser.add_argument("--by-corpus", action="store_true", help="hold out each corpus in turn")
    parser.add_argument("--rule", choices=RULES, default="shipped")
    parser.add_argument("--dev", action="store_true", help="also score ../shared/eval/claims_dev.jsonl")
    parser.add_argument("--refits", type=int, default=0, help="refit on N nine-tenths of the ads (spread)")
    parser.add_argument("--train-also", type=Path, nargs="+", default=[], help="more annotated ads to train on")
    args = parser.parse_args(argv)
    use_rule(args.rule)
    if args.dev and not DEV.is_file():
        print(f"claims_cv: {DEV} is missing; run without --dev.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    name = args.classifier + (", by corpus" if args.by_corpus else f", {FOLDS} folds of ads")
    name += "" if args.rule == "shipped" else f", rule {args.rule}"
    name += "".join(f", + {path.name}" for path in args.train_also)
    corpora = (*CLAIMS_CORPORA, *args.train_also)
    examples = claim_examples(corpora)
    result = cross_validate(args.classifier, args.by_corpus, corpora, examples)
    model = fit(args.classifier, examples[0], examples[1])  # fitted on every training ad, as `make train` does
    result["test corpora"] = score_test_corpora(model)
    if args.dev:
        result["dev"] = score_dev(model)
    if args.refits:
        result["refits"] = refit_spread(args.classifier, args.refits, args.dev, examples)
    earlier = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    shipped = earlier.get(name.replace(f", rule {args.rule}", ""), {}).get("refits")
    if args.rule != "shipped" and args.refits and shipped:
        result["paired with the shipped rule"] = paired(result["refits"], shipped)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(name, json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(earlier | {name: result}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
