"""alignment: check whether a brand's marketing claims match what its customers experience.

Public API: ``check()``, ``Config``, the record types and the errors. Heavy libraries (spaCy, torch,
sentence-transformers, Streamlit) are imported only when a function needs them.
"""

from __future__ import annotations

from alignment.config import Config
from alignment.errors import (
    AlignmentError,
    EmptyDatasetError,
    InputError,
    MissingColumnError,
    MissingFileError,
    ModelIntegrityError,
    UnreadableFileError,
)
from alignment.ingest import ColumnMapping, ReviewSet, load_reviews, read_ads
from alignment.pipeline import check, judge_claims
from alignment.records import Ad, Claim, ClaimResult, ClaimScore, DatasetSummary, Judgement, Match, Review, Sentence
from alignment.report import Report

__version__ = "0.1.0"

__all__ = [
    "Ad",
    "AlignmentError",
    "Claim",
    "ClaimResult",
    "ClaimScore",
    "ColumnMapping",
    "Config",
    "DatasetSummary",
    "EmptyDatasetError",
    "InputError",
    "Judgement",
    "Match",
    "MissingColumnError",
    "MissingFileError",
    "ModelIntegrityError",
    "Report",
    "Review",
    "ReviewSet",
    "Sentence",
    "UnreadableFileError",
    "__version__",
    "check",
    "judge_claims",
    "load_reviews",
    "read_ads",
]
