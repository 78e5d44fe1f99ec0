"""Bring your own data: preview, commit, the report, and nothing saved on bad input.

Every input file is built here, in tmp_path. The store is a temporary SQLite
file (``BORDERPLAN_STORE``); each bad input is checked to leave its bytes as
they were, or to leave it absent when there was none.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from borderplan_geo import cli
from borderplan_geo._errors import DataError, StaleSaveError
from borderplan_geo.boundaries import OFFICIAL_DIR, read_units
from borderplan_geo.dataset import read_dataset
from borderplan_geo.importing import Preview, add_import_command, commit, preview
from borderplan_geo.indicators import CRITERIA_FILE, VALUES_FILE, read_criteria, read_values
from borderplan_geo.io import from_wgs84
from borderplan_geo.layers import layer_file, read_layer
from borderplan_geo.store import DataSource, Store, Version
from borderplan_geo.targets import TARGETS_FILE, Target, read_targets
from tests.test_io import metres, wgs84_to_vn2000

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
LON, LAT = 105.44, 10.93  # in Tân Hộ Cơ, near its centroid

PROJECT_HEADER = "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ (%);Kinh độ;Vĩ độ;Nguồn"


# --- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "store.sqlite"
    monkeypatch.setenv("BORDERPLAN_STORE", str(path))
    return path


@pytest.fixture
def source(data_copy: Path, store_path: Path) -> DataSource:
    return DataSource(data_copy, Store(store_path))


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A store that already holds a user's save (made against the shipped data, which stays untouched)."""
    path = tmp_path_factory.mktemp("seed") / "store.sqlite"
    src = DataSource(DATA, Store(path))
    pv = preview(
        "values",
        "seed.csv",
        csv_bytes("Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\nBình Phú;clean_water;2023;97;BC\n"),
        src,
    )
    assert pv.can_commit, pv.report()
    commit(pv, Store(path), "seed")
    return path.read_bytes()


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def shapefile_zip(folder: Path, frame: gpd.GeoDataFrame, *, prj: bool = True) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_file(folder / "tram.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(folder.iterdir()):
            if prj or f.suffix != ".prj":
                z.write(f, f.name)
    return buf.getvalue()


def xlsx_bytes(rows: list[list[object]], merges: tuple[str, ...] = (), title: str = "Sheet1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def water_station_frame(x: float, y: float, crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "Ma": ["WS-TEST"],
            "Ten": ["Trạm cấp nước thử"],
            "Nguon": ["Sở TN&MT, đo đạc 2023"],
            "Do_chinh": ["đo đạc"],
        },
        geometry=[Point(x, y)],
        crs=crs,
    )


def stored_point(source: DataSource, key: str, fid: str) -> Point:
    content = source.read_bytes(layer_file(key))
    assert content is not None
    feats = {f["properties"]["id"]: f for f in json.loads(content)["features"]}
    geom = shape(feats[fid]["geometry"])
    assert isinstance(geom, Point)
    return geom


def targets(source: DataSource) -> list[Target]:
    return read_targets(source.read_bytes(TARGETS_FILE), TARGETS_FILE)[0]


def save(pv: Preview, source: DataSource, author: str) -> Version:
    assert pv.can_commit, pv.report()
    assert source.store is not None
    version = commit(pv, source.store, author)
    assert version is not None
    return version


def to_vn2000(geom: BaseGeometry) -> BaseGeometry:
    def fn(c: np.ndarray) -> np.ndarray:
        return np.column_stack(from_wgs84(c[:, 0], c[:, 1], "EPSG:5897"))

    return shapely.transform(geom, fn)


# --- coordinates: VN-2000, swapped axes, far away ---------------------------------------------------


@pytest.mark.parametrize("epsg", [5897, 3405])
def test_vn2000_shapefile_lands_within_1_m(tmp_path: Path, source: DataSource, epsg: int) -> None:
    x, y = wgs84_to_vn2000(LON, LAT, epsg)  # independent of the package's transformation
    content = shapefile_zip(tmp_path / "shp", water_station_frame(x, y, f"EPSG:{epsg}"))
    pv = preview("layer", "tram.zip", content, source, layer="water_stations")
    assert not pv.errors, pv.report()
    assert pv.added == 1 and pv.can_commit
    save(pv, source, "kiểm thử")
    p = stored_point(source, "water_stations", "WS-TEST")
    assert metres(p.x, p.y, LON, LAT) < 1.0
    assert metres(p.x, p.y, LON, LAT) < 0.05  # EPSG:6960 itself, not PROJ's default EPSG:6959 (0,8 m)
    feats = json.loads(source.read_bytes(layer_file("water_stations")) or b"")["features"]
    props = next(f["properties"] for f in feats if f["properties"]["id"] == "WS-TEST")
    assert props["accuracy"] == "surveyed" and props["commune_code"] == "29929"


def test_shapefile_without_prj_is_refused_with_the_crs_to_use(
    tmp_path: Path, source: DataSource, store_path: Path
) -> None:
    x, y = wgs84_to_vn2000(LON, LAT, 5897)
    content = shapefile_zip(tmp_path / "shp", water_station_frame(x, y, "EPSG:5897"), prj=False)
    pv = preview("layer", "tram.zip", content, source, layer="water_stations")
    assert not pv.can_commit
    text = "\n".join(str(p) for p in pv.errors)
    assert "tram.zip" in text and ".prj" in text and "--crs EPSG:5897" in text
    assert not store_path.exists()
    # The hint works.
    fixed = preview("layer", "tram.zip", content, source, layer="water_stations", crs="EPSG:5897")
    assert not fixed.errors, fixed.report()


def test_swapped_longitude_latitude_is_refused_with_the_hint(source: DataSource, store_path: Path) -> None:
    text = PROJECT_HEADER + "\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;40;10,93;105,44;NQ\n"
    text += "DA-2;Chợ;Thương mại;Thông Bình;Hoàn thành;100;10,93;105,49;NQ\n"
    pv = preview("projects", "du_an.csv", csv_bytes(text), source)
    hits = [p for p in pv.errors if "đảo kinh độ/vĩ độ" in p.message]
    assert hits and hits[0].file == "du_an.csv" and "Kinh độ" in hits[0].message
    assert not store_path.exists()


def test_one_swapped_row_names_its_row(source: DataSource) -> None:
    text = PROJECT_HEADER + "\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;40;105,44;10,93;NQ\n"
    text += "DA-2;Chợ;Thương mại;Thông Bình;Hoàn thành;100;10,93;105,49;NQ\n"
    text += "DA-3;Trạm;Y tế;Bình Phú;Hoàn thành;100;105,41;10,91;NQ\n"
    pv = preview("projects", "du_an.csv", csv_bytes(text), source)
    (err,) = pv.errors
    assert err.row == 3 and "đảo kinh độ/vĩ độ" in err.message and err.column == "Kinh độ, Vĩ độ"


def test_point_50_km_away_is_refused(source: DataSource, store_path: Path) -> None:
    text = PROJECT_HEADER + f"\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;40;{LON};{LAT + 0.45};NQ\n"
    pv = preview("projects", "du_an.csv", csv_bytes(text), source)
    (err,) = pv.errors
    assert err.row == 2 and "nằm ngoài huyện Tân Hồng khoảng" in err.message
    km = float(err.message.split("khoảng ")[1].split(" km")[0].replace(",", "."))
    assert 40 < km < 60
    assert not store_path.exists()


def test_vn2000_xy_columns_in_a_spreadsheet(source: DataSource) -> None:
    """Survey convention: X is the northing. Detected by size and said in a warning."""
    x, y = wgs84_to_vn2000(LON, LAT, 5897)
    text = "Mã;Tên;Tọa độ X (VN-2000);Tọa độ Y (VN-2000);Nguồn\n"
    text += f"WS-9;Trạm nước;{y:.3f};{x:.3f};đo đạc\n".replace(".", ",")
    pv = preview("layer", "tram.csv", csv_bytes(text), source, layer="water_stations")
    assert any("--crs EPSG:5897" in p.message for p in pv.errors)
    pv = preview("layer", "tram.csv", csv_bytes(text), source, layer="water_stations", crs="EPSG:5897")
    assert not pv.errors, pv.report()
    assert any("tọa độ Bắc (northing)" in p.message for p in pv.warnings)
    save(pv, source, "t")
    p = stored_point(source, "water_stations", "WS-9")
    assert metres(p.x, p.y, LON, LAT) < 0.05


# --- spreadsheets as planners write them ------------------------------------------------------------


def test_xlsx_values_with_title_merged_header_and_commune_names(source: DataSource) -> None:
    rows: list[list[object]] = [
        ["BÁO CÁO TỶ LỆ HỘ DÂN SỬ DỤNG NƯỚC SẠCH, HỢP VỆ SINH (%)"],
        [None],
        ["STT", "Tên xã", "Năm", None, "Nguồn"],
        [None, None, 2023, 2024, None],
        [1, "X. Tân Hộ Cơ", "96,5", 97.25, "Báo cáo 12/BC-UBND"],
        [None],
        [2, "binh phu", "95 %", 98, "Báo cáo 12/BC-UBND"],
        [3, "29932", 94, None, "Báo cáo 12/BC-UBND"],
        ["Tổng cộng", None, None, None, None],
    ]
    content = xlsx_bytes(rows, merges=("A1:E1", "C3:D3", "A3:A4", "B3:B4", "E3:E4"), title="Nước sạch")
    pv = preview("values", "nuoc_sach.xlsx", content, source)
    assert not pv.errors, pv.report()
    assert pv.updated == 5 and pv.added == 0
    save(pv, source, "kiểm thử")
    frame, problems = read_values(source.read_bytes(VALUES_FILE), VALUES_FILE, targets(source))
    assert not [p for p in problems if p.severity == "error"]
    got = {
        (r["unit_code"], r["year"]): r for r in frame[frame["indicator"] == "clean_water"].to_dict("records")
    }
    assert got[("29929", 2023)]["value"] == 96.5 and got[("29929", 2024)]["value"] == 97.25
    assert got[("29935", 2023)]["value"] == 95 and got[("29932", 2023)]["value"] == 94
    assert got[("29929", 2023)]["source"] == "Báo cáo 12/BC-UBND" and not got[("29929", 2023)]["illustrative"]


def test_xlsx_long_values_with_tan_ho_co_lower_case(source: DataSource) -> None:
    rows: list[list[object]] = [
        ["Số liệu BHYT"],
        ["Xã", "Chỉ tiêu", "Năm", "Kết quả", "Nguồn số liệu"],
        ["tan ho co", "Tỷ lệ người dân tham gia bảo hiểm y tế", 2022, 93.1, "BHXH huyện"],
        ["X. Thông Bình", "BHYT", "2022", "92,4", "BHXH huyện"],
    ]
    pv = preview("values", "bhyt.xlsx", xlsx_bytes(rows), source)
    assert not pv.errors, pv.report()
    keys = {c.record for c in pv.changes}
    assert keys == {"29929/health_insurance/2022", "29932/health_insurance/2022"}


def test_xlsx_projects_with_merged_coordinates_header(source: DataSource) -> None:
    rows: list[list[object]] = [
        ["DANH MỤC DỰ ÁN ĐẦU TƯ 03 XÃ BIÊN GIỚI"],
        [
            "Mã",
            "Tên công trình",
            "Lĩnh vực",
            "Địa bàn",
            "Tình trạng",
            "Tiến độ",
            "Tổng mức đầu tư (triệu đồng)",
            "Tọa độ",
            None,
            "Nguồn",
        ],
        [None, None, None, None, None, None, None, "Kinh độ", "Vĩ độ", None],
        [
            "DA-X1",
            "Nâng cấp đường ra biên giới",
            "Giao thông",
            "tan ho co",
            "Đang thi công",
            "45 %",
            "2.250",
            105.44,
            10.93,
            "NQ 15/NQ-HĐND",
        ],
        [
            "DA-X2",
            "Trạm y tế xã",
            "y tế",
            "X. Bình Phú",
            "hoàn thành",
            100,
            1500.5,
            105.39,
            10.91,
            "NQ 15/NQ-HĐND",
        ],
    ]
    merges = ("A1:J1", "H2:I2", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "J2:J3")
    pv = preview("projects", "du_an.xlsx", xlsx_bytes(rows, merges), source)
    assert not pv.errors, pv.report()
    assert pv.added == 2
    save(pv, source, "kiểm thử")
    frame, problems = read_layer(source.read_bytes(layer_file("projects")), "projects")
    assert not [p for p in problems if p.severity == "error"]
    rec = frame.set_index("id").loc["DA-X1"]
    assert (
        rec["commune_code"] == "29929"
        and rec["sector"] == "transport"
        and rec["status"] == "under_construction"
    )
    assert rec["progress"] == 45 and rec["budget_vnd"] == 2_250_000_000
    assert frame.set_index("id").loc["DA-X2", "budget_vnd"] == pytest.approx(1_500_500_000)


@pytest.mark.parametrize(
    ("encoding", "sep"), [("utf-16", "\t"), ("utf-16-be", ";"), ("utf-8-sig", ";"), ("utf-8", ",")]
)
def test_csv_encodings_and_vietnamese_numbers(source: DataSource, encoding: str, sep: str) -> None:
    lines = [
        ["Xã", "Chỉ tiêu", "Năm", "Giá trị", "Nguồn"],
        ["Tân Hộ Cơ", "Thu nhập bình quân đầu người", "2024", "68,5", "Chi cục Thống kê"],
        ["Tân Hộ Cơ", "jobs_created", "2024", "2.250", "Phòng LĐ-TB&XH"],
    ]
    out = io.StringIO()
    import csv

    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(lines)
    raw = out.getvalue().encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    pv = preview("values", "thu_nhap.csv", raw, source)
    assert not pv.errors, pv.report()
    save(pv, source, "t")
    frame, _ = read_values(source.read_bytes(VALUES_FILE), VALUES_FILE, targets(source))
    row = frame[(frame["unit_code"] == "29929") & (frame["year"] == 2024)].set_index("indicator")
    assert row.loc["income_per_capita", "value"] == 68.5
    assert row.loc["jobs_created", "value"] == 2250


def test_wide_values_take_the_indicator_from_the_option(source: DataSource) -> None:
    text = "Xã;2021;2022;Nguồn\nTân Hộ Cơ;3,1;2,4;BC\nBình Phú;1,2;0,9;BC\n"
    pv = preview("values", "ho_ngheo.csv", csv_bytes(text), source)
    assert any("không biết số liệu thuộc chỉ tiêu nào" in p.message for p in pv.errors)
    pv = preview("values", "ho_ngheo.csv", csv_bytes(text), source, indicator="poverty_reduction")
    assert not pv.errors, pv.report()
    assert {c.record for c in pv.changes} >= {"29929/poverty_reduction/2021", "29935/poverty_reduction/2022"}


def test_criteria_one_column_per_commune(source: DataSource) -> None:
    rows: list[list[object]] = [
        ["KẾT QUẢ ĐÁNH GIÁ TIÊU CHÍ NÔNG THÔN MỚI NĂM 2024"],
        ["TT", "Tiêu chí", "Tân Hộ Cơ", "Bình Phú", "Thông Bình", "Nguồn"],
        [1, "Quy hoạch", "Đạt", "Đạt", "Cơ bản đạt", "Văn phòng điều phối NTM huyện"],
        [2, "TC2 Giao thông", "đạt", "chưa đạt", "đạt", "Văn phòng điều phối NTM huyện"],
    ]
    pv = preview("criteria", "tieu_chi.xlsx", xlsx_bytes(rows, ("A1:F1",)), source)
    assert not pv.errors, pv.report()
    save(pv, source, "t")
    frame, _ = read_criteria(source.read_bytes(CRITERIA_FILE), CRITERIA_FILE)
    got = frame[(frame["year"] == 2024) & (frame["criterion"] <= 2)].set_index(["unit_code", "criterion"])
    assert got.loc[("29932", 1), "level"] == "co_ban_dat" and got.loc[("29935", 2), "level"] == "chua_dat"


def test_boundaries_official_file_replaces_the_approximate_ones(
    tmp_path: Path, source: DataSource, data_copy: Path
) -> None:
    units, _ = read_units(source)
    plan = units[units["code"].isin(["29929", "29935", "29932"])]
    geoms = [to_vn2000(g.buffer(-0.0005)) for g in plan.geometry]  # a little off the shipped polygons
    frame = gpd.GeoDataFrame(
        {"MaXa": list(plan["code"]), "TenXa": list(plan["name"])}, geometry=geoms, crs="EPSG:5897"
    )
    path = tmp_path / "ranh_gioi_xa.gpkg"
    frame.to_file(path)
    pv = preview(
        "boundaries", "Ranh giới xã.gpkg", path.read_bytes(), source, default_source="Sở TN&MT Đồng Tháp"
    )
    assert not pv.errors, pv.report()
    assert pv.target == f"{OFFICIAL_DIR}/ranh_gioi_xa.geojson"
    assert any("giữ ranh giới hiện tại" in p.message for p in pv.warnings)
    save(pv, source, "t")
    after, problems = read_units(source)
    assert not [p for p in problems if p.severity == "error"]
    acc = dict(zip(after["code"], after["accuracy"], strict=True))
    assert acc["29929"] == "official" and acc["29926"] == "approximate"
    dataset, problems = read_dataset(source)
    assert dataset is not None, [str(p) for p in problems]


def test_merged_data_is_validated_whole_before_saving(
    tmp_path: Path, source: DataSource, store_path: Path
) -> None:
    """Official polygons that would leave mapped features outside the district are refused.

    The nine units moved 4,6 km east pass the boundary checks (right areas, no overlap,
    within 5 km of their boxes) but leave the western works more than 3 km outside.
    """
    units, _ = read_units(source)
    moved = units.copy()
    moved["geometry"] = moved.geometry.translate(xoff=0.042)
    path = tmp_path / "nho.geojson"
    moved[["code", "name", "geometry"]].to_file(path)
    pv = preview("boundaries", "nho.geojson", path.read_bytes(), source, default_source="Sở TN&MT")
    assert not pv.can_commit
    merged = [p for p in pv.errors if "(sau khi gộp)" in p.file]
    assert merged and all("nằm ngoài huyện Tân Hồng" in p.message for p in merged)
    assert any("dữ liệu sau khi gộp không hợp lệ" in p.message for p in pv.errors)
    assert not store_path.exists()


def test_existing_errors_in_the_data_block_an_import_and_are_named(
    data_copy: Path, source: DataSource, store_path: Path
) -> None:
    path = data_copy / "indicators" / "criteria.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",2022,", ",2031,", 1), encoding="utf-8")
    pv = preview("values", "a.csv", csv_bytes(VALUES_HEADER + GOOD_VALUE_ROW), source)
    assert not pv.can_commit
    assert any("criteria.csv" in p.file and "lỗi có sẵn" in p.message for p in pv.errors)
    assert not store_path.exists()


# --- bad input: a clear message, and the store untouched ---------------------------------------------

VALUES_HEADER = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\n"
GOOD_VALUE_ROW = "Tân Hộ Cơ;clean_water;2022;96;BC\n"

Builder = Callable[[Path], bytes]


def _bytes(content: bytes) -> Builder:
    return lambda _tmp: content


def _bad_zip(tmp: Path) -> bytes:
    return b"PK\x03\x04" + b"\x13" * 64


BAD_INPUTS: list[tuple[str, str, str, Builder, dict[str, str], tuple[str, ...], int | None]] = [
    (
        "wrong file type",
        "values",
        "bao_cao.pdf",
        _bytes(b"%PDF-1.7\n"),
        {},
        ("không đọc được loại tệp",),
        None,
    ),
    (
        "corrupt xlsx",
        "values",
        "so_lieu.xlsx",
        _bytes(b"PK\x03\x04" + bytes(300)),
        {},
        ("không mở được bảng tính",),
        None,
    ),
    ("corrupt zip", "layer", "tram.zip", _bad_zip, {"layer": "water_stations"}, ("hỏng",), None),
    ("empty file", "values", "trong.csv", _bytes(b"\xef\xbb\xbf\r\n"), {}, ("tệp rỗng",), None),
    (
        "missing column",
        "values",
        "thieu_cot.csv",
        _bytes(csv_bytes("Xã;Chỉ tiêu;Giá trị;Nguồn\nTân Hộ Cơ;clean_water;96;BC\n")),
        {},
        ("thiếu cột 'Năm'",),
        1,
    ),
    (
        "unknown commune",
        "values",
        "xa_la.csv",
        _bytes(csv_bytes(VALUES_HEADER + GOOD_VALUE_ROW + "Xã Bình Phúc Lộc;clean_water;2023;96;BC\n")),
        {},
        ("không nhận ra tên xã 'Xã Bình Phúc Lộc'",),
        3,
    ),
    (
        "a 2025 commune",
        "values",
        "xa_moi.csv",
        _bytes(csv_bytes(VALUES_HEADER + "Xã Tân Hồng;clean_water;2023;96;BC\n")),
        {},
        ("từ 1/7/2025", "Bình Phú"),
        2,
    ),
    (
        "percentage 140",
        "values",
        "ty_le.csv",
        _bytes(csv_bytes(VALUES_HEADER + GOOD_VALUE_ROW + "Bình Phú;clean_water;2023;140;BC\n")),
        {},
        ("140", "100"),
        3,
    ),
    (
        "year 2031",
        "values",
        "nam.csv",
        _bytes(csv_bytes(VALUES_HEADER + "Bình Phú;clean_water;2031;96;BC\n")),
        {},
        ("2031", "2015–2030"),
        2,
    ),
    (
        "not a number",
        "values",
        "chu.csv",
        _bytes(csv_bytes(VALUES_HEADER + "Bình Phú;clean_water;2023;chín mươi;BC\n")),
        {},
        ("không phải là số",),
        2,
    ),
    (
        "duplicate rows",
        "values",
        "trung.csv",
        _bytes(csv_bytes(VALUES_HEADER + GOOD_VALUE_ROW + "X. Tân Hộ Cơ;nước sạch;2022;97;BC\n")),
        {},
        ("trùng", "dòng 2"),
        3,
    ),
    (
        "missing source",
        "values",
        "nguon.csv",
        _bytes(csv_bytes(VALUES_HEADER + "Bình Phú;clean_water;2023;96;\n")),
        {},
        ("thiếu nguồn", "--source"),
        2,
    ),
    (
        "no source column",
        "values",
        "khong_nguon.csv",
        _bytes(csv_bytes("Xã;Chỉ tiêu;Năm;Giá trị\nBình Phú;clean_water;2023;96\n")),
        {},
        ("thiếu cột nguồn",),
        1,
    ),
    (
        "unknown indicator",
        "values",
        "chi_tieu.csv",
        _bytes(csv_bytes(VALUES_HEADER + "Bình Phú;giếng khoan;2023;96;BC\n")),
        {},
        ("không nhận ra chỉ tiêu 'giếng khoan'",),
        2,
    ),
    (
        "derived indicator",
        "values",
        "ntm.csv",
        _bytes(csv_bytes(VALUES_HEADER + "Bình Phú;ntm_status;2023;19;BC\n")),
        {},
        ("criteria",),
        2,
    ),
    (
        "point outside the district",
        "projects",
        "xa.csv",
        _bytes(
            csv_bytes(PROJECT_HEADER + "\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;40;105,44;11,35;NQ\n")
        ),
        {},
        ("nằm ngoài huyện Tân Hồng",),
        2,
    ),
    (
        "wrong CRS",
        "projects",
        "crs.csv",
        _bytes(
            csv_bytes(PROJECT_HEADER + "\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;40;105,44;10,93;NQ\n")
        ),
        {"crs": "EPSG:5897"},
        ("--crs EPSG:4326",),
        1,
    ),
    (
        "invalid --crs",
        "projects",
        "a.csv",
        _bytes(csv_bytes(PROJECT_HEADER + "\n")),
        {"crs": "EPSG:0"},
        ("không hợp lệ",),
        None,
    ),
    (
        "unknown layer key",
        "layer",
        "tram.csv",
        _bytes(csv_bytes("Mã;Tên;Kinh độ;Vĩ độ;Nguồn\nW1;Trạm;105,44;10,93;BC\n")),
        {"layer": "gieng_nuoc"},
        ("không có lớp bản đồ 'gieng_nuoc'", "water_stations"),
        None,
    ),
    (
        "unknown kind",
        "dan_so",
        "a.csv",
        _bytes(csv_bytes(VALUES_HEADER)),
        {},
        ("không có kiểu nhập 'dan_so'",),
        None,
    ),
    (
        "new project without coordinates",
        "projects",
        "khong_toa_do.csv",
        _bytes(
            csv_bytes(
                "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ;Nguồn\nDA-9;Cầu;Giao thông;Bình Phú;Hoàn thành;100;NQ\n"
            )
        ),
        {},
        ("cần tọa độ",),
        2,
    ),
    (
        "progress 150",
        "projects",
        "tien_do.csv",
        _bytes(
            csv_bytes(
                PROJECT_HEADER + "\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;150;105,44;10,93;NQ\n"
            )
        ),
        {},
        ("150",),
        2,
    ),
    (
        "unknown status",
        "projects",
        "trang_thai.csv",
        _bytes(csv_bytes(PROJECT_HEADER + "\nDA-1;Đường;Giao thông;Tân Hộ Cơ;Sắp xong;50;105,44;10,93;NQ\n")),
        {},
        ("'Sắp xong' không hợp lệ",),
        2,
    ),
    (
        "bad criterion level",
        "criteria",
        "tc.csv",
        _bytes(csv_bytes("Xã;Năm;Tiêu chí;Mức đạt;Nguồn\nBình Phú;2023;2;tốt;BC\n")),
        {},
        ("mức đánh giá",),
        2,
    ),
    (
        "criterion 20",
        "criteria",
        "tc20.csv",
        _bytes(csv_bytes("Xã;Năm;Tiêu chí;Mức đạt;Nguồn\nBình Phú;2023;20;Đạt;BC\n")),
        {},
        ("không phải tiêu chí",),
        2,
    ),
    (
        "boundaries from a spreadsheet",
        "boundaries",
        "ranh_gioi.csv",
        _bytes(csv_bytes("Mã xã;Tên xã;Nguồn\n29929;Tân Hộ Cơ;BC\n")),
        {},
        ("ranh giới xã cần một tệp bản đồ",),
        None,
    ),
    (
        "header not found",
        "values",
        "lung_tung.csv",
        _bytes(csv_bytes("a;b;c\n1;2;3\n")),
        {},
        ("không tìm thấy dòng tiêu đề cột",),
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "kind", "filename", "build", "options", "needles", "row"),
    BAD_INPUTS,
    ids=[c[0] for c in BAD_INPUTS],
)
def test_bad_input_is_explained_and_saves_nothing(
    tmp_path: Path,
    source: DataSource,
    store_path: Path,
    seeded_store: bytes,
    case: str,
    kind: str,
    filename: str,
    build: Builder,
    options: dict[str, str],
    needles: tuple[str, ...],
    row: int | None,
) -> None:
    # Half the cases start from a store holding a save, half from no store at all.
    if BAD_INPUTS.index(next(c for c in BAD_INPUTS if c[0] == case)) % 2:
        store_path.parent.mkdir(parents=True, exist_ok=True)
        store_path.write_bytes(seeded_store)
    before = digest(store_path)
    pv = preview(kind, filename, build(tmp_path), source, **options)  # type: ignore[arg-type]
    assert not pv.can_commit
    matching = [p for p in pv.errors if all(n in str(p) for n in needles)]
    assert matching, pv.report()
    problem = matching[0]
    assert problem.file.startswith(filename) or problem.file == "--crs"
    if row is not None:
        assert problem.row == row and f"dòng {row}" in str(problem)
    with pytest.raises(DataError):
        commit(pv, Store(store_path), "kiểm thử")
    assert digest(store_path) == before
    if before is None:
        assert not store_path.exists()


def test_at_least_ten_kinds_of_bad_input() -> None:
    assert len(BAD_INPUTS) >= 10


# --- preview, commit, audit, stale, undo -------------------------------------------------------------


def test_preview_commit_audit_stale_and_undo(source: DataSource, store_path: Path) -> None:
    store = Store(store_path)
    original = source.read_bytes(VALUES_FILE)
    text = (
        VALUES_HEADER
        + "Tân Hộ Cơ;clean_water;2023;96,5;Báo cáo 12/BC-UBND\nBình Phú;nước sạch;2019;90;BC 7\n"
    )
    first = preview("values", "nuoc.csv", csv_bytes(text), source)
    second = preview("values", "nuoc.csv", csv_bytes(text), source)  # made from the same version
    assert first.can_commit and (first.added, first.updated, first.unchanged) == (1, 1, 0)
    assert not store_path.exists()  # previews never write
    version = commit(first, store, "chị Lan")
    assert version is not None and version.version == 1
    # Each changed cell is in the audit log.
    log = store.audit_log(VALUES_FILE)
    logged = {(e["record"], e["field"], e["old"], e["new"]) for e in log}
    expected = {(c.record, c.field, c.old, c.new) for c in first.changes}
    assert logged == {(r, f, None if o is None else str(o), str(n)) for r, f, o, n in expected}
    assert ("29929/clean_water/2023", "value", "97.2", "96.5") in logged
    assert {("29935/clean_water/2019", f) for f in ("unit_code", "indicator", "year", "value", "source")} <= {
        (e["record"], e["field"]) for e in log
    }
    assert all(e["author"] == "chị Lan" and e["action"] == "import" for e in log)
    saved = digest(store_path)
    # The second preview is stale now.
    with pytest.raises(StaleSaveError):
        commit(second, store, "anh Minh")
    assert digest(store_path) == saved
    # A re-import of the same file changes nothing.
    again = preview("values", "nuoc.csv", csv_bytes(text), source)
    assert not again.changes and again.unchanged == 2 and not again.can_commit
    # Undo brings back exactly the bytes before the import.
    store.undo(
        VALUES_FILE,
        base_sha=source.version(VALUES_FILE),
        folder_content=source.folder_bytes(VALUES_FILE),
        author="chị Lan",
    )
    assert source.read_bytes(VALUES_FILE) == original


def test_upsert_keeps_the_other_rows_byte_for_byte(source: DataSource) -> None:
    original = source.read_bytes(VALUES_FILE)
    assert original is not None
    pv = preview("values", "a.csv", csv_bytes(VALUES_HEADER + "Thông Bình;rác thải;2022;85,5;BC\n"), source)
    assert pv.content is not None and pv.updated == 1
    old_lines, new_lines = original.decode().splitlines(), pv.content.decode().splitlines()
    assert len(old_lines) == len(new_lines)
    assert sum(a != b for a, b in zip(old_lines, new_lines, strict=True)) == 1


def test_default_source_fills_missing_sources(source: DataSource) -> None:
    text = "Xã;Chỉ tiêu;Năm;Giá trị\nBình Phú;clean_water;2023;96\n"
    pv = preview("values", "a.csv", csv_bytes(text), source, default_source="Báo cáo UBND huyện 2023")
    assert not pv.errors, pv.report()
    assert any(c.field == "source" and c.new == "Báo cáo UBND huyện 2023" for c in pv.changes)


def test_project_update_without_coordinates_keeps_the_geometry(source: DataSource) -> None:
    first = PROJECT_HEADER + "\nDA-7;Đường;Giao thông;Tân Hộ Cơ;Đang thi công;40;105,44;10,93;NQ\n"
    save(preview("projects", "a.csv", csv_bytes(first), source), source, "t")
    update = "Mã;Tiến độ (%);Tình trạng;Nguồn\nDA-7;100;Hoàn thành;Biên bản nghiệm thu 3/2024\n"
    pv = preview("projects", "tien_do.csv", csv_bytes(update), source)
    assert not pv.errors, pv.report()
    assert pv.updated == 1
    assert {c.field for c in pv.changes} == {"progress", "status", "source"}
    save(pv, source, "t")
    p = stored_point(source, "projects", "DA-7")
    assert metres(p.x, p.y, LON, LAT) < 0.01


# --- the command line --------------------------------------------------------------------------------


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """``python -m borderplan_geo …`` in-process, with ``import`` added if cli.py does not have it yet."""
    original = cli.build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "import" not in sub.choices:
            common = argparse.ArgumentParser(add_help=False)
            common.add_argument("--data", type=Path, default=None)
            add_import_command(sub, common)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_dry_run_saves_nothing(
    tmp_path: Path,
    data_copy: Path,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "nuoc.csv"
    path.write_bytes(csv_bytes(VALUES_HEADER + "Tân Hộ Cơ;clean_water;2023;96,5;BC 12\n"))
    code, out, _ = run_cli(
        monkeypatch, capsys, "import", "values", str(path), "--dry-run", "--data", str(data_copy)
    )
    assert code == 0
    assert (
        "--dry-run: chưa lưu gì" in out
        and "cập nhật 1" in out
        and "29929/clean_water/2023 · value: 97.2 → 96.5" in out
    )
    assert not store_path.exists()


def test_cli_import_then_validate_passes(
    tmp_path: Path,
    data_copy: Path,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    x, y = wgs84_to_vn2000(LON, LAT, 5897)
    content = shapefile_zip(tmp_path / "shp", water_station_frame(x, y, "EPSG:5897"))
    path = tmp_path / "tram.zip"
    path.write_bytes(content)
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "import",
        "layer",
        str(path),
        "--layer",
        "water_stations",
        "--user",
        "anh Tâm",
        "--data",
        str(data_copy),
    )
    assert code == 0, out + err
    assert "đã lưu projects/water_stations.geojson" in out
    assert Store(store_path).audit_log()[0]["author"] == "anh Tâm"
    result = subprocess.run(
        [sys.executable, "-m", "borderplan_geo", "validate", "--data", str(data_copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "BORDERPLAN_STORE": str(store_path)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dữ liệu hợp lệ" in result.stdout


def test_cli_refuses_bad_input_in_vietnamese(
    tmp_path: Path,
    data_copy: Path,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "ty_le.csv"
    path.write_bytes(csv_bytes(VALUES_HEADER + GOOD_VALUE_ROW + "Bình Phú;clean_water;2023;140;BC\n"))
    code, out, err = run_cli(monkeypatch, capsys, "import", "values", str(path), "--data", str(data_copy))
    assert code == 1
    assert "ty_le.csv, dòng 3, cột 'Giá trị': lỗi: tỷ lệ % 140 vượt quá 100" in out
    assert "chưa lưu gì" in err
    assert not store_path.exists()
    code, _, err = run_cli(monkeypatch, capsys, "import", "values", str(tmp_path / "khong_co.csv"))
    assert code == 1 and "không tìm thấy tệp" in err
    code, out, _ = run_cli(monkeypatch, capsys, "import", "layer", str(path), "--layer", "abc")
    assert code == 1 and "không có lớp bản đồ 'abc'" in out
    assert not store_path.exists()


def test_cli_import_of_a_stale_base_is_refused(
    tmp_path: Path, data_copy: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people preview from the same version; the second save is refused, nothing overwritten."""
    src = DataSource(data_copy, Store(store_path))
    a = preview("values", "a.csv", csv_bytes(VALUES_HEADER + "Bình Phú;clean_water;2023;91;BC\n"), src)
    b = preview("values", "b.csv", csv_bytes(VALUES_HEADER + "Bình Phú;clean_water;2023;92;BC\n"), src)
    commit(a, Store(store_path), "A")
    with pytest.raises(StaleSaveError, match="người khác"):
        commit(b, Store(store_path), "B")
    assert b"2023,91," in (src.read_bytes(VALUES_FILE) or b"")


def test_data_folder_is_never_written(tmp_path: Path, data_copy: Path, source: DataSource) -> None:
    before = {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}
    pv = preview("values", "a.csv", csv_bytes(VALUES_HEADER + GOOD_VALUE_ROW), source)
    save(pv, source, "t")
    assert {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()} == before


def test_a_change_in_the_data_folder_makes_the_preview_stale(
    data_copy: Path, source: DataSource, store_path: Path
) -> None:
    pv = preview("values", "a.csv", csv_bytes(VALUES_HEADER + "Bình Phú;clean_water;2023;91;BC\n"), source)
    path = data_copy / "indicators" / "values.csv"
    text = path.read_text(encoding="utf-8")
    assert ",2020,48.1," in text
    path.write_text(
        text.replace(",2020,48.1,", ",2020,48.2,", 1), encoding="utf-8"
    )  # someone edits the folder
    with pytest.raises(StaleSaveError):
        commit(pv, Store(store_path), "t")
    # Nothing saved (store.py creates an empty store file even for a refused save).
    assert Store(store_path).history() == []


def test_a_report_with_headers_merged_down_and_the_year_over_the_value_column(
    tmp_path: Path, source: DataSource
) -> None:
    """The layout of a district report: a title, "STT / Xã / Chỉ tiêu" merged over two rows,
    "Năm 2025" over "Giá trị (%)", names written loosely, Vietnamese decimals."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "BÁO CÁO TỶ LỆ HỘ DÂN SỬ DỤNG NƯỚC SẠCH, HỢP VỆ SINH NĂM 2025"
    ws.merge_cells("A1:E1")
    ws["A3"], ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "STT", "Xã", "Chỉ tiêu", "Năm 2025", "Nguồn"
    for col in "ABCE":
        ws.merge_cells(f"{col}3:{col}4")
    ws["D4"] = "Giá trị (%)"
    source_text = "Báo cáo 45/BC-UBND huyện Tân Hồng 15/12/2025"
    for i, (name, value) in enumerate(
        [("X. Tân Hộ Cơ", "99,2"), ("binh phu", "99,4"), ("THÔNG BÌNH", "97,8")]
    ):
        for j, cell in enumerate([i + 1, name, "clean_water", value, source_text]):
            ws.cell(row=5 + i, column=j + 1, value=cell)
    buf = io.BytesIO()
    wb.save(buf)
    pv = preview("values", "bao_cao.xlsx", buf.getvalue(), source)
    assert pv.can_commit, pv.report()
    assert (pv.added, pv.updated) == (0, 3)
    commit(pv, source.store, "anh")
    values, _ = read_values(
        source.read_bytes(VALUES_FILE), VALUES_FILE, read_targets(source.read_bytes(TARGETS_FILE))[0]
    )
    got = values[(values["indicator"] == "clean_water") & (values["year"] == 2025)].set_index("unit_code")[
        "value"
    ]
    assert got.to_dict() == {"29929": 99.2, "29932": 97.8, "29935": 99.4}
