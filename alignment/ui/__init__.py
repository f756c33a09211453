"""The Streamlit app's pages and cached resources; the only package that imports streamlit."""
