"""From a click on a chart to the evidence behind it: which claim, stance, segment value or month.

Each chart puts the claim id first in a point's customdata (see alignment.charts), so a selection event
from ``st.plotly_chart(on_select=...)`` maps back to rows of ``Report.matches_frame()``. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from alignment.charts import BLANK, short_text


@dataclass(frozen=True, slots=True)
class Drill:
    """A slice of the evidence: any of claim, stance, (segment column, value) and month (YYYY-MM)."""

    claim_id: str | None = None
    stance: str | None = None
    segment: tuple[str, str] | None = None
    month: str | None = None

    def describe(self, claim_texts: Mapping[str, str]) -> str:
        """The slice in words, e.g. 'contradicting evidence for “No hidden fees” · region = Coastal'."""
        stance = {"supports": "Supporting evidence", "contradicts": "Contradicting evidence"}.get(
            self.stance or "", "Evidence"
        )
        parts = [stance]
        if self.claim_id is not None:
            parts[0] += f" for “{short_text(claim_texts.get(self.claim_id, self.claim_id), 60)}”"
        if self.segment is not None:
            parts.append(f"{self.segment[0]} = {self.segment[1]}")
        if self.month is not None:
            parts.append(pd.Period(self.month, freq="M").strftime("%B %Y"))
        return " · ".join(parts)


def drill_from_points(
    chart: str,
    points: Sequence[Mapping[str, Any]],
    segment_column: str | None = None,
    segment_values: Sequence[str] = (),
) -> Drill | None:
    """The slice behind the first clicked point of a chart ("gap", "trend", "segments" or "quadrant")."""
    for point in points:
        data = point.get("customdata")
        if not isinstance(data, (list, tuple)) or not data:
            continue
        claim_id = str(data[0])
        if chart == "gap" and len(data) > 1 and data[1] in ("supports", "contradicts"):
            return Drill(claim_id=claim_id, stance=str(data[1]))
        if chart == "trend" and len(data) > 1:
            return Drill(claim_id=claim_id, month=str(data[1]))
        if chart == "segments" and len(data) > 1 and segment_column is not None:
            index = int(data[1])
            if 0 <= index < len(segment_values):
                return Drill(claim_id=claim_id, segment=(segment_column, str(segment_values[index])))
            return Drill(claim_id=claim_id)
        return Drill(claim_id=claim_id)
    return None


def apply_drill(evidence: pd.DataFrame, drill: Drill | None) -> pd.DataFrame:
    """The rows of ``Report.matches_frame()`` inside the slice."""
    if drill is None:
        return evidence
    mask = pd.Series(True, index=evidence.index)
    if drill.claim_id is not None:
        mask &= evidence["claim_id"] == drill.claim_id
    if drill.stance is not None:
        mask &= evidence["stance"] == drill.stance
    if drill.segment is not None and drill.segment[0] in evidence.columns:
        column, value = drill.segment
        values = evidence[column].fillna("").replace("", BLANK)
        mask &= values == value
    if drill.month is not None:
        mask &= evidence["date"].dt.strftime("%Y-%m") == drill.month
    return evidence[mask]


def search(evidence: pd.DataFrame, query: str) -> pd.DataFrame:
    """Rows whose sentence, claim, review id or segment values contain every word of the query."""
    words = query.lower().split()
    if not words:
        return evidence
    text_columns = [
        c
        for c in evidence.columns
        if pd.api.types.is_object_dtype(evidence[c]) or pd.api.types.is_string_dtype(evidence[c])
    ]
    haystack = evidence[text_columns].fillna("").astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=evidence.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return evidence[mask]
