"""Property tests: claim extraction holds for arbitrary text (never raises, exact offsets, no overlaps)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment.claims import extract_claims
from alignment.records import CLAIM_TYPES, Ad

pytestmark = pytest.mark.models

ad_words = st.sampled_from(
    [
        "Free",
        "delivery",
        "no",
        "hidden",
        "fees",
        "Best",
        "network",
        "24/7",
        "support",
        "30-day",
        "guarantee",
        "Shop",
        "now",
        "20%",
        "off",
        "fewer",
        "dropped",
        "calls",
        "than",
        "ever",
        "!",
        "?",
        ".",
        ",",
        "-",
        "|",
        "✓",
        "\n",
        "🙂",
        "<script>",
        "&",
        "$9.99",
        "#deal",
        "@brand",
        "faster",
        "easy",
        "set",
        "up",
        "in",
        "minutes",
    ]
)
ad_text = st.one_of(
    st.text(max_size=300),
    st.lists(ad_words, max_size=60).map(" ".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ad_text)
def test_claims_extraction_never_raises_and_spans_are_exact_and_disjoint(nlp, text):
    claims = extract_claims([Ad("a", text)], nlp)
    spans = sorted((c.start, c.end) for c in claims)
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text
        assert claim.text.strip() == claim.text and claim.text
        assert claim.type in CLAIM_TYPES
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
