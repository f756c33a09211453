"""Quality benchmark on the public evaluation data in ../shared (never trained on): `make bench-quality`.

(a) claim extraction P/R/F1 on eval/claims_dev.jsonl; (b) airline claims: mean AP of contradicting
tweets and stance accuracy; (c) restaurants: AP of a category's negative sentences and aspect stance
accuracy; (d) baselines in the same run: cosine similarity alone and the VADER lexicon; (e) another industry:
stance on women's clothing reviews against their star rating.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import cast

import pandas as pd

from alignment import Config
from alignment.embed import CachedEmbedder, MemoryCache
from alignment.evaluate import EvidenceEvaluation, evaluate_claims, evaluate_evidence, read_marked_ads
from alignment.pipeline import default_embedder
from alignment.stance import StanceModel

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"
AIRLINES = ("United", "American", "US Airways")
AIRLINE_MIN_RELEVANT = 10  # the data README's rule: (airline, claim) pairs with at least 10 such tweets
# (e) Another industry and other writers: three claims a clothing shop might make, written once and not
# changed after, read against the first CLOTHING_ROWS rows of the women's clothing reviews.
CLOTHING_CLAIMS = ("True to size", "Soft, comfortable fabric", "Looks just like the pictures")
CLOTHING_ROWS = 5000
RESTAURANT_CLAIMS = {
    "food": "Delicious, fresh food made with care.",
    "service": "Friendly, attentive service every time.",
    "price": "Great value for money at fair prices.",
    "ambience": "A cozy, pleasant atmosphere.",
}


def bench_claims(path: Path) -> dict[str, float | None]:
    """(a) Precision against either annotator, recall over claims both marked, F1; and the type and aspect
    read from each annotator's marked claims against theirs."""
    result = evaluate_claims(read_marked_ads(path))
    labels: dict[str, float | None] = {}
    for who, typed, named, typed_baseline, named_baseline in zip(
        "ab", result.type_agreement, result.aspect_agreement, result.type_baseline, result.aspect_baseline, strict=True
    ):
        labels |= {f"type_agreement_{who}": typed, f"aspect_agreement_{who}": named}
        labels |= {f"type_baseline_{who}": typed_baseline, f"aspect_baseline_{who}": named_baseline}
    # where extraction misses, by the kind of promise (annotator a's type of the claims both marked)
    for kind, (found, marked) in result.recall_by_type.items():
        labels |= {f"recall_{kind}": found / marked, f"marked_{kind}": marked}
    # the phrases offered to check by hand (find_possible_claims): how many, how many right, what they recover
    labels |= {
        f"possible_{name}": result.possible[name] for name in ("ads", "offered", "offered_right", "missed", "recovered")
    }
    return {
        "precision": result.precision,
        "recall": result.recall,
        "f1": result.f1,
        "exact": result.exact,
        "predicted": result.extracted,
        "gold_agreed": result.marked,  # recall is over the claims both annotators marked
        "f1_every_sentence": result.sentence_baseline["f1"],
    } | labels


def evidence_figures(result: EvidenceEvaluation) -> dict[str, object]:
    """An evaluation's figures under the names quality.json has used: stance and calibration for alignment
    and the lexicon; with rankings, AP and the first ten for the cosine baseline too."""
    judges = result.judges
    alignment, lexicon = judges["alignment"], judges["lexicon"]
    figures: dict[str, object] = {}
    if alignment.mean_ap is not None:
        figures |= {
            "mean_ap": alignment.mean_ap,
            "mean_ap_cosine": judges["cosine"].mean_ap,
            "mean_ap_lexicon": lexicon.mean_ap,
            "precision_at_10": alignment.first_ten,
            "precision_at_10_cosine": judges["cosine"].first_ten,
            "precision_at_10_lexicon": lexicon.first_ten,
        }
    return figures | {
        "stance_accuracy": alignment.accuracy,
        "stance_accuracy_lexicon": lexicon.accuracy,
        "stance_pairs": alignment.pairs,
        # accuracy within each side: most matched tweets are complaints, so accuracy alone rewards reading
        # everything as a contradiction
        "stance_recall_negative": alignment.on_contradicting,
        "stance_recall_positive": alignment.on_supporting,
        "ece": alignment.calibration_error,
        "ece_lexicon": lexicon.calibration_error,
        # matching against the about column: what AP is bounded by (precision only with labels per claim)
        "match_recall": alignment.match_recall,
        "match_recall_cosine": judges["cosine"].match_recall,
        "match_precision": alignment.match_precision,
        "match_precision_cosine": judges["cosine"].match_precision,
    }


def airline_labels(tweets: pd.DataFrame, reasons: list[str]) -> pd.DataFrame:
    """Every airline's tweets for `alignment evaluate evidence`: label = the tweet's sentiment, about = the
    number of the claim its complaint reason names (blank for "Can't Tell" and for praise)."""
    number = {reason: str(i) for i, reason in enumerate(reasons, 1)}
    # airline by airline (the groups are checked in the order they first appear): the dev file's three in
    # AIRLINES' order, as the README's figures were measured, then any other in its file's order
    present = list(dict.fromkeys(tweets["airline"]))
    order = [airline for airline in AIRLINES if airline in present]
    order += [airline for airline in present if airline not in order]
    frame = pd.concat([tweets[tweets["airline"] == airline] for airline in order])
    return pd.DataFrame(
        {
            "tweet_id": frame["tweet_id"],
            "text": frame["text"],
            "airline": frame["airline"],
            "label": frame["airline_sentiment"],
            "about": [number.get(reason, "") for reason in frame["negativereason"]],
        }
    )


def bench_airlines(
    tweets_path: Path, claims_path: Path, config: Config, embedder: CachedEmbedder, bundled: StanceModel | None = None
) -> dict[str, object]:
    """(b) Mean AP of contradicting tweets per (airline, claim) with at least AIRLINE_MIN_RELEVANT of them,
    and stance accuracy on the matched polar tweets, with baselines: `alignment evaluate evidence` with each
    airline's tweets checked apart. ``bundled`` replaces the shipped stance model
    (benchmarks/context_reading.py compares readings)."""
    tweets = pd.read_csv(tweets_path, dtype=str, keep_default_na=False)
    claims: dict[str, str] = json.loads(claims_path.read_text(encoding="utf-8"))
    result = evaluate_evidence(
        list(claims.values()),
        airline_labels(tweets, list(claims)),
        "label",
        "about",
        config,
        text_column="text",
        id_column="tweet_id",
        embedder=embedder,
        stance_model=bundled,
        group_column="airline",
        min_relevant=AIRLINE_MIN_RELEVANT,
    )
    return evidence_figures(result) | {
        "pairs": result.judges["alignment"].ranked,
        "precision_at_10_complaints": result.judges["alignment"].first_ten_contradicting,
    }


def read_restaurants(path: Path) -> pd.DataFrame:
    """SemEval-2014 restaurant sentences with their aspect categories and polarities."""
    rows = []
    for sentence in ET.parse(path).getroot().iter("sentence"):
        categories = {c.get("category"): c.get("polarity") for c in sentence.iter("aspectCategory")}
        rows.append({"id": sentence.get("id"), "text": sentence.findtext("text") or "", "categories": categories})
    return pd.DataFrame(rows)


def restaurant_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """The sentences in the long format of labels per claim: a row per sentence and claim category it has
    (about: the claim's number, label: the category's polarity), and a blank row for a sentence with none."""
    rows = []
    for sentence in frame.itertuples(index=False):
        # read_restaurants' categories: the aspectCategory elements' category -> polarity attributes
        categories = cast(dict[str | None, str | None], sentence.categories)
        about: list[tuple[int | str, str | None]] = [
            (number, categories[c]) for number, c in enumerate(RESTAURANT_CLAIMS, 1) if c in categories
        ]
        for number, polarity in about or [("", "")]:
            rows.append({"id": sentence.id, "text": sentence.text, "about": str(number), "label": polarity})
    return pd.DataFrame(rows)


def bench_restaurants(
    path: Path, config: Config, embedder: CachedEmbedder, bundled: StanceModel | None = None
) -> dict[str, object]:
    """(c) AP of each category's negative sentences by p_contradicts, and aspect stance accuracy on the
    matched sentences with a polar label for that category: `alignment evaluate evidence` with labels per
    claim. ``bundled`` replaces the shipped stance model, as in :func:`bench_airlines`."""
    result = evaluate_evidence(
        list(RESTAURANT_CLAIMS.values()),
        restaurant_labels(read_restaurants(path)),
        "label",
        "about",
        config,
        text_column="text",
        id_column="id",
        embedder=embedder,
        stance_model=bundled,
        labels_per_claim=True,
    )
    by_category = zip(RESTAURANT_CLAIMS, result.claims, strict=True)
    return {f"ap_{category}": claim.average_precision["alignment"] for category, claim in by_category} | (
        evidence_figures(result)
    )


def bench_clothing(path: Path, config: Config, embedder: CachedEmbedder) -> dict[str, object]:
    """(e) Stance on clothing reviews against each review's star rating (1-2 of 5 contradicts, 4-5 supports),
    with the lexicon baseline: a review-level label, so a proxy for the claim's side (a review that praises
    the fabric and faults the fit has one rating for both claims)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=CLOTHING_ROWS)
    result = evaluate_evidence(
        CLOTHING_CLAIMS, frame, "Rating", config=config, text_column="Review Text", embedder=embedder
    )
    return {"reviews": result.reviews, "matched_reviews": result.matched_reviews} | evidence_figures(result)


def main(argv: list[str] | None = None) -> int:
    """Run every measure and print a table; results also go to benchmarks/results/quality.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding data/ and eval/")
    # Other files of the same kinds (another airline's tweets, other annotated ads) in place of the dev files.
    for option, default, text in (
        ("--marked-ads", "eval/claims_dev.jsonl", "annotated ads for (a)"),
        ("--airline-tweets", "data/airline_tweets_dev.csv", "tweets for (b), every airline in the file"),
        ("--airline-claims", "eval/airline_claims_dev.json", "one claim per complaint reason for (b)"),
    ):
        parser.add_argument(option, type=Path, metavar="FILE", help=f"{text} (default: SHARED/{default})")
    args = parser.parse_args(argv)
    if not (args.shared / "data").is_dir() or not (args.shared / "eval").is_dir():
        print(
            f"bench-quality: {args.shared} has no data/ and eval/ folders; it needs the shared evaluation data.",
            file=sys.stderr,
        )
        return 2
    started = time.time()
    config = Config()
    embedder = CachedEmbedder(default_embedder(), MemoryCache())
    # each measure keeps its own type for the table below; run in the same order as before
    c = bench_claims(args.marked_ads or args.shared / "eval" / "claims_dev.jsonl")
    a = bench_airlines(
        args.airline_tweets or args.shared / "data" / "airline_tweets_dev.csv",
        args.airline_claims or args.shared / "eval" / "airline_claims_dev.json",
        config,
        embedder,
    )
    r = bench_restaurants(args.shared / "data" / "semeval2014_restaurants_train.xml", config, embedder)
    w = bench_clothing(args.shared / "data" / "womens_clothing_reviews.csv", config, embedder)
    results = {
        "claims": c,
        "airlines": a,
        "restaurants": r,
        "clothing": w,
        "config": config.to_dict(),
        "seconds": round(time.time() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("| measure | alignment | baselines in the same run | target |")
    print("|---|---|---|---|")
    print(
        f"| claim extraction F1 (P {c['precision']:.2f}, R {c['recall']:.2f}; {c['exact']:.2f} of the claims with "
        f"exactly a marked claim's words) | {c['f1']:.3f} | every sentence a claim {c['f1_every_sentence']:.3f} "
        "| ≥ 0.85 |"
    )
    print(
        f"| claim type of the marked claims, as each annotator typed them (a / b) | {c['type_agreement_a']:.2f} / "
        f"{c['type_agreement_b']:.2f} | the annotator's most common type {c['type_baseline_a']:.2f} / "
        f"{c['type_baseline_b']:.2f} | – |"
    )
    print(
        f"| possible claims offered beside the extracted ones (scored just under the bar) | {c['possible_offered']:.0f} "
        f"in {c['possible_ads']:.0f} ads, {c['possible_offered_right']:.0f} of them a marked claim; they hold {c['possible_recovered']:.0f} "
        f"of the {c['possible_missed']:.0f} claims missed | – | – |"
    )
    by_type = [kind.removeprefix("marked_") for kind in c if kind.startswith("marked_")]
    print(
        "| claim recall by type of the claims both marked, as annotator a typed them | "
        + ", ".join(f"{kind} {c[f'recall_{kind}']:.2f} of {c[f'marked_{kind}']:.0f}" for kind in by_type)
        + " | – | – |"
    )
    print(
        f"| claim aspect sharing a word with each annotator's (a / b) | {c['aspect_agreement_a']:.2f} / "
        f"{c['aspect_agreement_b']:.2f} | the claim's head word {c['aspect_baseline_a']:.2f} / "
        f"{c['aspect_baseline_b']:.2f} | – |"
    )
    print(
        f"| airline mean AP ({a['pairs']} pairs) | {a['mean_ap']:.3f} | cosine {a['mean_ap_cosine']:.3f}, lexicon "
        f"{a['mean_ap_lexicon']:.3f} | ≥ 0.42 |"
    )
    print(
        f"| airline stance accuracy ({a['stance_pairs']} pairs; on negative / positive tweets "
        f"{a['stance_recall_negative']:.2f} / {a['stance_recall_positive']:.2f}) | {a['stance_accuracy']:.3f} "
        f"| lexicon {a['stance_accuracy_lexicon']:.3f} | ≥ 0.90 |"
    )
    print(
        f"| airline: the first ten contradicting quotes that carry the claim's complaint reason (that are "
        f"complaints at all: {a['precision_at_10_complaints']:.2f}) | {a['precision_at_10']:.2f} "
        f"| cosine {a['precision_at_10_cosine']:.2f}, lexicon {a['precision_at_10_lexicon']:.2f} | – |"
    )
    print(
        f"| restaurants AP | {r['mean_ap']:.3f} | cosine {r['mean_ap_cosine']:.3f}, lexicon "
        f"{r['mean_ap_lexicon']:.3f} | ≥ 0.60 |"
    )
    print(
        f"| matching: the tweets of each claim's complaint reason matched at all (airline) / the sentences of a "
        f"category matched by its claim, and the matches that are of the category (restaurants) | "
        f"{a['match_recall']:.2f} / {r['match_recall']:.2f}, {r['match_precision']:.2f} | cosine "
        f"{a['match_recall_cosine']:.2f} / {r['match_recall_cosine']:.2f}, {r['match_precision_cosine']:.2f} | – |"
    )
    print(
        f"| restaurants aspect stance accuracy ({r['stance_pairs']} pairs) | {r['stance_accuracy']:.3f} "
        f"| lexicon {r['stance_accuracy_lexicon']:.3f} | ≥ 0.95 |"
    )
    print(
        f"| restaurants: the first ten contradicting quotes that fault the claim's aspect | {r['precision_at_10']:.2f} "
        f"| cosine {r['precision_at_10_cosine']:.2f}, lexicon {r['precision_at_10_lexicon']:.2f} | – |"
    )
    print(
        f"| expected calibration error of the side taken, airline / restaurants | {a['ece']:.3f} / {r['ece']:.3f} "
        f"| lexicon {a['ece_lexicon']:.3f} / {r['ece_lexicon']:.3f} | lower is better |"
    )
    print(
        f"| clothing stance against the review's star rating ({w['stance_pairs']} pairs; on 1-2★ / 4-5★ reviews "
        f"{w['stance_recall_negative']:.2f} / {w['stance_recall_positive']:.2f}; ECE {w['ece']:.3f}, lexicon "
        f"{w['ece_lexicon']:.3f}) | {w['stance_accuracy']:.3f} | lexicon {w['stance_accuracy_lexicon']:.3f} | – |"
    )
    print(f"({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
