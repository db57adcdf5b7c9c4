"""ui: the Streamlit app (nothing imports this package)."""
