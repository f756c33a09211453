"""check()'s Python inputs: claims without ads, DataFrames with unusual column names, one segment column.

A fake embedder and stance model stand in for the bundled ones: these tests are about the inputs.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from alignment import Config, InputError, check
from alignment.records import Claim

CLAIMS = [Claim("c1", "manual", "No hidden fees", 0, 14, "hidden fees", "absolute")]
EVERY_SENTENCE = Config(min_similarity=-1.0)  # with random vectors, match every sentence


class _FakeEmbedder:
    model_id = "fake-model"

    def encode(self, texts, progress=None):
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
        if progress is not None:
            progress(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class _EvenStance:
    name = "even"

    def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
        return np.tile(np.array([[0.6, 0.3, 0.1]], dtype=np.float32), (len(sentence_texts), 1))


def _check(**arguments):  # type: ignore[no-untyped-def]
    return check(config=EVERY_SENTENCE, embedder=_FakeEmbedder(), stance_model=_EvenStance(), **arguments)


def test_check_takes_claims_and_reviews_by_keyword_without_ads(reviews_frame):
    report = _check(claims=CLAIMS, reviews=reviews_frame)
    assert [result.claim.text for result in report.claims] == ["No hidden fees"]
    assert report.claims[0].score.mentions > 0


def test_check_without_reviews_or_without_claims_says_what_to_give(reviews_frame):
    with pytest.raises(InputError, match="Give the reviews"):
        _check(claims=CLAIMS)
    with pytest.raises(InputError, match=r"either ad copy \(ads\) or a list of claims"):
        _check(reviews=reviews_frame)


def test_check_reads_a_frame_with_numbered_columns_as_read_csv_without_a_header_gives():
    text = "r1,Got charged a hidden fee on my first bill.\nr2,No surprise charges at all in a year of service.\n"
    frame = pd.read_csv(io.StringIO(text), header=None)
    assert list(frame.columns) == [0, 1]
    detected = _check(claims=CLAIMS, reviews=frame)
    assert detected.dataset.columns["text"] == "1" and detected.dataset.reviews == 2
    named = _check(claims=CLAIMS, reviews=frame, text_column=1, id_column="0")
    assert named.dataset.columns["text"] == "1" and named.dataset.columns["id"] == "0"
    assert {review.review_id for review in named.reviews} == {"r1", "r2"}
    assert list(frame.columns) == [0, 1]  # the caller's frame is left as it was


def test_check_refuses_a_frame_with_a_repeated_column_name_naming_it(reviews_frame):
    frame = reviews_frame[["review_id", "text", "text"]]
    with pytest.raises(InputError) as raised:
        _check(claims=CLAIMS, reviews=frame)
    message = str(raised.value)
    assert "more than one column named 'text'" in message and "own name" in message
    assert "\n" not in message


def test_check_takes_one_segment_column_as_a_string(reviews_frame):
    report = _check(claims=CLAIMS, reviews=reviews_frame, segment_columns="region")
    assert report.dataset.columns["segments"] == ["region"]
