"""Claim extraction: rules on hand-built Docs, and the real en_core_web_sm pipeline on ad copy."""

from __future__ import annotations

import itertools

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from alignment.claims import claims_from_lines, classify_claim, extract_claims
from alignment.records import CLAIM_TYPES, Ad


def _doc(words: list[str], tags: list[str]) -> Doc:
    return Doc(Vocab(), words=words, tags=tags)


@pytest.mark.parametrize(
    ("words", "tags", "expected"),
    [
        (["Fewer", "dropped", "calls"], ["JJR", "VBN", "NNS"], "comparative"),
        (["The", "best", "network"], ["DT", "JJS", "NN"], "superlative"),
        (["Ships", "in", "24", "hours"], ["VBZ", "IN", "CD", "NNS"], "quantitative"),
        (["Lifetime", "warranty"], ["NN", "NN"], "guarantee"),
        (["No", "hidden", "fees"], ["DT", "JJ", "NNS"], "absolute"),
        (["Friendly", "staff"], ["JJ", "NNS"], "qualitative"),
        (["30-day", "money-back", "guarantee"], ["JJ", "JJ", "NN"], "quantitative"),
    ],
)
def test_claims_type_follows_guideline_precedence(words, tags, expected):
    assert classify_claim(_doc(words, tags)[:]) == expected


@pytest.mark.models
def test_claims_extracts_promises_and_leaves_out_cta_discount_and_slogan(nlp):
    ad = Ad(
        "a1",
        "Fewer dropped calls than any other network. No hidden fees, ever. "
        "Get 20% off your first three months. Switch today. Brightwave. Live brighter.",
    )
    claims = extract_claims([ad], nlp)
    texts = [c.text for c in claims]
    assert any("fewer dropped calls" in t.lower() for t in texts)
    assert any("no hidden fees" in t.lower() for t in texts)
    assert not any("20% off" in t for t in texts)
    assert not any("Switch today" in t for t in texts)
    assert not any("brighter" in t for t in texts)


@pytest.mark.models
def test_claims_text_is_exact_substring_and_claims_do_not_overlap(nlp):
    ads = [
        Ad("x", "Free delivery and 30-day returns. ✓ Real humans 24/7 ✓ Cancel anytime | Shop now"),
        Ad("y", "Last Chance! FREE gift on $60+ orders. No code needed."),
        Ad("z", "Just do it."),
    ]
    claims = extract_claims(ads, nlp)
    by_ad = {ad.ad_id: ad.text for ad in ads}
    for claim in claims:
        assert by_ad[claim.ad_id][claim.start : claim.end] == claim.text
        assert claim.type in CLAIM_TYPES
        assert claim.aspect
    for ad_id in by_ad:
        spans = sorted((c.start, c.end) for c in claims if c.ad_id == ad_id)
        assert all(prev_end <= start for (_, prev_end), (start, _) in itertools.pairwise(spans))
    assert not [c for c in claims if c.ad_id == "z"]
    x_texts = [c.text for c in claims if c.ad_id == "x"]
    assert "Free delivery" in x_texts and "30-day returns" in x_texts  # one claim per promise
    assert {"FREE gift on $60+ orders", "No code needed"} <= {c.text for c in claims if c.ad_id == "y"}


@pytest.mark.models
def test_claims_limit_bounds_the_number_extracted(nlp):
    ads = [Ad(f"a{i}", "Free delivery. No hidden fees. Friendly staff.") for i in range(5)]
    assert len(extract_claims(ads, nlp, limit=4)) == 4


@pytest.mark.models
def test_claims_from_lines_keeps_each_line_verbatim(nlp):
    claims = claims_from_lines(["  Our flights leave on time. ", "", "No hidden fees"], nlp)
    assert [c.text for c in claims] == ["Our flights leave on time.", "No hidden fees"]
    assert claims[1].type == "absolute"
    assert [c.claim_id for c in claims] == ["c1", "c2"]
