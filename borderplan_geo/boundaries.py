"""Commune boundaries and the national border line: ``data/boundaries/``.

The shipped polygons are approximate schematics built from public facts
(centroid, bounding box, area; see ``tools/build_boundaries.py``): each
feature says so in ``accuracy`` and ``source``. An official boundary file
dropped in ``boundaries/official/`` (GeoJSON, GeoPackage, zipped Shapefile) is
used in their place, its communes recognised by code or by name.

The 2025 communes are never stored: mergers were whole-commune unions
(Nghị quyết 1663/NQ-UBTVQH15), so :func:`dissolve_2025` computes them exactly
from the 2020 units.

Every set of boundaries, however it arrives (the shipped file, a file in
``boundaries/official/``, an import, OpenStreetMap), passes the same sanity
checks (:func:`sanity_problems`): area, place and overlaps against the reference
facts. Once boundaries are replaced, the rest follows from them:
:func:`national_border` draws the border as the outer edge of the border
communes (unless the users gave a border line of their own), and
:func:`features_outside_communes` lists the works now outside their commune,
which :func:`reassign_communes` can move to the commune their position is in.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from ._errors import DataError, Problem, UnitNameError
from ._gdal import harden
from .formatting import format_number
from .io import geometries_to_wgs84, is_vn2000
from .settings import REPO_ROOT
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
#: A work farther than this from (each of) its commune(s) is outside it: positions are
#: approximate, and a border gate sits on its commune's edge.
OUTSIDE_COMMUNE_M = 100.0

#: The facts each set of boundaries is checked against (code, name, area, bounding box).
REFERENCE_FILE = "reference/tan_hong_communes_2020_2025.csv"
#: Sanity limits for any boundary file (:func:`sanity_problems`). A unit's area may be half
#: to twice the reference area: real boundary sets differ from the generalised reference
#: by 5–10 %, a wrong polygon (another commune, the district, the province) by far more.
AREA_FACTOR = (0.5, 2.0)
#: Every part of a unit lies within this distance of its reference bounding box: a
#: boundary set a few kilometres off is still this district, one elsewhere is not.
NEIGHBOURHOOD_KM = 5.0
#: Two units may overlap by this much (digitising slivers), more is a duplicate or a wrong polygon.
OVERLAP_KM2 = 0.05
OVERLAP_SHARE = 0.02  # ... or this share of the smaller unit, whichever is larger
#: Known ends of the international border along the district (lon, lat), see DOMAIN.md.
BORDER_WEST_END = (105.3708, 10.9002)  # meets thị xã Hồng Ngự
BORDER_EAST_END = (105.4982, 10.9531)  # meets tỉnh Long An
BORDER_NAME = "Đường biên giới quốc gia Việt Nam – Campuchia (đoạn huyện Tân Hồng)"

#: How precise a boundary is, as the screen says it.
BOUNDARY_ACCURACY: dict[str, str] = {
    "approximate": "Ranh giới gần đúng (dựng từ dữ liệu công khai, không phải ranh giới pháp lý)",
    "osm": "Ranh giới theo OpenStreetMap (cộng đồng đóng góp, không phải ranh giới pháp lý)",
    "official": "Ranh giới chính thức do người dùng cung cấp",
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
    return normalise_units(
        raw, rel, official=rel.startswith(OFFICIAL_DIR), reference=reference_units(source.data_dir)
    )


def normalise_units(
    raw: gpd.GeoDataFrame,
    label: str,
    *,
    official: bool = False,
    reference: Mapping[str, ReferenceUnit] | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Recognise each feature's commune, check geometries, return the standard frame.

    Every path in (the shipped file, ``boundaries/official/``, an import,
    OpenStreetMap) comes through here, so each gets :func:`sanity_problems`
    against ``reference`` (default: the repository's reference facts).
    """
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
    if not any(p.severity == "error" for p in problems):
        reference = reference if reference is not None else reference_units()
        problems += sanity_problems(frame, label, reference, rows=seen)
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


# --- reference facts and sanity checks ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceUnit:
    """What the reference facts say about a unit: enough to tell a plausible boundary."""

    code: str
    name: str
    area_km2: float
    south: float
    west: float
    north: float
    east: float


def reference_units(data_dir: Path | None = None) -> dict[str, ReferenceUnit]:
    """The reference facts of the nine units, by code.

    Read from ``data_dir``'s ``reference/`` when it has the file, else from the
    repository's copy (the facts do not change with the users' data). The
    columns give the box as ``bbox_south, bbox_west, bbox_north, bbox_east``.
    """
    path = data_dir / REFERENCE_FILE if data_dir is not None else None
    if path is None or not path.is_file():
        path = REPO_ROOT / "data" / REFERENCE_FILE
    out: dict[str, ReferenceUnit] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for rec in csv.DictReader(f):
            code = str(rec.get("gso_code", "")).strip()
            try:
                out[code] = ReferenceUnit(
                    code,
                    get_unit(code).name,
                    float(rec["area_km2_approx"]),
                    float(rec["bbox_south"]),
                    float(rec["bbox_west"]),
                    float(rec["bbox_north"]),
                    float(rec["bbox_east"]),
                )
            except (KeyError, ValueError, TypeError):
                continue  # a broken reference row checks nothing rather than everything
    return out


def _km(metres: float) -> str:
    return format_number(metres / 1000, 1)


def sanity_problems(
    frame: gpd.GeoDataFrame,
    label: str,
    reference: Mapping[str, ReferenceUnit],
    *,
    rows: Mapping[str, int] | None = None,
) -> list[Problem]:
    """Refuse boundaries no district office would send: the rules every path in shares.

    Each unit's area must be :data:`AREA_FACTOR` (half to twice) of the reference
    area; every part of it within :data:`NEIGHBOURHOOD_KM` of its reference box;
    and no two units may overlap by more than :data:`OVERLAP_KM2` or
    :data:`OVERLAP_SHARE` of the smaller one. Each problem is an error in
    Vietnamese with the figures (unit, measured vs reference, overlap), at the
    unit's row of the file when ``rows`` (code → row) is given.
    """
    if frame.empty:
        return []
    row_of = dict(rows or {})
    problems: list[Problem] = []
    metric = frame.to_crs(METRIC)
    lo, hi = AREA_FACTOR
    refs = [reference.get(str(c)) for c in frame["code"]]
    boxes = gpd.GeoSeries(
        [shapely.box(r.west, r.south, r.east, r.north) if r else None for r in refs], crs=WGS84
    ).to_crs(METRIC)
    for code, name, geom, ref, box_m in zip(
        frame["code"], frame["name"], metric.geometry, refs, boxes, strict=True
    ):
        if ref is None:
            continue
        area = geom.area / 1e6
        if not lo * ref.area_km2 <= area <= hi * ref.area_km2:
            ratio = area / ref.area_km2
            times = (
                f"gấp {format_number(ratio, 1)} lần" if ratio >= 1 else f"bằng {format_number(ratio, 2)} lần"
            )
            problems.append(
                Problem(
                    label,
                    f"{name}: diện tích {format_number(area, 1)} km² {times} diện tích tham chiếu "
                    f"{format_number(ref.area_km2, 1)} km² (cho phép {format_number(lo, 1)}–"
                    f"{format_number(hi, 0)} lần): có lẽ nhầm xã, nhầm vùng hoặc nhầm tệp",
                    row=row_of.get(str(code)),
                    value=round(area, 2),
                )
            )
        if not box_m.buffer(NEIGHBOURHOOD_KM * 1000, join_style="mitre").contains(geom):
            reach = float(shapely.distance(shapely.points(shapely.get_coordinates(geom)), box_m).max())
            problems.append(
                Problem(
                    label,
                    f"{name}: ranh giới nằm xa khung bao tham chiếu của xã tới {_km(reach)} km "
                    f"(cho phép {format_number(NEIGHBOURHOOD_KM, 0)} km): không phải địa bàn xã này "
                    "(sai hệ tọa độ, nhầm tệp hoặc nhầm xã?)",
                    row=row_of.get(str(code)),
                )
            )
    pairs = list(zip(frame["code"], frame["name"], metric.geometry, strict=True))
    total = float(metric.geometry.area.sum()) - shapely.union_all(list(metric.geometry)).area
    if total <= OVERLAP_KM2 * 1e6:
        return problems  # the units overlap less than one pair may: no pair to name
    for (code_a, name_a, a), (code_b, name_b, b) in _pairs(pairs):
        if not a.intersects(b):
            continue
        overlap = a.intersection(b).area
        smaller = min(a.area, b.area)
        if overlap > max(OVERLAP_KM2 * 1e6, OVERLAP_SHARE * smaller):
            problems.append(
                Problem(
                    label,
                    f"{name_a} và {name_b} chồng lên nhau {format_number(overlap / 1e6, 2)} km² "
                    f"({format_number(100 * overlap / smaller, 1)} % diện tích xã nhỏ hơn; cho phép "
                    f"{format_number(OVERLAP_KM2, 2)} km² hoặc {format_number(100 * OVERLAP_SHARE, 0)} %): "
                    "hai xã trùng vùng hoặc một vùng bị lặp",
                    row=row_of.get(str(code_b), row_of.get(str(code_a))),
                )
            )
    return problems


def _pairs(
    rows: list[tuple[str, str, BaseGeometry]],
) -> Iterable[tuple[tuple[str, str, BaseGeometry], tuple[str, str, BaseGeometry]]]:
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            yield a, b


# --- the national border that follows the units -----------------------------------------------------------


def border_is_users(source: DataSource, border: gpd.GeoDataFrame | None = None) -> bool:
    """True when the border line is the users' own (saved through the store, or not approximate).

    ``border`` is the line as :func:`read_border` read it (read again when not given).
    """
    if source.store is not None and source.store.history(BORDER_FILE):
        return True
    if border is None:
        border, problems = read_border(source)
        if problems:
            return False
    if border.empty or "accuracy" not in border:
        return False
    return bool((border["accuracy"].astype(str) != "approximate").any())


def national_border(
    units_2020: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame,
    *,
    replaced: bool,
    users_line: bool = False,
) -> gpd.GeoDataFrame:
    """The national border to draw, one rule for the map, the PNG and the PDF.

    With the shipped units (``replaced`` false) or a border line of the users'
    own (``users_line``), the border file as it is. Once the units are replaced,
    the outer edge of the district between the border's two known ends, the
    northern way: the edge of the border communes facing Cambodia, so it never
    cuts through a commune and moves with the new shapes.
    """
    if not replaced or users_line or units_2020.empty:
        return border
    line = outer_edge_between(units_2020, BORDER_WEST_END, BORDER_EAST_END)
    if line is None:
        return border
    plan = units_2020[units_2020["code"].isin(PLAN_CODES)]
    kinds = set(plan["accuracy"].astype(str))
    accuracy = kinds.pop() if len(kinds) == 1 else "approximate"
    sources = "; ".join(dict.fromkeys(str(s) for s in plan["source"] if str(s).strip()))
    source = "Vẽ theo cạnh ngoài phía bắc của các xã biên giới" + (f" ({sources})" if sources else "")
    return gpd.GeoDataFrame(
        [{"name": BORDER_NAME, "accuracy": accuracy, "source": source, "geometry": line}],
        geometry="geometry",
        crs=units_2020.crs,
    )


def outer_edge_between(
    units_2020: gpd.GeoDataFrame, west: tuple[float, float], east: tuple[float, float]
) -> LineString | None:
    """The district's outer ring from the point nearest ``west`` to the one nearest ``east``, clockwise.

    Clockwise from a point on the western side runs north first: the northern edge.
    """
    outline = shapely.union_all(list(units_2020.geometry))
    parts = sorted(shapely.get_parts(outline), key=lambda p: -p.area)
    if not parts or parts[0].geom_type != "Polygon":
        return None
    ring = LineString(shapely.orient_polygons(parts[0], exterior_cw=True).exterior.coords)
    a, b = ring.project(Point(west)), ring.project(Point(east))
    if math.isclose(a, b):
        return None
    if a < b:
        return substring(ring, a, b)
    head = substring(ring, a, ring.length)
    tail = substring(ring, 0.0, b)
    return LineString([*head.coords, *list(tail.coords)[1:]])


# --- works and their communes --------------------------------------------------------------------------------


def communes_at(geom: BaseGeometry, units_2020: gpd.GeoDataFrame) -> list[str]:
    """The communes a position lies in (all a line or area crosses), else the nearest one.

    The one rule for "the commune from the position": imports fill an empty
    commune cell with it, :func:`reassign_communes` moves works with it.
    """
    hits = [c for c, g in zip(units_2020["code"], units_2020.geometry, strict=True) if g.intersects(geom)]
    if hits:
        return sorted(hits)
    d = [(g.distance(geom), c) for c, g in zip(units_2020["code"], units_2020.geometry, strict=True)]
    return [min(d)[1]] if d else []


OUTSIDE_COLUMNS = (
    "layer",
    "id",
    "name",
    "commune_code",
    "commune_name",
    "distance_m",
    "found_code",
    "found_name",
)


def features_outside_communes(
    layers: Mapping[str, gpd.GeoDataFrame], units_2020: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Works and layer features now more than :data:`OUTSIDE_COMMUNE_M` from their commune.

    A feature's position is the point itself, or a point on the line / inside
    the area (``representative_point``). Returns one row per feature outside
    its commune(s): ``layer, id, name, commune_code, commune_name`` (as
    recorded), ``distance_m`` (from the position to the nearest of its
    communes), ``found_code, found_name`` (the commune the position is in, or
    empty when it is outside the district).
    """
    rows: list[dict[str, object]] = []
    if units_2020.empty:
        return pd.DataFrame(columns=list(OUTSIDE_COLUMNS))
    metric_units = units_2020.to_crs(METRIC)
    codes_all = [str(c) for c in metric_units["code"]]
    column = {c: i for i, c in enumerate(codes_all)}
    unit_geoms = metric_units.geometry.to_numpy()
    shapely.prepare(unit_geoms)
    for key, frame in layers.items():
        if frame.empty:
            continue
        geoms = frame.geometry.to_crs(METRIC).to_numpy()
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        points = np.where(shapely.get_type_id(geoms) == 0, geoms, shapely.point_on_surface(geoms))
        inside = shapely.intersects(unit_geoms[None, :], points[:, None])  # prepared: fast
        ids, names = frame["id"].astype(str).tolist(), frame["name"].astype(str).tolist()
        for i, recorded in enumerate(frame["commune_code"].tolist()):
            own = [c for c in str(recorded or "").split(";") if c in column]
            if not present[i] or not own or any(inside[i, column[c]] for c in own):
                continue
            distance = float(min(shapely.distance(unit_geoms[column[c]], points[i]) for c in own))
            if distance <= OUTSIDE_COMMUNE_M:
                continue
            found = [c for c in codes_all if inside[i, column[c]]]
            rows.append(
                {
                    "layer": key,
                    "id": ids[i],
                    "name": names[i],
                    "commune_code": ";".join(own),
                    "commune_name": "; ".join(get_unit(c).name for c in own),
                    "distance_m": round(distance),
                    "found_code": ";".join(found),
                    "found_name": "; ".join(get_unit(c).name for c in found),
                }
            )
    return pd.DataFrame(rows, columns=list(OUTSIDE_COLUMNS))


def outside_note(row: Mapping[str, object]) -> str:
    """How the screen says a work is outside its commune: 'nằm ngoài xã …' (plain text)."""
    communes = str(row["commune_name"]).replace("; ", ", ")
    found = str(row.get("found_name") or "").replace("; ", ", ")
    where = f"; vị trí thuộc {found}" if found else "; vị trí ở ngoài huyện Tân Hồng"
    distance = format_number(round(float(str(row["distance_m"]))))
    return f"nằm ngoài {communes} khoảng {distance} m{where}"


def outside_problems(outside: pd.DataFrame, files: Mapping[str, str]) -> list[Problem]:
    """The works outside their commune as warnings for ``validate`` (names, not codes)."""
    return [
        Problem(
            files.get(str(r["layer"]), str(r["layer"])),
            f"{r['name']} ({r['id']}) {outside_note(r)}",
            severity="warning",
        )
        for r in outside.to_dict("records")
    ]


def reassign_communes(
    frame: gpd.GeoDataFrame, units_2020: gpd.GeoDataFrame, ids: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """A copy of a layer with the commune of the given works taken from their position.

    ``ids`` are the works to move (default: every one outside its commune);
    the others keep theirs. Uses :func:`communes_at`, the rule imports use.
    Nothing is written: the caller saves the result (or keeps the old one).
    """
    out = frame.copy()
    if out.empty:
        return out
    if ids is None:
        outside = features_outside_communes({"_": frame}, units_2020)
        wanted = set(outside["id"])
    else:
        wanted = {str(i) for i in ids}
    units_wgs = units_2020.to_crs(frame.crs) if frame.crs is not None else units_2020
    for i in out.index[out["id"].astype(str).isin(wanted)]:
        codes = communes_at(out.at[i, "geometry"], units_wgs)
        out.at[i, "commune_code"] = ";".join(codes)
        out.at[i, "commune_name"] = "; ".join(get_unit(c).name for c in codes)
    return out
