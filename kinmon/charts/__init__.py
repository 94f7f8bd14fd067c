"""Pure plotly figure builders (no streamlit): one submodule per area."""
