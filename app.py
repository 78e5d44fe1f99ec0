"""BorderPlan Geo — the Streamlit app. Thin: pages read widgets, call the library, show.

Run: ``bash scripts/run.sh`` (sets everything up), or ``streamlit run app.py``.
"""

from __future__ import annotations

import streamlit as st

from app_ui import data_page, map_page, present_page

st.set_page_config(
    page_title="BorderPlan Geo — 3 xã biên giới Tân Hồng",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="expanded",
)

pages = [
    st.Page(map_page.render, title="Bản đồ", icon=":material/map:", url_path="ban-do", default=True),
    st.Page(present_page.render, title="Trình chiếu", icon=":material/slideshow:", url_path="trinh-chieu"),
    st.Page(data_page.render, title="Dữ liệu", icon=":material/database:", url_path="du-lieu"),
]
st.navigation(pages).run()
