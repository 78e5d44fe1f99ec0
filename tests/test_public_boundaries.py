"""Public boundary files import with their own column names (issue 8 §2).

The shipped units are written by each test as a public dataset writes them:
GADM (``GID_3``, names without spaces in ``NAME_3``, ``NAME_2``, ``TYPE_3``),
an OpenStreetMap export (``name``, ``name:vi``, ``ref:gso``), and a surveyor's
VN-2000 Shapefile with ``TEN_XA`` (projected to EPSG:5897, zipped). All nine
units must be recognised, the column used must be said, and the file is
labelled what the user says it is — never official unless the user says so.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from borderplan_geo.boundaries import outside_note, read_units
from borderplan_geo.dataset import load_dataset
from borderplan_geo.importing import Preview, commit, preview, saved_message
from borderplan_geo.io import from_wgs84
from borderplan_geo.store import DataSource, Store
from borderplan_geo.units import PLAN_CODES, units
from tests import district_reports as reports

CODES = {u.code for u in units(2020)}


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "store.sqlite"
    monkeypatch.setenv("BORDERPLAN_STORE", str(path))
    return path


@pytest.fixture
def source(data_copy: Path, store_path: Path) -> DataSource:
    return DataSource(data_copy, Store(store_path))


def shipped(source: DataSource) -> gpd.GeoDataFrame:
    frame, problems = read_units(source)
    assert not [p for p in problems if p.severity == "error"]
    return frame


def geojson(frame: gpd.GeoDataFrame, folder: Path) -> bytes:
    path = folder / "ranh_gioi.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path.read_bytes()


def to_vn2000(geom: BaseGeometry) -> BaseGeometry:
    def fn(c: np.ndarray) -> np.ndarray:
        return np.column_stack(from_wgs84(c[:, 0], c[:, 1], "EPSG:5897"))

    return shapely.transform(geom, fn)


def unit_codes_changed(pv: Preview) -> set[str]:
    return {c.record for c in pv.changes}


def gadm_frame(units_2020: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The units as GADM writes them, with a commune of the next district as a country-wide file has."""
    by_code = {u.code: u for u in units(2020)}
    rows = []
    for i, (code, geom) in enumerate(zip(units_2020["code"], units_2020.geometry, strict=True)):
        u = by_code[code]
        rows.append(
            {
                "GID_3": f"VNM.17.11.{i + 1}_1",
                "NAME_1": "ĐồngTháp",
                "NAME_2": "TânHồng",
                "NAME_3": u.short_name.replace(" ", ""),  # "TânHộCơ", "SaRài"
                "VARNAME_3": "",
                "TYPE_3": u.unit_type.replace(" ", ""),
                "geometry": geom,
            }
        )
    neighbour = units_2020.geometry.iloc[0]
    rows.append(
        {
            "GID_3": "VNM.17.5.1_1",
            "NAME_1": "ĐồngTháp",
            "NAME_2": "HồngNgự",
            "NAME_3": "ThườngThới Tiền",
            "VARNAME_3": "",
            "TYPE_3": "Xã",
            "geometry": shapely.affinity.translate(neighbour, xoff=-0.2),
        }
    )
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_gadm_names_without_spaces(tmp_path: Path, source: DataSource) -> None:
    content = geojson(gadm_frame(shipped(source)), tmp_path)
    pv = preview("boundaries", "gadm41_VNM_3.geojson", content, source, default_source="GADM 4.1 (gadm.org)")
    assert pv.can_commit, pv.report()
    assert unit_codes_changed(pv) == CODES  # all nine units matched
    assert any("nhận ra xã theo cột 'NAME_3' (9/10" in p.message for p in pv.warnings), pv.report()
    (other,) = pv.skipped
    assert other.reason == "thuộc huyện khác" and other.text == "HồngNgự"
    # Not labelled official: the default is "tham khảo".
    accuracy = [r for r in pv.review(grouped=False) if r.field == "Độ chính xác ranh giới"]
    assert len(accuracy) == 9 and {(r.old, r.new) for r in accuracy} == {("gần đúng", "tham khảo")}
    (grouped,) = [r for r in pv.review() if r.field == "Độ chính xác ranh giới"]
    assert grouped.record == "9 xã (như nhau)"  # one row for a change every unit shares
    assert source.store is not None
    version = commit(pv, source.store, "anh")
    assert version is not None
    after = shipped(source)
    assert set(after["accuracy"]) == {"reference"} and set(after["source"]) == {"GADM 4.1 (gadm.org)"}
    said = saved_message(pv, version)
    assert "ranh giới xã (tham khảo)" in said and "kho dữ liệu của người dùng" in said
    assert f"phiên bản {version.version} của {version.path}" in said


def test_osm_export_name_name_vi_and_ref_gso(tmp_path: Path, source: DataSource) -> None:
    units_2020 = shipped(source)
    by_code = {u.code: u for u in units(2020)}
    frame = gpd.GeoDataFrame(
        {
            "@id": [f"relation/{1558 + i}" for i in range(len(units_2020))],
            "admin_level": ["8"] * len(units_2020),
            "boundary": ["administrative"] * len(units_2020),
            "name": [by_code[c].name for c in units_2020["code"]],
            "name:vi": [by_code[c].name.upper() for c in units_2020["code"]],
            "name:en": [f"{by_code[c].short_name} Commune" for c in units_2020["code"]],
            "ref:gso": list(units_2020["code"]),
        },
        geometry=list(units_2020.geometry),
        crs="EPSG:4326",
    )
    pv = preview(
        "boundaries",
        "export.geojson",
        geojson(frame, tmp_path),
        source,
        default_source="OpenStreetMap © những người đóng góp (ODbL)",
        accuracy="approximate",
    )
    assert pv.can_commit, pv.report()
    assert unit_codes_changed(pv) == CODES
    chosen = next(p.message for p in pv.warnings if "nhận ra xã theo cột" in p.message)
    assert chosen.startswith("nhận ra xã theo cột 'ref:gso' (9/9")
    assert "'name' (9/9)" in chosen and "'name:vi' (9/9)" in chosen


def test_vn2000_shapefile_with_ten_xa(tmp_path: Path, source: DataSource) -> None:
    units_2020 = shipped(source)
    by_code = {u.code: u for u in units(2020)}
    prefixes = {"Xã": ["X. ", "xã ", "XÃ "], "Thị trấn": ["TT. "]}
    names = []
    for i, code in enumerate(units_2020["code"]):
        u = by_code[code]
        options = prefixes[u.unit_type]
        names.append(options[i % len(options)] + (u.short_name.upper() if i % 2 else u.short_name))
    frame = gpd.GeoDataFrame(
        {"TEN_XA": names, "MA_HUYEN": ["869"] * len(names)},
        geometry=[to_vn2000(g) for g in units_2020.geometry],
        crs="EPSG:5897",
    )
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "ranh_gioi_xa.shp", encoding="UTF-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    pv = preview(
        "boundaries",
        "ranh_gioi_xa.zip",
        buf.getvalue(),
        source,
        default_source="Sở TN&MT Đồng Tháp, 2023",
        accuracy="official",
    )
    assert pv.can_commit, pv.report()
    assert unit_codes_changed(pv) == CODES
    assert any("nhận ra xã theo cột 'TEN_XA' (9/9" in p.message for p in pv.warnings)
    assert source.store is not None
    commit(pv, source.store, "anh")
    after = shipped(source).set_index("code")
    assert set(after["accuracy"]) == {"official"}  # the user said so
    # The VN-2000 shapes land where the shipped ones are (Helmert EPSG:6960 both ways: well under 0,1 m).
    before = units_2020.set_index("code")
    for code in CODES:
        assert before.geometry[code].hausdorff_distance(after.geometry[code]) < 1e-6


def test_no_column_names_the_units_is_refused_with_the_columns(tmp_path: Path, source: DataSource) -> None:
    units_2020 = shipped(source)
    frame = gpd.GeoDataFrame(
        {"OBJECTID": range(len(units_2020)), "Shape_Area": [1.0] * len(units_2020)},
        geometry=list(units_2020.geometry),
        crs="EPSG:4326",
    )
    pv = preview("boundaries", "khong_ten.geojson", geojson(frame, tmp_path), source, default_source="x")
    (error,) = pv.errors
    assert "không tìm thấy cột nào ghi mã hoặc tên xã" in error.message and "'OBJECTID'" in error.message


@pytest.mark.parametrize("name", ["bieu_01.xlsx", "ranh_gioi.csv"])
def test_a_spreadsheet_given_as_boundaries_says_to_choose_the_kind(source: DataSource, name: str) -> None:
    pv = preview("boundaries", name, reports.indicators_in_rows(), source, default_source="x")
    (error,) = pv.errors
    assert error.option == "kind" and "không phải bảng tính" in error.message
    assert "chọn lại loại dữ liệu" in error.message and "tiêu đề" not in error.message


def test_a_boundary_accuracy_outside_the_three_is_refused(tmp_path: Path, source: DataSource) -> None:
    frame = shipped(source)[["code", "name", "geometry"]]
    pv = preview(
        "boundaries", "a.geojson", geojson(frame, tmp_path), source, default_source="x", accuracy="legal"
    )
    (error,) = pv.errors
    assert error.option == "accuracy" and "chính thức (pháp lý)" in error.message


def test_the_review_lists_works_left_outside_their_commune(tmp_path: Path, source: DataSource) -> None:
    units_2020 = shipped(source)
    frame = units_2020[["code", "name", "geometry"]].copy()
    plan = frame["code"].isin(PLAN_CODES)
    frame.loc[plan, "geometry"] = [g.buffer(-0.004) for g in frame.geometry[plan]]  # 450 m smaller
    pv = preview("boundaries", "nho.geojson", geojson(frame, tmp_path), source, default_source="thử")
    assert pv.outside, pv.report()
    first = pv.outside[0]
    assert first.name and first.commune.startswith(("Xã", "Thị trấn")) and first.distance_m > 100
    assert "nằm ngoài xã ghi cho nó" in pv.report()
    # each changed shape says its area and how far its edge moved, in Vietnamese numbers
    (shape,) = [r for r in pv.review() if r.record == "Xã Tân Hộ Cơ" and r.field == "Ranh giới"]
    moved = re.fullmatch(r"vùng (\d+,\d+) km², cạnh lệch tối đa (\d{1,3}(?:\.\d{3})*) m", shape.new)
    assert moved and int(moved[2].replace(".", "")) >= 400, shape  # 0,004° inwards, more where it narrows
    assert float(moved[1].replace(",", ".")) < float(shape.old.split()[1].replace(",", "."))
    # the review lists what the map and validate list once the file is saved: one rule, one place
    commit(pv, source.store, "thử")
    after = load_dataset(source).outside_features
    assert [(o.layer, o.id) for o in pv.outside] == list(zip(after["layer"], after["id"], strict=True))
    assert str(first) == f"{first.name} ({first.id}) {outside_note(after.iloc[0])}"
    assert str(first) in pv.report()


def test_a_library_message_is_wrapped_logged_and_kept_for_the_technician(
    source: DataSource, caplog: pytest.LogCaptureFixture
) -> None:
    broken = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
    with caplog.at_level("WARNING", logger="borderplan_geo"):
        pv = preview("boundaries", "hong.geojson", broken, source, default_source="x")
    (error,) = pv.errors
    assert error.message.startswith("không đọc được GeoJSON: lỗi cú pháp ở dòng 1")
    assert "Expecting" not in error.message and "JSONDecodeError" not in error.message
    assert "JSONDecodeError" in error.detail  # the expander for the technician
    assert any(
        "JSONDecodeError" in r.getMessage() and "hong.geojson" in r.getMessage() for r in caplog.records
    )
    assert "JSONDecodeError" not in "\n".join(str(p) for p in pv.problems)


def test_the_command_line_defaults_to_reference_and_names_the_store(
    tmp_path: Path, data_copy: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from borderplan_geo import cli

    frame = shipped(DataSource(data_copy))[["code", "name", "geometry"]]
    path = tmp_path / "xa.geojson"
    path.write_bytes(geojson(frame, tmp_path))
    argv = [
        "import",
        "boundaries",
        str(path),
        "--source",
        "GADM 4.1",
        "--user",
        "anh",
        "--data",
        str(data_copy),
    ]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "9 xã (như nhau) · Độ chính xác ranh giới: gần đúng → tham khảo" in out
    assert (
        f"vào kho dữ liệu của người dùng ({store_path}): phiên bản 1 của boundaries/official/xa.geojson"
        in out
    )
    assert cli.main([*argv, "--accuracy", "official"]) == 0
    assert "tham khảo → chính thức (pháp lý)" in capsys.readouterr().out
