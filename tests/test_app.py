"""The Streamlit app, driven by AppTest: controls change the ranking, the map and the tables.

The map is a streamlit-folium component; its arguments (the Leaflet script the
browser will run) are read from the component's proto, so the assertions are
on what the browser would draw: each commune's status and fill colour.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from borderplan_geo.settings import PLAN_YEARS
from borderplan_geo.styles import status_styles
from borderplan_geo.targets import INDICATOR_CODES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
FILL = re.compile(r'"unit_code": "(\d+)", "status": "(\w+)", "fill": "(#[0-9A-Fa-f]{6})"')


@pytest.fixture
def app() -> Iterator[AppTest]:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    yield at


def map_script(at: AppTest) -> str:
    """The Leaflet script handed to the map component on the last run."""
    for element in at.main:
        proto = getattr(element, "proto", None)
        if proto is not None and getattr(element, "type", "") == "component_instance":
            return str(json.loads(proto.json_args)["script"])
    raise AssertionError("no map component on the page")


def fills(at: AppTest) -> dict[str, tuple[str, str]]:
    """Commune code → (status, fill colour) as drawn on the map (units outside the plan left out)."""
    return {code: (status, fill) for code, status, fill in FILL.findall(map_script(at)) if status != "none"}


def project_count(at: AppTest) -> int:
    """Projects on the map: each carries one plain "[id] name" title in the project table."""
    return len(set(re.findall(r'"\[(DA-\d+)\] ', map_script(at))))


def _as_shown(value: object) -> object:
    """A Markdown cell as the page shows it: backslash escapes read, invisible word joiners dropped."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value).replace("\u2060", "")


def ranking(at: AppTest):
    """The ranking as shown (st.table renders its text cells as Markdown, escaped by the page)."""
    for df in [*at.table, *at.dataframe]:
        if "Hạng" in df.value.columns:
            return df.value.map(_as_shown)
    raise AssertionError("no ranking table")


def select(at: AppTest, key: str, value: object) -> AppTest:
    for widget in [*at.sidebar.selectbox, *at.selectbox]:
        if widget.key == key:
            widget.set_value(value)
            at.run()
            assert not at.exception, at.exception
            return at
    raise AssertionError(f"no selectbox {key}")


def test_start_shows_the_map_the_ranking_and_the_honesty_banner(app: AppTest) -> None:
    colours = fills(app)
    assert set(colours) == {"29929", "29932", "29935"}
    styles = status_styles()
    # Clean water 2025: Thông Bình (96,9 %) missed the 99 % target; the other two made it.
    assert colours["29932"] == ("off_track", styles["off_track"].color)
    assert colours["29929"] == ("achieved", styles["achieved"].color)
    top = ranking(app).iloc[0]
    assert top["Xã"] == "Xã Thông Bình" and top["Giá trị"] == "96,9 %"
    assert top["Chênh lệch"] == "thiếu 2,1 điểm %"
    assert any("minh họa" in w.value.lower() for w in app.warning)


def test_changing_the_indicator_changes_ranking_and_map(app: AppTest) -> None:
    before = fills(app)
    select(app, "indicator", "waste_collection")
    after = fills(app)
    assert after != before
    assert after["29932"][0] == "at_risk"  # 78,2 % against 80 %, within the 5-point tolerance
    assert ranking(app).iloc[0]["Giá trị"] == "78,2 %"
    assert "Tỷ lệ thu gom rác thải" in map_script(app)  # the legend names the indicator


def test_changing_the_year_changes_ranking_and_map(app: AppTest) -> None:
    app.sidebar.select_slider[0].set_value(2022)
    app.run()
    assert not app.exception
    colours = fills(app)
    assert colours["29932"][0] == "at_risk"  # 93,1 % against 94,1 % required on the trajectory
    values = dict(zip(ranking(app)["Xã"], ranking(app)["Giá trị"], strict=True))
    assert values["Xã Tân Hộ Cơ"] == "96,1 %"


def test_changing_units_shows_the_2025_communes(app: AppTest) -> None:
    app.sidebar.radio[0].set_value("Từ 1/7/2025 (xã sau sắp xếp)")
    app.run()
    assert not app.exception
    colours = fills(app)
    # "Cả vùng (3 xã biên giới)": the communes holding the three; An Phước holds none, drawn as outside.
    assert set(colours) == {"29926", "29929", "29938"}
    assert '"unit_code": "29944", "status": "none"' in map_script(app)
    table = ranking(app)
    assert set(table["Xã"]) == {"Xã Tân Hồng", "Xã Tân Hộ Cơ", "Xã Tân Thành"}
    # Xã Tân Hồng is measured in Bình Phú only: its status says so.
    status = dict(zip(table["Xã"], table["Tình trạng"], strict=True))
    assert status["Xã Tân Hồng"] == "Đã đạt · số liệu 1/3 xã cũ"


def test_project_filters_change_the_map_and_the_table(app: AppTest) -> None:
    all_rows = project_count(app)
    assert all_rows > 10
    app.sidebar.multiselect[0].set_value(["transport"])  # sectors
    app.run()
    assert not app.exception
    transport = project_count(app)
    assert 0 < transport < all_rows
    tab_labels = [t.label for t in app.tabs]
    assert f"Dự án ({transport})" in tab_labels


def test_sensitive_projects_are_hidden_unless_a_logged_in_user_asks(app: AppTest) -> None:
    import os

    from borderplan_geo.auth import add_user
    from borderplan_geo.dataset import data_source, load_dataset

    sensitive = load_dataset(data_source()).projects
    names = list(sensitive[sensitive["sensitive"].astype(bool)]["name"])
    assert names, "the shipped data should hold defence and security items"

    def shown() -> bool:
        script = map_script(app)
        return any(json.dumps(n, ensure_ascii=False)[1:-1] in script for n in names)

    assert not shown()
    assert not [c for c in app.sidebar.checkbox if c.key == "show_sensitive"]  # no login, no switch
    add_user(Path(os.environ["BORDERPLAN_USERS"]), "anh", "mật-khẩu-đủ-dài-2025")
    app.run()  # now there is an account: the login form appears
    app.sidebar.text_input(key="login_name").input("anh")
    app.sidebar.text_input(key="login_password").input("mật-khẩu-đủ-dài-2025")
    next(b for b in app.sidebar.button if b.label == "Đăng nhập").click()
    app.run()
    assert not shown()  # logged in, still hidden by default
    app.sidebar.checkbox(key="show_sensitive").check()
    app.run()
    assert shown()


def test_criteria_matrix(app: AppTest) -> None:
    matrix = next(df.value for df in app.dataframe if "Tiêu chí" in df.value.columns)
    assert len(matrix) == 19 + 3 + 1
    assert list(matrix.columns) == ["Tiêu chí", "Bình Phú", "Tân Hộ Cơ", "Thông Bình"]
    last = matrix.set_index("Tiêu chí")
    assert last.loc["Số tiêu chí đạt", "Bình Phú"] == "19"
    assert last.loc["Số tiêu chí cơ bản đạt", "Thông Bình"] == "2"  # 2025: 14 and 17
    assert last.loc["So với mức Kế hoạch giao", "Thông Bình"] == (
        "17 đạt, 2 cơ bản đạt — đạt mức “cơ bản đạt 19 tiêu chí” Kế hoạch giao"
    )
    app.sidebar.select_slider[0].set_value(2020)
    app.run()
    matrix = next(df.value for df in app.dataframe if "Tiêu chí" in df.value.columns).set_index("Tiêu chí")
    assert matrix.loc["Số tiêu chí chưa đạt", "Thông Bình"] == "4"
    assert matrix.loc["2. Giao thông", "Thông Bình"].endswith("Chưa đạt")


@pytest.mark.parametrize("vintage", ["Trước 1/7/2025 (3 xã của Kế hoạch)", "Từ 1/7/2025 (xã sau sắp xếp)"])
def test_every_indicator_year_and_units_combination_runs(vintage: str) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.sidebar.radio[0].set_value(vintage)
    at.run()
    for code in INDICATOR_CODES:
        select(at, "indicator", code)
        for year in PLAN_YEARS:
            at.sidebar.select_slider[0].set_value(year)
            at.run()
            assert not at.exception, (code, year, at.exception)
            assert fills(at), (code, year)


def test_choosing_a_project_row_focuses_the_map_on_it(app: AppTest) -> None:
    from borderplan_geo.dataset import data_source, load_dataset

    projects = load_dataset(data_source()).projects
    public = projects[~projects["sensitive"].astype(bool)].reset_index(drop=True)
    chosen = public.iloc[2]
    app.session_state["projects_table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    assert app.session_state["selected_project"] == chosen["id"]
    assert any(f"[{chosen['id']}]".replace("-", "\\-") in s.value for s in app.success)
    script = map_script(app)
    assert "bp-selected" in script  # the ring around the chosen project
    point = chosen["geometry"].representative_point()
    # The bounds the browser fits (clear of the controls, see maps._FitView).
    fit = re.search(r"latLngBounds\(\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", script)
    assert fit, "the map is not fitted"
    south, west, north, east = map(float, fit.groups())
    assert south < point.y < north and west < point.x < east
    assert north - south < 0.05  # zoomed in on the project, not the whole area
