"""Quantities a claim promises, against the quantities customers report.

"Delivered in 30 minutes or less" is broken by "the driver turned up after 75 minutes", a sentence with no
sentiment word in it, and kept by "we had it in 20 minutes". The stance model reads such plain reports
poorly: it reads most of them as complaints ("Pizza was delivered in 20 minutes." P(contradicts) 0.97), and
on the project's spec test, where this module's comparison applies, it is right 0.46 of the time. This
module reads the number instead: a claim's bounded quantity ("within 48 hours", "under 250 g", "lasts 40
hours") is compared with every amount of the same kind a matched sentence reports, and where there is one,
the comparison's verdict gives the sentence's side (:data:`QUANTITY_LOG_ODDS`). Claims without a bounded
quantity, and sentences without a comparable amount, are read exactly as before.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from alignment.records import Judgements

# The log-odds of the verdict's side where the comparison applies: P(contradicts | on aspect) = 0.91 when a
# reported amount breaks the bound, 0.09 when every one keeps it. Fitted by a logistic regression of the
# label on the stance model's log-odds and the verdict (+1 / -1) on the project's spec cases
# (data/spec_cases_*, never trained on; 195 pairs compared): the verdict's weight is 2.30 and the model's
# 0.00 (its reading adds nothing once the verdict is known), so the verdict replaces the model's reading
# there. On the stance model's own training pairs (promise_cases_*) the model's weight comes out high, as
# in-sample readings do. `benchmarks/quantities.py` refits both.
QUANTITY_LOG_ODDS = 2.3
# A reported quantity within this share of the promised one keeps the promise: "30 minutes or less"
# is kept at 32 minutes, broken at 34. A judgement of what a customer would call keeping it, not fitted.
TOLERANCE = 0.1
# An amount more than this factor away from the promised one, either way, is about something else ("a
# customer for 5 years" beside "delivered in 30 minutes"). On the project's spec and promise cases a
# comparison was right 0.76-0.98 of the time within a factor of about 100 and 0.30-0.65 beyond 1,000.
SAME_MATTER = 100.0

Verdict = Literal["supports", "contradicts"]

_WORD_NUMBERS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "fifteen": 15.0,
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "forty-five": 45.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "ninety": 90.0,
    "a hundred": 100.0,
    "half an": 0.5,
    "half a": 0.5,
    "a couple of": 2.0,
    "a few": 3.0,
}
_MINUTE, _HOUR, _DAY = 1.0, 60.0, 1440.0
# unit -> (kind, size in the kind's base unit: minutes, grams, centimetres, millilitres, ...)
_UNITS: dict[str, tuple[str, float]] = {
    **dict.fromkeys(("second", "seconds", "sec", "secs"), ("time", _MINUTE / 60)),
    **dict.fromkeys(("minute", "minutes", "min", "mins"), ("time", _MINUTE)),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), ("time", _HOUR)),
    **dict.fromkeys(("day", "days", "business day", "business days", "working day", "working days"), ("time", _DAY)),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), ("time", 7 * _DAY)),
    **dict.fromkeys(("month", "months"), ("time", 30 * _DAY)),
    **dict.fromkeys(("year", "years", "yr", "yrs"), ("time", 365 * _DAY)),
    **dict.fromkeys(("g", "gram", "grams"), ("mass", 1.0)),
    **dict.fromkeys(("kg", "kilo", "kilos", "kilogram", "kilograms"), ("mass", 1000.0)),
    **dict.fromkeys(("lb", "lbs"), ("mass", 453.6)),
    "oz": ("mass", 28.35),
    "mm": ("length", 0.1),
    "cm": ("length", 1.0),
    **dict.fromkeys(("m", "metre", "metres", "meter", "meters"), ("length", 100.0)),
    "km": ("length", 1e5),
    **dict.fromkeys(("mile", "miles"), ("length", 160_934.0)),
    **dict.fromkeys(("inch", "inches"), ("length", 2.54)),
    **dict.fromkeys(("ft", "feet", "foot"), ("length", 30.48)),
    "ml": ("volume", 1.0),
    **dict.fromkeys(("l", "litre", "litres", "liter", "liters"), ("volume", 1000.0)),
    **dict.fromkeys(("%", "percent", "per cent"), ("percent", 1.0)),
    "db": ("loudness", 1.0),
    "mph": ("speed", 1.609),
    **dict.fromkeys(("km/h", "kph"), ("speed", 1.0)),
    "mbps": ("bandwidth", 1.0),
    "gbps": ("bandwidth", 1000.0),
    "gb": ("storage", 1.0),
    "tb": ("storage", 1000.0),
    "mah": ("charge", 1.0),
}
_LETTER_UNITS = {"m", "g", "l", "h"}  # too short to trust after a number written in words ("a g")


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# A number in digits, an optional "+", then a unit; never inside a word, a clock time ("4:30"), "24/7", a
# date or a model number ("X200"). Money is a currency sign before the number. A rate ("$39.99/mo",
# "2 GB/day") is its amount; the number is never cut short at its decimal point ("$39" of "$39.99").
_DIGIT_QUANTITY = re.compile(
    r"(?<![\w/:£$€.,])(?P<currency>[$£€])?(?P<number>\d+(?:,\d{3})*(?:[.,]\d+)?)(?![.,]\d)"
    rf"(?P<plus>\+)?(?:\s?-?\s?(?P<unit>{_alternatives(list(_UNITS))}))?(?!\w)(?!/\d)(?!:\d)",
    re.IGNORECASE,
)
# A number in words needs its unit ("ten minutes", "half an hour"). Searched apart, and only in a sentence
# with a unit written out: the alternation of words is slow to try at every position.
_WORD_QUANTITY = re.compile(
    rf"(?<![\w/:£$€.,])(?P<number>{_alternatives(list(_WORD_NUMBERS))})"
    rf"\s?-?\s?(?P<unit>{_alternatives([u for u in _UNITS if u not in _LETTER_UNITS])})(?![\w/])",
    re.IGNORECASE,
)
_UNIT_WORD = re.compile(  # searched in the lower-cased text: an alternation compiled to ignore case is slow
    r"second|minute|hour|day|week|month|year|gram|kilo|met(?:re|er)|mile|inch|feet|foot|lit(?:re|er)|per ?cent"
)
_DIGIT = re.compile(r"\d")
# Time promises said in words, each at most a day or an hour. On the project's spec and promise cases
# (24 claims) a comparison with them was right 0.92 of the time (49 texts); the sets never trained on were
# printed beside them, 0.94 (114).
_TIME_PHRASE = re.compile(r"\b(?:same[- ]day|next[- ]day|overnight|within the hour)\b", re.IGNORECASE)

# What makes a promised quantity a bound. At most: "under", "within", "in" (for time: "ready in 2 hours"),
# "or less", "just", ... At least: "lasts". Measured on the project's own pairs (benchmarks/quantities.py):
# "up to", "over", "more than", "at least", "or more" mostly state a condition or a limit of use ("fits
# dogs up to 30 kg", "on orders over $50", "when you're delayed 15 minutes or more"), not an experience,
# and a comparison with them was right about 0.6 of the time there, against 0.9 for the bounds kept.
_AT_MOST_BEFORE = re.compile(
    r"\b(?:under|less than|fewer than|below|within|in just|in under|in as little as|as little as|no more than"
    r"|at most|max|maximum|just|only)\s*$",
    re.IGNORECASE,
)
_AT_MOST_AFTER = re.compile(r"^\s*(?:or less|or fewer|or under|max|maximum|tops)\b", re.IGNORECASE)
_TIME_IN = re.compile(r"\bin\s*$", re.IGNORECASE)
_AT_LEAST_BEFORE = re.compile(r"\blasts?\s*$", re.IGNORECASE)
_NOT_A_BOUND_BEFORE = re.compile(r"\b(?:up to|upwards of|over|more than|at least|minimum|beyond)\s*$", re.IGNORECASE)
_NOT_A_BOUND_AFTER = re.compile(r"^\s*(?:or more|and up|plus)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured amount in a text: its kind ("time", "mass", "money:$", ...), its value in the kind's base
    unit (minutes, grams, centimetres, millilitres, the currency), and where it stands (characters)."""

    kind: str
    value: float
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Bound:
    """A promised quantity and which way it binds: ``at_most`` ("within 48 hours", "under 250 g") or at
    least ("lasts 40 hours"); ``said`` is how a reader is told the promise ("at most 48 hours", "same-day")."""

    quantity: Quantity
    at_most: bool
    said: str = ""


def find_quantities(text: str) -> list[Quantity]:
    """The measured amounts in ``text``: a number with a unit ("48 hours", "2.5 kg", "ten minutes", "90%")
    or a currency sign ("$30"). Bare numbers, clock times, "24/7" and dates are not amounts."""
    return list(_quantities_in(text))


# A check reads a sentence's amounts once per claim with a bound and once more for the report's note; kept
# for as many sentences as a workspace keeps read in context (alignment.stance).
@functools.lru_cache(maxsize=1 << 18)
def _quantities_in(text: str) -> tuple[Quantity, ...]:
    # Most sentences hold no amount: plain searches pass them before the full patterns run, as a re-check may
    # read a bounded claim's hundred thousand matched sentences.
    matches = list(_DIGIT_QUANTITY.finditer(text)) if _DIGIT.search(text) else []
    if _UNIT_WORD.search(text.lower()):
        matches += _WORD_QUANTITY.finditer(text)
    found = []
    for match in sorted(matches, key=lambda m: m.start()):
        unit = (match.group("unit") or "").lower()
        currency = match.groupdict().get("currency")
        if bool(unit) == bool(currency):
            continue  # a bare number, or "$5m"
        raw = match.group("number").lower()
        value = _number(raw) if raw[0].isdigit() else _WORD_NUMBERS[raw]
        if currency:
            kind, size = f"money:{currency}", 1.0
        else:
            kind, size = _UNITS[unit]
        found.append(Quantity(kind, value * size, match.start(), match.end()))
    return tuple(found)


def _number(raw: str) -> float:
    """ "1,000" is a thousand, "2,5" two and a half, "2.5" two and a half."""
    if re.fullmatch(r"\d+(?:,\d{3})+(?:\.\d+)?", raw):
        return float(raw.replace(",", ""))
    return float(raw.replace(",", "."))


def find_bounds(claim: str) -> list[Bound]:
    """The quantities ``claim`` promises as a bound: at most ("in 30 minutes or less", "within 48 hours",
    "under 250 g", "ready in 2 hours", and in words "same-day", "next-day", "overnight", "within the hour"),
    or at least ("lasts 40 hours"). A quantity with no bound word, or with one that states a condition
    rather than an experience ("up to", "over", "at least"), is none."""
    bounds = []
    for quantity in find_quantities(claim):
        before, after = claim[: quantity.start], claim[quantity.end :]
        said = claim[quantity.start : quantity.end].strip()
        if "+" in said or _NOT_A_BOUND_AFTER.match(after):
            continue
        if _AT_LEAST_BEFORE.search(before):
            bounds.append(Bound(quantity, at_most=False, said=f"at least {said}"))
        elif _NOT_A_BOUND_BEFORE.search(before):
            continue
        elif (
            _AT_MOST_BEFORE.search(before)
            or _AT_MOST_AFTER.match(after)
            or (quantity.kind == "time" and _TIME_IN.search(before))
        ):
            bounds.append(Bound(quantity, at_most=True, said=f"at most {said}"))
    for match in _TIME_PHRASE.finditer(claim):
        minutes = _HOUR if "hour" in match.group(0).lower() else _DAY
        bounds.append(
            Bound(Quantity("time", minutes, match.start(), match.end()), at_most=True, said=match.group(0).lower())
        )
    return bounds


def compare_quantities(bounds: Sequence[Bound], text: str) -> Verdict | None:
    """Whether the amounts ``text`` reports keep the promised ``bounds``: "contradicts" when any amount of
    a bound's kind breaks it, "supports" when every one keeps it, None when the text reports none (amounts
    over :data:`SAME_MATTER` times larger or smaller than the promised one are about something else).

    An amount equal to the promised one is passed over: customers quote the promise back at the brand
    ("'5 working days' lol, day 27 and counting") more often than they report meeting it exactly."""
    compared = _compared(bounds, text)
    if not compared:
        return None
    return "supports" if all(keeps for _, _, keeps in compared) else "contradicts"


def describe_comparison(claim: str, text: str) -> str:
    """For a reader: the amounts ``text`` reports against the bound ``claim`` promises, as "75 minutes
    against at most 30 minutes" (the amounts that break it, or else those that keep it, in the words of each
    text); "" when the comparison does not apply."""
    compared = _compared(find_bounds(claim), text)
    if not compared:
        return ""
    breaking = [item for item in compared if not item[2]]
    shown = breaking or compared
    reported = ", ".join(dict.fromkeys(text[q.start : q.end].strip() for _, q, _ in shown))
    promised = " and ".join(dict.fromkeys(b.said for b, _, _ in shown))
    return f"{reported} against {promised}"


def _compared(bounds: Sequence[Bound], text: str) -> list[tuple[Bound, Quantity, bool]]:
    """Each (bound, reported amount, whether it keeps the bound) the comparison reads in ``text``."""
    if not bounds:
        return []
    reported = find_quantities(text)
    compared = []
    for bound in bounds:
        target = bound.quantity.value
        for quantity in reported:
            if quantity.kind != bound.quantity.kind or math.isclose(quantity.value, target, rel_tol=1e-6):
                continue
            if not target / SAME_MATTER <= quantity.value <= target * SAME_MATTER:
                continue
            if bound.at_most:
                keeps = quantity.value <= target * (1.0 + TOLERANCE)
            else:
                keeps = quantity.value >= target * (1.0 - TOLERANCE)
            compared.append((bound, quantity, keeps))
    return compared


def weigh_by_quantities(
    claims: Sequence[str], judged: Sequence[Judgements], sentence_texts: Sequence[str]
) -> tuple[list[Judgements], int]:
    """Every claim's judgements with the side of each sentence that reports an amount against the claim's
    bound given by the comparison (:func:`compare_quantities`): P(contradicts | on aspect) becomes
    sigmoid(+-:data:`QUANTITY_LOG_ODDS`). The relevance (1 - p_neutral) is kept and the stance is again the
    most probable label. Returns the judgements and how many readings the comparison gave. A claim with no
    bound is returned as it was."""
    weighed: list[Judgements] = []
    moved = 0
    for claim, found in zip(claims, judged, strict=True):
        verdicts = read_amounts(claim, found, sentence_texts)
        if not verdicts.any():
            weighed.append(found)
            continue
        moved += int(np.count_nonzero(verdicts))
        sides = np.where(verdicts != 0, 1.0 / (1.0 + np.exp(-QUANTITY_LOG_ODDS * verdicts)), found.sides())
        weighed.append(found.with_sides(sides))
    return weighed, moved


def read_amounts(claim: str, found: Judgements, sentence_texts: Sequence[str]) -> np.ndarray:
    """Per judged sentence of ``claim``: +1 when the amounts it reports break the claim's bound, -1 when
    they keep it, 0 when the claim has no bound or the sentence no comparable amount."""
    verdicts = np.zeros(len(found))
    bounds = find_bounds(claim)
    if not bounds:
        return verdicts
    for row, index in enumerate(np.asarray(found.sentence_index, dtype=np.int64).tolist()):
        verdict = compare_quantities(bounds, sentence_texts[index])
        if verdict is not None:
            verdicts[row] = 1.0 if verdict == "contradicts" else -1.0
    return verdicts


def quantity_note(claims: Sequence[str], judged: Sequence[Judgements], sentence_texts: Sequence[str]) -> str | None:
    """A note naming each claim whose promised amount was read against the amounts its sentences report,
    with how many reported one and how many broke it; None when no sentence did."""
    parts = []
    for claim, found in zip(claims, judged, strict=True):
        verdicts = read_amounts(claim, found, sentence_texts)
        if not verdicts.any():
            continue
        promised = ", ".join(bound.said for bound in find_bounds(claim))
        compared, broken = int(np.count_nonzero(verdicts)), int((verdicts > 0).sum())
        parts.append(
            f"“{claim}” ({promised}): {compared:,} sentence{'s' if compared != 1 else ''} "
            f"report{'s' if compared == 1 else ''} an amount, "
            f"{broken:,} break{'s' if broken == 1 else ''} it"
        )
    if not parts:
        return None
    return (
        "Amounts read against promised quantities: "
        + "; ".join(parts)
        + ". Those sentences take their side from the comparison, not from their wording."
    )
