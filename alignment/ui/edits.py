"""The marketer's edits to the claims of a piece of copy: reword, drop, restore, add. Pure functions over
immutable records (no Streamlit), so the Vet copy page only stores their results in session state.

Rewording a claim found in the copy rewrites that span of the ad, so the highlighted copy always shows the
wording that was checked, and the offsets of later claims in the same ad move with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from alignment.errors import InputError
from alignment.pipeline import MAX_CLAIM_CHARS
from alignment.records import Ad, Claim, PossibleClaim, wording_key

ADDED_AD = "added"
Origin = Literal["copy", "reworded", "added"]
# Given a claim's text, return a Claim with its aspect and type inferred (the page passes the library's
# claims_from_lines); ids and offsets are set here.
Infer = Callable[[str], Claim]


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim of the copy under review, whether it is checked, and where it came from."""

    claim: Claim
    keep: bool = True
    origin: Origin = "copy"
    original: str | None = None


def rows_from_claims(claims: Sequence[Claim]) -> list[ClaimRow]:
    """Rows for freshly extracted claims: all kept, all from the copy."""
    return [ClaimRow(claim=claim) for claim in claims]


def kept_claims(rows: Sequence[ClaimRow]) -> tuple[Claim, ...]:
    """The claims to check, in row order."""
    return tuple(row.claim for row in rows if row.keep)


def copy_text(ads: Sequence[Ad]) -> str:
    """The copy as one text, ads separated by blank lines (what parse_ads_text reads back)."""
    return "\n\n".join(ad.text for ad in ads)


def _clean(text: str, rewording: bool = True) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        fix = "Type the wording, or drop the claim instead." if rewording else "Type the wording of the claim to add."
        raise InputError(f"A claim cannot be empty. {fix}")
    if len(cleaned) > MAX_CLAIM_CHARS:
        raise InputError(f"A claim can be at most {MAX_CLAIM_CHARS} characters. Shorten it to the promise itself.")
    return cleaned


def reword(
    ads: Sequence[Ad], rows: Sequence[ClaimRow], claim_id: str, new_text: str, infer: Infer
) -> tuple[list[Ad], list[ClaimRow]]:
    """Give a claim new wording; a claim from the copy is rewritten in its ad too.

    Raises:
        InputError: the wording is empty or too long, the same as another claim already checked, or the claim
            id is unknown.
    """
    text = _clean(new_text)
    position = _find(rows, claim_id)
    row = rows[position]
    old = row.claim
    if text == old.text:
        return list(ads), list(rows)
    key = wording_key(text)
    if any(i != position and other.keep and wording_key(other.claim.text) == key for i, other in enumerate(rows)):
        # Checked twice, the same wording would count the same evidence twice among the claims at risk.
        raise InputError(f"“{text}” is already being checked. Word this claim differently, or drop it instead.")
    inferred = infer(text)
    new_ads = list(ads)
    new_rows = list(rows)
    ad_index = next((i for i, ad in enumerate(ads) if ad.ad_id == old.ad_id), None)
    if ad_index is not None and ads[ad_index].text[old.start : old.end] == old.text:
        ad = ads[ad_index]
        new_ads[ad_index] = Ad(ad.ad_id, ad.text[: old.start] + text + ad.text[old.end :])
        delta = len(text) - (old.end - old.start)
        for i, other in enumerate(rows):
            if i != position and other.claim.ad_id == old.ad_id and other.claim.start >= old.end:
                moved = dataclasses.replace(other.claim, start=other.claim.start + delta, end=other.claim.end + delta)
                new_rows[i] = dataclasses.replace(other, claim=moved)
        start, end = old.start, old.start + len(text)
    else:
        start, end = 0, len(text)
    claim = dataclasses.replace(old, text=text, start=start, end=end, aspect=inferred.aspect, type=inferred.type)
    origin: Origin = "added" if row.origin == "added" else "reworded"
    new_rows[position] = ClaimRow(claim=claim, keep=True, origin=origin, original=row.original or old.text)
    return new_ads, new_rows


def set_kept(rows: Sequence[ClaimRow], claim_id: str, keep: bool) -> list[ClaimRow]:
    """Drop a claim from the check (keep=False) or restore it (keep=True)."""
    position = _find(rows, claim_id)
    new_rows = list(rows)
    new_rows[position] = dataclasses.replace(rows[position], keep=keep)
    return new_rows


def add(rows: Sequence[ClaimRow], text: str, infer: Infer) -> list[ClaimRow]:
    """Add a claim typed by hand (checked as written; it is not part of the copy).

    Raises:
        InputError: the wording is empty, too long, or the same as a claim already checked.
    """
    cleaned = _clean(text, rewording=False)
    if any(wording_key(row.claim.text) == wording_key(cleaned) and row.keep for row in rows):
        raise InputError(f"“{cleaned}” is already being checked.")
    inferred = infer(cleaned)
    number = 1 + max((int(r.claim.claim_id[1:]) for r in rows if _is_numbered(r.claim.claim_id, "h")), default=0)
    claim = Claim(
        claim_id=f"h{number}",
        ad_id=ADDED_AD,
        text=cleaned,
        start=0,
        end=len(cleaned),
        aspect=inferred.aspect,
        type=inferred.type,
    )
    return [*rows, ClaimRow(claim=claim, keep=True, origin="added")]


def include(ads: Sequence[Ad], rows: Sequence[ClaimRow], possible: PossibleClaim) -> list[ClaimRow]:
    """Check a possible claim the extraction passed over: a phrase of the copy, so it joins the claims
    from the copy where it stands (highlighted there, in the copy's order), not the ones added by hand.

    Raises:
        InputError: the phrase is no longer in the copy as it was offered, or it overlaps a claim checked.
    """
    order = {ad.ad_id: index for index, ad in enumerate(ads)}
    ad = next((ad for ad in ads if ad.ad_id == possible.ad_id), None)
    if ad is None or ad.text[possible.start : possible.end] != possible.text:
        raise InputError(f"“{possible.text}” is no longer in the copy as it was; check the copy again.")
    for row in rows:
        other = row.claim
        if row.keep and other.ad_id == ad.ad_id and other.start < possible.end and possible.start < other.end:
            raise InputError(f"“{possible.text}” overlaps “{other.text}”, which is already being checked.")
    number = 1 + max((int(r.claim.claim_id[1:]) for r in rows if _is_numbered(r.claim.claim_id, "p")), default=0)
    claim = Claim(
        claim_id=f"p{number}",
        ad_id=ad.ad_id,
        text=possible.text,
        start=possible.start,
        end=possible.end,
        aspect=possible.aspect,
        type=possible.type,
    )
    placed = [*rows, ClaimRow(claim=claim)]

    def where(row: ClaimRow) -> tuple[int, int]:
        # claims of the copy in the copy's order; the ones added by hand after them, as they were
        if row.claim.ad_id not in order:
            return len(order), 0
        return order[row.claim.ad_id], row.claim.start

    return sorted(placed, key=where)


def _is_numbered(claim_id: str, prefix: str) -> bool:
    return claim_id.startswith(prefix) and claim_id[len(prefix) :].isdigit()


def _find(rows: Sequence[ClaimRow], claim_id: str) -> int:
    for index, row in enumerate(rows):
        if row.claim.claim_id == claim_id:
            return index
    raise InputError(f"No claim {claim_id!r} in this copy; check the copy again.")
