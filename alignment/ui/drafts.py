"""The marketer's draft on Vet copy as a typed record and as text: the copy, its claims with the edits made to
them (drops, rewordings, claims added by hand or checked from the possible claims) and the dataset they were
checked against. No Streamlit here: alignment.ui.state makes a draft of a session and a session of a draft, and
alignment.ui.workspace_store keeps the text in the workspace, so the draft survives a reload and a restart.

Each browser tab's draft is named by a random id that the app keeps in the page's address (``?draft=...``): a
reload, or the address bookmarked, opens on that draft, and a tab opened without it starts afresh, so two people
on one server never open on each other's work.

The claims are kept as they were shown, not read from the copy again on restore: the claim extractor may
have changed since, and the edits would then have to be carried over (with losses) to claims found anew.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from alignment.errors import AlignmentError
from alignment.records import Ad, Claim, ClaimType
from alignment.ui.edits import ClaimRow, Origin

FORMAT = 1  # bumped when the text's shape changes; a draft of a newer format is not read
ID_BYTES = 9  # random bytes in a draft id: 12 URL-safe characters, too many to guess another tab's draft
_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{12}")
DatasetKind = Literal["demo", "workspace", "upload"]


class DraftError(AlignmentError):
    """A kept draft that cannot be read back (damaged, or written by a newer alignment)."""


@dataclass(frozen=True, slots=True)
class DraftDataset:
    """The dataset a draft was checked against: the bundled demo, a workspace dataset (``name`` is its name
    there), or an upload that lived only in its session (``name`` is its file name)."""

    kind: DatasetKind
    name: str


@dataclass(frozen=True, slots=True)
class Draft:
    """A Vet copy session's work: the text in the copy box, the copy whose claims are shown (``checked``, read
    as ``ads``), the claims with their edits, the dataset, and the line saying the claim cap cut the copy."""

    box: str
    checked: str
    ads: tuple[Ad, ...]
    rows: tuple[ClaimRow, ...]
    dataset: DraftDataset
    left_out: str | None = None


@dataclass(frozen=True, slots=True)
class SavedDraft:
    """A draft read back from the workspace, and when it was saved (UTC, naive)."""

    draft: Draft
    saved_at: datetime


def new_draft_id() -> str:
    """A fresh random draft id, fit for the page's address (URL-safe, 12 characters)."""
    return secrets.token_urlsafe(ID_BYTES)


def is_draft_id(text: object) -> bool:
    """Whether ``text`` has the shape of an id made by :func:`new_draft_id` (an address can hold anything)."""
    return isinstance(text, str) and _ID_SHAPE.fullmatch(text) is not None


def draft_to_json(draft: Draft) -> str:
    """The draft as JSON text (what :func:`draft_from_json` reads back)."""
    return json.dumps(
        {
            "format": FORMAT,
            "box": draft.box,
            "checked": draft.checked,
            "ads": [{"ad_id": ad.ad_id, "text": ad.text} for ad in draft.ads],
            "rows": [_row_to_dict(row) for row in draft.rows],
            "dataset": {"kind": draft.dataset.kind, "name": draft.dataset.name},
            "left_out": draft.left_out,
        },
        ensure_ascii=False,
    )


def draft_from_json(text: str) -> Draft:
    """Read a draft written by :func:`draft_to_json`.

    Raises:
        DraftError: the text is not such a draft (damaged, cut short, or of a newer format).
    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise DraftError(f"it is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DraftError("it is not a draft")
    if data.get("format") != FORMAT:
        raise DraftError(f"it is of format {data.get('format')!r}, and this alignment reads format {FORMAT}")
    try:
        ads = tuple(Ad(_text(ad["ad_id"]), _text(ad["text"])) for ad in data["ads"])
        rows = tuple(_row_from_dict(row) for row in data["rows"])
        kind = data["dataset"]["kind"]
        if kind not in get_args(DatasetKind):
            raise ValueError(f"unknown dataset kind {kind!r}")
        left_out = data.get("left_out")
        return Draft(
            box=_text(data["box"]),
            checked=_text(data["checked"]),
            ads=ads,
            rows=rows,
            dataset=DraftDataset(kind=kind, name=_text(data["dataset"]["name"])),
            left_out=None if left_out is None else _text(left_out),
        )
    except (KeyError, TypeError, ValueError) as exc:
        # Said as the field that failed, not as a traceback: the page falls back to the example copy.
        raise DraftError(f"part of it is missing or damaged ({type(exc).__name__}: {exc})") from exc


def _row_to_dict(row: ClaimRow) -> dict[str, Any]:
    claim = row.claim
    return {
        "claim_id": claim.claim_id,
        "ad_id": claim.ad_id,
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "aspect": claim.aspect,
        "type": claim.type,
        "keep": row.keep,
        "origin": row.origin,
        "original": row.original,
    }


def _row_from_dict(data: dict[str, Any]) -> ClaimRow:
    start, end = _whole(data["start"]), _whole(data["end"])
    if not 0 <= start <= end:
        raise ValueError(f"claim offsets {start}..{end}")
    claim_type = data["type"]
    if claim_type not in get_args(ClaimType):
        raise ValueError(f"unknown claim type {claim_type!r}")
    origin = data["origin"]
    if origin not in get_args(Origin):
        raise ValueError(f"unknown claim origin {origin!r}")
    if not isinstance(data["keep"], bool):
        raise ValueError("keep is not true or false")
    original = data.get("original")
    claim = Claim(
        claim_id=_text(data["claim_id"]),
        ad_id=_text(data["ad_id"]),
        text=_text(data["text"]),
        start=start,
        end=end,
        aspect=_text(data["aspect"]),
        type=claim_type,
    )
    original = None if original is None else _text(original)
    return ClaimRow(claim=claim, keep=data["keep"], origin=origin, original=original)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _whole(value: object) -> int:
    # bool is an int to Python, but never an offset.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    return value
