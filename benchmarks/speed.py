"""Speed benchmark (`make bench-speed`): each figure as a ratio against a baseline measured in the same run.

Uses the reviews in ../shared/data/womens_clothing_reviews.csv (read in place, never copied into the repo),
replicated with light word-level variation when a size needs more sentences than the file has.

Figures (targets from issue 5):

1. first analysis of a 100k-sentence dataset (ingest, split, embed, match, stance) with the fast embedder,
   against plain ``SentenceTransformer(<bundled folder>).encode`` of the same sentences in fp32. The baseline's
   throughput is measured on a sample (``--baseline-sample``, half before and half after the analysis, so
   both sides see the same machine load) and extrapolated to the full size; ``--baseline-sample 0`` encodes
   every sentence instead. Target: >= 4x.
2. agreement of the fast (int8 ONNX) embedder and of float16 storage with fp32: mean and minimum cosine,
   top-10 neighbour overlap.
3. held-out quality cost of the fast embedder: the airline and restaurant measures of benchmarks/quality.py
   run with both embedders (``--no-quality`` skips it). Target: <= 0.01 AP and <= 0.005 stance accuracy lost.
4. re-check: 20 new claims against the ingested 100k sentences, end to end; median of ``--rechecks`` runs,
   with the workspace open and models warm (as in the app), and with a freshly opened workspace. Target: <= 1 s.
5. ingest of 1M sentences in a child process: peak RSS. Target: <= 2.5 GB.
6. the app's vet-copy round trip on the demo data with models warm (claims from new copy, embed the claims,
   match, stance, report). Target: <= 2 s.

The machine is shared: the load average is printed before and after, and CPU seconds are given next to
wall-clock seconds for the embedding comparison (they vary less with other processes' load).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"
SOURCE_NAME = "womens_clothing_reviews.csv"
TEXT_COLUMN = "Review Text"

ASPECTS = (
    "fit",
    "fabric",
    "colour",
    "length",
    "sizing",
    "quality",
    "comfort",
    "price",
    "stitching",
    "style",
)
ADJECTIVES = (
    "soft",
    "flattering",
    "true to size",
    "durable",
    "comfortable",
    "beautiful",
    "well made",
    "good value",
    "elegant",
    "breathable",
)
CLAIM_TEMPLATES = (
    "Our {aspect} is always {adjective}",
    "Customers love how {adjective} the {aspect} is",
    "The {aspect} stays {adjective} wash after wash",
    "Guaranteed {adjective} {aspect} on every order",
    "The most {adjective} {aspect} you will ever own",
    "Every {aspect} we sell is {adjective}",
)
ANALYSIS_CLAIMS = (
    "True to size",
    "Soft, comfortable fabric",
    "Flattering on every body type",
    "Colours exactly as pictured",
    "Made to last, wash after wash",
    "Perfect length for petites",
    "Great value for the price",
    "Fast, free returns",
    "No itchy seams",
    "Holds its shape all day",
    "Machine washable, no shrinking",
    "Quality stitching throughout",
    "Runs true to the size chart",
    "Lightweight and breathable",
    "Fits like it was made for you",
    "Premium materials at an everyday price",
    "Zippers that never snag",
    "Dresses you can wear all day",
    "Sweaters that do not pill",
    "Jeans that do not stretch out",
)
SYNONYMS = {
    "love": ("adore", "really like", "love love"),
    "dress": ("frock", "dress", "gown"),
    "great": ("fantastic", "terrific", "super"),
    "perfect": ("ideal", "flawless", "just right"),
    "beautiful": ("gorgeous", "lovely", "stunning"),
    "comfortable": ("comfy", "cozy", "easy to wear"),
    "small": ("tiny", "snug", "tight"),
    "large": ("big", "roomy", "loose"),
    "fabric": ("material", "cloth", "textile"),
    "cute": ("adorable", "sweet", "charming"),
    "soft": ("silky", "plush", "smooth"),
    "color": ("colour", "shade", "hue"),
    "nice": ("pleasant", "good", "fine"),
    "top": ("blouse", "shirt", "tee"),
    "fit": ("cut", "fit", "shape"),
    "wear": ("put on", "sport", "wear"),
    "really": ("truly", "very", "so"),
    "bought": ("ordered", "purchased", "got"),
}
MAX_ROUNDS = 6  # 600 claim wordings, 20 a round: rounds 1 to 25 for re-checks, round 29 for the CLI
PREFIXES = ("Honestly, ", "Overall, ", "To be fair, ", "In short, ", "Update: ", "")
_WORD = re.compile(r"\b(" + "|".join(SYNONYMS) + r")\b", re.IGNORECASE)


# --- data ------------------------------------------------------------------------------------------------


def read_source(shared: Path) -> pd.DataFrame:
    """The clothing reviews with text, as strings."""
    path = shared / "data" / SOURCE_NAME
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame[TEXT_COLUMN].str.strip() != ""].reset_index(drop=True)
    return frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])


def vary(text: str, rng: random.Random) -> str:
    """A light variation of a review: some words swapped for synonyms, sometimes an opening phrase."""
    varied = _WORD.sub(lambda m: rng.choice(SYNONYMS[m.group(1).lower()]) if rng.random() < 0.6 else m.group(1), text)
    return rng.choice(PREFIXES) + varied if rng.random() < 0.3 else varied


def build_dataset(source: pd.DataFrame, sentences: int, seed: int = 5) -> tuple[pd.DataFrame, int]:
    """Reviews whose split sentences add up to at least ``sentences``: the real ones first, then varied copies."""
    from alignment.ingest import split_spans

    counts = [len(split_spans(text)) for text in source[TEXT_COLUMN]]
    rng = random.Random(seed)
    parts: list[pd.DataFrame] = []
    total = 0
    copy = 0
    while total < sentences:
        frame = source.copy()
        if copy:
            frame[TEXT_COLUMN] = [vary(text, rng) for text in frame[TEXT_COLUMN]]
            frame["Clothing ID"] = frame["Clothing ID"] + f"-{copy}"
        cumulative = np.cumsum(counts)
        need = sentences - total
        take = int(np.searchsorted(cumulative, need) + 1) if cumulative[-1] >= need else len(frame)
        parts.append(frame.iloc[:take])
        total += int(cumulative[take - 1])
        copy += 1
    return pd.concat(parts, ignore_index=True), total


def new_claims(round_index: int, count: int = 20) -> list[str]:
    """``count`` claim wordings never used in an earlier round."""
    combos = [
        template.format(aspect=aspect, adjective=adjective)
        for template in CLAIM_TEMPLATES
        for aspect in ASPECTS
        for adjective in ADJECTIVES
    ]
    random.Random(11).shuffle(combos)
    return combos[round_index * count : (round_index + 1) * count]


# --- measuring -------------------------------------------------------------------------------------------


def timed(function: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``function``; return its result, wall seconds and CPU seconds (this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    versions = {}
    for name in ("torch", "sentence_transformers", "onnxruntime", "duckdb", "numpy"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:
            versions[name] = "absent"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def baseline_model() -> Any:
    """Plain SentenceTransformer on the bundled folder, fp32, default settings (after the hash check)."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    from alignment.embed import model_directory, verify_model_files

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    transformers_logging.disable_progress_bar()
    directory = model_directory()
    verify_model_files(directory)
    return SentenceTransformer(str(directory), device="cpu", local_files_only=True)


def baseline_encode(model: Any, texts: Sequence[str]) -> tuple[np.ndarray, float, float]:
    """``model.encode(texts)`` as a user would call it (batch 32, normalised); vectors, wall and CPU seconds."""
    return timed(lambda: model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False))


# --- figures ---------------------------------------------------------------------------------------------


def embedding_agreement(texts: Sequence[str], baseline: Any, fast: Any, exact: Any) -> dict[str, Any]:
    """Fast and exact embedders and float16 storage against plain fp32, on the same texts, with throughput."""
    from alignment.embed import agreement
    from alignment.workspace import WorkspaceEmbeddingCache

    reference, base_wall, base_cpu = baseline_encode(baseline, texts)
    fast_vectors, fast_wall, fast_cpu = timed(lambda: fast.encode(texts))
    exact_vectors, exact_wall, exact_cpu = timed(lambda: exact.encode(texts))
    stored = WorkspaceEmbeddingCache.as_stored(reference)
    n = len(texts)
    return {
        "sentences": n,
        "fast_vs_fp32": agreement(reference, fast_vectors),
        "exact_vs_fp32": agreement(reference, exact_vectors),
        "float16_storage_vs_fp32": agreement(reference, stored),
        "throughput": {
            "baseline": {"per_s": n / base_wall, "cpu_s": base_cpu},
            "exact_token_sorted": {"per_s": n / exact_wall, "cpu_s": exact_cpu},
            "fast": {"per_s": n / fast_wall, "cpu_s": fast_cpu},
        },
    }


def first_analysis(
    csv: Path, texts: Sequence[str], baseline: Any, fast: Any, nlp: Any, sample: int, workdir: Path
) -> dict[str, Any]:
    """Ingest + check with the fast embedder in a fresh workspace, against the extrapolated fp32 baseline."""
    from alignment.config import Config
    from alignment.workspace import Workspace

    rng = random.Random(3)
    n = len(texts)
    picked = list(texts) if sample <= 0 or sample >= n else rng.sample(list(texts), sample)
    half = len(picked) // 2
    _, before_wall, before_cpu = baseline_encode(baseline, picked[:half])
    workspace = Workspace.open(workdir / "first")
    try:
        started = time.perf_counter()
        cpu_started = time.process_time()
        info, ingest_wall, _ = timed(lambda: workspace.ingest(csv, "bench"))
        report, check_wall, _ = timed(
            lambda: workspace.check(None, "bench", Config(), claims=list(ANALYSIS_CLAIMS), embedder=fast, nlp=nlp)
        )
        total_wall = time.perf_counter() - started
        total_cpu = time.process_time() - cpu_started
        distinct = workspace.distinct_sentences("bench")
    finally:
        workspace.close()
    _, after_wall, after_cpu = baseline_encode(baseline, picked[half:])
    sample_wall, sample_cpu = before_wall + after_wall, before_cpu + after_cpu
    baseline_rate = len(picked) / sample_wall
    baseline_wall = n / baseline_rate
    baseline_cpu = sample_cpu * n / len(picked)
    matches = sum(len(result.judgements) for result in report.claims)
    return {
        "sentences": n,
        "distinct_sentences": distinct,
        "reviews": info.reviews,
        "claims": len(report.claims),
        "matches": matches,
        "baseline_sample": len(picked),
        "baseline_rate_before_per_s": half / before_wall if half else None,
        "baseline_rate_after_per_s": (len(picked) - half) / after_wall,
        "baseline_extrapolated_s": baseline_wall,
        "baseline_cpu_extrapolated_s": baseline_cpu,
        "ingest_s": ingest_wall,
        "check_s": check_wall,
        "total_s": total_wall,
        "total_cpu_s": total_cpu,
        "speedup": baseline_wall / total_wall,
        "speedup_cpu": baseline_cpu / total_cpu,
        "workspace": str(workdir / "first"),
    }


def rechecks(workdir: Path, fast: Any, nlp: Any, rounds: int) -> dict[str, Any]:
    """20 new claims a round against the dataset of the first analysis, check plus saving the run.

    Warm: the workspace stays open (as in the app), so the dataset and its vectors are in memory after the
    first check; cold: the workspace is opened anew each round. The default settings are compared with
    min_similarity 0.40 and 0.99: the matches to judge, not the workspace, decide most of the time.
    """
    from alignment.config import Config
    from alignment.workspace import Workspace

    counter = iter(range(1, 10_000))

    def once(workspace: Workspace, config: Config) -> tuple[float, int]:
        index = next(counter)
        started = time.perf_counter()
        report = workspace.check(None, "bench", config, claims=new_claims(index), embedder=fast, nlp=nlp)
        workspace.save_run(report, dataset="bench", label=f"recheck {index}", embedder=fast.model_id)
        return time.perf_counter() - started, sum(len(result.judgements) for result in report.claims)

    settings = {
        "default": Config(),
        "min_similarity_0.40": Config(min_similarity=0.40),
        "min_similarity_0.99": Config(min_similarity=0.99),
    }
    result: dict[str, Any] = {"claims_per_round": 20, "min_similarity_default": Config().min_similarity}
    with Workspace.open(workdir / "first") as workspace:
        result["first_in_process_s"] = once(workspace, settings["default"])[0]  # loads the dataset and vectors
        for name, config in settings.items():
            measured = [once(workspace, config) for _ in range(rounds)]
            result[f"warm_{name}"] = {
                "s": [t for t, _ in measured],
                "median_s": statistics.median(t for t, _ in measured),
                "matches_median": statistics.median(m for _, m in measured),
            }
    cold = []
    for _ in range(rounds):
        started = time.perf_counter()
        with Workspace.open(workdir / "first") as workspace:
            once(workspace, settings["default"])
        cold.append(time.perf_counter() - started)
    result["cold_default"] = {"s": cold, "median_s": statistics.median(cold)}
    return result


def cli_recheck(workdir: Path) -> float:
    """Wall seconds of `alignment check --dataset` in a new process (Python start and model loading included)."""
    claims = workdir / "cli_claims.txt"
    claims.write_text("\n".join(new_claims(29)) + "\n", encoding="utf-8")
    command = [
        str(Path(sys.executable).parent / "alignment"),
        "check",
        "--dataset",
        "bench",
        "--claims",
        str(claims),
        "--embedder",
        "fast",
        "--workspace",
        str(workdir / "first"),
        "--quiet",
        "--out",
        str(workdir / "cli_report.json"),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def ingest_memory(csv: Path, workdir: Path, name: str) -> dict[str, Any]:
    """Ingest in a child process (nothing else loaded there); its peak RSS and time."""
    result = subprocess.run(
        [sys.executable, __file__, "--child-ingest", str(csv), str(workdir / name)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def child_ingest(csv: Path, location: Path) -> int:
    """The child side of ingest_memory: ingest as `alignment ingest` does, then print seconds, the seconds
    the workspace was held (the copy in; the file is read into a staging file without it) and peak RSS as
    one JSON line."""
    from alignment.workspace import Workspace, ingest_dataset

    held: list[float] = []
    merge = Workspace._merge

    def timed_merge(workspace: Workspace, *args: Any, **kwargs: Any) -> Any:
        merge_started = time.perf_counter()
        try:
            return merge(workspace, *args, **kwargs)
        finally:
            held.append(time.perf_counter() - merge_started)

    Workspace._merge = timed_merge  # type: ignore[method-assign,assignment]
    started = time.perf_counter()
    info = ingest_dataset(location, csv, "big")
    seconds = time.perf_counter() - started
    peak_kb = _peak_rss_kb()
    size = csv.stat().st_size
    payload = {"sentences": info.sentences, "reviews": info.reviews, "file_mb": size / 2**20}
    payload.update({"seconds": seconds, "peak_rss_mb": peak_kb / 1024, "database_mb": _size_mb(location)})
    payload["workspace_held_s"] = sum(held)
    print(json.dumps(payload))
    return 0


def _peak_rss_kb() -> int:
    """This process's peak resident set: VmHWM (getrusage's maxrss keeps the parent's peak across fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def vet_copy_round_trip(rounds: int, embedder_kind: str, nlp: Any) -> dict[str, Any]:
    """The app's vet-copy path on the demo data with models warm: claims from new copy, judge, report dict."""
    from alignment.claims import extract_claims
    from alignment.config import Config
    from alignment.embed import CachedEmbedder, MemoryCache, select_embedder
    from alignment.ingest import load_reviews, parse_ads_text
    from alignment.pipeline import judge_claims
    from alignment.report import Report

    reviews = load_reviews(REPO / "data" / "demo_reviews.csv")
    copy = (REPO / "data" / "demo_ads.txt").read_text(encoding="utf-8").strip()
    embedder = CachedEmbedder(select_embedder(embedder_kind), MemoryCache())
    config = Config()

    def once(text: str) -> float:
        started = time.perf_counter()
        claims = extract_claims(parse_ads_text(text), nlp, limit=config.max_claims)
        results = judge_claims(claims, reviews, config, embedder)
        Report(tuple(results), reviews.summary, config, reviews.reviews, reviews.sentences).to_dict()
        return time.perf_counter() - started

    warm_up = once(copy)  # embeds the demo sentences once, as the app does on its first page load
    wordings = [
        copy.replace("calls", "calls" if i % 2 else "phone calls", 1)
        + f"\n\nNew this season: offer {i} with no hidden fees."
        for i in range(rounds)
    ]
    times = [once(text) for text in wordings]
    return {
        "embedder": embedder_kind,
        "warm_up_s": warm_up,
        "round_trips_s": times,
        "median_s": statistics.median(times),
    }


def quality_cost(shared: Path, fast: Any, exact: Any) -> dict[str, Any]:
    """benchmarks/quality.py's airline and restaurant measures with each embedder, and the difference."""
    from alignment.config import Config
    from alignment.embed import CachedEmbedder, MemoryCache

    spec = importlib.util.spec_from_file_location("bench_quality", Path(__file__).with_name("quality.py"))
    if spec is None or spec.loader is None:
        return {"error": "benchmarks/quality.py not found"}
    quality = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quality)
    config = Config()
    result: dict[str, Any] = {}
    for name, embedder in (("exact", exact), ("fast", fast)):
        cached = CachedEmbedder(embedder, MemoryCache())
        airlines = quality.bench_airlines(
            shared / "data" / "airline_tweets_dev.csv", shared / "eval" / "airline_claims_dev.json", config, cached
        )
        restaurants = quality.bench_restaurants(shared / "data" / "semeval2014_restaurants_train.xml", config, cached)
        result[name] = {
            "airline_mean_ap": airlines["mean_ap"],
            "airline_stance_accuracy": airlines["stance_accuracy"],
            "restaurants_mean_ap": restaurants["mean_ap"],
            "restaurants_stance_accuracy": restaurants["stance_accuracy"],
        }
    result["lost"] = {key: result["exact"][key] - result["fast"][key] for key in result["exact"]}
    return result


# --- main ------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run every figure, print a table, write benchmarks/results/speed.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding data/ (default ../shared)")
    parser.add_argument("--sentences", type=int, default=100_000, help="size of the first-analysis dataset")
    parser.add_argument(
        "--baseline-sample", type=int, default=5_000, help="sentences the fp32 baseline encodes (0: all of them)"
    )
    parser.add_argument("--agreement-sample", type=int, default=2_000, help="sentences for the agreement figures")
    parser.add_argument("--ingest-sentences", type=int, default=1_000_000, help="size of the memory test (0: skip)")
    parser.add_argument("--rechecks", type=int, default=5, help="re-check rounds (median reported)")
    parser.add_argument("--no-quality", action="store_true", help="skip the held-out quality cost")
    parser.add_argument("--out", type=Path, default=RESULTS / "speed.json", help="where the JSON results go")
    parser.add_argument("--child-ingest", nargs=2, metavar=("CSV", "WORKSPACE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.rechecks <= MAX_ROUNDS:
        parser.error(f"--rechecks must be between 1 and {MAX_ROUNDS}")
    if args.child_ingest:
        return child_ingest(Path(args.child_ingest[0]), Path(args.child_ingest[1]))
    source_path = args.shared / "data" / SOURCE_NAME
    if not source_path.is_file():
        print(
            f"bench-speed: {source_path} is missing; this benchmark needs the shared evaluation data "
            "(../shared/data/womens_clothing_reviews.csv next to the repository).",
            file=sys.stderr,
        )
        return 2

    from alignment.claims import load_claim_pipeline
    from alignment.embed import (
        MiniLMEmbedder,
        _built_model_is_valid,
        build_fast_model,
        fast_model_path,
        select_embedder,
    )
    from alignment.ingest import load_reviews
    from alignment.stance import select_stance_model

    results: dict[str, Any] = {"machine": machine(), "load_average_start": load_average()}
    log = lambda message: print(f"bench-speed: {message}", file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()

    built_here = not _built_model_is_valid(fast_model_path())
    _, build_s, _ = timed(lambda: build_fast_model(quiet=True))
    results["fast_model"] = {"path": str(fast_model_path()), "built_in_this_run": built_here, "build_s": build_s}
    log("loading models")
    baseline = baseline_model()
    fast = select_embedder("fast")
    exact = MiniLMEmbedder()
    exact.load()
    nlp = load_claim_pipeline()
    select_stance_model("bundled")
    fast.encode(["warm up"])
    baseline.encode(["warm up"])

    source = read_source(args.shared)
    with tempfile.TemporaryDirectory(prefix="alignment-bench-") as scratch:
        workdir = Path(scratch)
        frame, _ = build_dataset(source, args.sentences)
        csv = workdir / "reviews.csv"
        frame.to_csv(csv, index=False)
        texts = [sentence.text for sentence in load_reviews(csv).sentences]

        log(f"agreement on {args.agreement_sample} sentences")
        sample = random.Random(7).sample(texts, min(args.agreement_sample, len(texts)))
        results["agreement"] = embedding_agreement(sample, baseline, fast, exact)

        log(f"first analysis of {len(texts):,} sentences (baseline sample {args.baseline_sample:,})")
        results["first_analysis"] = first_analysis(csv, texts, baseline, fast, nlp, args.baseline_sample, workdir)

        log(f"re-checks ({args.rechecks} rounds of 20 new claims)")
        results["recheck"] = rechecks(workdir, fast, nlp, args.rechecks)
        results["recheck"]["cli_new_process_s"] = cli_recheck(workdir)

        if args.ingest_sentences > 0:
            log(f"ingest memory: {args.ingest_sentences:,} sentences in a child process")
            big, _ = build_dataset(source, args.ingest_sentences)
            big_csv = workdir / "big.csv"
            big.to_csv(big_csv, index=False)
            del big
            results["ingest_small"] = ingest_memory(csv, workdir, "small")
            results["ingest_big"] = ingest_memory(big_csv, workdir, "big")

        log("vet-copy round trip on the demo data")
        results["vet_copy"] = {kind: vet_copy_round_trip(args.rechecks, kind, nlp) for kind in ("exact", "fast")}

    if not args.no_quality:
        log("held-out quality cost (benchmarks/quality.py measures, both embedders)")
        try:
            results["quality"] = quality_cost(args.shared, fast, select_embedder("exact"))
        except Exception as exc:  # the quality benchmark belongs to another module and may change
            results["quality"] = {"error": f"{type(exc).__name__}: {exc}"}
    results["load_average_end"] = load_average()
    results["seconds"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_table(results)
    return 0


def print_table(results: dict[str, Any]) -> None:
    """The figures as a markdown table, with the machine and the load."""
    m = results["machine"]
    first = results["first_analysis"]
    recheck = results["recheck"]
    agreement = results["agreement"]
    rows = [
        (
            f"first analysis, {first['sentences']:,} sentences ({first['distinct_sentences']:,} distinct), "
            f"{first['claims']} claims: ingest + embed + match + stance, fast embedder",
            f"{first['total_s']:.1f} s (ingest {first['ingest_s']:.1f} s, check {first['check_s']:.1f} s)",
            f"fp32 `SentenceTransformer.encode`: {first['baseline_extrapolated_s']:.0f} s "
            f"(extrapolated from {first['baseline_sample']:,} sentences at "
            f"{first['sentences'] / first['baseline_extrapolated_s']:.0f}/s)",
            f"**{first['speedup']:.1f}×** (CPU time {first['speedup_cpu']:.1f}×)",
            "≥ 4×",
        ),
        (
            f"re-check: 20 new claims vs the same {first['sentences']:,} sentences, end to end (check + save run), "
            f"default settings (min_similarity {recheck['min_similarity_default']})",
            f"median {recheck['warm_default']['median_s']:.2f} s warm "
            f"({recheck['warm_default']['matches_median']:,.0f} matches judged); "
            f"{recheck['cold_default']['median_s']:.2f} s re-opening the workspace; "
            f"{recheck['cli_new_process_s']:.1f} s as a new CLI process",
            f"first analysis {first['total_s']:.0f} s",
            f"{first['total_s'] / recheck['warm_default']['median_s']:.0f}×",
            "≤ 1 s",
        ),
        (
            "re-check as above with min_similarity 0.40 / 0.99 (fewer matches to judge)",
            f"median {recheck['warm_min_similarity_0.40']['median_s']:.2f} s "
            f"({recheck['warm_min_similarity_0.40']['matches_median']:,.0f} matches) / "
            f"{recheck['warm_min_similarity_0.99']['median_s']:.2f} s "
            f"({recheck['warm_min_similarity_0.99']['matches_median']:,.0f} matches)",
            "",
            "",
            "≤ 1 s",
        ),
    ]
    if "ingest_big" in results:
        big, small = results["ingest_big"], results["ingest_small"]
        rows.append(
            (
                f"ingest {big['sentences']:,} sentences ({big['file_mb']:.0f} MB CSV), child process",
                f"peak RSS {big['peak_rss_mb']:.0f} MB, {big['seconds']:.0f} s "
                f"(the workspace held {big.get('workspace_held_s', float('nan')):.1f} s of it)",
                f"{small['sentences']:,} sentences: peak RSS {small['peak_rss_mb']:.0f} MB, {small['seconds']:.1f} s",
                f"{big['peak_rss_mb'] / small['peak_rss_mb']:.2f}× the memory for "
                f"{big['sentences'] / small['sentences']:.0f}× the sentences",
                "≤ 2.5 GB",
            )
        )
    for kind, vet in results["vet_copy"].items():
        rows.append(
            (
                f"vet-copy round trip on the demo data, models warm ({kind} embedder)",
                f"median {vet['median_s']:.2f} s",
                f"first (cold cache) {vet['warm_up_s']:.1f} s",
                "",
                "≤ 2 s",
            )
        )
    fast, exact, stored = agreement["fast_vs_fp32"], agreement["exact_vs_fp32"], agreement["float16_storage_vs_fp32"]
    throughput = agreement["throughput"]
    rows.append(
        (
            f"fast embedder vs fp32 on {agreement['sentences']:,} sentences",
            f"cosine mean {fast['mean_cosine']:.4f} (min {fast['min_cosine']:.3f}), top-10 overlap "
            f"{fast['top10_overlap']:.3f}; {throughput['fast']['per_s']:.0f} sentences/s",
            f"fp32 baseline {throughput['baseline']['per_s']:.0f}/s; exact token-sorted "
            f"{throughput['exact_token_sorted']['per_s']:.0f}/s (cosine {exact['mean_cosine']:.5f})",
            f"{throughput['fast']['per_s'] / throughput['baseline']['per_s']:.1f}× "
            f"(CPU {throughput['baseline']['cpu_s'] / throughput['fast']['cpu_s']:.1f}×)",
            "report",
        )
    )
    rows.append(
        (
            "stored vectors (float16) vs fp32",
            f"cosine mean {stored['mean_cosine']:.6f} (min {stored['min_cosine']:.6f}), "
            f"top-10 overlap {stored['top10_overlap']:.3f}",
            "",
            "half the bytes",
            "report",
        )
    )
    quality = results.get("quality")
    if quality and "lost" in quality:
        lost = quality["lost"]
        rows.append(
            (
                "held-out quality lost by the fast embedder (exact − fast)",
                f"airline AP {lost['airline_mean_ap']:+.4f}, stance {lost['airline_stance_accuracy']:+.4f}; "
                f"restaurants AP {lost['restaurants_mean_ap']:+.4f}, stance {lost['restaurants_stance_accuracy']:+.4f}",
                f"exact: airline AP {quality['exact']['airline_mean_ap']:.3f}, stance "
                f"{quality['exact']['airline_stance_accuracy']:.3f}; restaurants AP "
                f"{quality['exact']['restaurants_mean_ap']:.3f}, stance "
                f"{quality['exact']['restaurants_stance_accuracy']:.3f}",
                "",
                "≤ 0.01 AP, ≤ 0.005 stance",
            )
        )
    elif quality:
        rows.append(("held-out quality cost", quality.get("error", "?"), "", "", ""))
    print(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; load average "
        f"{results['load_average_start']} at start, {results['load_average_end']} at end (shared machine)."
    )
    print()
    print("| figure | measured | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n({results['seconds']:.0f} s in all; JSON in benchmarks/results/speed.json)")


if __name__ == "__main__":
    raise SystemExit(main())
