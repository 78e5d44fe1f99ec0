"""Readers of users' files and the VN-2000 transformation (every input is built here, in tmp_path)."""

from __future__ import annotations

import io
import math
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from pyproj import Geod, Proj, Transformer
from shapely.geometry import Point

from borderplan_geo._errors import CRSError, DataError
from borderplan_geo.io import (
    VN2000_HELMERT,
    file_format,
    from_wgs84,
    header_year,
    is_vn2000,
    parse_coordinate,
    parse_crs,
    read_user_file,
    sniff_delimiter,
    to_wgs84,
)
from borderplan_geo.units import fold

GEOD = Geod(ellps="WGS84")
A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)

#: A point in Tân Hộ Cơ (WGS84).
LON, LAT = 105.45, 10.90

SYNONYMS = {
    "unit": ("xã", "tên xã"),
    "year": ("năm",),
    "value": ("giá trị",),
    "source": ("nguồn",),
    "lon": ("kinh độ",),
    "lat": ("vĩ độ",),
}


# --- an independent VN-2000 ↔ WGS84 (DOMAIN.md's EPSG:6960, by hand with numpy) ---------------------


def _to_ecef(lon: float, lat: float, h: float = 0.0) -> np.ndarray:
    lo, la = math.radians(lon), math.radians(lat)
    n = A / math.sqrt(1 - E2 * math.sin(la) ** 2)
    return np.array(
        [
            (n + h) * math.cos(la) * math.cos(lo),
            (n + h) * math.cos(la) * math.sin(lo),
            (n * (1 - E2) + h) * math.sin(la),
        ]
    )


def _from_ecef(xyz: np.ndarray) -> tuple[float, float]:
    x, y, z = xyz
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - E2))
    for _ in range(10):
        n = A / math.sqrt(1 - E2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n
        lat = math.atan2(z, p * (1 - E2 * n / (n + h)))
    return math.degrees(lon), math.degrees(lat)


def _helmert_matrix() -> tuple[np.ndarray, np.ndarray, float]:
    h = VN2000_HELMERT
    sec = math.pi / (180 * 3600)
    rx, ry, rz = h["rx"] * sec, h["ry"] * sec, h["rz"] * sec
    # Coordinate-frame rotation convention (EPSG method 1032/9607).
    r = np.array([[1, rz, -ry], [-rz, 1, rx], [ry, -rx, 1]])
    return np.array([h["x"], h["y"], h["z"]]), r, 1 + h["s"] * 1e-6


def wgs84_to_vn2000_geographic(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 → VN-2000 longitude/latitude by inverting X_wgs = T + (1 + s)·R·X_vn."""
    t, r, m = _helmert_matrix()
    xv = np.linalg.solve(r * m, _to_ecef(lon, lat) - t)
    return _from_ecef(xv)


def wgs84_to_vn2000(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    """Projected VN-2000 coordinates of a WGS84 point: Helmert by hand, then the map projection only."""
    vlon, vlat = wgs84_to_vn2000_geographic(lon, lat)
    proj = {
        5897: Proj("+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m"),
        3405: Proj("+proj=utm +zone=48 +ellps=WGS84 +units=m"),
    }[epsg]
    x, y = proj(vlon, vlat)
    return float(x), float(y)


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- VN-2000 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("epsg", [5897, 3405])
def test_vn2000_to_wgs84_applies_the_helmert_of_epsg_6960(epsg: int) -> None:
    x, y = wgs84_to_vn2000(LON, LAT, epsg)
    lon, lat = to_wgs84(x, y, f"EPSG:{epsg}")
    assert metres(lon, lat, LON, LAT) < 0.01
    # The datum shift is real here: the same numbers without it land ~225 m away.
    ballpark = Proj(
        f"+proj=tmerc +lon_0=105 +k={0.9999 if epsg == 5897 else 0.9996} +x_0=500000 +ellps=WGS84"
    )
    blon, blat = ballpark(x, y, inverse=True)
    assert 150 < metres(blon, blat, LON, LAT) < 300


def test_from_wgs84_inverts_to_wgs84() -> None:
    x, y = from_wgs84(LON, LAT, "EPSG:5897")
    ex, ey = wgs84_to_vn2000(LON, LAT, 5897)
    assert math.hypot(x - ex, y - ey) < 0.01
    lon, lat = to_wgs84(x, y, "EPSG:5897")
    assert metres(lon, lat, LON, LAT) < 0.001


def test_arrays_transform_like_scalars() -> None:
    xs, _ = from_wgs84([LON, 105.5], [LAT, 10.95], "EPSG:3405")
    assert len(xs) == 2
    assert math.isclose(xs[0], from_wgs84(LON, LAT, "EPSG:3405")[0], abs_tol=1e-6)


def test_pyproj_alone_picks_another_parameter_set() -> None:
    """Why the package builds EPSG:6960 itself: PROJ's own choice differs by ~0,8 m here."""
    x, y = wgs84_to_vn2000(LON, LAT, 5897)
    tr = Transformer.from_crs("EPSG:5897", "EPSG:4326", always_xy=True)
    plon, plat = tr.transform(x, y)
    assert 0.3 < metres(plon, plat, LON, LAT) < 3


def test_vn2000_is_recognised_from_a_prj_without_epsg_code() -> None:
    wkt = (
        'PROJCS["VN_2000_TM3",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,'
        '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
        'PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",0.9999],'
        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )
    assert is_vn2000(wkt)
    x, y = wgs84_to_vn2000(LON, LAT, 5897)
    lon, lat = to_wgs84(x, y, wkt)
    assert metres(lon, lat, LON, LAT) < 0.01
    assert not is_vn2000("EPSG:32648") and not is_vn2000("EPSG:4326")


def test_bad_crs_is_explained_in_vietnamese() -> None:
    with pytest.raises(CRSError) as exc:
        parse_crs("EPSG:99999999")
    assert "không hợp lệ" in str(exc.value) and "EPSG:5897" in str(exc.value)
    assert parse_crs("5897").to_epsg() == 5897


# --- coordinates and headers as people write them --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("105.45", 105.45),
        ("105,45", 105.45),
        ("105.450", 105.45),  # a coordinate's single dot is decimal, not the thousands dot
        ("105°27'00\"E", 105.45),
        ("10°54'N", 10.9),
        ("1.205.432,07", 1205432.07),
        ("548 994,8", 548994.8),
        (105.45, 105.45),
    ],
)
def test_parse_coordinate(text: object, expected: float) -> None:
    assert parse_coordinate(text) == pytest.approx(expected)


def test_parse_coordinate_refuses_text() -> None:
    with pytest.raises(ValueError, match="không phải là tọa độ"):
        parse_coordinate("gần chợ")


def test_header_year() -> None:
    assert header_year("Năm 2021") == 2021 and header_year(2022) == 2022 and header_year("2023.0") is None
    assert header_year("Giá trị") is None


@pytest.mark.parametrize(
    ("text", "delim"), [("a;b;c\n1,5;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a,b\n1,2\n", ",")]
)
def test_sniff_delimiter(text: str, delim: str) -> None:
    assert sniff_delimiter(text) == delim


CSV_TEXT = "Báo cáo số liệu\nXã;Năm;Giá trị;Nguồn\nX. Tân Hộ Cơ;2023;68,5;BC 1\n\ntan ho co;2024;2.250;BC 2\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_csv_encodings_title_and_blank_rows(encoding: str) -> None:
    raw = CSV_TEXT.encode(encoding)
    if encoding == "utf-16-le":
        raw = b"\xff\xfe" + raw
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    tables, problems = read_user_file("so_lieu.csv", raw, SYNONYMS)
    assert not problems
    (table,) = tables
    assert table.header_rows == (2,)
    assert [r.row for r in table.records] == [3, 5]
    assert table.records[0].cells == {
        "unit": "X. Tân Hộ Cơ",
        "year": "2023",
        "value": "68,5",
        "source": "BC 1",
    }
    assert "Báo cáo" in table.title


def test_xlsx_merged_two_row_header_and_wide_years(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Nước sạch"
    ws.append(["TỶ LỆ HỘ DÂN SỬ DỤNG NƯỚC SẠCH"])
    ws.merge_cells("A1:E1")
    ws.append(["STT", "Tên xã", "Năm", None, "Nguồn"])
    ws.append([None, None, 2023, 2024, None])
    ws.merge_cells("C2:D2")
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("E2:E3")
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)"])
    ws.append([1, "X. Tân Hộ Cơ", 0.955, 0.97, "BC"])
    ws["C5"].number_format = "0.0%"
    ws.append([2, "Bình Phú", 95, 96, "BC"])
    buf = io.BytesIO()
    wb.save(buf)
    tables, _ = read_user_file("nuoc.xlsx", buf.getvalue(), {**SYNONYMS, "row_no": ("stt",)}, years=True)
    (table,) = tables
    assert table.header_rows == (2, 3)
    assert table.year_columns == {2023: "Năm / 2023", 2024: "Năm / 2024"}
    first = table.records[0]
    assert first.row == 5 and first.cells["unit"] == "X. Tân Hộ Cơ"
    assert first.years[2023] == pytest.approx(95.5)  # a cell formatted as % reads as percent
    assert first.years[2024] == pytest.approx(0.97)  # not formatted: as typed
    assert "NƯỚC SẠCH" in table.title and "Nước sạch" in table.title


def test_header_not_found_is_a_clear_error() -> None:
    with pytest.raises(DataError) as exc:
        read_user_file("x.csv", b"a,b,c\n1,2,3\n", SYNONYMS)
    assert "x.csv" in str(exc.value) and "không tìm thấy dòng tiêu đề cột" in str(exc.value)


# --- file types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("a.pdf", b"%PDF-1.4", "không đọc được loại tệp '.pdf'"),
        ("a.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),
        ("a.shp", b"\x00\x00\x27\x0a", ".zip"),
        ("a.csv", b"", "tệp rỗng"),
        ("a.xlsx", b"Xa,Nam\n", "không phải bảng tính Excel"),
        ("a.gpkg", b"hello", "không phải GeoPackage"),
        ("a.csv", b"PK\x03\x04rest", "không phải tệp văn bản CSV"),
    ],
)
def test_file_format_refuses_with_a_hint(name: str, content: bytes, needle: str) -> None:
    with pytest.raises(DataError) as exc:
        file_format(name, content)
    assert name in str(exc.value) and needle in str(exc.value)


def test_corrupt_xlsx_is_refused() -> None:
    with pytest.raises(DataError, match="không mở được bảng tính"):
        read_user_file("hong.xlsx", b"PK\x03\x04" + b"\x00" * 200, SYNONYMS)


def test_zip_without_shapefile_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("so_lieu.csv", "a,b\n")
    with pytest.raises(DataError, match="không chứa Shapefile"):
        read_user_file("nen.zip", buf.getvalue(), SYNONYMS)


def test_gpkg_with_two_layers_is_refused(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"ten": ["a"]}, geometry=[Point(LON, LAT)], crs="EPSG:4326")
    path = tmp_path / "hai_lop.gpkg"
    g.to_file(path, layer="mot")
    g.to_file(path, layer="hai")
    with pytest.raises(DataError, match="2 lớp"):
        read_user_file("hai_lop.gpkg", path.read_bytes(), SYNONYMS)


def test_kml_and_kmz_read_as_wgs84(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"id": ["WS-7"], "Name": ["Trạm nước"]}, geometry=[Point(LON, LAT)], crs="EPSG:4326")
    path = tmp_path / "tram.kml"
    g.to_file(path, driver="KML")
    tables, _ = read_user_file("tram.kml", path.read_bytes(), {"name": ("name",), "id": ("id",)})
    (table,) = tables
    assert table.crs is not None and table.crs.to_epsg() == 4326
    assert table.records[0].cells["name"] == "Trạm nước"
    assert table.records[0].cells["id"] == "WS-7"  # the ExtendedData "id", not the Placemark's
    assert table.records[0].geometry is not None
    kmz = io.BytesIO()
    with zipfile.ZipFile(kmz, "w") as z:
        z.write(path, "doc.kml")
    tables, _ = read_user_file("tram.kmz", kmz.getvalue(), {"name": ("name",), "id": ("id",)})
    assert tables[0].records[0].cells["name"] == "Trạm nước"


def test_shapefile_truncated_names_still_match(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame(
        {"Tên": ["Trạm"], "Độ chính xác": ["đo đạc"]}, geometry=[Point(LON, LAT)], crs="EPSG:4326"
    )
    (tmp_path / "s").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # geopandas and GDAL say the names get cut: that is the point
        g.to_file(tmp_path / "s" / "tram.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in (tmp_path / "s").iterdir():
            z.write(f, f.name)
    tables, _ = read_user_file(
        "tram.zip", buf.getvalue(), {"name": ("tên",), "accuracy": ("độ chính xác", "độ chính xác vị trí")}
    )
    assert fold(str(tables[0].records[0].cells["accuracy"])) == "do dac"


def test_gdal_messages_reach_the_user_wrapped_in_vietnamese(tmp_path: Path) -> None:
    """GDAL speaks English: its words come after what they mean, and never show a temporary path."""
    import pyogrio

    from borderplan_geo._gdal import gdal_words, harden

    harden()
    path = tmp_path / "borderplan-import-x" / "a.geojson"
    path.parent.mkdir()
    path.write_bytes(b"khong phai du lieu")
    with pytest.raises(Exception) as info:  # pyogrio raises several types
        pyogrio.read_info(path)
    text = gdal_words(info.value, path, "hong.geojson")
    assert "hong.geojson" in text and str(tmp_path) not in text
    assert text.startswith("GDAL không nhận ra định dạng của tệp (thông báo gốc của GDAL: "), text
    assert gdal_words("", path, "x") == "GDAL không cho biết lý do"
    assert gdal_words("Something odd", path, "x") == "thông báo gốc của GDAL: Something odd"
