"""Commune boundaries and the national border line: ``data/boundaries/``.

The shipped polygons are approximate schematics built from public facts
(centroid, bounding box, area; see ``tools/build_boundaries.py``): each
feature says so in ``accuracy`` and ``source``. An official boundary file
dropped in ``boundaries/official/`` (GeoJSON, GeoPackage, zipped Shapefile) is
used in their place, its communes recognised by code or by name.

The 2025 communes are never stored: mergers were whole-commune unions
(Nghị quyết 1663/NQ-UBTVQH15), so :func:`dissolve_2025` computes them exactly
from the 2020 units.
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ._errors import DataError, Problem, UnitNameError
from ._gdal import harden
from .io import geometries_to_wgs84, is_vn2000
from .store import DataSource
from .units import MERGER_SOURCE, PLAN_CODES, fold, get_unit, resolve_unit, units

WGS84 = "EPSG:4326"
#: A metric CRS for areas and distances here (UTM zone 48 N).
METRIC = "EPSG:32648"

UNIT_FILE = "boundaries/units_2020.geojson"
BORDER_FILE = "boundaries/border.geojson"
OFFICIAL_DIR = "boundaries/official"
_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".zip")

#: How far outside the district a feature may lie (border gates sit on the line).
OUTSIDE_TOLERANCE_M = 3000.0

#: How precise a boundary is, as the screen says it.
BOUNDARY_ACCURACY: dict[str, str] = {
    "approximate": "Ranh giới gần đúng (dựng từ dữ liệu công khai, không phải ranh giới pháp lý)",
    "osm": "Ranh giới theo OpenStreetMap (cộng đồng đóng góp, không phải ranh giới pháp lý)",
    "official": "Ranh giới chính thức do người dùng cung cấp",
    "reference": "Ranh giới tham khảo do người dùng cung cấp (không phải ranh giới pháp lý)",
}
#: The same, short: what a user says a boundary file is when importing it.
BOUNDARY_ACCURACY_SHORT: dict[str, str] = {
    "official": "chính thức (pháp lý)",
    "reference": "tham khảo",
    "approximate": "gần đúng",
    "osm": "OpenStreetMap",
}

_CODE_COLUMNS = ("code", "gso_code", "ma", "ma_xa", "maxa", "ma_dvhc", "unit_code")
_NAME_COLUMNS = ("name", "ten", "ten_xa", "tenxa", "commune", "xa", "unit", "ten_dvhc")


def total_bounds_to_folium(bounds: tuple[float, float, float, float] | list[float]) -> list[list[float]]:
    """geopandas ``total_bounds`` (minx, miny, maxx, maxy) → folium ``[[south, west], [north, east]]``."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    return [[miny, minx], [maxy, maxx]]


def official_file(source: DataSource) -> str | None:
    """The boundary file that replaces the approximate one, if any.

    A file the users saved through the app or the command line (held in the
    store) wins over a file dropped in ``boundaries/official/``: it is their
    latest action; among several, the newest saved wins.
    """
    candidates = [rel for rel in source.listdir(OFFICIAL_DIR) if rel.lower().endswith(_VECTOR_SUFFIXES)]
    if not candidates:
        return None
    if source.store is not None:
        stored = [(v.saved_at, v.path) for v in source.store.history() if v.path in candidates]
        if stored:
            return max(stored)[1]
    return candidates[0]


def read_units(source: DataSource) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read the 2020 units (an official file if present, else the approximate one).

    Returns the frame (columns ``code, name, in_plan, accuracy, source,
    geometry``, WGS84) and every problem found.
    """
    rel = official_file(source) or UNIT_FILE
    content = source.read_bytes(rel)
    if content is None:
        return _empty_units(), [Problem(rel, "thiếu tệp ranh giới xã")]
    harden()  # the allowed drivers only: a file dropped in boundaries/official/ is read like an import
    try:
        raw = gpd.read_file(io.BytesIO(content))
    except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
        return _empty_units(), [Problem(rel, f"không đọc được tệp ranh giới: {exc}")]
    return normalise_units(raw, rel, official=rel.startswith(OFFICIAL_DIR))


def normalise_units(
    raw: gpd.GeoDataFrame, label: str, *, official: bool = False
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Recognise each feature's commune, check geometries, return the standard frame."""
    problems: list[Problem] = []
    if raw.crs is None:
        problems.append(
            Problem(label, "tệp không khai báo hệ tọa độ; hiểu là WGS84 (EPSG:4326)", severity="warning")
        )
        raw = raw.set_crs(WGS84)
    if is_vn2000(raw.crs):
        # VN-2000 with the Helmert shift of EPSG:6960, not whatever PROJ picks (up to 225 m apart).
        raw = raw.set_geometry(geometries_to_wgs84(list(raw.geometry), raw.crs), crs=WGS84)
    else:
        raw = raw.to_crs(WGS84)
    columns = {fold(c).replace(" ", "_"): c for c in raw.columns if c != "geometry"}
    code_col = next((columns[c] for c in _CODE_COLUMNS if c in columns), None)
    name_col = next((columns[c] for c in _NAME_COLUMNS if c in columns), None)
    if code_col is None and name_col is None:
        return _empty_units(), [
            Problem(label, "không tìm thấy cột mã xã (code) hoặc tên xã (name) để nhận ra từng xã", row=1)
        ]
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(raw.to_dict("records")):
        row = i + 1
        unit = None
        message = "thiếu mã/tên xã"
        for col in (code_col, name_col):
            if col is None or rec.get(col) in (None, ""):
                continue
            try:
                unit = resolve_unit(rec[col], 2020)
                break
            except UnitNameError as exc:
                message = str(exc)
        if unit is None:
            value = rec.get(code_col or "") or rec.get(name_col or "")
            problems.append(Problem(label, message, row=row, column=code_col or name_col, value=value))
            continue
        geom = rec.get("geometry")
        if geom is None or geom.is_empty:
            problems.append(Problem(label, f"{unit.name}: không có hình học", row=row))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(
                Problem(label, f"{unit.name}: cần vùng (Polygon), không phải {geom.geom_type}", row=row)
            )
            continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
            problems.append(
                Problem(
                    label, f"{unit.name}: hình học không hợp lệ, đã sửa tự động", row=row, severity="warning"
                )
            )
        if unit.code in seen:
            problems.append(
                Problem(label, f"{unit.name} xuất hiện hai lần (dòng {seen[unit.code]})", row=row)
            )
            continue
        seen[unit.code] = row
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "in_plan": unit.in_plan,
                "accuracy": str(rec.get("accuracy") or ("official" if official else "approximate")),
                "source": str(
                    rec.get("source") or ("Ranh giới chính thức do người dùng cung cấp" if official else "")
                ),
                "geometry": geom,
            }
        )
    missing = [u for u in units(2020) if u.code not in seen]
    for u in missing:
        problems.append(Problem(label, f"thiếu ranh giới của {u.name} ({u.code})"))
    frame = gpd.GeoDataFrame(
        rows, columns=["code", "name", "in_plan", "accuracy", "source", "geometry"], crs=WGS84
    )
    _check_location(frame, label, problems)
    return frame.sort_values("code").reset_index(drop=True), problems


def _check_location(frame: gpd.GeoDataFrame, label: str, problems: list[Problem]) -> None:
    """Catch a file read in the wrong CRS: Tân Hồng lies near 10.9 N, 105.5 E."""
    if frame.empty:
        return
    minx, miny, maxx, maxy = frame.total_bounds
    if not (minx > 104.5 and maxx < 106.5 and miny > 10.0 and maxy < 11.8):
        problems.append(
            Problem(
                label,
                "tọa độ không nằm ở huyện Tân Hồng (quanh 10,9° B, 105,5° Đ): có thể sai hệ tọa độ "
                "(VN-2000 chưa khai báo?) hoặc đảo thứ tự kinh độ/vĩ độ",
            )
        )


def _empty_units() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in ["code", "name", "in_plan", "accuracy", "source"]},
        geometry=gpd.GeoSeries([], crs=WGS84),
        crs=WGS84,
    )


def load_units(source: DataSource) -> gpd.GeoDataFrame:
    """The 2020 units; :class:`DataError` on any error."""
    frame, problems = read_units(source)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return frame


def read_border(source: DataSource) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The national border line along the district."""
    label = BORDER_FILE
    content = source.read_bytes(BORDER_FILE)
    if content is None:
        return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84), []
    harden()
    try:
        frame = gpd.read_file(io.BytesIO(content))
        if frame.crs is None:
            frame = frame.set_crs(WGS84)
        frame = frame.to_crs(WGS84)
    except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
        empty = gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
        return empty, [Problem(label, f"không đọc được tệp đường biên giới: {exc}")]
    problems = []
    for i, g in enumerate(frame.geometry):
        if g is None or g.geom_type not in ("LineString", "MultiLineString"):
            problems.append(Problem(label, "đường biên giới phải là đường (LineString)", row=i + 1))
    for col, default in (("accuracy", "approximate"), ("source", "")):
        if col not in frame.columns:
            frame[col] = default
    return frame, problems


def dissolve_2025(units_2020: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The four communes since 1 July 2025, as exact unions of the 2020 units.

    Each keeps ``members`` (the 2020 codes it was formed from), ``plan_members``
    (those of the plan) and the least precise ``accuracy`` of its parts.
    """
    frame = units_2020.copy()
    frame["new_code"] = [get_unit(c).merged_into for c in frame["code"]]
    rows = []
    for new in units(2025):
        parts = frame[frame["new_code"] == new.code]
        if parts.empty:
            continue
        kinds = set(parts["accuracy"])
        accuracy = kinds.pop() if len(kinds) == 1 else "approximate"
        members = tuple(sorted(parts["code"]))
        rows.append(
            {
                "code": new.code,
                "name": new.name,
                "members": ";".join(members),
                "plan_members": ";".join(m for m in members if m in PLAN_CODES),
                "in_plan": any(m in PLAN_CODES for m in members),
                "accuracy": accuracy,
                "source": f"Gộp từ {', '.join(get_unit(m).name for m in members)} theo {MERGER_SOURCE}",
                "geometry": shapely.union_all(list(parts.geometry)),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=units_2020.crs)


def district_outline(units_2020: gpd.GeoDataFrame) -> BaseGeometry:
    """The district as one geometry (union of its units)."""
    return shapely.union_all(list(units_2020.geometry))


def plan_area(units_2020: gpd.GeoDataFrame) -> BaseGeometry:
    """The three plan communes as one geometry."""
    return shapely.union_all(list(units_2020[units_2020["code"].isin(PLAN_CODES)].geometry))
