"""check()'s Python inputs: claims without ads, DataFrames with unusual column names, one segment column.

A fake embedder and stance model stand in for the bundled ones: these tests are about the inputs.
"""

from __future__ import annotations

import io
import json

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


def test_check_reads_claims_given_as_a_generator_once(reviews_frame, nlp):
    wanted = ["  No hidden fees ", "Calls never drop"]
    report = _check(claims=(text.strip() for text in wanted), reviews=reviews_frame, nlp=nlp)
    assert [result.claim.text for result in report.claims] == ["No hidden fees", "Calls never drop"]


def test_check_names_the_blank_claims_it_skips_in_a_note(reviews_frame, nlp):
    report = _check(claims=iter(["No hidden fees", "  ", "Calls never drop", ""]), reviews=reviews_frame, nlp=nlp)
    assert [result.claim.claim_id for result in report.claims] == ["c1", "c2"]
    assert report.notes[0] == (
        "Skipped 2 blank claims in claims (positions 2, 4, counting from 1); the 2 others were checked."
    )
    assert not any("blank" in note for note in _check(claims=["No hidden fees"], reviews=reviews_frame).notes)


@pytest.mark.parametrize(
    ("claims", "said"),
    [
        ([1, 2], r"^claims must be a list of strings or of Claim records, not of int 1\.$"),
        ([None], r"^claims must be a list of strings or of Claim records, not of NoneType\.$"),
        (
            ["No hidden fees", *CLAIMS],
            r"^claims must be a list of strings or of Claim records, not a mix of the two\.$",
        ),
    ],
)
def test_check_says_what_is_wrong_with_claims_that_are_not_text(reviews_frame, claims, said):
    with pytest.raises(InputError, match=said):
        _check(claims=claims, reviews=reviews_frame)


@pytest.mark.parametrize("claims", [[], ["", "   "]])
def test_check_refuses_claims_with_nothing_in_them(reviews_frame, claims):
    with pytest.raises(InputError, match=r"^claims is empty: give at least one claim"):
        _check(claims=claims, reviews=reviews_frame)


@pytest.mark.parametrize(
    ("part", "value", "said"),
    [
        ("config", {"min_evidence": 5}, r"^config must be an alignment\.Config.*not dict\. Build one from a dict"),
        ("embedder", object(), r"^embedder must have an encode\(texts\) method"),
        ("stance_model", 42, r"^stance_model must have a predict_proba method, not int 42"),
        ("stance_model", "sentiment", r"^Unknown stance model 'sentiment'"),
        ("nlp", "en_core_web_sm", r"^nlp must be a loaded spaCy pipeline .*not str 'en_core_web_sm'"),
        ("progress", True, r"^progress must have start, advance and finish methods"),
    ],
)
def test_check_says_in_one_line_what_a_wrong_part_must_be(reviews_frame, part, value, said):
    parts = {"config": EVERY_SENTENCE, "embedder": _FakeEmbedder(), "stance_model": _EvenStance(), part: value}
    with pytest.raises(InputError, match=said) as error:
        check(claims=CLAIMS, reviews=reviews_frame, **parts)
    assert "\n" not in str(error.value)


def test_check_takes_a_stance_model_by_name_and_records_it(reviews_frame):
    report = check(
        claims=CLAIMS, reviews=reviews_frame, config=EVERY_SENTENCE, embedder=_FakeEmbedder(), stance_model="lexicon"
    )
    assert report.claims[0].score.mentions > 0
    assert report.config.stance_model == "lexicon"  # the judge that read the evidence, not the config's default


def test_a_report_names_a_stance_model_of_the_users_own(reviews_frame):
    report = check(
        claims=CLAIMS,
        reviews=reviews_frame,
        config=EVERY_SENTENCE,
        embedder=_FakeEmbedder(),
        stance_model=_EvenStance(),
    )
    assert report.config.stance_model == "even"  # its name


def test_check_takes_an_embedder_with_only_encode_of_texts(reviews_frame):
    class Bare:  # no model_id, and an encode without progress
        def __init__(self) -> None:
            self.calls = 0

        def encode(self, texts):
            self.calls += 1
            return _FakeEmbedder().encode(texts).tolist()  # a list of lists is read as a matrix

    bare = Bare()
    seen: list[int] = []

    class Counting:
        def start(self, stage, total):
            pass

        def advance(self, done):
            seen.append(done)

        def finish(self):
            pass

    report = check(
        claims=CLAIMS,
        reviews=reviews_frame,
        config=EVERY_SENTENCE,
        embedder=bare,
        stance_model=_EvenStance(),
        progress=Counting(),
    )
    assert bare.calls >= 2 and report.claims[0].score.mentions > 0
    assert sum(seen) == report.dataset.sentences  # progress is told after each call the embedder cannot tell


def test_check_reads_the_named_sheet_of_a_workbook(tmp_path, reviews_frame):
    path = tmp_path / "reviews.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Metric": ["Reviews"], "Value": [8]}).to_excel(writer, sheet_name="Summary", index=False)
        reviews_frame.to_excel(writer, sheet_name="Reviews", index=False)
    report = _check(claims=CLAIMS, reviews=path, sheet="Reviews")
    assert report.dataset.rows == len(reviews_frame) and report.dataset.columns["text"] == "text"


# Copy as callers give it: indented, CRLF line ends, HTML (a page, and fragments in a list or a table) and
# HTML's character references in plain text. The report's claim offsets index the ad texts it lists.
VARIED_COPY = {
    "plain string": (
        "  \tNo hidden fees, ever.\r\n\r\nSave up to 15% when you bundle home &amp; auto.\r\n"
        "Claims paid in 48 hours or less, guaranteed.\n\n\n  Fast 5G in every city.  "
    ),
    "html string": (
        "<h1>Ship faster</h1><ul><li>99.99% uptime SLA</li><li>Setup in under 10 minutes</li></ul>"
        "<p>Cancel anytime &mdash; no questions asked.</p>"
    ),
    "list": [
        "   Free shipping on all orders.",
        "\tNo hidden fees.",
        "<p>Free <b>installation</b> and <i>no contracts</i>.</p><p>Loved by 10,000+ teams.</p>",
        "Fast &amp; friendly service, 24/7. We&#39;re open late on Fridays.",
    ],
    "frame": pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": [
                "\n\nNo hidden fees.",
                "Claims paid in 48 hours &#8211; guaranteed.",
                "<div>Unlimited data</div><div>Free <em>5G</em> in every city</div>",
            ],
        }
    ),
}


@pytest.mark.parametrize("form", list(VARIED_COPY))
def test_check_report_json_lists_the_ads_its_claim_offsets_index(reviews_frame, nlp, form):
    data = json.loads(_check(ads=VARIED_COPY[form], reviews=reviews_frame, nlp=nlp).to_json())
    ads = {ad["ad_id"]: ad["text"] for ad in data["ads"]}
    assert len(ads) == len(data["ads"]) and data["claims"]
    for claim in data["claims"] + data["possible_claims"]:
        assert ads[claim["ad_id"]][claim["start"] : claim["end"]] == claim["text"]
    for text in ads.values():
        assert text == text.strip() and "<" not in text and "&" not in text.replace("& ", "")


def test_check_reads_html_ads_of_a_list_or_frame_as_a_string_of_copy_is_read(reviews_frame, nlp):
    html = "<p>No hidden <b>fees</b>.</p><p>Free installation<sup>*</sup> on every plan.</p>"
    for ads in ([html], pd.DataFrame({"text": [html]})):
        report = _check(ads=ads, reviews=reviews_frame, nlp=nlp)
        assert [ad.text for ad in report.ads or ()] == ["No hidden fees.\n\nFree installation on every plan."]
        assert "No hidden fees" in [result.claim.text for result in report.claims]


def test_check_reads_character_references_in_plain_copy_before_finding_claims(reviews_frame, nlp):
    report = _check(ads="Save up to 15% when you bundle home &amp; auto.", reviews=reviews_frame, nlp=nlp)
    assert [ad.text for ad in report.ads or ()] == ["Save up to 15% when you bundle home & auto."]
    assert [result.claim.text for result in report.claims] == ["Save up to 15% when you bundle home & auto"]


def test_check_of_claims_given_verbatim_lists_no_ads(reviews_frame):
    data = _check(claims=CLAIMS, reviews=reviews_frame).to_dict()
    assert "ads" not in data and "possible_claims" not in data


class _Returning:
    """An embedder whose encode returns what ``make(texts)`` gives."""

    def __init__(self, make):  # type: ignore[no-untyped-def]
        self.make = make

    def encode(self, texts):
        return self.make(texts)


def _unit(texts, width=8):  # type: ignore[no-untyped-def]
    return _FakeEmbedder().encode(texts)[:, :width]


def _with_nan(texts):  # type: ignore[no-untyped-def]
    vectors = _unit(texts)
    vectors[0, 0] = np.nan
    return vectors


def _narrower_for_claims(texts):  # type: ignore[no-untyped-def]
    return _unit(texts, 8 if len(texts) > 1 else 6)  # the one claim comes after the sentences


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda texts: _unit(texts)[:-1], r"gave vectors of shape \(\d+, 8\) for \d+ texts; .* one row per text"),
        (lambda texts: [["a"] * 8 for _ in texts], r"returned list, not an array of numbers"),
        (_with_nan, r"gave NaN or infinite values for 1 of \d+ texts"),
        (lambda texts: np.zeros((len(texts), 8)), r"gave all-zero vectors for \d+ of \d+ texts"),
        (_narrower_for_claims, r"gave 6-dimensional vectors after 8-dimensional ones"),
    ],
)
def test_check_refuses_vectors_of_the_wrong_kind_from_a_custom_embedder_in_one_line(reviews_frame, make, said):
    with pytest.raises(InputError, match=r"^The embedder _Returning " + said) as error:
        check(claims=CLAIMS, reviews=reviews_frame, config=EVERY_SENTENCE, embedder=_Returning(make))
    assert "\n" not in str(error.value)


def test_check_scales_a_custom_embedders_vectors_to_unit_length(reviews_frame):
    scaled = check(
        claims=CLAIMS,
        reviews=reviews_frame,
        config=EVERY_SENTENCE,
        embedder=_Returning(lambda texts: 5.0 * _unit(texts)),
        stance_model=_EvenStance(),
    )
    unit = check(
        claims=CLAIMS,
        reviews=reviews_frame,
        config=EVERY_SENTENCE,
        embedder=_Returning(_unit),
        stance_model=_EvenStance(),
    )
    assert scaled.claims_frame().equals(unit.claims_frame())


def test_check_refuses_vectors_the_bundled_stance_model_cannot_read_naming_both_widths(reviews_frame):
    with pytest.raises(InputError, match=r"gives 8-dimensional vectors, but the bundled stance model reads 384-"):
        check(claims=CLAIMS, reviews=reviews_frame, config=EVERY_SENTENCE, embedder=_FakeEmbedder())


class _StanceReturning:
    name = "returning"

    def __init__(self, make):  # type: ignore[no-untyped-def]
        self.make = make

    def predict_proba(self, claim_texts, sentence_texts, claim_vectors, sentence_vectors):
        return self.make(len(sentence_texts))


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda n: np.array([[2.0, -1.0]]), r"gave predict_proba output of shape \(1, 2\) for \d+ claim-sentence"),
        (lambda n: np.full((n, 3), 4.0), r"gave values outside 0 to 1 \(or NaN\) from predict_proba"),
        (lambda n: np.full((n, 3), np.nan), r"gave values outside 0 to 1 \(or NaN\) from predict_proba"),
        (lambda n: None, r"gave predict_proba output of shape \(\) for"),
    ],
)
def test_check_refuses_the_output_of_a_wrong_stance_model_in_one_line(reviews_frame, make, said):
    with pytest.raises(InputError, match=r"^The stance model returning " + said) as error:
        check(
            claims=CLAIMS,
            reviews=reviews_frame,
            config=EVERY_SENTENCE,
            embedder=_FakeEmbedder(),
            stance_model=_StanceReturning(make),
        )
    assert "\n" not in str(error.value)
