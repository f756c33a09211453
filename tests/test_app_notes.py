"""What the app says in Markdown: the library's notes worded for the app (not the command line), folded when
there are many, and user text escaped so it shows literally. No models: the notes are built from records."""

from __future__ import annotations

import re

import pytest
from conftest import SPANISH_REVIEWS
from streamlit.testing.v1 import AppTest

from alignment.config import Config
from alignment.pipeline import check_notes
from alignment.ratings import RatingPrior
from alignment.records import Claim, ClaimResult, ClaimScore, Judgement
from alignment.ui.notes import app_note
from alignment.ui.text import md

CLAIM = "Delivered in 30 minutes or less ${7*7} {{7*7}}"
SPANISH = SPANISH_REVIEWS
# What only the command line or Python understands.
CLI_WORDS = re.compile(r"--[a-z]|Config\(|min_similarity|max_claims|\bAUC\b")


def _every_note() -> dict[str, str]:
    """One note of each kind check_notes writes, by kind, from a claim whose 200 matches say "It took 75
    minutes." (three of them under the threshold) in a dataset of 600 sentences that reads as Spanish."""
    judgements = tuple(
        Judgement(index, 0.28 if index < 3 else 0.5, "contradicts", 0.1, 0.8, 0.1) for index in range(200)
    )
    claim = Claim("c1", "ad1", CLAIM, 0, len(CLAIM), "delivery", "quantitative")
    result = ClaimResult(claim, ClaimScore(200, 0, 200, 0, -1.0, (-1.0, -0.9), "high"), judgements)
    prior = RatingPrior((17.0, 1.2, 0.12), 1673, reader_sentences=1198, reader_auc=0.75)
    notes = check_notes(
        [result],
        600,
        Config(),
        truncated=True,
        rating_prior=prior,
        sentence_texts=["It took 75 minutes."] * 200,
        review_texts=SPANISH,
    )
    kinds = ["language", "truncated", "broad", "relative", "amounts", "ratings"]
    assert len(notes) == len(kinds), notes  # a new kind of note: teach alignment.ui.notes its hint, then here
    unmatched = ClaimResult(claim, ClaimScore(0, 0, 0, 0, None, None, "insufficient evidence"), ())
    return {
        **dict(zip(kinds, notes, strict=True)),
        "no claims": check_notes([], 600, Config())[0],
        "unmatched": check_notes([unmatched], 600, Config())[0],
    }


def test_every_library_note_is_worded_for_the_apps_check_settings():
    notes = _every_note()
    worded = {kind: app_note(note) for kind, note in notes.items()}
    for kind, note in worded.items():
        assert not CLI_WORDS.search(note), (kind, note)
    assert CLI_WORDS.search(notes["relative"]) and CLI_WORDS.search(notes["ratings"])  # the library's own wording
    assert worded["relative"].startswith("Matched under the relevance threshold 0.30")
    assert (
        "Turn off “Match abstract claims relative to the dataset” in the sidebar's Check settings"
        in (worded["relative"])
    )
    assert "raise the “Relevance threshold” in the sidebar's Check settings (now 0.30" in worded["broad"]
    assert "turn off “Read amounts against promised quantities” in the sidebar's Check settings" in (worded["amounts"])
    assert "turn off “Weigh stance by star ratings” in the sidebar's Check settings." in worded["ratings"]
    assert "picks the low-rated one 75% of the time (50% would be chance)" in worded["ratings"]
    assert worded["truncated"] == "Only the first 500 claims were checked (the most one check takes)."
    assert "Lower the “Relevance threshold” in the sidebar's Check settings" in worded["unmatched"]
    # what needs no rewording is left as it was, and the claims are quoted as written
    assert worded["language"] == notes["language"] and worded["no claims"] == notes["no claims"]
    assert all(f"“{CLAIM}”" in worded[kind] for kind in ("broad", "relative", "amounts"))


def test_the_run_comparisons_note_on_rating_weighing_names_the_apps_setting():
    from alignment.compare import RATINGS_WEIGHED_NOTE

    worded = app_note(RATINGS_WEIGHED_NOTE)
    assert not CLI_WORDS.search(worded) and "with “Weigh stance by star ratings” off" in worded


def test_the_settings_a_note_names_are_the_sidebars_controls():
    worded = " ".join(app_note(note) for note in _every_note().values())
    named = set(re.findall(r"“([^”]+)” in the sidebar's Check settings", worded))
    assert len(named) == 4
    app = AppTest.from_function(_sidebar, default_timeout=60).run()
    assert not app.exception
    labels = [str(getattr(widget, "label", "")) for kind in ("slider", "checkbox") for widget in app.sidebar.get(kind)]
    for name in named:
        assert any(label.startswith(name) for label in labels), (name, labels)


def _sidebar() -> None:
    import streamlit as st

    from alignment.ingest import ColumnMapping
    from alignment.ui import common
    from alignment.ui.uploads import build_dataset, read_dataset_upload

    if "aln_datasets" not in st.session_state:  # a tiny dataset and no copy: nothing loads a model
        table = read_dataset_upload(b"id,text\n1,Calls drop.\n", "tiny.csv")
        dataset = build_dataset(table, ColumnMapping(text="text", id="id"))
        st.session_state["aln_datasets"] = {dataset.key: dataset}
        st.session_state["aln_active_dataset"] = dataset.key
        st.session_state["aln_rows"] = []
    common.render_sidebar()


def _notes_page(notes: list[str]) -> None:
    from alignment.ui import common

    common.show_notes(notes)


def test_notes_after_the_first_fold_into_an_expander():
    notes = [f"Note {number} on “{CLAIM}”." for number in range(1, 5)]
    app = AppTest.from_function(_notes_page, args=(notes,)).run()
    assert not app.exception
    (expander,) = app.expander
    assert expander.label == "3 more notes on this check"
    assert [element.value for element in expander.info] == [md(note) for note in notes[1:]]
    assert [element.value for element in app.info] == [md(note) for note in notes]  # the first outside it
    two = AppTest.from_function(_notes_page, args=(notes[:2],)).run()
    assert [e.label for e in two.expander] == ["1 more note on this check"] and len(two.expander[0].info) == 1
    one = AppTest.from_function(_notes_page, args=(notes[:1],)).run()
    assert not one.expander and [element.value for element in one.info] == [md(notes[0])]


@pytest.mark.parametrize(
    "text",
    [
        "${7*7} {{7*7}}",
        "*not italic* _nor this_ **nor bold** ~~struck~~ `code`",
        "<b>a tag</b> &amp; [a link](http://x) ![img](x.png) :red[not red] a|b",
        "1. not a list\n- nor this\n# nor a heading\n> nor a quote\n\\ a backslash",
    ],
)
def test_user_text_escaped_for_markdown_reads_back_literally(text):
    markdown_it = pytest.importorskip("markdown_it")
    import html

    rendered = markdown_it.MarkdownIt("commonmark").enable("strikethrough").enable("table").render(md(text))
    inner = re.sub(r"^<p>|</p>\n$", "", rendered)
    assert "<" not in inner, rendered  # no markup: the text is one paragraph of plain text
    assert html.unescape(inner) == text, rendered
    # Streamlit's own extensions: LaTeX between dollars and :colour[...] directives need the escapes too
    escaped = md(text)
    assert "$" not in escaped.replace("\\$", "") and ":red[" not in escaped


def test_input_errors_on_the_datasets_page_name_the_mapping_form_not_command_line_options():
    import pandas as pd

    from alignment.errors import InputError
    from alignment.ingest import load_reviews
    from alignment.ui.notes import app_message

    numbers = pd.DataFrame({"order_id": ["1001", "1002", "1003"], "amount": ["9.99", "4.50", "3.20"]})
    with pytest.raises(InputError) as caught:
        load_reviews(numbers, text_column="order_id")
    worded = app_message(str(caught.value))
    assert "--text-column" not in worded and "text_column=" not in worded
    assert "“Review text”" in worded
