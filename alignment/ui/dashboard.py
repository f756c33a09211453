"""Gap dashboard page: promise against reality per claim, on the active dataset (the demo at first)."""

from __future__ import annotations

import streamlit as st

from alignment.config import Config
from alignment.report import plot_gap
from alignment.ui import resources

RISK_LABELS = {
    "high": "🔶 high risk",
    "medium": "◐ medium",
    "low": "🔷 low risk",
    "insufficient evidence": "○ insufficient evidence",
}


def render() -> None:
    """Draw the dashboard for the demo ad copy and reviews."""
    st.title("Gap dashboard")
    st.caption(
        "Each claim from the ad copy, against what customers say. **Alignment** runs from −1 (all evidence "
        "contradicts the claim) to +1 (all supports it); the **interval** is a 95% credible range that is wide "
        "when evidence is thin."
    )
    reviews = resources.load_demo_reviews()
    ads_text = st.session_state.get("ads_text", resources.demo_ads_text())
    report = resources.run_check(ads_text, reviews, "demo", Config())
    summary = report.dataset
    skipped = sum(summary.skipped.values())
    cols = st.columns(4)
    cols[0].metric("Claims", len(report.claims))
    cols[1].metric("Reviews", f"{summary.reviews:,}")
    cols[2].metric("Sentences", f"{summary.sentences:,}")
    cols[3].metric("Skipped rows", skipped, help=", ".join(f"{n} {r}" for r, n in summary.skipped.items()) or None)
    if not report.claims:
        st.info("No checkable claims were found in the ad copy.")
        return
    st.plotly_chart(plot_gap(report), width="stretch")
    frame = report.claims_frame()
    frame["risk"] = frame["risk"].map(RISK_LABELS)
    st.dataframe(
        frame[
            [
                "text",
                "aspect",
                "type",
                "mentions",
                "supports",
                "contradicts",
                "alignment",
                "interval_low",
                "interval_high",
                "risk",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "alignment": st.column_config.NumberColumn("alignment (−1..1)", format="%.2f"),
            "interval_low": st.column_config.NumberColumn("interval low", format="%.2f"),
            "interval_high": st.column_config.NumberColumn("interval high", format="%.2f"),
        },
    )
    with st.expander("Evidence (every matched review sentence)"):
        st.dataframe(report.matches_frame(), hide_index=True, width="stretch")
