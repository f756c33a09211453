"""The library's notes on a check, worded for the app.

alignment.pipeline writes its notes for the command line and Python ("min_similarity 0.30",
"--no-relative-match", "Config(rating_prior=False)"). In the app the same settings are the controls of the
sidebar's Check settings, so the how-to-change part of each known note is rewritten to name them. A note this
module does not know passes through unchanged. No Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

SETTINGS = "the sidebar's Check settings"
THRESHOLD = "“Relevance threshold”"
RELATIVE = "“Match abstract claims relative to the dataset”"
QUANTITIES = "“Read amounts against promised quantities”"
RATINGS = "“Weigh stance by star ratings”"


def _reader_skill(match: re.Match[str]) -> str:
    """AUC in words: how often the reader ranks a low-rated review's sentence above a high-rated one's."""
    auc = float(match.group(1))
    return (
        f", which, given one sentence from a low-rated review and one from a high-rated review, picks the "
        f"low-rated one {auc:.0%} of the time (50% would be chance)"
    )


# (pattern in the library's note, its app wording): one pair per CLI/Python hint the library writes.
_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # check_notes, when the copy held more claims than max_claims
    (
        re.compile(r"Only the first ([\d,]+) claims were checked \(max_claims\)\."),
        r"Only the first \1 claims were checked (the most one check takes).",
    ),
    # relative_match_note
    (re.compile(r"\bMatched under min_similarity ([\d.]+)"), r"Matched under the relevance threshold \1"),
    (
        re.compile(r"Turn relative matching off \(--no-relative-match, or in the app's settings\) to match at"),
        f"Turn off {RELATIVE} in {SETTINGS} to match at",
    ),
    # broad_match_note
    (re.compile(r"raise the similarity threshold \(now"), f"raise the {THRESHOLD} in {SETTINGS} (now"),
    # quantity_note: it names no setting; the app says which one turns the comparison off
    (
        re.compile(r"take their side from the comparison, not from their wording\.$"),
        f"take their side from the comparison, not from their wording. To read them by their wording, turn off "
        f"{QUANTITIES} in {SETTINGS}.",
    ),
    # rating_prior_note
    (
        re.compile(
            r"check with --no-rating-prior \(Config\(rating_prior=False\); in the app, “Weigh stance by star "
            r"ratings” off\)\."
        ),
        f"turn off {RATINGS} in {SETTINGS}.",
    ),
    (re.compile(r", which tells low- from high-rated reviews' sentences apart at AUC ([\d.]+)"), _reader_skill),
    # unmatched_note
    (re.compile(r"the relevance threshold \(min_similarity ([\d.]+)\)"), r"the relevance threshold (\1)"),
    (re.compile(r"Lower it \(--min-similarity; the app's Check settings\)"), f"Lower the {THRESHOLD} in {SETTINGS}"),
    # RunComparison.notes, when the runs checked different claims with the ratings weighing the stance
    (
        re.compile(r"\(--no-rating-prior on both compares the words alone\)"),
        f"(two runs checked with {RATINGS} off compare the words alone)",
    ),
)


# The library's input errors name the command-line option (and the Python argument) that fixes them; on the
# Datasets page the same fix is a choice in the column mapping form.
_MESSAGE_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\(--text-column; text_column= in Python\)"), "(choose it as “Review text” below)"),
    (re.compile(r"with --text-column \(text_column= in Python\)"), "as “Review text” below"),
    (re.compile(r" \(--sheet\)"), " (the Sheet choice)"),
)


def app_message(message: str) -> str:
    """An input error of the library's, its command-line and Python hints worded for the Datasets page."""
    for pattern, replacement in _MESSAGE_REWRITES:
        message = pattern.sub(replacement, message)
    return message


def app_note(note: str) -> str:
    """A note of the library's (``Report.notes``) with its command-line and Python hints worded for the app."""
    for pattern, replacement in _REWRITES:
        note = pattern.sub(replacement, note)
    return note
