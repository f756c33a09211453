"""Embedding: the hash check, the real model, and the cache seam."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from alignment.embed import (
    MODEL_SHA256,
    CachedEmbedder,
    MemoryCache,
    MiniLMEmbedder,
    model_directory,
    verify_model_files,
)
from alignment.errors import ModelIntegrityError


class CountingEmbedder:
    """A small fake: deterministic vectors, and a record of what it was asked to embed."""

    model_id = "fake"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts, progress=None):
        self.calls.append(list(texts))
        vectors = np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
        if progress:
            progress(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_embed_hash_check_names_the_tampered_file_and_expected_hash(tmp_path):
    source = model_directory()
    for name in MODEL_SHA256:
        if name != "model.safetensors":
            shutil.copy(source / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelIntegrityError, match=r"model\.safetensors.*expected 53aa5117"):
        verify_model_files(tmp_path)


def test_embed_hash_check_reports_a_missing_file(tmp_path):
    with pytest.raises(ModelIntegrityError, match="missing"):
        verify_model_files(tmp_path, {"vocab.txt": "0" * 64})


def test_embed_tampered_package_fails_on_load(tmp_path):
    source = model_directory()
    shutil.copytree(source, tmp_path / "model")
    with (tmp_path / "model" / "vocab.txt").open("a") as handle:
        handle.write("extra\n")
    with pytest.raises(ModelIntegrityError, match=r"vocab\.txt"):
        MiniLMEmbedder(directory=tmp_path / "model").load()


def test_embed_cached_embedder_embeds_each_distinct_text_once():
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, MemoryCache())
    seen: list[int] = []
    first = cached.encode(["a", "bb", "a"], progress=seen.append)
    assert inner.calls == [["a", "bb"]]
    assert sum(seen) == 3
    second = cached.encode(["bb", "ccc"])
    assert inner.calls[-1] == ["ccc"]
    np.testing.assert_allclose(first[1], second[0])


class MatrixCache(MemoryCache):
    """A MemoryCache that also answers all keys at once, as the workspace's cache does."""

    def get_matrix(self, model_id, keys):
        found = self.get_many(model_id, keys)
        mask = np.array([key in found for key in keys], dtype=bool)
        if not found:
            return None, mask
        matrix = np.zeros((len(keys), 2), dtype=np.float32)
        for position, key in enumerate(keys):
            if key in found:
                matrix[position] = found[key]
        return matrix, mask


@pytest.mark.parametrize("cache_kind", [MemoryCache, MatrixCache])
def test_embed_cached_embedder_keeps_the_batches_embedded_before_it_was_stopped(cache_kind):
    class StopsOnThirdBatch(CountingEmbedder):
        def encode(self, texts, progress=None):
            if len(self.calls) == 2:
                raise KeyboardInterrupt
            return super().encode(texts, progress)

    texts = [f"sentence {'x' * n}" for n in range(10)]
    cache = cache_kind()
    with pytest.raises(KeyboardInterrupt):
        CachedEmbedder(StopsOnThirdBatch(), cache, store_batch=4).encode(texts)
    inner = CountingEmbedder()
    again = CachedEmbedder(inner, cache, store_batch=4).encode(texts + texts[:1])
    assert inner.calls == [texts[8:]]  # the two batches stored before the stop are not embedded again
    np.testing.assert_allclose(again, CachedEmbedder(CountingEmbedder(), MemoryCache()).encode(texts + texts[:1]))


@pytest.mark.models
def test_embed_real_model_gives_normalised_vectors_in_input_order(embedder):
    texts = ["My calls keep dropping.", "The pasta was delicious.", "Calls drop all the time on this network."]
    vectors = embedder.encode(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1]
