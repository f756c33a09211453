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
``--rule list-split`` is another (not shipped): units are also cut at a comma, or an "and" after one, that
starts the next item of a list, with no cue word needed on either side (:func:`lists_another_item`).
About 30 s per run on 2 cores. Writes benchmarks/results/claims_cv.json, keeping other runs' rows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import alignment.claims as claims_module  # noqa: E402
from alignment.claims import (  # noqa: E402
    COMPONENT_NAME,
    ClaimFinder,
    ClaimSpanModel,
    load_claim_pipeline,
)
from alignment.training import (  # noqa: E402
    CLAIM_MATCH_JACCARD,
    CLAIMS_CORPORA,
    CLAIMS_TEST_CORPORA,
    claim_examples,
    fit_claim_model,
    word_jaccard,
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


def lists_another_item(token: Any, right_words: Sequence[Any]) -> bool:
    """The list-split rule (measured, not shipped): whether a comma, or an "and" right after one, starts the
    next item of a list: what stands before it is complete without what follows (no word of it hangs on a
    word after it, as an opening "Within a week," or "If it breaks," or a subject does), and both sides
    hold content words."""
    doc = token.doc
    if token.text.lower() == "and" and not (token.i > 0 and doc[token.i - 1].text == ","):
        return False  # a bare "and" joins two words of one phrase as often as two promises
    if token.text == "," and right_words[0].text.lower() == "and":
        return False  # the "and" after it starts the item
    start = token.sent.start
    before = [t for t in doc[start : token.i] if not t.is_punct and not t.is_space and t.dep_ != "cc"]
    if len(before) < 2 or any(t.head.i > token.i for t in before):
        return False
    near = doc[max(start, token.i - 4) : token.i]
    return any(t.pos_ in {"NOUN", "PROPN", "VERB", "NUM", "ADJ"} for t in near) and any(
        t.pos_ in {"NOUN", "PROPN", "VERB", "NUM"} for t in right_words[:5]
    )


def use_rule(rule: str) -> None:
    """Put the measured rule variant in place of the shipped one for this process (``shipped``: no change)."""
    if rule == "shipped":
        return
    shipped = claims_module._starts_new_promise

    def starts_new_promise(token: Any) -> bool:
        if shipped(token):
            return True
        if token.text.lower() not in {"and", ","}:
            return False
        sent = token.sent
        right = [t for t in token.doc[token.i + 1 : min(sent.end, token.i + 7)] if not t.is_punct and not t.is_space]
        if token.i - sent.start < 2 or len(right) < 2:
            return False
        after = token.doc[token.i + 1]
        # "fast, free delivery" is one promise, as in the shipped rule
        if token.text == "," and after.pos_ in {"ADJ", "ADV"} and any(t.pos_ in {"NOUN", "PROPN"} for t in right[1:3]):
            return False
        return lists_another_item(token, right)

    claims_module._starts_new_promise = starts_new_promise


def fit(classifier: str, features: np.ndarray, labels: np.ndarray) -> ClaimSpanModel:
    """The shipped recipe (``logistic``) or the measured alternative (``network``)."""
    return fit_claim_model(features, labels) if classifier == "logistic" else NetworkSpanModel(features, labels)


def score(predicted: dict[str, list[str]], gold: dict[str, list[str]]) -> dict[str, float]:
    """Precision, recall and F1 of predicted claim texts against gold ones, ad by ad, by the Jaccard rule."""
    correct = total = found = wanted = 0
    for ad_id, marked in gold.items():
        spans = predicted.get(ad_id, [])
        total += len(spans)
        correct += sum(1 for p in spans if any(word_jaccard(p, g) >= CLAIM_MATCH_JACCARD for g in marked))
        wanted += len(marked)
        found += sum(1 for g in marked if any(word_jaccard(p, g) >= CLAIM_MATCH_JACCARD for p in spans))
    precision = correct / total if total else 0.0
    recall = found / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": float(total), "gold": float(wanted)}


def fold_of(ad_id: str) -> int:
    """A fixed split of the ads into FOLDS groups (by a hash of the id, so it never depends on file order)."""
    return hashlib.sha256(ad_id.encode("utf-8")).digest()[0] % FOLDS


def cross_validate(classifier: str = "logistic", by_corpus: bool = False) -> dict[str, Any]:
    """Fit on the other folds, extract on each held-out fold, and score every fold's claims together (and,
    by corpus, each corpus on its own)."""
    items, corpus_of = [], {}
    for number, corpus in enumerate(CLAIMS_CORPORA):
        for item in read_ads(corpus):
            items.append(item)
            corpus_of[item["id"]] = number
    group_of = (lambda ad_id: corpus_of[ad_id]) if by_corpus else fold_of
    features, labels, groups = claim_examples()
    folds = np.array([group_of(group) for group in groups])
    nlp = load_claim_pipeline(use_model=False)
    docs = list(nlp.pipe(item["text"] for item in items))
    predicted: dict[str, list[str]] = {}
    for fold in sorted(set(folds.tolist())):
        finder = ClaimFinder(fit(classifier, features[folds != fold], labels[folds != fold]))
        for item, doc in zip(items, docs, strict=True):
            if group_of(item["id"]) == fold:
                predicted[item["id"]] = [span.text for span in finder(doc).spans["claims"]]
    gold = {item["id"]: [claim["text"] for claim in item["claims"]] for item in items}
    result: dict[str, Any] = score(predicted, gold) | {"ads": len(items)}
    if by_corpus:
        result["f1 by held-out corpus"] = {
            corpus.name: score(predicted, {k: v for k, v in gold.items() if corpus_of[k] == number})["f1"]
            for number, corpus in enumerate(CLAIMS_CORPORA)
        }
    return result


def read_ads(corpus: Path) -> list[dict[str, Any]]:
    """The annotated ads of one corpus file."""
    return [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_test_corpora(classifier: str) -> dict[str, Any]:
    """Claims of the never-trained-on test corpora, extracted with the classifier fitted on every training
    ad: all together and each corpus on its own."""
    features, labels, _ = claim_examples()
    finder = ClaimFinder(fit(classifier, features, labels))
    nlp = load_claim_pipeline(use_model=False)
    predicted: dict[str, list[str]] = {}
    gold: dict[str, dict[str, list[str]]] = {}
    for corpus in CLAIMS_TEST_CORPORA:
        items = read_ads(corpus)
        gold[corpus.name] = {item["id"]: [claim["text"] for claim in item["claims"]] for item in items}
        for item, doc in zip(items, nlp.pipe(item["text"] for item in items), strict=True):
            predicted[item["id"]] = [span.text for span in finder(doc).spans["claims"]]
    every = {ad: marked for by_ad in gold.values() for ad, marked in by_ad.items()}
    return score(predicted, every) | {
        "ads": len(every),
        "f1 by corpus": {name: score(predicted, by_ad)["f1"] for name, by_ad in gold.items()},
    }


def score_dev(classifier: str, path: Path = DEV) -> dict[str, float]:
    """benchmarks/quality.py's claim measure on the dev ads, with the classifier fitted on every project ad
    in place of the shipped one for the duration."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from quality import bench_claims

    features, labels, _ = claim_examples()
    component = load_claim_pipeline().get_pipe(COMPONENT_NAME)  # the pipeline extract_claims uses
    shipped = component.model
    component.model = fit(classifier, features, labels)
    try:
        return bench_claims(path)
    finally:
        component.model = shipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", choices=("logistic", "network"), default="logistic")
    parser.add_argument("--by-corpus", action="store_true", help="hold out each corpus in turn")
    parser.add_argument("--rule", choices=("shipped", "list-split"), default="shipped")
    parser.add_argument("--dev", action="store_true", help="also score ../shared/eval/claims_dev.jsonl")
    args = parser.parse_args(argv)
    use_rule(args.rule)
    if args.dev and not DEV.is_file():
        print(f"claims_cv: {DEV} is missing; run without --dev.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    name = args.classifier + (", by corpus" if args.by_corpus else f", {FOLDS} folds of ads")
    name += "" if args.rule == "shipped" else f", rule {args.rule}"
    result = cross_validate(args.classifier, args.by_corpus)
    result["test corpora"] = score_test_corpora(args.classifier)
    if args.dev:
        result["dev"] = score_dev(args.classifier)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(name, json.dumps(result, indent=2))
    earlier = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(earlier | {name: result}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
