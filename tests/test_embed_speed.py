"""The speed-ups of embedding: token-sorted batches, the int8 ONNX embedder, its build, and the cache fast path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from alignment.embed import (
    FAST_MODEL_ID,
    MODEL_ID,
    OUTLIERS_FILE,
    CachedEmbedder,
    FastEmbedder,
    MemoryCache,
    agreement,
    build_fast_model,
    embedder_kind,
    fast_model_path,
    load_outlier_channels,
)
from alignment.errors import InputError, ModelIntegrityError

TEXTS = [
    "My calls keep dropping.",
    "The pasta was delicious and the staff were lovely, although the room was a little loud on Friday night.",
    "Calls drop all the time on this network.",
    "No hidden fees, the bill matched the quote exactly.",
    "Support put me on hold for an hour.",
    "ok",
    "The dress runs small; order a size up if you are between sizes, and note that the fabric has no stretch at all.",
    "Great coverage in the hills.",
    "I was charged a network access fee nobody told me about.",
    "Fast delivery.",
    "The jeans stretched out after one wash and now they sag at the knees, which is disappointing for the price.",
    "Real people answered at 3am.",
] * 3


class MatrixCache(MemoryCache):
    """A MemoryCache that also offers the optional fast path and float16 rounding, like the workspace's."""

    def __init__(self) -> None:
        super().__init__()
        self.matrix_calls = 0

    def get_matrix(self, model_id, keys):
        self.matrix_calls += 1
        found = self.get_many(model_id, keys)
        mask = np.array([key in found for key in keys], dtype=bool)
        if not found:
            return None, mask
        dimension = len(next(iter(found.values())))
        matrix = np.zeros((len(keys), dimension), dtype=np.float32)
        for i, key in enumerate(keys):
            if key in found:
                matrix[i] = found[key]
        return matrix, mask

    @staticmethod
    def as_stored(vectors):
        return np.asarray(vectors, dtype=np.float16).astype(np.float32)


class Counting:
    model_id = "fake"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts, progress=None):
        self.calls.append(list(texts))
        vectors = np.array([[len(t), 1.0, t.count("a")] for t in texts], dtype=np.float32)
        if progress:
            progress(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_cached_embedder_uses_the_matrix_fast_path_and_stores_rounded_vectors():
    inner = Counting()
    cache = MatrixCache()
    cached = CachedEmbedder(inner, cache)
    seen: list[int] = []
    first = cached.encode(["a", "bb", "a", "ccc"], progress=seen.append)
    assert inner.calls == [["a", "bb", "ccc"]] and sum(seen) == 4
    np.testing.assert_array_equal(first, MatrixCache.as_stored(first))  # fresh vectors come back as stored
    seen.clear()
    second = cached.encode(["ccc", "a", "dddd"], progress=seen.append)
    assert inner.calls[-1] == ["dddd"] and sum(seen) == 3 and cache.matrix_calls == 2
    np.testing.assert_array_equal(second[0], first[3])
    np.testing.assert_array_equal(second[1], first[0])
    assert cached.encode([]).shape[0] == 0


def test_agreement_measures_cosine_and_neighbour_overlap():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    same = agreement(vectors, vectors)
    assert same["mean_cosine"] == pytest.approx(1.0, abs=1e-6) and same["top10_overlap"] == 1.0
    noisy = vectors + rng.normal(scale=0.5, size=vectors.shape).astype(np.float32)
    worse = agreement(vectors, noisy)
    assert worse["mean_cosine"] < 0.99 and worse["top10_overlap"] < 1.0


def test_embedder_kind_comes_from_the_argument_or_align_embedder(monkeypatch):
    monkeypatch.delenv("ALIGN_EMBEDDER", raising=False)
    assert embedder_kind() == "exact"
    monkeypatch.setenv("ALIGN_EMBEDDER", "FAST")
    assert embedder_kind() == "fast"
    assert embedder_kind("exact") == "exact"
    with pytest.raises(InputError, match="Unknown embedder 'quick'"):
        embedder_kind("quick")


def test_fast_model_path_names_the_recipe_and_lives_in_align_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    path = fast_model_path()
    assert path.parent == tmp_path / "models" and "int8" in path.name and path.suffix == ".onnx"
    assert FAST_MODEL_ID != MODEL_ID and FAST_MODEL_ID.startswith(MODEL_ID)


@pytest.fixture(scope="session")
def fast_model(tmp_path_factory):
    """The int8 model built once for the session from the bundled weights, in a private cache folder."""
    return build_fast_model(target=tmp_path_factory.mktemp("cache") / "fast.onnx", quiet=True)


@pytest.mark.models
def test_token_sorted_exact_embedder_matches_plain_sentence_transformers(embedder):
    seen: list[int] = []
    vectors = embedder.encode(TEXTS, progress=seen.append)
    plain = embedder.load().encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert sum(seen) == len(TEXTS)
    np.testing.assert_allclose(vectors, plain, atol=2e-5)


@pytest.mark.models
def test_fast_embedder_agrees_with_fp32_and_keeps_input_order(embedder, fast_model):
    fast = FastEmbedder(model_path=fast_model, batch_size=4, chunk_size=10)
    seen: list[int] = []
    vectors = fast.encode(TEXTS, progress=seen.append)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert sum(seen) == len(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # int8 activations are scaled per batch, so a repeat in another batch is close but not identical
    assert float(np.min(np.sum(vectors[:12] * vectors[12:24], axis=1))) > 0.95
    measured = agreement(embedder.encode(TEXTS[:12]), vectors[:12], k=3)
    assert measured["mean_cosine"] > 0.98 and measured["min_cosine"] > 0.95
    assert measured["top3_overlap"] >= 0.8
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1]  # still tells dropped calls from pasta


@pytest.mark.models
def test_fast_model_build_records_its_hash_and_a_changed_file_is_refused(fast_model, tmp_path):
    record = json.loads(fast_model.with_name(fast_model.name + ".json").read_text())
    assert len(record["sha256"]) == 64 and record["model_id"] == FAST_MODEL_ID
    assert set(record["source_sha256"]) >= {"model.safetensors", "tokenizer.json"}
    assert build_fast_model(target=fast_model, quiet=True) == fast_model  # a valid build is reused
    copy = tmp_path / "copy.onnx"
    copy.write_bytes(fast_model.read_bytes()[:-10] + b"0123456789")
    copy.with_name(copy.name + ".json").write_text(json.dumps(record))
    with pytest.raises(ModelIntegrityError, match="does not match its recorded sha256"):
        FastEmbedder(model_path=copy).load()


@pytest.mark.models
def test_fast_model_build_refuses_altered_source_weights(tmp_path):
    import shutil

    from alignment.embed import MODEL_SHA256, model_directory

    source = tmp_path / "model"
    shutil.copytree(model_directory(), source)
    with (source / "vocab.txt").open("a") as handle:
        handle.write("extra\n")
    with pytest.raises(ModelIntegrityError, match=r"vocab\.txt"):
        build_fast_model(source, tmp_path / "out.onnx", quiet=True)
    assert not (tmp_path / "out.onnx").exists()
    assert "vocab.txt" in MODEL_SHA256


@pytest.mark.models
def test_shipped_outlier_channels_are_what_calibration_on_the_project_corpus_finds(tmp_path):
    from alignment.training import calibrate_fast_model

    rebuilt = tmp_path / "fast_outliers.json"
    calibrate_fast_model(out=rebuilt)
    assert rebuilt.read_bytes() == OUTLIERS_FILE.read_bytes()  # `make train` rebuilds it byte for byte
    channels = load_outlier_channels()
    assert set(channels) == {f"layer.{i}.{kind}" for i in range(6) for kind in ("intermediate", "output")}
    assert 0 < sum(len(found) for found in channels.values()) < 40  # a few channels, not a float model


@pytest.mark.models
def test_fast_model_keeps_outlier_channels_in_float_and_agrees_closely_with_fp32(embedder, fast_model):
    import onnx

    nodes = onnx.load(str(fast_model)).graph.node
    side = [node for node in nodes if "/outlier/" in node.name and node.op_type == "MatMul"]
    quantised = [node for node in nodes if node.op_type in ("MatMulInteger", "DynamicQuantizeMatMul")]
    assert len(side) == sum(1 for found in load_outlier_channels().values() if found)
    assert len(quantised) >= 36  # every weight matrix of the six layers still runs in int8
    # 7-bit weights, so that no pair of u8 x s8 products overflows the 16 bits a CPU without VNNI sums them
    # in: with full 8-bit weights such a CPU read these texts at mean cosine 0.986 (min 0.968)
    from onnx import numpy_helper

    weights = [numpy_helper.to_array(t) for t in onnx.load(str(fast_model)).graph.initializer]
    int8 = [w for w in weights if w.dtype == np.int8 and w.size > 1_000]
    assert len(int8) >= 36 and all(int(np.abs(w.astype(np.int16)).max()) <= 64 for w in int8)  # 2 x 255 x 64 < 2**15
    measured = agreement(embedder.encode(TEXTS), FastEmbedder(model_path=fast_model).encode(TEXTS), k=3)
    assert measured["mean_cosine"] > 0.993 and measured["min_cosine"] > 0.98, measured  # 0.995 / 0.985 measured


def test_missing_outlier_file_names_the_command_that_rebuilds_it(tmp_path):
    with pytest.raises(ModelIntegrityError, match="make train"):
        load_outlier_channels(tmp_path / "absent.json")
    (tmp_path / "wrong.json").write_text('{"channels": [1, 2]}')
    with pytest.raises(ModelIntegrityError, match="make train"):
        load_outlier_channels(tmp_path / "wrong.json")


@pytest.mark.models
def test_shipped_stance_offset_for_the_fast_embedder_is_what_its_vectors_measure(embedder, fast_model):
    from alignment.stance import EmbeddingStanceModel
    from alignment.training import embed_pairs, embedder_offset, load_stance_pairs, split_pairs

    model = EmbeddingStanceModel.load()
    shipped = model.embedder_offsets[FAST_MODEL_ID]
    assert 0 < shipped < 0.2  # a small lean of the int8 vectors towards "supports", not a different model
    polar = [item for item in split_pairs(load_stance_pairs())[0] if item.stance != "neutral"]
    sample = [polar[i] for i in np.random.default_rng(0).choice(len(polar), 600, replace=False)]
    claim_vectors, text_vectors = embed_pairs(embedder, sample)
    measured = embedder_offset(model, claim_vectors, text_vectors, FastEmbedder(model_path=fast_model), sample)
    # make train measures it on all ~20,000 polar pairs; 600 of them give the same lean within sampling noise
    assert measured > 0 and abs(measured - shipped) < 0.05
    assert model.for_embedder(FAST_MODEL_ID).bias[1] == pytest.approx(model.bias[1] + shipped)
    assert model.for_embedder(MODEL_ID) is model  # the exact embedder's vectors are read as trained
