"""Meeting mode: the map fills a 16:9 screen and steps through the saved views.

Next and previous by the buttons or the keyboard (→ / ←, also PageDown /
PageUp from a presenter's clicker); the views come from ``views/slides.json``
(data a planner edits, see :mod:`borderplan_geo.slides`). Labels and legend
are 24 px or more, the palette is the high-contrast one, the sidebar is hidden.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from app_ui import common
from borderplan_geo._errors import DataError
from borderplan_geo._html import html_text
from borderplan_geo.criteria import LEVEL_LABELS
from borderplan_geo.formatting import format_number
from borderplan_geo.maps import build_map, filter_projects
from borderplan_geo.slides import Deck, View, default_deck, load_deck, view_disclosures
from borderplan_geo.views import criteria_matrix, project_totals

FONT_PX = 24

#: Fills the screen: no sidebar, no header, the map iframe as tall as the window allows.
_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"], .block-container {padding: 0.6rem 1.2rem 0 1.2rem; max-width: 100%;}
iframe[title="st.iframe"] {height: calc(100vh - 9.4rem) !important; width: 100%;}
[data-testid="stMarkdownContainer"] p.bp-slide-title {font-size: 2.2rem !important; font-weight: 700; line-height: 1.15;
  margin: 0 !important;}
[data-testid="stMarkdownContainer"] p.bp-slide-sub {font-size: 1.2rem !important; color: #333; margin: 0.15rem 0 0 0;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
[data-testid="stMarkdownContainer"] p.bp-slide-warn {font-size: 1.05rem !important; color: #7a3d00; margin: 0 0 0.3rem 0;
  font-weight: 600;}
.st-key-bp_prev button, .st-key-bp_next button {font-size: 1.3rem; padding: 0.4rem 1.2rem;}
.bp-big-table {font-size: 24px; border-collapse: collapse; width: 100%;}
.bp-big-table th, .bp-big-table td {border: 2px solid #222; padding: 4px 10px; text-align: left;}
.bp-big-table td.l-dat {background: #004B87; color: #fff;}
.bp-big-table td.l-co_ban_dat {background: #FFB000; color: #000;}
.bp-big-table td.l-chua_dat {background: #C0392B; color: #fff;}
</style>
"""

# Focus inside the map's frame would swallow the arrow keys: forward them to the slide buttons.
_KEYS_JS = """
<script>
(function() {
  function press(key) {
    var doc = window.parent.document;
    var which = (key === 'ArrowRight' || key === 'PageDown') ? 'bp_next' :
                (key === 'ArrowLeft' || key === 'PageUp') ? 'bp_prev' : null;
    if (!which) return false;
    var btn = doc.querySelector('.st-key-' + which + ' button');
    if (btn && !btn.disabled) { btn.click(); return true; }
    return false;
  }
  document.addEventListener('keydown', function(e) { if (press(e.key)) e.preventDefault(); });
})();
</script>
"""


def _deck() -> Deck:
    try:
        return load_deck(common.source())
    except DataError as exc:
        lines = "  \n".join(common.md(line) for line in str(exc).splitlines())
        st.warning(f"Tệp khung nhìn (views/slides.json) có lỗi, dùng bộ khung nhìn mặc định:\n\n{lines}")
        return default_deck()


def _go(delta: int, count: int) -> None:
    st.session_state["slide"] = max(0, min(count - 1, int(st.session_state.get("slide", 0)) + delta))


def _jump(names: list[str]) -> None:
    st.session_state["slide"] = names.index(st.session_state["bp_jump"])


def render() -> None:
    st.markdown(_CSS, unsafe_allow_html=True)
    ds = common.dataset()
    deck = _deck()
    count = len(deck.views)
    index = max(0, min(count - 1, int(st.session_state.get("slide", 0))))
    view = deck.views[index]
    year = view.year or ds.latest_year() or 2025

    head, nav = st.columns([5, 2], vertical_alignment="center")
    with head:
        date = ds.data_date()
        parts = [view.note] if view.note else []
        parts += [f"Năm {year}", f"Dữ liệu cập nhật {date}" if date else "", f"Khung {index + 1}/{count}"]
        sub = " · ".join(p for p in parts if p)
        # What the slide discloses, decided by the library (the map page and every export say the same).
        warn = "".join(
            f'<span class="bp-disclosure" data-key="{html_text(d.key)}" title="{html_text(d.text)}">'
            f"⚠ {html_text(d.short)}</span> "
            for d in view_disclosures(ds, view, year)
        )
        st.markdown(
            f'<p class="bp-slide-title" id="bp-slide-title">{html_text(view.title)}</p>'
            f'<p class="bp-slide-sub">{html_text(sub)}</p>'
            f'<p class="bp-slide-warn">{warn}</p>',
            unsafe_allow_html=True,
        )
    with nav:
        a, b, c = st.columns([1, 1, 1])
        a.button(
            "◀ Trước", key="bp_prev", on_click=_go, args=(-1, count), disabled=index == 0, shortcut="Left"
        )
        b.button(
            "Tiếp ▶",
            key="bp_next",
            on_click=_go,
            args=(1, count),
            disabled=index == count - 1,
            shortcut="Right",
        )
        with c.popover("Khung"):
            names = [v.name for v in deck.views]
            st.session_state["bp_jump"] = view.name  # follows the buttons and the keys
            st.selectbox(
                "Chuyển tới",
                names,
                # Numbered: Streamlit tells options apart by their label, and two views may share a title.
                format_func=lambda n: f"{names.index(n) + 1}. {deck.get(n).title}",
                key="bp_jump",
                on_change=_jump,
                args=(names,),
            )

    if view.kind == "criteria":
        _criteria(ds, year, view)
    else:
        _map(ds, view, year)
    components.html(_KEYS_JS, height=0)


def _map(ds: common.Dataset, view: View, year: int) -> None:
    options = view.map_options(
        year=year,
        palette="high_contrast",
        font_px=FONT_PX,
        controls=False,
        title=None,
        legend_symbols_open=view.kind == "projects",
        show_notes=False,  # the header above the map carries them, in large type
        legend_room_px=380 if view.kind != "projects" else 0,
    )
    m = build_map(ds, options, asset_base_url=common.asset_base_url())
    m.options["keyboard"] = False  # the arrow keys step through the slides
    page = m.get_root().render().replace("</body>", _KEYS_JS + "</body>")
    if view.kind == "projects":
        left, right = st.columns([5, 2])
        with left:
            components.html(page, height=720)
        with right:
            projects = filter_projects(ds.projects, options)
            totals = project_totals(projects, "sector")
            rows = "".join(
                f"<tr><td>{html_text(r['Nhóm'])}</td><td>{html_text(r['Số công trình'])}</td>"
                f"<td>{html_text(format_number(r['Tổng vốn (tỷ đồng)']))}</td></tr>"
                for r in totals.to_dict("records")
            )
            st.markdown(
                '<table class="bp-big-table" style="font-size:20px"><tr><th>Lĩnh vực</th><th>Số CT</th>'
                f"<th>Vốn (tỷ đồng)</th></tr>{rows}</table>",
                unsafe_allow_html=True,
            )
    else:
        components.html(page, height=720)


def _criteria(ds: common.Dataset, year: int, view: View) -> None:
    matrix = criteria_matrix(ds, year, vintage=view.units)
    levels = {label: key for key, label in LEVEL_LABELS.items()}
    symbols = {"dat": "✔", "co_ban_dat": "!", "chua_dat": "✖"}
    header = "".join(f"<th>{html_text(c)}</th>" for c in matrix.columns)
    body = []
    for r in matrix.to_dict("records"):
        cells = [f"<td>{html_text(r['Tiêu chí'])}</td>"]
        for col in matrix.columns[1:]:
            value = str(r[col])
            key = levels.get(value)
            if key:
                cells.append(f'<td class="l-{key}">{symbols[key]} {html_text(value)}</td>')
            else:
                cells.append(f"<td><b>{html_text(value)}</b></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    st.markdown(
        f'<div style="height: calc(100vh - 8.8rem); overflow-y: auto">'
        f'<table class="bp-big-table"><tr>{header}</tr>{"".join(body)}</table></div>',
        unsafe_allow_html=True,
    )
