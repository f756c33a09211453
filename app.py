"""Streamlit entry: page config and navigation only; the pages live in alignment/ui/."""

import streamlit as st

from alignment.ui import common, dashboard, datasets, vet_copy

st.set_page_config(page_title="alignment: claims vs reviews", page_icon="⚖️", layout="wide")
datasets_page = st.Page(datasets.render, title="Datasets", icon=":material/table_view:", url_path="datasets")
# Streamlit serves the default page at / only, never at its url_path; /dashboard, the natural link to share or
# bookmark, is a hidden page that hands over to it (st.switch_page keeps the session and shows /) with the
# filters its address carries.
dashboard_page = st.Page(
    dashboard.render, title="Gap dashboard", icon=":material/insights:", url_path="gap-dashboard", default=True
)
dashboard_link = st.Page(
    lambda: common.switch_keeping_address(dashboard_page),
    title="Gap dashboard",
    url_path="dashboard",
    visibility="hidden",
)
navigation = st.navigation(
    {
        "Marketer": [st.Page(vet_copy.render, title="Vet copy", icon=":material/edit_note:", url_path="vet-copy")],
        "Brand manager": [dashboard_page, dashboard_link],
        "Analyst": [datasets_page],
    }
)
common.render_sidebar(datasets_page)
navigation.run()
