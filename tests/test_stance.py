"""Stance: the shipped model loads, judges obvious cases, is swappable, and beats the lexicon baseline."""

from __future__ import annotations

import numpy as np
import pytest

from alignment.errors import InputError
from alignment.records import Match
from alignment.stance import (
    STANCE_MODEL_FILE,
    EmbeddingStanceModel,
    LexiconStanceModel,
    judge_matches,
    select_stance_model,
)
from alignment.training import accuracy, load_stance_corpus, split_corpus


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
    assert model.weights.shape[1] == 3 and model.bias.shape == (3,)


@pytest.mark.models
def test_stance_shipped_model_reads_obvious_experiences(embedder):
    model = select_stance_model("bundled")
    texts = [
        "Haven't had a single dropped call since I switched.",
        "Waited 3 hours on hold and nobody ever picked up.",
        "What time does the store open on Sunday?",
    ]
    vectors = embedder.encode(texts)
    labels = model.predict_proba([], texts, np.zeros_like(vectors), vectors).argmax(axis=1).tolist()
    assert labels == [0, 1, 2]


@pytest.mark.models
def test_stance_shipped_model_beats_lexicon_on_held_back_project_data(embedder):
    _, held = split_corpus(load_stance_corpus())
    assert len(held) > 100
    texts = [item.text for item in held]
    stances = [item.stance for item in held]
    vectors = embedder.encode(texts)
    empty = np.zeros_like(vectors)
    ours = accuracy(select_stance_model("bundled").predict_proba([], texts, empty, vectors), stances)
    lexicon = accuracy(LexiconStanceModel().predict_proba([], texts, empty, vectors), stances)
    assert ours > lexicon + 0.1
