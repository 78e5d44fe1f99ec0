"""The floor: a Streamlit page with a title and ``st_folium`` of the nine 2020 units, nothing else.

Used by ``bench_page.py`` and ``bench_load.py`` as the yardstick the app is measured against. Leaflet
is served from ``static/vendor`` like the app's (the benchmark runs this file from a temporary folder
whose ``static`` links to the repository's), no tiles. A select box recolours the polygons, so the
floor's rerun can be timed the same way as the app's control change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
sys.path.insert(0, str(ROOT))

from borderplan_geo.assets import localise  # noqa: E402  (the repository is on the path only now)

st.title("Floor")
colour = st.selectbox("Màu", ["#0072B2", "#D55E00", "#009E73"], key="colour")
m = folium.Map(location=[10.98, 105.45], zoom_start=11, tiles=None)
folium.GeoJson(
    str(ROOT / "data" / "boundaries" / "units_2020.geojson"),
    style_function=lambda _f: {"color": colour, "fillColor": colour, "fillOpacity": 0.4},
).add_to(m)
localise(m, "/app/static/vendor")
st_folium(m, key="map", height=580, use_container_width=True, returned_objects=[])
