"""The import tab driven by AppTest: the mapping step, the review a planner reads, the save message."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_ui.common import md
from borderplan_geo.auth import add_user
from borderplan_geo.boundaries import read_units
from borderplan_geo.indicators import VALUES_FILE
from borderplan_geo.sheet_layout import LAYOUTS_FILE
from borderplan_geo.store import DataSource, Store
from tests import district_reports as reports
from tests.test_app_data import DATA_PAGE, PASSWORD, login, run
from tests.test_public_boundaries import gadm_frame

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def editor(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BORDERPLAN_DATA", str(data_copy))
    add_user(Path(os.environ["BORDERPLAN_USERS"]), "chi", PASSWORD, role="editor")
    return "chi"


def check_file(at: AppTest, name: str, content: bytes) -> AppTest:
    at.selectbox(key="imp_kind").set_value("values").run()
    at.file_uploader(key="imp_file").set_value((name, content, XLSX)).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    """What the import tab shows, as read (Markdown's escapes and word joiners taken out; the other tabs left out)."""
    tab = at.tabs[0]
    parts = [
        re.sub(r"\\(.)", r"\1", str(e.value)).replace("\u2060", "")
        for e in [*tab.success, *tab.error, *tab.info, *tab.caption, *tab.markdown]
    ]
    for frame in tab.dataframe:
        parts.append(frame.value.to_string())
    return "\n".join(str(p) for p in parts)


def test_the_mapping_step_asks_guesses_and_imports(editor: str, data_copy: Path) -> None:
    at = check_file(login(run(DATA_PAGE), editor, PASSWORD), "rac.xlsx", reports.unknown_headers())
    text = page_text(at)
    assert "Cột nào là tên xã / năm / chỉ tiêu / giá trị?" in text
    # The first rows, shown as the file has them, and the importer's guesses preselected.
    assert "Tân Hộ Cơ" in text and "78,5" in text
    boxes = {s.label: s for s in at.selectbox if str(s.key).startswith("imp_map_")}
    assert boxes["Cột 'Đơn vị báo cáo'"].value == "commune"
    assert boxes["Cột 'Kỳ BC'"].value == "year"
    assert boxes["Cột 'Kết quả đạt được'"].value == "value"
    assert boxes["Cột 'Văn bản nguồn'"].value == "source"
    assert "--map" not in text and "--" not in "".join(e.value for e in at.error)
    # a question, not a refusal: no error box while the step waits for the answer
    assert not at.tabs[0].error and "chưa nhập, chưa lưu gì" in text
    # The user corrects nothing and reads the file again: the review, then the save.
    at.button(key="imp_map_apply").click().run()
    assert not at.exception, at.exception
    text = page_text(at)
    assert "Xã Tân Hộ Cơ · Tỷ lệ thu gom rác thải · năm 2023" in text and "78,5" in text
    assert "29929" not in text and "waste_collection" not in text
    at.button(key="imp_commit").click().run()
    assert not at.exception, at.exception
    saved = " ".join(s.value for s in at.success)
    assert "kho dữ liệu của người dùng" in saved and "phiên bản 1" in saved
    assert str(Path(os.environ["BORDERPLAN_STORE"])) not in saved  # an editor is not shown server paths
    source = DataSource(data_copy, Store(Path(os.environ["BORDERPLAN_STORE"])))
    assert "Báo cáo 11/BC-UBND xã Bình Phú" in (source.read_bytes(VALUES_FILE) or b"").decode()
    assert source.read_bytes(LAYOUTS_FILE) is not None  # "ghi nhớ cách đọc" was ticked by default


def test_a_district_report_needs_no_mapping_and_says_what_it_skipped(editor: str) -> None:
    at = check_file(login(run(DATA_PAGE), editor, PASSWORD), "bieu_01.xlsx", reports.indicators_in_rows())
    assert not [s for s in at.selectbox if str(s.key).startswith("imp_map_")]
    text = page_text(at)
    assert "Xã Bình Phú · Hộ dân sử dụng nước sạch, hợp vệ sinh · năm 2024" in text
    assert "96,2" in text and "Số liệu minh họa" in text
    assert any("Không nhập (bỏ qua)" in e.label for e in at.expander)
    assert "khối chữ ký" in text and "Bình quân 3 xã" in text
    assert "**dòng 18** · NGƯỜI LẬP BIỂU — khối chữ ký (người lập biểu, lãnh đạo ký)" in text


def test_a_public_boundary_file_says_its_label_its_source_and_where_it_is_saved(
    editor: str, data_copy: Path, tmp_path: Path
) -> None:
    """GADM's file through the import tab: 'tham khảo' unless chosen, the label and source shown."""
    units_2020, _ = read_units(DataSource(data_copy))
    path = tmp_path / "gadm41_VNM_3.geojson"
    gadm_frame(units_2020).to_file(path, driver="GeoJSON")
    at = login(run(DATA_PAGE), editor, PASSWORD)
    assert at.selectbox(key="imp_kind").value == "values"  # figures first: what a planner brings most
    at.selectbox(key="imp_kind").set_value("boundaries").run()
    assert at.radio(key="imp_accuracy").value == "reference"  # never official unless the user says so
    at.text_input(key="imp_source").input("GADM 4.1 (gadm.org)").run()
    at.file_uploader(key="imp_file").set_value((path.name, path.read_bytes(), "application/geo+json")).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    said = " ".join(str(e.value) for e in at.tabs[0].info)  # Markdown: the file's text escaped
    assert f"Ranh giới sẽ được ghi là: **tham khảo** · Nguồn: {md('GADM 4.1 (gadm.org)')}" in said
    text = page_text(at)
    assert "gadm41_VNM_3.geojson → Ranh giới xã: cập nhật 9 xã, thị trấn; không đổi 0" in text
    assert "nhận ra xã theo cột 'NAME_3' (9/10 đối tượng khớp tên hoặc mã xã)" in text
    assert "HồngNgự" in text and "thuộc huyện khác" in text  # the next district's commune, skipped
    assert "9 xã (như nhau)" in text and "gần đúng" in text and "29929" not in text
    assert "--" not in text and "accuracy" not in text
    # The user says it is the legal one: the label follows.
    at.radio(key="imp_accuracy").set_value("official").run()
    at.button(key="imp_check").click().run()
    assert "Ranh giới sẽ được ghi là: **chính thức (pháp lý)** · Nguồn: GADM 4.1" in page_text(at)
    at.button(key="imp_commit").click().run()
    assert not at.exception, at.exception
    saved = " ".join(s.value for s in at.success)
    assert md("Đã lưu ranh giới xã (chính thức (pháp lý)) từ tệp gadm41_VNM_3.geojson") in saved
    assert md("vào kho dữ liệu của người dùng: phiên bản 1 của boundaries/official/") in saved
    after, _ = read_units(DataSource(data_copy, Store(Path(os.environ["BORDERPLAN_STORE"]))))
    assert set(after["accuracy"]) == {"official"} and set(after["source"]) == {"GADM 4.1 (gadm.org)"}
