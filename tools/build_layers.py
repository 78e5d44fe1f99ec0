"""Build the map layers and the illustrative project list in ``data/projects/``.

The plan (Kế hoạch phát triển KT-XH 03 xã biên giới huyện Tân Hồng 2020–2025, mục III)
names kinds of places — residential clusters along the border, roads to the border joining
the patrol road, waterways, canals to dredge, water stations, schools, health stations,
the Dinh Bà international gate with its industrial park and urban area, the secondary gates
of Bình Phú (with its livestock market) and Thông Bình, Bàu Dong, Gò Côn Ét, third-crop
rice fields — but gives no list of works and no coordinates. So almost everything written
here is ILLUSTRATIVE: invented to show what the map does, flagged ``illustrative: true``
with a source that says so, to be replaced by the district's real list.

The few facts the project holds (see ``shared/plan/DOMAIN.md``) are kept apart and flagged
``illustrative: false``: the Dinh Bà gate (in Tân Hộ Cơ, on its border stretch), the Bình
Phú secondary gate and its livestock market, the Thông Bình secondary gate (QĐ 1114/QĐ-UBND
of 21/9/2017), marker pair 232 at Dinh Bà, the Dinh Bà industrial park and urban area,
Bàu Dong and Gò Côn Ét, and Quốc lộ 30 from Sa Rài to Dinh Bà. Their POSITIONS are still
computed here, so they are ``approximate`` (or ``schematic`` where the place is unknown)
and their descriptions say so. Nothing is ``surveyed``.

Every position is computed at run time from ``data/boundaries/units_2020.geojson`` and
``data/boundaries/border.geojson`` (which may be regenerated): in UTM 48N metres
(EPSG:32648), places are sampled inside the commune polygons with a minimum spacing,
"near the border" means a band measured from the border line, and the patrol road is the
line 550 m inside the border (the edge of the border's buffer, clipped to the three plan
communes). The pseudo-random choices come from one NumPy generator with a fixed seed, so
the output is the same on every run. Before writing, every feature is checked against its
commune and every file is read back with the library's validator.

Run from the repository root: ``python tools/build_layers.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, nearest_points, substring, unary_union

REPO_ROOT = Path(__file__).resolve().parents[1]
UNITS_GEOJSON = REPO_ROOT / "data" / "boundaries" / "units_2020.geojson"
BORDER_GEOJSON = REPO_ROOT / "data" / "boundaries" / "border.geojson"
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "projects"

METRIC_CRS = "EPSG:32648"  # WGS 84 / UTM zone 48N
SEED = 20210929  # fixes every pseudo-random choice
DECIMALS = 6  # output precision in degrees (about 0.1 m)

THC, TB, BP, SR = "29929", "29932", "29935", "29926"
PLAN_CODES = (BP, THC, TB)  # west to east along the border
COMMUNE = {THC: "Tân Hộ Cơ", TB: "Thông Bình", BP: "Bình Phú", SR: "Sa Rài"}

#: Distances from the border line, metres.
PATROL_M = 550.0  # the patrol road (300–800 m inside Việt Nam)
GATE_INSIDE_M = 20.0  # gates sit this far inside the border line
RES_LINE_M = 1000.0  # tuyến dân cư ven biên giới
CLUSTER_BAND = (1300.0, 2100.0)  # cụm dân cư ven biên giới: centres in this band
CANAL_M = 2600.0  # the canal along the border (giao thông thủy)
DINH_BA_LON = 105.44  # the Dinh Bà gate: nearest point of Tân Hộ Cơ's stretch to this meridian
DINH_BA_RANGE = (105.40, 105.46)
TB_GATE_HINT = (105.4972, 10.9502)  # lon, lat: a corner of the Thông Bình gate zone (low precision)

ILLUSTRATIVE_SOURCE = (
    "MINH HỌA — dữ liệu giả định do BorderPlan Geo tạo để trình diễn, không phải báo cáo; "
    "cần thay bằng danh mục thật"
)
PLAN_REF = (
    "Kế hoạch phát triển kinh tế - xã hội 03 xã biên giới giai đoạn 2020 - 2025 "
    "(Ban Chấp hành Đảng bộ huyện Tân Hồng, 2021)"
)
POSITION_SCHEMATIC = "Vị trí do BorderPlan Geo đặt dạng sơ đồ, chưa tìm được tọa độ thật."

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


class BuildError(RuntimeError):
    """The construction did not meet one of its own checks."""


# --------------------------------------------------------------------------- geometry helpers


def to_metric(geom: Any) -> Any:
    """WGS84 lon/lat geometry to UTM 48N metres."""

    def f(c: np.ndarray) -> np.ndarray:
        return np.column_stack(_TO_METRIC.transform(c[:, 0], c[:, 1]))

    return shapely.transform(geom, f)


def to_lonlat(geom: Any) -> Any:
    """UTM 48N metres to WGS84 lon/lat, rounded to :data:`DECIMALS`."""

    def f(c: np.ndarray) -> np.ndarray:
        return np.round(np.column_stack(_TO_LONLAT.transform(c[:, 0], c[:, 1])), DECIMALS)

    return shapely.transform(geom, f)


def longest(geom: BaseGeometry) -> LineString:
    """The longest single line of a (multi)line result, merged first."""
    if geom.is_empty:
        raise BuildError("empty line")
    if geom.geom_type == "GeometryCollection":
        geom = MultiLineString([g for g in geom.geoms if g.geom_type == "LineString"])
    if geom.geom_type == "MultiLineString":
        geom = linemerge(geom)
    if geom.geom_type == "LineString":
        return geom
    return max(geom.geoms, key=lambda g: g.length)


def west_to_east(line: LineString) -> LineString:
    """The line oriented from west to east."""
    return line if line.coords[0][0] <= line.coords[-1][0] else line.reverse()


def rounded_rect(centre: Point, width: float, height: float, angle: float) -> Polygon:
    """A rectangle with rounded corners: ``width`` along ``angle`` (radians), ``height`` across."""
    r = 0.18 * min(width, height)
    shape_ = box(-width / 2, -height / 2, width / 2, height / 2).buffer(-r).buffer(r, quad_segs=4)
    shape_ = affinity.rotate(shape_, angle, origin=(0, 0), use_radians=True)
    return affinity.translate(shape_, centre.x, centre.y)


def rect_for_area(centre: Point, area_m2: float, aspect: float, angle: float) -> Polygon:
    """A rounded rectangle of about ``area_m2``, ``aspect`` times longer than wide."""
    height = math.sqrt(area_m2 / aspect / 0.972)  # the rounding takes about 2.8 % off
    return rounded_rect(centre, height * aspect, height, angle)


def grid_points(zone: BaseGeometry, step: float) -> list[Point]:
    """Points of a square grid inside ``zone``."""
    minx, miny, maxx, maxy = zone.bounds
    xs = np.arange(math.floor(minx / step) * step, maxx + step, step)
    ys = np.arange(math.floor(miny / step) * step, maxy + step, step)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(zone, gx, gy)
    return list(shapely.points(gx[inside], gy[inside]))


def share_inside(geom: BaseGeometry, area: BaseGeometry) -> float:
    """Share of a line's length or a polygon's area inside ``area`` (1.0 for a point inside)."""
    if geom.geom_type == "Point":
        return 1.0 if area.distance(geom) <= 1.0 else 0.0
    if geom.geom_type in ("LineString", "MultiLineString"):
        return geom.intersection(area).length / geom.length
    return geom.intersection(area).area / geom.area


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """The district in metres: communes, the border line and what has been placed."""

    units: dict[str, Polygon]
    border: LineString
    rng: np.random.Generator
    taken: list[Point] = field(default_factory=list)  # points placed so far (spacing)
    blocked: list[BaseGeometry] = field(default_factory=list)  # areas points stay out of
    _cache: dict[tuple[str, float], BaseGeometry] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, units_path: Path, border_path: Path, seed: int = SEED) -> World:
        units_fc = json.loads(units_path.read_text(encoding="utf-8"))
        border_fc = json.loads(border_path.read_text(encoding="utf-8"))
        units: dict[str, Polygon] = {}
        for feat in units_fc["features"]:
            geom = to_metric(shape(feat["geometry"]))
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            units[str(feat["properties"]["code"])] = geom
        missing = [c for c in (*PLAN_CODES, SR) if c not in units]
        if missing:
            raise BuildError(f"{units_path}: missing units {missing}")
        lines = [to_metric(shape(f["geometry"])) for f in border_fc["features"]]
        border = west_to_east(longest(unary_union(lines)))
        return cls(units, border, np.random.default_rng(seed))

    # ----- areas

    def district(self) -> BaseGeometry:
        return unary_union(list(self.units.values()))

    def plan_area(self) -> BaseGeometry:
        """The three plan communes as one area (slivers between them closed)."""
        return unary_union([self.units[c] for c in PLAN_CODES]).buffer(5.0).buffer(-5.0)

    def inner(self, code: str, margin: float) -> BaseGeometry:
        """The commune shrunk by ``margin`` metres."""
        key = (code, margin)
        if key not in self._cache:
            self._cache[key] = self.units[code].buffer(-margin)
        return self._cache[key]

    def near_border(self, dist: float) -> BaseGeometry:
        """Everything within ``dist`` metres of the border line."""
        key = ("border", dist)
        if key not in self._cache:
            self._cache[key] = self.border.buffer(dist, quad_segs=16)
        return self._cache[key]

    def band(self, code: str, dmin: float, dmax: float, margin: float = 100.0) -> BaseGeometry:
        """The part of a commune between ``dmin`` and ``dmax`` metres from the border."""
        near = self.near_border(dmax).difference(self.near_border(dmin))
        return self.inner(code, margin).intersection(near)

    def stretch(self, code: str) -> LineString:
        """A commune's stretch of the border line."""
        return longest(self.border.intersection(self.units[code].buffer(5.0)))

    def contour(self, dist: float, area: BaseGeometry) -> LineString:
        """The longest piece of the line ``dist`` metres inside the border, within ``area``."""
        ring = self.border.buffer(dist, quad_segs=32).exterior
        return west_to_east(longest(ring.intersection(area))).simplify(10.0)

    # ----- where things are

    def commune_of(self, p: Point) -> str | None:
        for code, poly in self.units.items():
            if poly.covers(p):
                return code
        return None

    def codes_for(self, geom: BaseGeometry, min_share: float = 0.03) -> str:
        """``commune_code`` of a geometry: the commune holding a point, or every commune with a share."""
        if geom.geom_type == "Point":
            code = self.commune_of(geom)
            if code is None:
                best = min(self.units, key=lambda c: self.units[c].distance(geom))
                if self.units[best].distance(geom) > 60:
                    raise BuildError(f"point {geom} outside every commune")
                code = best
            return code
        shares = {c: share_inside(geom, poly) for c, poly in self.units.items()}
        codes = [c for c in sorted(shares, key=lambda c: -shares[c]) if shares[c] >= min_share]
        if not codes:
            raise BuildError("geometry outside every commune")
        return ";".join(codes)

    def frame(self, s: float, half: float = 1500.0) -> tuple[np.ndarray, np.ndarray]:
        """Unit tangent (west → east) and inward normal (into Việt Nam) of the border at ``s``."""
        a = self.border.interpolate(max(0.0, s - half))
        b = self.border.interpolate(min(self.border.length, s + half))
        t = np.array([b.x - a.x, b.y - a.y])
        t /= np.hypot(*t)
        n = np.array([t[1], -t[0]])  # clockwise: south of a west → east line
        return t, n

    def angle_at(self, p: Point) -> float:
        """Direction (radians) of the border near ``p``."""
        t, _ = self.frame(self.border.project(p))
        return math.atan2(t[1], t[0])

    def offset(self, p: Point, along: float, inward: float) -> Point:
        """``p`` moved along and across the border's local frame."""
        t, n = self.frame(self.border.project(p))
        return Point(p.x + along * t[0] + inward * n[0], p.y + along * t[1] + inward * n[1])

    def inside_near(self, code: str, p: Point, margin: float) -> Point:
        """The point of the commune shrunk by ``margin`` nearest to ``p`` (``p`` itself if inside)."""
        zone = self.inner(code, margin)
        if zone.contains(p):
            return p
        return nearest_points(zone, p)[0]

    def pick(
        self,
        zone: BaseGeometry,
        gap: float,
        *,
        avoid: Iterable[BaseGeometry] = (),
        tries: int = 600,
        register: bool = True,
    ) -> Point:
        """A pseudo-random point of ``zone`` at least ``gap`` metres from the points placed so far.

        Points stay out of the blocked areas and of ``avoid``. When no candidate keeps the gap,
        the candidate farthest from the others is taken.
        """
        blocked = [*self.blocked, *avoid]
        if blocked:
            zone = zone.difference(unary_union(blocked))
        arr = shapely.get_coordinates(self.candidates(zone, tries))
        if self.taken:
            placed = np.array([[p.x, p.y] for p in self.taken])
            dmin = np.min(
                np.hypot(arr[:, None, 0] - placed[None, :, 0], arr[:, None, 1] - placed[None, :, 1]), axis=1
            )
        else:
            dmin = np.full(len(arr), np.inf)
        ok_idx = np.flatnonzero(dmin >= gap)
        i = int(ok_idx[0]) if len(ok_idx) else int(np.argmax(dmin))
        p = Point(arr[i])
        if register:
            self.taken.append(p)
        return p

    def candidates(self, zone: BaseGeometry, count: int) -> list[Point]:
        """``count`` pseudo-random points of ``zone`` (uniform over its area)."""
        if zone.is_empty or zone.area < 1.0:
            raise BuildError("nowhere left to place a point")
        minx, miny, maxx, maxy = zone.bounds
        xs_all: list[np.ndarray] = []
        ys_all: list[np.ndarray] = []
        found = 0
        for _ in range(200):
            xs = self.rng.uniform(minx, maxx, 2000)
            ys = self.rng.uniform(miny, maxy, 2000)
            ok = shapely.contains_xy(zone, xs, ys)
            xs_all.append(xs[ok])
            ys_all.append(ys[ok])
            found += int(ok.sum())
            if found >= count:
                break
        if not found:
            raise BuildError("no candidate point found")
        return list(shapely.points(np.concatenate(xs_all)[:count], np.concatenate(ys_all)[:count]))

    def fit_polygon(
        self,
        container: BaseGeometry,
        target: Point,
        area_m2: float,
        aspect: float,
        angle: float,
        *,
        avoid: Iterable[BaseGeometry] = (),
        step: float = 100.0,
        extra: Callable[[Polygon], bool] | None = None,
    ) -> Polygon:
        """A rounded rectangle of about ``area_m2`` inside ``container``, as near ``target`` as fits."""
        obstacles = unary_union(list(avoid)) if avoid else None
        if obstacles is not None:
            shapely.prepare(obstacles)
        shapely.prepare(container)
        grid = grid_points(container, step)
        xy = shapely.get_coordinates(grid)
        order = np.lexsort((xy[:, 1], xy[:, 0], np.hypot(xy[:, 0] - target.x, xy[:, 1] - target.y)))
        cands = [grid[i] for i in order]
        for scale in (1.0, 0.85, 0.7):
            for c in cands:
                for a in (angle, angle + math.pi / 2):
                    poly = rect_for_area(c, area_m2 * scale, aspect, a)
                    if not container.contains(poly):
                        continue
                    if obstacles is not None and poly.intersects(obstacles):
                        continue
                    if extra is not None and not extra(poly):
                        continue
                    return poly
        raise BuildError(f"no room for a polygon of {area_m2 / 1e4:.0f} ha")


# --------------------------------------------------------------------------- features


@dataclass
class Feature:
    """One feature before it is written: metric geometry and properties."""

    geom: BaseGeometry
    props: dict[str, Any]


def layer_props(
    fid: str,
    name: str,
    kind: str,
    code: str,
    *,
    description: str,
    accuracy: str = "schematic",
    source: str = ILLUSTRATIVE_SOURCE,
    illustrative: bool = True,
    sensitive: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": fid,
        "name": name,
        "kind": kind,
        "commune_code": code,
        "source": source,
        "accuracy": accuracy,
        "illustrative": illustrative,
        "sensitive": sensitive,
        "description": description,
    }
    props.update({k: v for k, v in extra.items() if v is not None})
    return props


def vn(value: float, decimals: int = 1) -> str:
    """A number in Vietnamese format (decimal comma)."""
    return f"{value:.{decimals}f}".replace(".", ",")


def tỷ(value: float) -> int:
    """Billions of VND to VND, rounded to 10 million."""
    return round(value * 100) * 10_000_000


@dataclass
class Built:
    """Everything built, by layer, plus named anchors the projects reuse."""

    layers: dict[str, list[Feature]] = field(default_factory=dict)
    anchors: dict[str, BaseGeometry] = field(default_factory=dict)

    def add(self, layer: str, geom: BaseGeometry, props: dict[str, Any], anchor: str | None = None) -> None:
        self.layers.setdefault(layer, []).append(Feature(geom, props))
        if anchor:
            if anchor in self.anchors:
                raise BuildError(f"anchor {anchor} twice")
            self.anchors[anchor] = geom


# ----- border gates and markers


def build_gates(w: World, out: Built) -> None:
    """Dinh Bà (on Tân Hộ Cơ's stretch nearest 105.44 E), the two secondary gates, marker 232."""
    # Dinh Bà: the point of Tân Hộ Cơ's stretch nearest to the meridian 105.44 E.
    stretch_ll = to_lonlat(w.stretch(THC))
    meridian = LineString([(DINH_BA_LON, 10.0), (DINH_BA_LON, 12.0)])
    hit = stretch_ll.intersection(meridian)
    if hit.is_empty:
        coords = np.array(stretch_ll.coords)
        on_line = Point(coords[int(np.argmin(np.abs(coords[:, 0] - DINH_BA_LON)))])
    else:
        pts = [hit] if hit.geom_type == "Point" else list(hit.geoms)
        on_line = min(pts, key=lambda p: stretch_ll.project(p))  # the first crossing, west to east
    on_line_m = w.border.interpolate(w.border.project(to_metric(on_line)))
    dinh_ba = w.inside_near(THC, on_line_m, GATE_INSIDE_M)
    lon = to_lonlat(dinh_ba).x
    if not DINH_BA_RANGE[0] <= lon <= DINH_BA_RANGE[1]:
        raise BuildError(f"Dinh Bà gate at {lon:.4f} E, outside {DINH_BA_RANGE}")
    out.add(
        "border_gates",
        dinh_ba,
        layer_props(
            "CK-01",
            "Cửa khẩu quốc tế Dinh Bà",
            "international",
            THC,
            accuracy="approximate",
            illustrative=False,
            source=(
                f"{PLAN_REF}, mục II (1) và III.1 nêu cửa khẩu quốc tế Dinh Bà; dữ kiện của dự án: cửa khẩu "
                "thuộc xã Tân Hộ Cơ, trên đoạn biên giới của xã (kinh độ 105,40–105,46), đối diện "
                "Banteay Chakrey (Prey Veng, Campuchia)"
            ),
            description=(
                "Cửa khẩu quốc tế đối diện Banteay Chakrey (Prey Veng). Vị trí GẦN ĐÚNG: chưa tìm được "
                "tọa độ thật; BorderPlan Geo đặt điểm trên đoạn biên giới (gần đúng) của xã Tân Hộ Cơ "
                "gần kinh tuyến 105,44 Đ."
            ),
        ),
        anchor="gate:dinh_ba",
    )
    # Marker pair 232 at Dinh Bà: on the border line, 150 m west of the gate.
    s_gate = w.border.project(on_line_m)
    marker = w.border.interpolate(max(0.0, s_gate - 150.0))
    out.add(
        "border_gates",
        marker,
        layer_props(
            "CK-04",
            "Cột mốc 232 (cặp mốc 232, khu vực Dinh Bà)",
            "marker",
            THC,
            accuracy="approximate",
            illustrative=False,
            source="Dữ kiện của dự án: cặp mốc 232 ở khu vực cửa khẩu Dinh Bà",
            description=(
                "Cặp mốc 232 ở khu vực Dinh Bà. Vị trí GẦN ĐÚNG: đặt trên đường biên giới vẽ gần đúng, "
                "cạnh điểm cửa khẩu Dinh Bà; không phải tọa độ mốc."
            ),
        ),
        anchor="marker:232",
    )
    # Bình Phú: the middle of its stretch (where on the stretch is not known).
    bp_stretch = w.stretch(BP)
    bp_gate = w.inside_near(BP, bp_stretch.interpolate(0.5, normalized=True), GATE_INSIDE_M)
    out.add(
        "border_gates",
        bp_gate,
        layer_props(
            "CK-02",
            "Cửa khẩu phụ Bình Phú",
            "secondary",
            BP,
            illustrative=False,
            source=f"{PLAN_REF}, mục III.1 (chợ gia súc khu vực cửa khẩu phụ Bình Phú)",
            description=(
                "Cửa khẩu phụ có chợ gia súc. Vị trí SƠ ĐỒ: chưa biết điểm thật trên đoạn biên giới của xã "
                "Bình Phú; BorderPlan Geo đặt ở giữa đoạn biên giới (gần đúng) của xã."
            ),
        ),
        anchor="gate:binh_phu",
    )
    # Thông Bình: snap the low-precision corner of its zone to the border, within its stretch.
    hint = to_metric(Point(TB_GATE_HINT))
    on_border = w.border.interpolate(w.border.project(hint))
    tb_stretch = w.stretch(TB)
    if tb_stretch.distance(on_border) > 5.0:
        on_border = tb_stretch.interpolate(tb_stretch.project(hint))
    tb_gate = w.inside_near(TB, on_border, GATE_INSIDE_M)
    out.add(
        "border_gates",
        tb_gate,
        layer_props(
            "CK-03",
            "Cửa khẩu phụ Thông Bình",
            "secondary",
            TB,
            accuracy="approximate",
            illustrative=False,
            source=(
                "Quyết định 1114/QĐ-UBND ngày 21/9/2017 về cửa khẩu phụ Thông Bình; một góc khu vực cửa khẩu "
                "gần 10,9502 B, 105,4972 Đ (độ chính xác thấp) — dữ kiện của dự án; Kế hoạch mục III.1 nêu chung các cửa khẩu phụ"
            ),
            description=(
                "Vị trí GẦN ĐÚNG: điểm gần 10,9502 B, 105,4972 Đ (độ chính xác thấp) chiếu lên đoạn biên "
                "giới (gần đúng) của xã Thông Bình."
            ),
        ),
        anchor="gate:thong_binh",
    )
    w.taken.extend([dinh_ba, bp_gate, tb_gate, marker])


# ----- roads


def build_patrol_road(w: World, out: Built) -> None:
    area = w.plan_area().buffer(-60.0)
    road = w.contour(PATROL_M, area)
    if road.intersects(w.border):
        raise BuildError("the patrol road crosses the border")
    out.add(
        "roads",
        road,
        layer_props(
            "DG-01",
            "Đường tuần tra biên giới (đoạn 03 xã biên giới)",
            "patrol_road",
            w.codes_for(road),
            sensitive=False,
            description=(
                f"Đường tuần tra vẽ dạng sơ đồ, song song đường biên giới, cách khoảng {PATROL_M:.0f} m "
                "về phía Việt Nam; không theo tuyến thật."
            ),
            length_km=round(road.length / 1000, 2),
        ),
        anchor="road:patrol",
    )


def commune_centre(w: World, code: str) -> Point:
    """A schematic commune centre: the polygon's centroid, pulled 400 m inside if needed."""
    return w.inside_near(code, w.units[code].centroid, 400.0)


def build_main_road(w: World, out: Built) -> None:
    """Quốc lộ 30, Sa Rài → Dinh Bà, as a three-point schematic."""
    start = w.inside_near(SR, w.units[SR].centroid, 150.0)
    entry = nearest_points(w.inner(THC, 150.0), start)[0]
    gate = out.anchors["gate:dinh_ba"]
    road = LineString([start, entry, gate])
    out.add(
        "roads",
        road,
        layer_props(
            "DG-02",
            "Quốc lộ 30 (Sa Rài – cửa khẩu quốc tế Dinh Bà)",
            "main_road",
            w.codes_for(road),
            illustrative=False,
            source=(
                "Hiểu biết phổ thông: Quốc lộ 30 đi từ thị trấn Sa Rài tới cửa khẩu quốc tế Dinh Bà; "
                "BorderPlan Geo vẽ dạng sơ đồ, không theo tuyến thật"
            ),
            description=(
                "Sơ đồ: nối trung tâm thị trấn Sa Rài với điểm cửa khẩu Dinh Bà (vị trí gần đúng) bằng "
                "đường gấp khúc, KHÔNG theo hướng tuyến thật của Quốc lộ 30."
            ),
            length_km=round(road.length / 1000, 2),
        ),
        anchor="road:ql30",
    )


def build_border_roads(w: World, out: Built, centres: dict[str, Point]) -> None:
    """4–6 roads from inside the communes north to the patrol road."""
    patrol = out.anchors["road:patrol"]
    ql30 = out.anchors["road:ql30"]
    plan = ((BP, 2), (THC, 2), (TB, 1))
    made: list[LineString] = []
    starts: list[Point] = []
    n = 0
    for code, count in plan:
        own = patrol.intersection(w.units[code].buffer(-150.0))
        if own.is_empty:
            raise BuildError(f"the patrol road misses {code}")
        inner = w.inner(code, 40.0)
        zone = w.band(code, 2500.0, 6500.0, margin=300.0)
        cands: list[Point] = [centres[code], *w.candidates(zone, 60)]
        k = 0
        for start in cands:
            if k == count:
                break
            if any(start.distance(s) < 2200.0 for s in starts):
                continue
            end = nearest_points(own, start)[0]
            line = LineString([start, end])
            if not 600.0 <= patrol.project(end) <= patrol.length - 600.0:
                continue  # not at the very ends of the patrol road
            if not 1500.0 <= line.length <= 6500.0:
                continue
            if end.y < start.y:  # must run north (towards the border)
                continue
            _, normal = w.frame(w.border.project(end))
            if (start.x - end.x) * normal[0] + (start.y - end.y) * normal[1] < 0.75 * line.length:
                continue  # at most about 40° off the perpendicular to the border
            if share_inside(line, inner) < 0.98 or share_inside(line, w.inner(code, 400.0)) < 0.8:
                continue
            if any(line.distance(m) < 600.0 for m in made):
                continue
            # the road from the commune centre may branch off Quốc lộ 30 and serve the zones;
            # the others keep off Quốc lộ 30, the industrial park and the fields
            if start is not centres[code] and (
                line.crosses(ql30) or any(line.intersects(b) for b in w.blocked)
            ):
                continue
            n += 1
            k += 1
            made.append(line)
            starts.append(start)
            out.add(
                "roads",
                line,
                layer_props(
                    f"DG-{2 + n:02d}",
                    f"Đường ra biên giới xã {COMMUNE[code]}, tuyến {k} (nối đường tuần tra biên giới)",
                    "border_road",
                    w.codes_for(line),
                    description=(
                        "Tuyến minh họa từ trong xã ra biên giới, nối với đường tuần tra; vị trí và hướng "
                        "tuyến là giả định."
                    ),
                    length_km=round(line.length / 1000, 2),
                ),
                anchor=f"road:border:{code}:{k}",
            )
        if k < count:
            raise BuildError(f"only {k} border roads fit in {code}")


def build_waterways(w: World, out: Built) -> None:
    """2–3 waterways and 2–3 canals to dredge."""
    area = w.plan_area().buffer(-120.0)
    canal = w.contour(CANAL_M, area)
    add_road(
        w,
        out,
        canal,
        "waterway",
        "Tuyến giao thông thủy kênh dọc biên giới",
        "Kênh minh họa chạy song song biên giới (cách khoảng 2,6 km), kết hợp giao thông thủy bộ.",
        anchor="water:canal",
    )
    n = 1
    roads = [f.geom for f in out.layers["roads"] if f.props["kind"] in ("border_road", "main_road")]
    for code, label in ((TB, "Thông Bình"), (BP, "Bình Phú")):
        line = feeder_canal(w, code, canal, min_len=2500.0, avoid=roads)
        n += 1
        add_road(
            w,
            out,
            line,
            "waterway",
            f"Tuyến giao thông thủy kênh nối ra kênh dọc biên giới, xã {label}",
            "Kênh minh họa nối vùng sản xuất trong xã với kênh dọc biên giới.",
            anchor=f"water:feeder:{code}",
        )
    dredge = feeder_canal(w, THC, canal, min_len=2000.0, avoid=roads)
    add_road(
        w,
        out,
        dredge,
        "canal_dredging",
        "Kênh cần nạo vét, xã Tân Hộ Cơ (kênh nối ra kênh dọc biên giới)",
        "Đoạn kênh minh họa cần nạo vét để kết hợp giao thông thủy bộ và chống hạn (Kế hoạch mục III.2).",
        anchor=f"dredge:{THC}",
    )
    for code, dist in ((BP, 4500.0), (TB, 4000.0)):
        piece = contour_piece(w, code, dist, 2500.0)
        add_road(
            w,
            out,
            piece,
            "canal_dredging",
            f"Kênh cần nạo vét, xã {COMMUNE[code]} (kênh nội đồng)",
            "Đoạn kênh nội đồng minh họa cần nạo vét phục vụ sản xuất lúa và giao thông thủy.",
            anchor=f"dredge:{code}",
        )


def add_road(w: World, out: Built, line: LineString, kind: str, name: str, desc: str, *, anchor: str) -> None:
    prefix = {"waterway": "GT", "canal_dredging": "NV"}[kind]
    count = sum(1 for f in out.layers.get("roads", []) if f.props["kind"] == kind)
    out.add(
        "roads",
        line,
        layer_props(
            f"{prefix}-{count + 1:02d}",
            name,
            kind,
            w.codes_for(line),
            description=desc,
            length_km=round(line.length / 1000, 2),
        ),
        anchor=anchor,
    )


def feeder_canal(
    w: World, code: str, canal: LineString, *, min_len: float, avoid: Sequence[BaseGeometry] = ()
) -> LineString:
    """A straight canal from the commune's far side north to ``canal``, inside the commune."""
    own = canal.intersection(w.units[code].buffer(-200.0))
    if own.is_empty:  # the canal misses this commune (odd boundaries): aim at the same contour here
        own = w.contour(CANAL_M, w.inner(code, 200.0))
    inner = w.inner(code, 60.0)
    far = w.inner(code, 300.0).difference(w.near_border(CANAL_M + min_len))
    if far.is_empty:
        raise BuildError(f"no room for a feeder canal in {code}")
    # from the points farthest from the border, the first whose line fits
    pts = sorted(grid_points(far, 150.0), key=lambda p: (-w.border.distance(p), p.x))
    for start in pts:
        end = nearest_points(own, start)[0]
        line = LineString([start, end])
        if line.length < min_len or line.length > 6000.0:
            continue
        if share_inside(line, inner) < 0.99:
            continue
        if any(line.distance(a) < 400.0 for a in avoid):
            continue
        if any(line.intersects(z) for z in w.blocked[:2]):  # the Dinh Bà trade zone and industrial park
            continue
        if any(line.distance(p) < 150.0 for p in w.taken):
            continue
        return line
    raise BuildError(f"no feeder canal fits in {code}")


def contour_piece(w: World, code: str, dist: float, length: float) -> LineString:
    """``length`` metres of the line ``dist`` metres inside the border, in the middle of a commune."""
    area = w.inner(code, 150.0)
    for d in (dist, dist - 500.0, dist + 500.0, dist - 1000.0):
        try:
            line = w.contour(d, area)
        except BuildError:
            continue
        if line.length >= length:
            mid = line.length / 2
            return substring(line, mid - length / 2, mid + length / 2)
    raise BuildError(f"no contour piece of {length:.0f} m in {code}")


# ----- economic zones


def build_zones(w: World, out: Built, centres: dict[str, Point]) -> None:
    gate = out.anchors["gate:dinh_ba"]
    angle = w.angle_at(gate)
    thc = w.inner(THC, 60.0)
    no_border = w.near_border(120.0)
    trade = w.fit_polygon(thc, w.offset(gate, 0.0, 420.0), 18e4, 1.5, angle, avoid=[no_border], step=50.0)
    urban = w.fit_polygon(
        thc,
        w.offset(gate, 0.0, 1900.0),
        220e4,
        1.2,
        angle,
        avoid=[trade.buffer(80.0), w.near_border(400.0)],
    )
    park = w.fit_polygon(
        thc,
        w.offset(gate, -1500.0, 2600.0),
        100e4,
        1.3,
        angle,
        avoid=[urban.buffer(200.0), trade.buffer(200.0), w.near_border(800.0), centres[THC].buffer(600.0)],
    )
    out.add(
        "economic_zones",
        trade,
        layer_props(
            "KKT-03",
            "Khu thương mại – dịch vụ cửa khẩu Dinh Bà",
            "trade_zone",
            w.codes_for(trade),
            description="Khu thương mại – dịch vụ minh họa sát cửa khẩu Dinh Bà; ranh và diện tích là giả định.",
        ),
        anchor="zone:trade",
    )
    out.add(
        "economic_zones",
        urban,
        layer_props(
            "KKT-02",
            "Khu đô thị cửa khẩu Dinh Bà (phấn đấu đạt tiêu chí đô thị loại V)",
            "urban_area",
            w.codes_for(urban),
            illustrative=False,
            source=f"{PLAN_REF}, chỉ tiêu II (1) và mục III.1: khu vực Dinh Bà đạt tiêu chí đô thị loại V",
            description=(
                "Kế hoạch nêu khu vực cửa khẩu Dinh Bà phấn đấu đạt đô thị loại V vào năm 2025. Ranh SƠ ĐỒ: "
                f"chưa có ranh giới thật, vùng vẽ quanh Quốc lộ 30 phía nam cửa khẩu. {POSITION_SCHEMATIC}"
            ),
        ),
        anchor="zone:urban",
    )
    out.add(
        "economic_zones",
        park,
        layer_props(
            "KKT-01",
            "Khu công nghiệp Dinh Bà",
            "industrial_park",
            w.codes_for(park),
            illustrative=False,
            source=f"{PLAN_REF}, mục III.1: kêu gọi nhà đầu tư vào khu công nghiệp Dinh Bà",
            description=(
                f"Kế hoạch nêu khu công nghiệp Dinh Bà. Ranh SƠ ĐỒ (khoảng 100 ha, giả định). {POSITION_SCHEMATIC}"
            ),
        ),
        anchor="zone:park",
    )
    w.blocked.extend([trade, park])
    taken = [trade, urban, park]
    for i, code in enumerate((THC, BP, TB)):
        zone = w.inner(code, 80.0).difference(w.near_border(2300.0))
        target = far_point(w, code)
        area = float(w.rng.uniform(160e4, 300e4))
        rice = w.fit_polygon(
            zone,
            target,
            area,
            1.6,
            w.angle_at(target),
            avoid=[
                *(t.buffer(300.0) for t in taken),
                *(c.buffer(1000.0) for c in centres.values()),
                out.anchors["road:ql30"].buffer(300.0),
            ],
        )
        taken.append(rice)
        w.blocked.append(rice)
        out.add(
            "economic_zones",
            rice,
            layer_props(
                f"KKT-{4 + i:02d}",
                f"Cánh đồng lúa vụ 3 xã {COMMUNE[code]}",
                "rice_zone",
                w.codes_for(rice),
                description=(
                    f"Vùng minh họa khoảng {rice.area / 1e4:.0f} ha; Kế hoạch (mục III.1) yêu cầu quy hoạch lại "
                    "từng vùng thành cánh đồng lúa vụ 3 ở 03 xã, nhưng không nêu vị trí."
                ),
            ),
            anchor=f"zone:rice:{code}",
        )


def far_point(w: World, code: str) -> Point:
    """A point deep inside the commune, away from the border (target for large zones)."""
    inner = w.inner(code, 400.0)
    pts = grid_points(inner, 200.0)
    dists = np.array([w.border.distance(p) for p in pts])
    order = np.argsort(-dists, kind="stable")
    top = [pts[i] for i in order[: max(1, len(pts) // 5)]]
    return Point(np.mean([p.x for p in top]), np.mean([p.y for p in top]))


# ----- residential clusters


def build_clusters(w: World, out: Built, centres: dict[str, Point]) -> None:
    n = 0
    urban = out.anchors["zone:urban"].buffer(250.0)  # clusters stay out of the Dinh Bà urban area
    polys: list[Polygon] = []
    per_commune = {BP: 2, THC: 2, TB: 2}
    for code in PLAN_CODES:
        zone = w.band(code, *CLUSTER_BAND, margin=350.0)
        for k in range(per_commune[code]):
            placed = None
            for _attempt in range(40):
                c = w.pick(zone, 1800.0, register=False, avoid=[urban, *(p.buffer(500.0) for p in polys)])
                area = float(w.rng.uniform(6e4, 18e4))
                poly = rect_for_area(c, area, 2.0, w.angle_at(c))
                if not w.inner(code, 40.0).contains(poly):
                    continue
                if w.border.distance(poly) < 900.0:
                    continue
                if poly.intersects(urban) or any(poly.intersects(b) for b in w.blocked):
                    continue
                placed = poly
                break
            if placed is None:
                raise BuildError(f"no room for a border cluster in {code}")
            w.taken.append(placed.centroid)
            polys.append(placed)
            n += 1
            hh = int(round(placed.area / 1e4 * float(w.rng.uniform(6, 9)) / 5) * 5)
            out.add(
                "residential_clusters",
                placed,
                layer_props(
                    f"CDC-{n:02d}",
                    f"Cụm dân cư biên giới {COMMUNE[code]} số {k + 1}",
                    "cluster",
                    w.codes_for(placed),
                    description=(
                        f"Cụm dân cư ven biên giới minh họa, khoảng {vn(placed.area / 1e4)} ha, cách đường biên "
                        f"khoảng {vn(w.border.distance(placed.centroid) / 1000)} km; vị trí, quy mô là giả định."
                    ),
                    households=hh,
                ),
                anchor=f"cluster:{code}:{k + 1}",
            )
    # tuyến dân cư ven biên giới: a stretch of the line 1 km inside the border
    for code in PLAN_CODES:
        line = w.contour(RES_LINE_M, w.inner(code, 150.0).difference(urban))
        length = float(w.rng.uniform(900.0, 1500.0))
        if line.length < length + 200:
            raise BuildError(f"no room for a residential line in {code}")
        best, best_d = None, -1.0
        for frac in np.linspace(0.15, 0.85, 15):
            mid = frac * line.length
            piece = substring(line, max(0.0, mid - length / 2), min(line.length, mid + length / 2))
            d = min([piece.distance(p) for p in w.taken] + [piece.distance(p) for p in polys] + [1e9])
            if d > best_d:
                best, best_d = piece, d
        assert best is not None
        w.taken.append(best.interpolate(0.5, normalized=True))
        n += 1
        hh = int(round(best.length / 1000 * float(w.rng.uniform(60, 90)) / 5) * 5)
        out.add(
            "residential_clusters",
            best,
            layer_props(
                f"CDC-{n:02d}",
                f"Tuyến dân cư ven biên giới xã {COMMUNE[code]}",
                "line",
                w.codes_for(best),
                description=(
                    f"Tuyến dân cư minh họa dài khoảng {vn(best.length / 1000)} km, song song đường biên, "
                    "cách khoảng 1 km; vị trí là giả định."
                ),
                households=hh,
                length_km=round(best.length / 1000, 2),
            ),
            anchor=f"resline:{code}",
        )
    # one inner cluster per commune (a point), near the commune centre
    for code in PLAN_CODES:
        zone = (
            w.inner(code, 300.0)
            .intersection(centres[code].buffer(3500.0))
            .difference(centres[code].buffer(1500.0))
        )
        zone = zone.difference(w.near_border(2500.0))
        p = w.pick(zone, 1200.0)
        n += 1
        out.add(
            "residential_clusters",
            p,
            layer_props(
                f"CDC-{n:02d}",
                f"Cụm dân cư trung tâm xã {COMMUNE[code]}",
                "cluster",
                w.codes_for(p),
                description="Cụm dân cư minh họa gần trung tâm xã; vị trí, quy mô là giả định.",
                households=int(round(float(w.rng.uniform(50, 150)) / 5) * 5),
            ),
            anchor=f"cluster:{code}:centre",
        )


# ----- points: admin, facilities, water stations, sites


def near_centre(w: World, code: str, centre: Point, rmin: float, rmax: float) -> BaseGeometry:
    return w.inner(code, 150.0).intersection(centre.buffer(rmax)).difference(centre.buffer(rmin))


def build_points(w: World, out: Built, centres: dict[str, Point]) -> None:
    # UBND xã: the commune centres
    for i, code in enumerate((THC, TB, BP)):
        out.add(
            "sites",
            centres[code],
            layer_props(
                f"DD-{i + 1:02d}",
                f"Trụ sở UBND xã {COMMUNE[code]}",
                "admin",
                code,
                description="Trụ sở Ủy ban nhân dân xã; điểm đặt dạng sơ đồ ở giữa xã, không phải địa chỉ thật.",
            ),
            anchor=f"admin:{code}",
        )
    # schools and health stations around the centres
    n = 0
    kinds = (
        ("school", "mamnon", "Trường Mầm non {x}"),
        ("school", "tieuhoc", "Trường Tiểu học {x}"),
        ("school", "thcs", "Trường THCS {x}"),
        ("health", "tramyte", "Trạm y tế xã {x}"),
    )
    for code in (THC, BP, TB):
        zone = near_centre(w, code, centres[code], 250.0, 1500.0)
        for kind, key, name in kinds:
            p = w.pick(zone, 380.0)
            n += 1
            what = "Trường học" if kind == "school" else "Trạm y tế"
            out.add(
                "facilities",
                p,
                layer_props(
                    f"CS-{n:02d}",
                    name.format(x=COMMUNE[code]),
                    kind,
                    w.codes_for(p),
                    description=f"{what} minh họa gần trung tâm xã; điểm đặt là giả định.",
                ),
                anchor=f"fac:{code}:{key}",
            )
    for code in (THC, BP):  # a primary school branch near the border
        zone = w.band(code, 1200.0, 3000.0, margin=200.0)
        p = w.pick(zone, 900.0)
        n += 1
        out.add(
            "facilities",
            p,
            layer_props(
                f"CS-{n:02d}",
                f"Điểm trường tiểu học ven biên giới xã {COMMUNE[code]}",
                "school",
                w.codes_for(p),
                description="Điểm trường lẻ minh họa phục vụ dân các cụm, tuyến ven biên giới; vị trí giả định.",
            ),
            anchor=f"fac:{code}:diemle",
        )
    # water stations: one near each centre, one towards the border (Dinh Bà's in the urban area)
    n = 0
    for code in (THC, BP, TB):
        for where in ("centre", "border"):
            if where == "centre":
                zone = near_centre(w, code, centres[code], 500.0, 2000.0)
                label = f"Trạm cấp nước trung tâm xã {COMMUNE[code]}"
            elif code == THC:
                zone = out.anchors["zone:urban"].buffer(-150.0)
                label = "Trạm cấp nước khu vực cửa khẩu Dinh Bà"
            else:
                zone = w.band(code, 1200.0, 3200.0, margin=200.0)
                label = f"Trạm cấp nước cụm dân cư biên giới xã {COMMUNE[code]}"
            p = w.pick(zone, 700.0)
            n += 1
            cap = int(round(float(w.rng.uniform(300, 1200)) / 50) * 50)
            out.add(
                "water_stations",
                p,
                layer_props(
                    f"TCN-{n:02d}",
                    label,
                    "water_station",
                    w.codes_for(p),
                    description="Trạm cấp nước minh họa; vị trí và công suất là giả định.",
                    capacity_m3_day=cap,
                ),
                anchor=f"water:{code}:{where}",
            )
    # the livestock market at the Bình Phú gate
    gate = out.anchors["gate:binh_phu"]
    market = w.inside_near(BP, w.offset(gate, 0.0, 300.0), 60.0)
    w.taken.append(market)
    add_site(
        w,
        out,
        market,
        "Chợ gia súc khu vực cửa khẩu phụ Bình Phú",
        "market",
        illustrative=False,
        accuracy="schematic",
        source=f"{PLAN_REF}, mục III.1: nâng cấp, bố trí hợp lý việc khai thác chợ gia súc khu vực cửa khẩu phụ Bình Phú",
        description=(
            "Chợ gia súc ở khu vực cửa khẩu phụ Bình Phú (Kế hoạch nêu). Vị trí SƠ ĐỒ: đặt cách điểm cửa khẩu "
            "(cũng chỉ là sơ đồ) khoảng 300 m về phía Việt Nam."
        ),
        anchor="site:market",
    )
    # Bàu Dong, Gò Côn Ét: named by the plan, location unknown
    for name, kind, code in (("Bàu Dong", "tourism", BP), ("Gò Côn Ét", "heritage", TB)):
        zone = w.band(code, 2500.0, 5000.0, margin=400.0)
        p = w.pick(zone, 1500.0)
        add_site(
            w,
            out,
            p,
            f"{name} (khu di tích, điểm du lịch — vị trí chưa xác định)",
            kind,
            code=";".join(PLAN_CODES),
            illustrative=False,
            accuracy="schematic",
            source=f"{PLAN_REF}, mục III.1: củng cố và phát triển khu vực Bàu Dong, Gò Côn Ét",
            description=(
                f"Kế hoạch nêu khu vực {name} trong các di tích, điểm du lịch cần phát triển. CHƯA TÌM ĐƯỢC VỊ "
                "TRÍ, kể cả thuộc xã nào trong 03 xã biên giới: điểm chỉ đặt tạm để lớp bản đồ có dữ liệu."
            ),
            anchor=f"site:{name}",
        )
    # waste treatment: away from the border, the centres and the clusters
    for i, code in enumerate((BP, TB)):
        zone = (
            w.inner(code, 300.0)
            .difference(w.near_border(3000.0))
            .difference(unary_union([centres[code].buffer(1500.0), w.units[SR].buffer(1500.0)]))
        )
        p = w.pick(zone, 1500.0)
        add_site(
            w,
            out,
            p,
            f"Khu xử lý rác xã {COMMUNE[code]}",
            "waste",
            description="Khu xử lý rác minh họa (Kế hoạch mục III.2: thu gom, xử lý rác ở các xã biên giới); vị trí giả định.",
            anchor=f"site:waste:{i + 1}",
        )
    # border posts (sensitive)
    for code, label, along in ((THC, "khu vực cửa khẩu Dinh Bà", -700.0), (TB, "khu vực xã Thông Bình", 0.0)):
        gate = out.anchors["gate:dinh_ba" if code == THC else "gate:thong_binh"]
        target = w.offset(gate, along, 900.0)
        zone = w.band(code, 500.0, 1500.0, margin=150.0).intersection(target.buffer(1500.0))
        p = w.pick(zone, 600.0)
        add_site(
            w,
            out,
            p,
            f"Đồn Biên phòng {label} (minh họa)",
            "border_post",
            sensitive=True,
            description="Điểm minh họa đồn biên phòng; vị trí giả định. Thông tin quốc phòng – an ninh, không công bố.",
            anchor=f"site:post:{code}",
        )


def add_site(
    w: World,
    out: Built,
    p: Point,
    name: str,
    kind: str,
    *,
    description: str,
    anchor: str,
    code: str | None = None,
    **props: Any,
) -> None:
    count = len(out.layers.get("sites", []))
    out.add(
        "sites",
        p,
        layer_props(
            f"DD-{count + 1:02d}", name, kind, code or w.codes_for(p), description=description, **props
        ),
        anchor=anchor,
    )


# --------------------------------------------------------------------------- projects


STATUS_PROGRESS = {
    "completed": (100, 100),
    "under_construction": (15, 90),
    "planned": (0, 10),
    "suspended": (10, 70),
}

NTM = "Chương trình MTQG xây dựng nông thôn mới"
DE_AN = "Vốn đề án 08 xã biên giới"
NS_TINH = "Ngân sách tỉnh"
NS_HUYEN = "Ngân sách huyện"
NS_TW = "Ngân sách trung ương"
XHH = "Xã hội hóa"
GIAM_NGHEO = "Chương trình MTQG giảm nghèo bền vững"
BQLDA = "Ban QLDA đầu tư xây dựng huyện Tân Hồng"
BDBP = "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"


def ubnd(code: str) -> str:
    return f"UBND xã {COMMUNE[code]}"


@dataclass
class Spec:
    """One illustrative project: what it is and where, before figures are drawn."""

    sector: str
    name: str
    geom: BaseGeometry
    status: str
    budget: tuple[float, float]  # billions of VND (range), or per km for lines when per_km
    funding: str
    agency: str
    description: str
    per_km: bool = False
    code: str | None = None


def years_for(rng: np.random.Generator, status: str) -> tuple[int, int]:
    if status == "completed":
        start = int(rng.integers(2019, 2024))
        end = min(2025, start + int(rng.integers(1, 3)))
    elif status == "under_construction":
        start = int(rng.integers(2023, 2026))
        end = max(start + 1, int(rng.integers(2025, 2028)))
    elif status == "planned":
        start = int(rng.integers(2025, 2027))
        end = min(2027, start + int(rng.integers(1, 3)))
    else:  # suspended
        start = int(rng.integers(2020, 2024))
        end = min(2026, start + int(rng.integers(2, 4)))
    return start, max(start, min(end, 2027))


def point_near(
    w: World, anchor: BaseGeometry, code: str, rmin: float, rmax: float, gap: float = 350.0
) -> Point:
    zone = w.inner(code, 120.0).intersection(anchor.buffer(rmax)).difference(anchor.buffer(rmin))
    return w.pick(zone, gap)


def project_specs(w: World, out: Built, centres: dict[str, Point]) -> list[Spec]:
    a = out.anchors
    s: list[Spec] = []
    add = s.append
    # ---- transport (9)
    road_status = {
        f"road:border:{BP}:1": "completed",
        f"road:border:{BP}:2": "under_construction",
        f"road:border:{THC}:1": "completed",
        f"road:border:{THC}:2": "planned",
        f"road:border:{TB}:1": "under_construction",
    }
    for key, status in road_status.items():
        code, k = key.split(":")[2], key.split(":")[3]
        add(
            Spec(
                "transport",
                f"Nâng cấp, mở rộng đường ra biên giới xã {COMMUNE[code]}, tuyến {k} (nối đường tuần tra)",
                a[key],
                status,
                (6.0, 9.0),
                DE_AN if k == "1" else NS_TINH,
                BQLDA if k == "1" else "Sở Giao thông vận tải",
                "Nâng tải trọng tuyến đường từ trong xã ra biên giới, nối với đường tuần tra biên giới.",
                per_km=True,
            )
        )
    link = LineString([centres[THC], centres[TB]])
    add(
        Spec(
            "transport",
            "Đường liên xã Tân Hộ Cơ – Thông Bình",
            link,
            "suspended",
            (6.5, 8.0),
            NS_TINH,
            "Sở Giao thông vận tải",
            "Tuyến minh họa nối trung tâm hai xã, tạm dừng chờ bố trí vốn.",
            per_km=True,
        )
    )
    canal = a["water:canal"]
    for code, status in ((BP, "completed"), (THC, "under_construction")):
        road = a[f"road:border:{code}:1"]
        hit = road.intersection(canal)
        p = hit if hit.geom_type == "Point" else road.interpolate(0.5, normalized=True)
        w.taken.append(p)
        add(
            Spec(
                "transport",
                f"Cầu giao thông qua kênh dọc biên giới trên đường ra biên giới xã {COMMUNE[code]}",
                p,
                status,
                (3.0, 8.0),
                NTM,
                BQLDA,
                "Cầu bê tông minh họa tại chỗ đường ra biên giới cắt kênh dọc biên giới.",
            )
        )
    feeder = a[f"water:feeder:{TB}"]
    jn = feeder.interpolate(feeder.length - 150.0)
    w.taken.append(jn)
    add(
        Spec(
            "transport",
            "Bến thủy nội địa xã Thông Bình (đầu mối kênh dọc biên giới)",
            jn,
            "planned",
            (4.0, 10.0),
            XHH,
            ubnd(TB),
            "Bến hàng hóa, hành khách minh họa kết hợp giao thông thủy bộ (Kế hoạch mục III.1).",
        )
    )
    # ---- water (7)
    water_status = {
        f"water:{THC}:centre": ("completed", "Nâng cấp", (2.0, 5.0)),
        f"water:{THC}:border": ("under_construction", "Xây dựng mới", (8.0, 14.0)),
        f"water:{BP}:centre": ("completed", "Cải tạo, nâng cấp", (2.0, 5.0)),
        f"water:{BP}:border": ("suspended", "Xây dựng mới", (6.0, 10.0)),
        f"water:{TB}:centre": ("under_construction", "Nâng cấp", (2.5, 5.0)),
        f"water:{TB}:border": ("planned", "Xây dựng mới", (6.0, 10.0)),
    }
    water_names = {f.props["id"]: f.props["name"] for f in out.layers["water_stations"]}
    for i, (key, (status, verb, budget)) in enumerate(water_status.items()):
        name = water_names[f"TCN-{i + 1:02d}"]
        add(
            Spec(
                "water",
                f"{verb} {name[0].lower()}{name[1:]}",
                a[key],
                status,
                budget,
                NS_TINH if i % 2 == 0 else NTM,
                "Trung tâm Nước sạch và Vệ sinh môi trường nông thôn tỉnh",
                "Tăng công suất, mở rộng mạng ống để đạt chỉ tiêu 99 % hộ dân dùng nước sạch vào năm 2025.",
            )
        )
    ql30 = list(a["road:ql30"].coords)
    pipe = LineString([ql30[0], ql30[1], a[f"water:{THC}:centre"]])  # along Quốc lộ 30, then to the station
    add(
        Spec(
            "water",
            "Tuyến ống cấp nước từ thị trấn Sa Rài lên trung tâm xã Tân Hộ Cơ (dọc Quốc lộ 30)",
            pipe,
            "completed",
            (1.2, 1.8),
            NS_HUYEN,
            BQLDA,
            "Tuyến ống minh họa đưa nước sạch từ thị trấn theo Quốc lộ 30 lên trạm cấp nước trung tâm xã (sơ đồ).",
            per_km=True,
        )
    )
    # ---- residential clusters (7)
    cl = [
        (f"cluster:{BP}:1", "completed", "Đầu tư hạ tầng cụm dân cư biên giới Bình Phú số 1", NS_TW),
        (f"cluster:{THC}:1", "completed", "Đầu tư hạ tầng cụm dân cư biên giới Tân Hộ Cơ số 1", NS_TW),
        (
            f"cluster:{TB}:1",
            "under_construction",
            "Đầu tư hạ tầng cụm dân cư biên giới Thông Bình số 1",
            DE_AN,
        ),
        (f"cluster:{TB}:centre", "planned", "Đầu tư hạ tầng cụm dân cư trung tâm xã Thông Bình", NS_TINH),
    ]
    for key, status, name, fund in cl:
        geom = a[key]
        add(
            Spec(
                "residential_cluster",
                name,
                geom,
                status,
                (1.2, 2.2) if geom.geom_type == "Polygon" else (8.0, 15.0),
                fund,
                BQLDA,
                "San lấp nền, đường nội bộ, điện, nước cho cụm dân cư để bố trí dân ổn định ven biên giới.",
            )
        )
    for code, status in ((BP, "under_construction"), (THC, "completed")):
        add(
            Spec(
                "residential_cluster",
                f"Hạ tầng tuyến dân cư ven biên giới xã {COMMUNE[code]}",
                a[f"resline:{code}"],
                status,
                (10.0, 15.0),
                DE_AN,
                BQLDA,
                "Nâng nền, đường, điện dọc tuyến dân cư ven biên giới.",
                per_km=True,
            )
        )
    base = a[f"cluster:{THC}:2"]
    ext = expansion(w, base, THC)
    add(
        Spec(
            "residential_cluster",
            "Mở rộng cụm dân cư biên giới Tân Hộ Cơ số 2",
            ext,
            "suspended",
            (1.2, 2.0),
            NS_TINH,
            BQLDA,
            "Phần mở rộng minh họa liền kề cụm số 2, tạm dừng do vướng giải phóng mặt bằng.",
        )
    )
    # ---- border gate (5)
    dinh_ba = a["gate:dinh_ba"]
    add(
        Spec(
            "border_gate",
            "Hạ tầng kỹ thuật khu vực cửa khẩu quốc tế Dinh Bà (nhà kiểm soát liên hợp, sân bãi)",
            dinh_ba,
            "under_construction",
            (80.0, 130.0),
            NS_TW,
            "Ban Quản lý Khu kinh tế tỉnh Đồng Tháp",
            "Công trình minh họa phục vụ phát triển cửa khẩu quốc tế Dinh Bà (Kế hoạch mục III.1).",
        )
    )
    add(
        Spec(
            "border_gate",
            "Hạ tầng khu thương mại – dịch vụ cửa khẩu Dinh Bà (giai đoạn 1)",
            a["zone:trade"],
            "completed",
            (40.0, 70.0),
            NS_TINH,
            "Ban Quản lý Khu kinh tế tỉnh Đồng Tháp",
            "San lấp, đường nội bộ, điện, nước cho khu thương mại – dịch vụ sát cửa khẩu (minh họa).",
        )
    )
    add(
        Spec(
            "border_gate",
            "San lấp mặt bằng, hạ tầng khu công nghiệp Dinh Bà (giai đoạn 1)",
            a["zone:park"],
            "planned",
            (120.0, 150.0),
            XHH,
            "Ban Quản lý Khu kinh tế tỉnh Đồng Tháp",
            "Hạ tầng minh họa để kêu gọi nhà đầu tư vào khu công nghiệp Dinh Bà (Kế hoạch mục III.1).",
        )
    )
    add(
        Spec(
            "border_gate",
            "Nâng cấp hạ tầng cửa khẩu phụ Bình Phú",
            a["gate:binh_phu"],
            "completed",
            (10.0, 25.0),
            NS_TINH,
            BQLDA,
            "Nhà làm việc, bãi đỗ xe minh họa tại cửa khẩu phụ Bình Phú.",
        )
    )
    add(
        Spec(
            "border_gate",
            "Nâng cấp hạ tầng cửa khẩu phụ Thông Bình",
            a["gate:thong_binh"],
            "suspended",
            (8.0, 20.0),
            NS_TINH,
            BQLDA,
            "Nâng cấp minh họa khu vực cửa khẩu phụ Thông Bình, tạm dừng chờ điều chỉnh quy hoạch.",
        )
    )
    # ---- education (6), health (3)
    edu = [
        (THC, "mamnon", "Xây dựng Trường Mầm non Tân Hộ Cơ đạt chuẩn quốc gia", "completed", NTM),
        (
            THC,
            "diemle",
            "Xây thêm phòng học điểm trường tiểu học ven biên giới xã Tân Hộ Cơ",
            "under_construction",
            NS_HUYEN,
        ),
        (BP, "tieuhoc", "Nâng cấp Trường Tiểu học Bình Phú đạt chuẩn quốc gia", "completed", NTM),
        (BP, "thcs", "Xây dựng khối phòng học bộ môn Trường THCS Bình Phú", "planned", NS_HUYEN),
        (TB, "mamnon", "Xây dựng Trường Mầm non Thông Bình", "under_construction", NTM),
        (TB, "thcs", "Nâng cấp Trường THCS Thông Bình đạt chuẩn quốc gia", "completed", NS_TINH),
    ]
    for code, key, name, status, fund in edu:
        add(
            Spec(
                "education",
                name,
                a[f"fac:{code}:{key}"],
                status,
                (6.0, 20.0),
                fund,
                BQLDA,
                "Công trình trường học minh họa theo tiêu chí 5 (Trường học) của bộ tiêu chí nông thôn mới.",
            )
        )
    for code, status in ((THC, "completed"), (BP, "under_construction"), (TB, "under_construction")):
        add(
            Spec(
                "health",
                f"Nâng cấp Trạm y tế xã {COMMUNE[code]} đạt chuẩn quốc gia",
                a[f"fac:{code}:tramyte"],
                status,
                (3.0, 7.0),
                NS_TINH,
                "Sở Y tế",
                "Cải tạo, bổ sung trang thiết bị trạm y tế (minh họa).",
            )
        )
    # ---- agriculture (4)
    for code, status in ((THC, "completed"), (BP, "under_construction")):
        add(
            Spec(
                "agriculture",
                f"Nạo vét kênh nội đồng xã {COMMUNE[code]}",
                a[f"dredge:{code}"],
                status,
                (1.2, 2.0),
                NS_HUYEN,
                "Phòng Nông nghiệp và Phát triển nông thôn huyện Tân Hồng",
                "Nạo vét kênh kết hợp giao thông thủy bộ, chống hạn (Kế hoạch mục III.2).",
                per_km=True,
            )
        )
    for code, status in ((BP, "completed"), (TB, "planned")):
        rice = a[f"zone:rice:{code}"]
        edge = nearest_points(rice.exterior, centres[code])[0]  # the field's side towards the centre
        p = w.inside_near(code, edge.buffer(60.0).difference(rice).centroid, 80.0)
        w.taken.append(p)
        add(
            Spec(
                "agriculture",
                f"Trạm bơm điện phục vụ cánh đồng lúa vụ 3 xã {COMMUNE[code]}",
                p,
                status,
                (2.0, 5.0),
                NTM,
                "Sở Nông nghiệp và Phát triển nông thôn",
                "Trạm bơm minh họa tưới, tiêu cho vùng lúa vụ 3 (Kế hoạch mục III.1).",
            )
        )
    # ---- electricity (3)
    for code, key, status in ((BP, f"cluster:{BP}:2", "completed"), (THC, f"cluster:{THC}:2", "planned")):
        p = point_near(w, a[key], code, 120.0, 450.0, gap=250.0)
        add(
            Spec(
                "electricity",
                f"Trạm biến áp và lưới hạ thế cụm dân cư biên giới {COMMUNE[code]} số 2",
                p,
                status,
                (1.0, 3.0),
                "Vốn ngành điện",
                "Công ty Điện lực Đồng Tháp",
                "Cấp điện minh họa cho cụm dân cư ven biên giới.",
            )
        )
    road = a[f"road:border:{TB}:1"]
    power = road.offset_curve(60.0)
    if share_inside(power, w.inner(TB, 20.0)) < 0.98:
        power = road.offset_curve(-60.0)
    add(
        Spec(
            "electricity",
            "Đường dây trung thế dọc đường ra biên giới xã Thông Bình",
            power,
            "under_construction",
            (1.0, 1.5),
            "Vốn ngành điện",
            "Công ty Điện lực Đồng Tháp",
            "Tuyến điện minh họa dọc đường ra biên giới, cấp điện cho dân và lực lượng bảo vệ biên giới.",
            per_km=True,
        )
    )
    # ---- trade (2)
    add(
        Spec(
            "trade",
            "Nâng cấp, bố trí lại chợ gia súc khu vực cửa khẩu phụ Bình Phú",
            a["site:market"],
            "under_construction",
            (8.0, 15.0),
            XHH,
            ubnd(BP),
            "Kế hoạch (mục III.1) yêu cầu nâng cấp, bố trí hợp lý chợ gia súc; quy mô, tiến độ ở đây là minh họa.",
        )
    )
    p = point_near(w, centres[TB], TB, 200.0, 900.0)
    add(
        Spec(
            "trade",
            "Xây dựng chợ xã Thông Bình",
            p,
            "completed",
            (4.0, 8.0),
            XHH,
            ubnd(TB),
            "Chợ xã minh họa theo tiêu chí 7 (hạ tầng thương mại nông thôn).",
        )
    )
    # ---- culture and sports (2)
    for code, status in ((BP, "planned"), (THC, "planned")):
        p = point_near(w, centres[code], code, 200.0, 1000.0)
        add(
            Spec(
                "culture_sports",
                f"Trung tâm văn hóa – thể thao xã {COMMUNE[code]}",
                p,
                status,
                (3.0, 7.0),
                NTM,
                ubnd(code),
                "Hội trường, sân thể thao minh họa theo tiêu chí 6 (cơ sở vật chất văn hóa).",
            )
        )
    # ---- poor housing (2)
    for code, status, houses in ((TB, "completed", 30), (BP, "under_construction", 20)):
        p = point_near(w, centres[code], code, 200.0, 900.0)
        add(
            Spec(
                "poor_housing",
                f"Hỗ trợ xây dựng {houses} căn nhà cho hộ nghèo xã {COMMUNE[code]}",
                p,
                status,
                (houses * 0.05, houses * 0.06),
                GIAM_NGHEO,
                ubnd(code),
                "Nhà ở phân tán trong xã; điểm đặt tượng trưng gần trung tâm xã (minh họa).",
            )
        )
    # ---- defence and security (4, sensitive)
    patrol = a["road:patrol"]
    tb_patrol = longest(patrol.intersection(w.units[TB]))
    add(
        Spec(
            "defence_security",
            "Nâng cấp đường tuần tra biên giới, đoạn xã Thông Bình",
            tb_patrol,
            "under_construction",
            (8.0, 12.0),
            NS_TW,
            BDBP,
            "Bê tông hóa đoạn đường tuần tra biên giới (minh họa).",
            per_km=True,
        )
    )
    gate_bp = a["gate:binh_phu"]
    p = w.inside_near(BP, w.offset(gate_bp, 450.0, 250.0), 80.0)
    w.taken.append(p)
    add(
        Spec(
            "defence_security",
            "Trạm kiểm soát biên phòng khu vực cửa khẩu phụ Bình Phú",
            p,
            "completed",
            (3.0, 8.0),
            NS_TW,
            BDBP,
            "Trạm kiểm soát minh họa; thông tin quốc phòng – an ninh.",
        )
    )
    add(
        Spec(
            "defence_security",
            "Nâng cấp doanh trại đồn biên phòng khu vực cửa khẩu Dinh Bà",
            a[f"site:post:{THC}"],
            "completed",
            (10.0, 20.0),
            NS_TW,
            BDBP,
            "Công trình minh họa; thông tin quốc phòng – an ninh.",
        )
    )
    zone = w.band(THC, 2500.0, 5000.0, margin=300.0)
    p = w.pick(zone, 900.0)
    add(
        Spec(
            "defence_security",
            "Hạ tầng khu vực phòng thủ huyện trên địa bàn xã Tân Hộ Cơ",
            p,
            "planned",
            (10.0, 25.0),
            NS_TINH,
            "Ban Chỉ huy Quân sự huyện Tân Hồng",
            "Công trình minh họa; thông tin quốc phòng – an ninh.",
        )
    )
    # ---- state management (2)
    add(
        Spec(
            "state_management",
            "Cải tạo, nâng cấp trụ sở UBND xã Thông Bình",
            a[f"admin:{TB}"],
            "completed",
            (6.0, 12.0),
            NS_HUYEN,
            BQLDA,
            "Trụ sở làm việc minh họa, kết hợp bộ phận một cửa.",
        )
    )
    sr = w.pick(w.inner(SR, 250.0), 400.0)
    add(
        Spec(
            "state_management",
            "Hệ thống thông tin theo dõi đầu tư 03 xã biên giới (đặt tại thị trấn Sa Rài)",
            sr,
            "under_construction",
            (3.0, 6.0),
            NS_HUYEN,
            "Phòng Tài chính – Kế hoạch huyện Tân Hồng",
            "Phần mềm, thiết bị minh họa đặt tại trung tâm huyện, phục vụ 03 xã biên giới.",
        )
    )
    # ---- other (2)
    for i, (code, status) in enumerate(((BP, "completed"), (TB, "suspended"))):
        add(
            Spec(
                "other",
                f"Lò đốt, khu xử lý rác tập trung xã {COMMUNE[code]}",
                a[f"site:waste:{i + 1}"],
                status,
                (5.0, 12.0),
                NS_HUYEN,
                ubnd(code),
                "Khu xử lý rác minh họa để đạt chỉ tiêu thu gom rác 80 % mỗi năm.",
            )
        )
    # ---- more to reach a realistic mix
    add(
        Spec(
            "transport",
            "Láng nhựa đường nội bộ khu đô thị cửa khẩu Dinh Bà",
            point_near(w, a["zone:urban"].centroid, THC, 0.0, 500.0, gap=300.0),
            "planned",
            (15.0, 30.0),
            NS_TINH,
            BQLDA,
            "Đường nội bộ minh họa góp phần đạt tiêu chí đô thị loại V của khu vực Dinh Bà.",
        )
    )
    add(
        Spec(
            "health",
            "Xây dựng phòng khám đa khoa khu vực cửa khẩu Dinh Bà",
            point_near(w, a["zone:urban"].centroid, THC, 300.0, 800.0, gap=300.0),
            "suspended",
            (15.0, 30.0),
            XHH,
            "Sở Y tế",
            "Phòng khám minh họa phục vụ dân cư, người lao động khu vực cửa khẩu.",
        )
    )
    return s


def expansion(w: World, base: Polygon, code: str) -> Polygon:
    """A polygon next to ``base`` (same shape, about half its area), inside the commune."""
    c = base.centroid
    inner = w.inner(code, 40.0)
    for along in (1.0, -1.0):
        for inward in (0.0, 1.0, -1.0):
            minx, miny, maxx, maxy = base.bounds
            size = max(maxx - minx, maxy - miny)
            p = w.offset(c, along * size * 0.85, inward * size * 0.4)
            poly = rect_for_area(p, base.area * 0.5, 1.5, w.angle_at(p))
            beside = inner.contains(poly) and not poly.intersects(base) and poly.distance(base) < 150
            if beside and w.border.distance(poly) >= 800 and not any(poly.intersects(b) for b in w.blocked):
                return poly
    raise BuildError("no room for the cluster expansion")


def build_projects(w: World, out: Built, centres: dict[str, Point]) -> None:
    specs = project_specs(w, out, centres)
    # a stream of its own: redrawing a boundary moves the works, not their figures
    rng = np.random.default_rng([SEED, 2])
    for i, sp in enumerate(specs):
        lo, hi = STATUS_PROGRESS[sp.status]
        progress = lo if lo == hi else int(round(float(rng.uniform(lo, hi)) / 5) * 5)
        if sp.status == "planned":
            progress = int(rng.choice([0, 0, 5, 10]))
        start, end = years_for(rng, sp.status)
        size = sp.geom.length / 1000 if sp.per_km else 1.0
        if sp.geom.geom_type == "Polygon" and sp.sector == "residential_cluster":
            size = sp.geom.area / 1e4  # billions per hectare
        budget = tỷ(min(150.0, max(0.5, float(rng.uniform(*sp.budget)) * size)))
        props = {
            "id": f"DA-{i + 1:03d}",
            "name": sp.name,
            "sector": sp.sector,
            "commune_code": sp.code or w.codes_for(sp.geom),
            "status": sp.status,
            "progress": progress,
            "budget_vnd": budget,
            "funding_source": sp.funding,
            "start_year": start,
            "end_year": end,
            "agency": sp.agency,
            "description": sp.description,
            "source": ILLUSTRATIVE_SOURCE,
            "accuracy": "schematic",
            "illustrative": True,
            "sensitive": sp.sector == "defence_security",
        }
        if sp.per_km:
            props["length_km"] = round(sp.geom.length / 1000, 2)
        out.layers.setdefault("projects", []).append(Feature(sp.geom, props))


# --------------------------------------------------------------------------- checks and output


LAYER_ORDER = (
    "residential_clusters",
    "roads",
    "border_gates",
    "economic_zones",
    "water_stations",
    "facilities",
    "sites",
    "projects",
)


def check(w: World, out: Built) -> None:
    """Every feature lies in (one of) its communes; gates on the border; ids unique."""
    plan = w.plan_area()
    for layer in LAYER_ORDER:
        feats = out.layers.get(layer, [])
        if not feats:
            raise BuildError(f"{layer}: empty")
        ids = [f.props["id"] for f in feats]
        if len(set(ids)) != len(ids):
            raise BuildError(f"{layer}: duplicate ids")
        for f in feats:
            codes = str(f.props["commune_code"]).split(";")
            area = unary_union([w.units[c] for c in codes])
            share = share_inside(f.geom, area.buffer(100.0 if f.geom.geom_type == "Point" else 0.0))
            if share < (1.0 if f.geom.geom_type == "Point" else 0.9):
                raise BuildError(f"{layer} {f.props['id']}: only {share:.0%} inside {codes}")
            if f.props["accuracy"] == "surveyed":
                raise BuildError(f"{layer} {f.props['id']}: surveyed")
            if f.props.get("kind") == "patrol_road" and share_inside(f.geom, plan) < 0.999:
                raise BuildError("the patrol road leaves the plan communes")
    for f in out.layers["border_gates"]:
        d = w.border.distance(f.geom)
        if d > 50.0:
            raise BuildError(f"{f.props['id']} is {d:.0f} m from the border")


def to_feature_collection(key: str, feats: list[Feature]) -> str:
    lines = []
    for f in feats:
        geom = to_lonlat(f.geom)
        if not geom.is_valid:
            raise BuildError(f"{key} {f.props['id']}: invalid after rounding")
        lines.append(
            json.dumps(
                {"type": "Feature", "properties": f.props, "geometry": mapping(geom)}, ensure_ascii=False
            )
        )
    head = f'{{"type": "FeatureCollection", "name": "{key}", "features": [\n'
    return head + ",\n".join(lines) + "\n]}\n"


def validate_with_library(texts: dict[str, str], w: World) -> None:
    """Read every file back with the package's own validator; any error stops the build."""
    sys.path.insert(0, str(REPO_ROOT))
    from borderplan_geo.layers import read_layer

    outline = w.district()
    problems = []
    for key, text in texts.items():
        _, found = read_layer(text.encode("utf-8"), key, outline_metric=outline)
        problems.extend(p for p in found)
    if problems:
        raise BuildError("validator: " + "; ".join(str(p) for p in problems))


def build(units_path: Path, border_path: Path) -> Built:
    w = World.load(units_path, border_path)
    out = Built()
    build_gates(w, out)
    build_patrol_road(w, out)
    centres = {code: commune_centre(w, code) for code in PLAN_CODES}
    w.taken.extend(centres.values())
    build_main_road(w, out)
    build_zones(w, out, centres)
    build_clusters(w, out, centres)
    build_border_roads(w, out, centres)
    build_waterways(w, out)
    build_points(w, out, centres)
    build_projects(w, out, centres)
    for layer in out.layers.values():
        layer.sort(key=lambda f: f.props["id"])
    check(w, out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=Path, default=UNITS_GEOJSON, help="commune polygons (GeoJSON)")
    parser.add_argument("--border", type=Path, default=BORDER_GEOJSON, help="border line (GeoJSON)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    out = build(args.units, args.border)
    texts = {key: to_feature_collection(key, out.layers[key]) for key in LAYER_ORDER}
    world = World.load(args.units, args.border)
    validate_with_library(texts, world)
    args.out.mkdir(parents=True, exist_ok=True)
    for key, text in texts.items():
        path = args.out / f"{key}.geojson"
        path.write_text(text, encoding="utf-8")
        print(
            f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}: "
            f"{len(out.layers[key])} features"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
