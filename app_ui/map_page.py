"""The main page: the map, the ranking beside it, and the planner's tables below."""

from __future__ import annotations

import functools
import re

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_ui import auth_ui, common
from borderplan_geo._text import spreadsheet_cell
from borderplan_geo.disclosures import disclosures
from borderplan_geo.exports import export_bytes
from borderplan_geo.formatting import format_number
from borderplan_geo.layers import PROJECTS_KEY
from borderplan_geo.maps import MapOptions, build_map, filter_projects
from borderplan_geo.status import STATUS_LABELS, status_text
from borderplan_geo.styles import status_styles
from borderplan_geo.views import (
    area_row,
    criteria_matrix,
    criteria_sources,
    project_totals,
    projects_view,
    ranking_view,
    trajectories,
)

_ID = re.compile(r"^\s*\[([^\]]+)\]")
TABLE_KEY = "projects_table"


def _sync_selection(ids: list[str]) -> None:
    """Take the latest project choice: a new row chosen in the table wins, then a map click."""
    event = st.session_state.get(TABLE_KEY)
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or []) if event is not None else []
    if isinstance(event, dict):
        rows = list(event.get("selection", {}).get("rows", []))
    chosen = ids[rows[0]] if rows and rows[0] < len(ids) else None
    if chosen != st.session_state.get("_table_choice"):
        st.session_state["_table_choice"] = chosen
        if chosen:
            st.session_state["selected_project"] = chosen


def _map_click(result: dict[str, object] | None) -> None:
    tooltip = (result or {}).get("last_object_clicked_tooltip")
    if not tooltip or tooltip == st.session_state.get("_last_tooltip"):
        return
    st.session_state["_last_tooltip"] = tooltip
    match = _ID.match(str(tooltip))
    if match and match.group(1) != st.session_state.get("selected_project"):
        st.session_state["selected_project"] = match.group(1)
        st.rerun()


def _status_cell_style(value: object) -> str:
    styles = status_styles()
    for key, label in STATUS_LABELS.items():
        if str(value).split(" · ")[0] == label:  # "Đã đạt · số liệu 1/3 xã cũ" keeps its colour
            s = styles[key]
            return f"background-color: {s.color}; color: {s.text_color}; font-weight: 600"
    return ""


def render() -> None:
    common.compact_page()
    ds = common.dataset()
    user = auth_ui.login_box()
    ch = common.sidebar(ds, user)

    options = MapOptions(
        indicator=ch.indicator,
        year=ch.year,
        vintage=ch.vintage,
        commune=ch.commune,
        sectors=ch.sectors,
        project_statuses=ch.project_statuses,
        layers=ch.layers,
        basemap=ch.basemap,
        show_sensitive=ch.show_sensitive,
        palette=ch.palette,
        show_notes=False,  # the page says it above the map
    )
    projects = filter_projects(ds.projects, options) if PROJECTS_KEY in ch.layers else ds.projects.iloc[0:0]
    if ch.commune and ch.vintage == 2020:
        projects = projects[projects["commune_code"].str.contains(ch.commune, regex=False)]
    ids = list(projects["id"])
    _sync_selection(ids)
    selected = st.session_state.get("selected_project")
    if selected not in ids:
        selected = None

    st.markdown(
        f"#### {common.md(common.indicator_label(ds, ch.indicator))} — năm {ch.year}"
        f" · {'đơn vị trước 1/7/2025' if ch.vintage == 2020 else 'xã từ 1/7/2025'}"
    )
    common.disclosure_banner(disclosures(ds, options))
    if ch.basemap_note:
        st.caption(f":material/cloud_off: {ch.basemap_note}")

    m = build_map(
        ds,
        MapOptions(**{**options.__dict__, "selected_project": selected}),
        asset_base_url=common.asset_base_url(),
    )
    left, right = st.columns([7, 3], gap="small")
    with left, st.container(key="bp_map"):
        # Sized to the window by common.page_scripts(): map and legend above the fold on any screen.
        result = st_folium(
            m,
            key="map",
            height=580,
            use_container_width=True,
            returned_objects=["last_object_clicked_tooltip"],
        )
        _map_click(result)
    with right:
        _summary(ds, ch)

    _exports(ds, MapOptions(**{**options.__dict__, "basemap": "none"}))

    tabs = st.tabs(
        ["Xếp hạng chi tiết", "19 tiêu chí nông thôn mới", "Diễn biến 2020–2025", f"Dự án ({len(projects)})"]
    )
    with tabs[0]:
        _ranking(ds, ch)
    with tabs[1]:
        _criteria(ds, ch)
    with tabs[2]:
        _trajectory(ds, ch)
    with tabs[3]:
        _projects(projects, selected)
    with st.container(key="bp_scripts"):
        common.page_scripts()


_BADGE = {
    "achieved": "blue-background",
    "on_track": "blue",
    "at_risk": "orange-background",
    "off_track": "red-background",
    "no_data": "gray-background",
}


def _summary(ds: common.Dataset, ch: common.Choices) -> None:
    """Beside the map: the 3-commune figure and who lags, by how much, in a few lines."""
    area = area_row(ds, ch.indicator, ch.year, vintage=ch.vintage)
    if area is not None and area.get("in_scope"):
        st.metric(
            "Chung 3 xã biên giới",
            common.md(area["value_text"]),
            delta=f"{common.md(status_text(area))} · {common.md(area['gap_text'])}",
            delta_color="off",
            help=common.md(area["reason"]),
        )
    view = ranking_view(ds, ch.indicator, ch.year, vintage=ch.vintage)
    if view.empty:
        st.info("Chỉ tiêu này không đặt cho từng xã.")
        return
    st.markdown("**Xã nào chậm, chậm bao nhiêu** (chậm nhất ở trên)")
    styles = status_styles()
    for r in view.to_dict("records"):
        symbol = styles[r["status"]].symbol
        badge = f":{_BADGE[r['status']]}[{symbol} {common.md(r['Tình trạng'])}]"
        gap = "" if r["Chênh lệch"] in ("–", "") else f" · {common.md(r['Chênh lệch'])}"
        flag = " · *minh họa*" if r["Minh họa"] else ""
        st.markdown(
            f"**{r['Hạng']}. {common.md(r['Xã'])}** — {common.md(r['Giá trị'])}{gap}  \n{badge}{flag}"
        )
        st.caption(common.md(r["Nhận định"]))


EXPORT_FORMATS = {
    "png": ("Ảnh PNG 1920×1080 (máy chiếu)", "image/png"),
    "pdf": ("Tài liệu PDF A4 (phát tay)", "application/pdf"),
    "html": ("Bản đồ HTML dùng không cần mạng (USB)", "text/html"),
}


def export_file(ds: common.Dataset, options: MapOptions, fmt: str) -> bytes:
    """The export of what the map shows (made only when the button is pressed)."""
    return export_bytes(ds, fmt, options, include_sensitive=options.show_sensitive)


def _exports(ds: common.Dataset, options: MapOptions) -> None:
    """Sidebar: hand out exactly what is on screen (sensitive items only if shown)."""
    with st.sidebar.expander("Xuất bản đồ, tài liệu", expanded=False):
        st.caption("Xuất đúng chỉ tiêu, năm, đơn vị và bộ lọc đang chọn; dùng được khi không có mạng.")
        stem = f"borderplan_{options.indicator}_{options.year}_{options.vintage}"
        for fmt, (label, mime) in EXPORT_FORMATS.items():
            st.download_button(
                label,
                data=functools.partial(export_file, ds, options, fmt),
                file_name=f"{stem}.{fmt}",
                mime=mime,
                key=f"export_{fmt}",
                on_click="ignore",
                width="stretch",
            )


def _ranking(ds: common.Dataset, ch: common.Choices) -> None:
    """Every column within the page's width at 1366 px: a table whose long cells wrap (not a grid)."""
    view = ranking_view(ds, ch.indicator, ch.year, vintage=ch.vintage)
    if view.empty:
        st.info("Chỉ tiêu này không đặt cho từng xã.")
        return
    shown = common.sheet(
        view[
            [
                "Hạng",
                "Xã",
                "Giá trị",
                "Mục tiêu",
                "Chênh lệch",
                "Tình trạng",
                "Nhận định",
                "Nguồn",
                "Minh họa",
            ]
        ]
    )
    shown["Minh họa"] = ["✔ minh họa" if flag else "" for flag in view["Minh họa"]]
    colours = [_status_cell_style(v) for v in shown["Tình trạng"]]
    # st.table renders each text cell as Markdown: text from data is escaped so it shows as written.
    shown = shown.map(lambda v: common.md(v) if isinstance(v, str) else v)
    st.table(shown.style.apply(lambda _col: colours, subset=["Tình trạng"]), hide_index=True)
    st.caption("Minh họa: số liệu giả định để trình diễn, không phải báo cáo.")


def _criteria(ds: common.Dataset, ch: common.Choices) -> None:
    matrix = criteria_matrix(ds, ch.year, vintage=ch.vintage)
    colours = {"Đạt": "#0072B2", "Cơ bản đạt": "#E69F00", "Chưa đạt": "#D55E00"}
    text = {"Đạt": "#fff", "Cơ bản đạt": "#111", "Chưa đạt": "#fff"}

    def cell(value: object) -> str:
        v = str(value)
        return f"background-color: {colours[v]}; color: {text[v]}" if v in colours else ""

    symbols = {"Đạt": "✔ Đạt", "Cơ bản đạt": "! Cơ bản đạt", "Chưa đạt": "✖ Chưa đạt"}
    shown = matrix.copy()
    for col in shown.columns[1:]:
        shown[col] = [symbols.get(v, v) for v in shown[col]]

    def cell2(value: object) -> str:
        return cell(str(value).split(" ", 1)[-1]) if str(value)[:1] in "✔!✖" else ""

    st.dataframe(
        common.sheet(shown).style.map(cell2, subset=list(shown.columns[1:])),
        hide_index=True,
        width="stretch",
        height=min(760, 36 * (len(shown) + 1)),
        key="criteria_table",
    )
    sources = criteria_sources(ds, ch.year)
    if sources:
        st.caption("Nguồn: " + " · ".join(common.md(s) for s in sources))


def _trajectory(ds: common.Dataset, ch: common.Choices) -> None:
    frame = trajectories(ds, ch.indicator, vintage=ch.vintage)
    if frame.empty:
        st.info("Chưa có số liệu để vẽ diễn biến của chỉ tiêu này.")
        return
    long = pd.concat(
        [
            frame.assign(series="Thực tế", y=frame["value"]),
            frame.assign(series="Lộ trình cần đạt", y=frame["required"]),
        ]
    ).dropna(subset=["y"])
    long["Giá trị"] = [format_number(round(v, 2)) for v in long["y"]]
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Năm"),
            y=alt.Y("y:Q", title=common.indicator_label(ds, ch.indicator), scale=alt.Scale(zero=False)),
            color=alt.Color("Xã:N"),
            strokeDash=alt.StrokeDash("series:N", title="", sort=["Thực tế", "Lộ trình cần đạt"]),
            tooltip=["Xã", "series", "year", "Giá trị"],
        )
        .properties(height=320)
    )
    st.altair_chart(chart, width="stretch")
    st.caption(
        "Nét liền: số liệu thực tế; nét đứt: lộ trình từ năm gốc đến mục tiêu. Thiếu năm nào thì không vẽ điểm năm đó."
    )


def _projects(projects: pd.DataFrame, selected: str | None) -> None:
    view = projects_view(projects)
    if view.empty:
        st.info("Không có dự án nào theo bộ lọc đang chọn.")
        return
    if selected:
        row = projects[projects["id"] == selected]
        if not row.empty:
            r = row.iloc[0]
            st.success(
                f"Đang chọn: **[{common.md(r['id'])}] {common.md(r['name'])}** — {common.md(r['commune_name'])}"
            )

    def highlight(row: pd.Series) -> list[str]:
        on = selected is not None and row["Mã"] == spreadsheet_cell(selected)
        return ["background-color: #FFF59D; font-weight: 600" if on else "" for _ in row]

    shown = view.copy()
    shown["Tổng vốn (tỷ đồng)"] = [
        format_number(v) if v is not None and v == v else "–" for v in shown["Tổng vốn (tỷ đồng)"]
    ]
    st.dataframe(
        common.sheet(shown).style.apply(highlight, axis=1),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=TABLE_KEY,
        column_config={
            "Tiến độ (%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d%%"),
            "Minh họa": st.column_config.CheckboxColumn(help="Dữ liệu giả định để trình diễn"),
        },
    )
    st.caption(
        "Chọn một dòng để bản đồ đưa tới công trình đó; bấm một công trình trên bản đồ để tô sáng dòng của nó."
    )
    a, b = st.columns(2)
    with a:
        st.markdown("**Theo lĩnh vực**")
        st.dataframe(
            common.sheet(_fmt_totals(project_totals(projects, "sector"))), hide_index=True, width="stretch"
        )
    with b:
        st.markdown("**Theo xã**")
        st.dataframe(
            common.sheet(_fmt_totals(project_totals(projects, "commune"))), hide_index=True, width="stretch"
        )


def _fmt_totals(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("Tổng vốn (tỷ đồng)", "Tiến độ bình quân (%)"):
        out[col] = [format_number(v) if v is not None and v == v else "" for v in out[col]]
    return out
