"""Stance: the shipped model loads, judges obvious cases, is swappable, and beats the lexicon baseline."""

from __future__ import annotations

import re
from typing import cast

import numpy as np
import pytest

from alignment.config import Config
from alignment.errors import InputError
from alignment.ingest import split_spans
from alignment.records import Match
from alignment.stance import (
    STANCE_MODEL_FILE,
    EmbeddingStanceModel,
    LexiconStanceModel,
    context_windows,
    judge_matches,
    read_in_context,
    select_stance_model,
)
from alignment.training import (
    REPO_DATA,
    STANCE_CORPORA,
    STANCE_TEST,
    STANCE_TEST_ECHO,
    STANCE_TEST_MIXED,
    LabelledPair,
    embed_training_rows,
    evaluate_stance,
    load_stance_pairs,
    most_similar_sentences,
    split_pairs,
)


class FixedStance:
    """A small fake stance model: contradicts everything."""

    name = "fixed"

    def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
        return np.tile(np.array([0.1, 0.8, 0.1], dtype=np.float32), (len(sentence_texts), 1))


def test_stance_judge_matches_keeps_claim_grouping_and_probabilities():
    vectors = np.eye(4, dtype=np.float32)
    matches = [[Match(0, 0.9), Match(2, 0.5)], [], [Match(1, 0.7)]]
    judged = judge_matches(["a", "b", "c"], matches, ["s0", "s1", "s2", "s3"], vectors[:3], vectors, FixedStance())
    assert [len(j) for j in judged] == [2, 0, 1]
    assert judged[0][1].sentence_index == 2 and judged[0][1].similarity == 0.5
    assert all(j.stance == "contradicts" and j.p_contradicts == pytest.approx(0.8) for group in judged for j in group)


def test_stance_select_accepts_names_and_instances():
    fake = FixedStance()
    assert select_stance_model(fake) is fake
    assert isinstance(select_stance_model("lexicon"), LexiconStanceModel)
    with pytest.raises(InputError, match="Unknown stance model"):
        select_stance_model("magic")


def test_stance_shipped_model_file_loads_without_pickle():
    model = EmbeddingStanceModel.load(STANCE_MODEL_FILE)
    assert model.weights.shape[1] == 2 and model.bias.shape == (2,)
    assert model.hidden is not None and model.width == 384  # the network head over MiniLM's vectors
    slope, _ = model.relevance
    assert slope > 0  # a higher cosine means more likely on the claim's aspect


def test_stance_probabilities_split_relevance_between_the_two_sides():
    rng = np.random.default_rng(11)
    width = 8
    weights = rng.normal(size=(2 * width + 1, 2)).astype(np.float32)
    model = EmbeddingStanceModel(weights, np.zeros(2, np.float32), ("supports", "contradicts"), "claim-aware", (10, -3))
    claims, sentences = rng.normal(size=(40, width)), rng.normal(size=(40, width))
    claims /= np.linalg.norm(claims, axis=1, keepdims=True)
    sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
    p = model.predict_proba(["c"] * 40, ["s"] * 40, claims, sentences)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    relevance = model.on_aspect(np.sum(claims * sentences, axis=1))
    np.testing.assert_allclose(p[:, 2], 1.0 - relevance, atol=1e-6)  # neutral is exactly "off the aspect"
    np.testing.assert_allclose(p[:, 1] / relevance, model.contradiction_odds(claims, sentences), atol=1e-5)


def test_stance_model_with_a_wrong_shape_fails_with_a_rebuild_hint(tmp_path):
    from alignment.errors import ModelIntegrityError

    polar = ("supports", "contradicts")
    with pytest.raises(ModelIntegrityError, match="make train"):
        EmbeddingStanceModel(np.zeros((17, 3)), np.zeros(3), polar, "claim-aware", (1, 0))
    with pytest.raises(ModelIntegrityError, match="make train"):  # the output does not fit the hidden layer
        hidden = (np.zeros((25, 6)), np.zeros(6))
        EmbeddingStanceModel(np.zeros((5, 2)), np.zeros(2), polar, "claim-aware+claim", (1, 0), hidden)
    with pytest.raises(ModelIntegrityError, match="make train"):  # 25 rows are not 3 blocks and a cosine
        hidden = (np.zeros((24, 6)), np.zeros(6))
        EmbeddingStanceModel(np.zeros((6, 2)), np.zeros(2), polar, "claim-aware+claim", (1, 0), hidden)


@pytest.mark.models
def test_stance_shipped_model_reads_stance_towards_the_claim(embedder):
    model = select_stance_model("bundled")
    claim = "Fewer dropped calls than any other network"
    texts = [
        "Haven't had a single dropped call since I switched.",
        "The store staff were rude and the shop was filthy.",  # strong words, but not about dropped calls
    ]
    vectors = embedder.encode(texts)
    claim_vectors = np.repeat(embedder.encode([claim]), len(texts), axis=0)
    labels = model.predict_proba([claim] * 2, texts, claim_vectors, vectors).argmax(axis=1).tolist()
    assert labels == [0, 2]


@pytest.mark.models
def test_stance_shipped_model_beats_lexicon_on_held_back_project_claims(embedder):
    _, held = split_pairs(load_stance_pairs())
    assert len({item.claim for item in held}) >= 20
    ours = evaluate_stance(select_stance_model("bundled"), embedder, held)
    lexicon = evaluate_stance(LexiconStanceModel(), embedder, held)
    assert ours["accuracy"] > lexicon["accuracy"] + 0.2
    assert ours["polar_accuracy"] > lexicon["polar_accuracy"] + 0.1


@pytest.mark.models
def test_stance_shipped_model_beats_lexicon_on_the_separately_written_test_corpus(embedder):
    # 116 claims in 78 industries, written after the model's corpus and never trained on.
    test = load_stance_pairs([STANCE_TEST])
    assert len({item.domain for item in test}) >= 60
    ours = evaluate_stance(select_stance_model("bundled"), embedder, test)
    lexicon = evaluate_stance(LexiconStanceModel(), embedder, test)
    assert ours["accuracy"] > lexicon["accuracy"] + 0.1
    assert ours["polar_accuracy"] > lexicon["polar_accuracy"] + 0.1


@pytest.mark.models
def test_stance_shipped_model_beats_lexicon_on_mixed_aspect_and_polite_texts_it_never_saw(embedder):
    # 768 claims in 64 industries not in training (a few generic slogans recur, with other texts); a third of
    # the texts praise one aspect and fault another, or are polite on the surface.
    everything = load_stance_pairs(STANCE_TEST_MIXED)
    assert len({item.claim for item in everything}) >= 700
    assert not {item.text for item in everything} & {item.text for item in load_stance_pairs()}
    _, mixed = split_pairs(everything)  # a fixed fifth of the claims keeps the suite fast
    assert len({item.claim for item in mixed}) >= 100
    ours = evaluate_stance(select_stance_model("bundled"), embedder, mixed)
    lexicon = evaluate_stance(LexiconStanceModel(), embedder, mixed)
    assert ours["polar_accuracy"] > lexicon["polar_accuracy"] + 0.1


def test_evaluate_stance_reads_each_side_apart_and_a_side_with_no_pairs_as_nan():
    pairs = [
        LabelledPair("Fast delivery", text, label, "") for text, label in (("a", "supports"), ("bb", "contradicts"))
    ]
    every_side = evaluate_stance(FixedStance(), _HashEmbedder(), pairs)  # contradicts everything
    assert every_side["supports_recall"] == 0 and every_side["contradicts_recall"] == 1
    assert every_side["polar_accuracy"] == 0.5
    one_side = evaluate_stance(FixedStance(), _HashEmbedder(), pairs[1:])
    assert np.isnan(one_side["supports_recall"]) and one_side["contradicts_recall"] == 1


def test_echo_sets_pair_each_claim_with_two_echoes_a_side_and_keep_the_test_claims_out_of_training():
    # The echo test is out of sample only while none of its claims is trained on; the echo cases are written
    # for training claims, so that a recipe trained on them adds texts, not claims.
    trained = {item.claim for item in load_stance_pairs(STANCE_CORPORA)}
    for paths, within_training in ((STANCE_TEST_ECHO, False), (sorted(REPO_DATA.glob("echo_cases_*.jsonl")), True)):
        items = load_stance_pairs(paths)
        sides: dict[str, list[str]] = {}
        for item in items:
            sides.setdefault(item.claim, []).append(item.stance)
        assert len(sides) >= 250
        assert all(
            sorted(labels) == ["contradicts", "contradicts", "supports", "supports"] for labels in sides.values()
        )
        assert (set(sides) <= trained) if within_training else not (set(sides) & trained)


@pytest.mark.models
def test_stance_shipped_model_reads_echoes_that_break_the_claim_and_beats_lexicon_on_echoes(embedder):
    # 266 test claims, each with two texts that confirm it in nearly its own words and two that break it
    # while reusing them. The model reads the breaking ones right (0.86); it reads about half of the
    # confirming ones as contradictions (README, Known limits), and VADER misses most of the breaking ones.
    echoes = load_stance_pairs(STANCE_TEST_ECHO)
    ours = evaluate_stance(select_stance_model("bundled"), embedder, echoes)
    lexicon = evaluate_stance(LexiconStanceModel(), embedder, echoes)
    assert ours["contradicts_recall"] >= 0.8
    assert ours["polar_accuracy"] > lexicon["polar_accuracy"] + 0.05


@pytest.mark.parametrize("features", ["claim-aware", "claim-aware+claim"])
@pytest.mark.parametrize("units", [None, 6])
def test_stance_logits_equal_the_wide_feature_computation(features, units):
    from alignment.stance import FEATURE_PARTS, build_features

    rng = np.random.default_rng(7)
    claims, sentences = rng.normal(size=(50, 8)).astype(np.float32), rng.normal(size=(50, 8)).astype(np.float32)
    rows = FEATURE_PARTS[features] * 8 + 1
    polar = ("supports", "contradicts")
    wide = build_features(claims, sentences, features)
    assert wide.shape == (50, rows)
    if units is None:
        weights, bias = rng.normal(size=(rows, 2)).astype(np.float32), rng.normal(size=2).astype(np.float32)
        model = EmbeddingStanceModel(weights, bias, polar, features, (1, 0))
        expected = wide @ weights + bias
    else:
        first = rng.normal(size=(rows, units)).astype(np.float32), rng.normal(size=units).astype(np.float32)
        weights, bias = rng.normal(size=(units, 2)).astype(np.float32), rng.normal(size=2).astype(np.float32)
        model = EmbeddingStanceModel(weights, bias, polar, features, (1, 0), first)
        expected = np.maximum(wide @ first[0] + first[1], 0) @ weights + bias
    np.testing.assert_allclose(model._logits(claims, sentences), expected, rtol=1e-4, atol=1e-4)
    # The per-claim path folds the claim into the first layer and must agree with the pairwise one.
    one_claim = np.broadcast_to(claims[0], sentences.shape)
    np.testing.assert_allclose(
        model.predict_proba(["c"] * 50, ["s"] * 50, one_claim, sentences),
        model.predict_proba(["c"] * 50, ["s"] * 50, np.ascontiguousarray(one_claim), sentences),
        rtol=1e-4,
        atol=1e-5,
    )


def test_stance_judging_per_claim_matches_judging_pair_by_pair():
    model = EmbeddingStanceModel.load()
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(30, model.width)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # each match carries its real cosine, as match_claims gives it (the model reads its relevance from it)
    matches = [
        [Match(i, float(vectors[i] @ vectors[0])) for i in range(0, 30, 3)],
        [Match(i, float(vectors[i] @ vectors[1])) for i in range(1, 30, 7)],
    ]
    judged = judge_matches(["a", "b"], matches, [str(i) for i in range(30)], vectors[:2], vectors, model)
    for claim, group in enumerate(judged):
        for judgement in group:
            single = model.predict_proba(
                ["x"],
                ["y"],
                vectors[claim : claim + 1],
                vectors[judgement.sentence_index : judgement.sentence_index + 1],
            )[0]
            assert judgement.p_contradicts == pytest.approx(float(single[1]), abs=1e-5)


def test_stance_network_fit_is_deterministic_and_reads_what_it_learned():
    from alignment.stance import POLAR_LABELS
    from alignment.training import NETWORK_FEATURES, fit_polarity_network

    rng = np.random.default_rng(5)
    claims = rng.normal(size=(4000, 8)).astype(np.float32)
    sentences = rng.normal(size=(4000, 8)).astype(np.float32)
    claims /= np.linalg.norm(claims, axis=1, keepdims=True)
    sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
    # A rule that needs the claim: contradicts when the sentence's first channel has the opposite sign to
    # the claim's.
    contradicts = np.sign(sentences[:, 0]) != np.sign(claims[:, 0])
    stances = ["contradicts" if c else "supports" for c in contradicts]
    first = fit_polarity_network(claims, sentences, stances, units=16)
    second = fit_polarity_network(claims, sentences, stances, units=16)
    for a, b in zip((*first[0], first[1], first[2]), (*second[0], second[1], second[2]), strict=True):
        np.testing.assert_array_equal(a, b)
    hidden, weights, bias = first
    model = EmbeddingStanceModel(weights, bias, POLAR_LABELS, NETWORK_FEATURES, (1.0, 0.0), hidden)
    q = model.contradiction_odds(claims, sentences)
    assert np.mean((q >= 0.5) == contradicts) > 0.85  # the converted weights read as sklearn trained them


@pytest.mark.models
def test_stance_shipped_model_reads_aspect_praise_and_complaints_from_industries_it_never_saw(embedder):
    # data/aspect_more_*.jsonl: 384 claims in 64 industries other than the aspect cases', written like them
    # (the claim's aspect judged through one instance or a terse verdict, without the claim's words) and never
    # trained on. A few generic claims and terse verdicts ("Worth every penny.") also occur in the training
    # corpus: those pairs are left out, so every pair scored here is new to the model.
    trained = load_stance_pairs()
    seen = {item.claim for item in trained} | {item.text for item in trained}
    _, sample = split_pairs(load_stance_pairs(sorted(REPO_DATA.glob("aspect_more_*.jsonl"))))  # a fixed fifth
    sample = [item for item in sample if item.claim not in seen and item.text not in seen]
    assert len({item.claim for item in sample}) >= 50
    ours = evaluate_stance(select_stance_model("bundled"), embedder, sample)
    lexicon = evaluate_stance(LexiconStanceModel(), embedder, sample)
    assert ours["polar_accuracy"] > lexicon["polar_accuracy"] + 0.15


def test_read_in_context_blends_a_sentence_with_its_neighbours_in_the_same_review_only():
    vectors = np.eye(5, dtype=np.float32)
    reviews = np.array([0, 0, 0, 1, 2])  # review 0 has three sentences, reviews 1 and 2 one each
    read = read_in_context(vectors, reviews, np.array([0, 1, 2, 3, 4]))
    np.testing.assert_allclose(np.linalg.norm(read, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(read[3], vectors[3], atol=1e-6)  # alone in its review: its own vector
    assert read[1, 0] > 0 and read[1, 2] > 0 and read[1, 1] > read[1, 0]  # both neighbours, itself the most
    assert read[0, 1] > 0 and read[0, 2] == 0  # the window is one sentence either side
    assert read[2, 3] == 0 and read[3, 2] == 0  # never across reviews


def test_stance_in_context_takes_the_side_from_the_context_and_the_relevance_from_the_similarity():
    model = EmbeddingStanceModel.load()
    rng = np.random.default_rng(3)
    sentences = rng.normal(size=(20, model.width)).astype(np.float32)
    sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
    context = np.roll(sentences, 1, axis=0)
    claim = np.broadcast_to(sentences[0], sentences.shape)
    similarity = sentences @ sentences[0]
    alone = model.predict_proba(["c"] * 20, ["s"] * 20, claim, sentences)
    as_context = model.predict_proba(["c"] * 20, ["s"] * 20, claim, context)
    for claims in (claim, np.ascontiguousarray(claim)):  # the folded path (one claim broadcast) and the general one
        read = model.predict_proba_in_context(["c"] * 20, ["s"] * 20, claims, context, similarity)
        np.testing.assert_allclose(read[:, 2], alone[:, 2], atol=1e-5)  # relevance: the sentence's own cosine
        sided = read[:, 1] / (read[:, 0] + read[:, 1])
        np.testing.assert_allclose(sided, as_context[:, 1] / (as_context[:, 0] + as_context[:, 1]), atol=1e-4)
        same = model.predict_proba_in_context(["c"] * 20, ["s"] * 20, claims, sentences, similarity)
        np.testing.assert_allclose(same, alone, atol=1e-5)


def test_stance_judge_matches_reads_in_context_only_when_given_the_reviews():
    model = EmbeddingStanceModel.load()
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(6, model.width)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    matches = [[Match(i, float(vectors[i] @ vectors[0])) for i in (1, 3)]]  # similarity: the claim's cosine
    reviews = np.array([0, 0, 0, 1, 2, 2])
    texts = [str(i) for i in range(6)]
    alone = judge_matches(["c"], matches, texts, vectors[:1], vectors, model)[0]
    read = judge_matches(["c"], matches, texts, vectors[:1], vectors, model, reviews)[0]
    assert read.p_contradicts[0] != pytest.approx(alone.p_contradicts[0], abs=1e-4)  # sentence 1 has neighbours
    assert read.p_contradicts[1] == pytest.approx(alone.p_contradicts[1], abs=1e-5)  # sentence 3 is alone
    fixed = judge_matches(["c"], matches, texts, vectors[:1], vectors, FixedStance(), reviews)[0]
    assert fixed.p_contradicts.tolist() == pytest.approx([0.8, 0.8])  # a model without context still works


def _right(
    model: EmbeddingStanceModel,
    sample: list[LabelledPair],
    claim_vectors: np.ndarray,
    read: np.ndarray,
    similarity: np.ndarray,
) -> int:
    """How many of the sample's polar pairs the model reads on the right side from ``read``."""
    p = model.predict_proba_in_context([""] * len(sample), [""] * len(sample), claim_vectors, read, similarity)
    contradicts = np.array([item.stance == "contradicts" for item in sample])
    return int(((p[:, 1] > p[:, 0]) == contradicts).sum())


def _right_in_context(
    embedder, model: EmbeddingStanceModel, sample: list[LabelledPair], claim_vectors: np.ndarray, as_checked: bool
) -> int:
    """_right for each text's sentence most similar to its claim, read in context as check() reads it
    (``as_checked``) or as whole sentences in the whole text."""
    texts = [item.text for item in sample]
    vectors, _, windows, best = most_similar_sentences(embedder, texts, claim_vectors, as_checked=as_checked)
    similarity = np.einsum("ij,ij->i", vectors[best], claim_vectors)
    return _right(model, sample, claim_vectors, read_in_context(vectors, windows, best), similarity)


@pytest.mark.models
def test_stance_reads_a_sentence_better_with_its_neighbours_than_alone(embedder):
    # The multi-sentence texts of data/aspect_more_*.jsonl (never trained on), each judged as check() does:
    # its sentence most similar to the claim, read alone and read with the sentences either side of it.
    # All of them, not a fifth: on the 225 of the held-back fifth the margin was 6 to 8 texts, too few to
    # tell a real loss from a reshuffle of borderline texts.
    sample = load_stance_pairs(sorted(REPO_DATA.glob("aspect_more_*.jsonl")))
    sample = [item for item in sample if len(split_spans(item.text)) > 1]
    assert len(sample) >= 1000
    claim_vectors = embedder.encode([item.claim for item in sample])
    vectors, _, windows, best = most_similar_sentences(embedder, [item.text for item in sample], claim_vectors)
    similarity = np.einsum("ij,ij->i", vectors[best], claim_vectors)
    model = EmbeddingStanceModel.load()
    right = {
        way: _right(model, sample, claim_vectors, read, similarity)
        for way, read in (("alone", vectors[best]), ("in context", read_in_context(vectors, windows, best)))
    }
    # measured: 1,066 of 1,235 right in context, 994 alone (the single network before: 1,070 and 1,000)
    assert right["in context"] > right["alone"] + 0.04 * len(sample)


@pytest.mark.models
def test_stance_reads_a_sentence_that_turns_back_apart_from_the_praise_before_it(embedder, monkeypatch):
    # data/spec_test_1.jsonl (never trained on): product reviews of a claimed spec, half of them glad
    # reviews of a spec that failed ("Love the sound! The battery is closer to 5 hours though.") or unhappy
    # ones of a spec that held. Judged as check() does, in context: a sentence that sets itself against
    # the one before with an adverbial "however" or "though" is read without it.
    import alignment.stance as stance

    sample = load_stance_pairs(sorted(REPO_DATA.glob("spec_test_*.jsonl")))
    assert len(sample) == 320
    claim_vectors = embedder.encode([item.claim for item in sample])
    model = EmbeddingStanceModel.load()
    right = {}
    for breaks in (True, False):
        if not breaks:
            monkeypatch.setattr(stance, "_TURNS_BACK", re.compile(r"(?!)"))  # matches nothing
        right[breaks] = _right_in_context(embedder, model, sample, claim_vectors, as_checked=True)
    # measured: 197 of 320 right with the break, 182 without
    assert right[True] >= right[False] + 10


@pytest.mark.models
def test_stance_reads_mixed_texts_better_cut_into_clauses_that_are_read_apart(embedder):
    # The mixed test texts (data/stance_test_mixed_*.jsonl, never trained on; the fixed held-back fifth of
    # their claims) praise one thing and fault another, often in one sentence. Judged as check() does, the
    # unit most similar to the claim read in context: cut at the contrast, with the window broken there,
    # the clause about the claim's aspect decides the side, not the sentence or the clause before it.
    _, sample = split_pairs([item for item in load_stance_pairs(STANCE_TEST_MIXED) if item.stance != "neutral"])
    assert len(sample) >= 1000
    claim_vectors = embedder.encode([item.claim for item in sample])
    model = EmbeddingStanceModel.load()
    right = {
        as_checked: _right_in_context(embedder, model, sample, claim_vectors, as_checked)
        for as_checked in (False, True)
    }
    # measured: 882 of 1,269 right as checked, 819 as whole sentences read with the whole text
    assert right[True] > right[False] + 0.03 * len(sample)


def test_context_windows_break_at_a_contrast_and_at_each_new_review():
    texts = ["Great food", "but the service was slow.", "Never again.", "Lovely staff.", "However, cold soup."]
    windows = context_windows(np.array([0, 0, 0, 1, 1]), texts)
    assert windows.tolist() == [0, 1, 1, 2, 3]
    vectors = np.eye(5, dtype=np.float32)
    read = read_in_context(vectors, windows, np.arange(5))
    assert read[0, 1] == 0 and read[1, 0] == 0  # praise and the complaint after "but" are read apart
    assert read[1, 2] > 0 and read[2, 1] > 0  # "Never again." still carries the complaint before it


def test_context_windows_break_before_a_sentence_that_turns_back_with_however_or_though():
    texts = [
        "Gorgeous top, so soft!",
        "It runs a size small though.",
        "Size up.",
        "The colour, however, is darker than the photo.",
        "It feels as though it will last.",  # "as though" does not turn back
        "I can dress it up however I like.",  # nor does "however I like"
        "I thought it would fit.",  # nor "thought"
    ]
    windows = context_windows(np.zeros(len(texts), dtype=np.int64), texts)
    assert windows.tolist() == [0, 1, 1, 2, 2, 2, 2]


def test_stance_in_context_gives_the_same_judgements_when_read_in_several_blocks(monkeypatch):
    # A large re-check reads its matched sentences in context CONTEXT_BLOCK at a time; the blocks must not
    # change any judgement, only bound the memory.
    import alignment.stance as stance

    model = EmbeddingStanceModel.load()
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(40, model.width)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    reviews = np.repeat(np.arange(14), 3)[:40]
    matches = [
        [Match(int(i), float(vectors[i] @ vectors[c])) for i in rng.choice(40, 15, replace=False)] for c in range(3)
    ]
    texts = [str(i) for i in range(40)]
    whole = judge_matches(["a", "b", "c"], matches, texts, vectors[:3], vectors, model, reviews)
    monkeypatch.setattr(stance, "CONTEXT_BLOCK", 4)
    blocks = judge_matches(["a", "b", "c"], matches, texts, vectors[:3], vectors, model, reviews)
    for one, other in zip(whole, blocks, strict=True):
        assert one.sentence_index.tolist() == other.sentence_index.tolist()
        np.testing.assert_allclose(one.p_contradicts, other.p_contradicts, atol=1e-6)
        np.testing.assert_allclose(one.p_neutral, other.p_neutral, atol=1e-6)


def test_stance_keeps_the_context_reading_of_a_read_only_matrix_and_judges_as_it_would_read_anew():
    # The workspace serves a dataset's sentence matrix read-only; a re-check then reuses the sentences'
    # reading in context instead of reading them again, and must judge exactly as a fresh reading would.
    import alignment.stance as stance

    model = EmbeddingStanceModel.load()
    rng = np.random.default_rng(8)
    vectors = rng.normal(size=(40, model.width)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    reviews = np.repeat(np.arange(14), 3)[:40]
    texts = ["But it was slow." if i % 7 == 3 else f"Sentence {i}." for i in range(40)]  # some windows break
    matches = [
        [Match(int(i), float(vectors[i] @ vectors[c])) for i in rng.choice(40, 15, replace=False)] for c in range(3)
    ]
    fresh = judge_matches(["a", "b", "c"], matches, texts, vectors[:3], vectors, model, reviews)
    assert stance._kept_context(vectors, reviews, texts) is None  # a writable matrix is read per check
    served = vectors.copy()
    served.flags.writeable = False
    first = judge_matches(["a", "b", "c"], matches, texts, vectors[:3], served, model, reviews)
    kept = stance._kept_context(served, reviews, texts)
    assert kept is not None and stance._kept_context(served, reviews, texts) is kept  # read once, then reused
    again = judge_matches(["a", "b", "c"], matches, texts, vectors[:3], served, model, reviews)
    for one, other, third in zip(fresh, first, again, strict=True):
        assert one.sentence_index.tolist() == other.sentence_index.tolist() == third.sentence_index.tolist()
        np.testing.assert_allclose(one.p_contradicts, other.p_contradicts, atol=1e-6)
        np.testing.assert_allclose(one.p_supports, third.p_supports, atol=1e-6)
    other_matrix = served.copy()
    other_matrix.flags.writeable = False
    assert stance._kept_context(other_matrix, reviews, texts) is not kept  # another matrix: read anew
    del other_matrix  # the workspace let the dataset go: its reading goes too
    assert stance._kept is None


class _HashEmbedder:
    """A small fake embedder: a fixed unit vector per text, from its hash."""

    model_id = "hash-fake"  # the Embedder protocol's name for its vectors (embed_training_rows never reads it)

    def encode(self, texts, progress=None):
        rows = [np.random.default_rng(abs(hash(text)) % 2**32).normal(size=8) for text in texts]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), 8)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_training_rows_add_each_multi_sentence_text_read_in_context_as_check_reads_it():
    items = [
        LabelledPair("Fast delivery", "Arrived in two days.", "supports", "retail"),
        LabelledPair("Fast delivery", "Ordered Monday. Still waiting on Friday. Never again.", "contradicts", "retail"),
        LabelledPair("No hidden fees", "A fee I was never told about!", "contradicts", "banking"),
    ]
    embedder = _HashEmbedder()
    claims, texts, stances = embed_training_rows(embedder, items)
    assert len(claims) == len(texts) == len(stances) == 4  # three whole texts, one text of three sentences again
    assert stances == ["supports", "contradicts", "contradicts", "contradicts"]
    np.testing.assert_allclose(texts[:3], embedder.encode([item.text for item in items]))
    sentences = embedder.encode(["Ordered Monday.", "Still waiting on Friday.", "Never again."])
    claim = embedder.encode(["Fast delivery"])[0]
    np.testing.assert_allclose(claims[3], claim)
    best = int(np.argmax(sentences @ claim))
    expected = read_in_context(sentences, np.zeros(3, dtype=np.int64), np.array([best]))[0]
    np.testing.assert_allclose(texts[3], expected, atol=1e-6)


@pytest.mark.models
def test_stance_breach_queries_match_more_of_the_complaints_of_claims_never_trained_on(embedder):
    # A claim is worded as praise, so matching by it alone misses many of its complaints. Matched by the
    # claim or its breach query, more of them reach min_similarity, and they rank no worse among all the
    # held-back texts of the training corpus (claims and texts the breach map never saw).
    model = EmbeddingStanceModel.load()
    _, held = split_pairs(load_stance_pairs())
    texts = sorted({item.text for item in held})
    row = {text: i for i, text in enumerate(texts)}
    claims = sorted({item.claim for item in held})[:150]
    vectors, claim_vectors = embedder.encode(texts), embedder.encode(claims)
    queries = model.breach_queries(claim_vectors)
    assert queries is not None and queries.shape == claim_vectors.shape
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    recall: dict[str, list[np.floating]] = {"claim": [], "claim or breach": []}
    precision: dict[str, list[np.floating]] = {"claim": [], "claim or breach": []}
    for k, claim in enumerate(claims):
        own = np.zeros(len(texts), dtype=bool)
        own[[row[item.text] for item in held if item.claim == claim and item.stance == "contradicts"]] = True
        by_claim = vectors @ claim_vectors[k]
        for way, score in (("claim", by_claim), ("claim or breach", np.maximum(by_claim, vectors @ queries[k]))):
            recall[way].append((score[own] >= Config().min_similarity).mean())
            order = np.argsort(-score)[: own.sum()]
            precision[way].append(own[order].mean())  # R-precision: the claim's complaints among its top texts
    # measured: recall 0.515 -> 0.661, R-precision 0.218 -> 0.213
    assert np.mean(recall["claim or breach"]) > np.mean(recall["claim"]) + 0.08
    assert np.mean(precision["claim or breach"]) >= np.mean(precision["claim"]) - 0.01


def test_stance_model_reads_an_embedders_vectors_with_its_offset_and_keeps_it_when_saved(tmp_path):
    from alignment.training import save_stance

    rng = np.random.default_rng(5)
    width = 8
    weights = rng.normal(size=(2 * width + 1, 2)).astype(np.float32)
    offsets = {"int8-model": 0.7}
    model = EmbeddingStanceModel(
        weights, np.zeros(2, np.float32), ("supports", "contradicts"), "claim-aware", (10, -3), None, None, offsets
    )
    claims, sentences = rng.normal(size=(30, width)), rng.normal(size=(30, width))
    claims /= np.linalg.norm(claims, axis=1, keepdims=True)
    sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
    assert model.for_embedder("exact-model") is model  # no offset: read as it is
    shifted = model.for_embedder("int8-model")
    q, q_shifted = model.contradiction_odds(claims, sentences), shifted.contradiction_odds(claims, sentences)
    logit = np.log(q / (1 - q))
    np.testing.assert_allclose(np.log(q_shifted / (1 - q_shifted)) - logit, 0.7, atol=1e-4)
    np.testing.assert_allclose(model.contradiction_odds(claims, sentences), q)  # the original is untouched
    save_stance(model, tmp_path / "stance.npz")
    assert EmbeddingStanceModel.load(tmp_path / "stance.npz").embedder_offsets == offsets


def test_judge_claims_reads_each_embedders_vectors_with_the_models_offset_for_it():
    import pandas as pd

    from alignment.ingest import load_reviews
    from alignment.pipeline import judge_claims
    from alignment.records import Claim, Judgements

    class Fake:
        model_id = "int8-model"

        def encode(self, texts, progress=None):
            vectors = np.array([[1.0, 0.2 * (len(t) % 3), 0.1 * t.count("o")] for t in texts], dtype=np.float32)
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    rng = np.random.default_rng(2)
    weights = rng.normal(size=(7, 2)).astype(np.float32)
    plain = EmbeddingStanceModel(weights, np.zeros(2, np.float32), ("supports", "contradicts"), "claim-aware", (5, 0))
    offsets = {"int8-model": 2.0}
    offset = EmbeddingStanceModel(
        weights, np.zeros(2, np.float32), ("supports", "contradicts"), "claim-aware", (5, 0), None, None, offsets
    )
    reviews = load_reviews(pd.DataFrame({"text": ["Calls drop.", "Good coverage too.", "Slow support."]}))
    claims = [Claim("c1", "a", "Reliable calls", 0, 14, "calls", "qualitative")]
    config = Config(min_similarity=-1.0)
    # judge_claims keeps each claim's judgements as the arrays of Judgements
    before = cast(Judgements, judge_claims(claims, reviews, config, Fake(), plain)[0].judgements)
    after = cast(Judgements, judge_claims(claims, reviews, config, Fake(), offset)[0].judgements)
    q_before = np.asarray(before.p_contradicts) / (np.asarray(before.p_contradicts) + np.asarray(before.p_supports))
    q_after = np.asarray(after.p_contradicts) / (np.asarray(after.p_contradicts) + np.asarray(after.p_supports))
    np.testing.assert_allclose(np.log(q_after / (1 - q_after)) - np.log(q_before / (1 - q_before)), 2.0, atol=1e-3)
