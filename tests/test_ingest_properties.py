"""Property tests: the readers turn any bytes into reviews or a one-line InputError, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment.errors import InputError
from alignment.ingest import load_reviews

# the surrogate code points (they cannot be encoded as UTF-8), typed as hypothesis' category names
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
csv_like = st.one_of(
    st.binary(max_size=400),
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=SURROGATES), max_size=20), min_size=1, max_size=4),
        max_size=8,
    ).map(lambda rows: "\n".join(",".join(cells) for cells in rows).encode("utf-8")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=csv_like, suffix=st.sampled_from([".csv", ".tsv", ".json", ".jsonl"]))
def test_ingest_any_bytes_give_reviews_or_a_one_line_input_error(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"reviews{suffix}"
        path.write_bytes(data)
        try:
            loaded = load_reviews(path)
        except InputError as error:
            message = str(error)
            assert message and "\n" not in message.strip()
        else:
            assert loaded.summary.reviews == len(loaded.reviews) > 0
            for sentence in loaded.sentences:
                review = loaded.reviews[sentence.review_index]
                assert review.text[sentence.start : sentence.end] == sentence.text
