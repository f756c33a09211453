"""The marketer's edits to the claims of a piece of copy: reword, drop, restore, add. Pure functions over
immutable records (no Streamlit), so the Vet copy page only stores their results in session state.

Rewording a claim found in the copy rewrites that span of the ad, so the highlighted copy always shows the
wording that was checked, and the offsets of later claims in the same ad move with it.

Checking the copy again reads its claims afresh; :func:`carry_over` puts the marketer's edits back on them, and
says which could not be.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
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
    return _in_copy_order(ads, [*rows, ClaimRow(claim=claim)])


def _in_copy_order(ads: Sequence[Ad], rows: Sequence[ClaimRow]) -> list[ClaimRow]:
    """The claims of the copy in the copy's order; the ones added by hand after them, as they were."""
    order = {ad.ad_id: index for index, ad in enumerate(ads)}

    def where(row: ClaimRow) -> tuple[int, int]:
        if row.claim.ad_id not in order:
            return len(order), 0
        return order[row.claim.ad_id], row.claim.start

    return sorted(rows, key=where)


@dataclass(frozen=True, slots=True)
class Carried:
    """The claims of a copy checked again, with the marketer's earlier edits put back on them, and the edits
    that could not be, counted by kind (a :data:`NOT_CARRIED` key each)."""

    rows: list[ClaimRow]
    not_carried: Counter[str]


# The words for each kind of edit that could not be carried over, for one and for several.
NOT_CARRIED: dict[str, tuple[str, str]] = {
    "dropped": ("claim you dropped is no longer in the copy", "claims you dropped are no longer in the copy"),
    "dropped reread": (
        "claim you dropped is found with other wording, and checked again",
        "claims you dropped are found with other wording, and checked again",
    ),
    "reworded": ("claim you reworded is no longer in the copy", "claims you reworded are no longer in the copy"),
    "possible": (
        "possible claim you checked is no longer in the copy",
        "possible claims you checked are no longer in the copy",
    ),
}


def carry_over(old_rows: Sequence[ClaimRow], ads: Sequence[Ad], claims: Sequence[Claim]) -> Carried:
    """The freshly extracted ``claims`` of the copy ``ads``, with the edits made to ``old_rows`` (the claims of
    the copy checked before) put back:

    - a claim added by hand stays, checked or dropped as it was (unless the copy now holds the same wording
      as a claim of its own: then that one is checked, once);
    - a phrase the marketer chose, a rewording or a possible claim checked with "Check it", is checked again
      as worded, where the copy still holds it (in the same ad, nearest its old place, first); a claim the
      extraction found overlapping it gives way to it, as the extraction may read the same words a little
      differently (a rewording is checked as the marketer typed it, not as the extraction trims it);
    - a dropped claim stays dropped when the copy still yields a claim of the same wording (``wording_key``).

    The rest cannot be carried over, and are counted: a chosen phrase that is no longer in the copy, a dropped
    claim that is no longer in the copy, and a dropped claim whose words the extraction now reads with other
    wording (so it is checked again). A dropped claim still in the copy that no claim overlaps is not checked
    either way, so it is not counted.
    """
    not_carried: Counter[str] = Counter()
    chosen: list[ClaimRow] = []
    for old in old_rows:
        if not old.keep or not _is_chosen_phrase(old):
            continue
        spot = _locate(ads, old.claim, [row.claim for row in chosen])
        if spot is None:
            not_carried["reworded" if old.origin == "reworded" else "possible"] += 1
            continue
        ad_id, start = spot
        number = len(chosen) + 1
        claim = dataclasses.replace(
            old.claim, claim_id=f"p{number}", ad_id=ad_id, start=start, end=start + len(old.claim.text)
        )
        chosen.append(dataclasses.replace(old, claim=claim))
    # The extraction's claims that overlap a chosen phrase give way to it.
    rows = [row for row in rows_from_claims(claims) if not any(_overlaps(row.claim, other.claim) for other in chosen)]
    for old in old_rows:
        if old.keep or old.origin == "added" or _is_possible(old):
            continue  # a dropped possible claim is not checked, as it was not before "Check it"
        key = wording_key(old.claim.text)
        same = [i for i, row in enumerate(rows) if row.keep and wording_key(row.claim.text) == key]
        if same:
            # A promise repeated across ads: the one in the claim's own ad first.
            position = next((i for i in same if rows[i].claim.ad_id == old.claim.ad_id), same[0])
            rows[position] = dataclasses.replace(rows[position], keep=False)
            continue
        spot = _locate(ads, old.claim, [])
        if spot is None:
            not_carried["dropped"] += 1
        elif any(row.keep and _overlaps(row.claim, _placed(old.claim, *spot)) for row in rows):
            not_carried["dropped reread"] += 1
    rows = _in_copy_order(ads, [*rows, *chosen])
    checked = {wording_key(row.claim.text) for row in rows if row.keep}
    for old in old_rows:
        if old.origin == "added" and not (old.keep and wording_key(old.claim.text) in checked):
            rows.append(old)
    return Carried(rows=rows, not_carried=not_carried)


def not_carried_line(not_carried: Counter[str]) -> str | None:
    """The one line that says which edits could not be carried over to a check of the copy, or None."""
    parts = [
        f"{count} {one if count == 1 else many}"
        for kind, (one, many) in NOT_CARRIED.items()
        if (count := not_carried.get(kind, 0))
    ]
    return "; ".join(parts) + "." if parts else None


def _is_chosen_phrase(row: ClaimRow) -> bool:
    """A phrase of the copy the marketer chose to check as worded: a rewording, or a possible claim."""
    return row.origin == "reworded" or _is_possible(row)


def _is_possible(row: ClaimRow) -> bool:
    """A possible claim checked with "Check it" (:func:`include` numbers them p1, p2…)."""
    return row.origin == "copy" and _is_numbered(row.claim.claim_id, "p")


def _locate(ads: Sequence[Ad], claim: Claim, taken: Sequence[Claim]) -> tuple[str, int] | None:
    """Where the copy holds ``claim``'s words (ad id, start), clear of the claims ``taken``: in the claim's own
    ad nearest its old place first, then the first place in the copy."""
    found: list[tuple[bool, int, int, str, int]] = []
    for index, ad in enumerate(ads):
        start = ad.text.find(claim.text)
        while start >= 0 and claim.text:
            if not any(_overlaps(_placed(claim, ad.ad_id, start), other) for other in taken):
                own = ad.ad_id == claim.ad_id
                found.append((not own, abs(start - claim.start) if own else 0, index, ad.ad_id, start))
            start = ad.text.find(claim.text, start + 1)
    if not found:
        return None
    _, _, _, ad_id, start = min(found)
    return ad_id, start


def _placed(claim: Claim, ad_id: str, start: int) -> Claim:
    return dataclasses.replace(claim, ad_id=ad_id, start=start, end=start + len(claim.text))


def _overlaps(one: Claim, other: Claim) -> bool:
    return one.ad_id == other.ad_id and one.start < other.end and other.start < one.end


def _is_numbered(claim_id: str, prefix: str) -> bool:
    return claim_id.startswith(prefix) and claim_id[len(prefix) :].isdigit()


def _find(rows: Sequence[ClaimRow], claim_id: str) -> int:
    for index, row in enumerate(rows):
        if row.claim.claim_id == claim_id:
            return index
    raise InputError(f"No claim {claim_id!r} in this copy; check the copy again.")
