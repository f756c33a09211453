"""Does weighing each sentence's stance by its review's star rating (`alignment.ratings`, on by default when
the reviews have ratings) read the side better than the text alone?

Two measures, each read three ways (everything else as shipped): the text alone (`--no-rating-prior`), the
ratings weighing the side only (`Config(rating_reader=False)`), and as shipped, where the words are also
read by a reader fitted on the dataset's own ratings (`alignment.ratings.read_by_ratings`):

- the demo reviews (`data/demo_reviews.csv`, no ../shared needed), against the topic and polarity
  `scripts/make_demo_data.py` wrote each review from, scored as `benchmarks/context_reading.py` scores them
  (each review's best-matching sentence per claim). The generator's ratings follow its reviews' polarity
  (a pure complaint is 1-3 stars, mixed reviews 2-4, 5% random), so this is the prior on the project's own
  idea of how ratings behave;
- with ../shared present, 720 sentences of the women's clothing reviews (rows 5,000-8,999 of
  `womens_clothing_reviews.csv`, never used elsewhere; the README's clothing row reads the first 5,000),
  matched to the README's three clothing claims and labelled by two annotators reading each sentence in its
  review without its rating (`benchmarks/labels/clothing_sentences.csv`: row, claim, the sentence's
  character span, the draw, each annotator's label; no review text). The sample was drawn from the
  readings of the text alone, one matched sentence per review and claim, in two draws: 80 from each
  rating band (1-2, 3, 4-5 stars), then 160 more from each. Accuracy is over the sentences both
  annotators read as supporting or contradicting, by band, by the annotators' side, and weighted by how
  often each band occurs among the check's readings; each reading also counts the sentences it reads
  right that the one before it read wrong ("mended") and the reverse ("broken"), and how well its
  P(contradicts | takes a side) is calibrated on them (expected calibration error, 10 bins, and log loss:
  the reader and the stance model read the same words, so their sum could be overconfident);
- with ../shared present, the quotes a marketer sees first: for each of the three claims and each side,
  the ten quotes `alignment.charts.top_quotes` puts first (the app's and the report's "strongest" quotes),
  checked against rows 9,000-12,999 of the clothing reviews (read by no other measure). The 95 distinct
  sentences the three readings quote were labelled by two annotators the same way, reading each in its
  review without its rating and without knowing which reading quoted it
  (`benchmarks/labels/clothing_quotes.csv`: row, claim, span, each annotator's label; no text). A quote
  counts as right when both annotators give it the side it is quoted for; a quote no annotator read (a
  model or rule that changed since) is counted apart, as "unlabelled".

Usage: .venv/bin/python benchmarks/rating_prior.py [--shared ../shared] (about 3 minutes on 2 cores)
Writes benchmarks/results/rating_prior.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from context_reading import DEMO_TOPICS, demo_mentions, score_demo

from alignment import Config, check
from alignment.charts import top_quotes
from alignment.embed import CachedEmbedder, Embedder, MemoryCache
from alignment.evaluate import calibration_error
from alignment.ingest import load_reviews
from alignment.pipeline import default_embedder
from alignment.ratings import HIGH, LOW, MIDDLE, rating_bands
from alignment.records import Ad
from alignment.report import Report

REPO = Path(__file__).resolve().parent.parent
LABELS = Path(__file__).resolve().parent / "labels" / "clothing_sentences.csv"
RESULTS = Path(__file__).resolve().parent / "results" / "rating_prior.json"
CLOTHING_CLAIMS = ("True to size", "Soft, comfortable fabric", "Looks just like the pictures")
CLOTHING_FIRST_ROW, CLOTHING_ROWS = 5000, 4000
QUOTE_LABELS = Path(__file__).resolve().parent / "labels" / "clothing_quotes.csv"
QUOTES_FIRST_ROW, QUOTES_ROWS, QUOTES_PER_SIDE = 9000, 4000, 10
BAND_NAMES = {LOW: "1-2 stars", MIDDLE: "3 stars", HIGH: "4-5 stars"}
READINGS = {
    "text alone": Config(rating_prior=False),
    "rating prior": Config(rating_reader=False),
    "rating prior and reader (shipped)": Config(),
}


def demo(embedder: Embedder) -> dict[str, Any]:
    """Stance accuracy on the demo reviews against the generator's topic polarity, prior off and on."""
    mentions = demo_mentions()
    reviews = load_reviews(REPO / "data" / "demo_reviews.csv", text_column="text", id_column="review_id")
    texts = [t for t in (REPO / "data" / "demo_ads.txt").read_text(encoding="utf-8").split("\n\n") if t.strip()]
    ads = [Ad(str(i), text) for i, text in enumerate(texts)]
    result: dict[str, Any] = {}
    for name, config in READINGS.items():
        report = check(ads, reviews, config, embedder=embedder)
        if len(report.claims) != len(DEMO_TOPICS):
            return {"error": f"the demo ads gave {len(report.claims)} claims, not {len(DEMO_TOPICS)}"}
        hits, total = score_demo(report, mentions)
        result[name] = {
            "accuracy": hits / total,
            "judged": total,
            "likelihood_ratio": None if report.rating_prior is None else report.rating_prior.to_dict(),
        }
    return result


def _clothing_rows(shared: Path, first: int, rows: int) -> pd.DataFrame:
    """Rows first .. first + rows - 1 of the clothing reviews that have text."""
    frame = pd.read_csv(
        shared / "data" / "womens_clothing_reviews.csv",
        dtype=str,
        keep_default_na=False,
        skiprows=range(1, first + 1),
        nrows=rows,
    )
    return frame[frame["Review Text"].str.strip() != ""].reset_index(drop=True)


def _check_clothing(frame: pd.DataFrame, config: Config, embedder: Embedder) -> Report:
    return check(
        None,
        frame,
        config,
        claims=list(CLOTHING_CLAIMS),
        text_column="Review Text",
        rating_column="Rating",
        id_column=str(frame.columns[0]),
        embedder=embedder,
    )


def quotes(shared: Path, embedder: Embedder) -> dict[str, Any]:
    """How many of the first quotes of each side the annotators read as taking that side, per reading."""
    frame = _clothing_rows(shared, QUOTES_FIRST_ROW, QUOTES_ROWS)
    labels = pd.read_csv(QUOTE_LABELS, dtype={"row": str})
    read = {
        (str(row), str(claim), int(start)): (str(a), str(b))
        for row, claim, start, a, b in zip(
            labels["row"], labels["claim"], labels["start"], labels["label_a"], labels["label_b"], strict=True
        )
    }
    result: dict[str, Any] = {
        "labelled": len(labels),
        "annotators_agree": float((labels.label_a == labels.label_b).mean()),
    }
    for name, config in READINGS.items():
        report = _check_clothing(frame, config, embedder)
        starts: dict[tuple[str, str], int] = {}
        for sentence in report.sentences:
            starts.setdefault((report.reviews[sentence.review_index].review_id, sentence.text), sentence.start)
        sides: dict[str, dict[str, int]] = {}
        for claim, found in zip(CLOTHING_CLAIMS, report.claims, strict=True):
            for stance in ("contradicts", "supports"):
                tally = sides.setdefault(stance, {"quotes": 0, "right": 0, "right_by_either": 0, "unlabelled": 0})
                for quote in top_quotes(report, found, stance, k=QUOTES_PER_SIDE):
                    labelled = read.get((quote.review.review_id, claim, starts[(quote.review.review_id, quote.text)]))
                    tally["quotes"] += 1
                    if labelled is None:
                        tally["unlabelled"] += 1
                        continue
                    tally["right"] += labelled[0] == labelled[1] == stance
                    tally["right_by_either"] += stance in labelled
        result[name] = {
            stance: {**tally, "precision": tally["right"] / max(tally["quotes"] - tally["unlabelled"], 1)}
            for stance, tally in sides.items()
        }
    return result


def clothing(shared: Path, embedder: Embedder) -> dict[str, Any]:
    """Accuracy on the hand-labelled clothing sentences, prior off and on, by rating band."""
    frame = _clothing_rows(shared, CLOTHING_FIRST_ROW, CLOTHING_ROWS)
    labels = pd.read_csv(LABELS, dtype={"row": str})
    agreed = labels[(labels.label_a == labels.label_b) & labels.label_a.isin(["supports", "contradicts"])]
    result: dict[str, Any] = {
        "sentences": len(labels),
        "annotators_agree": float((labels.label_a == labels.label_b).mean()),
        "agreed_polar": len(agreed),
        "agreed_neither": int(((labels.label_a == labels.label_b) & (labels.label_a == "neither")).sum()),
    }
    before: dict[tuple[str, str, int], bool] | None = None
    for name, config in READINGS.items():
        report = _check_clothing(frame, config, embedder)
        scored, hits = _score_clothing(report, agreed)
        if before is not None:
            scored["mended"] = sum(hit and not before.get(key, False) for key, hit in hits.items())
            scored["broken"] = sum(before.get(key, False) and not hit for key, hit in hits.items())
        result[name] = scored
        before = hits
    return result


def _score_clothing(report: Report, agreed: pd.DataFrame) -> tuple[dict[str, Any], dict[tuple[str, str, int], bool]]:
    """Accuracy on the agreed sentences by band, by side, and weighted by each band's share of the readings;
    with whether each sentence was read right."""
    bands = rating_bands([review.rating for review in report.reviews])
    # (row, claim, start) -> (P(contradicts | takes a side), band)
    side: dict[tuple[str, str, int], tuple[float, int]] = {}
    share = dict.fromkeys(BAND_NAMES, 0)
    for claim, found in zip(CLOTHING_CLAIMS, report.claims, strict=True):
        seen: set[int] = set()
        for judgement in found.judgements:
            sentence = report.sentences[judgement.sentence_index]
            review = report.reviews[sentence.review_index]
            band = int(bands[sentence.review_index])
            polar = judgement.p_contradicts + judgement.p_supports
            side[(review.review_id, claim, sentence.start)] = (judgement.p_contradicts / max(polar, 1e-12), band)
            if judgement.stance != "neutral" and sentence.review_index not in seen and band in share:
                seen.add(sentence.review_index)
                share[band] += 1
    by_band: dict[int, list[bool]] = {band: [] for band in BAND_NAMES}
    by_side: dict[str, list[bool]] = {"contradicts": [], "supports": []}
    hits: dict[tuple[str, str, int], bool] = {}
    predicted: list[float] = []
    outcomes: list[bool] = []
    missing = 0
    for row, claim_text, start, label in zip(
        agreed["row"], agreed["claim"], agreed["start"], agreed["label_a"], strict=True
    ):
        key = (str(row), str(claim_text), int(start))
        reading = side.get(key)
        if reading is None:
            missing += 1
            continue
        q, band = reading
        hit = (q > 0.5) == (label == "contradicts")
        predicted.append(q)
        outcomes.append(label == "contradicts")
        by_band[band].append(hit)
        by_side[str(label)].append(hit)
        hits[key] = hit
    accuracy = {BAND_NAMES[b]: sum(hits) / len(hits) for b, hits in by_band.items() if hits}
    total = sum(share[b] for b in by_band if by_band[b])
    weighted = sum(accuracy[BAND_NAMES[b]] * share[b] / total for b in by_band if by_band[b])
    every = [hit for hits in by_band.values() for hit in hits]
    clipped = np.clip(np.asarray(predicted), 1e-6, 1 - 1e-6)
    truth = np.asarray(outcomes)
    return {
        "accuracy": sum(every) / len(every),
        "accuracy_weighted_by_band": weighted,
        "by_band": accuracy,
        "by_side": {name: sum(found) / len(found) for name, found in by_side.items() if found},
        "judged": len(every),
        "calibration_error": calibration_error(predicted, outcomes),
        "log_loss": float(-np.mean(np.where(truth, np.log(clipped), np.log(1 - clipped)))),
        "not_matched": missing,
        "band_share": {BAND_NAMES[b]: n for b, n in share.items()},
        "likelihood_ratio": None if report.rating_prior is None else report.rating_prior.to_dict(),
    }, hits


def main(argv: list[str] | None = None) -> int:
    """Measure both sets (the clothing one only with ../shared) and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared data folder")
    args = parser.parse_args(argv)
    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    results: dict[str, Any] = {"demo reviews": demo(embedder)}
    print("demo reviews", json.dumps(results["demo reviews"]), flush=True)
    if (args.shared / "data" / "womens_clothing_reviews.csv").exists():
        results["clothing sentences"] = clothing(args.shared, embedder)
        print("clothing sentences", json.dumps(results["clothing sentences"]), flush=True)
        results["clothing quotes"] = quotes(args.shared, embedder)
        print("clothing quotes", json.dumps(results["clothing quotes"]), flush=True)
    else:
        print(f"{args.shared}/data is absent: the clothing measure needs ../shared; only the demo was measured.")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
