"""Streamlit entry: page config and navigation only; the pages live in alignment/ui/."""

import streamlit as st

from alignment.ui import common, dashboard, datasets, vet_copy

st.set_page_config(page_title="alignment: claims vs reviews", page_icon="⚖️", layout="wide")
datasets_page = st.Page(datasets.render, title="Datasets", icon=":material/table_view:", url_path="datasets")
navigation = st.navigation(
    {
        "Marketer": [st.Page(vet_copy.render, title="Vet copy", icon=":material/edit_note:", url_path="vet-copy")],
        "Brand manager": [
            st.Page(
                dashboard.render, title="Gap dashboard", icon=":material/insights:", url_path="dashboard", default=True
            )
        ],
        "Analyst": [datasets_page],
    }
)
common.render_sidebar(datasets_page)
navigation.run()
