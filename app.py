"""Streamlit entry: page config and navigation only; the pages live in alignment/ui/."""

import streamlit as st

from alignment.ui import dashboard

st.set_page_config(page_title="alignment", page_icon="⚖️", layout="wide")
navigation = st.navigation([st.Page(dashboard.render, title="Gap dashboard", url_path="dashboard", default=True)])
navigation.run()
