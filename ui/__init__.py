"""ui: the Streamlit app (nothing imports this package). Its Streamlit options (no Deploy button or
developer menu, no usage statistics, no links to outside hosts, headless) are in
ui/.streamlit/config.toml, which Streamlit reads next to the app script, so `kgassist ui` and
`streamlit run ui/app.py` run it alike."""
