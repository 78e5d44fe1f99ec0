"""Meeting mode: the map fills the screen and steps through the slides ("trang chiếu").

Next and previous by the buttons or the keyboard: → / ←, PageDown / PageUp
(a presenter's clicker), "." / B (the other button some clickers send), Home /
End for the first and last slide; the keys work with the focus on the map
too. The slides come from ``views/slides.json`` (data a planner edits, see
:mod:`borderplan_geo.slides`). Every text is 24 px or more, the palette is the
high-contrast one, the sidebar is hidden, and the whole deck can be taken
away as one offline HTML file.
"""

from __future__ import annotations

import functools

import streamlit as st

from app_ui import common
from borderplan_geo._errors import DataError
from borderplan_geo._html import html_text
from borderplan_geo.maps import build_map
from borderplan_geo.slides import (
    PROJECTOR_FONT_PX,
    SLIDE_WORD,
    Deck,
    View,
    default_deck,
    load_deck,
    presentation_options,
    slide_header,
)
from borderplan_geo.slideshow import (
    SLIDESHOW_FILE_NAME,
    TABLE_CSS,
    criteria_table_html,
    export_slideshow,
    project_totals_html,
)

FONT_PX = PROJECTOR_FONT_PX

#: Fills the screen: no sidebar, no header; every text of the page 24 px or more (static CSS).
_CSS = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {{display: none;}}
[data-testid="stMainBlockContainer"], .block-container {{padding: 0.4rem 1rem 0 1rem; max-width: 100%;}}
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] {{gap: 0.3rem;}}
[data-testid="stMarkdownContainer"] p.bp-slide-title {{font-size: 2.1rem !important; font-weight: 700;
  line-height: 1.15; margin: 0 !important;}}
[data-testid="stMarkdownContainer"] p.bp-slide-sub {{font-size: {FONT_PX}px !important; color: #333;
  margin: 0.1rem 0 0 0; line-height: 1.25;}}
[data-testid="stMarkdownContainer"] p.bp-slide-warn {{font-size: {FONT_PX}px !important; color: #7a3d00;
  margin: 0 0 0.2rem 0; font-weight: 600; line-height: 1.25;}}
.st-key-bp_nav button, .st-key-bp_nav button p, .st-key-bp_nav [data-testid="stMarkdownContainer"] p,
[data-testid="stPopoverBody"], [data-testid="stPopoverBody"] p, [data-testid="stPopoverBody"] label,
[data-testid="stPopoverBody"] input, [data-testid="stPopoverBody"] button,
[data-testid="stPopoverBody"] [data-baseweb="select"] div, ul[role="listbox"] li, ul[role="listbox"] li div {{
  font-size: {FONT_PX}px !important; line-height: 1.3;}}
.st-key-bp_nav [data-testid="stIconMaterial"], [data-testid="stSkipToContent"] {{font-size: {FONT_PX}px !important;}}
.st-key-bp_nav button {{padding: 0.2rem 0.9rem; min-height: 0;}}
.st-key-bp_nav p.bp-position {{text-align: center; margin: 0; white-space: nowrap; font-weight: 600;}}
.st-key-bp_first, .st-key-bp_last, .st-key-bp_scripts {{display: none;}}
{TABLE_CSS}
</style>
"""


def _deck() -> Deck:
    try:
        return load_deck(common.source())
    except DataError as exc:
        lines = "  \n".join(common.md(line) for line in str(exc).splitlines())
        st.warning(f"Tệp trang chiếu (views/slides.json) có lỗi, dùng bộ trang chiếu mặc định:\n\n{lines}")
        return default_deck()


def _go(delta: int, count: int) -> None:
    st.session_state["slide"] = max(0, min(count - 1, int(st.session_state.get("slide", 0)) + delta))


def _to(index: int) -> None:
    st.session_state["slide"] = index


def _jump(names: list[str]) -> None:
    st.session_state["slide"] = names.index(st.session_state["bp_jump"])


def _slideshow(ds: common.Dataset, deck: Deck) -> bytes:
    """The offline slideshow of every slide (made only when the button is pressed)."""
    return export_slideshow(ds, deck).encode("utf-8")


def render() -> None:
    st.markdown(_CSS, unsafe_allow_html=True)
    ds = common.dataset()
    deck = _deck()
    count = len(deck.views)
    index = max(0, min(count - 1, int(st.session_state.get("slide", 0))))
    view = deck.views[index]
    year = view.year or ds.latest_year() or 2025
    header = slide_header(ds, view, index=index, count=count, year=year)

    with st.container(horizontal=True, vertical_alignment="center", key="bp_top", gap="medium"):
        st.markdown(
            f'<p class="bp-slide-title" id="bp-slide-title">{html_text(header.title)}</p>',
            unsafe_allow_html=True,
            width="stretch",
        )
        with st.container(
            horizontal=True, vertical_alignment="center", key="bp_nav", width="content", gap="small"
        ):
            st.button("◀ Trước", key="bp_prev", on_click=_go, args=(-1, count), disabled=index == 0)
            st.markdown(
                f'<p class="bp-position" title="{html_text(header.position)}">{index + 1}/{count}</p>',
                unsafe_allow_html=True,
                width="content",
            )
            st.button("Tiếp ▶", key="bp_next", on_click=_go, args=(1, count), disabled=index == count - 1)
            with st.popover(SLIDE_WORD):
                names = [v.name for v in deck.views]
                st.session_state["bp_jump"] = view.name  # follows the buttons and the keys
                st.selectbox(
                    "Chuyển tới trang chiếu",
                    names,
                    # Numbered: Streamlit tells options apart by their label, and two views may share a title.
                    format_func=lambda n: f"{names.index(n) + 1}. {deck.get(n).title}",
                    key="bp_jump",
                    on_change=_jump,
                    args=(names,),
                )
                st.download_button(
                    "Tải bộ trang chiếu (HTML, dùng không cần mạng, chép vào USB)",
                    data=functools.partial(_slideshow, ds, deck),
                    file_name=SLIDESHOW_FILE_NAME,
                    mime="text/html",
                    key="bp_slideshow",
                    on_click="ignore",
                    width="stretch",
                )
            # Home / End: pressed by the keys only (hidden).
            st.button("Trang chiếu đầu", key="bp_first", on_click=_to, args=(0,))
            st.button("Trang chiếu cuối", key="bp_last", on_click=_to, args=(count - 1,))
    # What the slide discloses, decided by the library (the map page and every export say the same).
    warn = f'<p class="bp-slide-warn">{header.disclosures_html()}</p>' if header.disclosures else ""
    st.markdown(f'<p class="bp-slide-sub">{html_text(header.subtitle)}</p>{warn}', unsafe_allow_html=True)

    if view.kind == "criteria":
        _criteria(ds, year, view)
    else:
        _map(ds, view, year)
    with st.container(key="bp_scripts"):
        common.page_scripts(slide_keys=True)


def _map(ds: common.Dataset, view: View, year: int) -> None:
    m = build_map(ds, presentation_options(view, year), asset_base_url=common.asset_base_url())
    m.options["keyboard"] = False  # the arrow keys step through the slides
    page = m.get_root().render().replace("</body>", common.FORWARD_KEYS_HTML + "</body>")
    if view.kind == "projects":
        left, right = st.columns([5, 2])
        with left, st.container(key="bp_map"):
            st.iframe(page, height=600)
        with right:
            st.markdown(project_totals_html(ds, view, year), unsafe_allow_html=True)
    else:
        with st.container(key="bp_map"):
            st.iframe(page, height=600)


def _criteria(ds: common.Dataset, year: int, view: View) -> None:
    st.markdown(
        f'<div style="height: calc(100vh - 9rem); overflow-y: auto">'
        f"{criteria_table_html(ds, year, vintage=view.units)}</div>",
        unsafe_allow_html=True,
    )
