"""Bring your own data: import files, edit figures, criteria and projects, undo, history.

Without a login the page only describes the data; every change needs one.
Every rule (reading, checking, saving, refusing a stale save) is in the
library (:mod:`borderplan_geo.importing`, :mod:`borderplan_geo.editing`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_ui import auth_ui, common
from borderplan_geo._errors import BorderplanError, DataError, Problem, StaleSaveError
from borderplan_geo.auth import User, can_edit, is_admin
from borderplan_geo.boundaries import BOUNDARY_ACCURACY_SHORT, outside_note
from borderplan_geo.dataset import validate
from borderplan_geo.editing import (
    CRITERIA_FILE,
    PROJECTS_FILE,
    VALUES_FILE,
    Editable,
    load_criteria,
    load_projects,
    load_values,
    reassign_works,
    save_criteria,
    save_projects,
    save_values,
    undo,
)
from borderplan_geo.formatting import format_number, parse_number
from borderplan_geo.importing import (
    BOUNDARY_ACCURACIES,
    KINDS,
    MISSING_LABELS,
    Preview,
    commit,
    preview,
    save_layout,
    saved_message,
    to_wgs84,
)
from borderplan_geo.layers import LAYERS, PROJECT_STATUSES, SECTORS
from borderplan_geo.maps import MapOptions, build_map
from borderplan_geo.osm import replace_boundaries_with_osm
from borderplan_geo.settings import PLAN_YEARS
from borderplan_geo.sheet_layout import LAYOUTS_FILE, MappingQuestion, role_choices, role_label
from borderplan_geo.store import Version
from borderplan_geo.targets import indicator_codes
from borderplan_geo.units import PLAN_CODES, get_unit, units

KIND_LABELS = {
    "values": "Số liệu chỉ tiêu",
    "criteria": "Tiêu chí nông thôn mới",
    "projects": "Dự án, công trình",
    "layer": "Một lớp bản đồ",
    "boundaries": "Ranh giới xã",
}
CRS_CHOICES = {
    "": "Theo tệp (hoặc kinh độ/vĩ độ WGS84)",
    "EPSG:5897": "VN-2000 / TM-3 kinh tuyến trục 105° (Đồng Tháp) — EPSG:5897",
    "EPSG:3405": "VN-2000 / UTM múi 48N — EPSG:3405",
    "EPSG:4326": "WGS84 kinh độ/vĩ độ — EPSG:4326",
    "EPSG:32648": "WGS84 / UTM múi 48N — EPSG:32648",
}


def _problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return common.sheet(
        pd.DataFrame(
            [
                {
                    "Mức": "Lỗi" if p.severity == "error" else "Cảnh báo",
                    "Tệp": p.file,
                    "Dòng": p.row if p.row is not None else "",
                    "Cột": p.column or "",
                    "Vấn đề": p.message,
                }
                for p in problems
            ]
        )
    )


def _show_error(exc: BorderplanError) -> None:
    if isinstance(exc, DataError):
        st.error("Chưa lưu gì. Sửa các lỗi sau rồi thử lại:")
        st.dataframe(_problems_frame(exc.problems), hide_index=True, width="stretch")
    else:
        st.error(common.md(exc))
        if isinstance(exc, StaleSaveError):
            st.button(
                "Tải bản mới nhất (bỏ các sửa đổi chưa lưu)", on_click=_refresh, key=f"reload_{id(exc)}"
            )


def _accounts() -> Path:
    """The accounts file each write checks its author against, at the moment of writing."""
    return common.settings().users


def _refresh() -> None:
    """Reload every table from the new version after a save."""
    for key in list(st.session_state):
        if str(key).startswith("edit_"):
            del st.session_state[key]


def _editable(key: str, load: Callable[[], Editable]) -> Editable:
    """A table for an editor, loaded once per session (kept with the version it came from)."""
    if key not in st.session_state:
        st.session_state[key] = load()
    table: Editable = st.session_state[key]
    return table


def _save(action: Callable[[], Version | None]) -> None:
    """Run a save; report 'saved', 'nothing changed' or why nothing was saved."""
    try:
        version = action()
    except BorderplanError as exc:
        _show_error(exc)
        return
    _refresh()
    st.success("Đã lưu." if version else "Không có gì thay đổi.")


def render() -> None:
    common.compact_page()
    with st.container(key="bp_scripts"):
        common.page_scripts()  # Streamlit's own words in Vietnamese
    user = auth_ui.login_box()
    src = common.source()
    st.markdown("#### Dữ liệu: nhập, sửa, lịch sử")
    st.caption("Tệp gốc trong thư mục không bị ghi đè: mọi thay đổi lưu thành phiên bản mới, giữ bản trước.")
    if is_admin(user):  # where the server keeps its files is for its administrators only
        st.caption(
            f"Thư mục dữ liệu: {common.md(src.data_dir)} · "
            f"Kho lưu các thay đổi: {common.md(src.store.path if src.store else '—')}"
        )
    if not can_edit(user):
        st.info(
            "Xem bản đồ không cần đăng nhập. **Nhập tệp, sửa số liệu, hoàn tác** cần tài khoản: "
            "đăng nhập ở mục *Tài khoản* bên trái."
        )
        _check_panel()
        return
    assert user is not None
    _outside_panel(user)
    tabs = st.tabs(
        ["Nhập tệp", "Sửa số liệu", "Sửa tiêu chí NTM", "Sửa dự án", "Lịch sử, hoàn tác", "Ranh giới OSM"]
    )
    with tabs[0]:
        _import_tab(user)
    with tabs[1]:
        _values_tab(user)
    with tabs[2]:
        _criteria_tab(user)
    with tabs[3]:
        _projects_tab(user)
    with tabs[4]:
        _history_tab(user)
    with tabs[5]:
        _osm_tab(user)


def _outside_panel(user: User) -> None:
    """After new boundaries: the works outside their recorded commune — keep it, or take it from the position."""
    outside = common.dataset().outside_features
    if outside.empty:
        return
    with st.expander(f"Công trình nằm ngoài xã đã ghi cho nó ({len(outside)}) — sau khi thay ranh giới"):
        records = outside.to_dict("records")
        notes = {
            str(r["id"]): f"{r['name']} ({r['id']}): {outside_note(r)}" for r in records if r["found_code"]
        }
        beyond = [f"{r['name']} ({r['id']}): {outside_note(r)}" for r in records if not r["found_code"]]
        if beyond:
            st.warning(
                "Vị trí ở ngoài huyện, không xã nào chứa — kiểm tra lại tọa độ ở thẻ 'Sửa dự án' hoặc nhập lại lớp:"
            )
            st.text("\n".join(beyond))
        st.caption(
            "Giữ nguyên xã đã ghi: không cần làm gì (bản đồ vẫn đánh dấu các công trình này). "
            "Hoặc chọn công trình rồi bấm nút để lấy xã theo vị trí; mỗi lớp lưu thành một phiên bản mới, "
            "hoàn tác được ở thẻ 'Lịch sử, hoàn tác'."
        )
        chosen = st.multiselect(
            "Công trình sẽ gán xã theo vị trí",
            list(notes),
            default=list(notes),
            format_func=lambda i: notes[i],
            key="reassign_ids",
        )
        if st.button("Gán xã theo vị trí", key="reassign", disabled=not chosen):
            try:
                saved = reassign_works(
                    common.source(), outside, ids=chosen, author=user, accounts=_accounts()
                )
            except BorderplanError as exc:
                _show_error(exc)
                return
            _refresh()
            moved = sum(len(r.moved) for r in saved)
            st.success(f"Đã gán lại xã theo vị trí cho {format_number(moved)} công trình.")


def _check_panel() -> None:
    if st.button("Kiểm tra dữ liệu hiện có", key="validate"):
        problems = validate(common.source())
        if not problems:
            st.success("Dữ liệu hợp lệ: không có lỗi, không có cảnh báo.")
        else:
            st.dataframe(_problems_frame(problems), hide_index=True, width="stretch")


# --- import ----------------------------------------------------------------------------------------

#: Where on this page each import option is set (problems name the option; the page says where).
OPTION_PLACES = {
    "kind": "chọn ở ô 'Loại dữ liệu'",
    "crs": "chọn ở ô 'Hệ tọa độ'",
    "source": "ghi ở ô 'Nguồn'",
    "year": "ghi ở ô 'Năm của số liệu'",
    "indicator": "chọn ở ô 'Chỉ tiêu'",
    "layer": "chọn ở ô 'Lớp'",
    "accuracy": "chọn ở ô 'Tệp ranh giới này là'",
    "map": "chọn cột ở bước 'Cột nào là tên xã / năm / chỉ tiêu / giá trị?' phía trên",
}


def _review_problems(problems: list[Problem]) -> str:
    """Problems for a planner, one line each (wrapped, never cut): where, what, and where on this page
    the fix is — never a command-line flag. Text from the file is escaped (:func:`common.md`)."""
    lines = []
    for p in problems:
        where = [f"dòng {p.row}"] if p.row is not None else []
        if p.column:
            where.append(f"cột '{p.column}'")
        head = "**Lỗi**" if p.severity == "error" else "**Cảnh báo**"
        place = f" → {OPTION_PLACES[p.option]}" if p.option in OPTION_PLACES else ""
        said = common.md(", ".join(where) + ": " if where else "")
        lines.append(f"- {head} · {said}{common.md(p.message)}{place}")
    return "\n".join(lines)


def _import_tab(user: User) -> None:
    st.markdown(
        "Nhận GeoJSON, GeoPackage, Shapefile nén (.zip), KML/KMZ, CSV, XLSX. Bảng tính có thể có dòng tiêu đề, "
        "tiêu đề gộp ô, tên xã viết kiểu nào cũng được, số viết kiểu Việt Nam (68,5; 2.250); biểu báo cáo của "
        "phòng, ban (chỉ tiêu theo dòng, xã theo cột; dòng cộng, ghi chú, chữ ký) đọc được như vốn có. "
        "**Chưa lưu gì cho đến khi bạn xác nhận.**"
    )
    a, b = st.columns(2)
    kind = a.selectbox(  # figures first: what a planner brings most often
        "Loại dữ liệu",
        sorted(KINDS, key=lambda k: list(KIND_LABELS).index(k) if k in KIND_LABELS else len(KIND_LABELS)),
        format_func=lambda k: KIND_LABELS.get(k, k),
        key="imp_kind",
    )
    layer = None
    if kind == "layer":
        layer = b.selectbox("Lớp", list(LAYERS), format_func=lambda k: LAYERS[k].label, key="imp_layer")
    accuracy = "reference"
    if kind == "boundaries":
        accuracy = b.radio(
            "Tệp ranh giới này là",
            list(BOUNDARY_ACCURACIES),
            format_func=BOUNDARY_ACCURACY_SHORT.__getitem__,
            horizontal=True,
            key="imp_accuracy",
            help="Chỉ chọn 'chính thức (pháp lý)' khi tệp do cơ quan có thẩm quyền ban hành.",
        )
    crs = a.selectbox("Hệ tọa độ", list(CRS_CHOICES), format_func=CRS_CHOICES.__getitem__, key="imp_crs")
    default_source = b.text_input("Nguồn (cho các dòng không ghi nguồn)", key="imp_source")
    year: int | None = None
    indicator: str | None = None
    if kind in ("values", "criteria"):
        c, d = st.columns(2)
        typed = c.text_input("Năm của số liệu (khi bảng không ghi)", key="imp_year")
        year = int(typed) if typed.strip().isdigit() else None
        if kind == "values":
            ds = common.dataset()
            codes = ["", *indicator_codes(ds.targets)]
            indicator = (
                d.selectbox(
                    "Chỉ tiêu (khi bảng không ghi)",
                    codes,
                    format_func=lambda c: common.indicator_label(ds, c) if c else "— theo bảng —",
                    key="imp_indicator",
                )
                or None
            )
    upload = common.file_uploader(
        "Chọn tệp",
        types=["csv", "xlsx", "geojson", "json", "gpkg", "zip", "kml", "kmz"],
        key="imp_file",
        max_bytes=common.settings().max_import_bytes,
    )
    options: dict[str, Any] = {
        "crs": crs or None,
        "layer": layer,
        "default_source": default_source or None,
        "max_bytes": common.settings().max_import_bytes,
        "year": year,
        "indicator": indicator,
        "accuracy": accuracy,
    }
    if upload is not None and st.button("Kiểm tra tệp", type="primary", key="imp_check"):
        st.session_state["imp_upload"] = (kind, upload.name, upload.getvalue(), options)
        st.session_state["imp_preview"] = preview(
            kind, upload.name, upload.getvalue(), common.source(), **options
        )
    pv: Preview | None = st.session_state.get("imp_preview")
    if pv is None:
        return
    if pv.question is not None:
        _mapping_step(pv.question)
        pv = st.session_state.get("imp_preview")
        if pv is None:
            return
    _review(pv, user)


def _mapping_step(question: MappingQuestion) -> None:
    """Ask which column is which, with the first rows and the importer's best guess preselected."""
    st.markdown("##### Cột nào là tên xã / năm / chỉ tiêu / giá trị?")
    missing = ", ".join(m for m in (MISSING_LABELS.get(k, k) for k in question.missing))
    st.caption(
        f"Chương trình chưa nhận ra {common.md(missing)}. Đã chọn sẵn cách đọc đoán được; sửa nếu chưa đúng "
        "rồi bấm 'Đọc lại theo các cột đã chọn'."
    )
    headers = [f"{h}" for h in question.headers]
    st.dataframe(
        common.sheet(pd.DataFrame([list(r) for r in question.rows], columns=_unique(headers))),
        hide_index=True,
        width="stretch",
    )
    choices = role_choices(PLAN_YEARS)
    chosen: list[str] = []
    columns = st.columns(min(len(headers), 4) or 1)
    for i, (header, guess) in enumerate(zip(question.headers, question.guesses, strict=True)):
        box = columns[i % len(columns)]
        chosen.append(
            box.selectbox(
                f"Cột '{common.md(header)}'",
                choices,
                index=choices.index(guess) if guess in choices else choices.index("skip"),
                format_func=role_label,
                key=f"imp_map_{question.fingerprint}_{i}",
            )
        )
    remember = st.checkbox(
        "Ghi nhớ cách đọc này cho các tệp cùng mẫu bảng (lưu khi xác nhận nhập)",
        value=True,
        key="imp_map_remember",
    )
    if st.button("Đọc lại theo các cột đã chọn", type="primary", key="imp_map_apply"):
        held = st.session_state.get("imp_upload")
        if held is None:
            return
        kind, name, content, options = held
        st.session_state["imp_preview"] = preview(
            kind, name, content, common.source(), **options, mapping=question.mapping(chosen)
        )
        st.session_state["imp_remember"] = remember


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def _skipped_lines(pv: Preview) -> str:
    """The rows and columns not imported, one wrapped line each: where, what it says, why (text escaped)."""
    lines = []
    for s in pv.skipped:
        where = [f"dòng {s.row}"] if s.row is not None else []
        if s.column:
            where.append(f"cột '{s.column}'")
        said = f" · {common.md(s.text)}" if s.text else ""
        lines.append(f"- **{common.md(', '.join(where) or s.file)}**{said} — {common.md(s.reason)}")
    return "\n".join(lines)


def _review(pv: Preview, user: User) -> None:
    """The import review, for a planner: names, Vietnamese labels and numbers, what was skipped and why."""
    problems = list(pv.problems)
    if pv.question is not None and all(p.option == "map" for p in pv.errors):
        # only asking which column is which: a question, not a refusal
        st.info(
            f"{common.md(pv.filename)}: chưa nhập, chưa lưu gì. Chọn vai trò của các cột ở bước trên rồi bấm "
            "'Đọc lại theo các cột đã chọn'."
        )
        problems = [p for p in problems if p.option != "map"]
    else:
        (st.success if pv.can_commit else st.error)(common.md(pv.summary()))
    if pv.kind == "boundaries" and pv.accuracy and not pv.errors:
        sources = sorted({str(c.new) for c in pv.changes if c.field == "source" and c.new})
        st.info(
            f"Ranh giới sẽ được ghi là: **{common.md(BOUNDARY_ACCURACY_SHORT.get(pv.accuracy, pv.accuracy))}**"
            + (f" · Nguồn: {common.md('; '.join(sources))}" if sources else "")
        )
    if pv.layout is not None and pv.layout.saved_by:
        st.caption(f"Đọc theo cách đọc đã lưu cho mẫu bảng này (lưu bởi {common.md(pv.layout.saved_by)}).")
    if problems:
        st.markdown(_review_problems(problems))
    technical = [p for p in problems if p.detail]
    if technical:
        with st.expander("Chi tiết kỹ thuật (cho cán bộ kỹ thuật)"):
            for p in technical:
                st.code(f"{p.file}: {p.detail}", language=None)
    if pv.skipped:
        with st.expander(f"Không nhập (bỏ qua): {len(pv.skipped)} dòng, cột — xem lý do"):
            st.markdown(_skipped_lines(pv))
    if pv.outside:
        st.warning(
            f"Với ranh giới mới, {len(pv.outside)} công trình, đối tượng nằm ngoài xã đang ghi cho nó: "
            "sau khi lưu, mục 'Công trình nằm ngoài xã đã ghi cho nó' ở đầu trang cho chọn giữ nguyên xã "
            "hoặc gán xã theo vị trí."
        )
        st.dataframe(
            common.sheet(
                pd.DataFrame(
                    [
                        {
                            "Công trình": f"{o.name} ({o.id})",
                            "Xã đang ghi": o.commune,
                            "Cách xã (m)": format_number(round(o.distance_m)),
                            "Vị trí thuộc": o.found or "ngoài huyện Tân Hồng",
                        }
                        for o in pv.outside
                    ]
                )
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Công trình": st.column_config.TextColumn(width=360),
                "Xã đang ghi": st.column_config.TextColumn(width=200),
                "Cách xã (m)": st.column_config.TextColumn(width=90),
                "Vị trí thuộc": st.column_config.TextColumn(width=200),
            },
        )
    if pv.changes:
        st.markdown(f"**Các ô sẽ thay đổi ({len(pv.changes)})**")
        st.dataframe(
            common.sheet(
                pd.DataFrame(
                    [{"Bản ghi": r.record, "Mục": r.field, "Cũ": r.old, "Mới": r.new} for r in pv.review()]
                )
            ),
            hide_index=True,
            width="stretch",
            column_config={  # in pixels: the four fit the page's width beside the sidebar
                name: st.column_config.TextColumn(width=w)
                for name, w in zip(
                    ("Bản ghi", "Mục", "Cũ", "Mới"),
                    (250, 160, 190, 290) if pv.kind == "boundaries" else (380, 140, 175, 175),
                    strict=True,
                )
            },
        )
    if pv.can_commit and st.button("Xác nhận lưu", type="primary", key="imp_commit"):
        try:
            version = commit(pv, common.store(), user, accounts=common.settings().users)
            if version is not None and st.session_state.get("imp_remember") and pv.layout is not None:
                save_layout(common.source(), pv, user, accounts=common.settings().users)
        except BorderplanError as exc:
            _show_error(exc)
            return
        for key in ("imp_preview", "imp_upload", "imp_remember"):
            st.session_state.pop(key, None)
        _refresh()
        if version is None:
            st.success("Không có gì thay đổi.")
        else:
            where = (
                common.settings().store if is_admin(user) else None
            )  # the server's paths: administrators only
            st.success(common.md(saved_message(pv, version, store_path=where)))


# --- values ------------------------------------------------------------------------------------------


def _values_tab(user: User) -> None:
    src = common.source()
    table = _editable("edit_values", lambda: load_values(src))
    ds = common.dataset()
    names = [u.name for u in units(2020)]
    codes = indicator_codes(ds.targets)
    chosen = st.multiselect(
        "Chỉ tiêu",
        codes,
        default=["clean_water"],
        format_func=lambda c: common.indicator_label(ds, c),
        key="val_filter",
    )
    shown = table.frame[table.frame["indicator"].isin(chosen)] if chosen else table.frame
    st.caption(
        "Sửa trực tiếp trong bảng; thêm dòng ở cuối bảng. Số liệu thật: bỏ dấu *Minh họa* và ghi nguồn."
    )
    edited = st.data_editor(
        shown,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key="val_editor",
        column_config={
            "unit": st.column_config.SelectboxColumn("Xã", options=names, required=True),
            "indicator": st.column_config.SelectboxColumn("Chỉ tiêu", options=codes, required=True),
            "year": st.column_config.NumberColumn(
                "Năm", min_value=2015, max_value=2030, step=1, required=True
            ),
            "value": st.column_config.NumberColumn("Giá trị", required=True),
            "source": st.column_config.TextColumn("Nguồn", required=True, width="large"),
            "illustrative": st.column_config.CheckboxColumn("Minh họa"),
            "note": st.column_config.TextColumn("Ghi chú"),
        },
    )
    if st.button("Lưu số liệu", type="primary", key="val_save"):
        rest = table.frame[~table.frame.index.isin(shown.index)]
        merged = pd.concat([rest, edited], ignore_index=True)
        _save(lambda: save_values(src, merged, base_sha=table.base_sha, author=user, accounts=_accounts()))


# --- criteria ----------------------------------------------------------------------------------------------


def _criteria_tab(user: User) -> None:
    src = common.source()
    year = st.select_slider("Năm", options=list(PLAN_YEARS), value=PLAN_YEARS[-1], key="crit_year")
    key = f"edit_criteria_{year}"
    table = _editable(key, lambda: load_criteria(src, year))
    levels = ["Đạt", "Cơ bản đạt", "Chưa đạt"]
    edited = st.data_editor(
        table.frame,
        hide_index=True,
        width="stretch",
        disabled=["criterion", "name"],
        key=f"crit_editor_{year}",
        column_config={
            "criterion": st.column_config.NumberColumn("Số"),
            "name": st.column_config.TextColumn("Tiêu chí", width="large"),
            **{
                code: st.column_config.SelectboxColumn(get_unit(code).short_name, options=levels)
                for code in PLAN_CODES
            },
        },
    )
    source_text = st.text_input("Nguồn của các thay đổi (văn bản thẩm định, báo cáo…)", key="crit_source")
    if st.button("Lưu tiêu chí", type="primary", key="crit_save"):
        _save(
            lambda: save_criteria(
                src,
                year,
                edited,
                base_sha=table.base_sha,
                author=user,
                source_text=source_text,
                accounts=_accounts(),
            )
        )


# --- projects --------------------------------------------------------------------------------------------


def _projects_tab(user: User) -> None:
    src = common.source()
    table = _editable("edit_projects", lambda: load_projects(src))
    frame = table.frame.copy()
    st.markdown("**Thêm hoặc di chuyển một dự án** — bấm lên bản đồ hoặc gõ tọa độ (WGS84 hoặc VN-2000).")
    ids = ["(dự án mới)", *frame["id"].astype(str)]
    target_id = st.selectbox("Dự án", ids, key="proj_pick")
    a, b, c = st.columns([2, 2, 3])
    crs = c.selectbox("Hệ tọa độ của số gõ vào", ["EPSG:4326", "EPSG:5897", "EPSG:3405"], key="proj_crs")
    x_label, y_label = ("Kinh độ", "Vĩ độ") if crs == "EPSG:4326" else ("X (đông, m)", "Y (bắc, m)")
    x = a.text_input(x_label, key="proj_x")
    y = b.text_input(y_label, key="proj_y")
    ds = common.dataset()
    m = build_map(
        ds,
        MapOptions(
            layers=("projects",), controls=False, show_notes=False, legend_collapsed=True, show_sensitive=True
        ),
        asset_base_url=common.asset_base_url(),
    )
    clicked = st_folium(
        m, key="proj_map", height=360, use_container_width=True, returned_objects=["last_clicked"]
    )
    position: tuple[float, float] | None = None
    if clicked and clicked.get("last_clicked"):
        position = (float(clicked["last_clicked"]["lng"]), float(clicked["last_clicked"]["lat"]))
        st.caption(f"Điểm vừa bấm: {position[1]:.6f} B, {position[0]:.6f} Đ".replace(".", ","))
    if x.strip() and y.strip():
        try:
            xv, yv = parse_number(x), parse_number(y)
            position = (xv, yv) if crs == "EPSG:4326" else tuple(map(float, to_wgs84(xv, yv, crs)))  # type: ignore[assignment]
        except (ValueError, BorderplanError) as exc:
            st.error(f"Tọa độ không đọc được: {common.md(exc)}")
    if position is not None and st.button("Đặt vị trí này vào bảng", key="proj_place"):
        lon, lat = position
        if target_id == "(dự án mới)":
            new: dict[str, object] = dict.fromkeys(frame.columns)
            typed_survey = bool(x.strip()) and crs != "EPSG:4326"  # VN-2000 figures come from a survey
            new.update(
                {
                    "id": f"DA-{len(frame) + 1:03d}-MOI",
                    "lon": round(lon, 6),
                    "lat": round(lat, 6),
                    "accuracy": "surveyed" if typed_survey else "approximate",
                    "illustrative": False,
                    "sensitive": False,
                    "status": PROJECT_STATUSES["planned"],
                    "progress": 0,
                }
            )
            frame = pd.concat([frame, pd.DataFrame([new])], ignore_index=True)
        else:
            i = frame.index[frame["id"] == target_id][0]
            frame.loc[i, ["lon", "lat"]] = [round(lon, 6), round(lat, 6)]
        st.session_state["edit_projects"] = Editable(table.rel, frame, table.base_sha)
        st.rerun()
    names = [u.code for u in units(2020)]
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key="proj_editor",
        column_config={
            "id": st.column_config.TextColumn("Mã", required=True),
            "name": st.column_config.TextColumn("Tên công trình", required=True, width="large"),
            "sector": st.column_config.SelectboxColumn("Lĩnh vực", options=list(SECTORS.values())),
            "commune_code": st.column_config.TextColumn(
                "Mã xã", help="Mã GSO, ví dụ 29929; nhiều xã cách nhau bởi ;"
            ),
            "status": st.column_config.SelectboxColumn("Tình trạng", options=list(PROJECT_STATUSES.values())),
            "progress": st.column_config.NumberColumn("Tiến độ (%)", min_value=0, max_value=100),
            "budget_vnd": st.column_config.NumberColumn("Tổng vốn (đồng)", min_value=0),
            "lon": st.column_config.NumberColumn("Kinh độ", format="%.6f"),
            "lat": st.column_config.NumberColumn("Vĩ độ", format="%.6f"),
            "illustrative": st.column_config.CheckboxColumn("Minh họa"),
            "sensitive": st.column_config.CheckboxColumn("Nhạy cảm"),
        },
    )
    st.caption(
        f"Mã xã: {', '.join(names)}. Dòng lưu sai (ví dụ vị trí ngoài huyện) bị từ chối, không lưu gì."
    )
    if st.button("Lưu dự án", type="primary", key="proj_save"):
        _save(lambda: save_projects(src, edited, base_sha=table.base_sha, author=user, accounts=_accounts()))


# --- history and undo --------------------------------------------------------------------------------------


def _undo(path: str, author: User, base_sha: str) -> None:
    """Runs before the page is drawn again, so the history below already shows the undo."""
    try:
        undo(common.source(), path, author=author, base_sha=base_sha, accounts=_accounts())
    except BorderplanError as exc:
        st.session_state["undo_message"] = ("warn", str(exc))
        return
    _refresh()
    st.session_state["undo_message"] = ("ok", "Đã hoàn tác: dữ liệu trở lại đúng như trước lần lưu đó.")


def _history_tab(user: User) -> None:
    store = common.store()
    labels = {
        VALUES_FILE: "Số liệu",
        CRITERIA_FILE: "Tiêu chí NTM",
        PROJECTS_FILE: "Dự án",
        LAYOUTS_FILE: "Cách đọc bảng đã lưu",
    }
    changed: dict[str, str] = {}
    for v in store.history():  # newest first: the file changed last comes first
        changed.setdefault(v.path, v.saved_at)
    paths = [*changed, *sorted(p for p in {*labels, *store.paths()} if p not in changed)]
    path = st.selectbox("Tệp", paths, format_func=lambda p: f"{labels.get(p, p)} ({p})", key="hist_path")
    history = store.history(path)
    if not history:
        st.info("Chưa có thay đổi nào: đang dùng tệp gốc trong thư mục dữ liệu.")
    else:
        st.dataframe(
            common.sheet(
                pd.DataFrame(
                    [
                        {
                            "Phiên bản": v.version,
                            "Lúc (UTC)": v.saved_at[:19].replace("T", " "),
                            "Người lưu": v.author,
                            "Ghi chú": v.note,
                        }
                        for v in history
                    ]
                )
            ),
            hide_index=True,
            width="stretch",
        )
        st.button(
            "Hoàn tác lần lưu gần nhất",
            key="hist_undo",
            on_click=_undo,
            args=(path, user, common.source().version(path)),  # the version shown: a later save is stale
        )
    message = st.session_state.pop("undo_message", None)
    if message:
        (st.success if message[0] == "ok" else st.warning)(common.md(message[1]))
    log = store.audit_log(path)
    if log:
        st.markdown("**Nhật ký thay đổi** (ai, lúc nào, sửa gì, từ gì thành gì)")
        st.dataframe(
            common.sheet(
                pd.DataFrame(
                    [
                        {
                            "Lúc (UTC)": str(e["at"])[:19].replace("T", " "),
                            "Người": e["author"],
                            "Việc": e["action"],
                            "Bản ghi": e["record"],
                            "Cột": e["field"],
                            "Cũ": e["old"] or "",
                            "Mới": e["new"] or "",
                        }
                        for e in reversed(log)
                    ]
                )
            ),
            hide_index=True,
            width="stretch",
        )


# --- OpenStreetMap boundaries ------------------------------------------------------------------------------


def _osm_tab(user: User) -> None:
    st.markdown(
        "Thay ranh giới gần đúng bằng ranh giới trên **OpenStreetMap** (theo mã quan hệ của từng xã). "
        "Cần Internet; không có mạng thì giữ nguyên ranh giới hiện tại và không ghi gì. "
        "Dữ liệu OpenStreetMap © những người đóng góp, giấy phép ODbL — không phải ranh giới pháp lý."
    )
    if st.button("Lấy ranh giới từ OpenStreetMap", key="osm_fetch"):
        with st.spinner("Đang hỏi máy chủ Overpass…"):
            try:
                result = replace_boundaries_with_osm(common.source(), author=user, accounts=_accounts())
            except BorderplanError as exc:
                st.warning(common.md(exc))
                return
        st.success(f"Đã thay ranh giới bằng dữ liệu OpenStreetMap ({len(result.units)} xã).")
