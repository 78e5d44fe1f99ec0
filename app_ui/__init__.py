"""The Streamlit pages of BorderPlan Geo (the only code that imports streamlit)."""
